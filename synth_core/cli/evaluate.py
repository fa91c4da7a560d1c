"""`synth-studio evaluate`: one evaluation of a synthetic table against the real one (JSON)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from synth_core._progress import no_progress
from synth_core.cli._common import (
    LINKED_SUFFIXES,
    add_json,
    add_kinds,
    add_tokens,
    progress_bar,
    read_file,
    read_real,
    score,
    write_json,
)
from synth_core.data.database import find_relations, read_database
from synth_core.data.io.export import table_file_name
from synth_core.data.io.reader import read_like
from synth_core.data.table import Table
from synth_core.errors import SynthCoreError
from synth_core.evaluate.evaluation import Evaluation, EvaluationSettings, evaluate
from synth_core.evaluate.fidelity import Binning
from synth_core.evaluate.linked import evaluate_linked
from synth_core.evaluate.privacy.report import privacy_summary
from synth_core.workflows.scale import SAMPLE_ROWS, evaluate_large


def add(commands: Any) -> None:
    evaluate = commands.add_parser(
        "evaluate", help="measure how faithful a synthetic CSV is to the real one (JSON report)"
    )
    evaluate.add_argument(
        "real",
        type=Path,
        nargs="+",
        help="the real table the generator learnt from; several files (a linked set): then "
        "SYNTHETIC is a folder with one synthetic file per table, named the same",
    )
    evaluate.add_argument("synthetic", type=Path, help="the synthetic table (or folder)")
    evaluate.add_argument(
        "--holdout", type=Path, help="real rows the generator never saw (adds a baseline)"
    )
    add_json(evaluate, "the evaluation ('-' for stdout)")
    evaluate.add_argument("--no-detection", action="store_true", help="skip the classifier test")
    evaluate.add_argument(
        "--no-privacy", action="store_true", help="skip the privacy metrics (privacy.* keys)"
    )
    evaluate.add_argument(
        "--target",
        help="with --holdout: train on synthetic and on real rows, test on the holdout "
        "(utility.* keys)",
    )
    evaluate.add_argument(
        "--sensitive",
        action="append",
        default=[],
        metavar="COL",
        help="with --target: a group column for fairness (fairness.<COL>.* keys), repeatable",
    )
    evaluate.add_argument(
        "--positive", help="with --target: the positive class (default: the rarer one)"
    )
    evaluate.add_argument("--seed", type=int, default=0, help="seed for detection's sampling")
    evaluate.add_argument(
        "--engine",
        choices=["local", "dask"],
        default="local",
        help="dask: SYNTH is a Parquet dataset (folder) larger than memory; statistics, "
        "histograms and correlations over every row with Dask, the rest on --sample-rows",
    )
    evaluate.add_argument(
        "--sample-rows",
        type=int,
        default=SAMPLE_ROWS,
        metavar="N",
        help=f"with --engine dask: rows for the fidelity score and detection ({SAMPLE_ROWS:,})",
    )
    evaluate.add_argument(
        "--binning",
        choices=[b.value for b in Binning],
        default=Binning.SHARED.value,
        help="bins for numeric columns in pair tables: shared (default) or as SDMetrics' report",
    )
    add_kinds(evaluate, "override a column kind of the real table (the others follow it)")
    add_tokens(evaluate)


def run(args: argparse.Namespace) -> int:
    if len(args.real) > 1 or args.real[0].suffix.lower() in LINKED_SUFFIXES:
        return run_linked(args)  # a set of tables (a folder of synthetic Parquet is one table)
    args.real = args.real[0]
    real = read_real(args.real, args)
    if args.engine == "dask":
        return _evaluate_large(args, real)
    synthetic = read_like(args.synthetic, real, "synthetic table")
    holdout = None if args.holdout is None else read_like(args.holdout, real, "holdout table").df
    if args.sensitive and args.target is None:
        raise SynthCoreError("--sensitive needs --target (and --holdout).")
    if args.target is not None and holdout is None:
        raise SynthCoreError("--target needs --holdout: models are tested on unseen real rows.")
    settings = EvaluationSettings(
        target=args.target,
        sensitive=tuple(args.sensitive),
        positive=args.positive,
        detection=not args.no_detection,
        privacy=not args.no_privacy,
        seed=args.seed,
        binning=Binning(args.binning),
    )
    progress = progress_bar("evaluate")
    found = evaluate(
        real=real.df,
        synthetic=synthetic.df,
        schema=real.schema,
        holdout=holdout,
        settings=settings,
        progress=progress or no_progress,
    )
    if progress:
        progress.close()
    write_json(args.json, found.to_dict())
    summarise(found, args.real.name)
    return 0


def summarise(found: Evaluation, real_name: str) -> None:
    """One line per part on stderr, with the notes."""
    report = found.fidelity
    q = report.quality
    parts = [f"overall {score(q.overall)}", f"column shapes {score(q.column_shapes)}"]
    parts.append(f"pair trends {score(q.pair_trends)}")
    if report.detection is not None:
        parts.append(f"detection AUC {report.detection.auc:.3f}")
    print("Fidelity: " + ", ".join(parts) + ".", file=sys.stderr)
    if report.only_in_real or report.only_in_synthetic:
        print(
            "note: not compared (in one table only): "
            + ", ".join([*report.only_in_real, *report.only_in_synthetic]),
            file=sys.stderr,
        )
    if report.detection_note:
        print(f"note: detection skipped: {report.detection_note}", file=sys.stderr)
    if found.overlap_rows:
        print(
            f"note: {found.overlap_rows:,} rows of {real_name} are also in the holdout; they "
            "count as holdout rows only.",
            file=sys.stderr,
        )
    utility = found.utility
    if utility is not None:
        ratio = utility.ratio()
        print(
            f"Utility ({utility.metric} predicting {utility.target}): TSTR "
            f"{score(utility.main.tstr[utility.metric].value)}, TRTR "
            f"{score(utility.main.trtr[utility.metric].value)}, ratio {score(ratio)}.",
            file=sys.stderr,
        )
    if found.privacy is not None:
        print(f"Privacy: {privacy_summary(found.privacy)}.", file=sys.stderr)
        for note in found.privacy.notes:
            print(f"note: {note}", file=sys.stderr)


def _evaluate_large(args: argparse.Namespace, real: Table) -> int:
    if args.holdout or args.target or args.sensitive:
        raise SynthCoreError(
            "--engine dask measures fidelity only; for privacy and utility, evaluate a sample "
            "of the dataset without --engine dask."
        )
    progress = progress_bar("evaluate")
    found = evaluate_large(
        real.df,
        args.synthetic,
        real.schema,
        sample_rows=args.sample_rows,
        seed=args.seed,
        detection=not args.no_detection,
        progress=progress or no_progress,
    )
    if progress:
        progress.close()
    write_json(args.json, found.to_dict())
    overall = found.sample_fidelity["fidelity"]["overall"]
    print(
        f"{found.rows:,} rows in {found.partitions} partitions; fidelity {score(overall)} on "
        f"{found.sample_rows:,} sampled rows.",
        file=sys.stderr,
    )
    return 0


def run_linked(args: argparse.Namespace) -> int:
    """Several real files against a folder of synthetic ones: the set's quality (SDMetrics'
    multi-table parts), per table, and a ``relations[]`` entry per link."""
    unsupported = [
        flag
        for flag, given in (
            ("--holdout", args.holdout),
            ("--target", args.target),
            ("--engine dask", args.engine == "dask"),
            ("--kind", args.kind),
        )
        if given
    ]
    if unsupported:
        raise SynthCoreError(
            f"{', '.join(unsupported)} work with one table; a linked set is evaluated on its "
            "quality and links (generate it in the app for privacy per entity)."
        )
    if not args.synthetic.is_dir():
        raise SynthCoreError(
            f"{args.synthetic} is not a folder: with several real files, give the folder that "
            "holds one synthetic file per table (as `synth-studio generate ... --out` writes)."
        )
    database = read_database((path.name, read_file(path)) for path in args.real)
    links = find_relations(database)
    synthetic = {}
    for name, table in database.tables.items():
        file_name = table_file_name(database.sources[name][0], name)
        path = args.synthetic / file_name
        if not path.is_file():
            raise SynthCoreError(
                f"There is no {file_name} in {args.synthetic}: the folder needs one synthetic "
                "file per real table, named the same."
            )
        synthetic[name] = read_like(path, table, f"synthetic {name}").df
    found = evaluate_linked(
        database=database,
        links=links,
        synthetic=synthetic,
        binning=Binning(args.binning),
        seed=args.seed,
        detection_auc=not args.no_detection,
    )
    write_json(args.json, found.to_dict())
    print(f"Quality (SDMetrics' multi-table parts): {found.overall:.3f}", file=sys.stderr)
    for link in found.links:
        print(
            f"{link.label}: {link.integrity:.1%} of keys found, children per parent "
            f"{_plain(link.cardinality)}, parent × child trends {_plain(link.trends)}",
            file=sys.stderr,
        )
    for check in found.rules:
        print(
            f"{check.rule}: real {_share(check.real)}, synthetic {_share(check.synthetic)}",
            file=sys.stderr,
        )
    for replay in found.replayed:
        if replay.rows:
            print(
                f"{replay.table}.{replay.column}: {replay.rows:,} synthetic rows hold a value "
                "that belongs to one real row",
                file=sys.stderr,
            )
    return 0


def _share(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1%}"


def _plain(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"
