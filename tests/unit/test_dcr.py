"""DCR share that holds still: the mean over balanced reference draws, with an interval from
redrawing which real rows sit on which side. Sound and copying generators over 40 seeds."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from synth_core import read_table
from synth_core.data.table import Table
from synth_core.evaluate.privacy.dcr import Neighbours, estimate_share, share_of_closer
from synth_core.evaluate.privacy.report import Verdict, privacy_report
from tests.helpers import SAMPLES

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


@pytest.mark.parametrize("name", ["insurance", "seattle-weather", "penguins", "near-duplicates"])
def test_a_sound_generator_rarely_goes_amber_and_the_interval_covers_the_spread(
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
    not_green = sum(v is not Verdict.GREEN for v in verdicts)
    print(
        f"{name}: DCR share {np.mean(shares):.3f} ± {np.std(shares, ddof=1):.3f} across seeds, "
        f"printed sd {np.mean(sds):.3f}; not green in {not_green} of {SEEDS}"
    )
    assert not_green <= 0.05 * SEEDS
    assert abs(np.mean(shares) - 0.5) < 0.02
    assert np.mean(sds) >= 0.9 * np.std(shares, ddof=1)  # one draw's interval covers the spread


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
