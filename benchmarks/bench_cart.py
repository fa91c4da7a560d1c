"""CART's copy guards over many splits: the mean DCR share (with its spread across seeds) and the
overall quality on the bundled tables, for the default parameters or the ones given; and the
cost of balanced draws, timed against independent draws in the same run.

    python benchmarks/bench_cart.py [--seeds 24] [--param min_samples_leaf=25 ...] [--rows 100000]
    python benchmarks/bench_cart.py --sizes [--seeds 8]

--sizes: as the table grows (the census-like table of tests/real_like.py, 1,000 to 26,049
training rows, each seed its own table and split): DCR share, its interval, the privacy gate,
quality and detection AUC with leaves that grow with the rows (the default) against fixed leaves
of 40 (the baseline, measured in the same run).

One split's DCR share moves by 1-3 points from seed to seed on these small holdouts, so the
README's numbers are means over 24 seeds (each seed: its own 80/20 split and its own draws, as
many synthetic rows as training rows).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_fidelity import mixed_table  # noqa: E402

from synth_core import read_table  # noqa: E402
from synth_core._progress import no_progress  # noqa: E402
from synth_core.evaluate.fidelity import evaluate_fidelity  # noqa: E402
from synth_core.evaluate.privacy.report import Verdict, privacy_report  # noqa: E402
from synth_core.generate.generators.cart import leaf_size  # noqa: E402
from synth_core.generate.generators.registry import create, get  # noqa: E402
from synth_core.generate.spec import GenerationSpec  # noqa: E402
from synth_core.generate.synthesize import synthesize  # noqa: E402
from tests.real_like import census_frame  # noqa: E402

TABLES = ("insurance", "penguins", "seattle-weather")


def guards(seeds: int, params: dict[str, object]) -> None:
    print(f"CART {params or 'defaults'}, {seeds} seeds (80/20 split, rows = training rows)")
    print(f"{'table':16} {'DCR share':>9} {'sd':>5} {'max':>6} {'quality':>8}")
    for name in TABLES:
        table = read_table(ROOT / "sample_data" / f"{name}.csv")
        shares, quality = [], []
        for seed in range(seeds):
            rows = round(0.8 * len(table.df))
            spec = GenerationSpec("cart", params=dict(params), rows=rows, seed=seed)
            result = synthesize(table, spec)
            privacy = privacy_report(
                result.train, result.data, result.schema, result.holdout, seed=seed, attacks=False
            )
            assert privacy.dcr_share is not None
            shares.append(privacy.dcr_share.share)
            report = evaluate_fidelity(result.train, result.data, result.schema, detection=False)
            quality.append(report.quality.overall)
        print(
            f"{name:16} {100 * statistics.fmean(shares):8.1f}% "
            f"{100 * statistics.pstdev(shares):5.1f} {100 * max(shares):5.1f}% "
            f"{statistics.fmean(quality):8.3f}"
        )


def sampling_cost(rows: int) -> None:
    """Seconds to sample ``rows`` rows from one fitted model, balanced against independent
    draws, best of three each."""
    table = read_table(mixed_table(rows, seed=1).to_csv(index=False).encode())
    generator = create("cart", get("cart").defaults())
    generator.fit(table.df, table.schema, 0, no_progress)
    best = {}
    for balanced in (False, True):
        generator.params["balanced"] = balanced  # type: ignore[attr-defined]
        times = []
        for _ in range(3):
            started = time.perf_counter()
            generator.sample(rows)
            times.append(time.perf_counter() - started)
        best[balanced] = min(times)
    print(
        f"\nsampling {rows:,} rows x 15 columns: independent draws {best[False]:.2f} s, "
        f"balanced {best[True]:.2f} s ({best[True] / best[False]:.2f}x)"
    )


SIZES = (1_250, 2_500, 5_000, 10_000, 20_000, 32_561)  # rows; 80% are training rows


def by_size(seeds: int, sizes: tuple[int, ...] = SIZES) -> None:
    print(f"CART on the census-like table, {seeds} seeds (80/20 split, rows = training rows)")
    print(
        f"{'training':>8} {'leaves':>10} {'DCR share':>9} {'sd':>4} {'interval':>8} "
        f"{'green':>6} {'quality':>8} {'det. AUC':>8}"
    )
    for rows in sizes:
        for grow in (False, True):
            shares, widths, green, quality, auc = [], [], 0, [], []
            leaf = 0
            for seed in range(seeds):
                table = read_table(census_frame(rows, seed=100 + seed).to_csv(index=False).encode())
                training = round(0.8 * len(table.df))
                params = {"grow_leaves": grow}
                spec = GenerationSpec("cart", params=params, rows=training, seed=seed)
                result = synthesize(table, spec)
                leaf = leaf_size({**get("cart").defaults(), **params}, len(result.train))
                privacy = privacy_report(
                    result.train,
                    result.data,
                    result.schema,
                    result.holdout,
                    seed=seed,
                    attacks=False,
                )
                share = privacy.dcr_share
                assert share is not None
                shares.append(share.share)
                widths.append(share.ci_high - share.ci_low)
                green += share.verdict is Verdict.GREEN
                report = evaluate_fidelity(
                    result.train, result.data, result.schema, holdout=result.holdout, seed=seed
                )
                quality.append(report.quality.overall)
                auc.append(report.detection.auc if report.detection else float("nan"))
            label = f"{leaf} ({'grow' if grow else 'fixed'})"
            print(
                f"{training:8,} {label:>10} {100 * statistics.fmean(shares):8.1f}% "
                f"{100 * statistics.pstdev(shares):4.1f} {100 * statistics.fmean(widths):7.1f}p "
                f"{green:>3}/{seeds:<2} {statistics.fmean(quality):8.4f} "
                f"{statistics.fmean(auc):8.3f}"
            )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=24)
    parser.add_argument("--param", action="append", default=[], help="name=value")
    parser.add_argument("--rows", type=int, default=100_000, help="for the sampling cost")
    parser.add_argument(
        "--sizes", nargs="*", type=int, help="CART as the table grows (default sizes: SIZES)"
    )
    args = parser.parse_args()
    if args.sizes is not None:
        warnings.filterwarnings("ignore")
        by_size(args.seeds, tuple(args.sizes) or SIZES)
        return
    params = get("cart").validate(dict(p.split("=", 1) for p in args.param)) if args.param else {}
    warnings.filterwarnings("ignore")
    guards(args.seeds, params)
    sampling_cost(args.rows)


if __name__ == "__main__":
    main()
