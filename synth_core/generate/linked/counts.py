"""Children per parent: learnt as columns of the parent (one per value of the child's type
column, or one), then made to agree before the children are drawn: every parent within the
count rules (exactly one owner per account), every side of a link table with the same number of
rows of each type, and that number the real one times the set's scale unless a rule fixes it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from synth_core.data.database import Relation, key_text
from synth_core.generate.linked.rules import CountRule

CALIBRATE_SLACK = 0.05  # mapped counts further than this from the wanted total are scaled
COUNT = "__children__"  # + child table and key (+ '=' and a type value): rows per parent row


def count_name(relation: Relation, value: str | None = None) -> str:
    """The parent's column counting its children through ``relation`` (of type ``value``)."""
    base = f"{COUNT}{relation.child}.{relation.child_key}"
    return base if value is None else f"{base}={value}"


def real_counts(
    parent: pd.DataFrame,
    key: str,
    relation: Relation,
    child: pd.DataFrame,
    type_column: str | None,
    values: Sequence[str],
) -> dict[str, np.ndarray]:
    """Per parent row, its child rows (of each type value), by count column name."""
    parent_keys = key_text(parent[key])
    if type_column is None:
        per = key_text(child[relation.child_key]).value_counts()
        return {count_name(relation): parent_keys.map(per).fillna(0).to_numpy(dtype=np.int64)}
    labels = child[type_column].astype("string")
    out = {}
    for value in values:
        per = key_text(child.loc[labels == value, relation.child_key]).value_counts()
        out[count_name(relation, value)] = parent_keys.map(per).fillna(0).to_numpy(dtype=np.int64)
    return out


@dataclass
class Capacity:
    """One side of a child table: how many rows of each type each parent row takes, and the
    bounds the count rules set (per type and in all)."""

    relation: Relation
    counts: np.ndarray  # parents x types
    low: np.ndarray
    high: np.ndarray  # inf: no upper end
    total_low: np.ndarray  # parents
    total_high: np.ndarray

    @classmethod
    def of(
        cls,
        parent: pd.DataFrame,
        relation: Relation,
        values: Sequence[str | None],
        rules: Sequence[CountRule],
    ) -> Capacity:
        columns = [count_name(relation, v) for v in values]
        counts = np.column_stack(
            [pd.to_numeric(parent[c], errors="coerce").fillna(0).to_numpy() for c in columns]
        )
        counts = np.maximum(np.round(counts), 0).astype(np.int64)
        rows, kinds = counts.shape
        low, high = np.zeros((rows, kinds)), np.full((rows, kinds), np.inf)
        total_low, total_high = np.zeros(rows), np.full(rows, np.inf)
        for rule in rules:
            top = np.inf if rule.high is None else rule.high
            if rule.value is None:
                total_low[:], total_high[:] = rule.low, top
            elif rule.value in values:
                at = list(values).index(rule.value)
                low[:, at], high[:, at] = rule.low, top
        high = np.minimum(high, total_high[:, None])
        return cls(relation, counts, low, high, total_low, total_high)

    @property
    def typed(self) -> bool:
        """Whether a rule bounds rows of one type per parent (one owner per account): then
        rows are placed type by type; otherwise by the parent's total."""
        return bool(
            np.any(self.low > 0)
            or np.any(np.isfinite(self.high) & (self.high < self.total_high[:, None]))
        )

    def ranges(self) -> tuple[np.ndarray, np.ndarray, float, float]:
        """The totals this side can take: per type (low, high) and in all (low, high)."""
        return (
            self.low.sum(axis=0),
            self.high.sum(axis=0),
            float(self.total_low.sum()),
            float(self.total_high.sum()),
        )


def targets(sides: Sequence[Capacity], desired: np.ndarray) -> np.ndarray:
    """Rows of each type to draw: ``desired`` (the real number times the scale), moved into
    what every side's rules allow (an exact rule fixes a total)."""
    low = np.max([s.ranges()[0] for s in sides], axis=0)
    high = np.min([s.ranges()[1] for s in sides], axis=0)
    high = np.maximum(high, low)
    total_low = max(s.ranges()[2] for s in sides)
    total_high = max(min(s.ranges()[3] for s in sides), total_low)
    wanted = np.clip(np.asarray(desired, dtype=float), low, high)
    total = wanted.sum()
    if total < total_low:
        wanted = _spread(wanted, total_low - total, high - wanted)
    elif total > total_high:
        wanted = -_spread(-wanted, total - total_high, wanted - low)
    return _whole(wanted)


def _spread(values: np.ndarray, amount: float, room: np.ndarray) -> np.ndarray:
    """``values`` plus ``amount`` shared in proportion to the room each has."""
    room = np.where(np.isfinite(room), room, amount)
    if room.sum() <= 0:
        return values
    spread: np.ndarray = values + room * min(amount / room.sum(), 1.0)
    return spread


def _whole(values: np.ndarray) -> np.ndarray:
    """Whole numbers with the same (rounded) total, largest remainders first."""
    floor = np.floor(values).astype(np.int64)
    short = round(float(values.sum())) - int(floor.sum())
    if short > 0:
        floor[np.argsort(floor - values)[:short]] += 1
    whole: np.ndarray = floor
    return whole


def calibrate(
    side: Capacity, real: np.ndarray, wanted: np.ndarray, rng: np.random.Generator
) -> None:
    """Each type's drawn counts mapped onto the real counts' distribution by rank (the
    parents that drew more keep more; ties in random order), then scaled to ``wanted`` when
    that is far from the real total (kept parents at another size): the shape of children per
    parent stays the real one where a model's draws would leave, say, 36 franchises with five
    seasons instead of 30, and moving single rows to the total would give 30 of them four."""
    counts = side.counts
    parents = counts.shape[0]
    if parents == 0 or real.shape[0] == 0:
        return
    for kind in range(counts.shape[1]):
        order = np.lexsort(np.vstack([rng.random(parents), counts[:, kind]]))
        quantiles = (np.arange(parents) + 0.5) / parents
        mapped = np.quantile(real[:, kind], quantiles, method="inverted_cdf")
        total = mapped.sum()
        if total > 0 and abs(wanted[kind] / total - 1) > CALIBRATE_SLACK:
            scaled = mapped * wanted[kind] / total
            mapped = np.floor(scaled + rng.random(parents))
        counts[order, kind] = mapped.astype(np.int64)


def reconcile(
    side: Capacity, wanted: np.ndarray, shares: np.ndarray, rng: np.random.Generator
) -> int:
    """Change ``side.counts`` in place so every parent keeps the rules and each type's total
    is ``wanted`` where the rules allow: rows move between types within a parent first, then
    are added where a parent drew more (or taken where it drew many); returns the rows that
    could not be matched."""
    counts = side.counts
    _within_rules(side, shares, rng)
    for _ in range(counts.sum() + int(np.sum(wanted)) + 1):
        gap = wanted - counts.sum(axis=0)
        if not gap.any():
            break
        moved = _swap(side, gap, rng) or _add_or_take(side, gap, rng)
        if not moved:
            break
    return int(np.abs(wanted - counts.sum(axis=0)).sum())


def _within_rules(side: Capacity, shares: np.ndarray, rng: np.random.Generator) -> None:
    """Every parent's counts inside its bounds: per type, then in all (a type is added to in
    proportion to its real share, taken from at random)."""
    counts = side.counts
    counts[:] = np.clip(counts, side.low, side.high).astype(np.int64)
    for _ in range(int(np.max(counts.sum(axis=1), initial=0)) + counts.shape[1] + 1):
        total = counts.sum(axis=1)
        under = np.flatnonzero(total < side.total_low)
        over = np.flatnonzero(total > side.total_high)
        if not under.size and not over.size:
            return
        for rows, step in ((under, 1), (over, -1)):
            room = (counts[rows] < side.high[rows]) if step > 0 else (counts[rows] > side.low[rows])
            weights = room * (shares[None, :] + 1e-9 if step > 0 else 1.0)
            has = weights.sum(axis=1) > 0
            rows, weights = rows[has], weights[has]
            if rows.size:
                pick = _pick(weights / weights.sum(axis=1, keepdims=True), rng)
                counts[rows, pick] += step


def _pick(probabilities: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One column per row, drawn with the row's probabilities."""
    cumulative = probabilities.cumsum(axis=1)
    draws = rng.random((probabilities.shape[0], 1)) * cumulative[:, -1:]
    picked: np.ndarray = np.minimum((cumulative < draws).sum(axis=1), probabilities.shape[1] - 1)
    return picked


def _swap(side: Capacity, gap: np.ndarray, rng: np.random.Generator) -> bool:
    """Move rows from a type with too many to one with too few within parents: both types'
    bounds kept, the parent's total unchanged."""
    counts, moved = side.counts, False
    for give in np.flatnonzero(gap < 0):
        for take in np.flatnonzero(gap > 0):
            amount = int(min(-gap[give], gap[take]))
            rows = np.flatnonzero(
                (counts[:, give] > side.low[:, give]) & (counts[:, take] < side.high[:, take])
            )
            if amount <= 0 or rows.size == 0:
                continue
            chosen = rng.choice(rows, min(amount, rows.size), replace=False)
            counts[chosen, give] -= 1
            counts[chosen, take] += 1
            gap[give] += chosen.size
            gap[take] -= chosen.size
            moved = True
    return moved


def _add_or_take(side: Capacity, gap: np.ndarray, rng: np.random.Generator) -> bool:
    """Add rows of a type with too few to parents with room (more likely to those that drew
    more), take rows of a type with too many from parents above their bounds."""
    counts, moved = side.counts, False
    total = counts.sum(axis=1)
    for kind in np.flatnonzero(gap):
        if gap[kind] > 0:
            ok = (counts[:, kind] < side.high[:, kind]) & (total < side.total_high)
            weights = counts[:, kind] + 1.0
        else:
            ok = (counts[:, kind] > side.low[:, kind]) & (total > side.total_low)
            weights = counts[:, kind].astype(float)
        rows = np.flatnonzero(ok & (weights > 0))
        if rows.size == 0:
            continue
        amount = min(abs(int(gap[kind])), rows.size)
        chosen = rng.choice(rows, amount, replace=False, p=weights[rows] / weights[rows].sum())
        step = 1 if gap[kind] > 0 else -1
        counts[chosen, kind] += step
        total[chosen] += step
        moved = True
    return moved
