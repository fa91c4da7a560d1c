"""Every generator compared on the bundled tables (what `synth-studio compare-generators` and the
Generate page run): quality, detection AUC, copies beside the holdout's own rate, DCR share and
seconds, each generator's time as a ratio of the fastest one's in the same run, the
recommendation, why every other generator was not chosen (in numbers), and the whole
comparison's time. With --large, also a 30,000-row table (the goal:
every available generator compared within 5 minutes on this machine). With --census, also the
census-like table of tests/real_like.py (32,561 rows: 26,049 training rows, Adult's shape).

    python benchmarks/bench_generators.py [--budget 60] [--seeds 1] [--large] [--census]
        [--tables none] [--generators cart,tabular_argn]

Per generator: how often it passed the privacy gate, could not be judged, or failed; and how
often the recommendation was the generator with the lowest detection AUC of all that finished.

On tables of a few hundred rows one split's DCR share moves by about 2 points from seed to seed
(penguins: 69 holdout rows), so compare means over several seeds (--seeds 8).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_fidelity import mixed_table  # noqa: E402

from synth_core import read_table  # noqa: E402
from synth_core.data.table import Table  # noqa: E402
from synth_core.workflows.compare import (  # noqa: E402
    CompareSettings,
    Gate,
    GeneratorComparison,
    compare_generators,
)
from tests.real_like import census_frame  # noqa: E402

TABLES = ("insurance", "penguins", "seattle-weather")


def show(name: str, runs: list[GeneratorComparison]) -> None:
    first = runs[0]
    print(
        f"\n{name}: {first.training_rows:,} training rows, {first.holdout_rows:,} holdout rows, "
        f"{len(runs)} seed(s), budget {first.settings.budget_seconds:.0f} s per generator"
    )
    print(
        f"{'generator':15} {'quality':>8} {'det. AUC':>8} {'copies':>7} {'holdout':>7} "
        f"{'DCR':>6} {'seconds':>8} {'x fastest':>9}  status"
    )
    names = [s.name for s in first.scores]
    seconds = {
        n: statistics.median(r.score(n).seconds for r in runs)
        for n in names
        if all(r.score(n).fit_seconds is not None for r in runs)
    }
    fastest = min(seconds.values()) if seconds else 1.0
    for n in names:
        scores = [r.score(n) for r in runs]
        ok = [s for s in scores if s.quality is not None]
        if not ok:
            print(f"{n:15} {'':>57}  {scores[0].status.value}: {scores[0].reason}")
            continue

        def mean(attr: str, ok: list = ok) -> float:  # type: ignore[type-arg]
            return statistics.fmean(getattr(s, attr) or 0.0 for s in ok)

        gates = [s.gate[0] for s in ok]
        print(
            f"{n:15} {mean('quality'):8.3f} {mean('detection_auc'):8.3f} "
            f"{100 * mean('exact_match_rate'):6.2f}% {100 * mean('holdout_match_rate'):6.2f}% "
            f"{100 * mean('dcr_share'):5.1f}% {seconds[n]:8.1f} {seconds[n] / fastest:9.1f}  "
            f"gate: passes {gates.count(Gate.PASSES)}, cannot tell "
            f"{gates.count(Gate.CANNOT_TELL)}, fails {gates.count(Gate.FAILS)} of {len(ok)}"
        )
        for seed, run in enumerate(runs):
            reason = run.why_not(n)
            print(f"{'':17}seed {seed}: " + (f"not chosen: {reason}" if reason else "recommended"))
    picks = [r.recommended or "none" for r in runs]
    lowest = sum(r.recommended == _lowest_auc(r) for r in runs)
    print(
        f"recommended: {', '.join(picks)} (the lowest detection AUC of all in {lowest} of "
        f"{len(runs)}); whole comparison {sum(r.seconds for r in runs):.0f} s"
    )


def _lowest_auc(run: GeneratorComparison) -> str | None:
    done = [s for s in run.scores if s.detection_auc is not None]
    return min(done, key=lambda s: s.detection_auc or 0.0).name if done else None


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--budget", type=float, default=60.0)
    parser.add_argument("--seeds", type=int, default=1)
    parser.add_argument("--large", action="store_true")
    parser.add_argument("--census", action="store_true")
    parser.add_argument("--tables", default=",".join(TABLES), help="bundled tables, or none")
    parser.add_argument("--generators", default="", help="comma-separated; default: all but DP")
    args = parser.parse_args()
    names = [n for n in args.tables.split(",") if n and n != "none"]
    tables: dict[str, Table] = {n: read_table(ROOT / "sample_data" / f"{n}.csv") for n in names}
    if args.large:
        frame = mixed_table(30_000, seed=1)
        tables["mixed 30k x 15"] = read_table(frame.to_csv(index=False).encode())
    if args.census:
        census = census_frame(32_561, seed=0).to_csv(index=False).encode()
        tables["census-like 32,561 x 15"] = read_table(census)
    for name, table in tables.items():
        runs = []
        for seed in range(args.seeds):
            started = time.perf_counter()
            settings = CompareSettings(
                generators=tuple(g for g in args.generators.split(",") if g),
                budget_seconds=args.budget,
                seed=seed,
            )
            runs.append(compare_generators(table, settings))
            if name.startswith(("mixed", "census")):
                print(f"  ({name}, seed {seed}: {time.perf_counter() - started:.0f} s in all)")
        show(name, runs)


if __name__ == "__main__":
    main()
