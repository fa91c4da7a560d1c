"""Binned summaries of one column, real and synthetic on shared bins, for plots that stay small."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from synth_core.data.convert import as_float, bin_edges, render_text
from synth_core.data.schema import ColumnKind, ColumnSchema

MAX_BINS = 50
MIN_BINS = 10
# Positive columns whose 99th percentile is this many times their median get log-spaced bins:
# on linear bins a money column like acquisition_cost put nearly every row in the first bin.
LOG_SPREAD = 50.0
MAX_CATEGORIES = 30
OTHER = "(other)"
MISSING = "(missing)"


@dataclass(frozen=True)
class Histogram:
    """Shares of real and synthetic values per bin; both use the same edges."""

    column: str
    edges: np.ndarray  # float; for datetimes, nanoseconds since the epoch
    real_share: np.ndarray
    synthetic_share: np.ndarray
    is_datetime: bool
    is_integer: bool
    real_missing: float
    synthetic_missing: float
    log_scale: bool = False  # edges are log-spaced over the positive values
    real_zero: float = 0.0  # with log_scale: share of zeros, not in any bin
    synthetic_zero: float = 0.0


@dataclass(frozen=True)
class Frequencies:
    """Shares of real and synthetic values per category (top categories, then other, missing)."""

    column: str
    categories: tuple[str, ...]
    real_share: np.ndarray
    synthetic_share: np.ndarray


Distribution = Histogram | Frequencies


def distribution(column: ColumnSchema, real: pd.Series, synthetic: pd.Series) -> Distribution:
    """The summary a plot of ``column`` needs."""
    if column.kind in (ColumnKind.NUMERICAL, ColumnKind.DATETIME):
        return histogram(column, real, synthetic)
    if column.kind is ColumnKind.BOOLEAN:  # show true/false as the file spells them
        real, synthetic = render_text(real, column), render_text(synthetic, column)
    return frequencies(column.name, real, synthetic)


def _present_numbers(values: pd.Series) -> np.ndarray:
    numbers = as_float(values)
    present: np.ndarray = numbers[~np.isnan(numbers)]
    return present


def shared_edges(real: np.ndarray, synthetic: np.ndarray, integer: bool) -> np.ndarray:
    """Bin edges for both tables: the real data decides the width (Freedman-Diaconis, 10-50
    bins); the range covers both so no synthetic value falls outside."""
    both = np.concatenate([real, synthetic])
    if both.size == 0:
        return np.array([0.0, 1.0])
    low, high = float(both.min()), float(both.max())
    if low == high:
        return bin_edges(both, 1)
    if integer and high - low <= MAX_BINS:
        return np.arange(np.floor(low) - 0.5, np.ceil(high) + 1.0, 1.0)
    reference = real if real.size > 1 else both
    q25, q75 = np.quantile(reference, [0.25, 0.75])
    # Freedman-Diaconis width, computed here rather than by numpy so a tiny spread cannot ask
    # for millions of bins.
    width = 2.0 * (q75 - q25) / reference.size ** (1 / 3)
    count = MAX_BINS if width <= 0 else int(np.ceil((high - low) / width))
    count = int(np.clip(count, MIN_BINS, MAX_BINS))
    return np.linspace(low, high, count + 1)


def use_log_bins(real: np.ndarray, synthetic: np.ndarray) -> bool:
    """Skewed non-negative values (money, counts of things) read better on log-spaced bins."""
    if real.size < 2 or min(real.min(initial=np.inf), synthetic.min(initial=np.inf)) < 0:
        return False
    positive = real[real > 0]
    if positive.size < max(2, real.size / 2):
        return False
    median, high = np.quantile(positive, [0.5, 0.99])
    return bool(high / median >= LOG_SPREAD)


def log_edges(real: np.ndarray, synthetic: np.ndarray) -> np.ndarray:
    """Geometrically spaced edges over the positive values of both tables."""
    both = np.concatenate([real, synthetic])
    positive = both[both > 0]
    low, high = float(positive.min()), float(positive.max())
    if low == high:
        return np.array([low / 2, high * 2])
    return np.geomspace(low, high, MAX_BINS // 2 + 1)


def histogram(column: ColumnSchema, real: pd.Series, synthetic: pd.Series) -> Histogram:
    real_values, synth_values = _present_numbers(real), _present_numbers(synthetic)
    is_datetime = pd.api.types.is_datetime64_any_dtype(real.dtype)
    integer = column.integer and not is_datetime
    log_scale = not is_datetime and use_log_bins(real_values, synth_values)
    edges = (
        log_edges(real_values, synth_values)
        if log_scale
        else shared_edges(real_values, synth_values, integer)
    )
    return Histogram(
        column=column.name,
        edges=edges,
        real_share=_shares(real_values, edges),
        synthetic_share=_shares(synth_values, edges),
        is_datetime=column.kind is ColumnKind.DATETIME,
        is_integer=integer,
        real_missing=float(real.isna().mean()) if len(real) else 0.0,
        synthetic_missing=float(synthetic.isna().mean()) if len(synthetic) else 0.0,
        log_scale=log_scale,
        real_zero=_zero_share(real_values) if log_scale else 0.0,
        synthetic_zero=_zero_share(synth_values) if log_scale else 0.0,
    )


def _zero_share(values: np.ndarray) -> float:
    return float((values == 0).mean()) if values.size else 0.0


def _shares(values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Share of all (non-missing) values in each bin; zeros outside log bins are not counted."""
    counts, _ = np.histogram(values, bins=edges)
    return counts / values.size if values.size else counts.astype(np.float64)


def frequencies(name: str, real: pd.Series, synthetic: pd.Series) -> Frequencies:
    real_text = real.astype(object).where(real.notna(), MISSING).astype(str)
    synth_text = synthetic.astype(object).where(synthetic.notna(), MISSING).astype(str)
    real_counts = real_text.value_counts(normalize=True)
    synth_counts = synth_text.value_counts(normalize=True)
    ordered = [c for c in real_counts.index if c != MISSING]
    ordered += [c for c in synth_counts.index if c not in real_counts.index and c != MISSING]
    top = ordered[:MAX_CATEGORIES]
    rest = ordered[MAX_CATEGORIES:]
    categories = list(top)
    real_share = [float(real_counts.get(c, 0.0)) for c in top]
    synth_share = [float(synth_counts.get(c, 0.0)) for c in top]
    if rest:
        categories.append(OTHER)
        real_share.append(float(real_counts.reindex(rest).fillna(0.0).sum()))
        synth_share.append(float(synth_counts.reindex(rest).fillna(0.0).sum()))
    if MISSING in real_counts.index or MISSING in synth_counts.index:
        categories.append(MISSING)
        real_share.append(float(real_counts.get(MISSING, 0.0)))
        synth_share.append(float(synth_counts.get(MISSING, 0.0)))
    return Frequencies(name, tuple(categories), np.array(real_share), np.array(synth_share))
