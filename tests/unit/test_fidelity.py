"""Comparison summaries against hand-computed values and reference implementations."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from synth_core import ColumnKind, ColumnSchema, Schema, compare
from synth_core.evaluate.fidelity.associations import (
    association_matrix,
    correlation_ratio,
    cramers_v,
    pearson,
)
from synth_core.evaluate.fidelity.distributions import (
    Frequencies,
    Histogram,
    distribution,
    frequencies,
    shared_edges,
)
from synth_core.evaluate.fidelity.stats import column_statistics, statistics_table
from synth_core.present.plots import association_figure, distribution_figure


def test_correlation_ratio_hand_computed() -> None:
    # Groups a: [1, 2, 3] (mean 2), b: [7, 8, 9] (mean 8); overall mean 5.
    # Between = 3*(2-5)^2 + 3*(8-5)^2 = 54; total = 16+9+4+4+9+16 = 58; eta = sqrt(54/58).
    codes = np.array([0, 0, 0, 1, 1, 1])
    values = np.array([1.0, 2.0, 3.0, 7.0, 8.0, 9.0])
    assert correlation_ratio(codes, values) == pytest.approx(np.sqrt(54 / 58), abs=1e-12)
    assert correlation_ratio(np.array([0, 1, -1]), np.array([1.0, 1.0, 5.0])) == 0.0


def test_cramers_v_hand_computed_and_against_scipy() -> None:
    # 2x2 table [[10, 0], [0, 10]]: perfect association.
    x = np.array([0] * 10 + [1] * 10)
    assert cramers_v(x, x) == pytest.approx(1.0)
    rng = np.random.default_rng(0)
    a, b = rng.integers(0, 3, 500), rng.integers(0, 4, 500)
    table = pd.crosstab(a, b).to_numpy()
    assert cramers_v(a, b) == pytest.approx(stats.contingency.association(table, method="cramer"))
    # Hand: chi2 of [[20, 10], [10, 20]] is 60*(20*20-10*10)^2/(30^4) = 6.667; V = sqrt(6.667/60).
    x = np.array([0] * 30 + [1] * 30)
    y = np.array([0] * 20 + [1] * 10 + [0] * 10 + [1] * 20)
    assert cramers_v(x, y) == pytest.approx(np.sqrt((60 * 300**2 / 30**4) / 60), abs=1e-12)
    assert cramers_v(np.array([0, 0, -1]), np.array([1, 2, 3])) == 0.0


def test_pearson_matches_numpy_and_skips_missing() -> None:
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=200), rng.normal(size=200)
    assert pearson(x, y) == pytest.approx(np.corrcoef(x, y)[0, 1])
    x[0], y[1] = np.nan, np.nan
    assert pearson(x, y) == pytest.approx(np.corrcoef(x[2:], y[2:])[0, 1])
    assert pearson(np.ones(5), np.arange(5.0)) == 0.0


def _schema(*columns: tuple[str, ColumnKind]) -> Schema:
    return Schema(tuple(ColumnSchema(name, kind) for name, kind in columns))


def test_association_matrix_uses_the_measure_of_each_pair() -> None:
    df = pd.DataFrame(
        {
            "n": [1.0, 2.0, 3.0, 7.0, 8.0, 9.0],
            "m": [2.0, 4.0, 6.0, 14.0, 16.0, 18.0],
            "g": list("aaabbb"),
        }
    )
    schema = _schema(
        ("n", ColumnKind.NUMERICAL), ("m", ColumnKind.NUMERICAL), ("g", ColumnKind.CATEGORICAL)
    )
    matrix = association_matrix(df, schema, ["n", "m", "g"])
    assert matrix.loc["n", "m"] == pytest.approx(1.0)
    assert matrix.loc["g", "n"] == pytest.approx(np.sqrt(54 / 58))
    assert matrix.loc["n", "g"] == matrix.loc["g", "n"]
    assert np.allclose(np.diag(matrix), 1.0)


def test_column_statistics_hand_computed() -> None:
    real = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0, np.nan], "c": ["a", "a", "b", None, "a"]})
    synth = pd.DataFrame({"x": [2.0, 4.0, 6.0, 8.0, 10.0], "c": ["a", "b", "b", "z", "a"]})
    schema = _schema(("x", ColumnKind.NUMERICAL), ("c", ColumnKind.CATEGORICAL))
    rows = {(r.column, r.statistic): r for r in column_statistics(real, synth, schema)}
    assert rows[("x", "mean")].real == 2.5
    assert rows[("x", "mean")].synthetic == 6.0
    assert rows[("x", "mean")].difference == 3.5
    assert rows[("x", "mean")].relative == pytest.approx(1.4)
    assert rows[("x", "variance")].real == pytest.approx(np.var([1, 2, 3, 4], ddof=1))
    assert rows[("x", "median")].synthetic == 6.0
    assert rows[("x", "25%")].real == pytest.approx(1.75)
    assert rows[("x", "missing %")].real == 20.0
    assert rows[("c", "categories")].real == 2
    assert rows[("c", "categories")].synthetic == 3
    assert rows[("c", "share of 'a' %")].real == 75.0
    assert rows[("c", "share of 'a' %")].synthetic == 40.0
    assert rows[("c", "unseen categories")].synthetic == 1
    table = statistics_table(list(rows.values()))
    assert set(table.columns) == {
        "column",
        "statistic",
        "real",
        "synthetic",
        "difference",
        "relative %",
    }
    assert table.map(lambda v: isinstance(v, str)).all().all()


def test_datetime_statistics_are_dates() -> None:
    real = pd.DataFrame({"d": pd.to_datetime(["2020-01-01", "2020-01-03"])})
    synth = pd.DataFrame({"d": pd.to_datetime(["2020-01-02", "2020-01-06"])})
    rows = column_statistics(real, synth, _schema(("d", ColumnKind.DATETIME)))
    table = statistics_table(rows).set_index("statistic")
    assert table.loc["min", "real"] == "2020-01-01"
    assert table.loc["max", "synthetic"] == "2020-01-06"
    assert table.loc["max", "difference"] == "3 days"


def test_shared_edges_cover_both_tables() -> None:
    real, synth = np.array([0.0, 1.0, 2.0, 3.0]), np.array([-5.0, 10.0])
    edges = shared_edges(real, synth, integer=False)
    assert edges[0] == -5.0
    assert edges[-1] == 10.0
    assert 10 <= len(edges) - 1 <= 50
    assert shared_edges(np.array([0.0, 5.0]), np.array([2.0]), integer=True).tolist() == [
        -0.5,
        0.5,
        1.5,
        2.5,
        3.5,
        4.5,
        5.5,
    ]
    assert len(shared_edges(np.zeros(1000), np.array([1e12]), integer=False)) <= 51


def test_frequencies_keep_top_categories_other_and_missing() -> None:
    real = pd.Series(["c0"] * 5 + [f"c{i}" for i in range(1, 40)] + [None] * 10, dtype=object)
    synth = pd.Series(["c0"] * 50, dtype=object)
    summary = frequencies("x", real, synth)
    assert summary.categories[-2:] == ("(other)", "(missing)")
    assert len(summary.categories) == 32
    assert summary.real_share.sum() == pytest.approx(1.0)
    assert summary.categories[0] == "c0"
    assert summary.synthetic_share[0] == pytest.approx(1.0)
    assert summary.real_share[-1] == pytest.approx(10 / 54)


def test_compare_leaves_out_ids_and_pii_and_figures_stay_small() -> None:
    rng = np.random.default_rng(2)
    n = 200_000
    real = pd.DataFrame(
        {
            "id": np.arange(n),
            "x": rng.normal(size=n),
            "when": pd.Timestamp("2020-01-01")
            + pd.to_timedelta(rng.integers(0, 1000, n), unit="D"),
            "g": rng.choice(list("abcdef"), n),
            "flag": pd.array(rng.random(n) < 0.3, dtype="boolean"),
        }
    )
    schema = Schema(
        (
            ColumnSchema("id", ColumnKind.ID),
            ColumnSchema("x", ColumnKind.NUMERICAL),
            ColumnSchema("when", ColumnKind.DATETIME),
            ColumnSchema("g", ColumnKind.CATEGORICAL),
            ColumnSchema("flag", ColumnKind.BOOLEAN, true_token="yes", false_token="no"),
        )
    )
    comparison = compare(real, real.sample(frac=1.0, random_state=0), schema)
    assert comparison.columns == ("x", "when", "g", "flag")
    assert isinstance(comparison.distributions["x"], Histogram)
    flag = comparison.distributions["flag"]
    assert isinstance(flag, Frequencies)
    assert set(flag.categories) == {"yes", "no"}
    for summary in comparison.distributions.values():
        assert len(distribution_figure(summary).to_json()) < 50_000
    figure = association_figure(comparison.real_associations, comparison.synthetic_associations)
    assert len(figure.to_json()) < 50_000
    assert np.allclose(comparison.real_associations, comparison.synthetic_associations)


def test_skewed_money_columns_get_log_bins_with_zeros_counted_apart() -> None:
    rng = np.random.default_rng(3)
    real = pd.Series(np.concatenate([np.zeros(10), rng.lognormal(5, 2, 990)]))
    synth = pd.Series(np.concatenate([np.zeros(30), rng.lognormal(5, 2, 970)]))
    summary = distribution(ColumnSchema("cost", ColumnKind.NUMERICAL), real, synth)
    assert isinstance(summary, Histogram)
    assert summary.log_scale
    assert summary.real_zero == pytest.approx(0.01)
    assert summary.synthetic_zero == pytest.approx(0.03)
    assert summary.real_share.sum() + summary.real_zero == pytest.approx(1.0)
    assert np.allclose(np.diff(np.log(summary.edges)), np.log(summary.edges[1] / summary.edges[0]))
    figure = distribution_figure(summary)
    assert figure.layout.xaxis.type == "log"
    assert "zeros: real 1.0%, synthetic 3.0%" in figure.layout.title.text
    normal = distribution(
        ColumnSchema("x", ColumnKind.NUMERICAL),
        pd.Series(rng.normal(size=500)),
        pd.Series(rng.normal(size=500)),
    )
    assert isinstance(normal, Histogram)
    assert not normal.log_scale
