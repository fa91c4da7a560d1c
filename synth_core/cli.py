"""The `synth-studio` command line: list generators, generate a synthetic table."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from synth_core.errors import SynthCoreError
from synth_core.fidelity import Binning, evaluate
from synth_core.generators import infos
from synth_core.io.export import write_csv, write_parquet
from synth_core.io.reader import ReadOptions, read_table
from synth_core.privacy.pii import PiiAction
from synth_core.schema import ColumnOverride
from synth_core.synthesize import GenerationSpec, PrivacySetting, synthesize

EXIT_BAD_INPUT = 2


class _Parser(argparse.ArgumentParser):
    """Usage errors as one line on stderr, exit 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message} (see --help)\n")


def _key_value(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    return key.strip(), value.strip()


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="synth-studio", description="Synthetic Data Studio on the command line.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    listing = commands.add_parser("generators", help="list the generators and their parameters")
    listing.add_argument("--json", action="store_true", help="print JSON instead of text")

    generate = commands.add_parser("generate", help="make a synthetic version of a CSV file")
    generate.add_argument("input", type=Path, help="CSV file (optionally .gz)")
    generate.add_argument(
        "--generator", default="gaussian_copula", help="generator name (see 'generators')"
    )
    generate.add_argument("--rows", type=int, default=1000, help="number of synthetic rows")
    generate.add_argument(
        "--seed", type=int, default=0, help="random seed (same seed, same output)"
    )
    generate.add_argument("--out", type=Path, required=True, help="output file: .csv or .parquet")
    generate.add_argument(
        "--param",
        type=_key_value,
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="generator parameter, repeatable",
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
        "--no-pii-protection",
        action="store_true",
        help="keep PII columns as they are (they are modelled like any text column)",
    )
    generate.add_argument(
        "--pii-action",
        choices=[a.value for a in PiiAction],
        default=PiiAction.REPLACE.value,
        help="replace PII with fake values (default) or drop PII columns",
    )
    generate.add_argument(
        "--holdout-fraction",
        type=float,
        default=0.2,
        help="share of real rows kept out of training for evaluation (0 to 0.5)",
    )
    generate.add_argument("--delimiter", help="field delimiter (detected when omitted)")
    generate.add_argument("--encoding", help="text encoding (detected when omitted)")
    generate.add_argument("--no-header", action="store_true", help="the first row is data")

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
    evaluate.add_argument("--seed", type=int, default=0, help="seed for detection's sampling")
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
    return parser


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


def _generate(args: argparse.Namespace) -> int:
    suffix = args.out.suffix.lower()
    if suffix not in {".csv", ".parquet"}:
        raise SynthCoreError(f"--out must end in .csv or .parquet; got '{args.out.name}'.")
    options = ReadOptions(
        encoding=args.encoding, delimiter=args.delimiter, header=False if args.no_header else None
    )
    table = read_table(args.input, options)
    overrides = {name: ColumnOverride.parse(kind) for name, kind in args.kind}
    table = table.with_overrides(overrides)
    spec = GenerationSpec(
        generator=args.generator,
        params=dict(args.param),
        rows=args.rows,
        seed=args.seed,
        privacy=PrivacySetting.NONE if args.no_pii_protection else PrivacySetting.PII,
        pii_action=PiiAction(args.pii_action),
        holdout_fraction=args.holdout_fraction,
    )
    result = synthesize(table, spec)
    writer = write_parquet if suffix == ".parquet" else write_csv
    writer(result.data, result.schema, args.out)
    print(
        f"Wrote {len(result.data):,} synthetic rows to {args.out} "
        f"(fit {result.fit_seconds:.1f} s, sample {result.sample_seconds:.1f} s).",
        file=sys.stderr,
    )
    for note in result.notes:
        print(f"note: {note}", file=sys.stderr)
    return 0


def _evaluate(args: argparse.Namespace) -> int:
    real = read_table(args.real)
    real = real.with_overrides({name: ColumnOverride.parse(kind) for name, kind in args.kind})
    synthetic = read_table(args.synthetic).conformed_to(real.schema, "synthetic table")
    holdout = None
    if args.holdout is not None:
        holdout = read_table(args.holdout).conformed_to(real.schema, "holdout table").df
    report = evaluate(
        real.df,
        synthetic.df,
        real.schema,
        holdout=holdout,
        detection=not args.no_detection,
        seed=args.seed,
        binning=Binning(args.binning),
    )
    payload = json.dumps(report.to_dict(), indent=2, allow_nan=False, ensure_ascii=False)
    if str(args.json) == "-":
        print(payload)
    else:
        try:
            args.json.write_text(payload + "\n", encoding="utf-8")
        except OSError as exc:
            raise SynthCoreError(f"Cannot write {args.json}: {exc.strerror}.") from exc
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
    return 0


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
        return _generate(args)
    except SynthCoreError as exc:
        message = " ".join(str(exc).split())
        print(f"synth-studio: error: {message}", file=sys.stderr)
        return EXIT_BAD_INPUT


if __name__ == "__main__":
    sys.exit(main())
