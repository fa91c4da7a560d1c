"""Giving each synthetic child row its synthetic parent: the nearest parent with room (each gets
as many children as it drew), and for ordered children a chain per parent, each next row the
nearest whose learnt previous values match the previous child's."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from synth_core.data.database import Relation, key_text, order_column
from synth_core.data.distance import RowEncoder, distance_columns
from synth_core.data.schema import ColumnKind, ColumnSchema, Schema
from synth_core.generate.linked.bounds import as_number, like_original

NEIGHBOURS = 20  # parents searched per child row before any parent with room


def vectors(
    children: pd.DataFrame, parents: pd.DataFrame, names: Sequence[str], schema: Schema
) -> tuple[np.ndarray, np.ndarray]:
    """Child rows and parent rows encoded on the context columns ``names`` (each parent's
    columns under the names they have in its children), so that distance compares them."""
    present = [n for n in names if n in children.columns and n in parents.columns]
    columns = distance_columns(Schema(tuple(schema[n] for n in present)), children)
    if not columns or len(parents) == 0:
        return np.zeros((len(children), 0)), np.zeros((len(parents), 0))
    encoder = RowEncoder.fit(parents, columns, [children])
    return encoder.transform(children), encoder.transform(parents)


@dataclass(frozen=True)
class Groups:
    """Rows that must go to a parent of their own group (two paths that agree: a disp row of
    an account in district 7 given a client of district 7) and rows that should not."""

    child: np.ndarray  # each child row's group (None: none)
    parent: np.ndarray  # each parent row's group
    agree: np.ndarray  # child rows to give a parent of their group


def agreeing_rows(
    child: np.ndarray,
    parent: np.ndarray,
    share: np.ndarray,
    capacity: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    """Which rows go to a parent of their own group: as many in all as the shares ask for,
    spread over the groups in proportion to their rows but never more than the group's
    parents have room for (so rows flagged to agree can), each group's chosen at random with
    their share as weight."""
    flags = np.zeros(len(child), dtype=bool)
    known = pd.notna(child)
    if not known.any():
        return flags
    rows = pd.Series(np.flatnonzero(known)).groupby(child[known].astype(str)).indices
    by_parent = pd.Series(parent, dtype=object).astype(str)
    room = pd.Series(capacity, dtype=float).groupby(by_parent).sum()
    groups = list(rows)
    members = [np.flatnonzero(known)[rows[g]] for g in groups]
    wanted = np.array([share[m].sum() for m in members])
    limit = np.array([min(len(m), room.get(g, 0.0)) for g, m in zip(groups, members, strict=True)])
    total = min(round(float(share[known].sum())), int(limit.sum()))
    taken = np.minimum(np.floor(wanted), limit)
    for _ in range(len(groups) + 1):  # hand the rest to groups with room, largest wish first
        short = total - int(taken.sum())
        if short <= 0:
            break
        spare = np.flatnonzero(limit - taken >= 1)
        if spare.size == 0:
            break
        order = spare[np.argsort(-(wanted[spare] - taken[spare]), kind="stable")]
        taken[order[:short]] += 1
    for group_rows, count in zip(members, taken.astype(int), strict=True):
        if count <= 0:
            continue
        weights = share[group_rows] + 1e-9
        picked = rng.choice(group_rows, count, replace=False, p=weights / weights.sum())
        flags[picked] = True
    return flags


def match(
    child_vectors: np.ndarray,
    parent_vectors: np.ndarray,
    capacity: np.ndarray,
    rng: np.random.Generator,
    groups: Groups | None = None,
) -> np.ndarray:
    """For each child row, the position of the parent it goes to: the nearest (on the
    context) with room, so each parent gets the children it drew; with ``groups``, rows to
    agree among the parents of their group, the others outside it where one has room. Rows
    left over (no parent with room near them) go to any parent with room, at random; -1 when
    there is none."""
    room = capacity.astype(np.int64).copy()
    chosen = np.full(len(child_vectors), -1, dtype=np.int64)
    everyone: np.ndarray = np.arange(len(room))
    if groups is None:
        _nearest(np.arange(len(chosen)), everyone, child_vectors, parent_vectors, room, chosen, rng)
    else:
        agreeing = np.flatnonzero(groups.agree & pd.notna(groups.child))
        by_group = pd.Series(everyone).groupby(pd.Series(groups.parent, dtype=object)).indices
        for group, rows in pd.Series(agreeing).groupby(groups.child[agreeing]).indices.items():
            candidates = by_group.get(group)
            if candidates is not None:
                candidates = np.asarray(candidates)
                mine = agreeing[rows]
                _nearest(mine, candidates, child_vectors, parent_vectors, room, chosen, rng)
        others = np.flatnonzero((chosen < 0) & ~groups.agree)
        _nearest(others, everyone, child_vectors, parent_vectors, room, chosen, rng, groups)
        _nearest(
            np.flatnonzero(chosen < 0), everyone, child_vectors, parent_vectors, room, chosen, rng
        )
    rest = np.flatnonzero(chosen < 0)
    spare = np.repeat(everyone, np.maximum(room, 0))
    rng.shuffle(spare)
    chosen[rest[: spare.size]] = spare[: rest.size]
    if groups is not None:
        _swap_to_agree(chosen, groups)
    return chosen


def _swap_to_agree(chosen: np.ndarray, groups: Groups) -> None:
    """Rows to agree that got a parent outside their group trade parents with a row that
    holds one of their group and is not itself agreeing there (every parent keeps its number
    of children): a row of group a holding b and a row of group b holding a both agree after."""
    held = np.full(len(chosen), None, dtype=object)
    held[chosen >= 0] = groups.parent[chosen[chosen >= 0]]
    satisfied = groups.agree & (held == groups.child) & pd.notna(groups.child)
    holders: dict[object, list[int]] = {}
    for row in np.flatnonzero((chosen >= 0) & ~satisfied):
        holders.setdefault(held[row], []).append(int(row))
    failing = np.flatnonzero(groups.agree & ~satisfied & (chosen >= 0) & pd.notna(groups.child))
    for row in failing:
        mine, got = groups.child[row], held[row]
        if held[row] == mine:
            continue
        pool = holders.get(mine, [])
        best = None
        for at in range(len(pool) - 1, -1, -1):
            other = pool[at]
            if other == row or held[other] != mine:
                continue
            if groups.agree[other] and groups.child[other] == got:
                best = at  # both agree after the trade
                break
            if best is None and not groups.agree[other] and groups.child[other] != got:
                best = at
        if best is None:
            continue
        other = pool.pop(best)
        chosen[row], chosen[other] = chosen[other], chosen[row]
        held[row], held[other] = mine, got
        if not (groups.agree[other] and groups.child[other] == got):
            holders.setdefault(got, []).append(other)


def _nearest(
    rows: np.ndarray,
    candidates: np.ndarray,
    child_vectors: np.ndarray,
    parent_vectors: np.ndarray,
    room: np.ndarray,
    chosen: np.ndarray,
    rng: np.random.Generator,
    avoid: Groups | None = None,
) -> None:
    """Give each of ``rows`` (in random order) the nearest of ``candidates`` with room (not
    of its own group, with ``avoid``)."""
    candidates = candidates[room[candidates] > 0]
    if rows.size == 0 or candidates.size == 0:
        return
    if parent_vectors.shape[1] == 0:
        near = np.tile(rng.permutation(candidates)[:NEIGHBOURS], (rows.size, 1))
    else:
        from sklearn.neighbors import NearestNeighbors

        k = min(NEIGHBOURS, candidates.size)
        index = NearestNeighbors(n_neighbors=k).fit(parent_vectors[candidates])
        near = candidates[index.kneighbors(child_vectors[rows], return_distance=False)]
    order = rng.permutation(rows.size)
    for i in order:
        row = rows[i]
        for candidate in near[i]:
            if room[candidate] <= 0:
                continue
            if avoid is not None and avoid.parent[candidate] == avoid.child[row]:
                continue
            chosen[row] = candidate
            room[candidate] -= 1
            break


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


def sequence_columns(
    real: pd.DataFrame, relation: Relation, sequence: SequenceShape
) -> tuple[dict[str, np.ndarray], list[ColumnSchema]]:
    """Per real child row (in ``real``'s order): its position among its parent's children in
    order, and the previous one's values of the chained columns."""
    keys = key_text(real[relation.child_key]).fillna("").to_numpy(dtype=object)
    numbers = as_number(real[sequence.order], sequence.kind)
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


def chain(
    children: pd.DataFrame,
    child_vectors: np.ndarray,
    parent_vectors: np.ndarray,
    capacity: np.ndarray,
    sequence: SequenceShape,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """Each synthetic child row's parent and place in that parent's sequence. Step by step,
    each parent that still needs a child takes the nearest free row on (its own context
    columns, its previous child's values of the chained columns, the step), so a row drawn
    after "NLCS for team X" follows a child that was "NLCS for team X"."""
    from sklearn.neighbors import NearestNeighbors

    parents = len(parent_vectors)
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
    last = np.full(parents, -1, dtype=np.int64)  # each parent's latest child row
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
        used = np.bincount(chosen[chosen >= 0], minlength=parents)
        room = np.repeat(np.arange(parents), np.maximum(capacity - used, 0))
        rng.shuffle(room)
        chosen[rest[: room.size]] = room[: rest.size]
        place[rest] = MAX_CHAIN
    return chosen, place


def ordered(children: pd.DataFrame, key: str, place: np.ndarray, sequence: SequenceShape) -> None:
    """Each parent's children put in order along its chain: the values of the order column its
    children were drawn with, sorted, the smallest to the first child (so the column keeps its
    drawn values, and each sequence runs forward)."""
    numbers = as_number(children[sequence.order], sequence.kind)
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
