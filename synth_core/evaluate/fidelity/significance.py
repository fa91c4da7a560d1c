"""A statistical test per column, with a verdict in plain words.

Numbers and dates: two-sample Kolmogorov-Smirnov test (distance D, p-value). Categories and
booleans: chi-square test of homogeneity on the category counts, with the total variation
distance (TVD) as the size of the difference. Verdicts go by the size of the difference, since
with tens of thousands of rows even differences nobody would notice are "significant":
distance < 0.05 very close, < 0.10 close, < 0.20 noticeably different, otherwise very different.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from synth_core.data.marginals import ks_distance, total_variation
from synth_core.evaluate.fidelity.prepare import PreparedColumn

SIGNIFICANCE_LEVEL = 0.05
_EXACT_KS_LIMIT = 1_000_000  # n_real * n_synthetic up to which scipy's exact p-value is used
_BANDS = ((0.05, "very close"), (0.10, "close"), (0.20, "noticeably different"))


class Level(StrEnum):
    GOOD = "good"
    FAIR = "fair"
    POOR = "poor"


@dataclass(frozen=True)
class ColumnTest:
    column: str
    test: str  # "Kolmogorov-Smirnov" or "chi-square"
    statistic: float | None  # D, or the chi-square statistic
    p_value: float | None
    distance: float | None  # KS distance or total variation distance, 0..1
    level: Level | None
    verdict: str


def _band(distance: float) -> tuple[Level, str]:
    for limit, words in _BANDS:
        if distance < limit:
            return (Level.GOOD if limit <= 0.10 else Level.FAIR), words
    return Level.POOR, "very different"


def _p_text(p_value: float) -> str:
    return "p < 0.001" if p_value < 0.001 else f"p = {p_value:.3f}"


def _verdict(distance: float, what: str, p_value: float | None) -> tuple[Level, str]:
    level, words = _band(distance)
    text = f"{words} ({what} {distance:.3f})"
    if p_value is None:
        return level, text + "."
    if p_value >= SIGNIFICANCE_LEVEL and level is not Level.GOOD:
        # A large difference the test cannot confirm: too few rows (per category) to tell.
        return level, text + f"; too few rows for the test to confirm it ({_p_text(p_value)})."
    if p_value >= SIGNIFICANCE_LEVEL:
        return level, text + f"; no significant difference ({_p_text(p_value)})."
    if level is Level.GOOD:
        return level, text + f"; statistically significant ({_p_text(p_value)}) but small."
    return level, text + f"; statistically significant ({_p_text(p_value)})."


def ks_p_value(
    distance: float, n_real: int, n_synthetic: int, real: np.ndarray, synthetic: np.ndarray
) -> float:
    """scipy's two-sided p-value: exact for small samples, asymptotic (kstwo) otherwise."""
    from scipy import stats

    if n_real * n_synthetic <= _EXACT_KS_LIMIT:
        return float(stats.ks_2samp(real, synthetic, method="exact").pvalue)
    effective = round(n_real * n_synthetic / (n_real + n_synthetic))
    return float(min(1.0, max(0.0, stats.kstwo.sf(distance, effective))))


def chi_square(
    real_codes: np.ndarray, synthetic_codes: np.ndarray, n_codes: int
) -> tuple[float | None, float | None]:
    """Chi-square statistic and p-value of homogeneity on the category counts (missing values
    left out); (None, None) when fewer than two categories occur."""
    from scipy.stats import chi2_contingency

    real = np.bincount(real_codes[real_codes >= 0], minlength=n_codes)
    synthetic = np.bincount(synthetic_codes[synthetic_codes >= 0], minlength=n_codes)
    table = np.vstack([real, synthetic])
    table = table[:, table.sum(axis=0) > 0]
    if table.shape[1] < 2 or real.sum() == 0 or synthetic.sum() == 0:
        return None, None
    result = chi2_contingency(table, correction=False)
    return float(result.statistic), float(result.pvalue)


def column_test(column: PreparedColumn) -> ColumnTest:
    """The test for one prepared column, or a plain explanation when there is nothing to test."""
    return _continuous_test(column) if column.continuous else _discrete_test(column)


def _continuous_test(column: PreparedColumn) -> ColumnTest:
    real, synthetic = column.real.ks_sorted, column.synthetic.ks_sorted
    if real.size == 0 or synthetic.size == 0:
        return ColumnTest(
            column.name, "Kolmogorov-Smirnov", None, None, None, *_empty(real, synthetic)
        )
    distance = ks_distance(real, synthetic)
    p_value = ks_p_value(distance, real.size, synthetic.size, real, synthetic)
    level, verdict = _verdict(distance, "KS distance", p_value)
    return ColumnTest(
        column.name, "Kolmogorov-Smirnov", distance, p_value, distance, level, verdict
    )


def _discrete_test(column: PreparedColumn) -> ColumnTest:
    real_codes, synth_codes = column.real.values, column.synthetic.values
    real_present, synth_present = real_codes[real_codes >= 0], synth_codes[synth_codes >= 0]
    if real_present.size == 0 or synth_present.size == 0:
        return ColumnTest(
            column.name, "chi-square", None, None, None, *_empty(real_present, synth_present)
        )
    distance = total_variation(real_codes, synth_codes, len(column.categories))
    statistic, p_value = chi_square(real_codes, synth_codes, len(column.categories))
    level, verdict = _verdict(distance, "total variation distance", p_value)
    return ColumnTest(column.name, "chi-square", statistic, p_value, distance, level, verdict)


def _empty(real: np.ndarray, synthetic: np.ndarray) -> tuple[Level | None, str]:
    if real.size == 0 and synthetic.size == 0:
        return None, "Nothing to compare: the column is empty in both tables."
    if real.size == 0:
        return None, "Nothing to compare: the column is empty in the real table."
    return Level.POOR, "Very different: the column is empty in the synthetic table."
