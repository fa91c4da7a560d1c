"""Giving each synthetic child row its synthetic parent: the nearest parent with room (each gets
as many children as it drew), and for ordered children a chain per parent, each next row the
nearest whose learnt previous values match the previous child's."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from synth_core.data.database import (
    Relation,
    key_text,
    order_column,
)
from synth_core.data.distance import RowEncoder, distance_columns
from synth_core.data.schema import ColumnKind, ColumnSchema, Schema
from synth_core.generate.linked.bounds import as_number, like_original

COUNT = "__children__"  # + child table and key: rows of that child per parent row
NEIGHBOURS = 20  # parents searched per child row before any parent with room


def count_name(relation: Relation) -> str:
    """The parent's column counting its children through ``relation``."""
    return f"{COUNT}{relation.child}.{relation.child_key}"


def match(
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


PREVIOUS = "__previous__."  # + a child column: its value in the previous sibling
POSITION = "__position__"  # the row's place in its parent's sequence, from 0
FIRST = "(first)"  # the previous value of a first child
SEQUENCE_CATEGORIES = 50  # categorical columns with more values are not chained on
SEQUENCE_COLUMNS = 4  # at most this many (those that change least within a sequence first)
SEQUENCE_WEIGHT = 3.0  # a previous value that differs costs this much in the chain's distance
MAX_CHAIN = 200  # longer sequences are given to parents without chaining


@dataclass(frozen=True)
class SequenceShape:
    """How a child's rows form sequences under their first parent."""

    order: str
    kind: ColumnKind
    chained: tuple[str, ...]  # categorical columns whose previous value is learnt


def sequence_of(
    real: pd.DataFrame, relation: Relation, own: Sequence[ColumnSchema], schema: Schema
) -> SequenceShape | None:
    order = order_column(schema, [c.name for c in own])
    if order is None:
        return None
    per_parent = key_text(real[relation.child_key]).value_counts()
    if per_parent.empty or per_parent.max() < 2:
        return None
    parents = key_text(real[relation.child_key])
    several = parents.map(per_parent).fillna(0).to_numpy() >= 2
    groups = parents[several]
    candidates = []
    for column in own:
        if column.kind not in (ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN):
            continue
        if not 1 < real[column.name].nunique() <= SEQUENCE_CATEGORIES:
            continue
        # How often the value changes within a sequence: 0 when every parent's children
        # share it (a player's team in one postseason), 1 when they all differ.
        values = real.loc[several, column.name].astype("string").fillna("(missing)")
        distinct = values.groupby(groups.to_numpy()).nunique()
        sizes = groups.value_counts().reindex(distinct.index)
        change = float(((distinct - 1) / (sizes - 1)).mean())
        candidates.append((change, column.name))
    chained = tuple(name for _, name in sorted(candidates)[:SEQUENCE_COLUMNS])
    return SequenceShape(order, schema[order].kind, chained)


def _order_numbers(values: pd.Series, kind: ColumnKind) -> np.ndarray:
    return as_number(values, kind)


def sequence_columns(
    real: pd.DataFrame, relation: Relation, sequence: SequenceShape
) -> tuple[dict[str, np.ndarray], list[ColumnSchema]]:
    """Per real child row (in ``real``'s order): its position among its parent's children in
    order, and the previous one's values of the chained columns."""
    keys = key_text(real[relation.child_key]).fillna("").to_numpy(dtype=object)
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


def _onehot(values: Sequence[np.ndarray], vocabulary: Sequence[list[str]], rows: int) -> np.ndarray:
    blocks = []
    for column, words in zip(values, vocabulary, strict=True):
        index = {w: i for i, w in enumerate(words)}
        block = np.zeros((len(column), len(words)))
        positions = np.array([index.get(str(v), -1) for v in column])
        known = np.flatnonzero(positions >= 0)
        block[known, positions[known]] = 1.0
        blocks.append(block)
    return np.hstack(blocks) if blocks else np.zeros((rows, 0))


def _capacity(
    parents: pd.DataFrame, relation: Relation, rows: int, rng: np.random.Generator
) -> tuple[np.ndarray, int]:
    """Children each parent takes: the counts it drew, with any difference to ``rows`` spread
    at random (more to the parents that drew more); the difference is returned."""
    capacity = parents[count_name(relation)].to_numpy(dtype=np.int64).copy()
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


def chain(
    children: pd.DataFrame,
    parents: pd.DataFrame,
    relation: Relation,
    prefix: str,
    context: Sequence[str],
    schema: Schema,
    sequence: SequenceShape,
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
    child_previous = SEQUENCE_WEIGHT * _onehot(drawn_previous, vocabulary, len(children))
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
                SEQUENCE_WEIGHT * _onehot(previous, vocabulary, waiting.size),
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


def ordered(children: pd.DataFrame, key: str, place: np.ndarray, sequence: SequenceShape) -> None:
    """Each parent's children put in order along its chain: the values of the order column its
    children were drawn with, sorted, the smallest to the first child (so the column keeps its
    drawn values, and each sequence runs forward)."""
    numbers = _order_numbers(children[sequence.order], sequence.kind)
    keys = key_text(children[key]).fillna("").to_numpy(dtype=object)
    by_chain = np.lexsort((place, keys))
    by_value = np.lexsort((np.nan_to_num(numbers, nan=np.inf), keys))
    rebuilt = np.empty(len(children))
    rebuilt[by_chain] = numbers[by_value]  # both group the same parents in the same order
    column = ColumnSchema(sequence.order, sequence.kind)
    children[sequence.order] = like_original(rebuilt, children[sequence.order], column)


def in_order(
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
