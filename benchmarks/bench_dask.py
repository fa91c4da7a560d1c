"""Partitioned generation on Dask: rows per second with 1 against 2 workers, and peak memory per
worker for 1M against 10M rows (the baselines are the 1-worker and the 1M runs of this same
invocation). GaussianCopula fitted once on the insurance sample; partitions of 250,000 rows,
each written chunk by chunk to Parquet by its worker; a new LocalCluster (processes of one
thread) per run, so each worker's peak RSS (ru_maxrss) belongs to that run only.

    python benchmarks/bench_dask.py [--speed-rows 2000000] [--small 1000000] [--big 10000000]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--speed-rows", type=int, default=2_000_000)
    parser.add_argument("--small", type=int, default=1_000_000)
    parser.add_argument("--big", type=int, default=10_000_000)
    args = parser.parse_args()

    from synth_core import read_table
    from synth_core.generate.spec import GenerationSpec
    from synth_core.generate.synthesize import fit
    from synth_core.workflows.scale import dask_client, generate_partitioned

    table = read_table((ROOT / "sample_data" / "insurance.csv").read_bytes())
    model = fit(table, GenerationSpec(generator="gaussian_copula", seed=0))
    folder = Path(tempfile.mkdtemp(prefix="bench_dask_"))
    try:

        def run(rows: int, workers: int, name: str) -> tuple[float, float]:
            with dask_client(workers=workers) as client:
                result = generate_partitioned(model, rows, folder / name, client=client)
            size = sum(p.stat().st_size for p in (folder / name).iterdir()) / 1e6
            peak = max(result.peak_rss_mb().values())
            print(
                f"{rows:>11,} rows, {workers} worker(s): {result.seconds:6.1f} s, "
                f"{result.rows_per_second:>9,.0f} rows/s, peak RSS per worker "
                f"{', '.join(f'{v:,.0f}' for v in result.peak_rss_mb().values())} MB, "
                f"{len(result.partitions)} partitions, {size:,.0f} MB of Parquet"
            )
            shutil.rmtree(folder / name)
            return result.rows_per_second, peak

        one, _ = run(args.speed_rows, 1, "speed1")
        two, _ = run(args.speed_rows, 2, "speed2")
        print(f"speed-up, 2 workers vs 1 (same run): {two / one:.2f}x")
        _, small = run(args.small, 2, "small")
        _, big = run(args.big, 2, "big")
        print(
            f"peak memory per worker, {args.big:,} vs {args.small:,} rows: {big / small:.2f}x "
            f"({big:,.0f} vs {small:,.0f} MB; {args.big / args.small:.0f}x the rows)"
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
