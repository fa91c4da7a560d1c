"""The quality filter (reward-model analogue): identity at q = 1, higher P(real) below it, the
effect report, and the settings in specs, recipes and the CLI."""

from __future__ import annotations

import json
from dataclasses import FrozenInstanceError, replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from synth_core import read_table
from synth_core.cli import main
from synth_core.data.encoding import Encoder
from synth_core.data.io.reader import ReadOptions
from synth_core.data.schema import Schema
from synth_core.data.table import Table
from synth_core.errors import SpecError
from synth_core.generate.protect.quality import QualityFilter, QualitySettings, QualityStats
from synth_core.generate.recipe import Recipe, make_recipe
from synth_core.generate.spec import GenerationSpec
from synth_core.generate.synthesize import fit, sample
from synth_core.workflows.measured import synthesize_measured
from tests.helpers import SAMPLES


@pytest.fixture(scope="module")
def insurance() -> Table:
    return read_table((SAMPLES / "insurance.csv").read_bytes())


def _spec(quality: QualitySettings | None) -> GenerationSpec:
    return GenerationSpec(
        generator="gaussian_copula", rows=400, holdout_fraction=0.5, quality_filter=quality, seed=3
    )


def test_keep_everything_is_the_identity(insurance: Table) -> None:
    plain = sample(fit(insurance, _spec(None))).data
    kept = sample(fit(insurance, _spec(QualitySettings(keep=1.0)))).data
    pd.testing.assert_frame_equal(plain, kept)


def test_a_smaller_share_raises_p_real_of_the_kept_rows(insurance: Table) -> None:
    model = fit(insurance, _spec(QualitySettings(keep=0.25)))
    result = sample(model)
    assert len(result.data) == 400  # 1,600 drawn, the best 400 kept
    quality = model.quality_filter
    assert quality is not None
    assert result.quality_stats is not None
    assert result.quality_stats.seen == 1600
    assert result.quality_stats.kept == 400
    again = sample(model)  # the model is a value: a second run counts afresh, same rows
    assert again.quality_stats == result.quality_stats
    pd.testing.assert_frame_equal(again.data, result.data)
    with pytest.raises(FrozenInstanceError):
        model.quality_filter = None  # type: ignore[misc]
    unfiltered = sample(model, quality_filter=False).data
    names = model.model_schema.names
    kept_scores = quality.scores(result.data[names])
    plain_scores = quality.scores(unfiltered[names])
    assert kept_scores.mean() > plain_scores.mean() + 0.1
    assert np.median(kept_scores) > np.quantile(plain_scores, 0.7)
    assert any("Quality filter: kept 400 of 1,600" in note for note in result.notes)


def test_the_threshold_keeps_rows_at_or_above_it(insurance: Table) -> None:
    model = fit(insurance, _spec(QualitySettings(threshold=0.4)))
    result = sample(model)
    assert model.quality_filter is not None
    assert len(result.data) == 400
    scores = model.quality_filter.scores(result.data[model.model_schema.names])
    assert scores.min() >= 0.4


class _Fixed:
    """A classifier whose P(real) is the row's 'x' value."""

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        return np.column_stack([1 - x[:, 0], x[:, 0]])


def test_keep_takes_the_best_rows_in_their_drawn_order() -> None:
    frame = pd.DataFrame({"x": [0.1, 0.9, 0.5, 0.7, 0.3, 0.9]})
    schema = read_table(b"x\n0.1\n0.2\n").schema
    quality = QualityFilter(
        QualitySettings(keep=0.5), Encoder(frame, Schema(tuple(schema)), ["x"]), _Fixed(), 0.5
    )
    kept, stats = quality.keep(frame, wanted=3)
    assert kept.tolist() == [False, True, False, True, False, True]
    assert stats == QualityStats(6, 3, pytest.approx(3.4), pytest.approx(2.5))
    by_threshold = replace(quality, settings=QualitySettings(threshold=0.5))
    assert by_threshold.keep(frame)[0].tolist() == [False, True, True, True, False, True]


def test_the_effect_shows_fidelity_gain_and_diversity_cost(insurance: Table) -> None:
    effect = synthesize_measured(insurance, _spec(QualitySettings(keep=0.2))).effect
    assert effect is not None
    assert effect.rows == 400
    assert effect.after.mean_p_real > effect.before.mean_p_real
    assert effect.after.detection_auc is not None
    assert effect.before.detection_auc is not None
    assert effect.after.detection_auc < effect.before.detection_auc
    assert effect.before.dcr_share is not None
    assert effect.after.dcr_share is not None
    assert effect.after.categories_total == effect.before.categories_total == 8
    assert json.loads(json.dumps(effect.to_dict()))["after"]["fidelity"] == effect.after.fidelity
    assert "holdout" in effect.reference
    assert synthesize_measured(insurance, _spec(None)).effect is None


def test_settings_are_checked_and_refused_with_dp(insurance: Table) -> None:
    for bad in (QualitySettings(keep=0.0), QualitySettings(keep=1.5), QualitySettings(threshold=1)):
        with pytest.raises(SpecError):
            _spec(bad).validate()
    with pytest.raises(SpecError, match="differential-privacy"):
        GenerationSpec(generator="dp_mst", quality_filter=QualitySettings()).validate()


def test_recipe_and_cli_carry_the_filter(insurance: Table, tmp_path: Path) -> None:
    spec = _spec(QualitySettings(keep=0.4))
    recipe = make_recipe(spec, insurance, b"", ReadOptions(), {}, ())
    again = Recipe.from_json(recipe.to_json())
    assert again.spec(insurance.schema).quality_filter == QualitySettings(keep=0.4)
    out = tmp_path / "out.csv"
    code = main(
        [
            "generate",
            str(SAMPLES / "insurance.csv"),
            "--rows",
            "200",
            "--quality-keep",
            "0.5",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    assert len(pd.read_csv(out)) == 200
