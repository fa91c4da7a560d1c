"""The kinds of rule: what each says, how it is checked on rows, and how it repairs them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from synth_core.errors import SynthCoreError
from synth_core.generate.constraints.learnt import (
    Combinations,
    Donors,
    most_common,
    most_common_in,
)

_EXAMPLES = 3


class ConstraintError(SynthCoreError):
    """A constraint names unknown columns, does not fit their kinds, or the data breaks it."""


@dataclass(frozen=True)
class GreaterThan:
    """``high`` is above ``low`` in every row (e.g. dropoff time after pickup time)."""

    low: str
    high: str
    strict: bool = True

    @property
    def columns(self) -> tuple[str, ...]:
        return (self.low, self.high)

    def describe(self) -> str:
        return f"{self.high} {'>' if self.strict else '≥'} {self.low}"

    def holds(self, df: pd.DataFrame) -> pd.Series:
        low, high = df[self.low], df[self.high]
        ok = high > low if self.strict else high >= low
        return (ok | low.isna() | high.isna()).astype(bool)


@dataclass(frozen=True)
class ValueRange:
    """``column`` stays within [low, high] (either end may be open; ``positive`` is low=0)."""

    column: str
    low: float | None = None
    high: float | None = None
    strict: bool = False

    @property
    def columns(self) -> tuple[str, ...]:
        return (self.column,)

    def describe(self) -> str:
        if self.low is not None and self.high is not None:
            return f"{self.low:g} ≤ {self.column} ≤ {self.high:g}"
        if self.low is not None:
            return f"{self.column} {'>' if self.strict else '≥'} {self.low:g}"
        return f"{self.column} {'<' if self.strict else '≤'} {self.high:g}"

    def holds(self, df: pd.DataFrame) -> pd.Series:
        values = pd.to_numeric(df[self.column], errors="coerce")
        ok = pd.Series(True, index=df.index)
        if self.low is not None:
            ok &= values > self.low if self.strict else values >= self.low
        if self.high is not None:
            ok &= values < self.high if self.strict else values <= self.high
        return (ok | values.isna()).astype(bool)


@dataclass(frozen=True)
class FixedCombinations:
    """Only combinations of these categorical columns that occur in the real data."""

    columns: tuple[str, ...]

    def describe(self) -> str:
        return "only real combinations of " + ", ".join(self.columns)

    def holds_with(self, df: pd.DataFrame, real: pd.DataFrame) -> pd.Series:
        """True where the row's combination is one a real row holds (missing values count as a
        value of their own)."""
        return pd.Series(Combinations.of(real, self.columns).allowed(df), index=df.index)

    def repair_with(self, df: pd.DataFrame, real: pd.DataFrame) -> pd.DataFrame:
        """A row with a combination the real rows lack keeps the column with the most
        categories and takes the others from a real row with that value (drawn in proportion
        to the real rows), so the kept column's shares stay as generated and the others follow
        the real shares given it. Rows with a missing value or an unseen kept value are left to
        rejection."""
        columns = list(self.columns)
        donors = Donors.of(real, self.columns)
        if not len(donors.rows):
            return df
        keep = donors.keep
        others = [c for c in columns if c != keep]
        bad = ~Combinations.of(real, self.columns).allowed(df)
        if not bad.any():
            return df
        rows = df.loc[bad, columns].astype(object)
        present = rows.notna().all(axis=1).to_numpy()
        if not present.any():
            return df
        rows = rows[present]
        bad[np.flatnonzero(bad)[~present]] = False
        digest = pd.util.hash_pandas_object(rows, index=False).to_numpy()
        rng = np.random.default_rng(digest.astype(np.uint64) % np.uint64(2**63))
        out = df.copy()
        for value, positions in rows.groupby(keep, sort=True).indices.items():
            pool = donors.groups.get(value)
            if pool is None:
                continue
            picked = rng.choice(pool, len(positions))
            targets = out.index[np.flatnonzero(bad)[positions]]
            for name in others:
                out.loc[targets, name] = donors.values(name, picked)
        return out


@dataclass(frozen=True)
class FixedGap:
    """``high`` is ``low`` plus ``gap`` (seconds for dates), within ``tolerance`` (the data's
    rounding): e.g. check-out a day after check-in."""

    low: str
    high: str
    gap: float
    tolerance: float = 0.0

    @property
    def columns(self) -> tuple[str, ...]:
        return (self.low, self.high)

    def describe(self) -> str:
        if self.gap == 0:
            return f"{self.high} equals {self.low}"
        return f"{self.high} = {self.low} + {self.gap:g}"

    def _gap(self, values: pd.Series) -> Any:
        if pd.api.types.is_datetime64_any_dtype(values.dtype):
            return pd.Timedelta(seconds=self.gap)
        return self.gap

    def holds(self, df: pd.DataFrame) -> pd.Series:
        low, high = df[self.low], df[self.high]
        expected = low + self._gap(low)
        if pd.api.types.is_datetime64_any_dtype(low.dtype):
            ok = (high - expected).abs() <= pd.Timedelta(seconds=0.5)
        else:
            ok = (pd.to_numeric(high) - expected).abs() <= self.tolerance + 1e-9
        result: pd.Series = (ok | low.isna() | high.isna()).astype(bool)
        return result

    def repair(self, df: pd.DataFrame) -> pd.DataFrame:
        low = df[self.low]
        present = low.notna()
        out = df.copy()
        values = low + self._gap(low)
        out.loc[present, self.high] = values[present].astype(df[self.high].dtype)
        return out


@dataclass(frozen=True)
class Determines:
    """Each value of ``source`` has one value of ``target`` (zone → borough, code → label); the
    pairs are those of the real rows."""

    source: str
    target: str

    @property
    def columns(self) -> tuple[str, ...]:
        return (self.source, self.target)

    def describe(self) -> str:
        return f"each {self.source} has one {self.target}"

    def mapping(self, real: pd.DataFrame) -> pd.Series:
        """The most common target of each source value in the real rows."""
        return most_common_in(real, self.source, lambda: real[self.source], self.target)

    def holds_with(self, df: pd.DataFrame, real: pd.DataFrame) -> pd.Series:
        expected = df[self.source].astype(object).map(self.mapping(real))
        target = df[self.target].astype(object)
        ok = (target == expected) | expected.isna() | target.isna()
        return ok.astype(bool)

    def repair_with(
        self, df: pd.DataFrame, real: pd.DataFrame, mapping: pd.Series | None = None
    ) -> pd.DataFrame:
        mapping = self.mapping(real) if mapping is None else mapping
        expected = df[self.source].astype(object).map(mapping)
        known = expected.notna() & df[self.target].notna()
        out = df.copy()
        out.loc[known, self.target] = expected[known].astype(df[self.target].dtype)
        return out


@dataclass(frozen=True)
class SumOf:
    """``total`` is the sum of ``parts``, within ``tolerance`` (the data's rounding); a missing
    part counts as zero (a tip left empty on a cash fare), and a row with the total or every
    part missing is not checked."""

    total: str
    parts: tuple[str, ...]
    tolerance: float = 0.0

    @property
    def columns(self) -> tuple[str, ...]:
        return (self.total, *self.parts)

    def describe(self) -> str:
        return f"{self.total} = {' + '.join(self.parts)}"

    def _sum(self, df: pd.DataFrame) -> pd.Series:
        parts = df[list(self.parts)].apply(pd.to_numeric, errors="coerce").astype(float)
        total: pd.Series = parts.sum(axis=1, min_count=1)
        return total

    def holds(self, df: pd.DataFrame) -> pd.Series:
        expected = self._sum(df)
        total = pd.to_numeric(df[self.total], errors="coerce").astype(float)
        checked = expected.notna() & total.notna()
        result: pd.Series = ~checked | ((expected - total).abs() <= self.tolerance + 1e-9)
        return result.astype(bool)

    def repair(self, df: pd.DataFrame, decimals: int | None) -> pd.DataFrame:
        total = self._sum(df)
        if decimals is not None:
            total = total.round(decimals)
        present = total.notna() & df[self.total].notna()
        out = df.copy()
        out.loc[present, self.total] = total[present].astype(df[self.total].dtype)
        return out


@dataclass(frozen=True)
class ProductOf:
    """``total`` is ``first`` times ``second`` (payments × duration = amount, price × quantity
    = total), within ``tolerance`` (the data's rounding); a row with a value missing is not
    checked."""

    total: str
    first: str
    second: str
    tolerance: float = 0.0

    @property
    def columns(self) -> tuple[str, ...]:
        return (self.total, self.first, self.second)

    def describe(self) -> str:
        return f"{self.total} = {self.first} × {self.second}"

    def _product(self, df: pd.DataFrame) -> pd.Series:
        first = pd.to_numeric(df[self.first], errors="coerce").astype(float)
        second = pd.to_numeric(df[self.second], errors="coerce").astype(float)
        product: pd.Series = first * second
        return product

    def holds(self, df: pd.DataFrame) -> pd.Series:
        expected = self._product(df)
        total = pd.to_numeric(df[self.total], errors="coerce").astype(float)
        checked = expected.notna() & total.notna()
        result: pd.Series = ~checked | ((expected - total).abs() <= self.tolerance + 1e-9)
        return result.astype(bool)

    def repair(self, df: pd.DataFrame, decimals: int | None) -> pd.DataFrame:
        total = self._product(df)
        if decimals is not None:
            total = total.round(decimals)
        present = total.notna() & df[self.total].notna()
        out = df.copy()
        out.loc[present, self.total] = total[present].astype(df[self.total].dtype)
        return out


@dataclass(frozen=True)
class MissingTogether:
    """These columns are missing in the same rows."""

    columns: tuple[str, ...]

    def describe(self) -> str:
        return f"{' and '.join(self.columns)} are missing together"

    def holds(self, df: pd.DataFrame) -> pd.Series:
        masks = df[list(self.columns)].isna()
        return (masks.all(axis=1) | ~masks.any(axis=1)).astype(bool)

    def repair(self, df: pd.DataFrame) -> pd.DataFrame:
        """The first column's missing values decide; a value missing elsewhere is taken from
        another row (that keeps the rule) where it is present."""
        lead = df[self.columns[0]].isna()
        out = df.copy()
        for name in self.columns[1:]:
            out.loc[lead, name] = None if out[name].dtype == object else np.nan
            gaps = (~lead) & out[name].isna()
            donors = out.loc[(~lead) & out[name].notna(), name]
            if gaps.any() and len(donors):
                positions = np.arange(int(gaps.sum())) % len(donors)
                out.loc[gaps, name] = donors.to_numpy()[positions]
        return out


@dataclass(frozen=True)
class MissingOnlyWhen:
    """``column`` is missing only when ``category`` is ``value`` (``exactly``: then always)."""

    column: str
    category: str
    value: str | bool | float | int
    exactly: bool = False

    @property
    def columns(self) -> tuple[str, ...]:
        return (self.column, self.category)

    def describe(self) -> str:
        when = "exactly when" if self.exactly else "only when"
        return f"{self.column} is missing {when} {self.category} is {self.value}"

    def _is_value(self, df: pd.DataFrame) -> pd.Series:
        return (df[self.category] == self.value).fillna(False).astype(bool)

    def holds(self, df: pd.DataFrame) -> pd.Series:
        missing, is_value = df[self.column].isna(), self._is_value(df)
        ok = ~missing | is_value
        if self.exactly:
            ok &= missing | ~is_value
        return ok.astype(bool)

    def repair(self, df: pd.DataFrame) -> pd.DataFrame:
        """Values missing where they may not be are taken from other rows; with ``exactly``,
        values present where the category says missing are removed."""
        out = df.copy()
        is_value = self._is_value(out)
        gaps = out[self.column].isna() & ~is_value
        donors = out.loc[out[self.column].notna() & ~is_value, self.column]
        if gaps.any() and len(donors):
            positions = np.arange(int(gaps.sum())) % len(donors)
            out.loc[gaps, self.column] = donors.to_numpy()[positions]
        if self.exactly:
            out.loc[is_value, self.column] = None if out[self.column].dtype == object else np.nan
        return out


DATE_PARTS = ("year", "quarter", "month", "weekday", "day", "hour")


_PART_WORDS = {
    "year": "year",
    "quarter": "quarter",
    "month": "month",
    "weekday": "day of the week",
    "day": "day of the month",
    "hour": "hour",
}


_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


_MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip


def date_part(values: pd.Series, part: str) -> pd.Series:
    """One part of each date (weekday 0 = Monday), missing where the date is."""
    dates = pd.to_datetime(values, errors="coerce")
    accessor = dates.dt
    parts = {
        "year": accessor.year,
        "quarter": accessor.quarter,
        "month": accessor.month,
        "weekday": accessor.dayofweek,
        "day": accessor.day,
        "hour": accessor.hour,
    }[part]
    return parts.astype("Int64")


def part_name(part: str, value: int) -> str:
    """A part's value in words: 'Monday', 'March', 'Q2', '2012', '14:00'."""
    if part == "weekday":
        return _WEEKDAYS[int(value)]
    if part == "month":
        return _MONTHS[int(value) - 1]
    if part == "quarter":
        return f"Q{int(value)}"
    if part == "hour":
        return f"{int(value):02d}:00"
    return str(int(value))


@dataclass(frozen=True)
class DatePart:
    """``column`` follows a part of the date in ``date``: a weekday, month or year column
    stored beside the date it was taken from (0 = Sunday, 1 = January, 0 = 2011: the pairs are
    those of the real rows). Kept by moving the date to the nearest one whose part agrees with
    the column (dates that follow it closely move with it), so the column keeps the relations
    the generator learnt for it; or, with ``fill``, by setting the column from the date (when
    moving the dates would distort them: a generator that did not learn the two together)."""

    date: str
    part: str
    column: str
    fill: bool = False

    def filled(self, df: pd.DataFrame, mapping: pd.Series) -> pd.DataFrame:
        """The column set from the date's part, where both are known."""
        expected = date_part(df[self.date], self.part).astype(object).map(mapping)
        known = expected.notna() & df[self.column].notna()
        out = df.copy()
        out.loc[known, self.column] = expected[known].astype(df[self.column].dtype)
        return out

    @property
    def columns(self) -> tuple[str, ...]:
        return (self.date, self.column)

    def describe(self) -> str:
        return f"{self.column} follows the {_PART_WORDS.get(self.part, self.part)} of {self.date}"

    def mapping(self, real: pd.Series | pd.DataFrame) -> pd.Series:
        """The column's most common value for each value of the part, in the real rows."""
        if isinstance(real, pd.Series):
            frame = real.to_frame()
            return most_common(date_part(frame[self.date], self.part), frame[self.column])
        return most_common_in(
            real,
            (self.date, self.part),
            lambda: date_part(real[self.date], self.part),
            self.column,
        )

    def holds_with(self, df: pd.DataFrame, real: pd.DataFrame) -> pd.Series:
        return self._holds(df, self.mapping(real))

    def _holds(self, df: pd.DataFrame, mapping: pd.Series) -> pd.Series:
        expected = date_part(df[self.date], self.part).astype(object).map(mapping)
        value = df[self.column].astype(object)
        ok = (value == expected).fillna(False) | expected.isna() | value.isna()
        return ok.astype(bool)


def close_pair(real: pd.DataFrame, low: str, high: str) -> bool:
    """Whether ``high`` follows ``low`` closely: the typical gap under a tenth of the lower
    column's spread (a dropoff minutes after a pickup over a month of pickups), so that the gap,
    not the second value, is what the rows are about."""
    from synth_core.data.convert import as_float

    start = as_float(real[low])
    gap = as_float(real[high]) - start
    present = ~np.isnan(gap)
    if present.sum() < 2:
        return False
    return bool(np.median(gap[present]) < 0.1 * np.std(start[present]))


Constraint = (
    GreaterThan
    | ValueRange
    | FixedCombinations
    | FixedGap
    | Determines
    | SumOf
    | ProductOf
    | MissingTogether
    | MissingOnlyWhen
    | DatePart
)


def positive(column: str) -> ValueRange:
    """Values above zero."""
    return ValueRange(column, low=0.0, strict=True)
