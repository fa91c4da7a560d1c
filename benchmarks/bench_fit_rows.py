"""The fit's row cap (issue 34, point 2): fidelity against time for each row cap and generator,
to choose the default. The census-like table of tests/real_like.py drawn fresh (every row its
own draw of the same process, so more rows are more information, not repeats): a table of
--rows rows is read once (the studio's reader), and the generator learns from a seeded sample of
N of its training rows (80%, the default holdout) for each cap N; the rule search and repair
use every training row whatever the cap. Each model's --sample synthetic rows are measured
against --eval further real rows of the same process that no model saw: overall quality and
detection AUC (the Fidelity page's numbers), and the rare categories a cap loses: the
categories of the training rows (at least 10 rows each) that none of --sample synthetic rows
shows (a category left out of the fit's sample is never made). Seconds are the whole fit
(split, rules, screen, the generator's fit) and the sampling, and the generator's own fit
alone; each as a ratio of the smallest cap's in the same run.

    python benchmarks/bench_fit_rows.py [--rows 1000000] [--caps 10000 30000 100000 300000 all]
        [--generators cart,gaussian_copula] [--seeds 2] [--sample 20000] [--eval 20000]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from synth_core.data.schema import ColumnKind, Schema  # noqa: E402


def _lost(train: pd.DataFrame, synthetic: pd.DataFrame, schema: Schema) -> int:
    """Categories with at least 10 training rows that no synthetic row shows."""
    lost = 0
    for column in schema:
        if column.kind is ColumnKind.CATEGORICAL:
            counts = train[column.name].value_counts()
            made = set(synthetic[column.name].dropna().unique())
            lost += sum(1 for value in counts[counts >= 10].index if value not in made)
    return lost


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--caps", nargs="+", default=["10000", "30000", "100000", "300000", "all"])
    parser.add_argument("--generators", default="cart,gaussian_copula")
    parser.add_argument("--seeds", type=int, default=2)
    parser.add_argument("--sample", type=int, default=100_000)
    parser.add_argument("--eval", type=int, default=20_000)
    args = parser.parse_args()

    from synth_core import read_table
    from synth_core.data.io.reader import ReadOptions
    from synth_core.data.table import Table
    from synth_core.evaluate.fidelity import evaluate_fidelity
    from synth_core.generate.sampling import sample
    from synth_core.generate.spec import GenerationSpec
    from synth_core.generate.synthesize import fit
    from tests.real_like import census_frame

    started = time.perf_counter()
    frame = census_frame(args.rows + args.eval, seed=11)
    text = frame.to_csv(index=False).encode()
    table = read_table(text, ReadOptions(max_rows=len(frame), max_bytes=len(text)))
    real = Table(table.df.iloc[: args.rows].reset_index(drop=True), table.schema, table.report)
    held = table.df.iloc[args.rows :].reset_index(drop=True)
    print(
        f"census-like, {args.rows:,} rows ({int(args.rows * 0.8):,} training rows), "
        f"{args.eval:,} unseen real rows to measure against, {args.sample:,} synthetic rows per "
        f"model, {args.seeds} seed(s); table built and read in "
        f"{time.perf_counter() - started:.0f} s"
    )
    caps: list[int | None] = [None if c == "all" else int(c) for c in args.caps]
    for generator in args.generators.split(","):
        print(
            f"\n{generator}: {'cap':>9} {'quality':>8} {'det. AUC':>8} {'fit s':>7} "
            f"{'model s':>7} {'sample s':>8} {'total x':>8} {'lost':>5}"
        )
        base: float | None = None
        for cap in caps:
            quality: list[float] = []
            auc: list[float] = []
            fits: list[float] = []
            own: list[float] = []
            draws: list[float] = []
            lost: list[int] = []
            for seed in range(args.seeds):
                spec = GenerationSpec(generator=generator, seed=seed, max_fit_rows=cap)
                t0 = time.perf_counter()
                model = fit(real, spec)
                t1 = time.perf_counter()
                result = sample(model, args.sample, seed=seed)
                t2 = time.perf_counter()
                report = evaluate_fidelity(
                    held, result.data.sample(len(held), random_state=seed), real.schema, seed=seed
                )
                lost.append(_lost(model.train, result.data, real.schema))
                quality.append(report.quality.overall)
                if report.detection is not None:
                    auc.append(report.detection.auc)
                fits.append(t1 - t0)
                own.append(model.fit_seconds)
                draws.append(t2 - t1)
            total = statistics.median(fits) + statistics.median(draws)
            base = base or total
            label = "all" if cap is None else f"{cap:,}"
            print(
                f"{'':{len(generator) + 1}} {label:>9} {statistics.mean(quality):8.4f} "
                f"{statistics.mean(auc) if auc else float('nan'):8.3f} "
                f"{statistics.median(fits):7.1f} {statistics.median(own):7.1f} "
                f"{statistics.median(draws):8.1f} {total / base:8.2f} "
                f"{statistics.mean(lost):5.1f}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
