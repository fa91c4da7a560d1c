"""The `synth-studio` command line: list generators, generate a synthetic table."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, NoReturn

import numpy as np
import pandas as pd

from synth_core.collapse import Regime, collapse_run
from synth_core.errors import SynthCoreError
from synth_core.fairness import fairness_report
from synth_core.fidelity import Binning, evaluate
from synth_core.generator_choice import DEFAULT_BUDGET_SECONDS, CompareSettings, compare_generators
from synth_core.generators import get as get_generator
from synth_core.generators import infos
from synth_core.generators.registry import no_progress
from synth_core.io.export import write_csv, write_parquet
from synth_core.io.reader import ReadOptions, read_like, read_table
from synth_core.privacy.distance import row_hashes
from synth_core.privacy.filter import FilterSettings
from synth_core.privacy.pii import PiiAction
from synth_core.privacy.report import privacy_keys, privacy_report, privacy_summary
from synth_core.recipe import Recipe, make_recipe
from synth_core.report import report_files
from synth_core.reward import QualitySettings
from synth_core.scale import PARTITION_ROWS, SAMPLE_ROWS, evaluate_large, generate_partitioned
from synth_core.schema import ColumnOverride, Schema
from synth_core.synthesize import GenerationSpec, PrivacySetting, fit, sample, sample_to_file
from synth_core.table import Table
from synth_core.utility import utility_report

EXIT_BAD_INPUT = 2
PRIVACY_CHOICES = ("none", "pii", "filter", "dp")
DP_GENERATOR = "dp_mst"


class _Parser(argparse.ArgumentParser):
    """Usage errors as one line on stderr, exit 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message} (see --help)\n")


def _key_value(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    return key.strip(), value.strip()


def _token_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--keep-token",
        type=_key_value,
        action="append",
        default=[],
        metavar="COLUMN=TOKEN",
        help="read TOKEN (e.g. none, NA) in COLUMN (* for every column) as a value, not missing",
    )
    parser.add_argument(
        "--missing-token",
        type=_key_value,
        action="append",
        default=[],
        metavar="COLUMN=TOKEN",
        help="read TOKEN in COLUMN (* for every column) as missing",
    )


def _token_options(args: argparse.Namespace, options: ReadOptions | None = None) -> ReadOptions:
    options = options or ReadOptions()
    return replace(
        options,
        keep_tokens=(*options.keep_tokens, *args.keep_token),
        missing_tokens=(*options.missing_tokens, *args.missing_token),
    )


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="synth-studio", description="Synthetic Data Studio on the command line.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    listing = commands.add_parser("generators", help="list the generators and their parameters")
    listing.add_argument("--json", action="store_true", help="print JSON instead of text")

    generate = commands.add_parser(
        "generate",
        help="make a synthetic version of a CSV file",
        description="Settings come from the flags, then the recipe (--recipe), then defaults.",
    )
    generate.add_argument("input", type=Path, help="CSV file (optionally .gz)")
    generate.add_argument("--out", type=Path, required=True, help="output file: .csv or .parquet")
    generate.add_argument("--recipe", type=Path, help="settings from a recipe JSON file")
    generate.add_argument("--save-recipe", type=Path, help="write the settings used as a recipe")
    generate.add_argument(
        "--save-holdout",
        type=Path,
        metavar="H.csv",
        help="write the real rows kept out of training, for 'evaluate --holdout'",
    )
    generate.add_argument("--generator", help="generator name (see 'generators')")
    generate.add_argument("--rows", type=int, help="number of synthetic rows (default 1000)")
    generate.add_argument("--seed", type=int, help="random seed: same seed, same rows (default 0)")
    generate.add_argument(
        "--param",
        type=_key_value,
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="generator parameter, repeatable, e.g. --param epochs=5",
    )
    generate.add_argument(
        "--kind",
        type=_key_value,
        action="append",
        default=[],
        metavar="COLUMN=KIND",
        help="override a column kind: numerical, categorical, datetime[:FORMAT], boolean, id, "
        "pii:TYPE",
    )
    generate.add_argument(
        "--privacy",
        choices=list(PRIVACY_CHOICES),
        help="none: personal data kept as is; pii (default): personal data replaced or dropped; "
        "filter: pii, and synthetic rows that copy or nearly copy a training row are dropped; "
        "dp: pii, with the differentially private generator (dp_mst)",
    )
    generate.add_argument(
        "--epsilon",
        type=float,
        metavar="E",
        help="with --privacy dp: the privacy budget ε (default 1; smaller is more private)",
    )
    generate.add_argument(
        "--filter-quantile",
        type=float,
        metavar="Q",
        help="with --privacy filter: drop rows closer to a training row than this quantile of "
        "holdout rows' distances (default 0.05)",
    )
    generate.add_argument(
        "--drop-outliers",
        action="store_true",
        help="with --privacy filter: also drop rows farther from every real row than 99%% of "
        "holdout rows are",
    )
    generate.add_argument(
        "--engine",
        choices=["local", "dask"],
        default="local",
        help="dask: sample partitions in parallel on Dask workers and write a Parquet dataset "
        "(a folder, one file per partition); the same seed gives the same rows whatever the "
        "number of workers",
    )
    generate.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="with --engine dask: an existing cluster (e.g. tcp://10.0.0.5:8786); default a "
        "LocalCluster on this machine",
    )
    generate.add_argument(
        "--workers", type=int, help="with --engine dask and no --scheduler: worker processes (2)"
    )
    generate.add_argument(
        "--partition-rows",
        type=int,
        default=PARTITION_ROWS,
        metavar="N",
        help=f"with --engine dask: rows per partition ({PARTITION_ROWS:,})",
    )
    generate.add_argument(
        "--quality-keep",
        type=float,
        metavar="Q",
        help="quality filter: a real-versus-synthetic classifier scores every row by P(real); "
        "draw N/Q rows and keep the best N (e.g. 0.5). Costs diversity: check evaluate",
    )
    generate.add_argument(
        "--quality-threshold",
        type=float,
        metavar="P",
        help="quality filter: keep rows with P(real) at least P instead of a share",
    )
    generate.add_argument(
        "--no-pii-protection",
        action="store_true",
        help="the same as --privacy none",
    )
    generate.add_argument(
        "--pii-action",
        choices=[a.value for a in PiiAction],
        help="replace PII with fake values (default) or drop PII columns",
    )
    generate.add_argument(
        "--holdout-fraction",
        type=float,
        help="share of real rows kept out of training for evaluation, 0 to 0.5 (default 0.2)",
    )
    generate.add_argument("--delimiter", help="field delimiter (detected when omitted)")
    generate.add_argument("--encoding", help="text encoding (detected when omitted)")
    generate.add_argument("--no-header", action="store_true", help="the first row is data")
    _token_arguments(generate)

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
        type=_key_value,
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
    _token_arguments(collapse)

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
        type=_key_value,
        action="append",
        default=[],
        metavar="COLUMN=KIND",
        help="override a column kind",
    )
    _token_arguments(compare)
    compare.add_argument("--json", type=Path, required=True, metavar="OUT.json")

    evaluate = commands.add_parser(
        "evaluate", help="measure how faithful a synthetic CSV is to the real one (JSON report)"
    )
    evaluate.add_argument("real", type=Path, help="the real table the generator learnt from")
    evaluate.add_argument("synthetic", type=Path, help="the synthetic table")
    evaluate.add_argument(
        "--holdout", type=Path, help="real rows the generator never saw (adds a baseline)"
    )
    evaluate.add_argument(
        "--json", type=Path, required=True, metavar="OUT.json", help="report file ('-' for stdout)"
    )
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
    evaluate.add_argument(
        "--kind",
        type=_key_value,
        action="append",
        default=[],
        metavar="COLUMN=KIND",
        help="override a column kind of the real table (the others follow it)",
    )
    _token_arguments(evaluate)
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
    report.add_argument(
        "--kind",
        type=_key_value,
        action="append",
        default=[],
        metavar="COLUMN=KIND",
        help="override a column kind of the real table (the others follow it)",
    )
    _token_arguments(report)
    report.add_argument("--out", type=Path, required=True, metavar="REPORT.html")
    report.add_argument(
        "--json", type=Path, metavar="REPORT.json", help="the JSON (default: beside --out)"
    )
    return parser


def _evaluate_large(args: argparse.Namespace, real: Table) -> int:
    if args.holdout or args.target or args.sensitive:
        raise SynthCoreError(
            "--engine dask measures fidelity only; for privacy and utility, evaluate a sample "
            "of the dataset without --engine dask."
        )
    progress = _progress("evaluate")
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
    _write_json(args.json, found.to_dict())
    overall = found.sample_fidelity["fidelity"]["overall"]
    print(
        f"{found.rows:,} rows in {found.partitions} partitions; fidelity {_score(overall)} on "
        f"{found.sample_rows:,} sampled rows.",
        file=sys.stderr,
    )
    return 0


def _report(args: argparse.Namespace) -> int:
    real = read_table(args.real, _token_options(args))
    real = real.with_overrides({name: ColumnOverride.parse(kind) for name, kind in args.kind})
    synthetic = read_like(args.synthetic, real, "synthetic table")
    holdout = None
    training = real.df
    if args.holdout is not None:
        holdout = read_like(args.holdout, real, "holdout table").df
        training = _without(real.df, holdout, real.schema)
    if args.sensitive and args.target is None:
        raise SynthCoreError("--sensitive needs --target (and --holdout).")
    recipe = None
    if args.recipe is not None:
        recipe = json.loads(Recipe.from_json(_read_file(args.recipe)).to_json())
    progress = _progress("report")
    files = report_files(
        training,
        synthetic.df,
        real.schema,
        holdout,
        recipe,
        args.target,
        args.sensitive,
        args.positive,
        args.seed,
        progress or no_progress,
    )
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


def _list_generators(as_json: bool) -> int:
    if as_json:
        payload = [
            {
                "name": info.name,
                "label": info.label,
                "description": info.description,
                "kind": info.kind.value,
                "licence": info.licence,
                "available": info.available,
                "params": [
                    {
                        "name": p.name,
                        "type": p.type.value,
                        "default": p.default,
                        "help": p.help,
                        "min": p.minimum,
                        "max": p.maximum,
                        "choices": list(p.choices),
                    }
                    for p in info.params
                ],
            }
            for info in infos()
        ]
        print(json.dumps(payload, indent=2))
        return 0
    for info in infos():
        state = "" if info.available else f"  [unavailable: {info.install_hint}]"
        print(f"{info.name:<18} {info.label} — {info.licence}{state}")
        print(f"{'':<18} {info.description}")
        for p in info.params:
            choices = f" ({', '.join(p.choices)})" if p.choices else ""
            bounds = (
                f" [{p.minimum:g}..{p.maximum:g}]"
                if p.minimum is not None and p.maximum is not None
                else ""
            )
            print(f"{'':<18}   {p.name}={p.default}{choices}{bounds}: {p.help}")
    return 0


class _TerminalProgress:
    """A one-line progress bar on stderr (only when stderr is a terminal)."""

    def __init__(self, label: str) -> None:
        self._label = label
        self._started = time.monotonic()
        self._shown = 0.0

    def __call__(
        self, fraction: float, message: str, losses: Mapping[str, float] | None = None
    ) -> None:
        now = time.monotonic()
        if now - self._shown < 0.1 and fraction < 1.0:
            return
        self._shown = now
        elapsed = now - self._started
        eta = f" ~{elapsed * (1 - fraction) / fraction:.0f}s left" if 0.02 < fraction < 1 else ""
        bar = "#" * int(24 * fraction)
        sys.stderr.write(f"\r{self._label} [{bar:<24}] {fraction:4.0%}{eta}  {message[:60]:<60}")
        sys.stderr.flush()

    def close(self) -> None:
        sys.stderr.write("\n")
        sys.stderr.flush()


def _progress(label: str) -> _TerminalProgress | None:
    return _TerminalProgress(label) if sys.stderr.isatty() else None


def _generate(args: argparse.Namespace) -> int:
    suffix = args.out.suffix.lower()
    dask = args.engine == "dask"
    if not dask and suffix not in {".csv", ".parquet"}:
        raise SynthCoreError(f"--out must end in .csv or .parquet; got '{args.out.name}'.")
    if dask and suffix == ".csv":
        raise SynthCoreError(
            "--engine dask writes a Parquet dataset (one file per partition): give --out a "
            "folder name, e.g. --out synthetic_parquet."
        )
    if not dask and (args.scheduler or args.workers is not None):
        raise SynthCoreError("--scheduler and --workers need --engine dask.")
    recipe = Recipe.from_json(_read_file(args.recipe)) if args.recipe else Recipe()
    raw = _read_file(args.input)
    options = replace(
        _token_options(args, recipe.read_options()),
        **{k: v for k, v in (("encoding", args.encoding), ("delimiter", args.delimiter)) if v},
    )
    if args.no_header:
        options = replace(options, header=False)
    base = read_table(raw, options, name=args.input.name)
    for note in recipe.differences(raw, base):
        print(f"note: {note}", file=sys.stderr)
    kinds = {**recipe.kinds, **dict(args.kind)}
    table = replace(recipe, kinds=kinds).apply(base)
    spec = _resolved_spec(args, recipe.spec(table.schema))
    fitting = _progress("fitting ")
    model = fit(table, spec, fitting or no_progress)
    if fitting:
        fitting.close()
    sampling = _progress("sampling")
    if dask:
        if spec.requests:
            raise SynthCoreError(
                "--engine dask samples plain rows; conditions and scenario plans run without it."
            )
        partitioned = generate_partitioned(
            model,
            spec.rows,
            args.out,
            partition_rows=args.partition_rows,
            scheduler=args.scheduler,
            workers=args.workers or 2,
            progress=sampling or no_progress,
        )
        rows, notes = partitioned.rows, model.notes
        print(
            f"{len(partitioned.partitions)} partitions on {partitioned.workers} worker(s) "
            f"({partitioned.scheduler}): {partitioned.rows_per_second:,.0f} rows/s.",
            file=sys.stderr,
        )
    elif spec.requests:
        result = sample(model, progress=sampling or no_progress)
        writer = write_parquet if suffix == ".parquet" else write_csv
        writer(result.data, result.schema, args.out)
        rows, notes = len(result.data), result.notes
    else:
        written = sample_to_file(model, spec.rows, args.out, progress=sampling or no_progress)
        rows, notes = written.rows, (*model.notes, *written.notes)
    if sampling:
        sampling.close()
    if args.save_holdout:
        writer = write_parquet if args.save_holdout.suffix.lower() == ".parquet" else write_csv
        writer(model.holdout, table.schema, args.save_holdout)
    if args.save_recipe:
        saved = make_recipe(spec, base, raw, options, kinds, recipe.dropped)
        args.save_recipe.write_text(saved.to_json() + "\n", encoding="utf-8")
    print(
        f"Wrote {rows:,} synthetic rows to {args.out} (fit {model.fit_seconds:.1f} s).",
        file=sys.stderr,
    )
    for note in dict.fromkeys(notes):
        print(f"note: {note}", file=sys.stderr)
    return 0


def _read_file(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise SynthCoreError(f"Cannot read {path}: {exc.strerror}. Check the path.") from exc


def _resolved_spec(args: argparse.Namespace, spec: GenerationSpec) -> GenerationSpec:
    """The recipe's spec with the flags given on the command line on top."""
    params = dict(spec.params)
    if args.generator and args.generator != spec.generator:
        params = {}  # the recipe's parameters belong to its generator
    params.update(dict(args.param))
    if args.privacy == "dp":
        if args.generator not in (None, DP_GENERATOR):
            raise SynthCoreError(
                f"--privacy dp uses the {DP_GENERATOR} generator; drop --generator "
                f"{args.generator} or choose --privacy pii or filter."
            )
        if spec.generator != DP_GENERATOR:
            params = dict(args.param)
        args.generator = DP_GENERATOR
    if args.epsilon is not None:
        if (args.generator or spec.generator) != DP_GENERATOR:
            raise SynthCoreError("--epsilon needs --privacy dp (or --generator dp_mst).")
        params["epsilon"] = args.epsilon
    generator = args.generator or spec.generator
    checked = get_generator(generator).validate(params)  # typed: "5" becomes 5
    changes: dict[str, Any] = {"params": {name: checked[name] for name in params}}
    for name in ("generator", "rows", "seed", "holdout_fraction"):
        if getattr(args, name) is not None:
            changes[name] = getattr(args, name)
    privacy = "none" if args.no_pii_protection else args.privacy
    if privacy is not None:
        changes["privacy"] = PrivacySetting.NONE if privacy == "none" else PrivacySetting.PII
        if privacy == "dp":
            changes["similarity_filter"] = None
        elif privacy == "filter":
            changes["similarity_filter"] = spec.similarity_filter or FilterSettings()
        else:
            changes["similarity_filter"] = None
    if args.filter_quantile is not None or args.drop_outliers:
        current = changes.get("similarity_filter", spec.similarity_filter)
        if current is None:
            raise SynthCoreError("--filter-quantile and --drop-outliers need --privacy filter.")
        changes["similarity_filter"] = replace(
            current,
            quantile=current.quantile if args.filter_quantile is None else args.filter_quantile,
            drop_outliers=current.drop_outliers or args.drop_outliers,
        )
    if args.quality_keep is not None or args.quality_threshold is not None:
        changes["quality_filter"] = QualitySettings(
            keep=1.0 if args.quality_keep is None else args.quality_keep,
            threshold=args.quality_threshold,
        )
    if args.pii_action:
        changes["pii_action"] = PiiAction(args.pii_action)
    return replace(spec, **changes)


def _evaluate(args: argparse.Namespace) -> int:
    real = read_table(args.real, _token_options(args))
    real = real.with_overrides({name: ColumnOverride.parse(kind) for name, kind in args.kind})
    if args.engine == "dask":
        return _evaluate_large(args, real)
    synthetic = read_like(args.synthetic, real, "synthetic table")
    holdout = None
    if args.holdout is not None:
        holdout = read_like(args.holdout, real, "holdout table").df
    report = evaluate(
        real.df,
        synthetic.df,
        real.schema,
        holdout=holdout,
        detection=not args.no_detection,
        seed=args.seed,
        binning=Binning(args.binning),
    )
    result = report.to_dict()
    privacy = None
    if not args.no_privacy:
        training = real.df if holdout is None else _without(real.df, holdout, real.schema)
        privacy = privacy_report(
            training, synthetic.df, real.schema, holdout=holdout, seed=args.seed
        )
        result.update(privacy_keys(privacy))
        if len(training) < len(real.df):
            print(
                f"note: {len(real.df) - len(training):,} rows of {args.real.name} are also in the "
                "holdout; privacy treats them as holdout rows only.",
                file=sys.stderr,
            )
    utility = None
    if args.target is not None:
        if holdout is None:
            raise SynthCoreError("--target needs --holdout: models are tested on unseen real rows.")
        training = _without(real.df, holdout, real.schema)
        utility = utility_report(
            training, synthetic.df, holdout, real.schema, args.target, positive=args.positive
        )
        result.update(utility.to_dict())
        if args.sensitive:
            fairness = fairness_report(
                training,
                synthetic.df,
                holdout,
                real.schema,
                args.target,
                args.sensitive,
                positive=args.positive,
            )
            result.update(fairness.to_dict())
    elif args.sensitive:
        raise SynthCoreError("--sensitive needs --target (and --holdout).")
    _write_json(args.json, result)
    q = report.quality
    parts = [f"overall {_score(q.overall)}", f"column shapes {_score(q.column_shapes)}"]
    parts.append(f"pair trends {_score(q.pair_trends)}")
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
    if utility is not None:
        ratio = utility.ratio()
        print(
            f"Utility ({utility.metric} predicting {utility.target}): TSTR "
            f"{_score(utility.main.tstr[utility.metric].value)}, TRTR "
            f"{_score(utility.main.trtr[utility.metric].value)}, ratio {_score(ratio)}.",
            file=sys.stderr,
        )
    if privacy is not None:
        print(f"Privacy: {privacy_summary(privacy)}.", file=sys.stderr)
        for note in privacy.notes:
            print(f"note: {note}", file=sys.stderr)
    return 0


def _without(real: pd.DataFrame, holdout: pd.DataFrame, schema: Schema) -> pd.DataFrame:
    """``real`` without the rows that are also in ``holdout`` (same values in every column)."""
    columns = [c for c in schema if c.name in real.columns and c.name in holdout.columns]
    found = np.isin(row_hashes(real, columns), row_hashes(holdout, columns))
    return real[~found]


def _compare(args: argparse.Namespace) -> int:
    table = read_table(args.input, _token_options(args))
    table = table.with_overrides({name: ColumnOverride.parse(kind) for name, kind in args.kind})
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
    progress = _progress("compare ")
    comparison = compare_generators(table, settings, progress or no_progress)
    if progress:
        progress.close()
    _write_json(args.json, comparison.to_dict())
    for score in comparison.scores:
        if score.status.value == "ok":
            print(
                f"{score.name:16} quality {_score(score.quality)}, detection AUC "
                f"{_score(score.detection_auc)}, copies {score.exact_match_rate or 0:.2%} "
                f"(holdout {score.holdout_match_rate or 0:.2%}), DCR share "
                f"{score.dcr_share or 0:.1%}, {score.seconds:.1f} s"
                + ("" if score.passes_privacy else " [fails the privacy gate]"),
                file=sys.stderr,
            )
        else:
            print(f"{score.name:16} {score.status.value}: {score.reason}", file=sys.stderr)
    print(f"Recommended: {comparison.recommended or 'none'}. {comparison.why}", file=sys.stderr)
    return 0


def _collapse(args: argparse.Namespace) -> int:
    try:
        regimes = [Regime(r.strip()) for r in args.regimes.split(",") if r.strip()]
    except ValueError:
        raise SynthCoreError(
            f"--regimes takes replace, accumulate and mix; got '{args.regimes}'."
        ) from None
    table = read_table(args.input, _token_options(args))
    rows = args.rows or len(table.df)
    progress = _progress("collapse")
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
            f"{regime}: mean KS {_score(first.mean_ks)} -> {_score(last.mean_ks)}, std ratio "
            f"{_score(first.std_ratio)} -> {_score(last.std_ratio)}, categories "
            f"{first.categories_kept} -> {last.categories_kept} of {last.categories_total}",
            file=sys.stderr,
        )
    return 0


def _write_json(path: Path, payload: Mapping[str, Any]) -> None:
    """Strict JSON (no NaN) to ``path``, or to stdout for '-'."""
    text = json.dumps(payload, indent=2, allow_nan=False, ensure_ascii=False)
    if str(path) == "-":
        print(text)
        return
    try:
        path.write_text(text + "\n", encoding="utf-8")
    except OSError as exc:
        raise SynthCoreError(f"Cannot write {path}: {exc.strerror}.") from exc


def _score(value: float | None) -> str:
    return "n/a" if value is None or value != value else f"{value:.3f}"


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `synth-studio` console script."""
    args = _parser().parse_args(argv)
    try:
        if args.command == "generators":
            return _list_generators(args.json)
        if args.command == "evaluate":
            return _evaluate(args)
        if args.command == "collapse":
            return _collapse(args)
        if args.command == "report":
            return _report(args)
        if args.command == "compare-generators":
            return _compare(args)
        return _generate(args)
    except SynthCoreError as exc:
        message = " ".join(str(exc).split())
        print(f"synth-studio: error: {message}", file=sys.stderr)
        return EXIT_BAD_INPUT


if __name__ == "__main__":
    sys.exit(main())
