"""`synth-studio relations`: the tables in several files (CSV, zips of them, SQLite), each
table's key and the links between them, with their evidence, as text and JSON."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from synth_core.cli._common import add_json, read_file, write_json
from synth_core.data.database import find_relations, link_order, read_database


def add(commands: Any) -> None:
    relations = commands.add_parser(
        "relations",
        help="find the keys and links between several tables",
        description="Each file is a table named after it (loans.csv: 'loans'); a zip holds "
        "several, a SQLite file all of its tables (its declared foreign keys are taken as "
        "given). A link is kept when a column's values are another table's keys and its name "
        "says so (account_id), or when text codes all match; whole numbers alone never link.",
    )
    relations.add_argument("inputs", type=Path, nargs="+", help="CSV/TSV files, zips, SQLite")
    add_json(relations, "also write JSON, to a file or (no file, or '-') to stdout", bare=True)


def run(args: argparse.Namespace) -> int:
    database = read_database((path.name, read_file(path)) for path in args.inputs)
    links = find_relations(database)
    if args.json is not None:
        write_json(args.json, links.to_dict(database))
        if str(args.json) == "-":
            return 0
    for name, table in database.tables.items():
        key = links.keys.get(name)
        print(f"{name}: {len(table.df):,} rows, key {key or '(none)'}")
    for relation in links.relations:
        print(
            f"  {relation.child}.{relation.child_key} → {relation.parent}.{relation.parent_key}: "
            f"{relation.evidence}"
        )
    for line in (*links.near_misses, *links.notes):
        print(f"note: {line}")
    print("Order (parents first): " + ", ".join(link_order(list(database.tables), links.relations)))
    return 0
