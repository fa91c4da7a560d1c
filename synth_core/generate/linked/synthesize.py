"""Linked tables synthesized together, every link exact by construction.

Tables are made parents first (``link_order``). Each table goes through the one-table pipeline
(``synthesize``: its generator, personal data, rules, dtypes), with extra columns:

- in a parent, for each link below it, how many child rows each parent row has (zero
  included), so the count is learnt from the parent's own columns and every synthetic parent
  draws one;
- in a child, the columns of each of its parents (named ``<parent>.<column>``), so child rows
  are drawn with their parents' context;
- in ordered children (``order_column``), each row's place in its parent's sequence and the
  previous sibling's values of the columns that change least within a sequence.

Then every synthetic child row is given to a synthetic parent (``matching``): the nearest on the
parent's columns that still has room, so each parent gets exactly the children it drew; for
ordered children a chain per parent, each next row the nearest whose learnt previous values match
the previous child's. A second parent (a link table's) takes rows by its own drawn counts. Rows
without a parent in the real data (a missing key; orphans, when kept) stay without one in the
same share. Primary keys get new IDs (today's ID rules, never a real one), foreign keys the new
ID of the parent they were given to: every link holds, and no real key appears.

Rules across a link (``bounds``: a child's date or year at or after / at or before its
parent's in 99.5% of real rows) are kept in every synthetic row: a row that breaks it once given
to its parent takes the same place between that parent's bounds (a note says how many rows).

Privacy is measured per entity: ``holdout_fraction`` of the rows of the entity table (the parent
with the most child rows) are held out with every row below them, never single child rows.
Reference tables the user chooses (``keep``) are copied as they are."""

from __future__ import annotations

import time
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum

import numpy as np
import pandas as pd

from synth_core._progress import ProgressFn, no_progress, scaled
from synth_core.data.database import (
    Database,
    Links,
    Relation,
    key_coverage,
    key_text,
    link_order,
)
from synth_core.data.schema import ColumnKind, ColumnSchema, Schema
from synth_core.data.table import Table
from synth_core.errors import SpecError
from synth_core.generate.generators import GeneratorKind, get
from synth_core.generate.linked.bounds import Bound, find_bounds, transfer_bounds
from synth_core.generate.linked.matching import (
    POSITION,
    PREVIOUS,
    chain,
    count_name,
    in_order,
    match,
    ordered,
    sequence_columns,
    sequence_of,
)
from synth_core.generate.protect.pii import new_ids
from synth_core.generate.spec import GenerationSpec
from synth_core.generate.synthesize import synthesize

_CONTEXT_KINDS = (
    ColumnKind.NUMERICAL,
    ColumnKind.CATEGORICAL,
    ColumnKind.BOOLEAN,
    ColumnKind.DATETIME,
)


class Orphans(StrEnum):
    """What becomes of child rows whose key points at no parent row."""

    DROP = "drop"  # left out of training
    KEEP = "keep"  # kept with an empty key


@dataclass(frozen=True)
class LinkedResult:
    """Synthetic tables by name (the real tables' columns, in their order), the real rows they
    were trained on and the held-out ones (by entity), and what happened."""

    tables: Mapping[str, pd.DataFrame]
    relations: tuple[Relation, ...]
    notes: tuple[str, ...]
    train: Mapping[str, pd.DataFrame] = field(default_factory=dict)
    holdout: Mapping[str, pd.DataFrame] = field(default_factory=dict)
    entity: str | None = None  # the table whose rows (with their children) were held out
    bounds: Mapping[Relation, tuple[Bound, ...]] = field(default_factory=dict)
    seconds: float = 0.0


def _prefix(relation: Relation, parents: Sequence[Relation]) -> str:
    """The name a parent's columns get in its child's rows: '<parent>.<column>', or with the
    key when the child points at that table twice ('teams[home_id].<column>')."""
    twice = sum(r.parent == relation.parent for r in parents) > 1
    return f"{relation.parent}[{relation.child_key}]" if twice else relation.parent


def _check_kept(keep: Collection[str], database: Database, links: Links) -> None:
    for name in keep:
        if name not in database.tables:
            raise SpecError(f"There is no table '{name}' to keep as it is.")
        above = [r.parent for r in links.relations if r.child == name and r.parent not in keep]
        if above:
            raise SpecError(
                f"'{name}' points at {above[0]}, which is synthesized: keeping it as it is would "
                f"leave its keys pointing at real {above[0]} rows. Keep {above[0]} too, or "
                f"synthesize {name}."
            )


def entity_table(database: Database, links: Links) -> str | None:
    """The table privacy is measured by: the parent (of 50 rows or more) with the most child
    rows directly below it (players above their postseason lines, accounts above loans)."""
    best, most = None, 0
    for name, table in database.tables.items():
        below = sum(len(database.tables[r.child].df) for r in links.relations if r.parent == name)
        if len(table.df) >= 50 and below > most:
            best, most = name, below
    return best


def split_by_entity(
    database: Database, links: Links, fraction: float, seed: int
) -> tuple[str | None, dict[str, pd.DataFrame], dict[str, pd.DataFrame]]:
    """(entity table, training rows, held-out rows) per table: ``fraction`` of the entity
    table's rows are held out, and every row below them (through any link, at any depth)."""
    entity = entity_table(database, links) if fraction > 0 else None
    held = {name: pd.Series(False, index=t.df.index) for name, t in database.tables.items()}
    if entity is not None:
        frame = database.tables[entity].df
        rng = np.random.default_rng([seed, 5])
        count = round(fraction * len(frame))
        chosen = rng.choice(len(frame), size=count, replace=False)
        held[entity].iloc[chosen] = True
        for name in link_order(list(database.tables), links.relations):
            for relation in (r for r in links.relations if r.parent == name):
                parent = database.tables[name].df
                keys = set(key_text(parent.loc[held[name], relation.parent_key]).dropna())
                if keys:
                    values = database.tables[relation.child].df[relation.child_key]
                    held[relation.child] |= key_text(values).isin(keys)
    train = {n: t.df[~held[n]].reset_index(drop=True) for n, t in database.tables.items()}
    holdout = {n: t.df[held[n]].reset_index(drop=True) for n, t in database.tables.items()}
    return entity, train, holdout


def synthesize_linked(
    database: Database,
    links: Links,
    spec: GenerationSpec,
    *,
    scale: float = 1.0,
    keep: Collection[str] = (),
    orphan_rows: Orphans = Orphans.DROP,
    progress: ProgressFn = no_progress,
) -> LinkedResult:
    """The set of tables, ``scale`` times the rows of each table without a parent (children
    follow their parents' drawn counts), with ``spec``'s generator, seed and privacy setting
    for every table; ``spec.holdout_fraction`` of the entities are held out
    (``split_by_entity``). Tables in ``keep`` (reference lists: districts, countries) are
    copied as they are, real keys included; their parents must be kept too. Child rows whose
    key points at no parent (orphans) are left out, or with ``Orphans.KEEP`` learnt with an
    empty key (so a share of synthetic rows has none, as rows with a missing key do)."""
    if not 0.01 <= scale <= 100:
        raise SpecError(f"The size of the set must be between 0.01 and 100 times; got {scale}.")
    if get(spec.generator).kind is GeneratorKind.DP:
        raise SpecError(
            "A differentially private generator cannot make a linked set yet: each table "
            "would spend its own ε, and a person's rows in several tables add up, so the set's "
            "guarantee would not be the ε you chose. Use it on one table, or pick another "
            "generator for the set."
        )
    started = time.perf_counter()
    entity, train, holdout = split_by_entity(database, links, spec.holdout_fraction, spec.seed)
    trained = replace(
        database,
        tables={n: replace(t, df=train[n]) for n, t in database.tables.items()},
    )
    order = link_order(list(database.tables), links.relations)
    _check_kept(keep, database, links)
    made: dict[str, pd.DataFrame] = {}  # synthetic rows, with count columns until their children
    keys: dict[str, pd.Series] = {}
    notes: list[str] = []
    bounds: dict[Relation, tuple[Bound, ...]] = {}
    for position, name in enumerate(order):
        report = scaled(progress, position / len(order), (position + 1) / len(order))
        report(0.0, f"Table {name} ({position + 1} of {len(order)})")
        key = links.keys.get(name)
        children = [r for r in links.relations if r.parent == name]
        if name in keep:  # a reference table, as it is: real rows, real keys
            kept = database.tables[name].df.copy()
            for relation in children:
                kept[count_name(relation)] = _counts(kept, key, relation, database)
            made[name] = kept
            if key is not None:
                keys[name] = kept[key].reset_index(drop=True)
            notes.append(
                f"{name}: kept as it is, as you chose ({len(kept):,} real rows, real keys): a "
                "reference table is no one's personal data; its children are synthetic."
            )
            continue
        table = trained.tables[name]
        real, orphans = _without_orphans(
            name, table.df, links.relations, trained, keep_orphans=orphan_rows is Orphans.KEEP
        )
        if orphans and orphan_rows is Orphans.KEEP:
            notes.append(
                f"{name}: {orphans:,} rows whose key points at no parent were learnt with an "
                "empty key, as you chose; as many synthetic rows (in share) have none."
            )
        elif orphans:
            notes.append(f"{name}: {orphans:,} rows whose key points at no parent were left out.")
        parents = [r for r in links.relations if r.child == name]
        foreign = [r.child_key for r in parents]
        own = [c for c in table.schema if c.name != key and c.name not in foreign]
        frame, columns = real[[c.name for c in own]].copy(), list(own)
        for relation in children:
            # Held-out entities still count as children of their parent (a district keeps
            # its number of accounts), so the set is as large as the real one.
            source = database if relation.child == entity else trained
            counts = _counts(real, key, relation, source)
            frame[count_name(relation)] = counts
            columns.append(ColumnSchema(count_name(relation), ColumnKind.NUMERICAL, integer=True))
        contexts: dict[Relation, list[str]] = {}
        for relation in parents:
            prefix = _prefix(relation, parents)
            parent_table = trained.tables[relation.parent]
            parent_frame = parent_table.df
            if relation.parent in keep:  # every real row was kept, held-out entities' too
                parent_frame = database.tables[relation.parent].df
            joined = _parent_rows(real, relation, parent_frame)
            skip = {r.child_key for r in links.relations if r.child == relation.parent}
            context = []
            for column in parent_table.schema:
                if column.kind not in _CONTEXT_KINDS or column.name == relation.parent_key:
                    continue
                if column.name in skip:
                    continue
                frame[f"{prefix}.{column.name}"] = joined[column.name].to_numpy()
                columns.append(replace(column, name=f"{prefix}.{column.name}"))
                context.append(column.name)
            contexts[relation] = context
            bounds[relation] = find_bounds(real, joined, own, parent_table.schema, context)
        sequence = sequence_of(real, parents[0], own, table.schema) if parents else None
        if sequence is not None:
            values, helpers = sequence_columns(real, parents[0], sequence)
            for column_name, column_values in values.items():
                frame[column_name] = column_values
            columns.extend(helpers)
        if not parents:
            # As many as the real table (held-out rows too): ×1 is a set of the real size.
            rows = max(round(scale * len(database.tables[name].df)), 1)
        else:
            linked = int(made[parents[0].parent][count_name(parents[0])].sum())
            missing = int(real[parents[0].child_key].isna().sum())  # rows with no parent
            rows = linked + round(linked * missing / max(len(real) - missing, 1))
        if rows == 0 or len(frame) < 2:
            made[name] = pd.DataFrame({c: pd.Series(dtype=table.df[c].dtype) for c in table.df})
            for relation in children:
                made[name][count_name(relation)] = pd.Series(dtype="int64")
            keys[name] = made[name][key] if key is not None else pd.Series(dtype=object)
            if rows:
                notes.append(f"{name}: too few real rows to learn from; no synthetic rows.")
            continue
        working = Table(frame.reset_index(drop=True), Schema(tuple(columns)), table.report)
        result = synthesize(working, replace(spec, rows=rows, holdout_fraction=0.0), report)
        synthetic = result.data.reset_index(drop=True)
        notes.extend(f"{name}: {note}" for note in result.notes)
        if key is not None:
            # New IDs unlike every real one, held-out rows included.
            real_keys = database.tables[name].df[key]
            keys[name] = new_ids(real_keys, len(synthetic), spec.seed + position)
            synthetic.insert(0, key, keys[name].to_numpy())
        place = np.zeros(len(synthetic), dtype=np.int64)
        for number, relation in enumerate(parents):
            prefix = _prefix(relation, parents)
            alone = _unlinked(
                synthetic, real, relation, contexts[relation], prefix, [spec.seed, number]
            )
            rows_linked = np.flatnonzero(~alone)
            subset = synthetic.iloc[rows_linked].reset_index(drop=True)
            if number == 0 and sequence is not None:
                picked, picked_place, refitted = chain(
                    subset,
                    made[relation.parent],
                    relation,
                    prefix,
                    contexts[relation],
                    working.schema,
                    sequence,
                    [spec.seed, number],
                )
                place[rows_linked] = picked_place
            else:
                picked, refitted = match(
                    subset,
                    made[relation.parent],
                    relation,
                    prefix,
                    contexts[relation],
                    working.schema,
                    [spec.seed, number],
                )
            chosen = np.full(len(synthetic), -1, dtype=np.int64)
            chosen[rows_linked] = picked
            if refitted:
                notes.append(
                    f"{name}.{relation.child_key}: {relation.parent} rows drew {refitted:+,} "
                    f"{name} rows beside those drawn through {parents[0].parent}; that many "
                    "were given to other parents (or taken away) at random, as many as each "
                    "drew where possible."
                )
            parent_keys = keys[relation.parent]
            assigned = pd.Series(
                parent_keys.to_numpy()[np.maximum(chosen, 0)], dtype=parent_keys.dtype
            )
            synthetic[relation.child_key] = assigned.mask(pd.Series(alone))
            if number == 0 and sequence is not None:
                ordered(synthetic, relation.child_key, place, sequence)
            aligned = made[relation.parent].iloc[np.maximum(chosen, 0)].reset_index(drop=True)
            aligned.loc[alone] = np.nan
            moved = transfer_bounds(
                synthetic,
                aligned,
                bounds[relation],
                prefix,
                table.schema,
            )
            for bound, count in moved:
                notes.append(
                    f"{name}: {bound.describe(name, relation.parent)} in the real rows; "
                    f"{count:,} synthetic rows that broke it once given to their parent were "
                    "moved to the same place between that parent's bounds as between the ones "
                    "they were drawn with."
                )
            synthetic = synthetic.drop(columns=[f"{prefix}.{c}" for c in contexts[relation]])
        if parents:
            helpers_made = [c for c in synthetic.columns if c == POSITION or c.startswith(PREVIOUS)]
            synthetic = synthetic.drop(columns=helpers_made)
            synthetic = in_order(synthetic, parents[0].child_key, table.schema, own, place)
        made[name] = synthetic
        if key is not None:  # in the order of the rows as kept (children are sorted)
            keys[name] = synthetic[key].reset_index(drop=True)
    tables = {
        name: made[name][list(database.tables[name].df.columns)].reset_index(drop=True)
        for name in database.tables
    }
    progress(1.0, "Done")
    return LinkedResult(
        tables,
        links.relations,
        tuple(notes),
        train,
        holdout,
        entity,
        bounds,
        time.perf_counter() - started,
    )


def _without_orphans(
    name: str,
    frame: pd.DataFrame,
    relations: Sequence[Relation],
    database: Database,
    keep_orphans: bool,
) -> tuple[pd.DataFrame, int]:
    """``frame`` without the rows whose key points at no parent row (orphans), or with those
    keys emptied (``keep_orphans``); and how many rows that was."""
    out = frame.copy()
    orphan = pd.Series(False, index=frame.index)
    for relation in relations:
        if relation.child != name:
            continue
        parent_keys = set(key_text(database.tables[relation.parent].df[relation.parent_key]))
        values = frame[relation.child_key]
        lost = values.notna() & ~key_text(values).isin(parent_keys)
        if keep_orphans and lost.any():
            out.loc[lost, relation.child_key] = None
        orphan |= lost
    if keep_orphans:
        return out, int(orphan.sum())
    return out[~orphan], int(orphan.sum())


def _unlinked(
    synthetic: pd.DataFrame,
    real: pd.DataFrame,
    relation: Relation,
    context: Sequence[str],
    prefix: str,
    seed: list[int],
) -> np.ndarray:
    """Synthetic rows that get no parent through ``relation``, as many (in share) as real rows
    without one: first those drawn with an empty parent context, then any."""
    share = float(real[relation.child_key].isna().mean()) if len(real) else 0.0
    count = round(share * len(synthetic))
    chosen = np.zeros(len(synthetic), dtype=bool)
    if count == 0:
        return chosen
    named = [f"{prefix}.{c}" for c in context if f"{prefix}.{c}" in synthetic.columns]
    empty = (
        synthetic[named].isna().all(axis=1).to_numpy() if named else np.zeros(len(synthetic), bool)
    )
    rng = np.random.default_rng([*seed, 19])
    order = np.r_[rng.permutation(np.flatnonzero(empty)), rng.permutation(np.flatnonzero(~empty))]
    chosen[order[:count]] = True
    return chosen


def _counts(
    real: pd.DataFrame, key: str | None, relation: Relation, database: Database
) -> np.ndarray:
    """Child rows per row of ``real`` (the parent) through ``relation``."""
    assert key is not None, "a parent has a primary key"
    child = key_text(database.tables[relation.child].df[relation.child_key]).dropna()
    per_key = child.value_counts()
    return key_text(real[key]).map(per_key).fillna(0).astype("int64").to_numpy()


def _parent_rows(child: pd.DataFrame, relation: Relation, parent: pd.DataFrame) -> pd.DataFrame:
    """Each child row's parent row (missing keys: an empty row)."""
    index = pd.Index(key_text(parent[relation.parent_key]))
    positions = index.get_indexer(pd.Index(key_text(child[relation.child_key])))
    rows = parent.iloc[np.where(positions < 0, 0, positions)].reset_index(drop=True)
    rows[positions < 0] = np.nan
    return rows


def integrity(
    tables: Mapping[str, pd.DataFrame], relations: Sequence[Relation]
) -> dict[str, float]:
    """Per link ('child.column → parent.key'), the share of the child's keys (missing aside)
    found among the parent's: 1.0 is every link holding."""
    out = {}
    for relation in relations:
        share, _ = key_coverage(
            tables[relation.child][relation.child_key], tables[relation.parent][relation.parent_key]
        )
        out[f"{relation.child}.{relation.child_key} → {relation.parent}.{relation.parent_key}"] = (
            share
        )
    return out
