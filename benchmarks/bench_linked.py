"""Linked tables as a database: ours (each table with CART, linked: rows per parent by type,
two paths, rules along paths, reference lists kept) against SDV's HMASynthesizer and
TabularARGN with context tables (mostlyai-engine), on the baseball sample (players, their
postseason lines, teams, franchises) and on bank-like sets (tests/real_like.bank_tables:
districts, accounts, clients, a link table of owners and disponents, cards, loans, orders).

    python benchmarks/bench_linked.py [--seed 0] [--accounts 1200] [--no-hma] [--no-argn]
                                       [--sets baseball,bank7,bank7-synth,bank5]

Printed per set and method, measured in the same run (every method learns from all real rows
and is scored against them): seconds (fit + sample); SDMetrics' multi-table quality and its
four parts (computed by synth_core.evaluate.linked, equal to SDMetrics' own report: a test);
the set's rules across tables, real beside synthetic: rows-per-parent rules kept (the share of
parent rows that keep the worst one), two paths to one ancestor (how often they agree), rules
along paths of two links or more and of one link (the worst share of rows); the largest size
gap to the real tables; values of one real row replayed in identifying columns; detection AUC
(the mean over tables); and our time as a share of HMA's. HMA refuses more than 5 tables or a
depth above 2 (its message is printed), so it also runs on the 5-table bank without districts
and cards.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
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
from synth_core.evaluate.linked import RuleKind, evaluate_linked  # noqa: E402
from synth_core.generate.linked import (  # noqa: E402
    LinkedMethod,
    LinkedResult,
    LinkedSpec,
    integrity,
    synthesize_linked,
)
from synth_core.generate.spec import GenerationSpec  # noqa: E402
from tests.real_like import bank_tables  # noqa: E402

Make = Callable[[Database, Links, int], LinkedResult]


def _read(frames: dict[str, pd.DataFrame]) -> tuple[Database, Links]:
    files = [(f"{name}.csv", frame.to_csv(index=False).encode()) for name, frame in frames.items()]
    database = read_database(files)
    return database, find_relations(database)


def baseball() -> tuple[Database, Links]:
    files = [
        (p.name, p.read_bytes()) for p in sorted((ROOT / "sample_data" / "baseball").glob("*.csv"))
    ]
    database = read_database(files)
    return database, find_relations(database)


def method(which: LinkedMethod, keep: tuple[str, ...] | None = None) -> Make:
    def make(database: Database, links: Links, seed: int) -> LinkedResult:
        table = GenerationSpec(seed=seed, holdout_fraction=0.0)
        spec = LinkedSpec(table, method=which, keep=keep)
        return synthesize_linked(database=database, links=links, spec=spec)

    return make


def _worst(values: list[float | None]) -> str:
    present = [v for v in values if v is not None]
    return f"{min(present):.1%}" if present else "—"


def run(label: str, database: Database, links: Links, make: Make, seed: int) -> float:
    started = time.perf_counter()
    result = make(database, links, seed)
    seconds = time.perf_counter() - started
    found = evaluate_linked(
        database=database,
        links=links,
        synthetic=result.tables,
        binning=Binning.SDMETRICS,
        seed=seed,
    )
    sequences = [s.sequences.score for s in found.links if s.sequences and s.sequences.score]
    worst = min(integrity(result.tables, links.relations).values())
    sizes = max(
        abs(len(result.tables[n]) / max(len(t.df), 1) - 1) for n, t in database.tables.items()
    )
    counts = [c.synthetic for c in found.rules if c.kind is RuleKind.COUNT]
    paths = [
        f"{c.synthetic:.1%} (real {c.real:.1%})"
        for c in found.rules
        if c.kind is RuleKind.PATHS and c.real is not None and c.synthetic is not None
    ]
    far = [c.synthetic for c in found.rules if c.kind is RuleKind.BOUND and "(through" in c.rule]
    near = [
        c.synthetic for c in found.rules if c.kind is RuleKind.BOUND and "(through" not in c.rule
    ]
    replayed = sum(r.rows for r in found.replayed)
    detection = sum(found.detection.values()) / max(len(found.detection), 1)

    def f(value: float | None) -> str:
        return "  n/a" if value is None else f"{value:.3f}"

    print(
        f"  {label:28} {seconds:7.1f} s  quality {f(found.overall)}"
        f"  shapes {f(found.column_shapes)}  pairs {f(found.pair_trends)}"
        f"  cardinality {f(found.cardinality)}  intertable {f(found.intertable)}"
        f"  sequences {f(sum(sequences) / len(sequences) if sequences else None)}"
        f"  integrity {worst:.1%}"
    )
    print(
        f"  {'':28} rows per parent {_worst(counts)} ({len(counts)} rules)"
        f"  two paths {', '.join(paths) or '—'}"
        f"  along paths {_worst(far)}  one link {_worst(near)}"
        f"  size gap {sizes:.1%}  replayed {replayed}  detection {detection:.3f}"
    )
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--accounts", type=int, default=1_200)
    parser.add_argument("--no-hma", action="store_true")
    parser.add_argument("--no-argn", action="store_true")
    parser.add_argument("--sets", default="baseball,bank7,bank7-synth,bank5")
    args = parser.parse_args()
    wanted = args.sets.split(",")
    sets: dict[str, tuple[Database, Links, tuple[str, ...] | None]] = {}
    for name in wanted:
        if name == "baseball":
            sets["baseball, 4 tables"] = (*baseball(), None)
        elif name == "bank7":
            sets["bank, 7 tables"] = (*_read(bank_tables(args.accounts, args.seed)), None)
        elif name == "bank7-synth":
            frames = bank_tables(args.accounts, args.seed)
            sets["bank, 7 tables, districts synthesized"] = (*_read(frames), ())
        elif name == "bank5":
            frames = bank_tables(args.accounts, args.seed, districts=False, cards=False)
            sets["bank, 5 tables"] = (*_read(frames), None)
    for name, (database, links, keep) in sets.items():
        rows = sum(len(t.df) for t in database.tables.values())
        print(f"{name}: {rows:,} rows, {len(links.relations)} links")
        label = "ours (CART, defaults)" if keep is None else "ours (CART, nothing kept)"
        mine = run(label, database, links, method(LinkedMethod.PER_TABLE, keep), args.seed)
        if keep is not None:
            continue
        if not args.no_argn:
            argn = method(LinkedMethod.ARGN_CONTEXT)
            run("TabularARGN + context", database, links, argn, args.seed)
        if args.no_hma:
            continue
        try:
            theirs = run("SDV HMA", database, links, method(LinkedMethod.SDV_HMA), args.seed)
        except Exception as exc:  # SDV refuses some schemas: print its own words
            print(f"  SDV HMA: {type(exc).__name__}: {str(exc).splitlines()[0]}")
            continue
        print(f"  ours / HMA time: {mine / theirs:.3f} ({theirs / mine:.0f}x faster)")


if __name__ == "__main__":
    main()
