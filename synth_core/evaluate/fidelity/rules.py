"""Rules the real rows keep, checked on the synthetic rows: which share of synthetic rows break
each rule found in the real (training) rows, worst first, with examples of breaking rows.

The rules are those ``synth_core.generate.discover`` finds (order, constant gaps, determined
columns, combinations that never occur, sums, bounds, missing together); a rule found with a
few exceptions in the real rows is checked too, and its real share says how often the real rows
break it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from synth_core.data.convert import as_float
from synth_core.data.marginals import ks_distance
from synth_core.data.schema import ColumnKind, Schema
from synth_core.generate import constraints as rules
from synth_core.generate.constraints import FixedGap, GreaterThan
from synth_core.generate.derived import concentrated
from synth_core.generate.discover import Discovery, Found, discover
from synth_core.jsonable import plain

EXAMPLES = 5
GAP_BINS = 30
_UNITS = ((86_400.0, "days"), (3_600.0, "hours"), (60.0, "minutes"), (1.0, "seconds"))


@dataclass(frozen=True)
class GapCheck:
    """The difference between the two columns of an order (``high - low``: a trip's length,
    a stay in days, how much a maximum exceeds a minimum), real beside synthetic. Dates in
    ``unit`` (the one that suits the real median); numbers as they are (``unit`` "")."""

    low: str
    high: str
    unit: str
    real: tuple[float, float, float]  # 5%, 50% and 95% quantiles
    synthetic: tuple[float, float, float]
    ks: float  # KS distance between the two distributions of the gap
    edges: tuple[float, ...]  # shared bins over both 1%-99% ranges (the end bins open)
    real_shares: tuple[float, ...]
    synthetic_shares: tuple[float, ...]

    def describe(self) -> str:
        unit = f" {self.unit}" if self.unit else ""
        what = f"time from {self.low} to {self.high}" if self.unit else f"{self.high} − {self.low}"
        return (
            f"{what}: median {self.synthetic[1]:,.3g}{unit} (real {self.real[1]:,.3g}), 5–95% "
            f"{self.synthetic[0]:,.3g}–{self.synthetic[2]:,.3g} (real {self.real[0]:,.3g}–"
            f"{self.real[2]:,.3g})"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "low": self.low,
            "high": self.high,
            "unit": self.unit,
            "real": {"p05": self.real[0], "median": self.real[1], "p95": self.real[2]},
            "synthetic": {
                "p05": self.synthetic[0],
                "median": self.synthetic[1],
                "p95": self.synthetic[2],
            },
            "ks": self.ks,
            "edges": list(self.edges),
            "real_shares": list(self.real_shares),
            "synthetic_shares": list(self.synthetic_shares),
        }


def gap_check(low: str, high: str, real: pd.DataFrame, synthetic: pd.DataFrame) -> GapCheck | None:
    """``high - low`` in both tables (rows with both present), or None when a side has none."""
    dated = pd.api.types.is_datetime64_any_dtype(real[low].dtype)
    scale, unit = 1.0, ""
    real_gap = as_float(real[high]) - as_float(real[low])
    synthetic_gap = as_float(synthetic[high]) - as_float(synthetic[low])
    real_gap, synthetic_gap = real_gap[~np.isnan(real_gap)], synthetic_gap[~np.isnan(synthetic_gap)]
    if not real_gap.size or not synthetic_gap.size:
        return None
    if dated:
        median_seconds = abs(float(np.median(real_gap))) / 1e9
        seconds, unit = next(((s, u) for s, u in _UNITS if median_seconds >= 2 * s), _UNITS[-1])
        scale = seconds * 1e9
    real_gap, synthetic_gap = np.sort(real_gap / scale), np.sort(synthetic_gap / scale)
    # Bins over both 1%-99% ranges, so a synthetic gap far from the real one shows as such.
    real_range, synthetic_range = (np.quantile(g, [0.01, 0.99]) for g in (real_gap, synthetic_gap))
    low_edge = float(min(real_range[0], synthetic_range[0]))
    high_edge = float(max(real_range[1], synthetic_range[1]))
    if high_edge <= low_edge:
        low_edge, high_edge = float(real_gap.min()) - 0.5, float(real_gap.max()) + 0.5
    edges = np.linspace(low_edge, high_edge, GAP_BINS + 1)

    def shares(values: np.ndarray) -> tuple[float, ...]:
        counts = np.bincount(
            np.clip(np.searchsorted(edges[1:-1], values, side="right"), 0, GAP_BINS - 1),
            minlength=GAP_BINS,
        )
        return tuple(float(c) for c in counts / counts.sum())

    def quantiles(values: np.ndarray) -> tuple[float, float, float]:
        q = np.quantile(values, [0.05, 0.5, 0.95])
        return float(q[0]), float(q[1]), float(q[2])

    return GapCheck(
        low,
        high,
        unit,
        quantiles(real_gap),
        quantiles(synthetic_gap),
        ks_distance(real_gap, synthetic_gap),
        tuple(float(e) for e in edges),
        shares(real_gap),
        shares(synthetic_gap),
    )


@dataclass(frozen=True)
class RuleCheck:
    """One rule of the real rows and how the synthetic rows keep it."""

    rule: str  # in plain words
    kind: str
    columns: tuple[str, ...]
    evidence: str  # in the real rows
    real_share: float  # share of real rows that break it (0 for a rule that always holds)
    synthetic_share: float  # share of synthetic rows that break it
    violations: int  # synthetic rows that break it
    examples: pd.DataFrame  # up to EXAMPLES breaking synthetic rows, the rule's columns
    gap: GapCheck | None = None  # for an order or a gap: the difference, real and synthetic

    @property
    def exact(self) -> bool:
        return self.real_share == 0

    def to_dict(self) -> dict[str, Any]:
        examples = self.examples.astype(object).where(self.examples.notna(), None)
        return {
            "rule": self.rule,
            "kind": self.kind,
            "columns": list(self.columns),
            "evidence": self.evidence,
            "real_share": self.real_share,
            "synthetic_share": self.synthetic_share,
            "kept_share": 1.0 - self.synthetic_share,
            "violations": self.violations,
            "gap": self.gap.to_dict() if self.gap is not None else None,
            "examples": [
                {k: plain(str(v) if isinstance(v, pd.Timestamp) else v) for k, v in row.items()}
                for row in examples.to_dict("records")
            ],
        }


@dataclass(frozen=True)
class RulesReport:
    checks: tuple[RuleCheck, ...]  # worst first
    searched: str  # how far discovery searched, in words
    rows_real: int

    @property
    def broken(self) -> tuple[RuleCheck, ...]:
        return tuple(c for c in self.checks if c.violations)

    def to_dict(self) -> dict[str, Any]:
        return {
            "rules": [c.to_dict() for c in self.checks],
            "searched": self.searched,
            "rows_real": self.rows_real,
        }


def check(found: Found, real: pd.DataFrame, synthetic: pd.DataFrame) -> RuleCheck:
    """How ``synthetic`` keeps one rule found in ``real``."""
    columns = list(found.columns)
    ok = rules.holds(found.constraint, synthetic, real)
    broken = int((~ok).sum())
    constraint = found.constraint
    gap = None
    if isinstance(constraint, (GreaterThan, FixedGap)):
        gap = gap_check(constraint.low, constraint.high, real, synthetic)
    return RuleCheck(
        rule=found.text,
        kind=found.kind,
        columns=found.columns,
        evidence=found.evidence(),
        real_share=found.exceptions / found.rows if found.rows else 0.0,
        synthetic_share=broken / len(synthetic) if len(synthetic) else 0.0,
        violations=broken,
        examples=synthetic.loc[~ok, columns].head(EXAMPLES).reset_index(drop=True),
        gap=gap,
    )


def _together(
    real: pd.DataFrame, synthetic: pd.DataFrame, schema: Schema, checks: list[RuleCheck]
) -> list[RuleCheck]:
    """Dates that move together without an order (a screening within a day of the jail
    entry, either side): no row breaks anything, but the gap between them is compared like an
    order's (``generate.derived.concentrated``, as generation learns them)."""
    ordered = {frozenset(c.columns) for c in checks if c.gap is not None}
    dates = [
        c.name for c in schema if c.kind is ColumnKind.DATETIME and c.name in synthetic.columns
    ]
    found = []
    for start, end, _ in concentrated(real, dates, set()):
        if frozenset((start, end)) in ordered:
            continue
        gap = gap_check(start, end, real, synthetic)
        if gap is None:
            continue
        found.append(
            RuleCheck(
                rule=f"{end} moves with {start}",
                kind="together",
                columns=(start, end),
                evidence=(
                    f"the real time from {start} to {end} lies within {gap.real[0]:,.3g} to "
                    f"{gap.real[2]:,.3g} {gap.unit} in 90% of the rows, small beside how far "
                    f"{start} spreads"
                ),
                real_share=0.0,
                synthetic_share=0.0,
                violations=0,
                examples=synthetic.loc[[], [start, end]].reset_index(drop=True),
                gap=gap,
            )
        )
    return found


def _badness(check: RuleCheck) -> float:
    """How badly the synthetic rows keep a rule: the share that breaks it, or for an order
    how far the gap's distribution is off (a trip of 2.5 hours keeps "dropoff after pickup")."""
    return max(check.synthetic_share, check.gap.ks if check.gap is not None else 0.0)


def check_rules(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    schema: Schema,
    discovery: Discovery | None = None,
) -> RulesReport:
    """Every rule found in ``real`` (the rows a generator learnt from) checked on ``synthetic``;
    rules on columns the synthetic table lacks are left out."""
    columns = Schema(tuple(c for c in schema if c.name in real.columns))
    discovery = discovery or discover(real, columns)
    checks = [
        check(found, real, synthetic)
        for found in discovery.rules
        if all(name in synthetic.columns for name in found.columns)
    ]
    checks.extend(_together(real, synthetic, columns, checks))
    checks.sort(key=lambda c: (-_badness(c), c.real_share, c.rule))
    return RulesReport(tuple(checks), discovery.searched, discovery.rows)
