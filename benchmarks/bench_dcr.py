"""DCR share with an interval that holds still (20 balanced draws; the interval from 20 random
splits of the real rows, each with the same draws) against the single draw with a binomial
interval it replaced, on 50k x 15 tables, in one run.

What the privacy report spends on the DCR share and its searches: the old way searched the
synthetic rows among all training rows (k = 2, for the distances and NNDR), then among an
equal-size sample of training rows and among the holdout; the new way keeps 32 neighbours from
the first search, searches the holdout once, and draws from those. Timed alternately (A B A B),
medians and the ratio print, then one whole privacy report (without Anonymeter's attacks).

    python benchmarks/bench_dcr.py [--rows 50000] [--repeats 3] [--sdmetrics]

With --sdmetrics, also SDMetrics' DCROverfittingProtection ("closer to training") beside our
whole privacy report on 5k training, 5k holdout and 5k synthetic rows (SDMetrics takes minutes).
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_fidelity import mixed_table, schema_of  # noqa: E402

from synth_core.data.distance import RowEncoder, distance_columns, nearest  # noqa: E402
from synth_core.evaluate.privacy.dcr import Neighbours  # noqa: E402
from synth_core.evaluate.privacy.report import (  # noqa: E402
    QUERY_CAP,
    dcr_share,
    measure_dcr_share,
    privacy_report,
)


def single_draw(encoder, train, holdout, queries, rng):  # type: ignore[no-untyped-def]
    """The replaced method: one equal-size draw, a binomial 95% interval."""
    nearest(encoder.transform(train), queries, 2)  # the report's distance search
    size = min(len(train), len(holdout))
    side = train.iloc[np.sort(rng.choice(len(train), size, replace=False))]
    to_training, _ = nearest(encoder.transform(side), queries)
    to_holdout, _ = nearest(encoder.transform(holdout), queries)
    share = dcr_share(to_training[:, 0], to_holdout[:, 0])
    half = 1.96 * math.sqrt(share * (1 - share) / len(queries))
    return share, share - half, share + half


def stabilised(encoder, train, holdout, queries, rng):  # type: ignore[no-untyped-def]
    training = Neighbours.search(encoder.transform(train), queries)  # replaces the k = 2 search
    found = measure_dcr_share(encoder, train, holdout, queries, rng, training)
    return found.share, found.ci_low, found.ci_high


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--sdmetrics", action="store_true")
    args = parser.parse_args()
    if args.sdmetrics:
        against_sdmetrics()
    train = mixed_table(args.rows, seed=1)
    holdout = mixed_table(args.rows // 4, seed=2)
    synthetic = mixed_table(args.rows, seed=3)
    schema = schema_of(train)
    encoder = RowEncoder.fit(train, distance_columns(schema, train, synthetic))
    queries = encoder.transform(synthetic.iloc[:QUERY_CAP])
    old, new = [], []
    for repeat in range(args.repeats):
        started = time.perf_counter()
        before = single_draw(encoder, train, holdout, queries, np.random.default_rng(repeat))
        old.append(time.perf_counter() - started)
        started = time.perf_counter()
        after = stabilised(encoder, train, holdout, queries, np.random.default_rng(repeat))
        new.append(time.perf_counter() - started)
    o, n = statistics.median(old), statistics.median(new)
    print(
        f"DCR share, {args.rows:,} training x {len(schema)} columns, {len(holdout):,} holdout, "
        f"{len(queries):,} synthetic rows:"
    )
    print(f"  single draw  {before[0]:.3f} [{before[1]:.3f}, {before[2]:.3f}]  {o:.2f} s")
    print(f"  20 draws     {after[0]:.3f} [{after[1]:.3f}, {after[2]:.3f}]  {n:.2f} s")
    print(f"  new / old: {n / o:.2f}x (medians of {args.repeats}, searches included)")
    started = time.perf_counter()
    report = privacy_report(train, synthetic, schema, holdout=holdout, attacks=False)
    assert report.dcr_share is not None
    print(
        f"whole privacy report without attacks: {time.perf_counter() - started:.1f} s "
        f"(DCR share {report.dcr_share.share:.3f}, {report.dcr_share.draws} draws)"
    )


def against_sdmetrics(rows: int = 5000) -> None:
    from sdmetrics.single_table import DCROverfittingProtection

    train, holdout, synthetic = (mixed_table(rows, seed=s) for s in (1, 2, 3))
    schema = schema_of(train)
    started = time.perf_counter()
    ours = privacy_report(train, synthetic, schema, holdout=holdout, attacks=False).dcr_share
    mine = time.perf_counter() - started
    metadata = {
        "columns": {
            c.name: {"sdtype": "numerical" if c.kind.value == "numerical" else c.kind.value}
            for c in schema
        }
    }
    started = time.perf_counter()
    theirs = DCROverfittingProtection.compute_breakdown(train, synthetic, holdout, metadata, None)
    their_time = time.perf_counter() - started
    assert ours is not None
    closer = theirs["synthetic_data_percentages"]["closer_to_training"]
    print(
        f"{rows:,} x {rows:,}: our DCR share {ours.share:.3f} (whole report {mine:.1f} s); "
        f"SDMetrics closer-to-training {closer:.3f} ({their_time:.1f} s): "
        f"{their_time / mine:.0f}x the time"
    )


if __name__ == "__main__":
    main()
