"""What a synthetic table keeps of the real one's variety, measured against the real rows:
column shapes (KS, TVD), categories and rare categories still present, spread, the tails
beyond the real 5th and 95th percentiles, and correlations. The collapse lab tracks these per
generation; the quality filter's effect reports what filtering costs in them."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from synth_core.data.convert import as_float
from synth_core.data.schema import ColumnKind, Schema
from synth_core.evaluate.fidelity import column_shapes

RARE_SHARE = 0.01
TAIL = 0.05  # the real mass beyond the real 5th and 95th percentiles (10% in all)
_NUMERIC = (ColumnKind.NUMERICAL, ColumnKind.DATETIME)
_DISCRETE = (ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN)


@dataclass(frozen=True)
class GenerationMetrics:
    generation: int
    mean_ks: float | None  # numeric columns: mean Kolmogorov–Smirnov statistic
    mean_tvd: float | None  # categorical columns: mean total variation distance
    categories_kept: int  # real (column, category) pairs still present
    categories_total: int
    rare_categories_kept: int  # of those below 1% of the real rows
    rare_categories_total: int
    std_ratio: float | None  # mean over numeric columns of synthetic std / real std
    tail_coverage: float | None  # synthetic share beyond the real 5th/95th percentiles / 10%
    correlation_distance: float | None  # mean |Δ Pearson correlation| over numeric pairs
    training_rows: int
    missing_categories: tuple[str, ...] = ()  # "column = value" of real categories not present
    detection_auc: float | None = None  # can a classifier tell these rows from the real ones?
    tstr: float | None = None  # with a target: a model trained on these rows, tested on real


def shape_distances(
    real: pd.DataFrame, synthetic: pd.DataFrame, schema: Schema
) -> tuple[list[float], list[float]]:
    """KS distances of the numeric and date columns and total variation distances of the
    categorical and true/false ones: the Fidelity page's own (SDMetrics' definitions)."""
    ks: list[float] = []
    tvd: list[float] = []
    for shape in column_shapes(real, synthetic, schema):
        if shape.distance is not None:
            (ks if shape.metric == "KSComplement" else tvd).append(shape.distance)
    return ks, tvd


def generation_metrics(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    schema: Schema,
    generation: int = 0,
    training_rows: int = 0,
) -> GenerationMetrics:
    """Every metric of one generation's rows against the original real rows."""
    ks, tvds = shape_distances(real, synthetic, schema)
    stds, tails = [], []
    numeric_real, numeric_syn = {}, {}
    for column in schema:
        if column.kind not in _NUMERIC or column.name not in synthetic.columns:
            continue
        r, s = as_float(real[column.name]), as_float(synthetic[column.name])
        r, s = r[~np.isnan(r)], s[~np.isnan(s)]
        if r.size < 2 or s.size < 2:
            continue
        numeric_real[column.name], numeric_syn[column.name] = r, s
        if r.std() > 0:
            stds.append(float(s.std() / r.std()))
        low, high = np.quantile(r, [TAIL, 1 - TAIL])
        real_mass = float(np.mean((r < low) | (r > high)))
        if real_mass > 0:
            tails.append(float(np.mean((s < low) | (s > high))) / real_mass)
    kept = total = rare_kept = rare_total = 0
    missing: list[str] = []
    for column in schema:
        if column.kind not in _DISCRETE or column.name not in synthetic.columns:
            continue
        real_shares = real[column.name].dropna().astype(str).value_counts(normalize=True)
        syn_shares = synthetic[column.name].dropna().astype(str).value_counts(normalize=True)
        if real_shares.empty:
            continue
        present = set(syn_shares.index)
        total += len(real_shares)
        kept += sum(v in present for v in real_shares.index)
        missing += [f"{column.name} = {v}" for v in real_shares.index if v not in present]
        rare = [v for v, share in real_shares.items() if share < RARE_SHARE]
        rare_total += len(rare)
        rare_kept += sum(v in present for v in rare)
    correlation = None
    names = list(numeric_real)
    if len(names) >= 2:
        r_corr = real[names].apply(lambda c: pd.Series(as_float(c))).corr().to_numpy()
        s_corr = synthetic[names].apply(lambda c: pd.Series(as_float(c))).corr().to_numpy()
        upper = np.triu_indices(len(names), 1)
        diff = np.abs(r_corr[upper] - s_corr[upper])
        correlation = float(np.nanmean(diff)) if np.isfinite(diff).any() else None
    return GenerationMetrics(
        generation,
        float(np.mean(ks)) if ks else None,
        float(np.mean(tvds)) if tvds else None,
        kept,
        total,
        rare_kept,
        rare_total,
        float(np.mean(stds)) if stds else None,
        float(np.mean(tails)) if tails else None,
        correlation,
        training_rows,
        tuple(missing),
    )
