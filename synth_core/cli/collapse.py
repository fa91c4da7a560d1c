"""`synth-studio collapse`: train, generate, retrain for many generations (JSON)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from synth_core._progress import no_progress
from synth_core.cli._common import add_tokens, key_value, progress_bar, score, token_options
from synth_core.data.io.reader import read_table
from synth_core.errors import SynthCoreError
from synth_core.experiments.collapse import Regime, collapse_run
from synth_core.generate.generators import get as get_generator


def add(commands: Any) -> None:
    collapse = commands.add_parser(
        "collapse",
        help="train, generate, retrain for many generations and measure the drift (JSON)",
    )
    collapse.add_argument("input", type=Path, help="the real CSV file")
    collapse.add_argument("--generator", default="gaussian_copula", help="generator name")
    collapse.add_argument("--generations", type=int, default=10, help="1 to 30 (default 10)")
    collapse.add_argument(
        "--regimes",
        default="replace,accumulate,mix",
        help="comma-separated: replace, accumulate, mix (default all three)",
    )
    collapse.add_argument(
        "--rows", type=int, help="rows per generation (default: as many as the real table)"
    )
    collapse.add_argument(
        "--mix-share", type=float, default=0.5, help="real share in each mix generation (0.5)"
    )
    collapse.add_argument("--seed", type=int, default=0)
    collapse.add_argument(
        "--param",
        type=key_value,
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="generator parameter, repeatable",
    )
    collapse.add_argument(
        "--runs", type=int, default=1, help="runs with different training subsamples (1-5)"
    )
    collapse.add_argument("--target", help="a column to predict: adds TSTR per generation")
    collapse.add_argument(
        "--quality-keep",
        type=float,
        metavar="Q",
        help="cautionary demo: the quality filter keeps the best share Q in every generation",
    )
    collapse.add_argument(
        "--no-detection", action="store_true", help="skip the detection AUC (quicker)"
    )
    collapse.add_argument("--out", type=Path, required=True, metavar="OUT.json")
    add_tokens(collapse)


def run(args: argparse.Namespace) -> int:
    try:
        regimes = [Regime(r.strip()) for r in args.regimes.split(",") if r.strip()]
    except ValueError:
        raise SynthCoreError(
            f"--regimes takes replace, accumulate and mix; got '{args.regimes}'."
        ) from None
    table = read_table(args.input, token_options(args))
    rows = args.rows or len(table.df)
    progress = progress_bar("collapse")
    result = collapse_run(
        table,
        args.generator,
        args.generations,
        rows,
        regimes,
        params=get_generator(args.generator).validate(dict(args.param)),
        mix_share=args.mix_share,
        seed=args.seed,
        progress=progress or no_progress,
        runs=args.runs,
        quality_keep=args.quality_keep,
        target=args.target,
        detection=not args.no_detection,
    )
    if progress:
        progress.close()
    try:
        args.out.write_text(json.dumps(result.to_dict(), indent=2) + "\n", encoding="utf-8")
    except OSError as exc:
        raise SynthCoreError(f"Cannot write {args.out}: {exc.strerror}.") from exc
    for regime, metrics in result.regimes.items():
        first, last = metrics[0], metrics[-1]
        print(
            f"{regime}: mean KS {score(first.mean_ks)} -> {score(last.mean_ks)}, std ratio "
            f"{score(first.std_ratio)} -> {score(last.std_ratio)}, categories "
            f"{first.categories_kept} -> {last.categories_kept} of {last.categories_total}",
            file=sys.stderr,
        )
    return 0
