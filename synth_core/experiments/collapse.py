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
from dataclasses import asdict, dataclass, field, replace
from enum import StrEnum
from typing import Any

import numpy as np
import pandas as pd

from synth_core._progress import ProgressFn, no_progress
from synth_core.data.convert import as_float
from synth_core.data.schema import ColumnKind, Schema
from synth_core.data.table import Table
from synth_core.errors import SpecError, SynthCoreError
from synth_core.evaluate.diversity import GenerationMetrics, generation_metrics
from synth_core.evaluate.fidelity.detection import detect_auc
from synth_core.evaluate.utility import quick_score
from synth_core.generate.generators.registry import ParamValue
from synth_core.generate.protect.pii import PiiAction
from synth_core.generate.protect.quality import QualitySettings
from synth_core.generate.spec import MIN_ROWS, GenerationSpec, PrivacySetting
from synth_core.generate.synthesize import fit, sample
from synth_core.jsonable import plain

MAX_GENERATIONS = 30
# The lab's first choice: fast, and its clipping to the training range is one cause of collapse.
LAB_GENERATOR = "gaussian_copula"
# The parameter that clips sampled values to the training range, for generators that have it.
CLIP_PARAM = "enforce_min_max_values"
_NUMERIC = (ColumnKind.NUMERICAL, ColumnKind.DATETIME)
_DISCRETE = (ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN)


class Regime(StrEnum):
    REPLACE = "replace"
    ACCUMULATE = "accumulate"
    MIX = "mix"


@dataclass(frozen=True)
class Snapshot:
    """One column's distribution in one generation, on bins fixed by the real rows: shares of
    the rows per bin (numbers: ``edges``; categories: ``labels``, the real top ones and
    "(other)"), and the shares below and above the real range (numbers)."""

    column: str
    shares: tuple[float, ...]
    edges: tuple[float, ...] = ()
    labels: tuple[str, ...] = ()
    below: float = 0.0
    above: float = 0.0


SNAPSHOT_BINS = 30
SNAPSHOT_CATEGORIES = 15
SNAPSHOT_COLUMNS = 30


def snapshots(real: pd.DataFrame, rows: pd.DataFrame, schema: Schema) -> dict[str, Snapshot]:
    """Every compared column of ``rows`` on the real rows' bins (at most SNAPSHOT_COLUMNS)."""
    out: dict[str, Snapshot] = {}
    for column in schema:
        if len(out) >= SNAPSHOT_COLUMNS or column.name not in rows.columns:
            continue
        if column.kind in _NUMERIC:
            r, v = as_float(real[column.name]), as_float(rows[column.name])
            r, v = r[~np.isnan(r)], v[~np.isnan(v)]
            if r.size < 2 or r.min() == r.max() or v.size == 0:
                continue
            edges = np.linspace(r.min(), r.max(), SNAPSHOT_BINS + 1)
            counts = np.histogram(v, edges)[0] / v.size
            out[column.name] = Snapshot(
                column.name,
                tuple(float(c) for c in counts),
                edges=tuple(float(e) for e in edges),
                below=float(np.mean(v < edges[0])),
                above=float(np.mean(v > edges[-1])),
            )
        elif column.kind in _DISCRETE:
            real_values = real[column.name].dropna().astype(str)
            values = rows[column.name].dropna().astype(str)
            if real_values.empty or values.empty:
                continue
            top = list(real_values.value_counts().index[:SNAPSHOT_CATEGORIES])
            shares = values.value_counts(normalize=True)
            labels = [*top, "(other)"] if real_values.nunique() > len(top) else top
            listed = [float(shares.get(label, 0.0)) for label in top]
            if len(labels) > len(top):
                listed.append(max(1.0 - sum(listed), 0.0))
            out[column.name] = Snapshot(column.name, tuple(listed), labels=tuple(labels))
    return out


@dataclass(frozen=True)
class CollapseResult:
    regimes: dict[str, tuple[GenerationMetrics, ...]]  # the first run (seed)
    generator: str
    generations: int
    sample_size: int
    mix_share: float
    seed: int
    runs: dict[str, tuple[tuple[GenerationMetrics, ...], ...]] = field(default_factory=dict)
    quality_keep: float | None = None  # the quality filter inside the loop, if on
    target: str | None = None
    tstr_metric: str | None = None
    trtr: float | None = None  # the same model trained on the real rows, for reference
    test_rows: int = 0  # real rows kept out of every generation to test TSTR on
    real_snapshots: dict[str, Snapshot] = field(default_factory=dict)
    snapshots: dict[str, dict[int, dict[str, Snapshot]]] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    @property
    def snapshot_generations(self) -> tuple[int, ...]:
        return snapshot_generations(self.generations)

    def band(self, regime: str, metric: str) -> tuple[list[float | None], ...]:
        """Per generation, the mean, lowest and highest value of ``metric`` over the runs."""
        means: list[float | None] = []
        lows: list[float | None] = []
        highs: list[float | None] = []
        runs = self.runs.get(regime) or (self.regimes[regime],)
        for generation in range(len(self.regimes[regime])):
            values = [getattr(run[generation], metric) for run in runs if len(run) > generation]
            values = [float(v) for v in values if v is not None]
            means.append(float(np.mean(values)) if values else None)
            lows.append(min(values) if values else None)
            highs.append(max(values) if values else None)
        return means, lows, highs

    def to_dict(self) -> dict[str, Any]:
        """The documented collapse JSON: {"regimes": {"replace": [{"generation": 0, ...}]}}
        (the first run), "runs" (every run, when several seeds were asked for), the settings,
        and "snapshots" (column distributions at generations 0, k/2 and the last)."""
        payload: dict[str, Any] = plain(
            {
                "regimes": {k: [asdict(m) for m in v] for k, v in self.regimes.items()},
                "runs": {k: [[asdict(m) for m in run] for run in v] for k, v in self.runs.items()},
                "generator": self.generator,
                "generations": self.generations,
                "sample_size": self.sample_size,
                "mix_share": self.mix_share,
                "seed": self.seed,
                "quality_keep": self.quality_keep,
                "target": self.target,
                "tstr_metric": self.tstr_metric,
                "trtr": self.trtr,
                "test_rows": self.test_rows,
                "real_snapshots": {k: asdict(v) for k, v in self.real_snapshots.items()},
                "snapshots": {
                    regime: {
                        str(g): {k: asdict(v) for k, v in columns.items()}
                        for g, columns in by_generation.items()
                    }
                    for regime, by_generation in self.snapshots.items()
                },
                "notes": list(self.notes),
            }
        )
        return payload


def snapshot_generations(generations: int) -> tuple[int, ...]:
    """Generations 0, k/2 and k (the last), without repeats."""
    return tuple(sorted({0, generations // 2, generations - 1}))


MAX_RUNS = 5
TEST_SHARE = 0.25  # of the real rows, kept out of the lab to test TSTR on
RUN_SHARE = 0.8  # with several runs, each run's generation 0 learns from this share


def _check(generations: int, sample_size: int, mix_share: float, runs: int) -> None:
    if not 1 <= generations <= MAX_GENERATIONS:
        raise SpecError(f"Choose between 1 and {MAX_GENERATIONS} generations; got {generations}.")
    if sample_size < MIN_ROWS:
        raise SpecError(f"Each generation needs at least {MIN_ROWS} rows; got {sample_size}.")
    if not 0.0 < mix_share < 1.0:
        raise SpecError(f"The real share of the mix must be between 0 and 1; got {mix_share}.")
    if not 1 <= runs <= MAX_RUNS:
        raise SpecError(f"Choose between 1 and {MAX_RUNS} runs (seeds); got {runs}.")


def _split_test(
    real: pd.DataFrame, target: str | None, schema: Schema, seed: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    if target is None:
        return real, real.iloc[:0]
    if target not in schema or target not in real.columns:
        raise SpecError(f"There is no column '{target}' to predict.")
    test_rows = np.random.default_rng([seed, 7]).random(len(real)) < TEST_SHARE
    lab, test = real[~test_rows].reset_index(drop=True), real[test_rows].reset_index(drop=True)
    if len(lab) < MIN_ROWS or len(test) < MIN_ROWS:
        raise SpecError(
            f"With a target, a quarter of the rows is kept out to test on; the table has too "
            f"few rows ({len(real)}) for that. Run without a target."
        )
    return lab, test


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
    runs: int = 1,
    quality_keep: float | None = None,
    target: str | None = None,
    detection: bool = True,
) -> CollapseResult:
    """Each regime for ``generations`` generations of ``sample_size`` rows, ``runs`` times.

    With several runs, each run's generation 0 learns from a different random 80% of the real
    rows (SDV's sampling is deterministic for the same training rows, so only the training
    subsample makes runs differ). With ``quality_keep``, each generation's rows pass the quality
    filter, whose classifier learns from that generation's own training rows. With ``target``,
    a quarter of the real rows is kept out of every generation to test TSTR on."""
    _check(generations, sample_size, mix_share, runs)
    if not regimes:
        raise SpecError("Choose at least one regime: replace, accumulate or mix.")
    spec = GenerationSpec(
        generator=generator,
        params=dict(params or {}),
        rows=sample_size,
        seed=seed,
        privacy=PrivacySetting.NONE,
        pii_action=PiiAction.REPLACE,
        holdout_fraction=0.0,
        quality_filter=None if quality_keep is None else QualitySettings(keep=quality_keep),
    )
    spec.validate()
    schema = table.schema
    real, test = _split_test(table.df, target, schema, seed)
    tstr_metric, trtr = None, None
    if target is not None:
        tstr_metric, trtr = quick_score(real, test, schema, target, seed)
    watched = snapshot_generations(generations)
    all_runs: dict[str, list[tuple[GenerationMetrics, ...]]] = {r.value: [] for r in regimes}
    pictures: dict[str, dict[int, dict[str, Snapshot]]] = {r.value: {} for r in regimes}
    steps = runs * len(regimes) * generations
    step = 0
    for run in range(runs):
        rng = np.random.default_rng([seed, run])
        start = real
        if runs > 1:
            chosen = np.sort(rng.choice(len(real), max(round(RUN_SHARE * len(real)), 1), False))
            start = real.iloc[chosen].reset_index(drop=True)
        for regime in regimes:
            history: list[pd.DataFrame] = []
            metrics = []
            previous: pd.DataFrame | None = None
            for generation in range(generations):
                label = f" (run {run + 1} of {runs})" if runs > 1 else ""
                progress(
                    step / steps,
                    f"{regime.value}: generation {generation + 1} of {generations}{label}",
                )
                step += 1
                if generation == 0 or previous is None:
                    training = start
                elif regime is Regime.REPLACE:
                    training = previous
                elif regime is Regime.ACCUMULATE:
                    training = pd.concat([start, *history], ignore_index=True)
                else:
                    fresh = max(round(mix_share * sample_size), 1)
                    rows = rng.choice(len(real), min(fresh, len(real)), replace=False)
                    keep = max(sample_size - len(rows), 1)
                    training = pd.concat(
                        [real.iloc[np.sort(rows)], previous.iloc[:keep]], ignore_index=True
                    )
                model = fit(replace(table, df=training.reset_index(drop=True)), spec)
                sample_seed = seed + 1000 * generation + 1 + 100_000 * run
                drawn = sample(model, rows=sample_size, seed=sample_seed).data
                previous = drawn
                history.append(drawn)
                measured = generation_metrics(real, drawn, schema, generation, len(training))
                measured = replace(
                    measured,
                    detection_auc=_detection(real, drawn, schema, seed) if detection else None,
                    tstr=(
                        quick_score(drawn, test, schema, target, seed)[1]
                        if target is not None
                        else None
                    ),
                )
                metrics.append(measured)
                if run == 0 and generation in watched:
                    pictures[regime.value][generation] = snapshots(real, drawn, schema)
            all_runs[regime.value].append(tuple(metrics))
    progress(1.0, "Done")
    notes = []
    if target is not None:
        notes.append(
            f"{len(test):,} real rows ({TEST_SHARE:.0%}) were kept out of every generation to "
            f"test TSTR on; the lab learnt from the other {len(real):,}."
        )
    if runs > 1:
        notes.append(
            f"{runs} runs: each run's generation 0 learnt from a different random "
            f"{RUN_SHARE:.0%} of the real rows; bands show the lowest and highest run."
        )
    if quality_keep is not None:
        notes.append(
            f"Quality filter inside the loop (keep the best {quality_keep:.0%}): a cautionary "
            "demo — each generation keeps what a classifier trained on its own training rows "
            "finds realistic, which narrows the data further."
        )
    return CollapseResult(
        regimes={k: v[0] for k, v in all_runs.items()},
        generator=generator,
        generations=generations,
        sample_size=sample_size,
        mix_share=mix_share,
        seed=seed,
        runs={k: tuple(v) for k, v in all_runs.items()} if runs > 1 else {},
        quality_keep=quality_keep,
        target=target,
        tstr_metric=tstr_metric,
        trtr=trtr,
        test_rows=len(test),
        real_snapshots=snapshots(real, real, schema),
        snapshots=pictures,
        notes=tuple(notes),
    )


DETECTION_CAP = 2_000  # rows per side for the per-generation detection AUC


def _detection(real: pd.DataFrame, drawn: pd.DataFrame, schema: Schema, seed: int) -> float | None:
    try:
        return detect_auc(real, drawn, schema, seed, cap=DETECTION_CAP)
    except SynthCoreError:
        return None


def vanished(metrics: Sequence[GenerationMetrics]) -> list[tuple[str, int]]:
    """Each real category that went missing, with the first generation it was missing in."""
    first: dict[str, int] = {}
    for m in metrics:
        for category in m.missing_categories:
            first.setdefault(category, m.generation)
    return sorted(first.items(), key=lambda item: (item[1], item[0]))
