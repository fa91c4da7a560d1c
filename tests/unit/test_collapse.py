"""Model collapse: replace-mode variance shrinks, accumulate stays near the real; by hand."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from synth_core import read_table
from synth_core.data.schema import ColumnKind, ColumnSchema, Schema
from synth_core.errors import SpecError
from synth_core.evaluate.diversity import generation_metrics
from synth_core.experiments.collapse import Regime, collapse_run
from tests.helpers import SAMPLES


@pytest.mark.slow
def test_replace_shrinks_the_spread_and_accumulate_keeps_it() -> None:
    """1-D Gaussian, 20 rows, 20 generations, 8 seeds (GaussianCopula clips to the training
    range, so each generation can only narrow it). Measured: replace 0.31 mean std ratio at the
    last generation (0.00-0.92 per seed), accumulate 1.07 (0.85-1.25)."""
    finals: dict[str, list[float]] = {"replace": [], "accumulate": []}
    for seed in range(8):
        x = np.random.default_rng(seed).normal(0, 1, 20)
        table = read_table(pd.DataFrame({"x": x.round(4)}).to_csv(index=False).encode())
        result = collapse_run(
            table,
            "gaussian_copula",
            20,
            20,
            (Regime.REPLACE, Regime.ACCUMULATE),
            seed=seed,
            detection=False,
        )
        for regime in finals:
            last = result.regimes[regime][-1]
            assert last.generation == 19
            assert last.std_ratio is not None
            finals[regime].append(last.std_ratio)
    assert np.mean(finals["replace"]) < 0.6
    assert 0.8 < np.mean(finals["accumulate"]) < 1.3
    assert all(r < a for r, a in zip(finals["replace"], finals["accumulate"], strict=True))


def test_metrics_and_category_loss_by_hand() -> None:
    schema = Schema(
        (ColumnSchema("c", ColumnKind.CATEGORICAL), ColumnSchema("x", ColumnKind.NUMERICAL))
    )
    real = pd.DataFrame(
        {"c": ["a"] * 150 + ["b"] * 49 + ["r"], "x": np.arange(200.0)}  # r: rare (0.5%)
    )
    synthetic = pd.DataFrame({"c": ["a"] * 100, "x": np.arange(50.0, 150.0)})
    m = generation_metrics(real, synthetic, schema, generation=3, training_rows=7)
    assert (m.categories_kept, m.categories_total) == (1, 3)
    assert (m.rare_categories_kept, m.rare_categories_total) == (0, 1)
    assert m.mean_tvd == pytest.approx(0.5 * (0.25 + 0.245 + 0.005))
    assert m.mean_ks == pytest.approx(0.25)  # the middle half: F differs by 0.25 at the ends
    assert m.std_ratio == pytest.approx(np.std(np.arange(50.0, 150.0)) / np.std(np.arange(200.0)))
    assert m.tail_coverage == 0.0  # nothing beyond the real 5th / 95th percentiles
    assert m.generation == 3
    assert m.training_rows == 7


def test_the_json_is_as_documented_and_settings_are_checked() -> None:
    table = read_table((SAMPLES / "penguins.csv").read_bytes())
    result = collapse_run(table, "cart", 3, 100, (Regime.REPLACE, Regime.MIX), mix_share=0.5)
    payload = result.to_dict()
    json.dumps(payload, allow_nan=False)
    assert set(payload["regimes"]) == {"replace", "mix"}
    first = payload["regimes"]["replace"][0]
    assert first["generation"] == 0
    assert {
        "mean_ks",
        "mean_tvd",
        "categories_kept",
        "rare_categories_kept",
        "std_ratio",
        "tail_coverage",
    } <= set(first)
    assert payload["regimes"]["mix"][1]["training_rows"] == 100  # 50 real + 50 synthetic
    with pytest.raises(SpecError, match="between 1 and 30 generations"):
        collapse_run(table, "cart", 0, 100)
    with pytest.raises(SpecError, match="real share"):
        collapse_run(table, "cart", 2, 100, mix_share=1.0)


@pytest.mark.slow
def test_runs_differ_by_training_subsample_and_band_the_plot() -> None:
    table = read_table((SAMPLES / "insurance.csv").read_bytes())
    result = collapse_run(
        table, "gaussian_copula", 3, 100, (Regime.REPLACE,), runs=3, detection=False
    )
    runs = result.runs["replace"]
    assert len(runs) == 3
    assert all(len(r) == 3 for r in runs)
    assert result.regimes["replace"] == runs[0]
    assert len({r[0].mean_ks for r in runs}) == 3  # different subsamples, different rows
    means, lows, highs = result.band("replace", "mean_ks")
    for g in range(3):
        values = [r[g].mean_ks for r in runs]
        assert means[g] == pytest.approx(np.mean(values))
        assert (lows[g], highs[g]) == (min(values), max(values))
    assert runs[0][0].training_rows == round(0.8 * len(table.df))
    payload = result.to_dict()
    assert len(payload["runs"]["replace"]) == 3
    from synth_core.present.plots import collapse_figure

    figure = collapse_figure(result, "mean_ks")
    assert figure.data[0].fill == "toself"  # the band, then the line
    assert list(figure.data[1].y) == pytest.approx(means)


@pytest.mark.slow
def test_snapshots_detection_tstr_and_the_filter_in_the_loop() -> None:
    table = read_table((SAMPLES / "insurance.csv").read_bytes())
    result = collapse_run(
        table, "gaussian_copula", 5, 150, (Regime.REPLACE,), target="smoker", quality_keep=0.5
    )
    assert result.snapshot_generations == (0, 2, 4)
    assert set(result.snapshots["replace"]) == {0, 2, 4}
    age = result.snapshots["replace"][0]["age"]
    assert len(age.edges) == 31
    assert len(age.shares) == 30
    assert sum(age.shares) + age.below + age.above == pytest.approx(1.0)
    region = result.real_snapshots["region"]
    assert set(region.labels) == {"northeast", "northwest", "southeast", "southwest"}
    assert sum(region.shares) == pytest.approx(1.0)
    assert result.test_rows > 250
    assert result.tstr_metric == "roc_auc"
    assert result.trtr is not None
    assert result.trtr > 0.9
    for m in result.regimes["replace"]:
        assert m.detection_auc is not None
        assert 0.0 <= m.detection_auc <= 1.0
        assert m.tstr is not None
    assert result.quality_keep == 0.5
    assert any("cautionary demo" in note for note in result.notes)
    from synth_core.present.plots import snapshot_figure

    figure = snapshot_figure(result, "age")
    assert len(figure.data) == 6  # real and replace, in three panels
