"""The fidelity verdict needs the score, detection and the relations (issue 23: trips of 2.5
hours and weekdays that disagree with their dates were "Quality is high"), and the gap between
an order's columns is measured, real beside synthetic."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from synth_core.evaluate.fidelity.detection import Detection, FeatureImportance
from synth_core.evaluate.fidelity.quality import Quality
from synth_core.evaluate.fidelity.rules import RuleCheck, RulesReport, gap_check
from synth_core.evaluate.fidelity.verdict import verdict


def quality(score: float) -> Quality:
    return Quality(score, score, None, (), ())


def detection(auc: float) -> Detection:
    return Detection(auc, (auc,), 500, 10_000, (FeatureImportance("weekday", 0.2),), 1.0)


def rule(share: float, exact: bool = True, gap=None) -> RuleCheck:  # type: ignore[no-untyped-def]
    return RuleCheck(
        "weekday follows the day of the week of dteday",
        "date part",
        ("dteday", "weekday"),
        "holds in all 100 rows",
        0.0 if exact else 0.01,
        share,
        int(share * 1000),
        pd.DataFrame(),
        gap,
    )


def report(*checks: RuleCheck) -> RulesReport:
    return RulesReport(tuple(checks), "", 100)


def test_high_needs_the_score_detection_and_every_relation() -> None:
    assert verdict(quality(0.95), detection(0.55), report(rule(0.0))).level == "high"
    assert verdict(quality(0.95), detection(0.55), report(rule(0.0))).text == (
        "Quality is **high**: the score is 95.0%, a classifier can hardly tell the rows apart "
        "(ROC AUC 0.55), the rows keep every rule the real rows keep (1)."
    )
    # The bike case: a high score, easy to tell apart, the weekday broken in 84% of rows.
    low = verdict(quality(0.991), detection(0.876), report(rule(0.84)))
    assert low.level == "low"
    assert "ROC AUC 0.88" in low.text
    assert "'weekday'" in low.text
    assert "broken in 84% of synthetic rows" in low.text
    assert verdict(quality(0.95), detection(0.55), report(rule(0.05))).level == "moderate"
    assert verdict(quality(0.95), detection(0.70), report()).level == "moderate"
    assert verdict(quality(0.85), detection(0.5), report()).level == "moderate"
    # A rule that real rows break too is not held against the synthetic rows.
    assert verdict(quality(0.95), detection(0.5), report(rule(0.5, exact=False))).level == "high"
    # Copies confuse the classifier below 0.4: never high.
    assert verdict(quality(0.99), detection(0.3), report()).level == "low"


def test_without_detection_the_verdict_says_it_waits() -> None:
    waiting = verdict(quality(0.95), None, report())
    assert waiting.level == "high"
    assert waiting.waiting
    assert "waiting for detection" in waiting.text


def test_the_gap_of_an_order_is_measured_and_lowers_the_verdict() -> None:
    rng = np.random.default_rng(0)
    pickup = pd.Timestamp("2019-03-01") + pd.to_timedelta(rng.integers(0, 2_600_000, 2_000), "s")
    real = pd.DataFrame(
        {"pickup": pickup, "dropoff": pickup + pd.to_timedelta(rng.gamma(3, 4, 2_000), "m")}
    )
    far = pd.DataFrame(
        {"pickup": pickup, "dropoff": pickup + pd.to_timedelta(rng.gamma(2, 75, 2_000), "m")}
    )
    gap = gap_check("pickup", "dropoff", real, far)
    assert gap is not None
    assert gap.unit == "minutes"
    real_minutes = ((real.dropoff - real.pickup).dt.total_seconds() / 60).to_numpy()
    far_minutes = ((far.dropoff - far.pickup).dt.total_seconds() / 60).to_numpy()
    assert gap.real[1] == pytest.approx(np.median(real_minutes))
    assert gap.synthetic[1] == pytest.approx(np.median(far_minutes))
    assert gap.ks == pytest.approx(stats.ks_2samp(real_minutes, far_minutes).statistic)
    assert sum(gap.real_shares) == pytest.approx(1.0)
    assert "time from pickup to dropoff: median" in gap.describe()
    # Every synthetic trip is after its pickup, and still the verdict is not high.
    kept = rule(0.0, gap=gap)
    result = verdict(quality(0.947), detection(0.55), report(kept))
    assert result.level == "low"
    assert "time from pickup to dropoff" in result.text
    same = gap_check("pickup", "dropoff", real, real)
    assert same is not None
    assert same.ks == 0.0
    assert verdict(quality(0.947), detection(0.55), report(rule(0.0, gap=same))).level == "high"
