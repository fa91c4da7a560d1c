"""`synth-studio report`: one self-contained HTML report (and JSON) to share."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from synth_core._progress import no_progress
from synth_core.cli._common import (
    add_json,
    add_kinds,
    add_tokens,
    progress_bar,
    read_file,
    read_real,
)
from synth_core.data.io.reader import read_like
from synth_core.errors import SynthCoreError
from synth_core.evaluate.evaluation import EvaluationSettings, Rows
from synth_core.generate.recipe import Recipe
from synth_core.present.report import evaluation_report


def add(commands: Any) -> None:
    report = commands.add_parser(
        "report",
        help="one self-contained HTML report (and JSON) to share with the synthetic data",
    )
    report.add_argument("real", type=Path, help="the real table the generator learnt from")
    report.add_argument("synthetic", type=Path, help="the synthetic table")
    report.add_argument("--holdout", type=Path, help="real rows the generator never saw")
    report.add_argument("--target", help="with --holdout: add utility (TSTR against TRTR)")
    report.add_argument(
        "--sensitive",
        action="append",
        default=[],
        metavar="COL",
        help="with --target: a group column for fairness, repeatable",
    )
    report.add_argument("--positive", help="with --target: the positive class")
    report.add_argument("--recipe", type=Path, help="the recipe that made the rows (its settings)")
    report.add_argument("--seed", type=int, default=0)
    add_kinds(report, "override a column kind of the real table (the others follow it)")
    add_tokens(report)
    report.add_argument("--out", type=Path, required=True, metavar="REPORT.html")
    add_json(report, "the JSON (default: beside --out)", required=False)


def run(args: argparse.Namespace) -> int:
    real = read_real(args.real, args)
    synthetic = read_like(args.synthetic, real, "synthetic table")
    holdout = None if args.holdout is None else read_like(args.holdout, real, "holdout table").df
    if args.sensitive and args.target is None:
        raise SynthCoreError("--sensitive needs --target (and --holdout).")
    recipe = None
    if args.recipe is not None:
        recipe = json.loads(Recipe.from_json(read_file(args.recipe)).to_json())
    settings = EvaluationSettings(
        target=args.target, sensitive=tuple(args.sensitive), positive=args.positive, seed=args.seed
    )
    rows = Rows.given(real.df, synthetic.df, real.schema, holdout)
    progress = progress_bar("report")
    files = evaluation_report(rows, recipe, settings, progress or no_progress)
    if progress:
        progress.close()
    json_path = args.json or args.out.with_suffix(".json")
    for path, text in ((args.out, files.html), (json_path, files.json)):
        try:
            path.write_text(text + ("\n" if path == json_path else ""), encoding="utf-8")
        except OSError as exc:
            raise SynthCoreError(f"Cannot write {path}: {exc.strerror}.") from exc
    print(f"Wrote {args.out} ({len(files.html) / 1e6:.1f} MB) and {json_path}.", file=sys.stderr)
    return 0
