"""Linked tables: our CART (each table through the one-table pipeline, children per parent
learnt, children drawn with their parent's columns, in sequences) against SDV's
HMASynthesizer and TabularARGN with a context table (mostlyai-engine), on the
baseball sample (players, their postseason lines, teams, franchises) and on a bank-like set
(tests/real_like.bank_tables: districts, accounts, clients, a link table, loans, orders).

    python benchmarks/bench_linked.py [--seed 0] [--accounts 1200] [--no-hma]

Printed per set and generator: seconds (fit + sample), SDMetrics' multi-table quality and its
four parts (computed by synth_core.evaluate.linked, equal to SDMetrics' own report: a test),
sequence coherence, integrity (the worst link), rules across links kept, and our time as a
ratio of HMA's, measured in the same run. HMA refuses more than 5 tables or a depth above 2
(its message is printed), so on the bank it also runs on the 5-table set without districts;
ours and TabularARGN run on both. Every generator learns from all real rows (no holdout) and
is scored against them.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from synth_core.data.database import (  # noqa: E402
    Database,
    Links,
    find_relations,
    read_database,
)
from synth_core.evaluate.fidelity.prepare import Binning  # noqa: E402
from synth_core.evaluate.linked import LinkedEvaluation, evaluate_linked  # noqa: E402
from synth_core.generate.linked import integrity, synthesize_linked  # noqa: E402
from synth_core.generate.linked.baselines import LinkedMethod, synthesize_baseline  # noqa: E402
from synth_core.generate.spec import GenerationSpec  # noqa: E402
from tests.real_like import bank_tables  # noqa: E402

Tables = Mapping[str, pd.DataFrame]


def _read(frames: Tables) -> tuple[Database, Links]:
    files = [(f"{name}.csv", frame.to_csv(index=False).encode()) for name, frame in frames.items()]
    database = read_database(files)
    return database, find_relations(database)


def baseball() -> tuple[Database, Links]:
    files = [
        (p.name, p.read_bytes()) for p in sorted((ROOT / "sample_data" / "baseball").glob("*.csv"))
    ]
    database = read_database(files)
    return database, find_relations(database)


def ours(database: Database, links: Links, seed: int) -> Tables:
    spec = GenerationSpec(generator="cart", seed=seed, holdout_fraction=0.0)
    return synthesize_linked(database, links, spec).tables


def ours_keeping_districts(database: Database, links: Links, seed: int) -> Tables:
    spec = GenerationSpec(generator="cart", seed=seed, holdout_fraction=0.0)
    return synthesize_linked(database, links, spec, keep=("district",)).tables


def hma(database: Database, links: Links, seed: int) -> Tables:
    spec = GenerationSpec(seed=seed, holdout_fraction=0.0)
    return synthesize_baseline(LinkedMethod.SDV_HMA, database, links, spec).tables


def argn(database: Database, links: Links, seed: int) -> Tables:
    """MOSTLY AI's way (synth_core.generate.linked.baselines): TabularARGN per table, each child
    with its first parent as the context table; 2 minutes of training per table at most."""
    spec = GenerationSpec(seed=seed, holdout_fraction=0.0)
    return synthesize_baseline(LinkedMethod.ARGN_CONTEXT, database, links, spec).tables


def _dates(frame: pd.DataFrame, column: str) -> pd.Series:
    return pd.to_datetime(frame[column], errors="coerce")


def rules_across(name: str, tables: Tables) -> str:
    """The rule across a link each set has, as the share of rows that keep it."""
    if name == "baseball":
        j = tables["BattingPost"].merge(tables["People"], on="playerID")
        first, last = _dates(j, "debut").dt.year, _dates(j, "finalGame").dt.year
        both = first.notna() & last.notna()
        kept = ((j["yearID"] >= first) & (j["yearID"] <= last))[both].mean()
        return f"postseason year within career {kept:.1%}"
    j = tables["loan"].merge(tables["account"], on="account_id", suffixes=("", "_account"))
    kept = (_dates(j, "date") >= _dates(j, "date_account")).mean()
    loan = tables["loan"]
    product = (loan["payments"] * loan["duration"] == loan["amount"]).mean()
    return f"loan after account opened {kept:.1%}; payments x duration = amount {product:.1%}"


def run(
    label: str,
    database: Database,
    links: Links,
    make: Callable[[Database, Links, int], Tables],
    seed: int,
    set_name: str,
) -> float:
    started = time.perf_counter()
    synthetic = make(database, links, seed)
    seconds = time.perf_counter() - started
    real = {name: table.df for name, table in database.tables.items()}
    found: LinkedEvaluation = evaluate_linked(
        real, synthetic, database, links, binning=Binning.SDMETRICS
    )
    sequences = [s.sequences.score for s in found.links if s.sequences and s.sequences.score]
    worst = min(integrity(synthetic, links.relations).values())

    def f(value: float | None) -> str:
        return "  n/a" if value is None else f"{value:.3f}"

    print(
        f"  {label:22} {seconds:8.1f} s  quality {f(found.overall)}"
        f"  shapes {f(found.column_shapes)}"
        f"  pairs {f(found.pair_trends)}  cardinality {f(found.cardinality)}"
        f"  intertable {f(found.intertable)}"
        f"  sequences {f(sum(sequences) / len(sequences) if sequences else None)}"
        f"  integrity {worst:.1%}"
    )
    print(f"  {'':22} rules across links: {rules_across(set_name, synthetic)}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--accounts", type=int, default=1_200)
    parser.add_argument("--no-hma", action="store_true")
    parser.add_argument("--no-argn", action="store_true")
    parser.add_argument("--sets", default="baseball,bank6,bank5")
    args = parser.parse_args()
    wanted = set(args.sets.split(","))
    sets = {}
    if "baseball" in wanted:
        sets["baseball"] = baseball()
    if "bank6" in wanted:
        sets["bank, 6 tables"] = _read(bank_tables(args.accounts, args.seed))
    if "bank5" in wanted:
        sets["bank, 5 tables"] = _read(bank_tables(args.accounts, args.seed, districts=False))
    for name, (database, links) in sets.items():
        rows = sum(len(t.df) for t in database.tables.values())
        print(f"{name}: {len(database.tables)} tables, {rows:,} rows, {len(links.relations)} links")
        real = {n: t.df for n, t in database.tables.items()}
        print(f"  {'real':22} rules across links: {rules_across(name.split(',')[0], real)}")
        mine = run("ours (CART)", database, links, ours, args.seed, name.split(",")[0])
        if "district" in database.tables:
            run("ours, districts kept", database, links, ours_keeping_districts, args.seed, "bank")
        if not args.no_argn:
            run("TabularARGN + context", database, links, argn, args.seed, name.split(",")[0])
        if args.no_hma:
            continue
        try:
            theirs = run("SDV HMASynthesizer", database, links, hma, args.seed, name.split(",")[0])
        except Exception as exc:  # SDV refuses some schemas: print its own words
            print(f"  SDV HMASynthesizer: {type(exc).__name__}: {str(exc).splitlines()[0]}")
            continue
        print(f"  ours / HMA time: {mine / theirs:.3f} ({theirs / mine:.0f}x faster)")


if __name__ == "__main__":
    main()
