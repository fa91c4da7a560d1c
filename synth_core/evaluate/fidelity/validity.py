"""Validity diagnostics: is every synthetic value one the real data allows?

Each check is SDMetrics' metric of the same name (tests compare them), with counts in words:
- BoundaryAdherence (numbers, dates): share of synthetic values inside the real [min, max];
  missing values count as valid when the real column has missing values.
- CategoryAdherence (categories, booleans): share of synthetic values that are real categories.
- KeyUniqueness (ID columns): share of synthetic keys that are neither duplicated nor missing.
- MissingValueSimilarity (all): 1 - |missing share real - missing share synthetic|.
- RangeCoverage / CategoryCoverage: how much of the real range / categories the synthetic covers.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from synth_core.data.schema import ColumnKind, Schema


@dataclass(frozen=True)
class ColumnValidity:
    column: str
    kind: str
    adherence_metric: str | None  # BoundaryAdherence, CategoryAdherence or KeyUniqueness
    adherence: float | None
    coverage_metric: str | None  # RangeCoverage or CategoryCoverage
    coverage: float | None
    missing_real: float
    missing_synthetic: float
    missing_similarity: float
    problems: tuple[str, ...]  # in words; empty when the column is valid


def _share(count: int, total: int) -> str:
    return f"{count:,} of {total:,} ({count / total:.1%})" if total else "0"


def _boundary(
    real: pd.Series, synthetic: pd.Series
) -> tuple[float | None, float | None, list[str]]:
    present = real.dropna()
    if present.empty or len(synthetic) == 0:
        return None, None, []
    low, high = present.min(), present.max()
    nullable = bool(real.isna().any())
    checked = synthetic.dropna() if nullable else synthetic
    if len(checked) == 0:
        return None, None, []
    inside = checked.between(low, high)
    adherence = float(inside.sum() / len(checked))
    problems = []
    outside = int((~inside & checked.notna()).sum())
    if outside:
        problems.append(
            f"{_share(outside, len(checked))} synthetic values lie outside the real range "
            f"{low} to {high}"
        )
    missing = int(checked.isna().sum())
    if missing:
        problems.append(
            f"{_share(missing, len(checked))} synthetic values are missing, but the real column "
            "has none"
        )
    coverage = None
    synth_present = synthetic.dropna()
    if low != high and len(synth_present):
        as_number = (
            (lambda v: v.value) if pd.api.types.is_datetime64_any_dtype(real.dtype) else float
        )
        lo, hi = as_number(low), as_number(high)
        s_lo, s_hi = as_number(synth_present.min()), as_number(synth_present.max())
        span = hi - lo
        coverage = max(1 - (max((s_lo - lo) / span, 0) + max((hi - s_hi) / span, 0)), 0.0)
    return adherence, coverage, problems


SPIKE_SHARE = 0.01  # a value in this share of the synthetic rows (and SPIKE_ROWS) ...
SPIKE_ROWS = 20
SPIKE_TIMES = 5.0  # ... that many times as often as in the real rows: a spike


def _spikes(real: pd.Series, synthetic: pd.Series) -> list[str]:
    """Single numbers or dates far more frequent in the synthetic rows than in the real ones:
    values pushed onto a bound (114 trips starting at exactly the first real pickup time, a
    2.8% share of zero-minute trips where the real rows have 0.09%) pile up there."""
    present = synthetic.dropna()
    if len(present) == 0:
        return []
    counts = present.value_counts()
    counts = counts[counts >= max(SPIKE_ROWS, SPIKE_SHARE * len(present))]
    if counts.empty:
        return []
    real_present = real.dropna()
    real_share = real_present.value_counts(normalize=True)
    problems = []
    for value, rows in counts.head(3).items():
        share = rows / len(present)
        before = float(real_share.get(value, 0.0))
        floor = 1.0 / max(len(real_present), 1)  # a value no real row has: at most one row
        if share >= SPIKE_TIMES * max(before, floor):
            problems.append(
                f"{rows:,} synthetic rows ({share:.1%}) hold exactly {value}; "
                f"{before:.2%} of the real rows do: values piled up on one value"
            )
    return problems


def _categories(
    real: pd.Series, synthetic: pd.Series
) -> tuple[float | None, float | None, list[str]]:
    if len(synthetic) == 0:
        return None, None, []
    known = pd.Series(real.dropna().unique())
    nullable = bool(real.isna().any())
    valid = synthetic.isin(known)
    if nullable:
        valid = valid | synthetic.isna()
    adherence = float(valid.mean())
    problems = []
    unseen = synthetic[~valid & synthetic.notna()]
    if len(unseen):
        examples = ", ".join(repr(str(v)) for v in unseen.unique()[:3])
        problems.append(
            f"{_share(len(unseen), len(synthetic))} synthetic values are categories the real data "
            f"does not have ({unseen.nunique():,} different, e.g. {examples})"
        )
    if not nullable and synthetic.isna().any():
        problems.append(
            f"{_share(int(synthetic.isna().sum()), len(synthetic))} synthetic values are missing, "
            "but the real column has none"
        )
    real_values = set(real.dropna().value_counts().index)
    coverage = None
    if real_values:
        covered = real_values & set(synthetic.dropna().value_counts().index)
        coverage = len(covered) / len(real_values)
        lost = len(real_values) - len(covered)
        if lost:
            problems.append(
                f"{lost:,} of {len(real_values):,} real categories never appear in the synthetic "
                "data"
            )
    return adherence, coverage, problems


def _keys(synthetic: pd.Series) -> tuple[float | None, list[str]]:
    """KeyUniqueness (SDMetrics': keys neither duplicated nor missing), and as a problem the
    keys that repeat another synthetic key; missing keys are compared with the real column's
    like any column's (a case number filled in half the real rows is half empty in the
    synthetic rows too: that is faithful, not a broken key)."""
    if len(synthetic) == 0:
        return None, []
    frame = synthetic.to_frame()
    bad = frame.duplicated() | frame.isna().all(axis=1)
    repeated = synthetic.duplicated() & synthetic.notna()
    problems = []
    if repeated.any():
        problems.append(
            f"{_share(int(repeated.sum()), len(synthetic))} synthetic keys repeat another "
            "synthetic key"
        )
    return float(1 - bad.sum() / len(synthetic)), problems


def column_validity(
    real: pd.DataFrame, synthetic: pd.DataFrame, schema: Schema
) -> list[ColumnValidity]:
    """Validity of every column both tables have."""
    results = []
    for column in schema:
        if column.name not in real.columns or column.name not in synthetic.columns:
            continue
        r, s = real[column.name], synthetic[column.name]
        adherence_metric = coverage_metric = None
        adherence = coverage = None
        problems: list[str] = []
        if column.kind in (ColumnKind.NUMERICAL, ColumnKind.DATETIME):
            adherence_metric, coverage_metric = "BoundaryAdherence", "RangeCoverage"
            adherence, coverage, problems = _boundary(r, s)
            problems += _spikes(r, s)
        elif column.kind in (ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN):
            adherence_metric, coverage_metric = "CategoryAdherence", "CategoryCoverage"
            adherence, coverage, problems = _categories(r, s)
        elif column.kind is ColumnKind.ID:
            adherence_metric = "KeyUniqueness"
            adherence, problems = _keys(s)
        missing_real = float(r.isna().mean()) if len(r) else 0.0
        missing_synth = float(s.isna().mean()) if len(s) else 0.0
        if abs(missing_real - missing_synth) >= 0.05:
            problems.append(
                f"missing values: {missing_real:.1%} in the real data, {missing_synth:.1%} in the "
                "synthetic"
            )
        results.append(
            ColumnValidity(
                column.name,
                column.kind.value,
                adherence_metric,
                adherence,
                coverage_metric,
                coverage,
                missing_real,
                missing_synth,
                1 - abs(missing_real - missing_synth),
                tuple(problems),
            )
        )
    return results
