"""The synth-studio command line: listing, generating, and one-line errors with exit code 2."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from synth_core.cli import main
from tests.helpers import CSVKIT, SAMPLES


def test_generators_lists_names_params_and_licences(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["generators"]) == 0
    out = capsys.readouterr().out
    assert "gaussian_copula" in out
    assert "cart" in out
    assert "BUSL-1.1" in out
    assert main(["generators", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    cart = next(g for g in listed if g["name"] == "cart")
    assert {p["name"] for p in cart["params"]} == {
        "min_samples_leaf",
        "grow_leaves",
        "max_depth",
        "order",
        "smoothing",
        "balanced",
        "reject_copies",
    }


def test_generate_writes_csv_and_parquet(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "penguins_synth.csv"
    code = main(
        [
            "generate",
            str(SAMPLES / "penguins.csv"),
            "--generator",
            "cart",
            "--rows",
            "120",
            "--seed",
            "3",
            "--out",
            str(out),
            "--param",
            "min_samples_leaf=3",
        ]
    )
    assert code == 0
    synthetic = pd.read_csv(out)
    assert synthetic.shape == (120, 7)
    assert list(synthetic.columns) == list(pd.read_csv(SAMPLES / "penguins.csv").columns)
    assert "Wrote 120 synthetic rows" in capsys.readouterr().err
    again = tmp_path / "again.csv"
    main(
        [
            "generate",
            str(SAMPLES / "penguins.csv"),
            "--generator",
            "cart",
            "--rows",
            "120",
            "--seed",
            "3",
            "--out",
            str(again),
            "--param",
            "min_samples_leaf=3",
        ]
    )
    assert again.read_bytes() == out.read_bytes()
    parquet = tmp_path / "p.parquet"
    assert (
        main(
            [
                "generate",
                str(SAMPLES / "penguins.csv"),
                "--generator",
                "cart",
                "--rows",
                "10",
                "--out",
                str(parquet),
                "--kind",
                "body_mass_g=categorical",
            ]
        )
        == 0
    )
    assert pd.read_parquet(parquet)["body_mass_g"].dtype == object


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["generate", str(CSVKIT / "bad.csv"), "--out", "x.csv"], "Line 2 has 4 fields"),
        (["generate", "missing.csv", "--out", "x.csv"], "Cannot read missing.csv"),
        (
            ["generate", str(SAMPLES / "penguins.csv"), "--out", "x.txt"],
            "The file name must end in .csv or .parquet; got 'x.txt'",
        ),
        (
            ["generate", str(SAMPLES / "penguins.csv"), "--out", "x.csv", "--generator", "gan"],
            "no generator called 'gan'",
        ),
        (
            ["generate", str(SAMPLES / "penguins.csv"), "--out", "x.csv", "--kind", "sex=text"],
            "Unknown column kind 'text'",
        ),
        (
            ["generate", str(SAMPLES / "penguins.csv"), "--out", "x.csv", "--rows", "0"],
            "between 1 and 1,000,000",
        ),
    ],
)
def test_bad_input_is_one_line_on_stderr_with_exit_2(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(args) == 2
    err = capsys.readouterr().err
    assert message in err
    assert err.count("\n") == 1
    assert err.startswith("synth-studio: error: ")


@pytest.mark.slow
def test_console_script_usage_error_is_one_line() -> None:
    script = Path(sys.executable).parent / "synth-studio"
    done = subprocess.run([str(script), "generate"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1
    assert "the following arguments are required" in done.stderr


@pytest.mark.slow
def test_privacy_filter_holdout_and_privacy_keys(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    real = SAMPLES / "insurance.csv"
    common = ["--generator", "cart", "--param", "min_samples_leaf=1", "--rows", "600"]
    common += ["--param", "smoothing=false", "--param", "reject_copies=false"]  # leaky
    common += ["--param", "grow_leaves=false"]
    common += ["--holdout-fraction", "0.3", "--seed", "4"]
    holdout = tmp_path / "holdout.csv"
    leaky, filtered = tmp_path / "leaky.csv", tmp_path / "filtered.csv"
    assert main(["generate", str(real), *common, "--out", str(leaky)]) == 0
    args = ["generate", str(real), *common, "--out", str(filtered), "--privacy", "filter"]
    assert (
        main([*args, "--save-holdout", str(holdout), "--save-recipe", str(tmp_path / "r.json")])
        == 0
    )
    err = capsys.readouterr().err
    assert "Similarity filter: dropped" in err
    assert len(pd.read_csv(holdout)) == 401  # 30% of 1,338
    recipe = json.loads((tmp_path / "r.json").read_text())
    assert recipe["similarity_filter"] == {"quantile": 0.05, "drop_outliers": False}

    reports = {}
    for name, path in (("leaky", leaky), ("filtered", filtered)):
        out = tmp_path / f"{name}.json"
        assert (
            main(
                [
                    "evaluate",
                    str(real),
                    str(path),
                    "--holdout",
                    str(holdout),
                    "--json",
                    str(out),
                    "--no-detection",
                ]
            )
            == 0
        )
        reports[name] = json.loads(out.read_text())["privacy"]
    assert "also in the holdout" in capsys.readouterr().err
    assert reports["leaky"]["exact_match_rate"]["verdict"] == "red"
    assert reports["leaky"]["mia_auc"]["verdict"] == "red"
    assert reports["leaky"]["verdict"] == "red"
    assert reports["filtered"]["exact_match_rate"]["synthetic"] == 0.0
    assert reports["filtered"]["mia_auc"]["auc"] < reports["leaky"]["mia_auc"]["auc"]
    assert set(reports["filtered"]) >= {
        "exact_match_rate",
        "dcr_share",
        "dcr",
        "nndr",
        "mia_auc",
        "pii_replay",
        "verdict",
    }


def test_filter_options_need_the_filter(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    args = ["generate", str(SAMPLES / "insurance.csv"), "--out", str(tmp_path / "x.csv")]
    assert main([*args, "--drop-outliers"]) == 2
    assert "need --privacy filter" in capsys.readouterr().err
    assert main([*args, "--privacy", "filter", "--filter-quantile", "0.7"]) == 2
    assert "between 0 and 0.5" in capsys.readouterr().err


@pytest.mark.slow
def test_privacy_dp_uses_mst_with_epsilon(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ["generate", str(SAMPLES / "insurance.csv"), "--rows", "200"]
    out = tmp_path / "dp.csv"
    bounds = "public_bounds=age=18:100; bmi=10:60; children=0:10; charges=0:70000"
    args = [*base, "--privacy", "dp", "--epsilon", "5", "--param", bounds, "--out", str(out)]
    assert main([*args, "--save-recipe", str(tmp_path / "r.json")]) == 0
    err = capsys.readouterr().err
    assert "ε = 5: 5 for learning the marginals" in err
    assert len(pd.read_csv(out)) == 200
    recipe = json.loads((tmp_path / "r.json").read_text())
    assert recipe["generator"] == "dp_mst"
    assert recipe["params"]["epsilon"] == 5.0
    assert main([*base, "--privacy", "dp", "--generator", "cart", "--out", str(out)]) == 2
    assert "--privacy dp uses the dp_mst generator" in capsys.readouterr().err
    assert main([*base, "--epsilon", "1", "--out", str(out)]) == 2
    assert "--epsilon needs --privacy dp" in capsys.readouterr().err


@pytest.mark.slow
def test_evaluate_with_target_and_sensitive_adds_utility_and_fairness(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    real = SAMPLES / "insurance.csv"
    synthetic, holdout = tmp_path / "s.csv", tmp_path / "h.csv"
    args = ["generate", str(real), "--generator", "cart", "--rows", "800", "--out", str(synthetic)]
    assert main([*args, "--save-holdout", str(holdout)]) == 0
    out = tmp_path / "r.json"
    evaluate = ["evaluate", str(real), str(synthetic), "--json", str(out), "--no-detection"]
    assert (
        main([*evaluate, "--holdout", str(holdout), "--target", "charges", "--sensitive", "sex"])
        == 0
    )
    report = json.loads(out.read_text())
    assert report["utility"]["metric"] == "r2"
    assert report["utility"]["trtr"] > 0.5
    assert {"tstr", "trtr", "ratio", "models"} <= set(report["utility"])
    assert report["fairness"]["sex"]["real_model"]["gaps"]["mae"] is not None
    assert "Utility (r2 predicting charges)" in capsys.readouterr().err
    assert main([*evaluate, "--target", "charges"]) == 2
    assert "--target needs --holdout" in capsys.readouterr().err
    assert main([*evaluate, "--sensitive", "sex"]) == 2


@pytest.mark.slow
def test_collapse_writes_the_documented_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "c.json"
    args = ["collapse", str(SAMPLES / "penguins.csv"), "--generator", "cart"]
    assert main([*args, "--generations", "3", "--regimes", "replace,mix", "--out", str(out)]) == 0
    payload = json.loads(out.read_text())
    assert [m["generation"] for m in payload["regimes"]["replace"]] == [0, 1, 2]
    assert "replace: mean KS" in capsys.readouterr().err
    assert main([*args, "--regimes", "shuffle", "--out", str(out)]) == 2
    assert "--regimes takes replace, accumulate and mix" in capsys.readouterr().err


def test_missing_value_words_can_be_chosen_per_column_and_go_into_the_recipe(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = ["other_debtors,amount"] + [
        f"{['none', 'guarantor', 'none', 'co-applicant'][i % 4]},{100 + i}" for i in range(60)
    ]
    source = tmp_path / "credit.csv"
    source.write_text("\n".join(lines) + "\n")
    out, recipe = tmp_path / "out.csv", tmp_path / "recipe.json"
    common = ["generate", str(source), "--generator", "cart", "--rows", "200", "--out", str(out)]
    assert main(common) == 0
    written = pd.read_csv(out, keep_default_na=False)
    assert (written["other_debtors"] == "none").mean() > 0.3  # kept as a category by default
    assert (
        main([*common, "--missing-token", "other_debtors=none", "--save-recipe", str(recipe)]) == 0
    )
    # Read as missing, 'none' is learnt as a missing value (no category of its own) and the
    # missing cells are written back as the file spelled them, in the same share (issue 33).
    from synth_core import ReadOptions, read_table

    as_missing = read_table(source, ReadOptions(missing_tokens=(("other_debtors", "none"),)))
    assert as_missing.schema["other_debtors"].missing_spellings == (("none", 30),)
    written = pd.read_csv(out, keep_default_na=False)
    assert set(written["other_debtors"]) == {"none", "guarantor", "co-applicant"}
    assert (written["other_debtors"] == "none").mean() == pytest.approx(0.5, abs=0.1)
    saved = json.loads(recipe.read_text())
    assert saved["read"]["missing_tokens"] == [["other_debtors", "none"]]
    assert main(["generate", str(source), "--recipe", str(recipe), "--out", str(out)]) == 0
    again = pd.read_csv(out, keep_default_na=False)["other_debtors"]
    assert (again == "none").mean() == pytest.approx(0.5, abs=0.1)
    capsys.readouterr()


def test_fit_rows_sets_the_row_cap_for_fitting(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 34: the fit's row cap is a setting of the CLI too (page: the row cap box; recipe:
    max_fit_rows)."""
    source = str(SAMPLES / "insurance.csv")
    out, recipe = tmp_path / "out.csv", tmp_path / "recipe.json"
    args = ["generate", source, "--out", str(out), "--rows", "50"]
    assert main([*args, "--fit-rows", "300", "--save-recipe", str(recipe)]) == 0
    assert "random sample of 300 of the 1,070 training rows" in capsys.readouterr().err
    assert json.loads(recipe.read_text())["max_fit_rows"] == 300
    assert main([*args, "--fit-rows", "all", "--save-recipe", str(recipe)]) == 0
    assert "row cap for fitting" not in capsys.readouterr().err
    assert json.loads(recipe.read_text())["max_fit_rows"] is None
    assert main([*args, "--fit-rows", "auto", "--save-recipe", str(recipe)]) == 0
    assert json.loads(recipe.read_text())["max_fit_rows"] == "auto"
    with pytest.raises(SystemExit):
        main([*args, "--fit-rows", "0"])


def test_the_default_row_cap_is_each_generators_own(monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 34, point 2: by default ('auto') a generator learns from at most its own measured
    cap, and the note says it is that generator's default; a number or None overrides it."""
    from dataclasses import replace as changed

    from synth_core import read_table
    from synth_core.errors import SpecError
    from synth_core.generate.generators import registry
    from synth_core.generate.spec import FIT_ROWS_AUTO, MAX_FIT_ROWS, GenerationSpec
    from synth_core.generate.synthesize import fit

    assert GenerationSpec().max_fit_rows == FIT_ROWS_AUTO
    for info in registry.infos():
        spec = GenerationSpec(generator=info.name)
        assert spec.fit_cap() == info.fit_rows
        assert info.fit_rows is None or info.fit_rows >= MAX_FIT_ROWS // 10
    assert GenerationSpec(max_fit_rows=500).fit_cap() == 500
    assert GenerationSpec(max_fit_rows=None).fit_cap() is None
    with pytest.raises(SpecError, match="whole number, 'auto' or none"):
        GenerationSpec(max_fit_rows="most").validate()
    # A generator whose measured cap is 400 rows learns from 400 of insurance's 1,070.
    cart = registry.get("cart")
    monkeypatch.setitem(
        registry._REGISTRY,
        "cart",
        changed(registry._REGISTRY["cart"], info=changed(cart, fit_rows=400)),
    )
    table = read_table((SAMPLES / "insurance.csv").read_bytes())
    model = fit(table, GenerationSpec(generator="cart", seed=1))
    assert model.fit_rows == 400
    assert any(
        "400 of the 1,070 training rows" in n and "the default for Sequential CART" in n
        for n in model.notes
    )
    assert fit(table, GenerationSpec(generator="cart", max_fit_rows=None)).fit_rows == 1_070


def test_the_pages_row_cap_box_asks_for_the_generators_own_cap() -> None:
    """The Generate page's ticked box gives the spec "auto" (so the note says whose default the
    cap is, not "as set"); unticked, every row."""
    from synth_core.generate.protect.pii import PiiAction
    from synth_core.generate.spec import FIT_ROWS_AUTO, PrivacySetting
    from synth_core.ui.output_form import Output, build_spec

    ticked = Output(100, 0, 0.2, PrivacySetting.PII, PiiAction.REPLACE, 300_000, None, None)
    assert build_spec("cart", {}, ticked, (), ()).max_fit_rows == FIT_ROWS_AUTO
    unticked = dataclasses.replace(ticked, fit_cap=None)
    assert build_spec("cart", {}, unticked, (), ()).max_fit_rows is None
