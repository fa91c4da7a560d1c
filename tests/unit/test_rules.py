"""Rules the data keeps: found (and near misses not found), kept at generation, checked in the
evaluation, in recipes and on the command line."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from synth_core import Table, read_table
from synth_core.cli import main
from synth_core.data.io.reader import ReadOptions
from synth_core.data.schema import ColumnKind, ColumnSchema, Schema
from synth_core.evaluate.fidelity import evaluate_fidelity
from synth_core.evaluate.fidelity.rules import check_rules
from synth_core.generate import constraints as rules
from synth_core.generate.constraints import (
    ConstraintError,
    Determines,
    FixedCombinations,
    FixedGap,
    GreaterThan,
    MissingOnlyWhen,
    MissingTogether,
    SumOf,
    ValueRange,
)
from synth_core.generate.discover import MIN_SUPPORT, Discovery, discover
from synth_core.generate.recipe import Recipe, make_recipe
from synth_core.generate.spec import GenerationSpec, RulesSetting
from synth_core.generate.synthesize import _learnt, synthesize
from tests.helpers import ZONES, taxi_csv


def found(frame: pd.DataFrame) -> Discovery:
    table = read_table(frame.to_csv(index=False).encode())
    return discover(table.df, table.schema)


def texts(discovery: Discovery, *, bounds: bool = False) -> set[str]:
    return {r.text for r in discovery.rules if bounds or r.kind != "bounds"}


@pytest.fixture(scope="module")
def taxi() -> Table:
    return read_table(taxi_csv(800))


# -- discovery --------------------------------------------------------------------------------


def test_discovery_finds_the_planted_taxi_rules_and_no_others(taxi: Table) -> None:
    discovery = discover(taxi.df, taxi.schema)
    assert texts(discovery) == {
        "dropoff is after pickup",
        "each zone has one borough",
        "total = fare + tip + tolls (a missing part counts as zero)",
        "tip is missing exactly when payment is cash",
        # True in the generator that made the table: fare is 2.50 plus 0.40-0.70 a minute,
        # distance 0.1-0.4 miles a minute; a total is never below its fare.
        "fare > distance",
        "total > distance",
        "total ≥ fare",
    }
    assert all(r.exact for r in discovery.rules)
    kinds = {r.constraint for r in discovery.rules}
    assert GreaterThan("pickup", "dropoff", strict=True) in kinds
    assert Determines("zone", "borough") in kinds
    assert MissingOnlyWhen("tip", "payment", "cash", exactly=True) in kinds
    assert "subset checks" in discovery.searched


def test_bounds_say_whole_numbers_ranges_and_never_negative(taxi: Table) -> None:
    bounds = {r.text for r in discover(taxi.df, taxi.schema).rules if r.kind == "bounds"}
    assert "passengers is a whole number from 1 to 4 (never negative)" in bounds
    assert "tolls is a number from 0 to 6.55 (never negative)" in bounds


def test_the_bundled_tables_keep_only_their_real_rules(
    insurance: Table, penguins: Table, weather: Table
) -> None:
    assert texts(discover(insurance.df, insurance.schema)) == set()
    penguin_rules = texts(discover(penguins.df, penguins.schema))
    assert penguin_rules == {
        "only 5 of the 9 combinations of species and island occur "
        "(4 that would be common if they were unrelated never do)"
    }
    assert texts(discover(weather.df, weather.schema)) == {"temp_max > temp_min"}


def _people(rows: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "age": rng.integers(30, 90, rows),
            "children": rng.integers(0, 6, rows),
            "score": rng.normal(0, 1, rows).round(3),
            "other": rng.normal(0, 1, rows).round(3),
        }
    )


def test_an_order_that_holds_by_accident_or_with_exceptions_is_not_reported() -> None:
    frame = _people(500)
    # children ≤ age in every row, but the ranges never overlap: it says nothing.
    assert not any(r.kind == "order" for r in found(frame).rules)
    frame["high"] = frame["score"] + np.abs(np.random.default_rng(1).normal(0, 1, 500))
    assert "high > score" in texts(found(frame))
    frame.loc[:9, "high"] = frame.loc[:9, "score"] - 1  # 2% of the rows break it
    assert not any(r.kind == "order" for r in found(frame).rules)


def test_a_rule_with_one_exception_in_thousands_is_reported_and_not_kept() -> None:
    frame = _people(2_000)
    frame["high"] = frame["score"] + 0.5
    frame["high"] += np.random.default_rng(2).uniform(0, 1, 2_000).round(3)
    frame.loc[7, "high"] = frame.loc[7, "score"] - 1
    discovery = found(frame)
    (order,) = [r for r in discovery.rules if r.kind == "order"]
    assert (order.exceptions, order.rows) == (1, 2_000)
    assert order.evidence() == "holds in 1,999 of 2,000 rows"
    assert order.constraint not in discovery.constraints()


def test_a_constant_gap_is_found_in_dates_and_numbers() -> None:
    rng = np.random.default_rng(3)
    check_in = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 300, 200), "D")
    frame = pd.DataFrame(
        {
            "check_in": check_in.strftime("%Y-%m-%d"),
            "check_out": (check_in + pd.Timedelta(days=1)).strftime("%Y-%m-%d"),
            "price": rng.integers(50, 500, 200),
        }
    )
    frame["price_with_fee"] = frame["price"] + 25
    assert texts(found(frame)) == {
        "check_out is always 1 day after check_in",
        "price_with_fee = price + 25",
    }
    gap = next(r.constraint for r in found(frame).rules if r.kind == "gap")
    assert gap == FixedGap("check_in", "check_out", 86_400.0, 0.5)


def test_dependencies_need_support_repeats_and_no_exceptions() -> None:
    rng = np.random.default_rng(4)
    zones = rng.choice(list(ZONES), 400)
    frame = pd.DataFrame({"zone": zones, "borough": [ZONES[z] for z in zones]})
    frame["noise"] = rng.choice(["a", "b", "c"], 400)
    assert texts(found(frame)) == {"each zone has one borough"}
    # Fewer rows than the minimum support: nothing.
    assert texts(found(frame.head(MIN_SUPPORT - 1))) == set()
    # A few exceptions (1%): not a rule.
    broken = frame.copy()
    broken.loc[:3, "borough"] = "Staten Island"
    assert "each zone has one borough" not in texts(found(broken))
    # A source that is nearly unique (each value once or twice) determines anything by chance.
    unique = pd.DataFrame({"code": [f"c{i // 2 if i < 20 else i}" for i in range(200)]})
    unique["flag"] = rng.choice(["x", "y"], 200)
    assert texts(found(unique)) == set()


def test_a_one_to_one_pair_is_reported_once_and_chains_are_pruned() -> None:
    rng = np.random.default_rng(5)
    zones = rng.choice(list(ZONES), 500)
    codes = {z: f"Z{i:02d}" for i, z in enumerate(ZONES)}
    frame = pd.DataFrame(
        {"zone": zones, "code": [codes[z] for z in zones], "borough": [ZONES[z] for z in zones]}
    )
    rules_found = texts(found(frame))
    one_to_one = [t for t in rules_found if "one to one" in t]
    assert len(one_to_one) == 1
    assert "code" in one_to_one[0]
    assert "zone" in one_to_one[0]
    # zone → borough and code → borough: one of them is implied by the other two.
    assert len([t for t in rules_found if t.endswith("has one borough")]) == 1


def test_sums_within_rounding_are_found_and_off_sums_are_not() -> None:
    rng = np.random.default_rng(6)
    frame = pd.DataFrame(
        {
            "fare": rng.uniform(3, 50, 300).round(2),
            "tip": rng.uniform(0, 10, 300).round(2),
            "tolls": rng.choice([0.0, 6.55], 300),
            "other": rng.uniform(0, 5, 300).round(2),
        }
    )
    frame["total"] = (frame["fare"] + frame["tip"] + frame["tolls"]).round(2)
    assert "total = fare + tip + tolls" in texts(found(frame))
    off = frame.copy()
    off.loc[:29, "total"] += 1.0  # 10% of the totals are a dollar off
    assert not any(r.kind == "sum" for r in found(off).rules)


def test_the_sum_search_reports_its_budget() -> None:
    rng = np.random.default_rng(7)
    frame = pd.DataFrame({f"c{i}": rng.normal(0, 1, 100).round(2) for i in range(12)})
    discovery = found(frame)
    assert not any(r.kind == "sum" for r in discovery.rules)
    assert "every subset of up to 4 parts" in discovery.searched
    assert "budget 2,000,000" in discovery.searched


def test_missing_together_and_only_when() -> None:
    rng = np.random.default_rng(8)
    rows = 300
    employed = rng.random(rows) < 0.6
    salary = np.where(employed, rng.integers(20, 90, rows) * 1000.0, np.nan)
    employer = np.where(employed, rng.choice(["acme", "globex"], rows), None)
    frame = pd.DataFrame(
        {
            "status": np.where(employed, "employed", "unemployed"),
            "salary": salary,
            "employer": employer,
            "bonus": np.where(employed & (rng.random(rows) < 0.5), 1000.0, np.nan),
        }
    )
    rules_found = texts(found(frame))
    assert "salary and employer are missing in the same 118 rows" in rules_found or any(
        t.startswith("salary and employer are missing in the same") for t in rules_found
    )
    assert "salary is missing exactly when status is unemployed" in rules_found
    # bonus is missing in every unemployed row and in half the others: not "exactly".
    assert not any(t.startswith("bonus is missing exactly") for t in rules_found)
    assert not any("bonus and" in t for t in rules_found)


def test_independent_categories_make_no_combination_rule() -> None:
    rng = np.random.default_rng(9)
    frame = pd.DataFrame(
        {"a": rng.choice(list("pqrs"), 1_000), "b": rng.choice(list("xyz"), 1_000)}
    )
    assert texts(found(frame)) == set()


def test_id_and_personal_data_columns_are_skipped() -> None:
    rng = np.random.default_rng(10)
    frame = pd.DataFrame(
        {
            "customer_id": [f"C{i:06d}" for i in range(200)],
            "email": [f"user{i}@example.com" for i in range(200)],
            "plan": rng.choice(["basic", "pro"], 200),
        }
    )
    discovery = found(frame)
    assert not any(name in ("customer_id", "email") for r in discovery.rules for name in r.columns)


# -- constraints: check, repair, JSON -----------------------------------------------------------


def test_new_constraints_check_and_repair_rows(taxi: Table) -> None:
    real = taxi.df
    rows = real.head(4).copy()
    rows["borough"] = "Bronx"
    rows["total"] = 1.0
    determines, total = Determines("zone", "borough"), SumOf("total", ("fare", "tip", "tolls"))
    assert not rules.holds(determines, rows, real).all()
    assert not rules.holds(total, rows, real).any()
    repaired = rules.repair(rows, (determines, total), real, taxi.schema)
    assert list(repaired["borough"]) == [ZONES[z] for z in rows["zone"]]
    expected = (rows["fare"] + rows["tip"].fillna(0) + rows["tolls"]).round(2)
    assert np.allclose(repaired["total"].astype(float), expected)
    assert rules.holds(determines, repaired, real).all()
    assert rules.holds(total, repaired, real).all()


def test_missing_rules_repair_rows() -> None:
    frame = pd.DataFrame(
        {
            "status": ["employed", "unemployed", "employed", "unemployed", "employed"],
            "salary": [np.nan, 10.0, 30.0, np.nan, 40.0],
            "employer": ["acme", None, None, None, "globex"],
        }
    )
    only = MissingOnlyWhen("salary", "status", "unemployed", exactly=True)
    together = MissingTogether(("salary", "employer"))
    assert list(only.holds(frame)) == [False, False, True, True, True]
    fixed = only.repair(frame)
    assert list(only.holds(fixed)) == [True] * 5
    # The missing salary is taken from another employed row; the unemployed one's removed.
    assert fixed["salary"].iloc[0] in (30.0, 40.0)
    assert np.isnan(fixed["salary"].iloc[1])
    assert list(together.holds(frame)) == [False, False, False, True, True]
    repaired = together.repair(frame)
    assert together.holds(repaired).all()
    assert repaired["employer"].iloc[2] == "globex"


def test_a_gap_repairs_dates() -> None:
    frame = pd.DataFrame(
        {
            "check_in": pd.to_datetime(["2024-01-01", "2024-02-03"]),
            "check_out": pd.to_datetime(["2024-01-05", "2024-02-01"]),
        }
    )
    gap = FixedGap("check_in", "check_out", 86_400.0)
    assert not gap.holds(frame).any()
    fixed = gap.repair(frame)
    assert list(fixed["check_out"].dt.strftime("%Y-%m-%d")) == ["2024-01-02", "2024-02-04"]


@pytest.mark.parametrize(
    "constraint",
    [
        FixedGap("a", "b", 3600.0, 0.5),
        Determines("zone", "borough"),
        SumOf("total", ("fare", "tip"), 0.005),
        MissingTogether(("a", "b")),
        MissingOnlyWhen("tip", "payment", "cash", exactly=True),
    ],
)
def test_new_constraints_round_trip_through_json(constraint: rules.Constraint) -> None:
    assert rules.from_dict(json.loads(json.dumps(rules.to_dict(constraint)))) == constraint


def test_constraints_of_the_wrong_kind_are_refused(taxi: Table) -> None:
    with pytest.raises(ConstraintError, match="numeric columns"):
        rules.check(SumOf("total", ("fare", "zone")), taxi.schema)
    with pytest.raises(ConstraintError, match="at least two other columns"):
        rules.check(SumOf("total", ("fare",)), taxi.schema)
    with pytest.raises(ConstraintError, match="real data break"):
        rules.validate((Determines("borough", "zone"),), taxi.schema, taxi.df)


# -- kept at generation -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def taxi_discovery(taxi: Table) -> Discovery:
    return discover(taxi.df, taxi.schema)


def broken_shares(discovery: Discovery, data: pd.DataFrame, real: pd.DataFrame) -> list[float]:
    return [1 - rules.holds(r.constraint, data, real).mean() for r in discovery.exact]


@pytest.mark.slow
def test_rules_are_kept_by_default_and_not_with_none(
    taxi: Table, taxi_discovery: Discovery
) -> None:
    kept = synthesize(taxi, GenerationSpec(generator="gaussian_copula", rows=400))
    assert max(broken_shares(taxi_discovery, kept.data, kept.train)) == 0
    assert any("rule(s) found in every training row are kept" in n for n in kept.notes)
    assert Determines("zone", "borough") in kept.model.rules
    free = synthesize(
        taxi, GenerationSpec(generator="gaussian_copula", rows=400, rules=RulesSetting.NONE)
    )
    assert free.model.rules == ()
    assert max(broken_shares(taxi_discovery, free.data, free.train)) > 0.1


# -- checked in the evaluation --------------------------------------------------------------------


def test_rule_checks_count_breaking_rows_by_hand() -> None:
    rng = np.random.default_rng(11)
    real = pd.DataFrame({"low": rng.normal(0, 1, 200).round(3)})
    real["high"] = (real["low"] + rng.uniform(0.1, 1, 200)).round(3)
    table = read_table(real.to_csv(index=False).encode())
    synthetic = table.df.head(10).copy()
    synthetic.loc[[2, 5, 7], "high"] = synthetic.loc[[2, 5, 7], "low"] - 1
    report = check_rules(table.df, synthetic, table.schema)
    (order,) = [c for c in report.checks if c.kind == "order"]
    assert (order.violations, order.synthetic_share, order.real_share) == (3, 0.3, 0.0)
    assert order.examples.index.size == 3
    assert list(order.examples.columns) == ["low", "high"]
    assert report.checks[0] is order  # worst first


def test_evaluate_json_has_validity_rules(taxi: Table) -> None:
    synthetic = taxi.df.copy()
    synthetic["borough"] = synthetic["borough"].iloc[::-1].to_numpy()
    payload = evaluate_fidelity(taxi.df, synthetic, taxi.schema, detection=False).to_dict()
    entries = {r["rule"]: r for r in payload["validity"]["rules"]}
    zone = entries["each zone has one borough"]
    broken = (synthetic["borough"] != synthetic["zone"].map(ZONES)).sum()
    assert zone["violations"] == broken
    assert zone["synthetic_share"] == pytest.approx(broken / len(synthetic))
    assert zone["real_share"] == 0
    assert set(zone) >= {"rule", "kind", "columns", "real_share", "synthetic_share", "violations"}
    assert payload["validity"]["rules"][0]["rule"] == "each zone has one borough"
    json.dumps(payload, allow_nan=False)


# -- recipes and the command line -----------------------------------------------------------------


def test_recipes_store_the_rules_setting(taxi: Table) -> None:
    raw = taxi_csv(800)
    spec = GenerationSpec(rules=RulesSetting.NONE)
    saved = make_recipe(spec, taxi, raw, ReadOptions(), {}, ())
    recipe = Recipe.from_json(saved.to_json())
    assert recipe.spec(taxi.schema).rules is RulesSetting.NONE
    assert Recipe.from_json(json.dumps({"version": 1, "rules": "auto"})).rules == "auto"
    # Recipes saved before rules were kept reproduce their rows without them.
    assert Recipe.from_json(json.dumps({"version": 1})).spec(taxi.schema).rules == "none"


@pytest.mark.slow
def test_cli_rules_and_generate_with_and_without_rules(tmp_path: Path) -> None:
    source = tmp_path / "taxi.csv"
    source.write_bytes(taxi_csv(400))
    out = tmp_path / "rules.json"
    assert main(["rules", str(source), "--json", str(out)]) == 0
    payload = json.loads(out.read_text())
    assert "each zone has one borough" in {r["rule"] for r in payload["rules"]}
    assert payload["settings"]["min_support"] == MIN_SUPPORT
    kept = next(r for r in payload["rules"] if r["kind"] == "dependency")
    assert kept["constraint"] == {"type": "determines", "source": "zone", "target": "borough"}
    for setting in ("auto", "none"):
        synthetic = tmp_path / f"{setting}.csv"
        args = ["generate", str(source), "--out", str(synthetic), "--rows", "300"]
        assert main([*args, "--generator", "gaussian_copula", "--rules", setting]) == 0
        rows = pd.read_csv(synthetic)
        wrong = (rows["borough"] != rows["zone"].map(ZONES)).mean()
        assert (wrong == 0) if setting == "auto" else (wrong > 0.1)
    evaluation = tmp_path / "evaluation.json"
    assert (
        main(
            [
                "evaluate",
                str(source),
                str(tmp_path / "none.csv"),
                "--no-detection",
                "--no-privacy",
                "--json",
                str(evaluation),
            ]
        )
        == 0
    )
    checks = json.loads(evaluation.read_text())["validity"]["rules"]
    assert max(c["synthetic_share"] for c in checks) > 0.1


def test_fixed_combinations_are_kept_for_penguins(penguins: Table) -> None:
    result = synthesize(penguins, GenerationSpec(generator="gaussian_copula", rows=300))
    assert FixedCombinations(("species", "island")) in result.model.rules
    seen = set(map(tuple, penguins.df[["species", "island"]].dropna().to_numpy()))
    made = set(map(tuple, result.data[["species", "island"]].dropna().to_numpy()))
    assert made <= seen


def test_value_ranges_found_are_real_min_and_max(insurance: Table) -> None:
    bounds = [r.constraint for r in discover(insurance.df, insurance.schema).rules]
    assert ValueRange("age", 18.0, 64.0) in bounds


def test_an_unseen_combination_is_redrawn_from_real_rows_keeping_the_richer_column() -> None:
    real = pd.DataFrame(
        {
            "species": ["Gentoo"] * 4 + ["Adelie"] * 4 + ["Chinstrap"] * 2 + ["Emperor"] * 2,
            "island": ["Biscoe"] * 4 + ["Biscoe", "Dream", "Dream", "Torgersen"] + ["Dream"] * 4,
        }
    )
    rows = pd.DataFrame(
        {
            "species": ["Gentoo", "Chinstrap", "Adelie", "Gentoo", None],
            "island": ["Dream", "Torgersen", "Dream", "Biscoe", "Torgersen"],
        }
    )
    combination = FixedCombinations(("species", "island"))
    repaired = rules.repair(rows, (combination,), real, Schema(()))
    # species has 4 categories, island 3: species is kept, island drawn from its real rows.
    assert list(repaired["species"].iloc[:4]) == ["Gentoo", "Chinstrap", "Adelie", "Gentoo"]
    assert list(repaired["island"].iloc[:4]) == ["Biscoe", "Dream", "Dream", "Biscoe"]
    assert repaired["island"].iloc[4] == "Torgersen"  # a missing value: left to rejection
    again = rules.repair(rows, (combination,), real, Schema(()))
    pd.testing.assert_frame_equal(repaired, again)  # the same rows give the same repair


@pytest.mark.slow
def test_only_close_order_rules_are_given_to_the_generator(taxi: Table, weather: Table) -> None:
    taxi_model = synthesize(taxi, GenerationSpec(generator="gaussian_copula", rows=50)).model
    order = GreaterThan("pickup", "dropoff", strict=True)
    assert order in taxi_model.rules
    assert order in _learnt((), taxi_model.rules, taxi_model.train)  # minutes within a month
    weather_model = synthesize(weather, GenerationSpec(generator="gaussian_copula", rows=50)).model
    temperatures = GreaterThan("temp_min", "temp_max", strict=True)
    assert temperatures in weather_model.rules
    assert _learnt((), weather_model.rules, weather_model.train) == ()  # degrees apart


def test_crossed_orders_are_swapped_and_mixed_types_left_to_rejection() -> None:
    rows = pd.DataFrame({"low": [1.0, 5.0, 2.0], "high": [2.0, 3.0, 2.0], "n": [1, 9, 2]})
    order = GreaterThan("low", "high", strict=True)
    repaired = rules.repair(rows, (order,), rows, Schema(()))
    assert repaired[["low", "high"]].to_numpy().tolist() == [[1, 2], [3, 5], [2, 2]]
    assert list(rules.holds(order, repaired, rows)) == [True, True, False]  # equal: rejected
    mixed = rows.assign(n=pd.array([0, 9, 2], dtype="Int64"))  # row 0: n below low
    unchanged = rules.repair(mixed, (GreaterThan("low", "n"),), mixed, Schema(()))
    pd.testing.assert_frame_equal(unchanged, mixed)


def test_orders_are_not_swapped_on_the_columns_of_a_sum() -> None:
    rows = pd.DataFrame({"fare": [10.0, 8.0], "tip": [1.0, 2.0], "total": [5.0, 10.0]})
    total = SumOf("total", ("fare", "tip"))
    order = GreaterThan("fare", "total")  # total ≥ fare
    money = Schema(tuple(ColumnSchema(n, ColumnKind.NUMERICAL, decimals=2) for n in rows.columns))
    repaired = rules.repair(rows, (order, total), rows, money)
    # The total is recomputed (11, 10); the fare keeps its value, not the old total's.
    assert repaired.to_numpy().tolist() == [[10.0, 1.0, 11.0], [8.0, 2.0, 10.0]]


# -- rules that are true (issue 23) -----------------------------------------------------------


def test_whole_numbers_one_apart_are_not_equal_and_an_implication_is_an_order() -> None:
    """0/1 columns whose difference is 0 or 1 were reported as "b = a + 0"; a count off by one
    in some rows as a sum. Whole numbers are compared exactly."""
    rng = np.random.default_rng(0)
    recid = (rng.random(2_000) < 0.48).astype(int)
    violent = recid * (rng.random(2_000) < 0.24)
    priors = rng.negative_binomial(1, 0.22, 2_000)
    # priors_count = violent + priors_count_2 holds only where violent is 0: no sum.
    frame = pd.DataFrame(
        {
            "is_recid": recid,
            "is_violent_recid": violent,
            "priors_count": priors,
            "priors_count_2": priors,
        }
    )
    discovery = found(frame)
    assert texts(discovery) == {
        "is_violent_recid is 1 only where is_recid is 1 (an implication, not an equality: "
        "is_recid ≥ is_violent_recid)",
        "priors_count_2 is a copy of priors_count (equal in every row)",
    }
    assert discovery.rules
    assert all(r.exact for r in discovery.rules)


def test_decimals_one_unit_apart_are_not_a_constant_gap() -> None:
    rng = np.random.default_rng(1)
    low = rng.integers(100, 900, 500) / 100
    frame = pd.DataFrame({"low": low, "high": np.round(low + 2 + rng.choice([0, 0.01], 500), 2)})
    assert not [r for r in found(frame).rules if r.kind in ("gap", "copy")]


@pytest.fixture(scope="module")
def compas() -> Table:
    from tests.real_like import compas_csv

    return read_table(compas_csv(3_000))


def test_compas_like_table_gets_only_true_rules_and_every_rule_holds_in_every_real_row(
    compas: Table,
) -> None:
    discovery = discover(compas.df, compas.schema)
    kept = texts(discovery)
    assert "decile_score.1 is a copy of decile_score (equal in every row)" in kept
    assert "priors_count.1 is a copy of priors_count (equal in every row)" in kept
    assert any(t.startswith("is_violent_recid is 1 only where is_recid is 1") for t in kept)
    assert any(t.startswith("two_year_recid is 1 only where is_recid is 1") for t in kept)
    # The planted near-agreements (event ~ is_recid in 90% of rows) are no rule at all.
    assert not [r for r in discovery.rules if r.kind in ("sum", "gap")]
    assert not [t for t in kept if "event" in t]
    for rule in discovery.rules:
        broken = ~rules.holds(rule.constraint, compas.df, compas.df)
        assert int(broken.sum()) == rule.exceptions, rule.text
    # What generation checks first: the real rows break none of the kept rules.
    schema = Schema(
        tuple(c for c in compas.schema if c.kind not in (ColumnKind.ID, ColumnKind.PII))
    )
    rules.validate(discovery.constraints(), schema, compas.df)


def test_screening_leaves_out_a_rule_whose_repair_would_collapse_a_column() -> None:
    """A false 'is_violent_recid equals is_recid' repaired on a model's rows would set the
    rarer column to the other's values; screening measures that and leaves the rule out."""
    from synth_core.generate.screen import screen

    rng = np.random.default_rng(0)
    real = pd.DataFrame({"is_recid": (rng.random(3_000) < 0.48).astype(int)})
    real["is_violent_recid"] = real["is_recid"] * (rng.random(3_000) < 0.24)
    real["priors"] = rng.poisson(3, 3_000)
    real["priors_copy"] = real["priors"]
    draw = real.sample(frac=1.0, random_state=1, replace=True).reset_index(drop=True)
    draw["priors_copy"] = rng.poisson(3, len(draw))  # a model that learnt the copy loosely
    schema = Schema(tuple(ColumnSchema(c, ColumnKind.NUMERICAL, integer=True) for c in real))
    false_rule = FixedGap("is_recid", "is_violent_recid", 0.0)
    copy = FixedGap("priors", "priors_copy", 0.0)
    kept, skipped = screen([false_rule, copy], draw, real, schema)
    assert kept == (copy,)
    assert [s.constraint for s in skipped] == [false_rule]
    assert skipped[0].column == "is_violent_recid"
    assert "'is_violent_recid' away from the real column" in skipped[0].describe()


def test_the_notes_count_what_each_rule_changed_in_the_rows_delivered(taxi: Table) -> None:
    result = synthesize(taxi, GenerationSpec(generator="cart", rows=500, seed=0))
    note = next(n for n in result.notes if n.startswith("Rules kept by repair"))
    # Every count is of the 500 rows delivered, never of rows drawn and thrown away.
    counts = [int(m.replace(",", "")) for m in re.findall(r"in ([\d,]+) of 500 rows", note)]
    assert counts
    assert all(0 < c <= 500 for c in counts)
    assert "'total = fare + tip + tolls' changed" in note


def test_a_rare_class_halved_by_a_repair_is_caught_by_its_share() -> None:
    """Swapping crossed pairs within the row took a 10% violent class to 6%: 0.05 in total
    variation distance, which chance explains at 2,000 rows; its share, in standard errors,
    does not (the screening's test for columns of few values)."""
    from synth_core.data.marginals import Z_CHANCE, chance_distance, column_distance, share_z
    from synth_core.generate.screen import _worst

    rng = np.random.default_rng(2)
    real = pd.DataFrame({"is_violent_recid": (rng.random(2_400) < 0.105).astype(int)})
    draw = pd.DataFrame({"is_violent_recid": (rng.random(3_000) < 0.105).astype(int)})
    halved = draw.copy()
    ones = np.flatnonzero(halved["is_violent_recid"].to_numpy() == 1)
    halved.loc[ones[: len(ones) // 2], "is_violent_recid"] = 0
    column = real["is_violent_recid"]
    moved = column_distance(column, halved["is_violent_recid"], False) - column_distance(
        column, draw["is_violent_recid"], False
    )
    assert moved < chance_distance(len(real), len(halved))  # total variation: chance
    assert share_z(column, halved["is_violent_recid"]) > Z_CHANCE  # shares: not chance
    schema = Schema((ColumnSchema("is_violent_recid", ColumnKind.NUMERICAL, integer=True),))
    rule = ValueRange("is_violent_recid", 0, 1)
    worst = _worst(rule, draw, halved, real, schema)
    assert worst is not None
    assert "standard errors" in worst.describe()


def test_an_implication_on_flags_is_mended_across_rows_keeping_both_shares() -> None:
    """A violent reoffence without a reoffence, beside a reoffence without violence, become a
    violent reoffence and a plain one: both columns keep their shares exactly."""
    rng = np.random.default_rng(5)
    rows = pd.DataFrame({"is_recid": (rng.random(3_000) < 0.46).astype(int)})
    rows["is_violent_recid"] = (rng.random(3_000) < 0.105).astype(int)  # not learnt together
    implication = GreaterThan("is_violent_recid", "is_recid", strict=False)
    schema = Schema(tuple(ColumnSchema(c, ColumnKind.NUMERICAL, integer=True) for c in rows))
    repaired, changed = rules.repair_counted(rows, [implication], rows, schema)
    assert rules.holds(implication, repaired, rows).all()
    for column in rows:
        assert repaired[column].sum() == rows[column].sum()
    crossed = int(((rows["is_violent_recid"] == 1) & (rows["is_recid"] == 0)).sum())
    assert int(changed[implication].sum()) == 2 * crossed  # each crossed row and its partner


@pytest.mark.slow
def test_orders_between_columns_of_few_values_are_not_given_to_sdv_to_learn() -> None:
    """SDV learns an order as a continuous gap: on 0/1 columns that took the recidivism
    target from 47% ones to 18% (Gaussian copula) and 0% (TVAE)."""
    from tests.real_like import compas_csv

    table = read_table(compas_csv(2_000))
    implication = GreaterThan("is_violent_recid", "is_recid", strict=False)
    assert _learnt((), [implication], table.df) == ()
    assert _learnt([implication], [], table.df) == ()
    result = synthesize(table, GenerationSpec(generator="gaussian_copula", rows=2_000, seed=0))
    for column in ("is_recid", "is_violent_recid"):
        real = table.df[column].astype(float).mean()
        assert abs(result.data[column].astype(float).mean() - real) < 0.08, column  # was 0.29 off
