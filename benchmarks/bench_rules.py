"""Rules found in the data: how fast discovery is, and what keeping the rules costs or gains.

1. Speed: discovery on a 50-column table of 100k rows (30 numbers, 5 dates, 15 categories,
   with planted rules) against pandas' ``describe(include="all")`` of the same frame as the
   baseline, timed alternately; the search budget discovery reports is printed.
2. Fidelity with and without rules (``rules=auto`` against ``rules=none``) for CART and the
   Gaussian copula on the bundled tables and a 6,433-row taxi-like table: overall quality,
   detection ROC AUC (0.5 is best) and the largest share of synthetic rows breaking a rule that
   every training row keeps.

    python benchmarks/bench_rules.py [--repeats 3] [--rows 100000]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from synth_core import read_table  # noqa: E402
from synth_core.data.schema import ColumnKind, ColumnSchema, Schema  # noqa: E402
from synth_core.evaluate.fidelity import evaluate_fidelity  # noqa: E402
from synth_core.generate import constraints as rules  # noqa: E402
from synth_core.generate.discover import discover  # noqa: E402
from synth_core.generate.spec import GenerationSpec, RulesSetting  # noqa: E402
from synth_core.generate.synthesize import synthesize  # noqa: E402
from tests.helpers import SAMPLES, taxi_csv  # noqa: E402


def wide_table(rows: int, seed: int = 0) -> tuple[pd.DataFrame, Schema]:
    """50 columns with planted rules: an order, a sum, a dependency, missing together."""
    rng = np.random.default_rng(seed)
    columns: dict[str, object] = {}
    schema: list[ColumnSchema] = []
    for i in range(30):
        columns[f"n{i}"] = rng.normal(i, 1 + i % 5, rows).round(2)
        schema.append(ColumnSchema(f"n{i}", ColumnKind.NUMERICAL, decimals=2))
    columns["n1"] = np.asarray(columns["n0"]) + rng.uniform(0.01, 3, rows).round(2)  # n1 > n0
    columns["n2"] = (np.asarray(columns["n3"]) + np.asarray(columns["n4"])).round(2)  # a sum
    start = pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 10**8, rows), "s")
    for i in range(5):
        columns[f"d{i}"] = start + pd.to_timedelta(rng.integers(0, 10**6, rows) * i, "s")
        schema.append(ColumnSchema(f"d{i}", ColumnKind.DATETIME))
    zones = rng.integers(0, 200, rows)
    for i in range(15):
        columns[f"c{i}"] = rng.choice([f"v{k}" for k in range(2 + i * 3)], rows).astype(object)
        schema.append(ColumnSchema(f"c{i}", ColumnKind.CATEGORICAL))
    columns["c0"] = np.array([f"z{z}" for z in zones], dtype=object)
    columns["c1"] = np.array([f"b{z % 7}" for z in zones], dtype=object)  # c0 → c1
    gaps = rng.random(rows) < 0.1
    for name in ("n10", "n11"):
        values = np.asarray(columns[name], dtype=float)
        values[gaps] = np.nan
        columns[name] = values
    return pd.DataFrame(columns)[[c.name for c in schema]], Schema(tuple(schema))


def timed(call: object) -> float:
    started = time.perf_counter()
    call()  # type: ignore[operator]
    return time.perf_counter() - started


def speed(rows: int, repeats: int) -> None:
    frame, schema = wide_table(rows)
    ours, baseline = [], []
    found = discover(frame, schema)
    for _ in range(repeats):
        ours.append(timed(lambda: discover(frame, schema)))
        baseline.append(timed(lambda: frame.describe(include="all")))
    a, b = statistics.median(ours), statistics.median(baseline)
    print(f"Discovery on {rows:,} rows x {frame.shape[1]} columns ({repeats} runs, medians):")
    print(f"  discover          {a:7.2f} s")
    print(f"  describe (base)   {b:7.2f} s   ratio discover/describe {a / b:5.1f}x")
    print(f"  searched: {found.searched}")
    planted = {"n1 > n0", "n2 = n3 + n4", "each c0 has one c1", "n10 and n11 are missing"}
    texts = [r.text for r in found.rules if r.kind != "bounds"]
    print(f"  rules other than bounds ({len(texts)}): {texts}")
    missed = [p for p in planted if not any(t.startswith(p) for t in texts)]
    print(f"  planted rules missed: {missed or 'none'}")


def fidelity(generators: list[str]) -> None:
    tables = {
        "insurance": read_table(SAMPLES / "insurance.csv"),
        "penguins": read_table(SAMPLES / "penguins.csv"),
        "weather": read_table(SAMPLES / "seattle-weather.csv"),
        "taxi-like": read_table(taxi_csv(6_433)),
    }
    print()
    print("Fidelity without and with the rules found (rows = training rows, seed 0):")
    header = f"{'table':10} {'generator':16} {'rules':5} {'quality':>8} {'AUC':>6} "
    print(header + f"{'worst rule broken':>18} {'seconds':>8}")
    for name, table in tables.items():
        for generator in generators:
            for setting in (RulesSetting.NONE, RulesSetting.AUTO):
                started = time.perf_counter()
                spec = GenerationSpec(generator, rows=round(0.8 * len(table.df)), rules=setting)
                result = synthesize(table, spec)
                seconds = time.perf_counter() - started
                report = evaluate_fidelity(result.train, result.data, result.schema, result.holdout)
                exact = discover(result.train, result.model.model_schema).exact
                kept = [rules.holds(r.constraint, result.data, result.train) for r in exact]
                worst = max((1 - k.mean() for k in kept), default=0.0)
                auc = report.detection.auc if report.detection else float("nan")
                print(
                    f"{name:10} {generator:16} {setting.value:5} {report.quality.overall:8.3f} "
                    f"{auc:6.3f} {worst:18.1%} {seconds:8.1f}"
                )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--generators", default="cart,gaussian_copula")
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    speed(args.rows, args.repeats)
    fidelity(args.generators.split(","))


if __name__ == "__main__":
    main()
