"""Column Shapes, Column Pair Trends and validity metrics equal SDMetrics' on the same data."""

from __future__ import annotations

import warnings
from collections.abc import Iterator

import numpy as np
import pandas as pd
import pytest

from synth_core import GenerationSpec, read_table, synthesize
from synth_core.data.schema import ColumnKind, ColumnSchema, Schema
from synth_core.evaluate.fidelity import Binning, evaluate_quality
from synth_core.evaluate.fidelity.prepare import prepare
from synth_core.evaluate.fidelity.quality import Quality
from synth_core.evaluate.fidelity.validity import column_validity
from tests.helpers import SAMPLES

TOLERANCE = 1e-6
SDTYPES = {
    ColumnKind.NUMERICAL: "numerical",
    ColumnKind.DATETIME: "datetime",
    ColumnKind.CATEGORICAL: "categorical",
    ColumnKind.BOOLEAN: "boolean",
    ColumnKind.ID: "id",
}


def _numeric_table(rows: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    base = rng.normal(size=rows)
    return pd.DataFrame(
        {
            "a": base,
            "b": 2 * base + rng.normal(scale=0.5, size=rows),
            "c": np.round(rng.gamma(2.0, 3.0, rows), 1),
            "d": -base + rng.normal(scale=0.8, size=rows),
            "e": rng.integers(0, 5, rows),
        }
    )


def _with_gaps(df: pd.DataFrame, seed: int, share: float = 0.1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    out = df.copy()
    for column in out.columns:
        out.loc[rng.random(len(out)) < share, column] = None
    return out


@pytest.fixture(scope="module")
def cases() -> dict[str, tuple[pd.DataFrame, pd.DataFrame, Schema]]:
    """Real beside synthetic: a mixed table from each generator, an all-numeric table, and a
    table with missing values and dates."""
    insurance = read_table(SAMPLES / "insurance.csv")
    copula = synthesize(insurance, GenerationSpec(generator="gaussian_copula", rows=1500, seed=1))
    cart = synthesize(insurance, GenerationSpec(generator="cart", rows=1200, seed=2))
    numeric_real, numeric_synth = _numeric_table(3000, 1), _numeric_table(2000, 2)
    numeric_synth["b"] = numeric_synth["b"] * 0.7
    numeric_schema = Schema(
        tuple(ColumnSchema(c, ColumnKind.NUMERICAL) for c in numeric_real.columns)
    )
    weather = read_table(SAMPLES / "seattle-weather.csv")
    weather_synth = synthesize(weather, GenerationSpec(generator="cart", rows=1000, seed=3))
    gappy_real = _with_gaps(weather_synth.train, 4)
    gappy_synth = _with_gaps(weather_synth.data, 5, 0.15)
    return {
        "mixed, Gaussian copula": (copula.train, copula.data, copula.schema),
        "mixed, CART": (cart.train, cart.data, cart.schema),
        "all numeric": (numeric_real, numeric_synth, numeric_schema),
        "missing values and dates": (gappy_real, gappy_synth, weather_synth.schema),
    }


def _metadata(schema: Schema) -> dict[str, object]:
    return {"tables": {"t": {"columns": {c.name: {"sdtype": SDTYPES[c.kind]} for c in schema}}}}


def _sdmetrics_report(real: pd.DataFrame, synthetic: pd.DataFrame, schema: Schema) -> object:
    from sdmetrics.reports import QualityReport

    report = QualityReport()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SDMetrics' own deprecation and runtime warnings
        report.generate({"t": real}, {"t": synthetic}, _metadata(schema), verbose=False)
    return report


def _pairs(report: object) -> Iterator[tuple[str, str, float, bool]]:
    details = report.get_details("Column Pair Trends")  # type: ignore[attr-defined]
    columns = details[["Column 1", "Column 2", "Score", "Meets Threshold?"]]
    for first, second, score, meets in columns.itertuples(index=False):
        yield first, second, float(score), bool(meets) if not pd.isna(meets) else False


@pytest.mark.parametrize(
    "case", ["mixed, Gaussian copula", "mixed, CART", "all numeric", "missing values and dates"]
)
def test_every_metric_equals_sdmetrics_in_its_binning(
    cases: dict[str, tuple[pd.DataFrame, pd.DataFrame, Schema]], case: str
) -> None:
    real, synthetic, schema = cases[case]
    theirs = _sdmetrics_report(real, synthetic, schema)
    ours = evaluate_quality(real, synthetic, schema, Binning.SDMETRICS)
    shapes = theirs.get_details("Column Shapes").set_index("Column")  # type: ignore[attr-defined]
    assert {s.column for s in ours.shapes} == set(shapes.index)
    for shape in ours.shapes:
        assert shape.metric == shapes.loc[shape.column, "Metric"]
        assert shape.score == pytest.approx(shapes.loc[shape.column, "Score"], abs=TOLERANCE)
    by_pair = {(p.first, p.second): p for p in ours.pairs}
    counted = 0
    for first, second, score, meets in _pairs(theirs):
        mine = by_pair[(first, second)]
        assert mine.counted == meets, (first, second)
        if meets and not np.isnan(score):
            counted += 1
            assert mine.score == pytest.approx(score, abs=TOLERANCE), (first, second)
    properties = theirs.get_properties().set_index("Property")["Score"]  # type: ignore[attr-defined]
    assert ours.column_shapes == pytest.approx(properties["Column Shapes"], abs=TOLERANCE)
    if counted:
        assert ours.pair_trends == pytest.approx(properties["Column Pair Trends"], abs=TOLERANCE)
    else:
        assert ours.pair_trends is None
        assert np.isnan(properties["Column Pair Trends"])
    assert ours.overall == pytest.approx(theirs.get_score(), abs=TOLERANCE)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "case", ["mixed, Gaussian copula", "mixed, CART", "missing values and dates"]
)
def test_shared_bins_equal_sdmetrics_contingency_metric_and_differ_little_from_its_report(
    cases: dict[str, tuple[pd.DataFrame, pd.DataFrame, Schema]], case: str
) -> None:
    from sdmetrics.column_pairs import ContingencySimilarity

    real, synthetic, schema = cases[case]
    shared = evaluate_quality(real, synthetic, schema, Binning.SHARED)
    theirs_binning = evaluate_quality(real, synthetic, schema, Binning.SDMETRICS)
    kinds = {c.name: c.kind for c in schema}
    continuous = {ColumnKind.NUMERICAL, ColumnKind.DATETIME}
    mixed = [
        p
        for p in shared.pairs
        if p.metric == "ContingencySimilarity"
        and {kinds[p.first] in continuous, kinds[p.second] in continuous} == {True, False}
    ]
    assert mixed
    for pair in mixed:
        columns = [pair.first, pair.second]
        numeric = [c for c in columns if kinds[c] in continuous]
        real_pair, synth_pair = real[columns].copy(), synthetic[columns].copy()
        for name in numeric:  # SDMetrics bins numbers; dates as numbers, as its report does
            real_pair[name] = pd.to_numeric(real_pair[name]).astype(float)
            synth_pair[name] = pd.to_numeric(synth_pair[name]).astype(float)
            if kinds[name] is ColumnKind.DATETIME:
                real_pair.loc[real[name].isna(), name] = np.nan
                synth_pair.loc[synthetic[name].isna(), name] = np.nan
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            expected = ContingencySimilarity.compute(
                real_pair, synth_pair, continuous_column_names=numeric
            )
        assert pair.score == pytest.approx(expected, abs=TOLERANCE), columns
    assert shared.column_shapes == theirs_binning.column_shapes
    assert abs(shared.overall - theirs_binning.overall) <= 0.03


def test_separate_bins_misjudge_a_faithful_copy_with_one_outlier() -> None:
    """Why we bin on shared edges: one extreme synthetic value shifts every SDMetrics bin."""
    rng = np.random.default_rng(0)
    real = pd.DataFrame({"x": rng.normal(size=2000), "g": rng.choice(["a", "b"], 2000)})
    real.loc[real["g"] == "b", "x"] += 2
    synthetic = real.copy()
    synthetic.loc[0, "x"] = 40.0
    schema = Schema(
        (ColumnSchema("x", ColumnKind.NUMERICAL), ColumnSchema("g", ColumnKind.CATEGORICAL))
    )
    shared = evaluate_quality(real, synthetic, schema, Binning.SHARED)
    separate = evaluate_quality(real, synthetic, schema, Binning.SDMETRICS)
    assert shared.pair_trends is not None
    assert shared.pair_trends > 0.99
    assert separate.pair_trends is not None
    assert separate.pair_trends < 0.6


@pytest.mark.parametrize("case", ["mixed, CART", "missing values and dates"])
def test_validity_metrics_equal_sdmetrics(
    cases: dict[str, tuple[pd.DataFrame, pd.DataFrame, Schema]], case: str
) -> None:
    from sdmetrics.single_column import (
        BoundaryAdherence,
        CategoryAdherence,
        CategoryCoverage,
        MissingValueSimilarity,
        RangeCoverage,
    )

    real, synthetic, schema = cases[case]
    synthetic = synthetic.copy()
    first_number = next(c.name for c in schema if c.kind is ColumnKind.NUMERICAL)
    synthetic.loc[:3, first_number] = real[first_number].max() + 5.0  # outside the real range
    metrics = {
        "BoundaryAdherence": BoundaryAdherence,
        "CategoryAdherence": CategoryAdherence,
        "RangeCoverage": RangeCoverage,
        "CategoryCoverage": CategoryCoverage,
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for validity in column_validity(real, synthetic, schema):
            r, s = real[validity.column], synthetic[validity.column]
            if validity.adherence_metric:
                expected = metrics[validity.adherence_metric].compute(r, s)
                assert validity.adherence == pytest.approx(expected, abs=TOLERANCE)
            if validity.coverage_metric and validity.coverage is not None:
                expected = metrics[validity.coverage_metric].compute(r, s)
                assert validity.coverage == pytest.approx(expected, abs=TOLERANCE)
            expected = MissingValueSimilarity.compute(r, s)
            assert validity.missing_similarity == pytest.approx(expected, abs=TOLERANCE)
    outside = next(v for v in column_validity(real, synthetic, schema) if v.column == first_number)
    assert any("outside the real range" in p for p in outside.problems)


def test_key_uniqueness_equals_sdmetrics() -> None:
    from sdmetrics.single_column import KeyUniqueness

    real = pd.DataFrame({"id": range(10)})
    synthetic = pd.DataFrame({"id": [1, 2, 2, 3, None, 5, 6, 6, 6, 9]})
    schema = Schema((ColumnSchema("id", ColumnKind.ID),))
    (validity,) = column_validity(real, synthetic, schema)
    assert validity.adherence == pytest.approx(KeyUniqueness.compute(real["id"], synthetic["id"]))
    assert validity.adherence == pytest.approx(0.6)  # 2, 6, 6 duplicated and one missing
    assert validity.problems == (
        "3 of 10 (30.0%) synthetic keys repeat another synthetic key",
        "missing values: 0.0% in the real data, 10.0% in the synthetic",
    )


def test_keys_as_empty_as_the_real_ones_are_no_problem() -> None:
    """A case number filled in about half of the real rows (issue 33: warned as '52.3%
    duplicated or missing' while the real column is 51.9% empty): empties as many as in the
    real column are faithful; repeats are said apart."""
    rng = np.random.default_rng(0)
    real = pd.DataFrame({"case": np.where(rng.random(2_000) < 0.519, None, np.arange(2_000))})
    made = np.where(rng.random(2_000) < 0.523, None, np.arange(10_000, 12_000)).astype(object)
    schema = Schema((ColumnSchema("case", ColumnKind.ID),))
    (validity,) = column_validity(real, pd.DataFrame({"case": made}), schema)
    assert validity.problems == ()
    made[:10] = 10_999  # ten keys that repeat one
    (validity,) = column_validity(real, pd.DataFrame({"case": made}), schema)
    assert validity.problems == ("9 of 2,000 (0.4%) synthetic keys repeat another synthetic key",)


def _quality_of(
    real: pd.DataFrame, synthetic: pd.DataFrame, kinds: dict[str, ColumnKind]
) -> Quality:
    schema = Schema(tuple(ColumnSchema(name, kind) for name, kind in kinds.items()))
    return evaluate_quality(real, synthetic, schema)


def test_hand_computed_shapes_and_pairs() -> None:
    real = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0], "y": [2.0, 4.0, 6.0, 8.0], "c": list("aabb")})
    synthetic = pd.DataFrame(
        {"x": [1.0, 2.0, 2.0, 5.0], "y": [8.0, 6.0, 4.0, 2.0], "c": list("abbb")}
    )
    q = _quality_of(
        real,
        synthetic,
        {"x": ColumnKind.NUMERICAL, "y": ColumnKind.NUMERICAL, "c": ColumnKind.CATEGORICAL},
    )
    shapes = {s.column: s.score for s in q.shapes}
    # x: CDFs differ most at 2 (real 0.5, synthetic 0.75): KS 0.25. y: identical values.
    assert shapes["x"] == pytest.approx(0.75)
    assert shapes["y"] == pytest.approx(1.0)
    # c: real a 0.5, b 0.5; synthetic a 0.25, b 0.75: TV 0.25.
    assert shapes["c"] == pytest.approx(0.75)
    xy = next(p for p in q.pairs if (p.first, p.second) == ("x", "y"))
    # Pearson real +1; synthetic x=[1,2,2,5], y=[8,6,4,2] gives r = -0.8945...
    synth_r = np.corrcoef([1, 2, 2, 5], [8, 6, 4, 2])[0, 1]
    assert xy.score == pytest.approx(1 - abs(1 - synth_r) / 2)
    assert xy.counted
    assert q.column_shapes == pytest.approx((0.75 + 1.0 + 0.75) / 3)


def test_hand_computed_contingency_with_missing_cells() -> None:
    real = pd.DataFrame({"a": ["x", "x", "y", None], "b": ["p", "q", "q", "q"]})
    synthetic = pd.DataFrame({"a": ["x", "y", "y", None], "b": ["p", "q", "q", "p"]})
    q = _quality_of(real, synthetic, {"a": ColumnKind.CATEGORICAL, "b": ColumnKind.CATEGORICAL})
    (pair,) = q.pairs
    # real cells: (x,p) .25 (x,q) .25 (y,q) .25 (NA,q) .25; synthetic (x,p) .25 (y,q) .5 (NA,p) .25
    # |differences|: 0 + .25 + .25 + .25 + .25 = 1.0; score 1 - 1/2 = 0.5
    assert pair.score == pytest.approx(0.5)


def test_thousands_of_categories_are_counted_sparsely() -> None:
    rng = np.random.default_rng(0)
    rows = 20_000
    real = pd.DataFrame(
        {
            "city": rng.integers(0, 5000, rows).astype(str),
            "zip": rng.integers(0, 4000, rows).astype(str),
        }
    )
    synthetic = pd.DataFrame(
        {
            "city": rng.integers(0, 5000, rows).astype(str),
            "zip": rng.integers(0, 4000, rows).astype(str),
        }
    )
    q = _quality_of(
        real, synthetic, {"city": ColumnKind.CATEGORICAL, "zip": ColumnKind.CATEGORICAL}
    )
    (pair,) = q.pairs
    assert pair.metric == "ContingencySimilarity"
    assert 0.0 <= (pair.score or 0) <= 1.0
    table = pd.crosstab(real["city"], real["zip"]).to_numpy()
    from scipy.stats.contingency import association

    assert pair.real_association == pytest.approx(association(table, method="cramer"), rel=1e-9)


def test_degenerate_columns_give_defined_scores() -> None:
    real = pd.DataFrame({"empty": [None] * 5, "one": [3.0] * 5, "x": [1.0, 2.0, 3.0, 4.0, 5.0]})
    synthetic = pd.DataFrame({"empty": [None] * 4, "one": [3.0] * 4, "x": [1.0, 2.0, 2.0, 4.0]})
    kinds = {"empty": ColumnKind.NUMERICAL, "one": ColumnKind.NUMERICAL, "x": ColumnKind.NUMERICAL}
    q = _quality_of(real, synthetic, kinds)
    shapes = {s.column: s.score for s in q.shapes}
    assert shapes["empty"] is None
    assert shapes["one"] == 1.0
    assert q.column_shapes == pytest.approx((1.0 + shapes["x"]) / 2)
    reasons = {(p.first, p.second): p.reason for p in q.pairs}
    assert reasons[("one", "x")] == "a column is constant"
    assert reasons[("empty", "x")] == "too few rows with both values"
    assert q.pair_trends is None
    assert q.overall == q.column_shapes


def test_single_row_tables() -> None:
    real = pd.DataFrame({"x": [1.0], "c": ["a"]})
    synthetic = pd.DataFrame({"x": [2.0], "c": ["b"]})
    q = _quality_of(real, synthetic, {"x": ColumnKind.NUMERICAL, "c": ColumnKind.CATEGORICAL})
    # 5e-7 rather than 0: SDMetrics counts an unseen category 1e-6 times in the real data.
    assert q.column_shapes == pytest.approx(0.0, abs=1e-6)
    assert q.pair_trends is None
    assert q.overall == pytest.approx(0.0, abs=1e-6)


def test_prepare_needs_rows() -> None:
    from synth_core import SchemaError

    schema = Schema((ColumnSchema("x", ColumnKind.NUMERICAL),))
    with pytest.raises(SchemaError, match="at least one row"):
        prepare(pd.DataFrame({"x": []}), pd.DataFrame({"x": [1.0]}), schema)


def test_a_value_piled_up_in_the_synthetic_rows_is_flagged() -> None:
    """Trips pushed onto the first real pickup time pile up there (issue 33, point 3)."""
    rng = np.random.default_rng(3)
    real = pd.DataFrame({"minutes": rng.gamma(3.0, 4.0, 2_000).round(1)})
    synthetic = pd.DataFrame({"minutes": rng.gamma(3.0, 4.0, 2_000).round(1)})
    schema = Schema((ColumnSchema("minutes", ColumnKind.NUMERICAL),))
    (plain,) = column_validity(real, synthetic, schema)
    assert not [p for p in plain.problems if "piled up" in p]  # repeats as in the real rows
    synthetic.loc[:55, "minutes"] = 0.0  # 56 zero-minute trips; real: none
    (piled,) = column_validity(real, synthetic, schema)
    assert [p for p in piled.problems if "piled up" in p] == [
        "56 synthetic rows (2.8%) hold exactly 0.0; 0.00% of the real rows do: values piled up "
        "on one value"
    ]
