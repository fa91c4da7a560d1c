"""The shareable report: small counts suppressed, no real value of a high-cardinality column in
it, the JSON round-trips, and it stays small on a wide table."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from synth_core import read_table
from synth_core.cli import main
from synth_core.data.schema import ColumnKind, ColumnOverride, ColumnSchema, Schema
from synth_core.data.table import Table
from synth_core.evaluate.evaluation import EvaluationSettings
from synth_core.generate.generators.registry import DEFAULT_GENERATOR
from synth_core.generate.spec import GenerationSpec
from synth_core.generate.synthesize import synthesize
from synth_core.present.report import (
    OTHER,
    build_report,
    column_summaries,
    report_files,
    report_html,
    round_significant,
)
from tests.helpers import SAMPLES


def test_rounding_to_significant_digits() -> None:
    assert round_significant(16884.924) == 16900.0
    assert round_significant(0.0012345) == 0.00123
    assert round_significant(-2.5555) == -2.56
    assert round_significant(0.0) == 0.0
    assert round_significant(float("nan")) is None


def test_small_counts_are_suppressed_and_rare_labels_pooled() -> None:
    schema = Schema(
        (ColumnSchema("c", ColumnKind.CATEGORICAL), ColumnSchema("x", ColumnKind.NUMERICAL))
    )
    labels = ["a"] * 60 + ["b"] * 12 + ["secret-1"] * 3 + ["secret-2"]
    x = np.r_[np.zeros(40), np.full(30, 10.0), np.full(5, 5.0), [7.0]]  # 5.0 and 7.0: 6 rows
    real = pd.DataFrame({"c": labels, "x": x})
    synthetic = pd.DataFrame({"c": ["a"] * 50 + ["secret-1"] * 10, "x": np.linspace(0, 10, 60)})
    summaries, _ = column_summaries(real, synthetic, schema)
    shares = summaries["c"]["shares"]
    assert list(shares) == ["a", "b", OTHER]
    assert shares["a"] == {"real": 60 / 76, "synthetic": 50 / 60}
    assert shares[OTHER] == {"real": None, "synthetic": 10 / 60}  # 4 real rows: suppressed
    assert summaries["c"]["categories_pooled"] == 2
    histogram = summaries["x"]["histogram"]
    counts = np.histogram(x, np.array(histogram["edges"], dtype=float))[0]
    for count, share in zip(counts, histogram["real_share"], strict=True):
        if 0 < count < 10:
            assert share is None
        else:
            assert share == pytest.approx(count / 76)
    assert any(s is None for s in histogram["real_share"])  # the 5.0 and the 7.0 bins
    assert "secret" not in json.dumps(summaries)


@pytest.fixture(scope="module")
def customers() -> Table:
    """Insurance with an email, a customer ID and a high-cardinality policy code."""
    frame = pd.read_csv(SAMPLES / "insurance.csv")
    rng = np.random.default_rng(5)
    frame["email"] = [f"person{i}.{rng.integers(10**6)}@example.org" for i in range(len(frame))]
    frame["customer_id"] = [f"C{100000 + 7 * i}" for i in range(len(frame))]
    frame["policy_code"] = [f"PX-{rng.integers(10**5, 10**6)}" for _ in range(len(frame))]
    table = read_table(frame.to_csv(index=False).encode())
    return table.with_overrides(
        {
            "email": ColumnOverride.parse("pii:email"),
            "customer_id": ColumnOverride.parse("id"),
            "policy_code": ColumnOverride.parse("categorical"),
        }
    )


@pytest.mark.slow
def test_no_real_value_of_a_high_cardinality_column_appears(customers: Table) -> None:
    result = synthesize(customers, GenerationSpec(rows=600, seed=2, holdout_fraction=0.3))
    files = report_files(
        result.train,
        result.data,
        result.model.output_schema,
        result.holdout,
        settings=EvaluationSettings(target="smoker", sensitive=("region",)),
    )
    real = pd.concat([result.train, result.holdout])
    checked = 0
    for column in ("email", "customer_id", "policy_code", "charges"):
        assert real[column].nunique() > 0.5 * len(real)  # high cardinality
        for value in real[column].astype(str):
            assert value not in files.html, (column, value)
            assert value not in files.json, (column, value)
            checked += 1
    assert checked == 4 * len(real)
    content = json.loads(files.json)
    assert content["columns"]["email"]["kind"] == "pii"
    assert "histogram" not in content["columns"]["email"]
    assert content["columns"]["policy_code"]["categories_shown"] == 0
    assert content["utility"]["target"] == "smoker"
    assert set(content["fairness"]["region"]) >= {"representation", "real_model"}


@pytest.mark.slow
def test_the_json_round_trips_and_every_section_is_in_the_html() -> None:
    table = read_table((SAMPLES / "penguins.csv").read_bytes())
    result = synthesize(table, GenerationSpec(rows=300, generator="cart"))
    report = build_report(result.train, result.data, table.schema, result.holdout)
    text = report.json()
    assert json.loads(text) == json.loads(json.dumps(report.content))
    assert json.loads(text)["fidelity"]["overall"] == report.content["fidelity"]["overall"]
    page = report_html(report)
    for section in ("summary", "recipe", "fidelity", "columns", "privacy"):
        assert f'<section id="{section}">' in page
    assert page.count('<div class="figure"') == len(report.figures)
    assert "http://" not in page.replace("http://www.w3.org", "")  # no link to fetch
    assert "<script src" not in page


@pytest.mark.slow
def test_a_fifty_column_report_stays_under_five_megabytes() -> None:
    rng = np.random.default_rng(0)
    columns: dict[str, object] = {}
    for i in range(25):
        columns[f"number_{i}"] = rng.normal(i, 1 + i, 5000).round(3)
        columns[f"category_{i}"] = rng.choice([f"level {k}" for k in range(30)], 5000)
    real = pd.DataFrame(columns)
    table = read_table(real.to_csv(index=False).encode())
    synthetic = table.df.sample(frac=1.0, random_state=1).reset_index(drop=True)
    synthetic = synthetic.apply(lambda c: c.sample(frac=1.0, random_state=2).to_numpy())
    files = report_files(table.df.iloc[:4000], synthetic, table.schema, table.df.iloc[4000:])
    assert len(table.schema) == 50
    assert len(files.html.encode()) < 5_000_000, len(files.html) / 1e6
    assert json.loads(files.json)["data"]["synthetic_rows"] == 5000


@pytest.mark.slow
def test_cli_report(tmp_path: Path) -> None:
    synthetic = tmp_path / "synthetic.csv"
    assert (
        main(
            [
                "generate",
                str(SAMPLES / "insurance.csv"),
                "--rows",
                "300",
                "--save-holdout",
                str(tmp_path / "holdout.csv"),
                "--save-recipe",
                str(tmp_path / "recipe.json"),
                "--out",
                str(synthetic),
            ]
        )
        == 0
    )
    out = tmp_path / "report.html"
    code = main(
        [
            "report",
            str(SAMPLES / "insurance.csv"),
            str(synthetic),
            "--holdout",
            str(tmp_path / "holdout.csv"),
            "--target",
            "smoker",
            "--sensitive",
            "sex",
            "--recipe",
            str(tmp_path / "recipe.json"),
            "--out",
            str(out),
        ]
    )
    assert code == 0
    content = json.loads((tmp_path / "report.json").read_text())
    assert content["recipe"]["generator"] == DEFAULT_GENERATOR
    assert content["utility"]["target"] == "smoker"
    assert out.read_text().startswith("<!DOCTYPE html>")
    assert (
        main(
            [
                "report",
                str(SAMPLES / "insurance.csv"),
                str(synthetic),
                "--target",
                "smoker",
                "--out",
                str(out),
            ]
        )
        == 2
    )
