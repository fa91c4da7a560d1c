"""A synthetic set against the whole real set (held-out entities included; they are also
compared apart, for privacy): SDMetrics' multi-table quality, each link, the rules across
tables, detection per table, identifiers replayed and privacy per entity.

Quality follows SDMetrics' multi-table QualityReport (0.32), computed from our one-table parts:
Column Shapes and Column Pair Trends over the columns and pairs of every table (keys left out,
as for one table: ``evaluate.fidelity.quality``), Cardinality and Intertable Trends over the
links (``links``); Overall is the mean of the four (those that have a score). With
``Binning.SDMETRICS`` the numbers equal SDMetrics' (a test); the pages use the shared bins of the
one-table report (the README says why)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from synth_core._progress import ProgressFn, no_progress
from synth_core.data.database import Database, Links
from synth_core.errors import SchemaError
from synth_core.evaluate.fidelity.prepare import Binning, prepare
from synth_core.evaluate.fidelity.quality import Quality, quality
from synth_core.evaluate.linked.database import (
    Replayed,
    RuleCheck,
    replayed_identifiers,
    rule_checks,
)
from synth_core.evaluate.linked.entities import EntityPrivacy, detection, entity_privacy
from synth_core.evaluate.linked.links import (
    LinkScore,
    key_columns,
    link_score,
    mean_of,
    without,
)
from synth_core.generate.linked import LinkedResult, find_set_rules
from synth_core.generate.linked.bounds import find_bounds
from synth_core.jsonable import plain


@dataclass(frozen=True)
class LinkedEvaluation:
    overall: float
    column_shapes: float | None
    pair_trends: float | None
    cardinality: float | None
    intertable: float | None
    tables: Mapping[str, Quality]
    links: tuple[LinkScore, ...]
    privacy: EntityPrivacy | None = None
    # Per table: ROC AUC of telling its real rows (each with a summary of its children) from
    # synthetic ones; 0.5 is indistinguishable.
    detection: Mapping[str, float] = field(default_factory=dict)
    rules: tuple[RuleCheck, ...] = ()
    replayed: tuple[Replayed, ...] = ()
    real_rows: Mapping[str, int] = field(default_factory=dict)  # compared with, per table
    held_out: Mapping[str, int] = field(default_factory=dict)  # of those, held out
    kept: tuple[str, ...] = ()  # tables kept as they are

    def to_dict(self) -> dict[str, Any]:
        """The JSON the CLI writes (README, "Several tables")."""
        privacy = None
        if self.privacy is not None:
            p = self.privacy
            privacy = {
                "entity": p.entity,
                "records": p.records,
                "holdout_records": p.holdout,
                "dcr_share": p.dcr.share,
                "dcr_ci": [p.dcr.ci_low, p.dcr.ci_high],
                "dcr_verdict": str(p.dcr.verdict),
                "exact_copies": p.exact_synthetic,
                "exact_copies_holdout": p.exact_holdout,
            }
        payload = {
            "quality": {
                "overall": self.overall,
                "column_shapes": self.column_shapes,
                "column_pair_trends": self.pair_trends,
                "cardinality": self.cardinality,
                "intertable_trends": self.intertable,
            },
            "tables": {
                name: {
                    "quality": q.overall,
                    "column_shapes": q.column_shapes,
                    "column_pair_trends": q.pair_trends,
                    "real_rows": self.real_rows.get(name),
                    "held_out_rows": self.held_out.get(name, 0),
                    "kept_as_is": name in self.kept,
                }
                for name, q in self.tables.items()
            },
            "relations": [_link_dict(s) for s in self.links],
            "rules_across_tables": [
                {
                    "kind": str(c.kind),
                    "table": c.table,
                    "rule": c.rule,
                    "evidence": c.evidence,
                    "real": c.real,
                    "synthetic": c.synthetic,
                    "kept": c.kept,
                }
                for c in self.rules
            ],
            "replayed_identifiers": [
                {
                    "table": r.table,
                    "column": r.column,
                    "why": r.why,
                    "rows": r.rows,
                    "share": r.share,
                }
                for r in self.replayed
            ],
            "entity_privacy": privacy,
            "detection_auc": dict(self.detection),
        }
        result: dict[str, Any] = plain(payload)
        return result


def _link_dict(s: LinkScore) -> dict[str, Any]:
    return {
        "parent": s.relation.parent,
        "parent_key": s.relation.parent_key,
        "child": s.relation.child,
        "child_key": s.relation.child_key,
        "integrity": s.integrity,
        "cardinality_shape_similarity": s.cardinality,
        "children_per_parent": {"real": s.mean_real, "synthetic": s.mean_synthetic},
        "parents_without_children": {"real": s.zero_real, "synthetic": s.zero_synthetic},
        "by_type": [
            {
                "column": s.type_column,
                "value": t.value,
                "cardinality_shape_similarity": t.cardinality,
                "per_parent": {"real": t.mean_real, "synthetic": t.mean_synthetic},
            }
            for t in s.by_type
        ],
        "intertable_trends": s.trends,
        "sequence_coherence": s.sequences.score if s.sequences else None,
    }


def evaluate_linked(
    *,
    database: Database,
    links: Links,
    synthetic: Mapping[str, pd.DataFrame] | None = None,
    result: LinkedResult | None = None,
    binning: Binning = Binning.SHARED,
    seed: int = 0,
    detection_auc: bool = True,
    progress: ProgressFn = no_progress,
) -> LinkedEvaluation:
    """``synthetic`` (default: ``result.tables``) against every real row of ``database``.
    With ``result`` (what made the set), privacy per entity against its held-out entities and
    its rules across tables; without, the rules are found in the real set."""
    if synthetic is None:
        if result is None:
            raise SchemaError("Give the synthetic tables, or the result that made them.")
        synthetic = result.tables
    missing = [name for name in database.tables if name not in synthetic]
    if missing:
        raise SchemaError(
            "The synthetic set lacks the table(s) " + ", ".join(missing) + ": evaluate a "
            "folder that holds one synthetic file per real table, named the same."
        )
    real = {name: t.df for name, t in database.tables.items()}
    schemas = {name: t.schema for name, t in database.tables.items()}
    keys = key_columns(links)
    steps = len(real) + len(links.relations) + 2
    tables: dict[str, Quality] = {}
    for step, name in enumerate(real):
        progress(step / steps, f"Table {name}")
        schema = without(schemas[name], keys.get(name, set()))
        if len(real[name]) and len(synthetic[name]) and len(schema):
            tables[name] = quality(prepare(real[name], synthetic[name], schema, binning))
    rules = result.rules if result is not None else find_set_rules(database, links)
    bounds = result.bounds if result is not None else find_bounds(real, schemas, links)
    scores = []
    for step, relation in enumerate(links.relations, start=len(real)):
        progress(step / steps, f"Link {relation.child} → {relation.parent}")
        scores.append(link_score(real, synthetic, relation, schemas, keys, rules, binning))
    kept = result.kept if result is not None else ()
    found_detection: dict[str, float] = {}
    if detection_auc:
        for name in real:
            progress((steps - 2) / steps, f"Telling real {name} rows from synthetic ones")
            auc = None if name in kept else detection(real, synthetic, name, links, schemas, seed)
            if auc is not None:
                found_detection[name] = auc
    progress((steps - 1) / steps, "Privacy per entity")
    privacy = None
    if result is not None and result.entity is not None:
        privacy = entity_privacy(
            result.train, result.holdout, synthetic, result.entity, links, schemas, seed
        )
    shapes = mean_of([s.score for q in tables.values() for s in q.shapes])
    pair_trends = mean_of([p.score for q in tables.values() for p in q.pairs if p.counted])
    cardinality = mean_of([s.cardinality for s in scores])
    intertable = mean_of([p.score for s in scores for p in s.pairs if p.counted])
    parts = [v for v in (shapes, pair_trends, cardinality, intertable) if v is not None]
    progress(1.0, "Done")
    return LinkedEvaluation(
        overall=float(np.mean(parts)) if parts else float("nan"),
        column_shapes=shapes,
        pair_trends=pair_trends,
        cardinality=cardinality,
        intertable=intertable,
        tables=tables,
        links=tuple(scores),
        privacy=privacy,
        detection=found_detection,
        rules=rule_checks(real, synthetic, rules, bounds),
        replayed=replayed_identifiers(real, synthetic, schemas, links, kept),
        real_rows={name: len(frame) for name, frame in real.items()},
        held_out={} if result is None else {n: len(f) for n, f in result.holdout.items()},
        kept=tuple(kept),
    )
