"""Partitioned generation on Dask (issue 34, point 4).

A table larger than one machine's memory, end to end: census-shaped CSVs of 1,000,000 and
10,000,000 rows (the census-like process of tests/real_like.py, every row its own draw; about
100 MB and 1 GB) read in 64 MB blocks on the workers (a seeded sample of 1,000,000 rows for the
column kinds, rules and model), the default generator (CART, rules found and kept) fitted once,
and as many synthetic rows as the file holds generated in partitions of 250,000 rows, each
checked and repaired against the rules and written to Parquet by its worker. Printed per step:
seconds, peak memory per worker (VmHWM, the high-water mark of each worker process's own memory;
a new LocalCluster per size, so it is that run's) and of the driver, and the 10M run as a ratio
of the 1M run (the baseline, same invocation). With --speed, also rows per second with 1
against 2 workers.

    python benchmarks/bench_dask.py [--small 1000000] [--big 10000000] [--speed]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CHUNK = 1_000_000


def write_census(path: Path, rows: int) -> None:
    """A census-shaped CSV of ``rows`` rows, written a million rows at a time."""
    from tests.real_like import census_frame

    with path.open("w", encoding="utf-8", newline="") as handle:
        for index, start in enumerate(range(0, rows, CHUNK)):
            frame = census_frame(min(CHUNK, rows - start), seed=100 + index)
            frame.to_csv(handle, index=False, header=index == 0, lineterminator="\n")


def table_run(path: Path, workers: int, out: Path) -> dict[str, Any]:
    """Read, fit and generate as many rows as ``path`` holds, on a new LocalCluster."""
    from synth_core.generate.spec import GenerationSpec, RulesSetting
    from synth_core.generate.synthesize import fit
    from synth_core.workflows.partitioned_read import read_partitioned
    from synth_core.workflows.scale import dask_client, generate_partitioned, peak_rss_mb

    with dask_client(workers=workers) as client:
        t0 = time.perf_counter()
        found = read_partitioned(path, client=client)
        t1 = time.perf_counter()
        model = fit(found.table, GenerationSpec(seed=0, rules=RulesSetting.AUTO))
        t2 = time.perf_counter()
        made = generate_partitioned(model, found.rows_in_file, out, client=client)
        t3 = time.perf_counter()
    size = sum(p.stat().st_size for p in out.iterdir()) / 1e6
    return {
        "rows": found.rows_in_file,
        "blocks": found.blocks,
        "sample": len(found.table.df),
        "rules": len(model.constraints),
        "read": t1 - t0,
        "fit": t2 - t1,
        "generate": t3 - t2,
        "total": t3 - t0,
        "read_peak": max(found.peak_rss_mb.values()),
        "generate_peak": max(made.peak_rss_mb().values()),
        "driver_peak": peak_rss_mb(),
        "partitions": len(made.partitions),
        "parquet_mb": size,
    }


def speed(rows: int, folder: Path) -> None:
    """Rows per second of partitioned sampling, 1 against 2 workers (GaussianCopula on the
    insurance sample, fitted once)."""
    from synth_core import read_table
    from synth_core.generate.spec import GenerationSpec
    from synth_core.generate.synthesize import fit
    from synth_core.workflows.scale import dask_client, generate_partitioned

    table = read_table((ROOT / "sample_data" / "insurance.csv").read_bytes())
    model = fit(table, GenerationSpec(generator="gaussian_copula", seed=0))
    rates = []
    for workers in (1, 2):
        with dask_client(workers=workers) as client:
            result = generate_partitioned(model, rows, folder / f"speed{workers}", client=client)
        rates.append(result.rows_per_second)
        print(f"{rows:,} rows, {workers} worker(s): {result.rows_per_second:,.0f} rows/s")
    print(f"speed-up, 2 workers vs 1 (same run): {rates[1] / rates[0]:.2f}x")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--small", type=int, default=1_000_000)
    parser.add_argument("--big", type=int, default=10_000_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--speed", action="store_true")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="bench_dask_"))
    try:
        if args.speed:
            speed(2_000_000, folder)
        runs = []
        for rows in (args.small, args.big):
            source = folder / f"census_{rows}.csv"
            started = time.perf_counter()
            write_census(source, rows)
            print(
                f"\n{rows:,}-row census-shaped CSV: {source.stat().st_size / 1e6:,.0f} MB, "
                f"written in {time.perf_counter() - started:.0f} s"
            )
            run = table_run(source, args.workers, folder / f"out_{rows}")
            source.unlink()
            shutil.rmtree(folder / f"out_{rows}")
            runs.append(run)
            print(
                f"read {run['read']:.1f} s ({run['blocks']} blocks, a sample of "
                f"{run['sample']:,} rows), fit {run['fit']:.1f} s ({run['rules']} rules), "
                f"generate {run['generate']:.1f} s ({run['partitions']} partitions, "
                f"{run['parquet_mb']:,.0f} MB of Parquet), total {run['total']:.1f} s; peak "
                f"memory per worker {run['read_peak']:,.0f} MB reading, "
                f"{run['generate_peak']:,.0f} MB generating; driver {run['driver_peak']:,.0f} MB"
            )
        small, big = runs
        print(f"\n{big['rows']:,} vs {small['rows']:,} rows (the baseline, same run):")
        for key in ("read", "fit", "generate", "total", "read_peak", "generate_peak"):
            print(f"  {key:14} {big[key] / small[key]:6.2f}x")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
