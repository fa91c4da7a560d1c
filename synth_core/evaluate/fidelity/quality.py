"""Column Shapes, Column Pair Trends and the overall quality score, as SDMetrics defines them.

Definitions follow SDMetrics 0.32's single-table QualityReport:
- Column Shapes: mean over columns of KSComplement (numbers, datetimes: 1 - the two-sample
  Kolmogorov-Smirnov distance) and TVComplement (categories, booleans: 1 - total variation
  distance of the category shares). Missing values are left out.
- Column Pair Trends: mean over column pairs of CorrelationSimilarity (two continuous columns:
  1 - |Pearson real - Pearson synthetic| / 2) and ContingencySimilarity (otherwise: 1 - total
  variation distance of the two-way tables, missing values as their own cell, continuous columns
  cut into 10 bins). Only pairs related in the real data count: |Pearson| > 0.5, Cramér's V > 0.3.
- Overall: mean of the two (Column Shapes alone when no pair counts).
Deviations (documented in the README): continuous columns are binned on the real data's edges
for both tables (SDMetrics' report bins each table on its own range); SDMetrics subsamples 50,000
rows for contingency pairs of larger tables, we use every row.
"""

from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from synth_core.data.marginals import ks_distance, total_variation
from synth_core.evaluate.fidelity.prepare import PreparedColumn

_THREADS = 2
_DENSE_CELLS = 1_000_000  # larger two-way tables are counted sparsely
CORRELATION_THRESHOLD = 0.5
ASSOCIATION_THRESHOLD = 0.3


@dataclass(frozen=True)
class ShapeScore:
    column: str
    metric: str  # "KSComplement" or "TVComplement"
    score: float | None  # None when a side has no values
    distance: float | None  # KS distance or total variation distance


@dataclass(frozen=True)
class PairScore:
    first: str
    second: str
    metric: str  # "CorrelationSimilarity" or "ContingencySimilarity"
    score: float | None  # computed for every pair that allows it, counted or not
    counted: bool  # the pair meets the real-data threshold and takes part in the average
    real_correlation: float | None = None
    synthetic_correlation: float | None = None
    real_association: float | None = None
    synthetic_association: float | None = None  # for display; SDMetrics does not compute it
    reason: str = ""  # why the pair has no score, in words


@dataclass(frozen=True)
class Quality:
    overall: float
    column_shapes: float | None
    pair_trends: float | None  # None when no pair meets the thresholds
    shapes: tuple[ShapeScore, ...]
    pairs: tuple[PairScore, ...]


def column_shape(column: PreparedColumn) -> ShapeScore:
    if column.continuous:
        real, synthetic = column.real.ks_sorted, column.synthetic.ks_sorted
        if real.size == 0 or synthetic.size == 0:
            return ShapeScore(column.name, "KSComplement", None, None)
        distance = ks_distance(real, synthetic)
        return ShapeScore(column.name, "KSComplement", 1.0 - distance, distance)
    real_codes, synth_codes = column.real.values, column.synthetic.values
    if not (real_codes >= 0).any() or not (synth_codes >= 0).any():
        return ShapeScore(column.name, "TVComplement", None, None)
    distance = total_variation(real_codes, synth_codes, len(column.categories))
    return ShapeScore(column.name, "TVComplement", 1.0 - distance, distance)


def _pearson(x: np.ndarray, y: np.ndarray) -> float | None:
    both = ~(np.isnan(x) | np.isnan(y))
    if both.sum() < 2:
        return None
    a, b = x[both] - x[both].mean(), y[both] - y[both].mean()
    denominator = math.sqrt(float((a * a).sum()) * float((b * b).sum()))
    return float((a * b).sum() / denominator) if denominator > 0 else None


class _Correlations:
    """Pearson correlations of a table's continuous columns: one matrix product for the
    columns without missing values, pair by pair (complete rows) for the others."""

    def __init__(self, columns: list[np.ndarray]) -> None:
        self._columns = columns
        complete = [i for i, c in enumerate(columns) if c.size > 1 and not np.isnan(c).any()]
        self._position = {column: k for k, column in enumerate(complete)}
        self._matrix = np.empty((0, 0))
        if complete:
            stacked = np.stack([columns[i] for i in complete])
            centred = stacked - stacked.mean(axis=1, keepdims=True)
            norms = np.sqrt(np.einsum("ij,ij->i", centred, centred))
            with np.errstate(divide="ignore", invalid="ignore"):
                self._matrix = (centred @ centred.T) / np.outer(norms, norms)

    def get(self, i: int, j: int) -> float | None:
        if i in self._position and j in self._position:
            value = float(self._matrix[self._position[i], self._position[j]])
            return value if math.isfinite(value) else None
        return _pearson(self._columns[i], self._columns[j])


def correlation_pair(
    first: PreparedColumn,
    second: PreparedColumn,
    real_correlation: float | None,
    synthetic_correlation: float | None,
) -> PairScore:
    name = "CorrelationSimilarity"
    if first.constant or second.constant:
        return PairScore(first.name, second.name, name, None, False, reason="a column is constant")
    real, synthetic = real_correlation, synthetic_correlation
    if real is None:
        return PairScore(
            first.name, second.name, name, None, False, reason="too few rows with both values"
        )
    score = None if synthetic is None else 1.0 - abs(real - synthetic) / 2.0
    return PairScore(
        first.name,
        second.name,
        name,
        score,
        abs(real) > CORRELATION_THRESHOLD,
        real_correlation=real,
        synthetic_correlation=synthetic,
    )


def cramers_v(table: np.ndarray) -> float:
    """Cramér's V of a two-way table of counts without empty rows or columns; equal to
    scipy.stats.contingency.association(table, method="cramer") (which costs ~0.5 ms a call)."""
    counts = table.astype(np.float64)
    total = counts.sum()
    expected = np.outer(counts.sum(axis=1), counts.sum(axis=0)) / total
    chi2 = float(((counts - expected) ** 2 / expected).sum())
    return math.sqrt(chi2 / total / (min(counts.shape) - 1))


def _joint_counts(a: np.ndarray, b: np.ndarray, n_a: int, n_b: int) -> np.ndarray:
    return np.bincount(a * n_b + b, minlength=n_a * n_b).reshape(n_a, n_b)


def contingency_pair(first: PreparedColumn, second: PreparedColumn) -> PairScore:
    n_a, n_b = first.real.n_bins, second.real.n_bins
    if n_a * n_b > _DENSE_CELLS:
        return _sparse_contingency_pair(first, second)
    real = _joint_counts(first.real.bins, second.real.bins, n_a, n_b)
    synthetic = _joint_counts(first.synthetic.bins, second.synthetic.bins, n_a, n_b)
    difference = np.abs(real / first.real.bins.size - synthetic / first.synthetic.bins.size)
    score = 1.0 - 0.5 * float(difference.sum())
    table = real[real.sum(axis=1) > 0][:, real.sum(axis=0) > 0]
    if min(table.shape) < 2:
        return _one_real_value(first.name, second.name, score)
    real_association = cramers_v(table)
    synth_table = synthetic[synthetic.sum(axis=1) > 0][:, synthetic.sum(axis=0) > 0]
    synthetic_association = cramers_v(synth_table) if min(synth_table.shape) >= 2 else None
    return PairScore(
        first.name,
        second.name,
        "ContingencySimilarity",
        score,
        real_association > ASSOCIATION_THRESHOLD,
        real_association=real_association,
        synthetic_association=synthetic_association,
    )


def _sparse_contingency_pair(first: PreparedColumn, second: PreparedColumn) -> PairScore:
    """The same scores for columns with thousands of categories, from observed cells only.

    Cramér's V uses chi2 = n * sum(O^2 / (row * column)) - n over the observed cells, which
    equals the usual sum over every cell of (O - E)^2 / E.
    """
    n_b = second.real.n_bins

    def cells(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return np.unique(a.astype(np.int64) * n_b + b, return_counts=True)

    real_cells, real_counts = cells(first.real.bins, second.real.bins)
    synth_cells, synth_counts = cells(first.synthetic.bins, second.synthetic.bins)
    everything = np.union1d(real_cells, synth_cells)
    real_share = np.zeros(everything.size)
    synth_share = np.zeros(everything.size)
    real_share[np.searchsorted(everything, real_cells)] = real_counts / first.real.bins.size
    synth_share[np.searchsorted(everything, synth_cells)] = synth_counts / first.synthetic.bins.size
    score = 1.0 - 0.5 * float(np.abs(real_share - synth_share).sum())
    rows, columns = real_cells // n_b, real_cells % n_b
    row_totals = np.bincount(rows, weights=real_counts)
    column_totals = np.bincount(columns, weights=real_counts)
    used_rows, used_columns = np.count_nonzero(row_totals), np.count_nonzero(column_totals)
    if min(used_rows, used_columns) < 2:
        return _one_real_value(first.name, second.name, score)
    total = float(real_counts.sum())
    ratio = real_counts**2 / (row_totals[rows] * column_totals[columns])
    chi2 = total * float(ratio.sum()) - total
    real_association = math.sqrt(max(chi2, 0.0) / total / (min(used_rows, used_columns) - 1))
    return PairScore(
        first.name,
        second.name,
        "ContingencySimilarity",
        score,
        real_association > ASSOCIATION_THRESHOLD,
        real_association=real_association,
    )


def _mean(values: list[float]) -> float | None:
    return float(np.mean(values)) if values else None


def quality(columns: list[PreparedColumn], across: frozenset[str] | None = None) -> Quality:
    """Column Shapes, Column Pair Trends and their mean over prepared columns; with ``across``,
    only the pairs of a column in ``across`` with one outside it (SDMetrics' Intertable Trends
    on a parent joined with its children: parent column × child column)."""
    # searchsorted releases the GIL: the KS distances use both cores.
    with ThreadPoolExecutor(max_workers=_THREADS) as pool:
        shapes = list(pool.map(column_shape, columns))
    continuous = [i for i, c in enumerate(columns) if c.continuous]
    real_r = _Correlations([columns[i].real.values for i in continuous])
    synth_r = _Correlations([columns[i].synthetic.values for i in continuous])
    slot = {column: k for k, column in enumerate(continuous)}
    pairs: list[PairScore] = []
    for i in range(len(columns)):
        for j in range(i + 1, len(columns)):
            first, second = columns[i], columns[j]
            if across is not None and ((first.name in across) == (second.name in across)):
                continue
            if first.continuous and second.continuous:
                a, b = slot[i], slot[j]
                pairs.append(correlation_pair(first, second, real_r.get(a, b), synth_r.get(a, b)))
            else:
                pairs.append(contingency_pair(first, second))
    column_shapes = _mean([s.score for s in shapes if s.score is not None])
    pair_trends = _mean([p.score for p in pairs if p.counted and p.score is not None])
    parts = [score for score in (column_shapes, pair_trends) if score is not None]
    overall = float(np.mean(parts)) if parts else float("nan")
    return Quality(overall, column_shapes, pair_trends, tuple(shapes), tuple(pairs))


def _one_real_value(first: str, second: str, score: float) -> PairScore:
    """A contingency score that does not count: a column has one value in the real data."""
    return PairScore(
        first,
        second,
        "ContingencySimilarity",
        score,
        False,
        reason="a column has one value in the real data",
    )
