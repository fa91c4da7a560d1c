"""A set of linked tables, real beside synthetic: SDMetrics' multi-table quality, link by link
(integrity, children per parent, parent × child trends, sequences) and privacy per entity.

Quality follows SDMetrics' multi-table QualityReport (0.32), computed from our one-table parts:
- Column Shapes: the mean over the columns of every table (keys left out) of KSComplement or
  TVComplement, as for one table (``evaluate.fidelity.quality``);
- Column Pair Trends: the mean over the counted pairs of every table (same thresholds);
- Cardinality: per link, CardinalityShapeSimilarity = 1 - the two-sample KS distance between the
  real and synthetic counts of children per parent row (zero included); the mean over links;
- Intertable Trends: per link, each child row joined with its parent row, and the pairs of a
  parent column with a child column scored as Column Pair Trends does (same thresholds);
  the mean over the counted pairs of every link;
- Overall: the mean of the four (those that have a score).
With ``Binning.SDMETRICS`` the numbers equal SDMetrics' (a test); the pages use the shared bins
of the one-table report (the README says why).

Sequences (children in order under a parent: a player's postseason lines year by year), as
mostlyai-qa measures coherence: for each categorical child column, 1 - KS distance of the number
of distinct values per sequence, and 1 - the total variation distance of the pairs of
consecutive values; the mean of those.

Detection per parent table: a classifier's ROC AUC (cross-validated, as for one table) telling
real parent rows, each with a summary of its children (below), from synthetic ones.

Privacy per entity: a parent row of the entity table with a summary of its children (their count
and the mean of each of their numeric columns, per child table) is one record; the DCR share and
exact copies are measured on those records against the held-out entities (held out with all
their children: ``generate.linked.split_by_entity``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from synth_core._progress import ProgressFn, no_progress
from synth_core.data.database import (
    Database,
    Links,
    Relation,
    key_coverage,
    key_text,
    order_column,
)
from synth_core.data.distance import RowEncoder, distance_columns, row_hashes
from synth_core.data.marginals import ks_distance
from synth_core.data.schema import ColumnKind, ColumnSchema, Schema
from synth_core.errors import SchemaError
from synth_core.evaluate.fidelity.detection import MIN_ROWS as DETECTION_MIN_ROWS
from synth_core.evaluate.fidelity.detection import detect_auc
from synth_core.evaluate.fidelity.prepare import Binning, prepare
from synth_core.evaluate.fidelity.quality import PairScore, Quality, quality
from synth_core.evaluate.privacy.report import DcrShare, match_share, measure_dcr_share
from synth_core.jsonable import plain

HISTOGRAM_TOP = 10  # children-per-parent counts shown one by one; more are pooled


@dataclass(frozen=True)
class Sequences:
    """Coherence of ordered children (see the module docstring), per categorical column."""

    order: str  # the column that orders the children
    distinct: Mapping[str, float]  # column -> 1 - KS of distinct values per sequence
    consecutive: Mapping[str, float]  # column -> 1 - TVD of consecutive pairs

    @property
    def score(self) -> float | None:
        values = [*self.distinct.values(), *self.consecutive.values()]
        return float(np.mean(values)) if values else None


@dataclass(frozen=True)
class LinkScore:
    """One link, real beside synthetic."""

    relation: Relation
    integrity: float  # share of synthetic child keys found among the synthetic parent keys
    cardinality: float | None  # CardinalityShapeSimilarity
    counts: tuple[tuple[str, float, float], ...]  # (children, real share, synthetic share)
    zero_real: float  # share of parents without children
    zero_synthetic: float
    mean_real: float  # children per parent
    mean_synthetic: float
    trends: float | None  # Intertable Trends of this link
    pairs: tuple[PairScore, ...]  # parent column × child column
    sequences: Sequences | None = None
    real_parents: int = 0  # parent rows the real counts are shares of

    @property
    def label(self) -> str:
        r = self.relation
        return f"{r.child}.{r.child_key} → {r.parent}.{r.parent_key}"


@dataclass(frozen=True)
class EntityPrivacy:
    """Privacy of whole entities (a parent row with its children) against held-out ones."""

    entity: str
    records: int  # synthetic entities measured
    holdout: int
    dcr: DcrShare
    exact_synthetic: float  # synthetic entities identical to a training entity
    exact_holdout: float  # held-out entities identical to a training entity: the baseline


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
    # Per parent table: ROC AUC of telling its real rows (each with a summary of its children)
    # from synthetic ones; 0.5 is indistinguishable.
    detection: Mapping[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The JSON the CLI writes: scores, one entry per table and one per link."""
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
                }
                for name, q in self.tables.items()
            },
            "relations": [
                {
                    "parent": s.relation.parent,
                    "parent_key": s.relation.parent_key,
                    "child": s.relation.child,
                    "child_key": s.relation.child_key,
                    "integrity": s.integrity,
                    "cardinality_shape_similarity": s.cardinality,
                    "children_per_parent": {"real": s.mean_real, "synthetic": s.mean_synthetic},
                    "parents_without_children": {
                        "real": s.zero_real,
                        "synthetic": s.zero_synthetic,
                    },
                    "intertable_trends": s.trends,
                    "sequence_coherence": s.sequences.score if s.sequences else None,
                }
                for s in self.links
            ],
            "entity_privacy": privacy,
            "detection_auc": dict(self.detection),
        }
        result: dict[str, Any] = plain(payload)
        return result


def _mean(values: Sequence[float | None]) -> float | None:
    present = [v for v in values if v is not None and np.isfinite(v)]
    return float(np.mean(present)) if present else None


def key_columns(links: Links) -> dict[str, set[str]]:
    """Per table, the columns that are keys (its own, and those pointing at a parent)."""
    keys: dict[str, set[str]] = {}
    for name, key in links.keys.items():
        if key is not None:
            keys.setdefault(name, set()).add(key)
    for r in links.relations:
        keys.setdefault(r.child, set()).add(r.child_key)
        keys.setdefault(r.parent, set()).add(r.parent_key)
    return keys


def _without(schema: Schema, names: set[str]) -> Schema:
    return Schema(tuple(c for c in schema if c.name not in names))


def children_per_parent(parent_keys: pd.Series, child_keys: pd.Series) -> np.ndarray:
    """How many child rows each parent row has, zero included (SDMetrics'
    get_cardinality_distribution)."""
    counts = key_text(child_keys).value_counts()
    return key_text(parent_keys).map(counts).fillna(0).to_numpy(dtype=float)


def _histogram(real: np.ndarray, synthetic: np.ndarray) -> tuple[tuple[str, float, float], ...]:
    rows = []
    for count in range(HISTOGRAM_TOP + 1):
        label = str(count) if count < HISTOGRAM_TOP else f"{HISTOGRAM_TOP}+"
        if count < HISTOGRAM_TOP:
            r, s = np.mean(real == count), np.mean(synthetic == count)
        else:
            r, s = np.mean(real >= count), np.mean(synthetic >= count)
        rows.append((label, float(r) if real.size else 0.0, float(s) if synthetic.size else 0.0))
    while len(rows) > 2 and rows[-1][1] == 0 and rows[-1][2] == 0:
        rows.pop()
    return tuple(rows)


def _joined(child: pd.DataFrame, parent: pd.DataFrame, relation: Relation) -> pd.DataFrame:
    """Each child row with its parent row (inner join), columns named '<table>.<column>'."""
    left = child.add_prefix(f"{relation.child}.")
    right = parent.add_prefix(f"{relation.parent}.")
    left_key, right_key = (
        f"{relation.child}.{relation.child_key}",
        f"{relation.parent}.{relation.parent_key}",
    )
    left = left.assign(**{left_key: left[left_key].astype("string")})
    right = right.assign(**{right_key: right[right_key].astype("string")})
    return left.merge(right, left_on=left_key, right_on=right_key, how="inner")


def _prefixed(schema: Schema, table: str) -> list[ColumnSchema]:
    return [replace(c, name=f"{table}.{c.name}") for c in schema]


def _pairs_of(frame: pd.DataFrame, key: str, order: str, column: str) -> pd.Series:
    ordered = frame.sort_values([key, order], kind="stable")
    values = ordered[column].astype("string").fillna("(missing)")
    same = key_text(ordered[key]).fillna("").to_numpy(dtype=object)
    follows = np.r_[False, same[1:] == same[:-1]]
    previous = values.shift(1)
    pairs: pd.Series = (previous[follows] + " → " + values[follows]).reset_index(drop=True)
    return pairs


def _tvd(real: pd.Series, synthetic: pd.Series) -> float:
    """Total variation distance between the shares of the values of two samples."""
    shares = pd.concat(
        [real.value_counts(normalize=True), synthetic.value_counts(normalize=True)], axis=1
    ).fillna(0.0)
    return float(0.5 * np.abs(shares.iloc[:, 0] - shares.iloc[:, 1]).sum())


def sequences(
    real: pd.DataFrame, synthetic: pd.DataFrame, relation: Relation, schema: Schema
) -> Sequences | None:
    """Coherence of each parent's children in order (module docstring); None when nothing
    orders them or no child column is categorical."""
    order = order_column(schema, real.columns)
    categorical = [
        c.name
        for c in schema
        if c.kind in (ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN) and c.name != relation.child_key
    ]
    if order is None or not categorical or len(real) == 0 or len(synthetic) == 0:
        return None
    key = relation.child_key
    distinct, consecutive = {}, {}
    for column in categorical:
        per_real = real.groupby(key_text(real[key]))[column].nunique(dropna=False)
        per_synth = synthetic.groupby(key_text(synthetic[key]))[column].nunique(dropna=False)
        distinct[column] = 1.0 - ks_distance(
            np.sort(per_real.to_numpy(dtype=float)), np.sort(per_synth.to_numpy(dtype=float))
        )
        pairs_real = _pairs_of(real, key, order, column)
        pairs_synth = _pairs_of(synthetic, key, order, column)
        if len(pairs_real) and len(pairs_synth):
            consecutive[column] = 1.0 - _tvd(pairs_real, pairs_synth)
    return Sequences(order, distinct, consecutive)


def _entity_records(
    tables: Mapping[str, pd.DataFrame],
    entity: str,
    links: Links,
    schemas: Mapping[str, Schema],
) -> tuple[pd.DataFrame, Schema]:
    """The entity table's rows (keys left out) with, per child table, the number of children
    and the mean of each numeric child column."""
    key = links.keys.get(entity)
    keys = key_columns(links)
    schema = _without(schemas[entity], keys.get(entity, set()))
    frame = tables[entity][[c.name for c in schema]].copy()
    columns = list(schema)
    for relation in (r for r in links.relations if r.parent == entity):
        assert key is not None
        child = tables[relation.child]
        parent_keys = key_text(tables[entity][key])
        name = f"{relation.child}: rows"
        frame[name] = children_per_parent(parent_keys, child[relation.child_key])
        columns.append(ColumnSchema(name, ColumnKind.NUMERICAL))
        numeric = [
            c.name
            for c in schemas[relation.child]
            if c.kind is ColumnKind.NUMERICAL and c.name not in keys.get(relation.child, set())
        ]
        if numeric:
            means = child.groupby(key_text(child[relation.child_key]))[numeric].mean()
            for column in numeric:
                named = f"{relation.child}: mean {column}"
                frame[named] = parent_keys.map(means[column]).to_numpy(dtype=float)
                columns.append(ColumnSchema(named, ColumnKind.NUMERICAL))
    return frame.reset_index(drop=True), Schema(tuple(columns))


def entity_privacy(
    train: Mapping[str, pd.DataFrame],
    holdout: Mapping[str, pd.DataFrame],
    synthetic: Mapping[str, pd.DataFrame],
    entity: str,
    links: Links,
    schemas: Mapping[str, Schema],
    seed: int = 0,
) -> EntityPrivacy | None:
    """DCR share and exact copies of whole entities (module docstring); None without held-out
    entities."""
    if len(holdout.get(entity, ())) < 2 or len(synthetic[entity]) == 0:
        return None
    real, schema = _entity_records(train, entity, links, schemas)
    held, _ = _entity_records(holdout, entity, links, schemas)
    synth, _ = _entity_records(synthetic, entity, links, schemas)
    columns = distance_columns(schema, real)
    if not columns:
        return None
    encoder = RowEncoder.fit(real, columns, [held, synth])
    rng = np.random.default_rng([seed, 17])
    dcr = measure_dcr_share(encoder, real, held, encoder.transform(synth), rng)
    reference = row_hashes(real, columns)
    return EntityPrivacy(
        entity,
        len(synth),
        len(held),
        dcr,
        match_share(row_hashes(synth, columns), reference),
        match_share(row_hashes(held, columns), reference),
    )


def evaluate_linked(
    real: Mapping[str, pd.DataFrame],
    synthetic: Mapping[str, pd.DataFrame],
    database: Database,
    links: Links,
    *,
    binning: Binning = Binning.SHARED,
    holdout: Mapping[str, pd.DataFrame] | None = None,
    entity: str | None = None,
    seed: int = 0,
    detection: bool = True,
    progress: ProgressFn = no_progress,
) -> LinkedEvaluation:
    """The set's quality and links (module docstring), real (the rows the generator learnt
    from) beside synthetic; with ``holdout`` and ``entity``, privacy per entity too."""
    missing = [name for name in database.tables if name not in synthetic]
    if missing:
        raise SchemaError(
            "The synthetic set lacks the table(s) " + ", ".join(missing) + ": evaluate a "
            "folder that holds one synthetic file per real table, named the same."
        )
    keys = key_columns(links)
    schemas = {name: t.schema for name, t in database.tables.items()}
    tables: dict[str, Quality] = {}
    steps = len(database.tables) + len(links.relations) + 1
    for step, name in enumerate(database.tables):
        progress(step / steps, f"Table {name}")
        schema = _without(schemas[name], keys.get(name, set()))
        if len(real[name]) == 0 or len(synthetic[name]) == 0 or not len(schema):
            continue
        tables[name] = quality(prepare(real[name], synthetic[name], schema, binning))
    scores: list[LinkScore] = []
    for step, r in enumerate(links.relations, start=len(database.tables)):
        progress(step / steps, f"Link {r.child} → {r.parent}")
        integrity, _ = key_coverage(
            synthetic[r.child][r.child_key], synthetic[r.parent][r.parent_key]
        )
        real_counts = children_per_parent(real[r.parent][r.parent_key], real[r.child][r.child_key])
        synth_counts = children_per_parent(
            synthetic[r.parent][r.parent_key], synthetic[r.child][r.child_key]
        )
        cardinality = None
        if real_counts.size and synth_counts.size:
            cardinality = 1.0 - ks_distance(np.sort(real_counts), np.sort(synth_counts))
        trends, pairs = _intertable(real, synthetic, r, schemas, keys, binning)
        scores.append(
            LinkScore(
                r,
                integrity,
                cardinality,
                _histogram(real_counts, synth_counts),
                float(np.mean(real_counts == 0)) if real_counts.size else 0.0,
                float(np.mean(synth_counts == 0)) if synth_counts.size else 0.0,
                float(real_counts.mean()) if real_counts.size else 0.0,
                float(synth_counts.mean()) if synth_counts.size else 0.0,
                trends,
                pairs,
                sequences(real[r.child], synthetic[r.child], r, schemas[r.child]),
                int(real_counts.size),
            )
        )
    found_detection: dict[str, float] = {}
    if detection:
        for parent in dict.fromkeys(r.parent for r in links.relations):
            progress((steps - 1) / steps, f"Telling real {parent} rows from synthetic ones")
            if min(len(real[parent]), len(synthetic[parent])) < DETECTION_MIN_ROWS:
                continue  # too few rows to tell (the one-table check says so too)
            real_records, schema = _entity_records(real, parent, links, schemas)
            synth_records, _ = _entity_records(synthetic, parent, links, schemas)
            found_detection[parent] = detect_auc(real_records, synth_records, schema, seed)
    progress((steps - 1) / steps, "Privacy per entity")
    privacy = None
    if holdout is not None and entity is not None:
        privacy = entity_privacy(real, holdout, synthetic, entity, links, schemas, seed)
    shapes = _mean([s.score for q in tables.values() for s in q.shapes])
    pair_trends = _mean([p.score for q in tables.values() for p in q.pairs if p.counted])
    cardinality = _mean([s.cardinality for s in scores])
    intertable = _mean([p.score for s in scores for p in s.pairs if p.counted])
    parts = [v for v in (shapes, pair_trends, cardinality, intertable) if v is not None]
    progress(1.0, "Done")
    return LinkedEvaluation(
        float(np.mean(parts)) if parts else float("nan"),
        shapes,
        pair_trends,
        cardinality,
        intertable,
        tables,
        tuple(scores),
        privacy,
        found_detection,
    )


def _intertable(
    real: Mapping[str, pd.DataFrame],
    synthetic: Mapping[str, pd.DataFrame],
    relation: Relation,
    schemas: Mapping[str, Schema],
    keys: Mapping[str, set[str]],
    binning: Binning,
) -> tuple[float | None, tuple[PairScore, ...]]:
    """Intertable Trends of one link: parent column × child column on the joined rows."""
    real_joined = _joined(real[relation.child], real[relation.parent], relation)
    synth_joined = _joined(synthetic[relation.child], synthetic[relation.parent], relation)
    if len(real_joined) == 0 or len(synth_joined) == 0:
        return None, ()
    child = _prefixed(
        _without(schemas[relation.child], keys.get(relation.child, set())), relation.child
    )
    parent = _prefixed(
        _without(schemas[relation.parent], keys.get(relation.parent, set())), relation.parent
    )
    if not child or not parent:
        return None, ()
    prepared = prepare(real_joined, synth_joined, Schema((*child, *parent)), binning)
    found = quality(prepared, across=frozenset(c.name for c in parent))
    return _mean([p.score for p in found.pairs if p.counted]), found.pairs
