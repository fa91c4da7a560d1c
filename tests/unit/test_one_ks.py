"""One KS and one TVD: the collapse lab, the quality filter's effect and the Fidelity page
measure the same distances on the same tables (they once used scipy's KS without SDMetrics'
corrections in the collapse lab, and disagreed with the Fidelity page)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from synth_core import read_table
from synth_core.evaluate.diversity import generation_metrics
from synth_core.evaluate.fidelity import evaluate_fidelity
from synth_core.generate.protect.quality import QualitySettings
from synth_core.generate.spec import GenerationSpec
from synth_core.workflows.measured import synthesize_measured
from tests.helpers import SAMPLES


def _page_distances(real: pd.DataFrame, synthetic: pd.DataFrame, schema) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """The mean KS and TV distances behind the Fidelity page's column scores."""
    report = evaluate_fidelity(real, synthetic, schema, detection=False)
    ks = [c.shape.distance for c in report.columns if c.shape.metric == "KSComplement"]
    tvd = [c.shape.distance for c in report.columns if c.shape.metric == "TVComplement"]
    for column in report.columns:  # the page shows 1 - distance as the column's score
        assert column.shape.score == pytest.approx(1 - column.shape.distance)
    return float(np.mean(ks)), float(np.mean(tvd))


@pytest.mark.slow
def test_collapse_lab_filter_effect_and_fidelity_page_agree() -> None:
    table = read_table((SAMPLES / "seattle-weather.csv").read_bytes())
    spec = GenerationSpec(
        generator="cart",
        rows=400,
        seed=3,
        holdout_fraction=0.3,
        quality_filter=QualitySettings(keep=0.5),
    )
    measured = synthesize_measured(table, spec)
    effect, model = measured.effect, measured.result.model
    assert effect is not None
    schema, names = model.model_schema, model.model_schema.names
    every_real = pd.concat([model.train[names], model.holdout[names]], ignore_index=True)
    rows = measured.result.data[names]

    page_ks, page_tvd = _page_distances(every_real, rows, schema)
    collapse = generation_metrics(every_real, rows, schema)
    assert collapse.mean_ks == pytest.approx(page_ks, abs=1e-12)
    assert collapse.mean_tvd == pytest.approx(page_tvd, abs=1e-12)
    assert effect.after.mean_ks == pytest.approx(page_ks, abs=1e-12)
    assert effect.after.mean_tvd == pytest.approx(page_tvd, abs=1e-12)
    assert 0 < page_ks < 1
    assert 0 < page_tvd < 1
