"""Large samples: peak memory of writing 100k vs 1M rows to a file chunk by chunk, against the
in-memory baseline (sample everything into one DataFrame, then write it), and CTGAN epoch times.

Each measurement runs in a fresh process (one thread, like a job worker) that fits
GaussianCopula on the insurance sample, then samples; it reports its peak RSS (ru_maxrss) after
fitting and at the end, so the growth caused by sampling is visible. Printed ratios compare the
runs of this invocation only.

    python benchmarks/bench_stream.py [--big 1000000] [--small 100000] [--ctgan-rows 30000]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def child(mode: str, rows: int, out: str) -> None:
    from synth_core import read_table
    from synth_core.generate.spec import GenerationSpec
    from synth_core.generate.synthesize import fit, sample, sample_to_file

    table = read_table((ROOT / "sample_data" / "insurance.csv").read_bytes())
    model = fit(table, GenerationSpec(generator="gaussian_copula", rows=1000))
    fitted = _peak_mb()
    started = time.perf_counter()
    if mode == "file":
        sample_to_file(model, rows, out)
    else:
        from synth_core.data.io.export import csv_bytes

        result = sample(model, rows=rows)
        Path(out).write_bytes(csv_bytes(result.data, result.schema))
    seconds = time.perf_counter() - started
    size = Path(out).stat().st_size
    print(
        json.dumps({"fitted_mb": fitted, "peak_mb": _peak_mb(), "seconds": seconds, "bytes": size})
    )


def ctgan_child(rows: int, epochs: int) -> None:
    import numpy as np
    import pandas as pd
    import torch

    from synth_core import read_table
    from synth_core.generate.spec import GenerationSpec
    from synth_core.generate.synthesize import fit

    torch.set_num_threads(1)
    base = pd.read_csv(ROOT / "sample_data" / "insurance.csv")
    rng = np.random.default_rng(0)
    df = base.iloc[rng.integers(0, len(base), rows)].reset_index(drop=True)
    df["bmi"] = (df["bmi"] + rng.normal(0, 0.5, rows)).round(2)
    df["charges"] = (df["charges"] * rng.uniform(0.95, 1.05, rows)).round(2)
    table = read_table(df.to_csv(index=False).encode())
    marks: list[float] = []
    started = time.perf_counter()

    def progress(fraction: float, message: str, losses: object = None) -> None:
        if losses:
            marks.append(time.perf_counter())

    fit(table, GenerationSpec(generator="ctgan", params={"epochs": epochs}), progress)
    total = time.perf_counter() - started
    per_epoch = (marks[-1] - marks[0]) / (len(marks) - 1)
    print(
        json.dumps(
            {"preparing": marks[0] - started - per_epoch, "per_epoch": per_epoch, "total": total}
        )
    )


def run(args: list[str]) -> dict[str, float]:
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
    output = subprocess.run(
        [sys.executable, __file__, *args], capture_output=True, text=True, check=True, env=env
    ).stdout
    result: dict[str, float] = json.loads(output.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--small", type=int, default=100_000)
    parser.add_argument("--big", type=int, default=1_000_000)
    parser.add_argument("--ctgan-rows", type=int, default=30_000)
    parser.add_argument("--ctgan-epochs", type=int, default=3)
    parser.add_argument("--child", nargs="+")
    args = parser.parse_args()
    if args.child:
        if args.child[0] == "ctgan":
            ctgan_child(int(args.child[1]), int(args.child[2]))
        else:
            child(args.child[0], int(args.child[1]), args.child[2])
        return

    with tempfile.TemporaryDirectory() as folder:
        results = {}
        for mode in ("file", "memory"):
            for rows in (args.small, args.big):
                out = str(Path(folder) / f"{mode}_{rows}.csv")
                results[mode, rows] = run(["--child", mode, str(rows), out])
                r = results[mode, rows]
                growth = r["peak_mb"] - r["fitted_mb"]
                print(
                    f"{mode:>6} {rows:>9,} rows: peak RSS {r['peak_mb']:7.0f} MB "
                    f"(after fitting {r['fitted_mb']:5.0f} MB, +{growth:5.0f} MB while sampling), "
                    f"{r['seconds']:5.1f} s, {r['bytes'] / 2**20:5.0f} MB file"
                )
    file_growth = {n: results["file", n]["peak_mb"] for n in (args.small, args.big)}
    memory_growth = {n: results["memory", n]["peak_mb"] for n in (args.small, args.big)}
    print(
        f"\npeak RSS ratio {args.big:,} / {args.small:,} rows: streaming to a file "
        f"{file_growth[args.big] / file_growth[args.small]:.2f}x, in memory "
        f"{memory_growth[args.big] / memory_growth[args.small]:.2f}x"
    )
    print(
        f"at {args.big:,} rows, in memory / streaming peak RSS: "
        f"{memory_growth[args.big] / file_growth[args.big]:.2f}x; time "
        f"{results['memory', args.big]['seconds'] / results['file', args.big]['seconds']:.2f}x"
    )

    def growth(mode: str, rows: int) -> float:
        return max(results[mode, rows]["peak_mb"] - results[mode, rows]["fitted_mb"], 1.0)

    print(
        f"growth while sampling, {args.big:,} / {args.small:,} rows: streaming "
        f"{growth('file', args.big) / growth('file', args.small):.2f}x, in memory "
        f"{growth('memory', args.big) / growth('memory', args.small):.2f}x"
    )
    if args.ctgan_rows:
        r = run(["--child", "ctgan", str(args.ctgan_rows), str(args.ctgan_epochs)])
        print(
            f"\nCTGAN on {args.ctgan_rows:,} rows x 7 columns, one thread: preparing the data "
            f"{r['preparing']:.1f} s, {r['per_epoch']:.2f} s per epoch "
            f"(50 epochs, the default: ~{(r['preparing'] + 50 * r['per_epoch']) / 60:.1f} min)"
        )


if __name__ == "__main__":
    main()
