"""`synth-studio compare-generators`: every generator measured on a table, and a recommendation."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from synth_core._progress import no_progress
from synth_core.cli._common import (
    add_json,
    add_tokens,
    key_value,
    progress_bar,
    read_real,
    score,
    write_json,
)
from synth_core.errors import SynthCoreError
from synth_core.workflows.compare import (
    DEFAULT_BUDGET_SECONDS,
    CompareSettings,
    compare_generators,
)


def add(commands: Any) -> None:
    compare = commands.add_parser(
        "compare-generators",
        help="fit and measure every generator on a table, and recommend one (JSON)",
    )
    compare.add_argument("input", type=Path, help="CSV file (optionally .gz)")
    compare.add_argument(
        "--generators",
        help="comma-separated names (default: every available generator except DP)",
    )
    compare.add_argument(
        "--budget",
        type=float,
        default=DEFAULT_BUDGET_SECONDS,
        metavar="SECONDS",
        help=f"time budget per generator for fitting (default {DEFAULT_BUDGET_SECONDS:.0f})",
    )
    compare.add_argument("--target", help="a column to predict: adds TSTR")
    compare.add_argument(
        "--rows", type=int, help="synthetic rows per generator (default: the training rows)"
    )
    compare.add_argument("--seed", type=int, default=0)
    compare.add_argument("--holdout-fraction", type=float, default=0.2)
    compare.add_argument(
        "--kind",
        type=key_value,
        action="append",
        default=[],
        metavar="COLUMN=KIND",
        help="override a column kind",
    )
    add_tokens(compare)
    add_json(compare, "the comparison ('-' for stdout)")


def run(args: argparse.Namespace) -> int:
    table = read_real(args.input, args)
    names = tuple(n.strip() for n in (args.generators or "").split(",") if n.strip())
    settings = CompareSettings(
        generators=names,
        budget_seconds=args.budget,
        target=args.target,
        rows=args.rows,
        seed=args.seed,
        holdout_fraction=args.holdout_fraction,
    )
    if args.target is not None and args.target not in table.schema:
        raise SynthCoreError(f"There is no column '{args.target}' to predict.")
    progress = progress_bar("compare ")
    comparison = compare_generators(table, settings, progress or no_progress)
    if progress:
        progress.close()
    write_json(args.json, comparison.to_dict())
    for measured in comparison.scores:
        if measured.status.value == "ok":
            print(
                f"{measured.name:16} quality {score(measured.quality)}, detection AUC "
                f"{score(measured.detection_auc)}, copies {measured.exact_match_rate or 0:.2%} "
                f"(holdout {measured.holdout_match_rate or 0:.2%}), DCR share "
                f"{measured.dcr_share or 0:.1%}, {measured.seconds:.1f} s"
                + ("" if measured.passes_privacy else " [fails the privacy gate]")
                + (
                    f"\n{'':16} not chosen: {why}"
                    if (why := comparison.why_not(measured.name))
                    else ""
                ),
                file=sys.stderr,
            )
        else:
            print(f"{measured.name:16} {measured.status.value}: {measured.reason}", file=sys.stderr)
    print(f"Recommended: {comparison.recommended or 'none'}. {comparison.why}", file=sys.stderr)
    return 0
