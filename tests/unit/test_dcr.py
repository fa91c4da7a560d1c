"""DCR share that holds still: the mean over balanced reference draws, with an interval from
redrawing which real rows sit on which side. Sound and copying generators over 40 seeds."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from synth_core import read_table
from synth_core.data.table import Table
from synth_core.evaluate.privacy.dcr import Neighbours, estimate_share, share_of_closer
from synth_core.evaluate.privacy.report import Verdict, judge_dcr, privacy_report
from tests.helpers import SAMPLES
from tests.real_like import census_frame

SEEDS = 40


def near_duplicates(rows: int = 3000, seed: int = 0) -> pd.DataFrame:
    """Rows drawn from 60 templates, some with a tiny change: many exact and near duplicates."""
    rng = np.random.default_rng(seed)
    templates = pd.DataFrame(
        {
            "a": rng.choice(["x", "y", "z"], 60),
            "b": rng.choice(["p", "q"], 60),
            "c": rng.integers(0, 5, 60),
            "d": rng.normal(size=60).round(1),
        }
    )
    frame = templates.iloc[rng.integers(0, 60, rows)].reset_index(drop=True)
    nudged = rng.random(rows) < 0.3
    frame["d"] = frame["d"] + np.where(nudged, rng.normal(0, 0.05, rows).round(2), 0.0)
    return frame


@pytest.fixture(scope="module")
def tables() -> dict[str, Table]:
    found = {p.stem: read_table(p) for p in sorted(SAMPLES.glob("*.csv"))}
    found["near-duplicates"] = read_table(near_duplicates().to_csv(index=False).encode())
    return found


def _draw(
    table: Table, seed: int, copied: float = 0.0, holdout_share: float = 0.2
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(training, holdout, synthetic): the synthetic rows are real rows from a third part the
    generator never saw (a generator that learnt the distribution and nothing else), with
    ``copied`` of them replaced by copies of training rows."""
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(table.df))
    third = len(order) // 3
    synthetic = table.df.iloc[order[:third]]
    rest = order[third:]
    cut = int(len(rest) * holdout_share)
    holdout, training = table.df.iloc[rest[:cut]], table.df.iloc[rest[cut:]]
    copies = int(copied * len(synthetic))
    if copies:
        stolen = training.iloc[rng.choice(len(training), copies, replace=False)]
        synthetic = pd.concat([synthetic.iloc[copies:], stolen])
    return training, holdout, synthetic


@pytest.mark.slow
@pytest.mark.parametrize("name", ["insurance", "seattle-weather", "penguins", "near-duplicates"])
def test_a_sound_generator_is_rarely_amber_and_the_interval_covers_the_spread(
    tables: dict[str, Table], name: str
) -> None:
    table = tables[name]
    verdicts, shares, sds = [], [], []
    for seed in range(SEEDS):
        training, holdout, synthetic = _draw(table, seed)
        report = privacy_report(
            training, synthetic, table.schema, holdout=holdout, seed=seed, attacks=False
        )
        share = report.dcr_share
        assert share is not None
        assert share.draws == 20
        verdicts.append(share.verdict)
        shares.append(share.share)
        sds.append(share.sd)
    warned = sum(v in (Verdict.AMBER, Verdict.RED) for v in verdicts)
    unsure = sum(v is Verdict.UNCERTAIN for v in verdicts)
    print(
        f"{name}: DCR share {np.mean(shares):.3f} ± {np.std(shares, ddof=1):.3f} across seeds, "
        f"printed sd {np.mean(sds):.3f}; amber or red in {warned}, cannot tell in {unsure} of "
        f"{SEEDS}"
    )
    assert warned <= 0.05 * SEEDS
    if name != "penguins":  # 46 holdout rows: too few to show the excess is small
        assert unsure <= 0.1 * SEEDS
    assert abs(np.mean(shares) - 0.5) < 0.02
    # The interval is the spread of the mean share when the real rows are split at random, for
    # these synthetic rows; across seeds the synthetic rows are redrawn too, which adds a little.
    assert np.mean(sds) >= 0.85 * np.std(shares, ddof=1)
    assert np.mean(sds) <= 1.3 * np.std(shares, ddof=1)  # and no wider than it needs to be


@pytest.mark.slow
@pytest.mark.parametrize("name", ["insurance", "seattle-weather", "penguins"])
def test_a_generator_copying_a_tenth_of_its_rows_goes_red(
    tables: dict[str, Table], name: str
) -> None:
    table = tables[name]
    red, shares = 0, []
    for seed in range(SEEDS):
        training, holdout, synthetic = _draw(table, seed, copied=0.1)
        report = privacy_report(
            training, synthetic, table.schema, holdout=holdout, seed=seed, attacks=False
        )
        red += report.worst is Verdict.RED
        assert report.dcr_share is not None
        shares.append(report.dcr_share.share)
    print(f"{name}, 10% copied: red in {red} of {SEEDS}, DCR share {np.mean(shares):.3f}")
    assert red >= 0.95 * SEEDS


def test_the_estimate_by_hand() -> None:
    rng = np.random.default_rng(0)
    # Two training and two holdout rows on a line; queries near each.
    training, holdout = np.array([[0.0], [10.0]]), np.array([[1.0], [20.0]])
    queries = np.array([[0.1], [0.9], [0.5], [19.0], [9.0]])
    found = estimate_share(
        queries, Neighbours.search(training, queries), Neighbours.search(holdout, queries), rng
    )
    # Equal sides, nothing to subsample: every draw gives the classic share (0.5 is a tie).
    to_training = np.array([0.1, 0.9, 0.5, 9.0, 1.0])
    to_holdout = np.array([0.9, 0.1, 0.5, 1.0, 8.0])
    assert found.share == share_of_closer(to_training, to_holdout)
    assert found.share == pytest.approx((1 + 0 + 0.5 + 0 + 1) / 5)
    # Every query sharing one nearest real row: its side decides all of them at once.
    crowd = np.zeros((50, 1))
    together = estimate_share(
        crowd,
        Neighbours.search(np.array([[0.0], [5.0]]), crowd),
        Neighbours.search(np.array([[3.0], [6.0]]), crowd),
        rng,
        draws=40,
    )
    assert together.share == 1.0
    assert together.sd == pytest.approx(0.5, abs=0.05)  # a coin flip, not 50 of them


def test_the_four_states_by_hand() -> None:
    # TVAE on German credit (issue 24): 66.4% passed before because its interval reached 50%.
    tvae = judge_dcr(0.664, 0.600, 0.728, 200)
    assert tvae.verdict is Verdict.RED
    assert "66.4%" in tvae.why
    assert "above the 60% bound" in tvae.why
    assert judge_dcr(0.61, 0.45, 0.77, 50).verdict is Verdict.RED  # above 60%, however wide
    assert judge_dcr(0.595, 0.585, 0.605, 5_000).verdict is Verdict.RED  # all of it past 58%
    fine = judge_dcr(0.505, 0.496, 0.514, 5_000)
    assert fine.verdict is Verdict.GREEN
    assert "51.4%" in fine.why
    assert "58%" in fine.why
    assert judge_dcr(0.527, 0.518, 0.536, 5_000).verdict is Verdict.GREEN  # small, shown small
    # CART on German credit: 55.3%, clear of 50% and reaching past the bound.
    assert judge_dcr(0.553, 0.512, 0.594, 200).verdict is Verdict.AMBER
    assert judge_dcr(0.59, 0.49, 0.69, 60).verdict is Verdict.AMBER  # far above 50%, wide
    small = judge_dcr(0.53, 0.45, 0.61, 69)
    assert small.verdict is Verdict.UNCERTAIN
    # Half-width 0.08 must shrink to 0.58 - 0.53 = 0.05: (0.08 / 0.05)^2 = 2.56 times 69 rows.
    assert small.holdout_needed == 177
    assert "69 holdout rows cannot tell" in small.why
    assert "about 177 would" in small.why
    hopeless = judge_dcr(0.575, 0.49, 0.66, 69)  # 0.085 to 0.005: 289 times as many
    assert hopeless.verdict is Verdict.UNCERTAIN
    assert hopeless.holdout_needed is None
    assert "many times as many" in hopeless.why
    # A share just past a bound is never printed as the bound itself.
    assert "DCR share 60.004% (" in judge_dcr(0.60004, 0.45, 0.75, 268).why
    assert "interval 49.98%–" in judge_dcr(0.53, 0.4998, 0.62, 268).why


def test_above_sixty_percent_is_never_fine_and_green_needs_the_interval_below_the_bound() -> None:
    for share in np.linspace(0.40, 0.80, 81):
        for half in (0.0, 0.005, 0.02, 0.05, 0.1, 0.2):
            low, high = max(share - half, 0.0), min(share + half, 1.0)
            verdict = judge_dcr(float(share), low, high, 100).verdict
            if share > 0.6:
                assert verdict is Verdict.RED
            assert (verdict is Verdict.GREEN) == (high <= 0.58)


def test_a_sound_generator_on_a_large_table_is_clearly_fine() -> None:
    table = read_table(census_frame(8_000, seed=3).to_csv(index=False).encode())
    for seed in range(3):
        training, holdout, synthetic = _draw(table, seed)
        report = privacy_report(
            training, synthetic, table.schema, holdout=holdout, seed=seed, attacks=False
        )
        assert report.dcr_share is not None
        assert report.dcr_share.verdict is Verdict.GREEN, report.dcr_share.why
        assert report.dcr_share.ci_high - report.dcr_share.ci_low < 0.06  # 1,066 holdout rows


def test_a_noisy_small_holdout_cannot_tell_and_says_how_many_rows_would(
    tables: dict[str, Table],
) -> None:
    verdicts = []
    for seed in range(10):
        training, holdout, synthetic = _draw(tables["insurance"], seed, holdout_share=0.01)
        report = privacy_report(
            training, synthetic, tables["insurance"].schema, holdout, seed=seed, attacks=False
        )
        share = report.dcr_share
        assert share is not None
        verdicts.append(share.verdict)
        if share.verdict is Verdict.UNCERTAIN:
            assert f"{share.reference_rows:,} holdout rows cannot tell" in share.why
            assert share.holdout_needed is None or share.holdout_needed > share.reference_rows
            assert report.worst is not Verdict.GREEN  # the page never says all clear
    assert Verdict.RED not in verdicts
    assert verdicts.count(Verdict.UNCERTAIN) >= 8, verdicts  # 8 holdout rows


@pytest.mark.slow
def test_a_gaussian_copula_on_census_like_draws_is_steady() -> None:
    """Issue 33: the Gaussian copula's rows on a census-shaped table, judged on 10 draws (each its
    own 3,000/3,000 training/holdout split of the table and its own fit): at most one draw
    borderline, and the printed interval as wide as the spread of the share across draws."""
    from synth_core import GenerationSpec, synthesize

    full = census_frame(32_561, seed=0)
    shares, sds, verdicts = [], [], []
    for seed in range(10):
        sample = full.sample(6_000, random_state=seed)
        table = read_table(sample.to_csv(index=False).encode())
        spec = GenerationSpec(
            generator="gaussian_copula", rows=3_000, seed=seed, holdout_fraction=0.5
        )
        result = synthesize(table, spec)
        report = privacy_report(
            result.train, result.data, result.schema, result.holdout, seed=seed, attacks=False
        )
        share = report.dcr_share
        assert share is not None
        shares.append(share.share)
        sds.append(share.sd)
        verdicts.append(share.verdict)
    assert sum(v in (Verdict.AMBER, Verdict.RED) for v in verdicts) <= 1, verdicts
    spread = float(np.std(shares, ddof=1))
    printed = float(np.median(sds))
    # measured: spread 0.034, printed 0.040 (10 draws); 0.035 and 0.033 over 30 draws of 5,000
    assert spread <= 1.25 * printed, (spread, printed)
    assert printed <= 2.0 * spread, (spread, printed)  # not so wide that nothing can be told
    assert abs(float(np.mean(shares)) - 0.5) < 0.03
