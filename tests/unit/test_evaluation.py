"""Column tests, detection, drill-downs, the JSON report, caching and `synth-studio evaluate`."""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from synth_core import GenerationSpec, SchemaError, csv_bytes, read_table, synthesize
from synth_core.cli import main
from synth_core.data.convert import bin_edges
from synth_core.data.encoding import fit_ready
from synth_core.data.schema import ColumnKind, ColumnSchema, Schema
from synth_core.evaluate.fidelity import (
    Contingency,
    Density2D,
    detect,
    evaluate_fidelity,
    pair_drilldown,
)
from synth_core.evaluate.fidelity.prepare import prepare
from synth_core.evaluate.fidelity.significance import Level, column_test
from synth_core.present.plots import pair_figure
from tests.helpers import SAMPLES


def _one(kind: ColumnKind, real: list[object], synthetic: list[object]):  # type: ignore[no-untyped-def]
    schema = Schema((ColumnSchema("x", kind),))
    (column,) = prepare(pd.DataFrame({"x": real}), pd.DataFrame({"x": synthetic}), schema)
    return column_test(column)


def test_ks_test_matches_scipy_exact_and_asymptotic() -> None:
    rng = np.random.default_rng(0)
    small_real, small_synth = rng.normal(size=200), rng.normal(0.3, 1, 150)
    test = _one(ColumnKind.NUMERICAL, list(small_real), list(small_synth))
    expected = stats.ks_2samp(small_real, small_synth, method="exact")
    assert test.statistic == pytest.approx(expected.statistic)
    assert test.p_value == pytest.approx(expected.pvalue)
    big_real, big_synth = rng.normal(size=20_000), rng.normal(0.02, 1, 15_000)
    test = _one(ColumnKind.NUMERICAL, list(big_real), list(big_synth))
    expected = stats.ks_2samp(big_real, big_synth, method="asymp")
    assert test.statistic == pytest.approx(expected.statistic)
    assert test.p_value == pytest.approx(expected.pvalue, rel=1e-6)


def test_chi_square_matches_scipy() -> None:
    real = ["a"] * 50 + ["b"] * 30 + ["c"] * 20
    synthetic = ["a"] * 40 + ["b"] * 40 + ["d"] * 5
    test = _one(ColumnKind.CATEGORICAL, real, synthetic)
    table = np.array([[50, 30, 20, 0], [40, 40, 0, 5]])
    expected = stats.chi2_contingency(table, correction=False)
    assert test.statistic == pytest.approx(expected.statistic)
    assert test.p_value == pytest.approx(expected.pvalue)


def test_verdicts_in_plain_words() -> None:
    rng = np.random.default_rng(1)
    same = _one(ColumnKind.NUMERICAL, list(rng.normal(size=5000)), list(rng.normal(size=5000)))
    assert same.level is Level.GOOD
    assert same.verdict.startswith("very close")
    shifted = _one(ColumnKind.NUMERICAL, list(rng.normal(size=5000)), list(rng.normal(1, 1, 5000)))
    assert shifted.level is Level.POOR
    assert shifted.verdict.startswith("very different")
    assert "statistically significant (p < 0.001)" in shifted.verdict
    big_small = _one(
        ColumnKind.NUMERICAL, list(rng.normal(size=50_000)), list(rng.normal(0.05, 1, 50_000))
    )
    assert big_small.level is Level.GOOD
    assert "but small" in big_small.verdict
    empty = _one(ColumnKind.CATEGORICAL, ["a", "b"], [None, None])
    assert empty.level is Level.POOR
    assert "empty in the synthetic table" in empty.verdict
    one_category = _one(ColumnKind.CATEGORICAL, ["a"] * 5, ["a"] * 4)
    assert one_category.p_value is None
    assert one_category.verdict.startswith("very close")


@pytest.fixture(scope="module")
def insurance_cases() -> dict[str, tuple[pd.DataFrame, pd.DataFrame, Schema]]:
    table = read_table(SAMPLES / "insurance.csv")
    result = synthesize(table, GenerationSpec(generator="gaussian_copula", rows=1070, seed=0))
    broken = result.data.copy()
    broken["charges"] = broken["charges"].sample(frac=1, random_state=0).to_numpy() * 3
    broken["region"] = "southeast"
    copied = result.train.sample(frac=1, random_state=1).reset_index(drop=True)
    return {
        "synthetic": (result.train, result.data, result.schema),
        "broken": (result.train, broken, result.schema),
        "copy": (result.train, copied, result.schema),
    }


@pytest.mark.slow
def test_detection_separates_broken_from_faithful_tables(
    insurance_cases: dict[str, tuple[pd.DataFrame, pd.DataFrame, Schema]],
) -> None:
    copy = detect(*insurance_cases["copy"])
    broken = detect(*insurance_cases["broken"])
    assert broken.auc > 0.95
    assert {f.column for f in broken.features[:2]} == {"charges", "region"}
    assert broken.verdict == "trivially told apart"
    assert copy.auc < broken.auc
    assert copy.rows_per_side == 1070
    assert copy.cap == 10_000
    again = detect(*insurance_cases["broken"])
    assert again.auc == broken.auc  # seeded


def test_detection_caps_rows_and_refuses_tiny_tables() -> None:
    rng = np.random.default_rng(0)
    real = pd.DataFrame({"x": rng.normal(size=3000)})
    synthetic = pd.DataFrame({"x": rng.normal(size=2500)})
    schema = Schema((ColumnSchema("x", ColumnKind.NUMERICAL),))
    capped = detect(real, synthetic, schema, cap=500)
    assert capped.rows_per_side == 500
    with pytest.raises(SchemaError, match="at least 20 rows"):
        detect(real.head(10), synthetic, schema)


def test_drilldowns_are_shares_on_shared_grids(
    insurance_cases: dict[str, tuple[pd.DataFrame, pd.DataFrame, Schema]],
) -> None:
    real, synthetic, schema = insurance_cases["synthetic"]
    density = pair_drilldown(real, synthetic, schema, "age", "charges")
    assert isinstance(density, Density2D)
    assert density.real_share.shape == (30, 30)
    assert density.real_share.sum() == pytest.approx(1.0)
    assert density.synthetic_share.sum() == pytest.approx(1.0)
    table = pair_drilldown(real, synthetic, schema, "smoker", "region")
    assert isinstance(table, Contingency)
    assert set(table.first_labels) == {"True", "False"}
    assert table.real_share.sum() == pytest.approx(1.0)
    mixed = pair_drilldown(real, synthetic, schema, "bmi", "sex")
    assert isinstance(mixed, Contingency)
    assert len(mixed.first_labels) == 10
    for summary in (density, table, mixed):
        assert len(pair_figure(summary).to_json()) < 50_000
    with pytest.raises(SchemaError, match="no_such"):
        pair_drilldown(real, synthetic, schema, "age", "no_such")


def test_report_json_has_the_documented_keys_and_no_nan(
    insurance_cases: dict[str, tuple[pd.DataFrame, pd.DataFrame, Schema]],
) -> None:
    real, synthetic, schema = insurance_cases["synthetic"]
    synthetic = synthetic.copy()
    synthetic["bmi"] = np.nan  # an empty column must not produce NaN
    report = evaluate_fidelity(real, synthetic, schema, holdout=real.head(200))
    payload = json.loads(json.dumps(report.to_dict(), allow_nan=False))
    fidelity = payload["fidelity"]
    for key in ("overall", "column_shapes", "pair_trends", "detection_auc"):
        assert 0.0 <= fidelity[key] <= 1.0
    assert set(fidelity["columns"]) == {
        "age",
        "sex",
        "bmi",
        "children",
        "smoker",
        "region",
        "charges",
    }
    age = fidelity["columns"]["age"]
    assert age["metric"] == "KSComplement"
    assert set(age["statistics"]) >= {"mean", "variance", "q25", "median", "q75", "missing_pct"}
    assert age["test"]["name"] == "Kolmogorov-Smirnov"
    assert fidelity["columns"]["bmi"]["score"] is None
    assert fidelity["columns"]["region"]["categories"]["southeast"]["real"] > 0
    assert fidelity["baseline"]["overall"] > 0.8
    assert fidelity["detection"]["cap"] == 10_000
    assert fidelity["settings"]["binning"] == "shared"
    assert {"columns", "metric", "score", "counted"} <= set(fidelity["pairs"][0])


def test_evaluations_are_cached_by_content(
    insurance_cases: dict[str, tuple[pd.DataFrame, pd.DataFrame, Schema]],
) -> None:
    real, synthetic, schema = insurance_cases["synthetic"]
    first = evaluate_fidelity(real, synthetic, schema, detection=False)
    started = time.perf_counter()
    again = evaluate_fidelity(real.copy(), synthetic.copy(), schema, detection=False)
    assert time.perf_counter() - started < 0.5
    assert again is first
    changed = synthetic.copy()
    changed.loc[0, "age"] = 99
    assert evaluate_fidelity(real, changed, schema, detection=False) is not first


def test_different_columns_are_reported_and_disjoint_tables_refused() -> None:
    schema = Schema(
        (ColumnSchema("x", ColumnKind.NUMERICAL), ColumnSchema("y", ColumnKind.NUMERICAL))
    )
    real = pd.DataFrame({"x": [1.0, 2.0, 3.0], "y": [1.0, 0.0, 1.0]})
    synthetic = pd.DataFrame({"x": [1.0, 2.5, 3.0], "z": [5, 6, 7]})
    report = evaluate_fidelity(real, synthetic, schema, detection=True)
    assert report.only_in_real == ("y",)
    assert report.only_in_synthetic == ("z",)
    assert [c.name for c in report.columns] == ["x"]
    assert report.detection is None
    assert "at least 20 rows" in report.detection_note
    with pytest.raises(SchemaError, match="no column in common"):
        evaluate_fidelity(real, pd.DataFrame({"q": [1, 2]}), schema, detection=False)


def test_cli_evaluate_writes_the_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    real = read_table(SAMPLES / "penguins.csv")
    result = synthesize(real, GenerationSpec(generator="cart", rows=300, seed=0))
    synthetic_path = tmp_path / "synthetic.csv"
    holdout_path = tmp_path / "holdout.csv"
    train_path = tmp_path / "train.csv"
    synthetic_path.write_bytes(csv_bytes(result.data, result.schema))
    holdout_path.write_bytes(csv_bytes(result.holdout, result.schema))
    train_path.write_bytes(csv_bytes(result.train, result.schema))
    out = tmp_path / "report.json"
    code = main(
        [
            "evaluate",
            str(train_path),
            str(synthetic_path),
            "--holdout",
            str(holdout_path),
            "--json",
            str(out),
        ]
    )
    assert code == 0
    fidelity = json.loads(out.read_text())["fidelity"]
    assert fidelity["rows"] == {"real": len(result.train), "synthetic": 300}
    assert fidelity["baseline"] is not None
    assert fidelity["detection_auc"] is not None
    assert "Fidelity: overall" in capsys.readouterr().err
    in_memory = evaluate_fidelity(result.train, result.data, result.schema, detection=False)
    assert fidelity["overall"] == pytest.approx(in_memory.quality.overall, abs=1e-9)


def test_cli_evaluate_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    real = tmp_path / "real.csv"
    real.write_text("n,c\n" + "\n".join(f"{i},{'ab'[i % 2]}" for i in range(30)) + "\n")
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("n,c\n1,a\nlots,b\n")
    assert main(["evaluate", str(real), str(wrong), "--json", str(tmp_path / "o.json")]) == 2
    err = capsys.readouterr().err
    assert "synthetic table cannot be read like the real table" in err
    assert "'lots'" in err
    other = tmp_path / "other.csv"
    other.write_text("q\n1\n2\n")
    assert main(["evaluate", str(real), str(other), "--json", "-"]) == 2
    assert "no column in common" in capsys.readouterr().err


def test_a_constant_date_and_an_almost_empty_column_evaluate() -> None:
    rows = 60
    text = "reporting_period,year_incorporated,x\n" + "".join(
        f"2010-11-01,{'1987' if i == 0 else ''},{i % 7}\n" for i in range(rows)
    )
    real = read_table(text.encode())
    synthetic = real.df.assign(year_incorporated=pd.array([pd.NA] * rows, dtype="Int64"))
    report = evaluate_fidelity(real.df, synthetic, real.schema, detection=True)
    assert report.detection is not None
    assert 0.0 <= report.detection.auc <= 1.0


def test_bin_edges_survive_one_huge_repeated_value() -> None:
    stamp = float(pd.Timestamp("2010-11-01").value)  # 1.29e18 nanoseconds
    edges = bin_edges(np.full(5, stamp), 10)
    assert len(edges) == 11
    assert np.all(np.diff(edges) > 0)
    assert edges[0] < stamp < edges[-1]
    assert np.array_equal(bin_edges(np.array([1.0, 3.0]), 4), [1.0, 1.5, 2.0, 2.5, 3.0])
    ready = fit_ready(np.array([[1.0, np.nan], [2.0, np.nan]]))
    assert np.array_equal(ready, [[1.0, 0.0], [2.0, 0.0]])


def test_training_rows_are_the_real_table_less_its_holdout_duplicates_included() -> None:
    from synth_core.evaluate.evaluation import training_rows

    table = read_table(b"a,b\n1,x\n1,x\n2,y\n3,z\n4,w\n")
    frame, schema = table.df, table.schema
    holdout = frame.iloc[[0, 3]]  # one of the two (1, x) rows and (3, z)
    whole = training_rows(frame, holdout, schema)  # the whole table given
    assert whole.values.tolist() == [[1, "x"], [2, "y"], [4, "w"]]
    train = frame.iloc[[1, 2, 4]]  # the training split given: kept whole, its (1, x) too
    assert training_rows(train, holdout, schema).values.tolist() == whole.values.tolist()
