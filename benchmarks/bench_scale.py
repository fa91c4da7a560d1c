"""A million rows in a minute (issue 34): `synth-studio generate` with its defaults on
census-shaped tables of 100,000, 400,000 and 1,000,000 rows (the census-like table of
tests/real_like.py, rows drawn with replacement, 15 columns), each size in a fresh process:
seconds per step (read, rules, screen, fit, other fitting, sample, repair, write), the whole
run, its peak memory, each step's growth exponent from the smallest to the largest size
(1 = linear: seconds grow as the rows), and SDV's GaussianCopulaSynthesizer fitting and sampling
the same table in the same run (ours as a ratio of it).

    python benchmarks/bench_scale.py [--sizes 100000 400000 1000000] [--no-sdv]

Steps: "read" is read_table (parsing, missing-value words, column kinds); "rules" the rule search
on every training row (and their check on every row); "screen" trying each rule on a draw of the
model's rows; "fit" the generator's own fit (CART on the fit's row cap of 100,000 rows by
default); "other" the rest of fitting (the split, personal data, gaps, filled columns); "repair"
the rules kept on the synthetic rows; "sample" drawing them (without repair); "write" the CSV.
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

STEPS = ("read", "rules", "screen", "fit", "other", "sample", "repair", "write")


def _timed(module: Any, name: str, seconds: dict[str, float], step: str) -> None:
    """Wrap ``module.name`` so that its time adds to ``seconds[step]``."""
    original: Callable[..., Any] = getattr(module, name)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            seconds[step] = seconds.get(step, 0.0) + time.perf_counter() - started

    setattr(module, name, wrapper)


def one(path: str, out: str) -> dict[str, Any]:
    """One `generate` run with the defaults, its steps timed (in this process)."""
    import synth_core.cli.generate as cli
    import synth_core.data.io.export as export
    import synth_core.generate.constraints as constraints
    import synth_core.generate.synthesize as synthesize
    from synth_core.cli import main

    seconds: dict[str, float] = {}
    models: list[Any] = []
    _timed(cli, "read_table", seconds, "read")
    _timed(synthesize, "_found_rules", seconds, "rules")
    _timed(synthesize, "_screened", seconds, "screen")
    _timed(constraints, "repair_counted", seconds, "repair")
    _timed(export, "csv_bytes", seconds, "write")  # imported when sampling to a file
    fit = cli.fit

    def fitted(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        model = fit(*args, **kwargs)
        seconds["fitting"] = time.perf_counter() - started
        models.append(model)
        return model

    cli.fit = fitted
    _timed(cli, "sample_to_file", seconds, "sampling")
    started = time.perf_counter()
    code = main(["generate", path, "--out", out])
    total = time.perf_counter() - started
    if code != 0:
        raise SystemExit(f"generate failed on {path}")
    model = models[0]
    steps = {
        "read": seconds.get("read", 0.0),
        "rules": seconds.get("rules", 0.0),
        "screen": seconds.get("screen", 0.0),
        "fit": model.fit_seconds,
        "sample": seconds.get("sampling", 0.0)
        - seconds.get("repair", 0.0)
        - seconds.get("write", 0.0),
        "repair": seconds.get("repair", 0.0),
        "write": seconds.get("write", 0.0),
    }
    steps["other"] = seconds["fitting"] - steps["rules"] - steps["screen"] - steps["fit"]
    return {
        "steps": steps,
        "total": total,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "rules": len(model.rules),
        "fit_rows": model.fit_rows,
    }


def sdv(path: str) -> dict[str, Any]:
    """SDV's GaussianCopulaSynthesizer on the same file: read, fit, sample 1,000 rows."""
    import warnings

    import pandas as pd
    from sdv.metadata import Metadata
    from sdv.single_table import GaussianCopulaSynthesizer

    warnings.filterwarnings("ignore")
    started = time.perf_counter()
    frame = pd.read_csv(path)
    metadata = Metadata.detect_from_dataframes({"table": frame})
    synthesizer = GaussianCopulaSynthesizer(metadata)
    synthesizer.fit({"table": frame})
    synthesizer.sample(1_000)
    return {
        "total": time.perf_counter() - started,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def _child(*args: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, *args], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(done.stderr[-2000:])
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 400_000, 1_000_000])
    parser.add_argument("--no-sdv", action="store_true")
    parser.add_argument("--one", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--sdv-one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(*args.one)))
        return
    if args.sdv_one:
        print(json.dumps(sdv(args.sdv_one)))
        return
    import numpy as np

    from tests.real_like import census_frame

    base = census_frame(32_561, seed=0)
    runs: dict[int, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as folder:
        for size in args.sizes:
            path = str(Path(folder) / f"census_{size}.csv")
            rng = np.random.default_rng(size)
            base.iloc[rng.integers(0, len(base), size)].to_csv(path, index=False)
            megabytes = Path(path).stat().st_size / 2**20
            ours = _child("--one", path, str(Path(folder) / "out.csv"))
            ours["sdv"] = None if args.no_sdv else _child("--sdv-one", path)
            runs[size] = ours
            steps = ours["steps"]
            print(
                f"\n{size:,} rows ({megabytes:,.0f} MB): {ours['total']:.1f} s, peak "
                f"{ours['peak_mb']:,.0f} MB, {ours['rules']} rules, fit on "
                f"{ours['fit_rows']:,} rows",
                flush=True,
            )
            print("  " + ", ".join(f"{s} {steps[s]:.1f}" for s in STEPS))
            if ours["sdv"]:
                theirs = ours["sdv"]
                print(
                    f"  SDV GaussianCopula (read, fit, sample 1,000): {theirs['total']:.1f} s, "
                    f"peak {theirs['peak_mb']:,.0f} MB; ours / SDV "
                    f"{ours['total'] / theirs['total']:.2f}"
                )
    small, large = min(runs), max(runs)
    if small == large:
        return
    factor = math.log(large / small)
    print(f"\nGrowth from {small:,} to {large:,} rows ({large / small:.0f}x the rows):")
    print(f"{'step':8} {'s small':>8} {'s large':>8} {'x':>6} {'exponent':>8}")
    for step in (*STEPS, "total"):
        first = runs[small]["steps"].get(step, runs[small]["total"])
        last = runs[large]["steps"].get(step, runs[large]["total"])
        if step == "total":
            first, last = runs[small]["total"], runs[large]["total"]
        ratio = last / first if first > 0 else float("nan")
        exponent = math.log(ratio) / factor if first > 0 and last > 0 else float("nan")
        print(f"{step:8} {first:8.2f} {last:8.2f} {ratio:6.1f} {exponent:8.2f}")


if __name__ == "__main__":
    main()
