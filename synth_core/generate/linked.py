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
from synth_core.data.database import Database, Links, Relation, key_coverage, link_order
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
        for number, relation in enumerate(parents):
            prefix = _prefix(relation, parents)
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
            synthetic = _in_order(synthetic, parents[0].child_key, table.schema, own)
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


_ORDER_WORDS = ("year", "date", "time", "seq", "order", "step", "month", "day")
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


def _in_order(
    children: pd.DataFrame, key: str, schema: Schema, own: Sequence[ColumnSchema]
) -> pd.DataFrame:
    """Children sorted by parent, then by the first column that orders them (a date, or a
    number named like a year, date or sequence), as real rows usually are."""
    order = [
        c.name
        for c in own
        if c.kind is ColumnKind.DATETIME
        or (c.kind is ColumnKind.NUMERICAL and any(w in c.name.lower() for w in _ORDER_WORDS))
    ]
    by = [key, *order[:1]]
    return children.sort_values(by, kind="stable").reset_index(drop=True)


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
    capacity = parents[_count_name(relation)].to_numpy(dtype=np.int64).copy()
    rng = np.random.default_rng([*seed, 11])
    gap = len(children) - int(capacity.sum())
    if gap and len(capacity):
        if gap > 0:  # more rows than places: each extra to a parent drawn as often as it has
            weights = capacity + 1.0
            extra = rng.choice(len(capacity), gap, p=weights / weights.sum())
            np.add.at(capacity, extra, 1)
        else:  # fewer rows: places removed one by one, from the parents that have them
            places = np.repeat(np.arange(len(capacity)), capacity)
            np.subtract.at(capacity, rng.choice(places, -gap, replace=False), 1)
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
