"""A synthetic set checked as a database: the rules the real set keeps across its tables (rows
per parent, two paths to one ancestor, dates along paths), real beside synthetic, and real
identifiers replayed in any table."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

import pandas as pd

from synth_core.data.database import Links
from synth_core.data.schema import ColumnKind, Schema
from synth_core.evaluate.privacy.report import identifying_columns
from synth_core.generate.linked import Bound, SetRules
from synth_core.generate.linked.plan import as_made
from synth_core.generate.protect.pii import normal_text

PATH_POINTS = 0.05  # two paths agree within this share of the real rate: kept
KEPT_SLACK = 0.001  # a rule kept in this share less of the rows than in the real set: kept


class RuleKind(StrEnum):
    COUNT = "rows per parent"
    PATHS = "two paths to one row"
    BOUND = "dates along a path"


@dataclass(frozen=True)
class RuleCheck:
    """One rule across tables: the share of rows (or parent rows) keeping it, real beside
    synthetic (for two paths: how often they agree)."""

    kind: RuleKind
    table: str
    rule: str
    evidence: str
    real: float | None
    synthetic: float | None

    @property
    def kept(self) -> bool | None:
        if self.real is None or self.synthetic is None:
            return None
        if self.kind is RuleKind.PATHS:
            return abs(self.synthetic - self.real) <= PATH_POINTS
        return self.synthetic >= self.real - KEPT_SLACK


def rule_checks(
    real: Mapping[str, pd.DataFrame],
    synthetic: Mapping[str, pd.DataFrame],
    rules: SetRules,
    bounds: Mapping[str, Sequence[Bound]],
) -> tuple[RuleCheck, ...]:
    """Every count rule, agreeing pair of paths and bound, measured on both sets."""
    checks = [
        RuleCheck(
            RuleKind.COUNT,
            c.relation.parent,
            c.describe(),
            c.evidence(),
            c.kept(real),
            c.kept(synthetic),
        )
        for c in rules.counts
    ]
    checks.extend(
        RuleCheck(
            RuleKind.PATHS,
            p.child,
            p.describe(),
            p.evidence(),
            p.measure(real),
            p.measure(synthetic),
        )
        for p in rules.paths
    )
    for table, found in bounds.items():
        for bound in found:
            share = bound.kept(real)
            checks.append(
                RuleCheck(
                    RuleKind.BOUND,
                    table,
                    bound.describe(),
                    f"in {share:.1%} of the real rows" if share is not None else "",
                    share,
                    bound.kept(synthetic),
                )
            )
    return tuple(checks)


@dataclass(frozen=True)
class Replayed:
    """Synthetic rows of ``table`` whose ``column`` holds a value that belongs to one real row
    (an identifier, a rare name): such a value points at that row."""

    table: str
    column: str
    why: str
    rows: int
    share: float


def replayed_identifiers(
    real: Mapping[str, pd.DataFrame],
    synthetic: Mapping[str, pd.DataFrame],
    schemas: Mapping[str, Schema],
    links: Links,
    kept: Collection[str] = (),
) -> tuple[Replayed, ...]:
    """Per synthesized table, each identifying column (personal data, IDs, identifier-like
    numbers, mostly unique text that is not a list of names; keys aside: they are new by
    construction) and its synthetic rows holding a value found in exactly one real row."""
    found = []
    for name, frame in real.items():
        if name in kept or name not in synthetic:
            continue
        made, _ = as_made(name, schemas[name], frame, links)
        labels = {
            c.name
            for c in made
            if c.kind is ColumnKind.CATEGORICAL and schemas[name][c.name].kind is ColumnKind.ID
        }
        for column, why in identifying_columns(frame, made).items():
            if column in labels or column not in synthetic[name].columns:
                continue
            if column == links.keys.get(name) or _is_foreign(name, column, links):
                continue
            counts = normal_text(frame[column].dropna()).value_counts()
            single = set(counts.index[counts == 1])
            values = synthetic[name][column]
            hit = values.notna() & normal_text(values).isin(single)
            rows = int(hit.sum())
            found.append(
                Replayed(name, column, why, rows, rows / len(values) if len(values) else 0.0)
            )
    return tuple(found)


def _is_foreign(table: str, column: str, links: Links) -> bool:
    return any(r.child == table and r.child_key == column for r in links.relations)
