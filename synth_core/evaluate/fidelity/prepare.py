"""Columns of a real and a synthetic table prepared once for every fidelity metric.

Continuous columns (numbers, datetimes) get float arrays with NaN, sorted non-missing values for
the KS statistic and bin codes for contingency tables; discrete columns (categories, booleans)
get integer codes from one codebook shared by both tables. Everything downstream is numpy.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import pandas as pd

from synth_core.data.convert import as_float, bin_edges
from synth_core.data.schema import ColumnKind, ColumnSchema, Schema
from synth_core.errors import SchemaError

# SDMetrics rounds values to sys.float_info.dig - 1 decimals before its KS test.
KS_DECIMALS = 14
CONTINGENCY_BINS = 10
_THREADS = 2
COMPARED_KINDS = (
    ColumnKind.NUMERICAL,
    ColumnKind.DATETIME,
    ColumnKind.CATEGORICAL,
    ColumnKind.BOOLEAN,
)


class Binning(StrEnum):
    """How continuous columns are cut into bins for contingency tables with a discrete column.

    SHARED: 10 equal-width bins from the real data, ends open, applied to both tables (ours).
    SDMETRICS: as SDMetrics' QualityReport: 10 bins from each table's own range, so a bin of the
    real table and the same-numbered bin of the synthetic table can cover different values, and
    the largest value shares a bin with missing values. Kept to check we match it exactly.
    """

    SHARED = "shared"
    SDMETRICS = "sdmetrics"


@dataclass(frozen=True)
class Side:
    """One column of one table, in every representation the metrics need."""

    values: np.ndarray  # continuous: float64 with NaN; discrete: codes, -1 = missing
    ks_sorted: np.ndarray  # continuous: sorted non-missing values as SDMetrics' KS sees them
    bins: np.ndarray  # continuous: bin codes (0 = missing); discrete: codes + 1 (0 = missing)
    n_bins: int


@dataclass(frozen=True)
class PreparedColumn:
    """A compared column, real beside synthetic."""

    schema: ColumnSchema
    continuous: bool
    real: Side
    synthetic: Side
    categories: tuple[str, ...]  # discrete: value per code (real's categories first)
    constant: bool = False  # continuous: one distinct value in either table (no correlation)

    @property
    def name(self) -> str:
        return self.schema.name


def compared_columns(
    real: pd.DataFrame, synthetic: pd.DataFrame, schema: Schema
) -> list[ColumnSchema]:
    """Columns both tables have, of a kind whose distribution can be compared."""
    return [
        column
        for column in schema
        if column.kind in COMPARED_KINDS
        and column.name in real.columns
        and column.name in synthetic.columns
    ]


def prepare(
    real: pd.DataFrame, synthetic: pd.DataFrame, schema: Schema, binning: Binning = Binning.SHARED
) -> list[PreparedColumn]:
    """Every compared column, prepared once."""
    if len(real) == 0 or len(synthetic) == 0:
        raise SchemaError(
            "Both tables need at least one row to compare: "
            f"the real table has {len(real):,}, the synthetic table {len(synthetic):,}."
        )
    columns = compared_columns(real, synthetic, schema)

    def one(column: ColumnSchema) -> PreparedColumn:
        return _prepare_column(column, real[column.name], synthetic[column.name], binning)

    # numpy's sort and searchsorted release the GIL, so two threads use both cores.
    with ThreadPoolExecutor(max_workers=_THREADS) as pool:
        return list(pool.map(one, columns))


def _prepare_column(
    column: ColumnSchema, real: pd.Series, synthetic: pd.Series, binning: Binning
) -> PreparedColumn:
    if column.kind in (ColumnKind.NUMERICAL, ColumnKind.DATETIME):
        real_values, synth_values = as_float(real), as_float(synthetic)
        real_bins, synth_bins, n_bins = _bin_codes(real_values, synth_values, binning)
        real_sorted, synth_sorted = (
            _ks_sorted(real, real_values),
            _ks_sorted(synthetic, synth_values),
        )
        return PreparedColumn(
            column,
            True,
            Side(real_values, real_sorted, real_bins, n_bins),
            Side(synth_values, synth_sorted, synth_bins, n_bins),
            (),
            constant=_one_value(real_sorted) or _one_value(synth_sorted),
        )
    codes, categories = _shared_codes(real, synthetic)
    real_codes, synth_codes = codes[: len(real)], codes[len(real) :]
    empty = np.empty(0)
    n_codes = len(categories) + 1
    return PreparedColumn(
        column,
        False,
        Side(real_codes, empty, real_codes + 1, n_codes),
        Side(synth_codes, empty, synth_codes + 1, n_codes),
        categories,
    )


def _one_value(sorted_values: np.ndarray) -> bool:
    return sorted_values.size > 0 and bool(sorted_values[0] == sorted_values[-1])


def _ks_sorted(values: pd.Series, as_float: np.ndarray) -> np.ndarray:
    """Non-missing values, sorted: datetimes as exact int64 nanoseconds, numbers rounded as
    SDMetrics rounds them (so ties match)."""
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        stamps = values.dropna().to_numpy(dtype="datetime64[ns]").astype(np.int64)
        return np.sort(stamps, kind="stable")  # radix sort for integers
    return np.sort(np.round(as_float[~np.isnan(as_float)], KS_DECIMALS))


def _shared_codes(real: pd.Series, synthetic: pd.Series) -> tuple[np.ndarray, tuple[str, ...]]:
    """Codes over one codebook: real categories (in order of appearance), then synthetic-only."""
    if str(real.dtype) in {"bool", "boolean"} and str(synthetic.dtype) in {"bool", "boolean"}:
        return _boolean_codes(real, synthetic)
    real_codes, real_uniques = pd.factorize(real.astype(object), use_na_sentinel=True)
    synth_codes, synth_uniques = pd.factorize(synthetic.astype(object), use_na_sentinel=True)
    # Synthetic categories onto the real codebook; unseen ones get new codes after it.
    lookup = np.asarray(pd.Index(real_uniques).get_indexer(synth_uniques), dtype=np.int64)
    unseen = lookup < 0
    lookup[unseen] = len(real_uniques) + np.arange(int(unseen.sum()))
    if lookup.size:
        remapped = np.where(synth_codes >= 0, lookup[np.maximum(synth_codes, 0)], -1)
    else:  # every synthetic value is missing
        remapped = np.full(len(synth_codes), -1, dtype=np.int64)
    categories = [*real_uniques, *np.asarray(synth_uniques, dtype=object)[unseen]]
    codes = np.concatenate([real_codes, remapped]).astype(np.int64)
    return codes, tuple(str(c) for c in categories)


def _boolean_codes(real: pd.Series, synthetic: pd.Series) -> tuple[np.ndarray, tuple[str, ...]]:
    """Booleans need no hashing: False is code 0, True code 1, missing -1."""
    parts = []
    for values in (real, synthetic):
        codes = values.to_numpy(dtype=np.float64, na_value=np.nan)
        parts.append(np.where(np.isnan(codes), -1, codes).astype(np.int64))
    return np.concatenate(parts), ("False", "True")


def _bin_codes(
    real: np.ndarray, synthetic: np.ndarray, binning: Binning
) -> tuple[np.ndarray, np.ndarray, int]:
    if binning is Binning.SDMETRICS:
        return _sdmetrics_bins(real), _sdmetrics_bins(synthetic), CONTINGENCY_BINS + 2
    present = real[~np.isnan(real)]
    if present.size == 0:
        present = synthetic[~np.isnan(synthetic)]
    edges = bin_edges(present, CONTINGENCY_BINS) if present.size else np.zeros(2)
    inner = edges[1:-1]  # open ends: values beyond the real range fall in the outer bins

    def codes(values: np.ndarray) -> np.ndarray:
        bins = np.searchsorted(inner, values, side="right") + 1
        bins[np.isnan(values)] = 0
        return bins.astype(np.int64)

    return codes(real), codes(synthetic), CONTINGENCY_BINS + 1


def _sdmetrics_bins(values: np.ndarray) -> np.ndarray:
    """np.digitize on the column's own 10-bin edges, as SDMetrics' ColumnPairTrends does."""
    present = values[~np.isnan(values)]
    if present.size == 0:
        return np.full(values.shape, CONTINGENCY_BINS + 1, dtype=np.int64)
    edges = bin_edges(present, CONTINGENCY_BINS)  # numpy's default of 10 bins, as SDMetrics
    codes: np.ndarray = np.digitize(values, bins=edges).astype(np.int64)
    return codes
