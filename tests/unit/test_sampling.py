"""Constraints, conditional sampling, scenario plans, streaming to files and recipes."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from synth_core import GenerationSpec, ReadOptions, read_table
from synth_core.cli import main
from synth_core.data.table import Table
from synth_core.generate.conditions import (
    ConditionError,
    RowRequest,
    ScenarioLevel,
    coverage,
    quantile_bands,
    rebalance,
    scenario_requests,
    tail,
)
from synth_core.generate.conditions import validate as validate_requests
from synth_core.generate.constraints import (
    ConstraintError,
    FixedCombinations,
    GreaterThan,
    ValueRange,
    positive,
    satisfied,
)
from synth_core.generate.recipe import Recipe, RecipeError, make_recipe, request_dicts
from synth_core.generate.spec import RulesSetting
from synth_core.generate.synthesize import FittedModel, fit, sample, sample_to_file
from tests.helpers import ROOT, SAMPLES, csv_table


@pytest.fixture(scope="module")
def insurance() -> Table:
    return read_table(SAMPLES / "insurance.csv")


@pytest.fixture(scope="module")
def cart_model(insurance: Table) -> FittedModel:
    return fit(insurance, GenerationSpec(generator="cart", seed=0))


@pytest.fixture(scope="module")
def copula_model(insurance: Table) -> FittedModel:
    return fit(insurance, GenerationSpec(generator="gaussian_copula", seed=0))


def test_constraints_are_checked_against_the_real_data(insurance: Table) -> None:
    with pytest.raises(ConstraintError, match=r"rows of the real data break 'age > bmi'"):
        fit(insurance, GenerationSpec(generator="cart", constraints=(GreaterThan("bmi", "age"),)))
    with pytest.raises(ConstraintError, match="unknown column 'height'"):
        fit(insurance, GenerationSpec(generator="cart", constraints=(positive("height"),)))
    with pytest.raises(ConstraintError, match="two numeric or two date columns"):
        fit(
            insurance, GenerationSpec(generator="cart", constraints=(GreaterThan("age", "region"),))
        )
    with pytest.raises(ConstraintError, match="categorical or boolean columns"):
        fit(
            insurance,
            GenerationSpec(generator="cart", constraints=(FixedCombinations(("age", "sex")),)),
        )
    with pytest.raises(ConstraintError, match="lower bound is above the upper one"):
        fit(insurance, GenerationSpec(generator="cart", constraints=(ValueRange("age", 60, 20),)))


def test_satisfied_checks_every_kind_of_constraint() -> None:
    real = pd.DataFrame({"a": [1.0, 2.0], "b": [2.0, 3.0], "c": ["x", "y"], "d": ["p", "q"]})
    rows = pd.DataFrame(
        {
            "a": [1.0, 5.0, 1.0, np.nan],
            "b": [2.0, 3.0, 2.0, 1.0],
            "c": ["x", "x", "y", "x"],
            "d": ["p", "p", "p", "p"],
        }
    )
    ok = satisfied(
        rows,
        (GreaterThan("a", "b"), ValueRange("b", high=2.5), FixedCombinations(("c", "d"))),
        real,
    )
    # row 2: b not above a; row 3: (y, p) never seen; row 4: a missing (allowed), b fine
    assert ok.tolist() == [True, False, False, True]


def test_cart_honours_constraints_by_rejection() -> None:
    rng = np.random.default_rng(0)
    a = rng.uniform(0, 10, 400)
    b = a + rng.uniform(0.01, 1.0, 400)
    table = csv_table(
        "a,b\n" + "\n".join(f"{x:.3f},{y:.3f}" for x, y in zip(a, b, strict=True)) + "\n"
    )
    # Without the rules found in the data (which would find and keep b > a by themselves).
    alone = GenerationSpec(generator="cart", rows=2000, seed=1, rules=RulesSetting.NONE)
    free = sample(fit(table, alone))
    assert (free.data["b"] <= free.data["a"]).any()  # CART alone breaks the rule
    spec = replace(alone, constraints=(GreaterThan("a", "b"),))
    result = sample(fit(table, spec))
    assert len(result.data) == 2000
    assert (result.data["b"] > result.data["a"]).all()


def test_rebalance_and_apportion() -> None:
    requests = rebalance("smoker", {True: 1, False: 2}, 100)
    assert [r.rows for r in requests] == [33, 67]
    assert requests[0].equals == {"smoker": True}
    with pytest.raises(ConditionError, match="Shares must be positive"):
        rebalance("smoker", {True: 0, False: 0}, 10)


def test_fixed_values_and_rebalance_through_sdv_conditions(copula_model: FittedModel) -> None:
    result = sample(
        copula_model, requests=rebalance("smoker", {True: 0.5, False: 0.5}, 400), seed=1
    )
    assert result.data["smoker"].astype(bool).mean() == 0.5
    assert result.coverage[0].real_rows == int(copula_model.train["smoker"].sum())
    only = sample(
        copula_model, requests=[RowRequest(50, {"smoker": True, "region": "northwest"})], seed=2
    )
    assert (only.data["smoker"].astype(bool) & only.data["region"].eq("northwest")).all()


def test_tails_by_rejection_with_a_note(cart_model: FittedModel) -> None:
    (request,) = tail("charges", cart_model.train["charges"], 200, upper=True, share=0.05)
    threshold = cart_model.train["charges"].quantile(0.95)
    assert request.ranges["charges"] == (threshold, None)
    result = sample(cart_model, requests=[request], seed=3)
    assert len(result.data) == 200
    assert (result.data["charges"] >= threshold).all()
    assert any("rejection sampling kept 200" in note for note in result.notes)


def test_impossible_conditions_stop_at_the_cap_and_say_so(cart_model: FittedModel) -> None:
    request = RowRequest(10, ranges={"age": (200, None)})
    result = sample(cart_model, requests=[request], seed=0)
    assert len(result.data) == 0
    assert any("Only 0 of 10 rows" in note for note in result.notes)
    assert result.coverage[0].status == "absent in the real data: extrapolation"


def test_conditions_are_validated(cart_model: FittedModel) -> None:
    with pytest.raises(ConditionError, match="never takes the value 'mars'"):
        validate_requests(
            [RowRequest(5, {"region": "mars"})], cart_model.model_schema, cart_model.train
        )
    with pytest.raises(ConditionError, match="no column 'planet'"):
        validate_requests([RowRequest(5, {"planet": 1})], cart_model.model_schema, cart_model.train)
    with pytest.raises(ConditionError, match="numeric or date column"):
        validate_requests(
            [RowRequest(5, ranges={"region": (1, 2)})], cart_model.model_schema, cart_model.train
        )


def test_scenario_plan_fills_every_leaf_and_reports_coverage(copula_model: FittedModel) -> None:
    bands = quantile_bands(copula_model.train["age"], 2)
    levels = [
        ScenarioLevel("region", values=("northeast", "southwest")),
        ScenarioLevel("smoker", values=(True, False)),
        ScenarioLevel("age", bands=bands),
    ]
    requests = scenario_requests(levels, 15)
    assert len(requests) == 8
    assert requests[0].label.startswith("region = northeast → smoker = True → age 18 to")
    result = sample(copula_model, requests=requests, seed=4)
    assert len(result.data) == 120
    assert [leaf.produced for leaf in result.coverage] == [15] * 8
    for leaf, request in zip(result.coverage, requests, strict=True):
        assert leaf.real_rows == int(request.matches(copula_model.train).sum())
    quotas = {requests[0].label: 3}
    assert [r.rows for r in scenario_requests(levels, quotas)] == [3]


def test_rare_leaves_are_marked_as_extrapolation() -> None:
    real = pd.DataFrame({"g": ["a"] * 300 + ["b"] * 2})
    leaves = coverage(
        [RowRequest(10, {"g": "a"}), RowRequest(10, {"g": "b"}), RowRequest(10, {"g": "c"})],
        [10, 10, 0],
        real,
    )
    assert [leaf.status for leaf in leaves] == [
        "covered",
        "rare in the real data: extrapolation",
        "absent in the real data: extrapolation",
    ]


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_streamed_file_equals_the_in_memory_sample(
    copula_model: FittedModel, tmp_path: Path, suffix: str
) -> None:
    path = tmp_path / f"big{suffix}"
    written = sample_to_file(copula_model, 2_500, path, seed=7, chunk_rows=1_000)
    assert written.rows == 2_500
    in_memory = sample(copula_model, rows=2_500, seed=7)
    if suffix == ".csv":
        from synth_core import csv_bytes

        assert path.read_bytes() == csv_bytes(in_memory.data, in_memory.schema)
        assert path.read_text().count("age,sex") == 1
    else:
        frame = pd.read_parquet(path)
        assert len(frame) == 2_500
        assert frame["age"].tolist() == in_memory.data["age"].tolist()


def test_ids_stay_unique_across_chunks(tmp_path: Path) -> None:
    table = csv_table("item_id,value\n" + "\n".join(f"K-{i:x}9,{i % 7}" for i in range(60)) + "\n")
    assert table.schema["item_id"].kind.value == "id"
    model = fit(table, GenerationSpec(generator="cart", seed=0))
    path = tmp_path / "ids.csv"
    sample_to_file(model, 3_000, path, chunk_rows=700)
    codes = pd.read_csv(path)["item_id"]
    assert codes.is_unique
    assert not set(codes) & set(table.df["item_id"])


def test_fit_row_cap_is_applied_with_a_notice(insurance: Table) -> None:
    model = fit(insurance, GenerationSpec(generator="cart", max_fit_rows=300))
    assert model.fit_rows == 300
    assert any("random sample of 300 of the 1,070 training rows" in note for note in model.notes)


def test_recipes_round_trip_and_reproduce(insurance: Table) -> None:
    raw = (SAMPLES / "insurance.csv").read_bytes()
    spec = GenerationSpec(
        generator="cart",
        params={"min_samples_leaf": 8},
        rows=300,
        seed=9,
        constraints=(GreaterThan("age", "charges", strict=False), positive("charges")),
        requests=tuple(rebalance("smoker", {True: 1, False: 1}, 300)),
    )
    recipe = make_recipe(
        spec, insurance, raw, ReadOptions(), {"children": "categorical"}, ["region"]
    )
    again = Recipe.from_json(recipe.to_json())
    assert again == recipe
    table = again.apply(read_table(raw, again.read_options()))
    assert table.schema["children"].kind.value == "categorical"
    assert "region" not in table.schema
    first = sample(fit(table, again.spec(table.schema)))
    second = sample(fit(table, Recipe.from_json(again.to_json()).spec(table.schema)))
    pd.testing.assert_frame_equal(first.data, second.data)
    assert first.data["smoker"].astype(bool).mean() == 0.5
    assert again.differences(raw, read_table(raw)) == []
    assert again.differences(raw + b"\n", read_table(raw)) != []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{", "not valid JSON"),
        ("[]", "must be a JSON object"),
        ('{"version": 7}', "version 7"),
        ('{"version": 1, "spice": 1}', "unknown settings: spice"),
        ('{"version": 1, "constraints": [{"type": "magic"}]}', "Unknown constraint type 'magic'"),
        ('{"version": 1, "requests": [{"equals": {}}]}', "malformed"),
        ('{"version": 1, "rows": "1000"}', "'rows' must be a whole number; got \"1000\""),
        ('{"version": 1, "rows": true}', "'rows' must be a whole number; got true"),
        ('{"version": 1, "seed": 1.5}', "'seed' must be a whole number; got 1.5"),
        ('{"version": 1, "holdout_fraction": "0.2"}', "'holdout_fraction' must be a number"),
        (
            '{"version": 1, "max_fit_rows": "all"}',
            "'max_fit_rows' must be a whole number, \"auto\" or null",
        ),
        ('{"version": 1, "params": {"epochs": [1]}}', "'params' must be an object of parameter"),
        ('{"version": 1, "params": 3}', "'params' must be an object"),
        ('{"version": 1, "dropped": "age"}', "'dropped' must be a list of column names"),
        ('{"version": 1, "kinds": {"age": 3}}', "'kinds' must be an object of column kinds"),
        ('{"version": 1, "similarity_filter": 0.05}', "'similarity_filter' must be an object"),
        ('{"version": 1, "constraints": {"type": "range"}}', "'constraints' must be a list"),
        ('{"version": 1, "generator": 5}', "'generator' must be a generator name"),
    ],
)
def test_bad_recipes_say_what_is_wrong(text: str, message: str) -> None:
    from synth_core.data.schema import Schema

    with pytest.raises((RecipeError, ConstraintError), match=message):
        Recipe.from_json(text).spec(Schema(()))


def test_recipe_naming_unknown_columns_is_refused(insurance: Table) -> None:
    with pytest.raises(RecipeError, match="column 'height'"):
        Recipe(kinds={"height": "numerical"}).apply(insurance)


def test_request_dates_survive_json() -> None:
    from synth_core.data.schema import ColumnKind, ColumnSchema, Schema
    from synth_core.generate.recipe import requests_for

    request = RowRequest(5, ranges={"when": (pd.Timestamp("2020-01-01"), None)})
    schema = Schema((ColumnSchema("when", ColumnKind.DATETIME),))
    recipe = Recipe(requests=request_dicts([request]))
    (back,) = requests_for(Recipe.from_json(recipe.to_json()).requests, schema)
    assert back.ranges["when"] == (pd.Timestamp("2020-01-01"), None)


@pytest.mark.slow
def test_cli_streams_large_outputs_and_uses_recipes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, recipe = tmp_path / "out.parquet", tmp_path / "recipe.json"
    args = [
        "generate",
        str(SAMPLES / "penguins.csv"),
        "--generator",
        "cart",
        "--rows",
        "250000",
        "--seed",
        "2",
        "--out",
        str(out),
        "--save-recipe",
        str(recipe),
    ]
    assert main(args) == 0
    assert len(pd.read_parquet(out)) == 250_000
    err = capsys.readouterr().err
    assert "Wrote 250,000 synthetic rows" in err
    assert "\r" not in err  # no progress bar when stderr is not a terminal
    again = tmp_path / "again.parquet"
    assert (
        main(
            [
                "generate",
                str(SAMPLES / "penguins.csv"),
                "--recipe",
                str(recipe),
                "--out",
                str(again),
            ]
        )
        == 0
    )
    assert pd.read_parquet(out).equals(pd.read_parquet(again))
    assert (
        main(
            [
                "generate",
                str(SAMPLES / "penguins.csv"),
                "--recipe",
                str(recipe),
                "--rows",
                "10",
                "--out",
                str(tmp_path / "few.csv"),
            ]
        )
        == 0
    )
    assert len(pd.read_csv(tmp_path / "few.csv")) == 10


def test_the_readme_recipe_example_is_valid() -> None:
    text = (ROOT / "README.md").read_text()
    block = text.split("```json\n", 1)[1].split("```", 1)[0]
    recipe = Recipe.from_json(block)
    table = recipe.apply(read_table((SAMPLES / "insurance.csv").read_bytes()))
    spec = recipe.spec(table.schema)
    assert spec.validate()["epochs"] == 100
    assert [r.rows for r in spec.requests] == [500, 200]
    assert "region" not in table.schema
    assert len(spec.constraints) == 2


def test_too_many_rows_in_memory_are_refused_before_training(
    insurance: Table, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GenerationSpec allows up to a billion rows (written to a file in chunks); synthesize()
    makes them in memory, so it refuses more than a million before it trains, not after."""
    import synth_core.generate.synthesize as pipeline
    from synth_core.errors import SpecError

    def no_training(*args: object, **kwargs: object) -> None:
        raise AssertionError("trained before refusing")

    monkeypatch.setattr(pipeline, "fit", no_training)
    spec = GenerationSpec(rows=2_000_000)
    spec.validate()  # a file of that many rows is fine
    with pytest.raises(SpecError, match=r"between 1 and 1,000,000; got 2,000,000\. For more"):
        pipeline.synthesize(insurance, spec)
