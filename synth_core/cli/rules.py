"""`synth-studio rules`: the rules a CSV's rows keep (order, determined columns, sums, bounds,
combinations, missing together), with their evidence, as text and JSON."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from synth_core.cli._common import add_json, add_kinds, add_tokens, read_real, write_json
from synth_core.generate.discover import discover


def add(commands: Any) -> None:
    rules = commands.add_parser(
        "rules",
        help="find the rules a table's rows keep (what generate keeps by default)",
        description="ID and personal-data columns are skipped. Rules that hold in every row are "
        "the ones 'generate --rules auto' keeps; those with a few exceptions are listed too.",
    )
    rules.add_argument("input", type=Path, help="CSV file (optionally .gz)")
    add_kinds(rules, "override a column kind (as in generate)")
    add_tokens(rules)
    add_json(rules, "also write JSON, to a file or (no file, or '-') to stdout", bare=True)


def run(args: argparse.Namespace) -> int:
    table = read_real(args.input, args)
    found = discover(table.df, table.schema)
    if args.json is not None:
        write_json(args.json, found.to_dict())
        if str(args.json) == "-":
            return 0
    print(f"{len(found.rules)} rule(s) in {found.rows:,} rows ({found.seconds:.2f} s).")
    for rule in found.rules:
        mark = "keep" if rule.exact else "near"
        print(f"  [{mark}] {rule.text} — {rule.evidence()}")
    print(f"Searched: {found.searched}.")
    return 0
