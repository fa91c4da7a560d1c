"""Privacy report on 50k x 15 tables, and its nearest-neighbour search against a brute-force
baseline (SciPy cdist + argmin in blocks) on the same encoded rows, in one run.

Tables: the mixed 15-column tables of bench_fidelity (7 numbers, a date, 5 categories,
2 booleans); 50k training, 12.5k holdout and 50k synthetic rows. The nearest-neighbour search is
timed alternately with the baseline (A B A B ...); medians and the ratio baseline/ours print.

    python benchmarks/bench_privacy.py [--rows 50000] [--repeats 3]
"""

from __future__ import annotations

import argparse
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
from synth_core.evaluate.privacy.report import privacy_report  # noqa: E402


def brute_force(reference: np.ndarray, queries: np.ndarray, block: int = 2048) -> np.ndarray:
    from scipy.spatial.distance import cdist

    out = np.empty(len(queries))
    for start in range(0, len(queries), block):
        d = cdist(queries[start : start + block], reference)
        out[start : start + block] = d.min(axis=1)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    train = mixed_table(args.rows, seed=1)
    holdout = mixed_table(args.rows // 4, seed=2)
    synthetic = mixed_table(args.rows, seed=3)
    schema = schema_of(train)

    started = time.perf_counter()
    report = privacy_report(train, synthetic, schema, holdout=holdout)
    whole = time.perf_counter() - started
    print(
        f"privacy report, {args.rows:,} training x {len(schema)} columns, {len(holdout):,} "
        f"holdout, {len(synthetic):,} synthetic rows: {whole:.1f} s "
        f"(DCR share {report.dcr_share.share if report.dcr_share else float('nan'):.3f}, "
        f"MIA AUC {report.mia.auc if report.mia else float('nan'):.3f})"
    )
    for note in report.notes:
        print(f"  note: {note}")

    columns = distance_columns(schema, train, synthetic)
    encoder = RowEncoder.fit(train, columns)
    reference = encoder.transform(train)
    queries = encoder.transform(synthetic.iloc[:20_000])
    ours, baseline = [], []
    for _ in range(args.repeats):
        t = time.perf_counter()
        fast = nearest(reference, queries)[0][:, 0]
        ours.append(time.perf_counter() - t)
        t = time.perf_counter()
        slow = brute_force(reference.astype(np.float64), queries.astype(np.float64))
        baseline.append(time.perf_counter() - t)
        assert np.allclose(fast, slow, atol=1e-3), "the two searches disagree"
    o, b = statistics.median(ours), statistics.median(baseline)
    print(
        f"nearest training row for 20,000 synthetic rows among {args.rows:,} "
        f"({reference.shape[1]} encoded dimensions): ours (scikit-learn, float32) {o:.2f} s, "
        f"SciPy cdist in blocks {b:.2f} s: {b / o:.1f}x (medians of {args.repeats})"
    )


if __name__ == "__main__":
    main()
