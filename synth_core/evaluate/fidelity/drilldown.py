"""Binned summaries of one pair of columns, real beside synthetic, for drill-down plots.

Two numeric (or date) columns: a 2-D histogram on shared bins (the density of rows). Otherwise:
a contingency table of shares (numeric columns cut into 10 bins on the real data's range, the
top 20 categories kept and the rest grouped as "(other)", missing values as "(missing)").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from synth_core.data.convert import as_float, bin_edges
from synth_core.data.schema import ColumnKind, Schema
from synth_core.errors import SchemaError
from synth_core.evaluate.fidelity.distributions import MISSING, OTHER

DENSITY_BINS = 30
PAIR_CATEGORIES = 20
PAIR_NUMBER_BINS = 10


@dataclass(frozen=True)
class Density2D:
    """Shares of rows per cell of a grid shared by both tables."""

    first: str
    second: str
    x_edges: np.ndarray
    y_edges: np.ndarray
    x_is_datetime: bool
    y_is_datetime: bool
    real_share: np.ndarray  # [y, x]
    synthetic_share: np.ndarray


@dataclass(frozen=True)
class Contingency:
    """Shares of rows per combination of two columns' categories (or bins)."""

    first: str
    second: str
    first_labels: tuple[str, ...]
    second_labels: tuple[str, ...]
    real_share: np.ndarray  # [second, first]
    synthetic_share: np.ndarray


PairSummary = Density2D | Contingency


def _is_continuous(kind: ColumnKind) -> bool:
    return kind in (ColumnKind.NUMERICAL, ColumnKind.DATETIME)


def pair_drilldown(
    real: pd.DataFrame, synthetic: pd.DataFrame, schema: Schema, first: str, second: str
) -> PairSummary:
    """The summary a plot of the pair (first, second) needs."""
    for name in (first, second):
        if name not in real.columns or name not in synthetic.columns or name not in schema:
            raise SchemaError(f"Both tables need the column '{name}' to plot it.")
    a, b = schema[first], schema[second]
    if _is_continuous(a.kind) and _is_continuous(b.kind):
        return _density(real, synthetic, first, second, a.kind, b.kind)
    return _contingency(real, synthetic, first, second, a.kind, b.kind)


def _density(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    first: str,
    second: str,
    first_kind: ColumnKind,
    second_kind: ColumnKind,
) -> Density2D:
    rx, ry = as_float(real[first]), as_float(real[second])
    sx, sy = as_float(synthetic[first]), as_float(synthetic[second])
    x_edges = _grid(rx, sx)
    y_edges = _grid(ry, sy)

    def shares(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        both = ~(np.isnan(x) | np.isnan(y))
        counts, _, _ = np.histogram2d(y[both], x[both], bins=[y_edges, x_edges])
        share: np.ndarray = counts / max(int(both.sum()), 1)
        return share

    return Density2D(
        first,
        second,
        x_edges,
        y_edges,
        first_kind is ColumnKind.DATETIME,
        second_kind is ColumnKind.DATETIME,
        shares(rx, ry),
        shares(sx, sy),
    )


def _grid(real: np.ndarray, synthetic: np.ndarray) -> np.ndarray:
    r, s = real[~np.isnan(real)], synthetic[~np.isnan(synthetic)]
    both = np.concatenate([r, s])
    if both.size == 0:
        return np.array([0.0, 1.0])
    low, high = float(both.min()), float(both.max())
    if low == high:
        return np.array([low - 0.5, high + 0.5])
    return np.linspace(low, high, DENSITY_BINS + 1)


def _labels(
    real: pd.Series, synthetic: pd.Series, kind: ColumnKind
) -> tuple[pd.Series, pd.Series, tuple[str, ...]]:
    """Both columns as labels: bins for numbers and dates, top categories for the rest."""
    if _is_continuous(kind):
        return _binned_labels(as_float(real), as_float(synthetic), kind)
    real_text = real.astype(object).where(real.notna(), MISSING).astype(str)
    synth_text = synthetic.astype(object).where(synthetic.notna(), MISSING).astype(str)
    top = [v for v in real_text.value_counts().index if v != MISSING][:PAIR_CATEGORIES]
    known = {*top, MISSING}
    real_text = real_text.where(real_text.isin(known), OTHER)
    synth_text = synth_text.where(synth_text.isin(known), OTHER)
    return real_text, synth_text, (*top, OTHER, MISSING)


def _binned_labels(
    real: np.ndarray, synthetic: np.ndarray, kind: ColumnKind
) -> tuple[pd.Series, pd.Series, tuple[str, ...]]:
    present = real[~np.isnan(real)]
    if present.size == 0:
        present = synthetic[~np.isnan(synthetic)]
    edges = bin_edges(present, PAIR_NUMBER_BINS) if present.size else np.zeros(2)
    if kind is ColumnKind.DATETIME:
        text = [str(pd.Timestamp(int(e)).date()) for e in edges]
    else:
        text = [f"{e:.4g}" for e in edges]
    names = [f"{text[i]} to {text[i + 1]}" for i in range(len(edges) - 1)]

    def cut(values: np.ndarray) -> pd.Series:
        index = np.clip(np.searchsorted(edges[1:-1], values, side="right"), 0, len(names) - 1)
        labels = np.asarray(names, dtype=object)[index]
        labels[np.isnan(values)] = MISSING
        return pd.Series(labels, dtype=object)

    return cut(real), cut(synthetic), (*names, MISSING)


def _contingency(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    first: str,
    second: str,
    first_kind: ColumnKind,
    second_kind: ColumnKind,
) -> Contingency:
    ra, sa, first_labels = _labels(real[first], synthetic[first], first_kind)
    rb, sb, second_labels = _labels(real[second], synthetic[second], second_kind)

    def shares(a: pd.Series, b: pd.Series) -> np.ndarray:
        table = pd.crosstab(b, a).reindex(
            index=list(second_labels), columns=list(first_labels), fill_value=0
        )
        return table.to_numpy(dtype=np.float64) / max(len(a), 1)

    real_share, synth_share = shares(ra, rb), shares(sa, sb)
    used_first = (real_share.sum(axis=0) + synth_share.sum(axis=0)) > 0
    used_second = (real_share.sum(axis=1) + synth_share.sum(axis=1)) > 0
    return Contingency(
        first,
        second,
        tuple(label for label, used in zip(first_labels, used_first, strict=True) if used),
        tuple(label for label, used in zip(second_labels, used_second, strict=True) if used),
        real_share[used_second][:, used_first],
        synth_share[used_second][:, used_first],
    )
