"""Association matrices over mixed columns: Pearson, Cramér's V and the correlation ratio."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from synth_core.data.convert import as_float
from synth_core.data.schema import ColumnKind, Schema

MAX_LEVELS = 50


@dataclass(frozen=True)
class AssociationPair:
    """One pair of columns whose association differs between real and synthetic."""

    first: str
    second: str
    measure: str
    real: float
    synthetic: float

    @property
    def difference(self) -> float:
        return self.synthetic - self.real


def _codes(values: pd.Series) -> np.ndarray:
    """Category codes (-1 = missing); rare categories beyond the top 50 share one code."""
    keep = values.value_counts().index[:MAX_LEVELS]
    codes = pd.Categorical(values, categories=keep).codes.astype(np.int64)
    codes[(codes == -1) & values.notna().to_numpy()] = len(keep)
    return codes


def pearson(x: np.ndarray, y: np.ndarray) -> float:
    """Pearson correlation over rows where both are present; 0 when either is constant."""
    both = ~(np.isnan(x) | np.isnan(y))
    if both.sum() < 2:
        return float("nan")
    a, b = x[both] - x[both].mean(), y[both] - y[both].mean()
    denominator = np.sqrt((a * a).sum() * (b * b).sum())
    return float((a * b).sum() / denominator) if denominator > 0 else 0.0


def cramers_v(x: np.ndarray, y: np.ndarray) -> float:
    """Cramér's V (without bias correction, as scipy's ``association``) of two code arrays."""
    from scipy.stats.contingency import association, crosstab

    both = (x >= 0) & (y >= 0)
    if both.sum() < 2:
        return float("nan")
    table = crosstab(x[both], y[both]).count
    table = table[table.sum(axis=1) > 0][:, table.sum(axis=0) > 0]
    if min(table.shape) < 2:
        return 0.0
    return float(association(table, method="cramer"))


def correlation_ratio(codes: np.ndarray, values: np.ndarray) -> float:
    """Correlation ratio eta: share of the numeric spread explained by the categories (0..1)."""
    both = (codes >= 0) & ~np.isnan(values)
    if both.sum() < 2:
        return float("nan")
    groups, y = codes[both], values[both]
    total = ((y - y.mean()) ** 2).sum()
    if total == 0:
        return 0.0
    counts = np.bincount(groups)
    sums = np.bincount(groups, weights=y)
    present = counts > 0
    means = sums[present] / counts[present]
    between = (counts[present] * (means - y.mean()) ** 2).sum()
    return float(np.sqrt(between / total))


def _is_numeric(kind: ColumnKind) -> bool:
    return kind in (ColumnKind.NUMERICAL, ColumnKind.DATETIME)


def association_matrix(df: pd.DataFrame, schema: Schema, columns: list[str]) -> pd.DataFrame:
    """Square matrix: Pearson (-1..1) for numeric pairs, Cramér's V for categorical pairs and
    the correlation ratio for mixed pairs (both 0..1). Datetimes count as numeric."""
    encoded: dict[str, np.ndarray] = {}
    for name in columns:
        kind = schema[name].kind
        encoded[name] = as_float(df[name]) if _is_numeric(kind) else _codes(df[name])
    matrix = np.eye(len(columns))
    for i, first in enumerate(columns):
        for j in range(i + 1, len(columns)):
            second = columns[j]
            value = _pair(schema[first].kind, encoded[first], schema[second].kind, encoded[second])
            matrix[i, j] = matrix[j, i] = value
    return pd.DataFrame(matrix, index=columns, columns=columns)


def _pair(kind_a: ColumnKind, a: np.ndarray, kind_b: ColumnKind, b: np.ndarray) -> float:
    if _is_numeric(kind_a) and _is_numeric(kind_b):
        return pearson(a, b)
    if not _is_numeric(kind_a) and not _is_numeric(kind_b):
        return cramers_v(a, b)
    if _is_numeric(kind_a):
        return correlation_ratio(b, a)
    return correlation_ratio(a, b)


def measure_name(schema: Schema, first: str, second: str) -> str:
    a, b = _is_numeric(schema[first].kind), _is_numeric(schema[second].kind)
    if a and b:
        return "Pearson"
    return "correlation ratio" if a or b else "Cramér's V"


def largest_differences(
    real: pd.DataFrame, synthetic: pd.DataFrame, schema: Schema, top: int = 5
) -> list[AssociationPair]:
    """The pairs whose association changed most, largest absolute difference first."""
    pairs: list[AssociationPair] = []
    names = [str(c) for c in real.columns]
    real_values = real.to_numpy(dtype=np.float64)
    synthetic_values = synthetic.to_numpy(dtype=np.float64)
    for i, first in enumerate(names):
        for j in range(i + 1, len(names)):
            second = names[j]
            r, s = float(real_values[i, j]), float(synthetic_values[i, j])
            if np.isfinite(r) and np.isfinite(s):
                pairs.append(
                    AssociationPair(first, second, measure_name(schema, first, second), r, s)
                )
    pairs.sort(key=lambda p: abs(p.difference), reverse=True)
    return pairs[:top]
