"""The differentially private generator (MST): bounds, budget words, refusals, and fidelity
that rises with ε."""

from __future__ import annotations

import statistics
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from synth_core import GenerationSpec, read_table, synthesize
from synth_core.data.schema import ColumnKind, ColumnSchema, Schema
from synth_core.data.table import ReadReport, Table
from synth_core.errors import GeneratorError, ParamError, SpecError
from synth_core.evaluate.fidelity import evaluate_quality
from synth_core.generate.constraints import FixedCombinations
from synth_core.generate.generators.dp import budget_words, delta_for, parse_bounds
from synth_core.generate.generators.registry import AdviceLevel
from synth_core.generate.protect.similarity import FilterSettings
from synth_core.generate.synthesize import fit_advice
from tests.helpers import SAMPLES

BOUNDS = "age=18:100; bmi=10:60; children=0:10; charges=0:70000"


def test_public_bounds_are_parsed_or_refused_in_words() -> None:
    assert parse_bounds("age=18:100; charges=0:70000") == {
        "age": ("18", "100"),
        "charges": ("0", "70000"),
    }
    assert parse_bounds("d=2012-01-01:2015-12-31") == {"d": ("2012-01-01", "2015-12-31")}
    assert parse_bounds("t=2012-01-01 00:00..2012-01-02 12:00")["t"] == (
        "2012-01-01 00:00",
        "2012-01-02 12:00",
    )
    assert parse_bounds("") == {}
    with pytest.raises(ParamError, match="column=low:high"):
        parse_bounds("age 18 100")


def test_budget_and_delta_in_words() -> None:
    assert delta_for(10_000) == pytest.approx(1e-6)
    words = budget_words(1.0, 10_000, 2, 0.1)
    assert "0.9 for learning the marginals" in words
    assert "0.1 for estimating the bounds of 2 column(s)" in words
    assert "δ = 1.0e-06" in words
    assert "none goes to preprocessing" in budget_words(1.0, 10_000, 0, 0.1)


def test_advice_offers_the_data_bounds_and_says_when_they_are_used() -> None:
    """The DP generator's advice hook (what the Generate page shows above its settings)."""
    table = read_table(SAMPLES / "insurance.csv")
    spec = GenerationSpec(generator="dp_mst", params={"public_bounds": "age=0:120"})
    advice = fit_advice(table, spec)
    levels = [a.level for a in advice]
    assert levels == [AdviceLevel.INFO, AdviceLevel.NOTE, AdviceLevel.NOTE, AdviceLevel.WARNING]
    assert "No public bounds for bmi, children, charges" in advice[-1].text
    filled = advice[-1].fix["public_bounds"]
    assert filled == "age=0:120; bmi=15:54; children=0:5; charges=1121:63771"
    assert "0.1 for estimating the bounds of 3 column(s)" in advice[1].text
    used = GenerationSpec(generator="dp_mst", params={"public_bounds": filled})
    words = [a.text for a in fit_advice(table, used)]
    assert any("bounds of bmi, children, charges are the data's own" in w for w in words)
    assert not any("No public bounds" in w for w in words)
    with pytest.raises(ParamError, match="column=low:high"):
        fit_advice(table, GenerationSpec("dp_mst", params={"public_bounds": "age"}))


def test_settings_that_break_the_guarantee_are_refused() -> None:
    spec = GenerationSpec(generator="dp_mst", params={"public_bounds": BOUNDS})
    with pytest.raises(SpecError, match="breaks the differential-privacy guarantee"):
        replace(spec, similarity_filter=FilterSettings()).validate()
    with pytest.raises(SpecError, match="Fixed combinations"):
        replace(spec, constraints=(FixedCombinations(("sex", "smoker")),)).validate()


def test_too_many_categories_and_unknown_bound_columns_are_clear_errors() -> None:
    rng = np.random.default_rng(0)
    text = pd.DataFrame(
        {"code": [f"c{i}" for i in rng.integers(0, 5000, 3000)], "x": rng.normal(size=3000)}
    ).to_csv(index=False)
    table = read_table(text.encode()).with_overrides({})
    if table.schema["code"].kind.value != "categorical":
        from synth_core.data.schema import ColumnKind, ColumnOverride

        table = table.with_overrides({"code": ColumnOverride(ColumnKind.CATEGORICAL)})
    spec = GenerationSpec(generator="dp_mst", params={"public_bounds": "x=-5:5"}, rows=10)
    with pytest.raises(GeneratorError, match="categories; MST handles at most"):
        synthesize(table, spec)
    insurance = read_table((SAMPLES / "insurance.csv").read_bytes())
    wrong = GenerationSpec(generator="dp_mst", params={"public_bounds": "height=0:3"}, rows=10)
    with pytest.raises(GeneratorError, match="'height', which is not a modelled column"):
        synthesize(insurance, wrong)


@pytest.mark.slow
def test_fidelity_rises_with_epsilon_and_bounds_hold() -> None:
    table = read_table((SAMPLES / "insurance.csv").read_bytes())
    scores: dict[float, list[float]] = {0.1: [], 10.0: []}
    for epsilon in scores:
        for seed in (0, 1):
            spec = GenerationSpec(
                generator="dp_mst",
                params={"epsilon": epsilon, "public_bounds": BOUNDS},
                rows=1000,
                seed=seed,
            )
            result = synthesize(table, spec)
            data = result.data
            assert data["age"].between(18, 100).all()
            assert data["charges"].between(0, 70000).all()
            assert data["bmi"].round(3).equals(data["bmi"])  # as the real values (22.705)
            assert any("ε = " in note and "δ = " in note for note in result.notes)
            quality = evaluate_quality(result.train, data, result.schema)
            scores[epsilon].append(quality.overall)
    weak, strong = statistics.mean(scores[0.1]), statistics.mean(scores[10.0])
    assert strong > weak + 0.03, scores


@pytest.mark.slow
def test_privacy_utility_curve_points_and_reference() -> None:
    from synth_core.experiments.curve import privacy_utility_curve
    from synth_core.present.plots import privacy_utility_figure

    table = read_table((SAMPLES / "insurance.csv").read_bytes())
    spec = GenerationSpec(
        generator="dp_mst", params={"public_bounds": BOUNDS}, rows=400, holdout_fraction=0.3
    )
    messages: list[str] = []
    curve = privacy_utility_curve(
        table,
        spec,
        epsilons=(2.0,),
        reference="cart",
        progress=lambda f, m, losses=None: messages.append(m),
    )
    assert [p.epsilon for p in curve.points] == [2.0]
    assert curve.reference is not None
    assert curve.reference.label == "cart"
    for point in (*curve.points, curve.reference):
        assert point.overall is not None
        assert 0 < point.overall <= 1
        assert point.mia_auc is not None
    assert messages[0].startswith("ε = 2")
    assert any("Reference without DP" in m for m in messages)
    figure = privacy_utility_figure(curve)
    assert len(figure.data) == 2
    with pytest.raises(SpecError, match="needs the differentially private generator"):
        privacy_utility_curve(table, GenerationSpec(generator="cart"))


def test_memory_is_estimated_and_capped_before_training() -> None:
    from synth_core.generate.generators.dp import MAX_MEMORY_GB, memory_gb

    assert memory_gb(1338, 7) == pytest.approx(1.22, abs=0.05)  # measured 1.2 GB
    assert memory_gb(32_000, 15) == pytest.approx(2.4, abs=0.1)  # measured 2.4 GB
    columns = 8
    rows = int((MAX_MEMORY_GB + 1 - 1.2) / 2.4e-6 / columns / 0.8) + 1  # 80% are training
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({f"c{i}": rng.integers(0, 9, rows) for i in range(columns)})
    schema = Schema(tuple(ColumnSchema(c, ColumnKind.NUMERICAL) for c in frame.columns))
    table = Table(
        frame, schema, ReadReport("big.csv", 0, "utf-8", None, ",", '"', True, 0, "LF", rows)
    )
    spec = GenerationSpec(
        generator="dp_mst",
        params={"public_bounds": "; ".join(f"{c}=0:10" for c in frame.columns)},
        rows=10,
        max_fit_rows=None,
    )
    with pytest.raises(GeneratorError, match="GB of memory, above the 8 GB allowed per job"):
        synthesize(table, spec)
