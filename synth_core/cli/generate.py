"""`synth-studio generate`: a synthetic version of a CSV file (or a Parquet dataset on Dask)."""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from synth_core._progress import no_progress
from synth_core.cli._common import (
    LINKED_SUFFIXES,
    add_tokens,
    key_value,
    progress_bar,
    read_file,
    token_options,
)
from synth_core.data.database import Database, Links, find_relations, link_order, read_database
from synth_core.data.io.export import check_file_name, write_csv, write_parquet, write_tables
from synth_core.data.io.reader import read_table
from synth_core.errors import SynthCoreError
from synth_core.generate.generators import get as get_generator
from synth_core.generate.linked import Orphans, integrity, reference_tables, synthesize_linked
from synth_core.generate.linked.recipe import LinkedRecipe, make_linked_recipe, read_linked_recipe
from synth_core.generate.protect.pii import PiiAction
from synth_core.generate.protect.quality import QualitySettings
from synth_core.generate.recipe import Recipe, make_recipe
from synth_core.generate.spec import (
    DP_GENERATOR,
    FIT_ROWS_AUTO,
    GenerationSpec,
    PrivacySetting,
    RulesSetting,
)
from synth_core.generate.synthesize import fit, sample, sample_to_file
from synth_core.workflows.partitioned_read import READ_SAMPLE_ROWS, read_partitioned
from synth_core.workflows.scale import PARTITION_ROWS, dask_client, generate_partitioned


def add(commands: Any) -> None:
    generate = commands.add_parser(
        "generate",
        help="make a synthetic version of a CSV file",
        description="Settings come from the flags, then the recipe (--recipe), then defaults.",
    )
    generate.add_argument(
        "input",
        type=Path,
        nargs="+",
        help="CSV file (optionally .gz); several files, a zip or a SQLite file: a linked set",
    )
    generate.add_argument(
        "--keep",
        action="append",
        default=[],
        metavar="TABLE",
        help="a linked set: keep this table as it is (real rows and keys), repeatable; by "
        "default the set's reference tables (small lists at the top, such as districts) are kept",
    )
    generate.add_argument(
        "--synthesize",
        action="append",
        default=[],
        metavar="TABLE",
        help="a linked set: synthesize this reference table too instead of keeping it, repeatable",
    )
    generate.add_argument(
        "--orphans",
        choices=[o.value for o in Orphans],
        help="a linked set: rows whose key points at no parent row are left out (drop, the "
        "default) or learnt with an empty key (keep)",
    )
    generate.add_argument(
        "--out",
        type=Path,
        required=True,
        help="output file: .csv or .parquet (a linked set: a folder, one CSV per table)",
    )
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
        type=key_value,
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="generator parameter, repeatable, e.g. --param epochs=5",
    )
    generate.add_argument(
        "--kind",
        type=key_value,
        action="append",
        default=[],
        metavar="COLUMN=KIND",
        help="override a column kind: numerical, categorical, datetime[:FORMAT], boolean, id, "
        "pii:TYPE",
    )
    generate.add_argument(
        "--privacy",
        choices=[p.value for p in PrivacySetting],
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
        "--read-sample",
        type=int,
        metavar="N",
        help="read a seeded random sample of N of the file's rows (for files over the "
        "1,000,000-row limit); with --engine dask the file is read in blocks on the workers "
        f"and the sample is {READ_SAMPLE_ROWS:,} rows unless given",
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
        "--rules",
        choices=[r.value for r in RulesSetting],
        help="auto (default): keep every rule found in all training rows (order, sums, "
        "determined columns, bounds, ...; see 'rules'); none: only the recipe's constraints",
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
    generate.add_argument(
        "--fit-rows",
        type=_fit_rows,
        metavar="N|all|auto",
        help="the generator learns from at most N training rows, a seeded sample; 'all' for "
        "every training row; 'auto' (the default) for the generator's own cap, chosen by "
        "measured fidelity against time (README, 'The fit's row cap')",
    )
    generate.add_argument("--delimiter", help="field delimiter (detected when omitted)")
    generate.add_argument("--encoding", help="text encoding (detected when omitted)")
    generate.add_argument("--no-header", action="store_true", help="the first row is data")
    add_tokens(generate)


def run(args: argparse.Namespace) -> int:
    inputs: list[Path] = list(args.input)
    if len(inputs) > 1 or inputs[0].suffix.lower() in LINKED_SUFFIXES:
        return run_linked(args, inputs)
    if args.keep or args.synthesize or args.orphans:
        raise SynthCoreError(
            "--keep, --synthesize and --orphans are for a linked set: give several files."
        )
    args.input = inputs[0]
    suffix = args.out.suffix.lower()
    dask = args.engine == "dask"
    if not dask:
        check_file_name(args.out)
    if dask and suffix == ".csv":
        raise SynthCoreError(
            "--engine dask writes a Parquet dataset (one file per partition): give --out a "
            "folder name, e.g. --out synthetic_parquet."
        )
    if not dask and (args.scheduler or args.workers is not None):
        raise SynthCoreError("--scheduler and --workers need --engine dask.")
    recipe = Recipe.from_json(read_file(args.recipe)) if args.recipe else Recipe()
    options = replace(
        token_options(args, recipe.read_options()),
        **{k: v for k, v in (("encoding", args.encoding), ("delimiter", args.delimiter)) if v},
    )
    if args.no_header:
        options = replace(options, header=False)
    if args.read_sample is not None and not dask:
        options = replace(options, sample_rows=args.read_sample)
    with contextlib.ExitStack() as stack:
        client = (
            stack.enter_context(dask_client(args.scheduler, args.workers or 2)) if dask else None
        )
        raw: bytes | Path
        if dask:
            reading = progress_bar("reading ")
            found = read_partitioned(
                args.input,
                options,
                sample_rows=args.read_sample or READ_SAMPLE_ROWS,
                seed=recipe.seed if args.seed is None else args.seed,
                client=client,
                progress=reading or no_progress,
            )
            if reading:
                reading.close()
            raw, base = args.input, found.table
            print(
                f"{found.note()} Peak memory per worker while reading: "
                + ", ".join(f"{v:,.0f} MB" for v in found.peak_rss_mb.values())
                + ".",
                file=sys.stderr,
            )
        else:
            raw = read_file(args.input)
            base = read_table(raw, options, name=args.input.name)
        for note in recipe.differences(raw, base):
            print(f"note: {note}", file=sys.stderr)
        kinds = {**recipe.kinds, **dict(args.kind)}
        table = replace(recipe, kinds=kinds).apply(base)
        spec = _resolved_spec(args, recipe.spec(table.schema))
        fitting = progress_bar("fitting ")
        model = fit(table, spec, fitting or no_progress)
        if fitting:
            fitting.close()
        sampling = progress_bar("sampling")
        if dask:
            if spec.requests:
                raise SynthCoreError(
                    "--engine dask samples plain rows; conditions and scenario plans run "
                    "without it."
                )
            partitioned = generate_partitioned(
                model,
                spec.rows,
                args.out,
                partition_rows=args.partition_rows,
                progress=sampling or no_progress,
                client=client,
            )
            rows, notes = partitioned.rows, model.notes
            print(
                f"{len(partitioned.partitions)} partitions on {partitioned.workers} worker(s) "
                f"({partitioned.scheduler}): {partitioned.rows_per_second:,.0f} rows/s; peak "
                "memory per worker "
                + ", ".join(f"{v:,.0f} MB" for v in partitioned.peak_rss_mb().values())
                + ".",
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


def run_linked(args: argparse.Namespace, inputs: Sequence[Path]) -> int:
    """Several tables: their keys and links found, synthesized together into ``--out`` (a
    folder), one file per table with the real file's name and format."""
    unsupported = [
        flag
        for flag, given in (
            ("--save-holdout", args.save_holdout),
            ("--engine dask", args.engine == "dask"),
            ("--kind", args.kind),
        )
        if given
    ]
    if unsupported:
        raise SynthCoreError(
            f"{', '.join(unsupported)} work with one table; a linked set takes --generator, "
            "--param, --seed, --rows, --privacy and --rules."
        )
    if args.out.suffix.lower() in (".csv", ".parquet"):
        raise SynthCoreError(
            "A linked set is written as one file per table: give --out a folder, e.g. --out "
            "synthetic_tables."
        )
    database = read_database((path.name, read_file(path)) for path in inputs)
    links = find_relations(database)
    recipe = LinkedRecipe()
    if args.recipe is not None:
        recipe = read_linked_recipe(read_file(args.recipe))
        links, warnings = recipe.links_for(database, links)
        for warning in warnings:
            print(f"warning: {warning}", file=sys.stderr)
    base = recipe.spec()
    if args.recipe is None:
        base = base.with_table(rules=RulesSetting.AUTO)
    top = link_order(list(database.tables), links.relations)[0]
    scale = base.scale if args.rows is None else args.rows / max(len(database.tables[top].df), 1)
    spec = replace(
        base,
        table=_resolved_spec(args, base.table),
        scale=scale,
        keep=_kept(args, base.keep, database, links),
        orphans=Orphans(args.orphans) if args.orphans else base.orphans,
    )
    bar = progress_bar("linked  ")
    result = synthesize_linked(
        database=database, links=links, spec=spec, progress=bar or no_progress
    )
    if args.save_recipe is not None:
        saved = make_linked_recipe(database, links, spec)
        args.save_recipe.write_text(saved.to_json(), encoding="utf-8")
    if bar:
        bar.close()
    written = write_tables(
        args.out,
        result.tables,
        {name: table.schema for name, table in database.tables.items()},
        {name: source[0] for name, source in database.sources.items()},
    )
    for path, (name, frame) in zip(written, result.tables.items(), strict=True):
        print(f"{name}: {len(frame):,} rows → {path.name}", file=sys.stderr)
    for link, share in integrity(result.tables, result.relations).items():
        print(f"{link}: {share:.1%} of keys found", file=sys.stderr)
    for note in dict.fromkeys(result.notes):
        print(f"note: {note}", file=sys.stderr)
    print(f"Wrote {len(result.tables)} tables to {args.out}.", file=sys.stderr)
    return 0


def _kept(
    args: argparse.Namespace, keep: tuple[str, ...] | None, database: Database, links: Links
) -> tuple[str, ...] | None:
    """The tables kept as they are: --keep's, else the recipe's (None: the reference
    tables), without those --synthesize names."""
    chosen = tuple(args.keep) if args.keep else keep
    if not args.synthesize:
        return chosen
    unknown = [t for t in args.synthesize if t not in database.tables]
    if unknown:
        raise SynthCoreError(f"--synthesize {unknown[0]}: there is no table '{unknown[0]}'.")
    start = reference_tables(database, links) if chosen is None else chosen
    return tuple(t for t in start if t not in args.synthesize)


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
    if args.fit_rows is not None:
        changes["max_fit_rows"] = None if args.fit_rows == "all" else args.fit_rows
    privacy = "none" if args.no_pii_protection else args.privacy
    if args.quality_keep is not None or args.quality_threshold is not None:
        changes["quality_filter"] = QualitySettings(
            keep=1.0 if args.quality_keep is None else args.quality_keep,
            threshold=args.quality_threshold,
        )
    if args.pii_action:
        changes["pii_action"] = PiiAction(args.pii_action)
    if args.rules:
        changes["rules"] = RulesSetting(args.rules)
    resolved = replace(spec, **changes)
    setting = PrivacySetting.of(resolved) if privacy is None else PrivacySetting(privacy)
    resolved = setting.apply(resolved)
    if args.filter_quantile is not None or args.drop_outliers:
        current = resolved.similarity_filter
        if current is None:
            raise SynthCoreError("--filter-quantile and --drop-outliers need --privacy filter.")
        resolved = replace(
            resolved,
            similarity_filter=replace(
                current,
                quantile=current.quantile if args.filter_quantile is None else args.filter_quantile,
                drop_outliers=current.drop_outliers or args.drop_outliers,
            ),
        )
    return resolved


def _fit_rows(text: str) -> int | str:
    """--fit-rows: a whole number of rows at least 1, 'all' or 'auto'."""
    if text.strip().lower() in ("all", FIT_ROWS_AUTO):
        return text.strip().lower()
    try:
        rows = int(text.replace(",", "").replace("_", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"'{text}' is not a number of rows, 'all' or 'auto'"
        ) from None
    if rows < 1:
        raise argparse.ArgumentTypeError("the generator needs at least 1 row to learn from")
    return rows
