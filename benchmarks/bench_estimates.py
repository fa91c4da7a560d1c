"""The training-time estimate the Generate page shows (and the job's ETA starts from) against the
time fit() really takes, in the same run: the ratio real / estimated per generator and table
(the goal: between 0.5 and 2), and whether two estimates of the same settings agree. Each
generator is fitted once on a small table first, so imports (which the app's worker server has
done before any job) are not counted.

Each fit runs in this process with one thread (as a job's worker does), on the bundled tables
and on larger real-like ones (taxi trips, a recidivism table with names, hourly bike rentals).
Neural generators train for a few epochs so the run stays short; the estimate is per epoch, so
the ratio carries over to more epochs.

    python benchmarks/bench_estimates.py [--tables insurance,taxi] [--generators ctgan,tvae]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(variable, "1")

from synth_core import read_table  # noqa: E402
from synth_core.data.table import Table  # noqa: E402
from synth_core.generate.spec import GenerationSpec, RulesSetting  # noqa: E402
from synth_core.generate.synthesize import fit, fit_estimate  # noqa: E402
from tests.helpers import SAMPLES  # noqa: E402
from tests.real_like import bike_csv, compas_csv, taxi_csv  # noqa: E402

PARAMS = {
    "gaussian_copula": {},
    "ctgan": {"epochs": 5},
    "tvae": {"epochs": 10},
    "copulagan": {"epochs": 5},
    "tabular_argn": {"max_epochs": 5, "max_training_minutes": 2.0},
}


def tables() -> dict[str, Table]:
    return {
        "insurance": read_table(SAMPLES / "insurance.csv"),
        "penguins": read_table(SAMPLES / "penguins.csv"),
        "weather": read_table(SAMPLES / "seattle-weather.csv"),
        "taxi": read_table(taxi_csv(6_433)),
        "compas": read_table(compas_csv(7_214)),
        "bike": read_table(bike_csv(10_000)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", default=None)
    parser.add_argument("--generators", default=",".join(PARAMS))
    args = parser.parse_args()
    import torch

    torch.set_num_threads(1)
    chosen = tables()
    if args.tables:
        chosen = {k: v for k, v in chosen.items() if k in args.tables.split(",")}
    warm = read_table(SAMPLES / "penguins.csv")
    for generator in args.generators.split(","):  # imports and first-use costs out of the way
        fit(
            warm,
            GenerationSpec(generator=generator, params=PARAMS[generator], rules=RulesSetting.NONE),
        )
    print(f"{'table':<10} {'generator':<16} {'estimate s':>10} {'real s':>8} {'real/est':>8}")
    ratios = []
    for name, table in chosen.items():
        for generator in args.generators.split(","):
            spec = GenerationSpec(
                generator=generator,
                params=PARAMS[generator],
                rules=RulesSetting.NONE,
                rows=100,
            )
            estimate = fit_estimate(table, spec)
            again = fit_estimate(table, spec)
            assert estimate == again, "two estimates of the same settings differ"
            started = time.perf_counter()
            fit(table, spec)
            seconds = time.perf_counter() - started
            ratio = seconds / estimate if estimate else float("nan")
            ratios.append(ratio)
            shown = f"{estimate:10.1f}" if estimate else f"{'—':>10}"
            print(f"{name:<10} {generator:<16} {shown} {seconds:8.1f} {ratio:8.2f}", flush=True)
    inside = sum(1 for r in ratios if 0.5 <= r <= 2.0)
    print(f"within 2x: {inside} of {len(ratios)}")


if __name__ == "__main__":
    main()
