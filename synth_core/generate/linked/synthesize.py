"""Our way of making a linked set: each table through the one-table pipeline, parents first,
every link exact by construction.

Tables are made parents first (``SetPlan.order``). Each table goes through ``synthesize`` (its
generator, personal data, rules, dtypes) with extra columns:

- in a parent, for each link below it, how many child rows each parent row has (zero included;
  per value of a link table's type column: owners and disponents per account), so the counts
  are learnt from the parent's own columns and every synthetic parent draws them;
- in a child, the columns of each of its parents (``context``) and the far ends of its rules
  along paths (the opening date of a card's account), so child rows are drawn in context;
- in ordered children (``order_column``), each row's place in its parent's sequence and the
  previous sibling's values of the columns that change least within a sequence.

Before a child is drawn, its parents' counts are made to agree (``counts``): every parent keeps
the count rules (exactly one owner per account, one row per client), every side of a link table
takes the same rows of each type, as many as the real table has times the set's scale. Then
each synthetic child row is given to a synthetic parent (``matching``): the nearest on the
context with room; for ordered children a chain per parent; for a second parent whose path
meets the first one's at one ancestor (a client's district and the account's), the real share
of rows go to a parent of the same ancestor. Rows without a parent in the real data stay
without one in the same share. Primary keys get new IDs (never a real one), foreign keys the
new ID of their parent; rules along paths (``bounds``) are kept in every row."""

from __future__ import annotations

import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from synth_core._progress import ProgressFn, no_progress, scaled
from synth_core.data.database import Database, Links, Relation, key_text
from synth_core.data.schema import ColumnKind, ColumnSchema, Schema
from synth_core.data.table import Table
from synth_core.generate.conditions import RowRequest
from synth_core.generate.linked.bounds import transfer
from synth_core.generate.linked.context import Context, contexts, drawn_sides
from synth_core.generate.linked.counts import (
    Capacity,
    calibrate,
    count_name,
    real_counts,
    reconcile,
    targets,
)
from synth_core.generate.linked.matching import (
    POSITION,
    PREVIOUS,
    Groups,
    SequenceShape,
    agreeing_rows,
    chain,
    in_order,
    match,
    ordered,
    sequence_columns,
    sequence_of,
    vectors,
)
from synth_core.generate.linked.paths import ancestor_keys
from synth_core.generate.linked.plan import SetPlan, make_plan, without_orphans
from synth_core.generate.linked.result import LinkedResult
from synth_core.generate.linked.rules import type_values
from synth_core.generate.linked.spec import LinkedSpec, Orphans
from synth_core.generate.linked.wording import in_words, names_in_words
from synth_core.generate.protect.pii import new_ids
from synth_core.generate.synthesize import synthesize

RANKED_TOGETHER = 0.8  # rank correlation of two children counts ranked as one


@dataclass
class _Made:
    """The synthetic tables so far (with their count columns until their children are made)
    and the notes."""

    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    # Per parent table: the real children per parent row of the first link calibrated under
    # it, and the synthetic parents' counts as calibrated (see ``_calibrated``).
    ranks: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)


@dataclass(frozen=True)
class _Work:
    """A table's real rows as its generator learns them."""

    real: pd.DataFrame  # training rows (orphans left out or with an empty key)
    frame: pd.DataFrame  # own columns, counts, contexts, sequence helpers
    schema: Schema
    own: tuple[ColumnSchema, ...]
    contexts: tuple[Context, ...]
    sequence: SequenceShape | None
    words: Mapping[str, str]  # helper columns in words


@dataclass(frozen=True)
class _Draws:
    """How many rows of each type to draw, and each parent side's capacity for them."""

    type_column: str | None
    values: tuple[str | None, ...]
    rows: tuple[int, ...]  # per type value
    sides: tuple[Capacity, ...]


def make_per_table(
    database: Database, links: Links, spec: LinkedSpec, progress: ProgressFn = no_progress
) -> LinkedResult:
    """The set (module docstring); ``spec`` is validated by ``synthesize_linked``."""
    started = time.perf_counter()
    plan = make_plan(database, links, spec)
    made = _Made(notes=list(plan.notes))
    for position, name in enumerate(plan.order):
        report = scaled(progress, position / len(plan.order), (position + 1) / len(plan.order))
        report(0.0, f"Table {name} ({position + 1} of {len(plan.order)})")
        if name in plan.keep:
            made.tables[name] = _with_counts(plan, name, plan.real[name])
        else:
            made.tables[name] = _make_table(plan, made, name, position, report)
    tables = {
        name: made.tables[name][list(database.tables[name].df.columns)].reset_index(drop=True)
        for name in database.tables
    }
    progress(1.0, "Done")
    return LinkedResult(
        tables=tables,
        relations=links.relations,
        notes=tuple(dict.fromkeys(made.notes)),
        train=plan.train,
        holdout=plan.holdout,
        entity=plan.entity,
        rules=plan.rules,
        bounds=plan.bounds,
        kept=plan.keep,
        seconds=time.perf_counter() - started,
    )


def _make_table(
    plan: SetPlan, made: _Made, name: str, position: int, report: ProgressFn
) -> pd.DataFrame:
    """One synthesized table: drawn in context, given its parents, its rules kept."""
    work = _working_rows(plan, name, made)
    draws = _draws(plan, made, name, work)
    rng = np.random.default_rng([plan.spec.seed, position, 23])
    if sum(draws.rows) == 0 or len(work.frame) < 2:
        if sum(draws.rows):
            made.notes.append(f"{name}: too few real rows to learn from; no synthetic rows.")
        return _with_counts(plan, name, plan.real[name].iloc[:0])
    synthetic = _draw(plan, name, work, draws, made, report)
    key = plan.links.keys.get(name)
    if key is not None:  # new IDs unlike every real one, held-out rows included
        fresh = new_ids(plan.real[name][key], len(synthetic), plan.spec.seed + position)
        synthetic.insert(0, key, fresh.to_numpy())
    place = _give_parents(plan, made, name, work, draws, synthetic, rng)
    _keep_bounds(plan, made, name, work, synthetic, rng)
    helpers = [
        c
        for c in synthetic.columns
        if c == POSITION or c.startswith(PREVIOUS) or any(c in x.names for x in work.contexts)
    ]
    synthetic = synthetic.drop(columns=helpers)
    parents = plan.parents(name)
    if parents:
        synthetic = in_order(synthetic, parents[0].child_key, work.schema, work.own, place)
    return synthetic


def _working_rows(plan: SetPlan, name: str, made: _Made) -> _Work:
    """The table's training rows with the columns it is drawn with (module docstring)."""
    parents = plan.parents(name)
    keep_orphans = plan.spec.orphans is Orphans.KEEP
    real, orphans = without_orphans(plan.train[name], parents, plan.real, keep_orphans)
    if orphans:
        made.notes.append(
            f"{name}: {orphans:,} rows whose key points at no parent were learnt with an "
            "empty key, as you chose; as many synthetic rows (in share) have none."
            if keep_orphans
            else f"{name}: {orphans:,} rows whose key points at no parent were left out."
        )
    schema = plan.schemas[name]
    keys = _key_columns(plan)
    own = tuple(c for c in schema if c.name not in keys.get(name, set()))
    frame = _with_counts(plan, name, real[[c.name for c in own]], real)
    columns = [*own, *_count_schema(plan, name)]
    found = contexts(parents, plan.schemas, _context_skips(plan), plan.bounds.get(name, ()))
    for context in found:
        for column_name, reached in context.of_children(real, plan.real).items():
            frame[column_name] = reached.to_numpy()
        columns.extend(context.schema())
    sequence = None
    if parents and name not in plan.rules.types:
        sequence = sequence_of(real, parents[0], own, schema)
    if sequence is not None:
        helper_values, helpers = sequence_columns(real, parents[0], sequence)
        for column_name, column_values in helper_values.items():
            frame[column_name] = column_values
        columns.extend(helpers)
    words = names_in_words(
        [
            (r, plan.rules.types.get(r.child), _values_of(plan, r.child))
            for r in plan.children(name)
        ],
        found,
        sequence.chained if sequence else (),
    )
    return _Work(
        real, frame.reset_index(drop=True), Schema(tuple(columns)), own, tuple(found), sequence,
        words,
    )  # fmt: skip


def _key_columns(plan: SetPlan) -> dict[str, set[str]]:
    keys: dict[str, set[str]] = {}
    for name, key in plan.links.keys.items():
        if key is not None:
            keys.setdefault(name, set()).add(key)
    for r in plan.links.relations:
        keys.setdefault(r.child, set()).add(r.child_key)
    return keys


def _context_skips(plan: SetPlan) -> dict[str, set[str]]:
    """Columns never taken into a child's context: keys, and labels (a name per row tells a
    child nothing its parent's other columns do not)."""
    skips = _key_columns(plan)
    for name, schema in plan.schemas.items():
        original = plan.database.tables[name].schema
        for column in schema:
            if column.kind is not original[column.name].kind:
                skips.setdefault(name, set()).add(column.name)
    return skips


def _values_of(plan: SetPlan, child: str) -> tuple[str | None, ...]:
    """The child's type values (its counts are learnt per value), or (None,)."""
    column = plan.rules.types.get(child)
    if column is None:
        return (None,)
    return tuple(type_values(plan.real[child], column))


def _count_schema(plan: SetPlan, name: str) -> list[ColumnSchema]:
    return [
        ColumnSchema(count_name(r, v), ColumnKind.NUMERICAL, integer=True)
        for r in plan.children(name)
        for v in _values_of(plan, r.child)
    ]


def _with_counts(
    plan: SetPlan, name: str, frame: pd.DataFrame, rows: pd.DataFrame | None = None
) -> pd.DataFrame:
    """``frame`` with a count column per child link (and type value): the real children of
    each row of ``rows`` (``frame`` itself by default), counted in the whole real set, so a
    parent keeps its held-out children (a district its held-out accounts)."""
    out = frame.copy()
    rows = frame if rows is None else rows
    key = plan.links.keys.get(name)
    for relation in plan.children(name):
        values = _values_of(plan, relation.child)
        if key is None or len(rows) == 0:
            for value in values:
                out[count_name(relation, value)] = np.zeros(len(out), dtype=np.int64)
            continue
        column = plan.rules.types.get(relation.child)
        counted = real_counts(
            rows, key, relation, plan.real[relation.child], column, [str(v) for v in values]
        )
        if column is None:
            counted = {count_name(relation): counted[count_name(relation)]}
        for column_name, counts in counted.items():
            out[column_name] = counts
    return out


def _draws(plan: SetPlan, made: _Made, name: str, work: _Work) -> _Draws:
    """Rows of each type to draw, and each parent side's counts made to agree with the rules,
    with each other and with the real size times the scale (``counts``)."""
    parents = plan.parents(name)
    column = plan.rules.types.get(name)
    values = _values_of(plan, name)
    size = len(plan.real[name]) - (len(plan.train[name]) - len(work.real))  # orphans left out
    wanted = round(plan.spec.scale * size)
    if not parents:
        return _Draws(None, (None,), (max(wanted, 1),), ())
    labels = work.real[column].astype("string") if column else None
    shares = np.array(
        [1.0] if labels is None else [float((labels == v).mean()) for v in values], dtype=float
    )
    missing = float(work.real[parents[0].child_key].isna().mean()) if len(work.real) else 0.0
    linked = wanted - round(missing * wanted)
    sides = tuple(
        Capacity.of(made.tables[r.parent], r, values, plan.rules.for_relation(r)) for r in parents
    )
    totals = targets(sides, linked * shares / max(shares.sum(), 1e-9))
    rng = np.random.default_rng([plan.spec.seed, 29, len(made.tables)])
    for side in sides:
        relation = side.relation
        key = plan.links.keys.get(relation.parent)
        if key is not None and relation.parent not in plan.keep:
            _calibrated(plan, made, name, side, key, totals, rng)
        unmet = reconcile(side, totals, shares, rng)
        if unmet:
            made.notes.append(
                f"{name}: {unmet:,} rows could not be placed under {side.relation.parent} within "
                "the rules on its number of rows; those parents have fewer."
            )
    unlinked = np.asarray(_whole_share(round(missing * wanted), shares))
    rows = tuple(int(t + u) for t, u in zip(totals, unlinked, strict=True))
    return _Draws(column, values, rows, sides)


def _calibrated(
    plan: SetPlan,
    made: _Made,
    name: str,
    side: Capacity,
    key: str,
    totals: np.ndarray,
    rng: np.random.Generator,
) -> None:
    """``calibrate`` the side's counts; when the parent's real counts of this child move with
    those of a child calibrated before (accounts and clients per district: rank correlation
    0.8 or more), the parents are ranked as they were then, so a district with many accounts
    has many clients too."""
    relation = side.relation
    column = plan.rules.types.get(name)
    values = [str(v) for v in _values_of(plan, name)]
    real = np.column_stack(
        list(
            real_counts(
                plan.real[relation.parent], key, relation, plan.real[name], column, values
            ).values()
        )
    )
    earlier = made.ranks.get(relation.parent)
    if earlier is not None and len(earlier[1]) == len(side.counts):
        together = pd.Series(real.sum(axis=1)).corr(pd.Series(earlier[0]), method="spearman")
        if together >= RANKED_TOGETHER:
            share = side.counts.sum(axis=0) / max(side.counts.sum(), 1)
            side.counts[:] = np.round(np.outer(earlier[1], share)).astype(np.int64)
    calibrate(side, real, totals, rng)
    made.ranks.setdefault(relation.parent, (real.sum(axis=1), side.counts.sum(axis=1).copy()))


def _whole_share(total: int, shares: np.ndarray) -> list[int]:
    raw = total * shares / max(shares.sum(), 1e-9)
    floor = np.floor(raw).astype(int)
    floor[np.argsort(floor - raw)[: total - int(floor.sum())]] += 1
    return [int(v) for v in floor]


def _draw(
    plan: SetPlan, name: str, work: _Work, draws: _Draws, made: _Made, report: ProgressFn
) -> pd.DataFrame:
    """The table's rows from its generator (by type where it has a type column)."""
    table = plan.database.tables[name]
    spec = replace(plan.spec.table, rows=max(sum(draws.rows), 1), holdout_fraction=0.0)
    if draws.type_column is not None:
        spellings = {str(v): v for v in work.real[draws.type_column].dropna().unique()}
        spec = replace(
            spec,
            requests=tuple(
                RowRequest(rows=n, equals={draws.type_column: spellings[str(v)]})
                for v, n in zip(draws.values, draws.rows, strict=True)
                if n > 0 and str(v) in spellings
            ),
        )
    result = synthesize(Table(work.frame, work.schema, table.report), spec, report)
    made.notes.extend(
        f"{name}: {in_words(note, work.words).replace(_ONE_TABLE_RULES, _SET_RULES)}"
        for note in result.notes
        if not _about_helpers(note, work.words)
    )
    return result.data.reset_index(drop=True)


# Where the one-table pipeline's rules are seen and turned off; for a set: the command line.
_ONE_TABLE_RULES = (
    "see the Fidelity page's Rules view; turn them off on the Generate page or with --rules none"
)
_SET_RULES = "kept in every row; the command line's --rules none turns them off for a set"


def _about_helpers(note: str, words: Mapping[str, str]) -> bool:
    """One-table notes that say nothing true about a set: columns that look like keys of
    other tables (they are linked here), and constant columns that are all helpers."""
    if "look like keys of other tables" in note:
        return True
    constant = "Columns with at most one distinct value, copied: "
    if not note.startswith(constant):
        return False
    named = re.findall(r"'([^']+)'", note[len(constant) :])
    return bool(named) and all(n in words for n in named)


def _give_parents(
    plan: SetPlan,
    made: _Made,
    name: str,
    work: _Work,
    draws: _Draws,
    synthetic: pd.DataFrame,
    rng: np.random.Generator,
) -> np.ndarray:
    """Every row's parents, side by side (module docstring); each row's place in its first
    parent's sequence is returned. Sides whose rules fix rows per type (one owner per
    account) go first and take rows type by type; the others take rows of any type by their
    total (a client's one row, owner or disponent), so a row can follow its other parent's
    ancestor (two paths that agree) wherever its type was drawn."""
    place = np.zeros(len(synthetic), dtype=np.int64)
    labels = (
        synthetic[draws.type_column].astype("string").to_numpy(dtype=object)
        if draws.type_column
        else None
    )
    sides = sorted(
        zip(work.contexts, draws.sides, strict=True),
        key=lambda pair: labels is not None and not pair[1].typed,
    )
    for number, (context, side) in enumerate(sides):
        relation = context.relation
        parents = made.tables[relation.parent]
        alone = _unlinked(synthetic, work.real, relation, context.names, rng)
        child_vectors, parent_vectors = vectors(
            synthetic, context.of_parents(parents, made.tables), context.names, work.schema
        )
        groups = _groups(
            plan, made, name, relation, synthetic, parents, rng, labels, side.counts.sum(axis=1)
        )
        chosen = np.full(len(synthetic), -1, dtype=np.int64)
        by_type = labels is not None and side.typed
        for at, value in enumerate(draws.values if by_type else (None,)):
            rows = np.flatnonzero(~alone if not by_type else ~alone & (labels == value))
            capacity = side.counts[:, at] if by_type else side.counts.sum(axis=1)
            if number == 0 and work.sequence is not None:
                chosen[rows], place[rows] = chain(
                    synthetic.iloc[rows].reset_index(drop=True),
                    child_vectors[rows],
                    parent_vectors,
                    capacity,
                    work.sequence,
                    rng,
                )
            else:
                subset = None if groups is None else groups.subset(rows)
                chosen[rows] = match(child_vectors[rows], parent_vectors, capacity, rng, subset)
        synthetic[relation.child_key] = _keys_of(parents[relation.parent_key], chosen)
        if number == 0 and work.sequence is not None:
            ordered(synthetic, relation.child_key, place, work.sequence)
    return place


def _keys_of(keys: pd.Series, chosen: np.ndarray) -> pd.Series:
    """The keys at ``chosen`` (-1: none), whole numbers kept whole beside missing ones (a key
    written as 401.0 would not load into the real schema)."""
    picked = pd.Series(keys.to_numpy()[np.maximum(chosen, 0)], dtype=keys.dtype)
    if not (chosen < 0).any():
        return picked
    if pd.api.types.is_integer_dtype(keys.dtype):
        picked = picked.astype("Int64")
    return picked.mask(pd.Series(chosen < 0))


def _groups(
    plan: SetPlan,
    made: _Made,
    name: str,
    relation: Relation,
    synthetic: pd.DataFrame,
    parents: pd.DataFrame,
    rng: np.random.Generator,
    labels: np.ndarray | None,
    capacity: np.ndarray,
) -> _Agreeing | None:
    """For a side whose path meets an earlier side's at one ancestor, each row's ancestor
    through the earlier side, each parent's through this one, and the rows that agree (the
    real share, by type value, where the parents of that ancestor have room:
    ``agreeing_rows``)."""
    done = {r for r in plan.parents(name) if r.child_key in synthetic.columns}
    for agreement in plan.rules.paths:
        if agreement.child != name:
            continue
        pairs = ((agreement.first, agreement.second), (agreement.second, agreement.first))
        for mine, other in pairs:
            if mine[0] != relation or other[0] not in done:
                continue
            child = ancestor_keys(other, synthetic, made.tables)
            if len(mine) > 1:
                parent = ancestor_keys(mine[1:], parents, made.tables)
            else:
                parent = key_text(parents[relation.parent_key]).to_numpy(dtype=object)
            share = np.full(len(synthetic), agreement.share)
            if labels is not None and agreement.by_type:
                share = np.array([agreement.by_type.get(str(v), agreement.share) for v in labels])
            return _Agreeing(child, parent, agreeing_rows(child, parent, share, capacity, rng))
    return None


@dataclass(frozen=True)
class _Agreeing:
    child: np.ndarray
    parent: np.ndarray
    agree: np.ndarray

    def subset(self, rows: np.ndarray) -> Groups:
        return Groups(self.child[rows], self.parent, self.agree[rows])


def _keep_bounds(
    plan: SetPlan,
    made: _Made,
    name: str,
    work: _Work,
    synthetic: pd.DataFrame,
    rng: np.random.Generator,
) -> None:
    """Every rule along a path kept once each row has its parents (``bounds.transfer``)."""
    bounds = plan.bounds.get(name, ())
    drawn = drawn_sides(bounds, plan.parents(name))
    for bound in bounds:
        moved = transfer(bound, synthetic, made.tables, drawn, work.schema, rng)
        if moved:
            made.notes.append(
                f"{name}: {bound.describe()} in the real rows; {moved:,} synthetic rows that "
                "broke it once given their parents were moved to the same place between their "
                "own parents' bounds as between the ones they were drawn with."
            )


def _unlinked(
    synthetic: pd.DataFrame,
    real: pd.DataFrame,
    relation: Relation,
    context: Sequence[str],
    rng: np.random.Generator,
) -> np.ndarray:
    """Synthetic rows that get no parent through ``relation``, as many (in share) as real rows
    without one: first those drawn with an empty parent context, then any."""
    share = float(real[relation.child_key].isna().mean()) if len(real) else 0.0
    count = round(share * len(synthetic))
    chosen = np.zeros(len(synthetic), dtype=bool)
    if count == 0:
        return chosen
    named = [c for c in context if c in synthetic.columns]
    empty = (
        synthetic[named].isna().all(axis=1).to_numpy() if named else np.zeros(len(synthetic), bool)
    )
    order = np.r_[rng.permutation(np.flatnonzero(empty)), rng.permutation(np.flatnonzero(~empty))]
    chosen[order[:count]] = True
    return chosen
