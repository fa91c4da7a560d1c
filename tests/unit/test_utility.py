"""Utility (TSTR vs TRTR) and fairness: known-bad and perfect synthetic data, hand-computed
gaps, exact representation counts."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from synth_core import GenerationSpec, read_table, synthesize
from synth_core.data.schema import ColumnKind, ColumnSchema, Schema
from synth_core.evaluate.fairness import (
    fairness_report,
    gaps,
    group_labels,
    group_metrics,
    rare_categories_lost,
    representation,
    suggest_sensitive,
)
from synth_core.evaluate.utility import TaskKind, UtilityError, infer_task, utility_report
from tests.helpers import SAMPLES


@pytest.fixture(scope="module")
def insurance():  # type: ignore[no-untyped-def]
    table = read_table((SAMPLES / "insurance.csv").read_bytes())
    return synthesize(table, GenerationSpec(generator="cart", rows=1070, seed=0))


def _shuffled(frame: pd.DataFrame) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    out = frame.copy()
    for column in out.columns:
        out[column] = out[column].to_numpy()[rng.permutation(len(out))]
    return out


@pytest.mark.slow
@pytest.mark.parametrize(("target", "metric"), [("smoker", "roc_auc"), ("charges", "r2")])
def test_tstr_drops_on_shuffled_data_and_matches_on_a_copy(
    insurance, target: str, metric: str
) -> None:  # type: ignore[no-untyped-def]
    r = insurance
    copy = utility_report(r.train, r.train, r.holdout, r.schema, target, importance=False)
    assert copy.metric == metric
    for model in copy.models:
        assert model.tstr[metric].value == pytest.approx(model.trtr[metric].value)
    assert copy.ratio() == pytest.approx(1.0)
    bad = utility_report(r.train, _shuffled(r.train), r.holdout, r.schema, target, importance=False)
    main = bad.main
    assert main.tstr[metric].ci_high < main.trtr[metric].ci_low  # clearly, beyond the intervals
    assert bad.ratio() < 0.6
    json.dumps(bad.to_dict(), allow_nan=False)


def test_feature_importance_real_and_synthetic(insurance) -> None:  # type: ignore[no-untyped-def]
    r = insurance
    report = utility_report(r.train, r.data, r.holdout, r.schema, "charges")
    importance = report.main.importance_real
    assert max(importance, key=importance.get) in {"smoker", "age"}  # type: ignore[arg-type]
    assert set(report.main.importance_synthetic) == set(report.features)


def test_task_inference_and_refusals(insurance) -> None:  # type: ignore[no-untyped-def]
    assert infer_task(pd.Series([0, 1, 2, 1]), ColumnKind.NUMERICAL) is TaskKind.CLASSIFICATION
    assert infer_task(pd.Series(np.linspace(0, 1, 50)), ColumnKind.NUMERICAL) is TaskKind.REGRESSION
    assert infer_task(pd.Series(["a", "b"]), ColumnKind.CATEGORICAL) is TaskKind.CLASSIFICATION
    r = insurance
    with pytest.raises(UtilityError, match="no column 'nope'"):
        utility_report(r.train, r.data, r.holdout, r.schema, "nope")
    with pytest.raises(UtilityError, match="at least 20 holdout rows"):
        utility_report(r.train, r.data, r.holdout.iloc[:5], r.schema, "smoker")
    constant = r.train.assign(sex="female")
    with pytest.raises(UtilityError, match="single value"):
        utility_report(constant, constant, r.holdout.assign(sex="female"), r.schema, "sex")


def test_imbalanced_target_with_missing_values() -> None:
    rng = np.random.default_rng(3)
    n = 3000
    x = rng.normal(size=n)
    z = rng.choice(["a", "b", "c"], n).astype(object)
    y = (x + rng.normal(0, 0.5, n) > 2.0).astype(int)  # ~5% positive
    x[rng.random(n) < 0.1] = np.nan
    z[rng.random(n) < 0.1] = None
    frame = pd.DataFrame({"x": x, "z": z, "y": np.where(y == 1, "yes", "no")})
    schema = Schema(
        (
            ColumnSchema("x", ColumnKind.NUMERICAL),
            ColumnSchema("z", ColumnKind.CATEGORICAL),
            ColumnSchema("y", ColumnKind.CATEGORICAL),
        )
    )
    train, holdout = frame.iloc[:2400], frame.iloc[2400:]
    report = utility_report(train, train, holdout, schema, "y", importance=False)
    assert report.positive == "yes"  # the minority class
    assert 0.02 < (frame["y"] == "yes").mean() < 0.08
    assert report.main.trtr["roc_auc"].value > 0.8
    assert report.main.trtr["f1"].value is not None


def test_fairness_gaps_by_hand() -> None:
    y = np.array(["1", "1", "0", "0", "1", "1", "0", "0", "0", "1"])
    pred = np.array(["1", "0", "1", "0", "1", "1", "0", "0", "0", "0"])
    groups = np.array(["a"] * 5 + ["b"] * 5)
    metrics = {m.group: m for m in group_metrics(y, pred, groups, TaskKind.CLASSIFICATION, "1")}
    # a: y 1 1 0 0 1, pred 1 0 1 0 1 -> selection 3/5, TPR 2/3, FPR 1/2, accuracy 3/5
    # b: y 1 0 0 0 1, pred 1 0 0 0 0 -> selection 1/5, TPR 1/2, FPR 0, accuracy 4/5
    assert metrics["a"].selection_rate == pytest.approx(3 / 5)
    assert metrics["a"].tpr == pytest.approx(2 / 3)
    assert metrics["a"].fpr == pytest.approx(1 / 2)
    assert metrics["b"].tpr == pytest.approx(1 / 2)
    assert metrics["b"].fpr == 0.0
    found = gaps(list(metrics.values()))
    assert found.demographic_parity == pytest.approx(2 / 5)
    assert found.equal_opportunity == pytest.approx(2 / 3 - 1 / 2)
    assert found.equalized_odds == pytest.approx(1 / 2)  # the FPR gap is the larger
    assert found.accuracy == pytest.approx(1 / 5)
    regression = group_metrics(
        np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0]),
        np.array([1.0, 2.0, 3.0, 4.0, 5.0, 8.0, 9.0, 10.0, 11.0, 12.0]),
        groups,
        TaskKind.REGRESSION,
        None,
    )
    assert gaps(regression).mae == pytest.approx(2.0)


def test_representation_counts_are_exact_and_flag_changes() -> None:
    real = pd.Series(["f"] * 50 + ["m"] * 45 + ["x"] * 5)
    synthetic = pd.Series(["f"] * 80 + ["m"] * 20 + ["y"] * 10)
    shares = {g.group: g for g in representation(real, synthetic)}
    assert (shares["f"].real_rows, shares["f"].synthetic_rows) == (50, 80)
    assert shares["m"].status == "shrunk"  # 45% -> 18%
    assert shares["x"].status == "vanished"
    assert shares["y"].status == "appeared"
    assert shares["f"].status == "ok"
    assert shares["y"].synthetic_share == pytest.approx(10 / 110)
    schema = Schema((ColumnSchema("s", ColumnKind.CATEGORICAL),))
    lost = rare_categories_lost(
        pd.DataFrame({"s": ["a"] * 995 + ["rare"] * 5}), pd.DataFrame({"s": ["a"] * 10}), schema
    )
    assert lost == {"s": ["rare"]}


def test_numeric_groups_are_bands_with_the_same_edges() -> None:
    real = pd.Series(np.arange(100.0))
    other = pd.Series([0.0, 50.0, 99.0, np.nan])
    bands_real, bands_other = group_labels(real, [other], ColumnKind.NUMERICAL)
    assert bands_real.nunique() == 4
    assert bands_other.tolist()[:3] == [bands_real[0], bands_real[50], bands_real[99]]
    assert bands_other.tolist()[3] == "(missing)"


def test_fairness_report_on_insurance(insurance) -> None:  # type: ignore[no-untyped-def]
    r = insurance
    assert suggest_sensitive(r.schema, r.train) == ["age", "sex"]
    report = fairness_report(
        r.train, _shuffled(r.train), r.holdout, r.schema, target="smoker", sensitive=["sex", "age"]
    )
    sex = report.columns[0]
    assert {g.group for g in sex.representation} == {"female", "male"}
    assert sum(g.real_rows for g in sex.representation) == len(r.train)
    assert sex.real_gaps.equal_opportunity is not None
    assert len(report.columns[1].representation) == 4  # age quartile bands
    keys = report.to_dict()["fairness"]
    assert set(keys) == {"sex", "age", "rare_categories_lost"}
    assert set(keys["sex"]["widened"]) == {
        "demographic_parity",
        "equal_opportunity",
        "equalized_odds",
        "accuracy",
        "mae",
    }
    json.dumps(keys, allow_nan=False)


def test_fast_binary_metrics_equal_scikit_learn() -> None:
    from sklearn import metrics

    from synth_core.evaluate.utility import _metric_functions

    rng = np.random.default_rng(5)
    classes = np.array(["neg", "pos"])
    for _ in range(20):
        n = int(rng.integers(5, 60))
        y = rng.choice(classes, n, p=[0.8, 0.2])
        pred = rng.choice(classes, n)
        score = np.round(rng.random(n), 1)  # ties on purpose
        proba = np.column_stack([1 - score, score])
        found = _metric_functions(TaskKind.CLASSIFICATION, classes, "pos")
        truth, guess = y == "pos", pred == "pos"
        assert found["accuracy"](y, pred, proba) == pytest.approx(metrics.accuracy_score(y, pred))
        assert found["f1"](y, pred, proba) == pytest.approx(
            metrics.f1_score(truth, guess, zero_division=0)
        )
        assert found["recall"](y, pred, proba) == pytest.approx(
            metrics.recall_score(truth, guess, zero_division=0)
        )
        if truth.any() and not truth.all():
            with np.errstate(all="ignore"):
                assert found["balanced_accuracy"](y, pred, proba) == pytest.approx(
                    metrics.balanced_accuracy_score(y, pred)
                )
            assert found["roc_auc"](y, pred, proba) == pytest.approx(
                metrics.roc_auc_score(truth, score)
            )


def test_a_category_with_more_levels_than_gradient_boosting_takes() -> None:
    """HistGradientBoosting takes at most 255 categories: the rarest share one code."""
    from synth_core.data.encoding import MAX_LEVELS, Encoder

    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"code": [f"c{i}" for i in rng.integers(0, 900, 3000)], "y": 1.0})
    schema = Schema(
        (ColumnSchema("code", ColumnKind.CATEGORICAL), ColumnSchema("y", ColumnKind.NUMERICAL))
    )
    encoder = Encoder(frame, schema, ["code"])
    values = encoder.transform(pd.DataFrame({"code": ["c1", "never seen", None]}))[:, 0]
    assert np.nanmax(encoder.transform(frame)) == MAX_LEVELS
    assert values[1] == MAX_LEVELS
    assert np.isnan(values[2])
