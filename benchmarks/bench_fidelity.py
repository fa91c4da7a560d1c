"""Our Column Shapes + Column Pair Trends against SDMetrics' QualityReport, in one run.

Tables: mixed 15-column tables (7 numbers, 1 date, 5 categories, 2 booleans, some related) of
10k, 50k and 200k rows, and a 50-column table of 20k rows; real and synthetic drawn from the same
process with different seeds. The two are timed alternately (A B A B ...); medians and the
per-pair ratio SDMetrics/ours are printed (above 10 means more than ten times faster). Also
printed: the JSON size of every figure at 200k rows, and detection time at 50k rows.

    python benchmarks/bench_fidelity.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from synth_core.data.schema import ColumnKind, ColumnSchema, Schema  # noqa: E402
from synth_core.evaluate.fidelity import evaluate_quality  # noqa: E402


def mixed_table(rows: int, seed: int, groups: int = 1) -> pd.DataFrame:
    """Groups of 15 columns: 7 numbers (two related), a date, 5 categories, 2 booleans."""
    rng = np.random.default_rng(seed)
    columns: dict[str, object] = {}
    for g in range(groups):
        s = f"_{g}" if g else ""
        for i in range(7):
            columns[f"num{i}{s}"] = rng.normal(i, 1 + i, rows)
        columns[f"num0{s}"] = 0.8 * np.asarray(columns[f"num1{s}"]) + rng.normal(size=rows)
        columns[f"num2{s}"] = np.round(np.asarray(columns[f"num2{s}"]), 1)
        columns[f"date{s}"] = pd.Timestamp("2020-01-01") + pd.to_timedelta(
            rng.integers(0, 1000, rows), unit="D"
        )
        for i in range(5):
            columns[f"cat{i}{s}"] = rng.choice([f"c{k}" for k in range(3 + 2 * i)], rows).astype(
                object
            )
        columns[f"cat1{s}"] = np.where(
            np.asarray(columns[f"num1{s}"]) > 1, "high", columns[f"cat1{s}"]
        ).astype(object)
        for i in range(2):
            columns[f"bool{i}{s}"] = rng.random(rows) < 0.3
    return pd.DataFrame(columns)


def kind_of(name: str) -> ColumnKind:
    for prefix, kind in (
        ("num", ColumnKind.NUMERICAL),
        ("date", ColumnKind.DATETIME),
        ("cat", ColumnKind.CATEGORICAL),
    ):
        if name.startswith(prefix):
            return kind
    return ColumnKind.BOOLEAN


def schema_of(df: pd.DataFrame) -> Schema:
    return Schema(tuple(ColumnSchema(c, kind_of(c)) for c in df.columns))


def sdmetrics_quality(real: pd.DataFrame, synthetic: pd.DataFrame) -> float:
    from sdmetrics.reports import QualityReport

    metadata = {"tables": {"t": {"columns": {c: {"sdtype": kind_of(c).value} for c in real}}}}
    report = QualityReport()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        report.generate({"t": real}, {"t": synthetic}, metadata, verbose=False)
    return float(report.get_score())


def timed(run: Callable[[], object]) -> float:
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def compare_speed(label: str, real: pd.DataFrame, synthetic: pd.DataFrame, repeats: int) -> float:
    schema = schema_of(real)

    def ours() -> object:
        return evaluate_quality(real, synthetic, schema)

    def theirs() -> object:
        return sdmetrics_quality(real, synthetic)

    ours()
    theirs()
    our_times, their_times = [], []
    for _ in range(repeats):
        our_times.append(timed(ours))
        their_times.append(timed(theirs))
    ratios = [b / a for a, b in zip(our_times, their_times, strict=True)]
    ratio = statistics.median(ratios)
    print(
        f"{label:<34} ours {statistics.median(our_times) * 1000:7.0f} ms  SDMetrics "
        f"{statistics.median(their_times) * 1000:7.0f} ms  SDMetrics/ours median {ratio:5.1f}x "
        f"(min {min(ratios):.1f}, max {max(ratios):.1f})"
    )
    return ratio


def figure_sizes(rows: int) -> None:
    from synth_core.evaluate.fidelity import compare, pair_drilldown
    from synth_core.present.plots import (
        association_figure,
        distribution_figure,
        pair_figure,
    )

    real, synthetic = mixed_table(rows, 1), mixed_table(rows, 2)
    schema = schema_of(real)
    comparison = compare(real, synthetic, schema)
    sizes = {
        name: len(distribution_figure(s).to_json()) for name, s in comparison.distributions.items()
    }
    sizes["associations"] = len(
        association_figure(
            comparison.real_associations, comparison.synthetic_associations
        ).to_json()
    )
    for first, second in (("num0", "num1"), ("cat1", "cat4"), ("num1", "cat1")):
        summary = pair_drilldown(real, synthetic, schema, first, second)
        sizes[f"pair {first} x {second}"] = len(pair_figure(summary).to_json())
    largest = max(sizes, key=lambda k: sizes[k])
    print(
        f"figure JSON at {rows:,} rows: largest {sizes[largest] / 1024:.1f} KB ({largest}), "
        f"all {len(sizes)} under 50 KB: {all(v < 50 * 1024 for v in sizes.values())}"
    )


def detection_time(rows: int) -> None:
    from synth_core.evaluate.fidelity.detection import detect

    real, synthetic = mixed_table(rows, 1), mixed_table(rows, 2)
    started = time.perf_counter()
    result = detect(real, synthetic, schema_of(real), seed=0)
    elapsed = time.perf_counter() - started
    print(
        f"detection at {rows:,} rows: {elapsed:.1f} s, AUC {result.auc:.3f} on "
        f"{result.rows_per_side:,} rows per side (cap {result.cap:,})"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    ratios = {}
    for rows in (10_000, 50_000, 200_000):
        label = f"{rows:,} rows x 15 columns"
        ratios[label] = compare_speed(
            label, mixed_table(rows, 1), mixed_table(rows, 2), args.repeats
        )
    label = "20,000 rows x 50 columns"
    real, synthetic = mixed_table(20_000, 1, groups=4), mixed_table(20_000, 2, groups=4)
    real, synthetic = real.iloc[:, :50], synthetic.iloc[:, :50]
    ratios[label] = compare_speed(label, real, synthetic, args.repeats)
    target = ratios["50,000 rows x 15 columns"]
    print(f"50k x 15 target (at least 10x): {'OK' if target >= 10 else 'NOT MET'} ({target:.1f}x)")
    figure_sizes(200_000)
    detection_time(50_000)
    return 0


if __name__ == "__main__":
    sys.exit(main())
