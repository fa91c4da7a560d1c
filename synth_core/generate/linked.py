"""Linked tables synthesized together, every link exact by construction (a first version).

Tables are made parents first (``link_order``). Each table goes through the one-table pipeline
(``synthesize``: its generator, personal data, rules, dtypes), with two kinds of extra columns:

- in a parent, for each child table, how many child rows each parent row has (zero included), so
  the count is learnt from the parent's own columns and every synthetic parent carries one;
- in a child, the columns of its parent row (named ``<parent>.<column>``), so child rows are
  drawn with a parent's context, and rules between a child and its parent's columns (a loan
  granted after its account was opened) are found and kept like any other rule.

Then every synthetic child row is given to a synthetic parent: the nearest parent (on those
context columns) that still has room, so each parent gets exactly the number of children it
drew. Primary keys get new IDs (today's ID rules), foreign keys the new ID of the parent they
were given to: every link holds, and no real key appears.

Rules across a link where a child's number or date lies between (or beyond) columns of its parent
in every real row (a player's postseason years within his career; a loan granted after its
account was opened) are kept in every synthetic row: the value keeps its relative place between
the bounds it was drawn with, moved onto the parent it was given to (a note says how many rows).

Privacy is measured per entity: ``holdout_fraction`` of the rows of the entity table (the parent
with the most child rows) are held out with every row below them, never single child rows.

Not yet: ordered children drawn each conditioned on the previous one (children are put in order
within their parent, each drawn with the parent's context only); a child's second parent (a
link table) gets a random synthetic parent; child rows whose key points at no parent (orphans)
are left out of training."""

from __future__ import annotations

import time
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from synth_core._progress import ProgressFn, no_progress, scaled
from synth_core.data.database import (
    Database,
    Links,
    Relation,
    key_coverage,
    link_order,
    order_column,
)
from synth_core.data.distance import RowEncoder, distance_columns
from synth_core.data.schema import ColumnKind, ColumnSchema, Schema
from synth_core.data.table import Table
from synth_core.errors import SpecError
from synth_core.generate.protect.pii import new_ids
from synth_core.generate.spec import GenerationSpec
from synth_core.generate.synthesize import synthesize

COUNT = "__children__"  # + child table: rows of that child per parent row
NEIGHBOURS = 20  # parents searched per child row before any parent with room
HOLDS = 0.995  # a date bound across a link holds in this share of real rows at least
_CONTEXT_KINDS = (
    ColumnKind.NUMERICAL,
    ColumnKind.CATEGORICAL,
    ColumnKind.BOOLEAN,
    ColumnKind.DATETIME,
)


@dataclass(frozen=True)
class Bound:
    """A child column that lies at or above ``lower`` and at or below ``upper`` (parent columns)
    in every real row that has both; ``years``: the child holds years, the parent dates."""

    column: str
    lower: str | None
    upper: str | None
    years: bool = False

    def describe(self, child: str, parent: str) -> str:
        sides = [
            f"at or after {parent}.{self.lower}" if self.lower else "",
            f"at or before {parent}.{self.upper}" if self.upper else "",
        ]
        return f"{child}.{self.column} " + " and ".join(s for s in sides if s)


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


def _count_name(relation: Relation) -> str:
    """The parent's column counting its children through ``relation``."""
    return f"{COUNT}{relation.child}.{relation.child_key}"


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
                keys = set(parent.loc[held[name], relation.parent_key].astype(str))
                if keys:
                    values = database.tables[relation.child].df[relation.child_key]
                    held[relation.child] |= values.notna() & values.astype(str).isin(keys)
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
    progress: ProgressFn = no_progress,
) -> LinkedResult:
    """The set of tables, ``scale`` times the rows of each table without a parent (children
    follow their parents' drawn counts), with ``spec``'s generator, seed and privacy setting
    for every table; ``spec.holdout_fraction`` of the entities are held out
    (``split_by_entity``). Tables in ``keep`` (reference lists: districts, countries) are
    copied as they are, real keys included; their parents must be kept too."""
    if not 0.01 <= scale <= 100:
        raise SpecError(f"The size of the set must be between 0.01 and 100 times; got {scale}.")
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
                kept[_count_name(relation)] = _counts(kept, key, relation, database)
            made[name] = kept
            if key is not None:
                keys[name] = kept[key].reset_index(drop=True)
            notes.append(
                f"{name}: kept as it is, as you chose ({len(kept):,} real rows, real keys): a "
                "reference table is no one's personal data; its children are synthetic."
            )
            continue
        table = trained.tables[name]
        real, dropped = _without_orphans(name, table.df, links.relations, trained)
        if dropped:
            notes.append(f"{name}: {dropped:,} rows whose key points at no parent were left out.")
        parents = [r for r in links.relations if r.child == name]
        foreign = [r.child_key for r in parents]
        own = [c for c in table.schema if c.name != key and c.name not in foreign]
        frame, columns = real[[c.name for c in own]].copy(), list(own)
        for relation in children:
            # Held-out entities still count as children of their parent (a district keeps
            # its number of accounts), so the set is as large as the real one.
            source = database if relation.child == entity else trained
            counts = _counts(real, key, relation, source)
            frame[_count_name(relation)] = counts
            columns.append(ColumnSchema(_count_name(relation), ColumnKind.NUMERICAL, integer=True))
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
            bounds[relation] = _find_bounds(real, joined, own, parent_table.schema, context)
        sequence = _sequence_of(real, parents[0], own, table.schema) if parents else None
        if sequence is not None:
            values, helpers = _sequence_columns(real, parents[0], sequence)
            for column_name, column_values in values.items():
                frame[column_name] = column_values
            columns.extend(helpers)
        if not parents:
            rows = max(round(scale * len(real)), 1)
        else:
            rows = int(made[parents[0].parent][_count_name(parents[0])].sum())
        if rows == 0 or len(frame) < 2:
            made[name] = pd.DataFrame({c: pd.Series(dtype=table.df[c].dtype) for c in table.df})
            for relation in children:
                made[name][_count_name(relation)] = pd.Series(dtype="int64")
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
            if number == 0 and sequence is not None:
                chosen, place, refitted = _chain(
                    synthetic,
                    made[relation.parent],
                    relation,
                    prefix,
                    contexts[relation],
                    working.schema,
                    sequence,
                    [spec.seed, number],
                )
            else:
                chosen, refitted = _match(
                    synthetic,
                    made[relation.parent],
                    relation,
                    prefix,
                    contexts[relation],
                    working.schema,
                    [spec.seed, number],
                )
            if refitted:
                notes.append(
                    f"{name}.{relation.child_key}: {relation.parent} rows drew {refitted:+,} "
                    f"{name} rows beside those drawn through {parents[0].parent}; that many "
                    "were given to other parents (or taken away) at random, as many as each "
                    "drew where possible."
                )
            synthetic[relation.child_key] = keys[relation.parent].to_numpy()[chosen]
            if number == 0 and sequence is not None:
                _ordered(synthetic, relation.child_key, place, sequence)
            moved = _transfer_bounds(
                synthetic,
                made[relation.parent].iloc[chosen].reset_index(drop=True),
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
            synthetic = _in_order(synthetic, parents[0].child_key, table.schema, own, place)
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


_BOUND_KINDS = (ColumnKind.NUMERICAL, ColumnKind.DATETIME)


def _as_number(values: pd.Series, kind: ColumnKind, years: bool = False) -> np.ndarray:
    if kind is ColumnKind.DATETIME:
        stamps = pd.to_datetime(values, errors="coerce")
        if years:
            return stamps.dt.year.to_numpy(dtype=float, na_value=np.nan)
        nanoseconds = stamps.astype("datetime64[ns]").astype("int64")
        return nanoseconds.where(stamps.notna()).to_numpy(dtype=float, na_value=np.nan)
    return pd.to_numeric(values, errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def _year_like(values: np.ndarray) -> bool:
    present = values[~np.isnan(values)]
    return bool(present.size) and bool(
        np.all((present >= 1000) & (present <= 2999) & (present == np.round(present)))
    )


def _find_bounds(
    child: pd.DataFrame,
    parent_rows: pd.DataFrame,
    own: Sequence[ColumnSchema],
    parent_schema: Schema,
    context: Sequence[str],
) -> tuple[Bound, ...]:
    """Child dates (or years) that stay at or after / at or before a parent's date (or year) in
    99.5% of real rows or more (20 or more rows with both values); the tightest bound on each
    side (the smallest median gap)."""
    found = []
    for column in own:
        if column.kind not in _BOUND_KINDS:
            continue
        values = _as_number(child[column.name], column.kind)
        best: dict[str, tuple[float, str]] = {}
        for name in context:
            other = parent_schema[name]
            if other.kind not in _BOUND_KINDS:
                continue
            # Dates and years only: between other numbers (a count and a height) an order
            # that held in every real row is too often chance.
            years = other.kind is ColumnKind.DATETIME and column.kind is ColumnKind.NUMERICAL
            if column.kind is ColumnKind.NUMERICAL and not _year_like(values):
                continue
            if other.kind is ColumnKind.NUMERICAL and not _year_like(
                _as_number(parent_rows[name], other.kind)
            ):
                continue
            bound = _as_number(parent_rows[name], other.kind, years)
            both = ~(np.isnan(values) | np.isnan(bound))
            if both.sum() < 20 or np.all(values[both] == bound[both]):
                continue
            gap = values[both] - bound[both]
            centre = float(np.median(gap))
            if np.mean(gap >= 0) >= HOLDS and (
                best.get("lower") is None or centre < best["lower"][0]
            ):
                best["lower"] = (centre, name)
            if np.mean(gap <= 0) >= HOLDS and (
                best.get("upper") is None or -centre < best["upper"][0]
            ):
                best["upper"] = (-centre, name)
        if best:
            lower, upper = best.get("lower"), best.get("upper")
            years = column.kind is ColumnKind.NUMERICAL and any(
                parent_schema[b[1]].kind is ColumnKind.DATETIME for b in best.values()
            )
            found.append(
                Bound(column.name, lower[1] if lower else None, upper[1] if upper else None, years)
            )
    return tuple(found)


def _transfer_bounds(
    synthetic: pd.DataFrame,
    parents: pd.DataFrame,
    bounds: Sequence[Bound],
    parent: str,
    schema: Schema,
) -> list[tuple[Bound, int]]:
    """Move each bounded child value from between the bounds it was drawn with (its context
    columns) to the same relative place between its own parent's bounds; counts per bound."""
    moved = []
    for bound in bounds:
        column = schema[bound.column]
        value = _as_number(synthetic[bound.column], column.kind)
        new = value.copy()

        drawn_low = _side(bound.lower, synthetic, f"{parent}.", bound.years)
        drawn_high = _side(bound.upper, synthetic, f"{parent}.", bound.years)
        low = _side(bound.lower, parents, "", bound.years)
        high = _side(bound.upper, parents, "", bound.years)
        if (
            low is not None
            and high is not None
            and drawn_low is not None
            and drawn_high is not None
        ):
            width = drawn_high - drawn_low
            with np.errstate(divide="ignore", invalid="ignore"):
                share = np.where(width > 0, (value - drawn_low) / width, 0.5)
            share = np.clip(share, 0.0, 1.0)
            placed = low + share * (high - low)
            fallback = np.clip(value, low, high)
            new = np.where(np.isnan(share), fallback, placed)
        elif low is not None and drawn_low is not None:
            offset = np.maximum(value - drawn_low, 0.0)
            new = np.where(np.isnan(offset), np.fmax(value, low), low + offset)
        elif high is not None and drawn_high is not None:
            offset = np.maximum(drawn_high - value, 0.0)
            new = np.where(np.isnan(offset), np.fmin(value, high), high - offset)
        new = np.where(np.isnan(new), value, new)
        broken = np.zeros(len(value), dtype=bool)
        if low is not None:
            broken |= value < low
        if high is not None:
            broken |= value > high
        new = np.where(broken, new, value)  # a value that keeps the rule is left as drawn
        if column.kind is ColumnKind.NUMERICAL and (column.integer or bound.years):
            new = np.round(new)
            if low is not None:
                new = np.where(np.isnan(low), new, np.fmax(new, np.ceil(low)))
            if high is not None:
                new = np.where(np.isnan(high), new, np.fmin(new, np.floor(high)))
        changed = ~(np.isnan(value) | np.isclose(new, value, rtol=0, atol=0))
        if not changed.any():
            continue
        moved.append((bound, int(changed.sum())))
        synthetic[bound.column] = _like(new, synthetic[bound.column], column)
    return moved


def _side(name: str | None, source: pd.DataFrame, prefix: str, years: bool) -> np.ndarray | None:
    """A bound's values as numbers (dates: nanoseconds, or years), or None when there is none."""
    if name is None:
        return None
    values = source[prefix + name]
    dated = pd.api.types.is_datetime64_any_dtype(values)
    return _as_number(values, ColumnKind.DATETIME if dated else ColumnKind.NUMERICAL, years)


def _like(values: np.ndarray, original: pd.Series, column: ColumnSchema) -> pd.Series:
    """``values`` (numbers, or nanoseconds for dates) in ``original``'s dtype."""
    if column.kind is ColumnKind.DATETIME:
        stamps = pd.to_datetime(pd.Series(values), unit="ns")
        current = pd.to_datetime(original, errors="coerce")
        if (current.dropna() == current.dropna().dt.normalize()).all():
            stamps = stamps.dt.normalize()
        return stamps.astype(original.dtype) if original.dtype.kind == "M" else stamps
    series = pd.Series(values, index=original.index)
    if original.dtype.kind in "iu" or str(original.dtype) in ("Int64", "Int32"):
        return series.round().astype("Int64").astype(original.dtype)
    return series.astype(original.dtype)


PREVIOUS = "__previous__."  # + a child column: its value in the previous sibling
POSITION = "__position__"  # the row's place in its parent's sequence, from 0
FIRST = "(first)"  # the previous value of a first child
SEQUENCE_CATEGORIES = 50  # categorical columns with more values are not chained on
SEQUENCE_COLUMNS = 4  # at most this many (the fewest values first)
SEQUENCE_WEIGHT = 3.0  # a previous value that differs costs this much in the chain's distance
MAX_CHAIN = 200  # longer sequences are given to parents without chaining


@dataclass(frozen=True)
class _Sequence:
    """How a child's rows form sequences under their first parent."""

    order: str
    kind: ColumnKind
    chained: tuple[str, ...]  # categorical columns whose previous value is learnt


def _sequence_of(
    real: pd.DataFrame, relation: Relation, own: Sequence[ColumnSchema], schema: Schema
) -> _Sequence | None:
    order = order_column(schema, [c.name for c in own])
    if order is None:
        return None
    per_parent = real[relation.child_key].astype(str).value_counts()
    if per_parent.empty or per_parent.max() < 2:
        return None
    candidates = [
        (int(real[c.name].nunique()), c.name)
        for c in own
        if c.kind in (ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN)
        and 1 < real[c.name].nunique() <= SEQUENCE_CATEGORIES
    ]
    chained = tuple(name for _, name in sorted(candidates)[:SEQUENCE_COLUMNS])
    return _Sequence(order, schema[order].kind, chained)


def _order_numbers(values: pd.Series, kind: ColumnKind) -> np.ndarray:
    return _as_number(values, kind)


def _sequence_columns(
    real: pd.DataFrame, relation: Relation, sequence: _Sequence
) -> tuple[dict[str, np.ndarray], list[ColumnSchema]]:
    """Per real child row (in ``real``'s order): its position among its parent's children in
    order, and the previous one's values of the chained columns."""
    keys = real[relation.child_key].astype(str).to_numpy()
    numbers = _order_numbers(real[sequence.order], sequence.kind)
    ranked = np.lexsort((np.arange(len(real)), numbers, keys))
    same = np.r_[False, keys[ranked][1:] == keys[ranked][:-1]]
    starts = np.flatnonzero(~same)
    position_sorted = np.arange(len(real)) - np.repeat(starts, np.diff(np.r_[starts, len(real)]))
    position = np.empty(len(real), dtype=np.int64)
    position[ranked] = position_sorted
    values: dict[str, np.ndarray] = {POSITION: position}
    columns = [ColumnSchema(POSITION, ColumnKind.NUMERICAL, integer=True)]
    for name in sequence.chained:
        text = _text(real[name])
        shifted = np.concatenate([np.array([FIRST], dtype=object), text[ranked][:-1]])
        previous_sorted = np.where(same, shifted, FIRST)
        previous = np.empty(len(real), dtype=object)
        previous[ranked] = previous_sorted
        values[PREVIOUS + name] = previous
        columns.append(ColumnSchema(PREVIOUS + name, ColumnKind.CATEGORICAL))
    return values, columns


def _text(values: pd.Series) -> np.ndarray:
    """Values as text, a missing one as '(missing)': what a previous value is compared as."""
    text: np.ndarray = values.astype("string").fillna("(missing)").to_numpy(dtype=object)
    return text


def _onehot(values: Sequence[np.ndarray], vocabulary: Sequence[list[str]]) -> np.ndarray:
    blocks = []
    for column, words in zip(values, vocabulary, strict=True):
        index = {w: i for i, w in enumerate(words)}
        block = np.zeros((len(column), len(words)))
        positions = np.array([index.get(str(v), -1) for v in column])
        rows = np.flatnonzero(positions >= 0)
        block[rows, positions[rows]] = 1.0
        blocks.append(block)
    return np.hstack(blocks) if blocks else np.zeros((len(values[0]) if values else 0, 0))


def _capacity(
    parents: pd.DataFrame, relation: Relation, rows: int, rng: np.random.Generator
) -> tuple[np.ndarray, int]:
    """Children each parent takes: the counts it drew, with any difference to ``rows`` spread
    at random (more to the parents that drew more); the difference is returned."""
    capacity = parents[_count_name(relation)].to_numpy(dtype=np.int64).copy()
    gap = rows - int(capacity.sum())
    if gap and len(capacity):
        if gap > 0:
            weights = capacity + 1.0
            extra = rng.choice(len(capacity), gap, p=weights / weights.sum())
            np.add.at(capacity, extra, 1)
        else:
            places = np.repeat(np.arange(len(capacity)), capacity)
            np.subtract.at(capacity, rng.choice(places, -gap, replace=False), 1)
    return capacity, gap


def _chain(
    children: pd.DataFrame,
    parents: pd.DataFrame,
    relation: Relation,
    prefix: str,
    context: Sequence[str],
    schema: Schema,
    sequence: _Sequence,
    seed: list[int],
) -> tuple[np.ndarray, np.ndarray, int]:
    """Each synthetic child row's parent and place in that parent's sequence. Step by step,
    each parent that still needs a child takes the nearest free row on (its own context
    columns, its previous child's values of the chained columns, the step), so a row drawn
    after "NLCS for team X" follows a child that was "NLCS for team X"."""
    from sklearn.neighbors import NearestNeighbors

    rng = np.random.default_rng([*seed, 13])
    capacity, gap = _capacity(parents, relation, len(children), rng)
    named = [f"{prefix}.{c}" for c in context]
    columns = distance_columns(Schema(tuple(schema[n] for n in named)), children)
    if columns:
        left = parents[list(context)].copy()
        left.columns = named
        encoder = RowEncoder.fit(left, columns, [children])
        parent_vectors, child_vectors = encoder.transform(left), encoder.transform(children)
    else:
        parent_vectors = np.zeros((len(parents), 0))
        child_vectors = np.zeros((len(children), 0))
    chained = list(sequence.chained)
    actual = [
        children[c].astype("string").fillna("(missing)").to_numpy(dtype=object) for c in chained
    ]
    drawn_previous = [children[PREVIOUS + c].astype(str).to_numpy(dtype=object) for c in chained]
    vocabulary = [
        sorted({FIRST, *map(str, a), *map(str, d)})
        for a, d in zip(actual, drawn_previous, strict=True)
    ]
    child_previous = SEQUENCE_WEIGHT * _onehot(drawn_previous, vocabulary)
    drawn_position = pd.to_numeric(children[POSITION], errors="coerce").fillna(0).to_numpy()
    chosen = np.full(len(children), -1, dtype=np.int64)
    place = np.zeros(len(children), dtype=np.int64)
    last = np.full(len(parents), -1, dtype=np.int64)  # each parent's latest child row
    free = np.ones(len(children), dtype=bool)
    longest = int(capacity.max()) if len(capacity) else 0
    for step in range(min(longest, MAX_CHAIN)):
        waiting = np.flatnonzero(capacity > step)
        pool = np.flatnonzero(free)
        if waiting.size == 0 or pool.size == 0:
            break
        previous = [
            np.where(last[waiting] >= 0, a[np.maximum(last[waiting], 0)], FIRST) for a in actual
        ]
        queries = np.hstack(
            [
                parent_vectors[waiting],
                SEQUENCE_WEIGHT * _onehot(previous, vocabulary),
                np.full((waiting.size, 1), min(step, 10) / 10),
            ]
        )
        candidates = np.hstack(
            [
                child_vectors[pool],
                child_previous[pool],
                np.minimum(drawn_position[pool], 10)[:, None] / 10,
            ]
        )
        k = min(NEIGHBOURS, pool.size)
        _, near = NearestNeighbors(n_neighbors=k).fit(candidates).kneighbors(queries)
        taken = np.zeros(pool.size, dtype=bool)
        unplaced = []
        for i in rng.permutation(waiting.size):
            found = next((j for j in near[i] if not taken[j]), None)
            if found is None:
                unplaced.append(i)
                continue
            taken[found] = True
            row = pool[found]
            chosen[row], place[row], free[row] = waiting[i], step, False
            last[waiting[i]] = row
        spare = np.flatnonzero(~taken)
        rng.shuffle(spare)
        for i, j in zip(unplaced, spare, strict=False):
            taken[j] = True
            row = pool[j]
            chosen[row], place[row], free[row] = waiting[i], step, False
            last[waiting[i]] = row
    rest = np.flatnonzero(chosen < 0)  # sequences longer than MAX_CHAIN: given in any order
    if rest.size:
        used = np.bincount(chosen[chosen >= 0], minlength=len(parents))
        room = np.repeat(np.arange(len(parents)), np.maximum(capacity - used, 0))
        rng.shuffle(room)
        chosen[rest] = room[: rest.size]
        place[rest] = MAX_CHAIN
    return chosen, place, gap


def _ordered(children: pd.DataFrame, key: str, place: np.ndarray, sequence: _Sequence) -> None:
    """Each parent's children put in order along its chain: the values of the order column its
    children were drawn with, sorted, the smallest to the first child (so the column keeps its
    drawn values, and each sequence runs forward)."""
    numbers = _order_numbers(children[sequence.order], sequence.kind)
    keys = children[key].astype(str).to_numpy()
    by_chain = np.lexsort((place, keys))
    by_value = np.lexsort((np.nan_to_num(numbers, nan=np.inf), keys))
    rebuilt = np.empty(len(children))
    rebuilt[by_chain] = numbers[by_value]  # both group the same parents in the same order
    column = ColumnSchema(sequence.order, sequence.kind)
    children[sequence.order] = _like(rebuilt, children[sequence.order], column)


def _in_order(
    children: pd.DataFrame,
    key: str,
    schema: Schema,
    own: Sequence[ColumnSchema],
    place: np.ndarray,
) -> pd.DataFrame:
    """Children sorted by parent, then by the column that orders them (``order_column``),
    then by their place in the parent's sequence, as real rows usually are."""
    order = order_column(schema, [c.name for c in own])
    ranked = children.assign(__place__=place)
    by = [key, *([order] if order else []), "__place__"]
    return ranked.sort_values(by, kind="stable").drop(columns="__place__").reset_index(drop=True)


def _without_orphans(
    name: str, frame: pd.DataFrame, relations: Sequence[Relation], database: Database
) -> tuple[pd.DataFrame, int]:
    keep = pd.Series(True, index=frame.index)
    for relation in relations:
        if relation.child != name:
            continue
        parent_keys = set(database.tables[relation.parent].df[relation.parent_key].astype(str))
        values = frame[relation.child_key]
        keep &= values.isna() | values.astype(str).isin(parent_keys)
    return frame[keep], int((~keep).sum())


def _counts(
    real: pd.DataFrame, key: str | None, relation: Relation, database: Database
) -> np.ndarray:
    """Child rows per row of ``real`` (the parent) through ``relation``."""
    assert key is not None, "a parent has a primary key"
    child = database.tables[relation.child].df[relation.child_key].dropna().astype(str)
    per_key = child.value_counts()
    return real[key].astype(str).map(per_key).fillna(0).astype("int64").to_numpy()


def _parent_rows(child: pd.DataFrame, relation: Relation, parent: pd.DataFrame) -> pd.DataFrame:
    """Each child row's parent row (missing keys: an empty row)."""
    index = pd.Index(parent[relation.parent_key].astype(str))
    positions = index.get_indexer(pd.Index(child[relation.child_key].astype(str)))
    rows = parent.iloc[np.where(positions < 0, 0, positions)].reset_index(drop=True)
    rows[positions < 0] = np.nan
    return rows


def _match(
    children: pd.DataFrame,
    parents: pd.DataFrame,
    relation: Relation,
    prefix: str,
    context: Sequence[str],
    schema: Schema,
    seed: list[int],
) -> tuple[np.ndarray, int]:
    """For each synthetic child row, the position of the synthetic parent it belongs to: the
    nearest on the context columns with room left, so each parent gets the number of children
    it drew. When the parents drew more or fewer in all than there are rows (a second parent:
    the rows were drawn through the first), the difference is spread at random; it is returned."""
    rng = np.random.default_rng([*seed, 11])
    capacity, gap = _capacity(parents, relation, len(children), rng)
    chosen = np.full(len(children), -1, dtype=np.int64)
    named = [f"{prefix}.{c}" for c in context]
    columns = distance_columns(Schema(tuple(schema[n] for n in named)), children)
    if columns and len(parents):
        left = parents[list(context)].copy()
        left.columns = named
        encoder = RowEncoder.fit(left, columns, [children])
        from sklearn.neighbors import NearestNeighbors

        k = min(NEIGHBOURS, len(parents))
        index = NearestNeighbors(n_neighbors=k).fit(encoder.transform(left))
        _, near = index.kneighbors(encoder.transform(children))
        for row in rng.permutation(len(children)):
            for candidate in near[row]:
                if capacity[candidate] > 0:
                    chosen[row] = candidate
                    capacity[candidate] -= 1
                    break
    rest = np.flatnonzero(chosen < 0)
    room = np.repeat(np.arange(len(capacity)), np.maximum(capacity, 0))
    rng.shuffle(room)
    chosen[rest] = room[: len(rest)]
    return chosen, gap


def bound_kept(
    tables: Mapping[str, pd.DataFrame], relation: Relation, bound: Bound
) -> float | None:
    """Share of child rows (with their parent's bounds and their own value present) that keep
    ``bound`` across ``relation``; None when no row has all of them."""
    child, parent = tables[relation.child], tables[relation.parent]
    positions = pd.Index(parent[relation.parent_key].astype(str)).get_indexer(
        pd.Index(child[relation.child_key].astype(str))
    )
    found = positions >= 0
    rows = parent.iloc[positions[found]].reset_index(drop=True)
    values = child[bound.column][found].reset_index(drop=True)
    dated = pd.api.types.is_datetime64_any_dtype(values)
    value = _as_number(values, ColumnKind.DATETIME if dated else ColumnKind.NUMERICAL)
    keep = ~np.isnan(value)
    ok = np.ones(len(value), dtype=bool)
    for name, upper in ((bound.lower, False), (bound.upper, True)):
        limit = _side(name, rows, "", bound.years)
        if limit is None:
            continue
        keep &= ~np.isnan(limit)
        ok &= (value <= limit) if upper else (value >= limit)
    return float(ok[keep].mean()) if keep.any() else None


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
