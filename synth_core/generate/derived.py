"""Columns a generator learns in another form, turned back after sampling: a date that follows
another closely (a dropoff minutes after its pickup, a check-out days after the check-in) is
learnt as the time between them, a number like any other; and a column the generator does not
learn (an ID, replaced personal data, a constant) but that is empty in some rows is learnt as
whether it is filled, so its new values go where rows like the real ones that have it are (a
Senate ID for senators, not for every member of Congress).

Drawn as two dates, such a pair loses what matters: a generator learns each date's spread over
months and the two only loosely together, so a trip "after" its pickup lasted 149 minutes at
the median instead of 11 (and swapping crossed pairs only hid it). Learnt as a gap, the trip's
length is a column the generator models beside distance and fare, and the second date is the
first plus that length."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from synth_core.data.schema import ColumnKind, ColumnSchema, Schema
from synth_core.generate.constraints import Constraint, GreaterThan, close_pair

_UNITS = ((86_400, "days"), (3_600, "hours"), (60, "minutes"), (1, "seconds"))


@dataclass(frozen=True)
class Gap:
    """``end`` is learnt as a whole number of ``unit`` seconds after ``start``."""

    start: str
    end: str
    unit: int
    either_side: bool = False  # no order: the end may come before the start

    def describe(self) -> str:
        words = dict(_UNITS)[self.unit]
        how = (
            f"its time from '{self.start}' (in whole {words}, before or after it)"
            if self.either_side
            else f"the time after '{self.start}' (in whole {words})"
        )
        return (
            f"'{self.end}' is learnt as {how}, so the time between them keeps its real "
            "distribution and its relations to the other columns."
        )


@dataclass(frozen=True)
class Filled:
    """Whether ``column`` (not learnt itself) is filled, learnt as a true/false column ``flag``;
    when a category decides it in every training row (a Senate ID exactly for senators), the
    flag is set from ``source``: filled for the ``when`` values, empty for the others seen."""

    column: str
    flag: str
    share: float  # of the training rows that have a value
    source: str | None = None
    when: tuple[object, ...] = ()
    seen: tuple[object, ...] = ()

    def describe(self) -> str:
        if self.source is None:
            return f"'{self.column}' in {self.share:.0%} of rows"
        values = ", ".join(f"'{v}'" for v in self.when)
        return f"'{self.column}' exactly where '{self.source}' is {values}"

    def decided(self, rows: pd.DataFrame, flags: pd.Series) -> pd.Series:
        """The flags with the source's decision where its value was seen in training."""
        if self.source is None:
            return flags
        value = rows[self.source].astype(object).reset_index(drop=True)
        known = value.isin(list(self.seen)).to_numpy()
        decided = value.isin(list(self.when)).to_numpy()
        return pd.Series(np.where(known, decided, flags.to_numpy()), dtype=bool)


@dataclass(frozen=True)
class Derived:
    """The columns learnt in another form (none by default)."""

    gaps: tuple[Gap, ...] = ()
    filled: tuple[Filled, ...] = ()

    @property
    def ends(self) -> frozenset[str]:
        return frozenset(g.end for g in self.gaps)

    @property
    def flags(self) -> tuple[str, ...]:
        return tuple(f.flag for f in self.filled)

    def flag_of(self, column: str) -> str | None:
        return next((f.flag for f in self.filled if f.column == column), None)

    def schema(self, schema: Schema) -> Schema:
        """The columns the generator learns: each gap's end as a whole number, then the
        filled flags."""
        ends = self.ends
        learnt = tuple(
            ColumnSchema(
                c.name,
                ColumnKind.NUMERICAL,
                integer=True,
                decimals=0,
                reason=f"learnt as the time after '{self._start(c.name)}'",
            )
            if c.name in ends
            else c
            for c in schema
        )
        flags = tuple(
            ColumnSchema(f.flag, ColumnKind.BOOLEAN, reason=f"whether '{f.column}' is filled")
            for f in self.filled
        )
        return Schema(learnt + flags)

    def _start(self, end: str) -> str:
        return next(g.start for g in self.gaps if g.end == end)

    def encode(self, frame: pd.DataFrame, source: pd.DataFrame | None = None) -> pd.DataFrame:
        """Each gap's end replaced by the whole units after its start (missing with either),
        and a flag for each filled column (read from ``source``, the rows ``frame`` was taken
        from, by index)."""
        if not self.gaps and not self.filled:
            return frame
        out = frame.copy()
        for filled in self.filled:
            assert source is not None, "the filled flags are read from the table's rows"
            out[filled.flag] = source.loc[frame.index, filled.column].notna().to_numpy()
        for gap in self.gaps:
            delta = pd.to_datetime(frame[gap.end]) - pd.to_datetime(frame[gap.start])
            units = delta.dt.total_seconds() / gap.unit
            out[gap.end] = units.round().astype("Int64")
        return out

    def decode(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Each gap's end as its start plus the gap, starts first (a chain a → b → c)."""
        if not self.gaps:
            return frame
        out = frame.copy()
        done: set[str] = set()
        pending = list(self.gaps)
        while pending:
            ready = [g for g in pending if g.start not in self.ends or g.start in done]
            for gap in ready:
                start = pd.to_datetime(out[gap.start], errors="coerce")
                units = pd.to_numeric(out[gap.end], errors="coerce").astype("float64")
                out[gap.end] = start + pd.to_timedelta(units.round() * gap.unit, unit="s")
                done.add(gap.end)
            pending = [g for g in pending if g not in ready]
        return out


_SOURCE_VALUES = 20  # a category deciding where a column is filled has at most this many
_SOURCE_ROWS = 5  # ... and at least this many rows of each


def find_filled(
    columns: Sequence[str], train: pd.DataFrame, taken: Sequence[str], schema: Schema
) -> list[Filled]:
    """A flag for each of ``columns`` that is empty in some training rows but not all (its
    flag's name avoids the ``taken`` column names), with the learnt category of ``schema`` that
    decides it in every training row, if one does."""
    out = []
    names = set(taken)
    categories = [
        c.name
        for c in schema
        if c.kind in (ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN)
        and 2 <= train[c.name].nunique(dropna=True) <= _SOURCE_VALUES
    ]
    for column in columns:
        present = train[column].notna()
        share = float(present.mean()) if len(train) else 0.0
        if not 0.0 < share < 1.0:
            continue
        flag = f"{column} (filled)"
        while flag in names:
            flag += "_"
        names.add(flag)
        out.append(Filled(column, flag, share, *_deciding(present, train, categories)))
    return out


def _deciding(
    present: pd.Series, train: pd.DataFrame, categories: Sequence[str]
) -> tuple[str | None, tuple[object, ...], tuple[object, ...]]:
    """The category (fewest values first) whose every value is always filled or always empty
    in ``present``, each value on at least _SOURCE_ROWS rows: (name, filled values, values)."""
    ordered = sorted(categories, key=lambda name: train[name].nunique(dropna=True))
    for name in ordered:
        values = train[name].astype(object)
        frame = pd.DataFrame({"value": values, "present": present}).dropna(subset=["value"])
        if len(frame) < len(train):
            continue  # a missing category could not decide
        groups = frame.groupby("value")["present"].agg(["min", "max", "size"])
        if (groups["size"] < _SOURCE_ROWS).any() or (groups["min"] != groups["max"]).any():
            continue
        when = tuple(groups.index[groups["min"].astype(bool)])
        if 0 < len(when) < len(groups):
            return name, when, tuple(groups.index)
    return None, (), ()


def find_gaps(constraints: Sequence[Constraint], train: pd.DataFrame, schema: Schema) -> Derived:
    """The gaps to learn: for each date that an order keeps after another date closely
    (``constraints.close_pair``) and that is present only where that date is, the closest such
    start; then dates that move with another without an order (``concentrated``); the unit is
    the coarsest (day, hour, minute, second) every real gap is a whole number of. Dates with
    fractions of a second between them are left as they are."""
    dates = {c.name for c in schema if c.kind is ColumnKind.DATETIME}
    chosen: dict[str, tuple[float, Gap]] = {}
    for constraint in constraints:
        if not isinstance(constraint, GreaterThan):
            continue
        start, end = constraint.low, constraint.high
        if not {start, end} <= dates or not close_pair(train, start, end):
            continue
        first, second = pd.to_datetime(train[start]), pd.to_datetime(train[end])
        if (second.notna() & first.isna()).any():
            continue  # an end without its start could not be made from a gap
        unit = _unit_of(train, start, end)
        if unit is None:
            continue
        typical = float(np.median((second - first).dropna().dt.total_seconds())) * 1e9
        if end not in chosen or typical < chosen[end][0]:
            chosen[end] = (typical, Gap(start, end, unit))
    for start, end, typical in concentrated(train, sorted(dates), set(chosen)):
        unit = _unit_of(train, start, end)
        if unit is not None and end not in chosen:
            chosen[end] = (typical, Gap(start, end, unit, either_side=True))
    gaps = _acyclic([gap for _, gap in chosen.values()])
    return Derived(tuple(gaps))


CONCENTRATED = 0.1  # two dates whose gap is this small against the first's spread move together


def concentrated(
    train: pd.DataFrame, dates: Sequence[str], ends: set[str]
) -> list[tuple[str, str, float]]:
    """Pairs of dates that move together without an order (a screening within a day of the
    jail entry, either side of it: 65% of a recidivism table's rows), as (start, end, typical
    gap): the typical gap and the middle half of the gaps both under a tenth of the start's
    spread. The start is the coarser date (a day without a time, so a time of day is learnt as
    part of the gap, never cut off a date), else the earlier one on average; each end once, its
    closest start; the end is present only where the start is."""
    stamps = {name: pd.to_datetime(train[name]) for name in dates}
    whole_days = {
        name: bool((values.dropna() == values.dropna().dt.normalize()).all())
        for name, values in stamps.items()
    }
    found: dict[str, tuple[float, str]] = {}
    for first in dates:
        for second in dates:
            if first == second or second in ends or (whole_days[second] and not whole_days[first]):
                continue
            start, end = stamps[first], stamps[second]
            both = start.notna() & end.notna()
            if both.sum() < 20 or (end.notna() & start.isna()).any():
                continue
            delta = (end[both] - start[both]).dt.total_seconds().to_numpy()
            spread = float(np.std(start[both].astype("int64").to_numpy() / 1e9))
            middle = float(np.subtract(*np.quantile(delta, [0.75, 0.25])))
            typical = float(np.median(delta))
            if whole_days[first] == whole_days[second] and typical < 0:
                continue  # alike: the later one is the end
            close = spread > 0 and max(abs(typical), middle) < CONCENTRATED * spread
            if close and (second not in found or abs(typical) < found[second][0]):
                found[second] = (abs(typical), first)
    return [(first, second, typical) for second, (typical, first) in found.items()]


def _unit_of(train: pd.DataFrame, start: str, end: str) -> int | None:
    """The coarsest unit (day, hour, minute, second) every real gap is a whole number of."""
    first, second = pd.to_datetime(train[start]), pd.to_datetime(train[end])
    delta = (second - first).dropna().to_numpy(dtype="timedelta64[ns]").astype(np.int64)
    if not len(delta):
        return None
    return next((u for u, _ in _UNITS if not (delta % (u * 1_000_000_000)).any()), None)


def _acyclic(gaps: list[Gap]) -> list[Gap]:
    """Gaps whose chains of starts end at a date learnt as it is (ties in an order of equal
    dates could otherwise loop)."""
    by_end = {g.end: g for g in gaps}
    kept = []
    for gap in gaps:
        seen, start = {gap.end}, gap.start
        while start in by_end and start not in seen:
            seen.add(start)
            start = by_end[start].start
        if start not in seen:
            kept.append(gap)
    return kept
