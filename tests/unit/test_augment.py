"""Augmentation: synthetic rows of a rare class added to the real training rows, against adding
nothing and oversampling real rows."""

from __future__ import annotations

import pytest

from synth_core.data.io.reader import read_table
from synth_core.evaluate.utility import UtilityError
from synth_core.experiments.augment import METHODS, augmentation, default_counts
from synth_core.generate.spec import GenerationSpec
from synth_core.generate.synthesize import fit
from tests.helpers import rare_table


@pytest.fixture(scope="module")
def model():  # type: ignore[no-untyped-def]
    table = read_table(rare_table(2500, seed=1).to_csv(index=False).encode())
    return fit(table, GenerationSpec(generator="gaussian_copula", rows=100))


def test_default_counts() -> None:
    assert default_counts(100, 10_000) == [0, 25, 50, 100, 200, 400]
    assert default_counts(100, 150) == [0, 25, 50, 100]


@pytest.mark.slow
def test_curve_against_nothing_and_oversampling(model) -> None:  # type: ignore[no-untyped-def]
    report = augmentation(model, "diagnosis", "rare", group="sex")
    assert report.positive == "rare"
    assert report.condition == "diagnosis = rare"
    matching = int((model.train["diagnosis"] == "rare").sum())
    assert report.real_matching == matching
    expected = [0, *[c for c in default_counts(matching, 20_000) if c]]
    for method in METHODS:
        curve = report.curve(method)
        assert [n for n, _ in curve] == expected
        for _, score in curve:
            assert score.ci_low <= score.value <= score.ci_high
    baseline = {m: report.curve(m)[0][1] for m in METHODS}
    assert baseline["synthetic"] == baseline["oversampled real"]  # the same model: nothing added
    most = report.curve("synthetic")[-1][1].value
    assert most > baseline["synthetic"].value  # four times the rare rows help recall here
    assert all(p.gap is not None for p in report.points)
    assert report.seconds > 0  # timed in benchmarks/bench_augment.py, not asserted here


def test_numeric_targets_and_missing_classes_are_refused(model) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(UtilityError, match="a number to predict"):
        augmentation(model, "bmi", 30)
    with pytest.raises(UtilityError, match="never takes the value 'unknown'"):
        augmentation(model, "diagnosis", "unknown")


@pytest.mark.slow
def test_an_edge_case_condition(model) -> None:  # type: ignore[no-untyped-def]
    from synth_core.generate.conditions import RowRequest

    edge = RowRequest(1, {"diagnosis": "rare"}, {"age": (60, None)}, "old and rare")
    report = augmentation(model, "diagnosis", "rare", condition=edge, counts=[0, 50])
    train = model.train
    assert report.real_matching == int(
        ((train["diagnosis"] == "rare") & (train["age"] >= 60)).sum()
    )
    assert report.condition == "old and rare"
    assert [n for n, _ in report.curve("synthetic")] == [0, 50]
