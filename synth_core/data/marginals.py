"""The two distances between a real and a synthetic column that every part of the studio uses
(the Fidelity page's Column Shapes, the collapse lab, the quality filter's effect, the rules'
screening): the two-sample KS distance for numbers and dates, the total variation distance of
category shares for the rest, as SDMetrics defines them. One definition, so that they agree."""

from __future__ import annotations

import numpy as np
import pandas as pd

from synth_core.data.convert import as_float

_REGULARIZATION = 1e-6  # SDMetrics' count for categories only the synthetic data has


def _cdf_at_own_values(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct values of a sorted sample and the empirical CDF there (at the last tie)."""
    last = np.empty(values.size, dtype=bool)
    last[:-1] = values[1:] != values[:-1]
    last[-1] = True
    positions = np.flatnonzero(last)
    return values[positions], (positions + 1) / values.size


def ks_distance(real_sorted: np.ndarray, synthetic_sorted: np.ndarray) -> float:
    """Two-sample KS distance from sorted samples; equal to scipy's ks_2samp statistic.

    Like scipy, the CDFs are compared at every observed value; each side's own CDF is read off
    its sorted order at its distinct values, so only those are searched in the other sample.
    """
    real_points, real_cdf = _cdf_at_own_values(real_sorted)
    synth_points, synth_cdf = _cdf_at_own_values(synthetic_sorted)
    synth_at_real = (
        np.searchsorted(synthetic_sorted, real_points, side="right") / synthetic_sorted.size
    )
    real_at_synth = np.searchsorted(real_sorted, synth_points, side="right") / real_sorted.size
    return float(
        max(np.max(np.abs(real_cdf - synth_at_real)), np.max(np.abs(real_at_synth - synth_cdf)))
    )


def total_variation(real_codes: np.ndarray, synthetic_codes: np.ndarray, n_codes: int) -> float:
    """Total variation distance of category shares, missing values left out, with SDMetrics'
    regularisation: a category only the synthetic data has counts 1e-6 times in the real data."""
    real_counts = np.bincount(real_codes[real_codes >= 0], minlength=n_codes).astype(np.float64)
    synth_counts = np.bincount(synthetic_codes[synthetic_codes >= 0], minlength=n_codes).astype(
        np.float64
    )
    unseen = (real_counts == 0) & (synth_counts > 0)
    real_counts[unseen] += _REGULARIZATION
    keep = (real_counts > 0) | (synth_counts > 0)
    real_share = real_counts[keep] / real_counts.sum()
    synth_share = synth_counts[keep] / synth_counts.sum()
    return float(0.5 * np.abs(real_share - synth_share).sum())


# The two-sample KS critical value's constant c(α) = sqrt(-ln(α / 2) / 2) at α = 0.001: a
# distance that moves by more than c · sqrt((n + m) / (n m)) is not sampling noise.
_C_ALPHA = 1.9495


def chance_distance(real_rows: int, synthetic_rows: int) -> float:
    """How far the KS distance between two samples of these sizes from one distribution can
    come out by chance (the 99.9% critical value); also used for the total variation distance,
    which equals KS for a two-valued column."""
    if real_rows <= 0 or synthetic_rows <= 0:
        return 1.0
    return _C_ALPHA * float(np.sqrt((real_rows + synthetic_rows) / (real_rows * synthetic_rows)))


def column_distance(real: pd.Series, synthetic: pd.Series, continuous: bool) -> float:
    """How far a synthetic column is from the real one: the KS distance (numbers, dates) or
    total variation distance (categories) of the present values, or the difference of the
    missing shares when that is larger."""
    missing = (
        abs(float(real.isna().mean()) - float(synthetic.isna().mean())) if len(synthetic) else 0.0
    )
    if continuous:
        left, right = as_float(real), as_float(synthetic)
        left, right = np.sort(left[~np.isnan(left)]), np.sort(right[~np.isnan(right)])
        if not left.size or not right.size:
            return missing
        return max(ks_distance(left, right), missing)
    codes, uniques = pd.factorize(
        pd.concat([real, synthetic], ignore_index=True).astype(object), use_na_sentinel=True
    )
    real_codes, synthetic_codes = codes[: len(real)], codes[len(real) :]
    if not (real_codes >= 0).any() or not (synthetic_codes >= 0).any():
        return missing
    return max(total_variation(real_codes, synthetic_codes, len(uniques)), missing)


# A column with at most this many distinct values (0/1 flags, counts) is a set of shares, not a
# continuum: judged by its shares, mended across rows, never given to SDV as a continuous gap.
FEW_VALUES = 20

# A share that moves by more than this many standard errors is not sampling noise (two-sided,
# α = 0.001).
Z_CHANCE = 3.29


def share_z(real: pd.Series, synthetic: pd.Series) -> float:
    """How far a synthetic column's shares of its values (missing counted as a value) are from
    the real ones, in standard errors of the difference of two shares: the largest over the
    values. Sensitive where KS and total variation are not: a 10% class halved moves the total
    variation by 0.05, within chance for 2,000 rows, and by 5 standard errors."""
    if not len(real) or not len(synthetic):
        return 0.0
    return share_z_of(value_shares(real), len(real), synthetic)


def value_shares(values: pd.Series) -> pd.Series:
    """The share of rows holding each value (missing counted as a value), for ``share_z_of``."""
    shares: pd.Series = (
        values.astype(object).where(values.notna(), "\\x00missing").value_counts(normalize=True)
    )
    return shares


def share_z_of(p: pd.Series, rows: int, synthetic: pd.Series) -> float:
    """``share_z`` with the real column's ``value_shares`` (``p``, of ``rows`` rows) given, so
    a column checked many times is counted once."""
    if not rows or not len(synthetic):
        return 0.0
    q = value_shares(synthetic)
    shares = pd.concat([p, q], axis=1, keys=["real", "synthetic"]).fillna(0.0)
    pooled = (shares["real"] * rows + shares["synthetic"] * len(synthetic)) / (
        rows + len(synthetic)
    )
    error = np.sqrt(pooled * (1 - pooled) * (1 / rows + 1 / len(synthetic)))
    difference = (shares["real"] - shares["synthetic"]).abs()
    z = (difference / error.where(error > 0)).fillna(0.0)
    return float(z.max())
