"""Model collapse lab: train, generate, retrain for many generations (Shumailov et al., Nature
2024), under three regimes, always measured against the ORIGINAL real rows.

- replace: generation k learns only from generation k−1's rows;
- accumulate: generation k learns from the real rows plus every earlier generation's rows
  (Gerstgrasser et al. 2024: the error stays bounded);
- mix: generation k learns from a fresh share of real rows plus generation k−1's rows
  (Bertrand et al. 2023: stable when the real share is large enough).

Generation 0 learns from the real rows in every regime."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from enum import StrEnum
from typing import Any

import numpy as np
import pandas as pd

from synth_core.convert import as_float
from synth_core.errors import SpecError
from synth_core.generators.registry import ParamValue, ProgressFn, no_progress
from synth_core.jsonable import plain
from synth_core.privacy.pii import PiiAction
from synth_core.schema import ColumnKind, Schema
from synth_core.synthesize import MIN_ROWS, GenerationSpec, PrivacySetting, fit, sample
from synth_core.table import Table

MAX_GENERATIONS = 30
RARE_SHARE = 0.01
TAIL = 0.05  # the real mass beyond the real 5th and 95th percentiles (10% in all)
_NUMERIC = (ColumnKind.NUMERICAL, ColumnKind.DATETIME)
_DISCRETE = (ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN)


class Regime(StrEnum):
    REPLACE = "replace"
    ACCUMULATE = "accumulate"
    MIX = "mix"


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


def _ks(real: np.ndarray, synthetic: np.ndarray) -> float:
    from scipy.stats import ks_2samp

    return float(ks_2samp(real, synthetic).statistic)


def generation_metrics(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    schema: Schema,
    generation: int = 0,
    training_rows: int = 0,
) -> GenerationMetrics:
    """Every metric of one generation's rows against the original real rows."""
    ks, stds, tails = [], [], []
    numeric_real, numeric_syn = {}, {}
    for column in schema:
        if column.kind not in _NUMERIC or column.name not in synthetic.columns:
            continue
        r, s = as_float(real[column.name]), as_float(synthetic[column.name])
        r, s = r[~np.isnan(r)], s[~np.isnan(s)]
        if r.size < 2 or s.size < 2:
            continue
        numeric_real[column.name], numeric_syn[column.name] = r, s
        ks.append(_ks(r, s))
        if r.std() > 0:
            stds.append(float(s.std() / r.std()))
        low, high = np.quantile(r, [TAIL, 1 - TAIL])
        real_mass = float(np.mean((r < low) | (r > high)))
        if real_mass > 0:
            tails.append(float(np.mean((s < low) | (s > high))) / real_mass)
    tvds = []
    kept = total = rare_kept = rare_total = 0
    missing: list[str] = []
    for column in schema:
        if column.kind not in _DISCRETE or column.name not in synthetic.columns:
            continue
        real_shares = real[column.name].dropna().astype(str).value_counts(normalize=True)
        syn_shares = synthetic[column.name].dropna().astype(str).value_counts(normalize=True)
        if real_shares.empty:
            continue
        tvds.append(0.5 * float(real_shares.sub(syn_shares, fill_value=0).abs().sum()))
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


@dataclass(frozen=True)
class CollapseResult:
    regimes: dict[str, tuple[GenerationMetrics, ...]]
    generator: str
    generations: int
    sample_size: int
    mix_share: float
    seed: int

    def to_dict(self) -> dict[str, Any]:
        """The documented collapse JSON: {"regimes": {"replace": [{"generation": 0, ...}]}}."""
        payload: dict[str, Any] = plain(
            {
                "regimes": {k: [asdict(m) for m in v] for k, v in self.regimes.items()},
                "generator": self.generator,
                "generations": self.generations,
                "sample_size": self.sample_size,
                "mix_share": self.mix_share,
                "seed": self.seed,
            }
        )
        return payload


def collapse_run(
    table: Table,
    generator: str,
    generations: int,
    sample_size: int,
    regimes: Sequence[Regime] = tuple(Regime),
    params: Mapping[str, ParamValue] | None = None,
    mix_share: float = 0.5,
    seed: int = 0,
    progress: ProgressFn = no_progress,
) -> CollapseResult:
    """Each regime for ``generations`` generations of ``sample_size`` rows."""
    if not 1 <= generations <= MAX_GENERATIONS:
        raise SpecError(f"Choose between 1 and {MAX_GENERATIONS} generations; got {generations}.")
    if sample_size < MIN_ROWS:
        raise SpecError(f"Each generation needs at least {MIN_ROWS} rows; got {sample_size}.")
    if not 0.0 < mix_share < 1.0:
        raise SpecError(f"The real share of the mix must be between 0 and 1; got {mix_share}.")
    if not regimes:
        raise SpecError("Choose at least one regime: replace, accumulate or mix.")
    real = table.df
    spec = GenerationSpec(
        generator=generator,
        params=dict(params or {}),
        rows=sample_size,
        seed=seed,
        privacy=PrivacySetting.NONE,
        pii_action=PiiAction.REPLACE,
        holdout_fraction=0.0,
    )
    spec.validate()
    rng = np.random.default_rng(seed)
    results: dict[str, tuple[GenerationMetrics, ...]] = {}
    steps = len(regimes) * generations
    for r_index, regime in enumerate(regimes):
        history: list[pd.DataFrame] = []
        metrics = []
        previous: pd.DataFrame | None = None
        for generation in range(generations):
            step = r_index * generations + generation
            progress(step / steps, f"{regime.value}: generation {generation + 1} of {generations}")
            if generation == 0 or previous is None:
                training = real
            elif regime is Regime.REPLACE:
                training = previous
            elif regime is Regime.ACCUMULATE:
                training = pd.concat([real, *history], ignore_index=True)
            else:
                fresh = max(round(mix_share * sample_size), 1)
                rows = rng.choice(len(real), min(fresh, len(real)), replace=False)
                keep = max(sample_size - len(rows), 1)
                training = pd.concat(
                    [real.iloc[np.sort(rows)], previous.iloc[:keep]], ignore_index=True
                )
            model = fit(replace(table, df=training.reset_index(drop=True)), spec)
            drawn = sample(model, rows=sample_size, seed=seed + 1000 * generation + 1).data
            previous = drawn
            history.append(drawn)
            metrics.append(generation_metrics(real, drawn, table.schema, generation, len(training)))
        results[regime.value] = tuple(metrics)
    progress(1.0, "Done")
    return CollapseResult(results, generator, generations, sample_size, mix_share, seed)


def vanished(metrics: Sequence[GenerationMetrics]) -> list[tuple[str, int]]:
    """Each real category that went missing, with the first generation it was missing in."""
    first: dict[str, int] = {}
    for m in metrics:
        for category in m.missing_categories:
            first.setdefault(category, m.generation)
    return sorted(first.items(), key=lambda item: (item[1], item[0]))
