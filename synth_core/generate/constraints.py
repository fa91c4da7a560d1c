"""Rules every synthetic row must follow: one column above another (or a fixed gap after it),
value ranges, fixed combinations of categories, a column determined by another, a column that is
the sum of others, columns missing together. Written by the user or found in the data
(``synth_core.generate.discover``). Checked on the real data before training; kept after
sampling for every generator: first repaired where the rule says how (a determined column is
filled from its source, a total recomputed from its parts, a gap re-applied, missing values
aligned), then rows that still break a rule are rejected and drawn again. SDV generators also
learn the order rules, so few rows are rejected."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import pandas as pd

from synth_core.data.marginals import FEW_VALUES
from synth_core.data.schema import ColumnKind, Schema
from synth_core.errors import SynthCoreError

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

    def repair_with(self, df: pd.DataFrame, real: pd.DataFrame) -> pd.DataFrame:
        """A row with a combination the real rows lack keeps the column with the most
        categories and takes the others from a real row with that value (drawn in proportion
        to the real rows), so the kept column's shares stay as generated and the others follow
        the real shares given it. Rows with a missing value or an unseen kept value are left to
        rejection."""
        columns = list(self.columns)
        seen = real[columns].astype(object).dropna()
        if seen.empty:
            return df
        keep = max(columns, key=lambda c: (seen[c].nunique(), -columns.index(c)))
        others = [c for c in columns if c != keep]
        rows = df[columns].astype(object)
        allowed = pd.MultiIndex.from_frame(seen.drop_duplicates())
        bad = ~pd.MultiIndex.from_frame(rows).isin(allowed) & rows.notna().all(axis=1).to_numpy()
        if not bad.any():
            return df
        digest = pd.util.hash_pandas_object(rows[bad], index=False).to_numpy()
        rng = np.random.default_rng(digest.astype(np.uint64) % np.uint64(2**63))
        out = df.copy()
        donors = seen.groupby(keep, sort=False).indices
        for value, positions in rows[bad].groupby(keep, sort=True).indices.items():
            pool = donors.get(value)
            if pool is None:
                continue
            picked = seen.iloc[rng.choice(pool, len(positions))]
            targets = out.index[np.flatnonzero(bad)[positions]]
            for name in others:
                out.loc[targets, name] = picked[name].to_numpy()
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


def most_common(source: pd.Series, target: pd.Series) -> pd.Series:
    """The most common target value of each source value (rows with both present)."""
    pairs = pd.DataFrame({"source": source.to_numpy(), "target": target.to_numpy()})
    counts = pairs.dropna().astype(object).groupby(["source", "target"], sort=True).size()
    best = counts.sort_values(ascending=False, kind="stable").reset_index()
    return best.drop_duplicates("source").set_index("source")["target"]


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
        return most_common(real[self.source], real[self.target])

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
        frame = real if isinstance(real, pd.DataFrame) else real.to_frame()
        return most_common(date_part(frame[self.date], self.part), frame[self.column])

    def holds_with(self, df: pd.DataFrame, real: pd.DataFrame) -> pd.Series:
        return self._holds(df, self.mapping(real))

    def _holds(self, df: pd.DataFrame, mapping: pd.Series) -> pd.Series:
        expected = date_part(df[self.date], self.part).astype(object).map(mapping)
        value = df[self.column].astype(object)
        ok = (value == expected).fillna(False) | expected.isna() | value.isna()
        return ok.astype(bool)


def _repair_dates(
    df: pd.DataFrame,
    parts: Sequence[DatePart],
    real: pd.DataFrame,
    followers: Sequence[str],
) -> pd.DataFrame:
    """Rows whose date disagrees with a column taken from it get the closest date that agrees
    with every such column: first the year, then the month (or quarter) set to the nearest
    value the column allows, in whole units, so each date keeps its place within its year and
    month (moving to the nearest agreeing date would pile dates up on the first of January);
    then a few days for a weekday or a day of the month, and hours within that day for an hour.
    Dates stay within the real dates' range; ``followers`` (dates that follow this one closely)
    move by as much. Rows with no such date are left to rejection."""
    name = parts[0].date
    mappings = {p.part: (p, p.mapping(real)) for p in parts}
    broken = np.zeros(len(df), dtype=bool)
    for part, mapping in mappings.values():
        broken |= ~part._holds(df, mapping).to_numpy()
    dates = pd.to_datetime(df[name], errors="coerce")
    real_dates = pd.to_datetime(real[name], errors="coerce").dropna()
    rows = np.flatnonzero(broken & dates.notna().to_numpy())
    if not len(rows) or real_dates.empty:
        return df
    low = real_dates.min().normalize()
    high = real_dates.max().normalize() + pd.Timedelta(days=1)
    start = pd.Series(dates.to_numpy()[rows])
    moved = start.copy()
    for unit in ("year", "quarter", "month"):
        if unit in mappings:
            moved = _move_to_allowed(moved, unit, *mappings[unit], df, rows)
    fine = [mappings[u] for u in ("weekday", "day") if u in mappings]
    if fine:  # a weekday lies within 3 days, or 6 on one side at the edge of a month
        reach = 15 if "day" in mappings else 6
        coarse = [mappings[u] for u in ("year", "quarter", "month") if u in mappings]
        moved = _nearest_agreeing(moved, "D", reach, [*coarse, *fine], df, rows, (low, high))
    if "hour" in mappings:
        others = [mappings[u] for u in mappings if u != "hour"]
        checks = [*others, mappings["hour"]]
        moved = _nearest_agreeing(moved, "h", 23, checks, df, rows, (low, high))
    ok = moved.notna() & (moved >= low) & (moved < high)
    for part, mapping in mappings.values():
        ok &= _agrees(moved, part, mapping, df, rows)
    shift = (moved - start).to_numpy()
    keep = ok.to_numpy() & (shift != np.timedelta64(0, "ns"))
    changed = rows[keep]
    if not len(changed):
        return df
    out = df.copy()
    for column in (name, *followers):
        current = pd.to_datetime(out[column], errors="coerce")
        values = pd.Series(current.to_numpy()[changed] + shift[keep])
        out.loc[out.index[changed], column] = values.astype(current.dtype).to_numpy()
    return out


def _agrees(
    candidate: pd.Series, part: DatePart, mapping: pd.Series, df: pd.DataFrame, rows: np.ndarray
) -> pd.Series:
    """Whether each candidate date's part gives the row's value of ``part.column``."""
    expected = date_part(candidate, part.part).astype(object).map(mapping)
    value = pd.Series(df[part.column].iloc[rows].astype(object).to_numpy())
    return ((value == expected).fillna(False) | value.isna() | expected.isna()).astype(bool)


def _move_to_allowed(
    dates: pd.Series,
    unit: str,
    part: DatePart,
    mapping: pd.Series,
    df: pd.DataFrame,
    rows: np.ndarray,
) -> pd.Series:
    """Dates whose year (quarter, month) gives another value of the column than the row's, set
    to the nearest year (month) that gives it, the day kept (clipped to the month's length)."""
    value = pd.Series(df[part.column].iloc[rows].astype(object).to_numpy())
    wrong = ~_agrees(dates, part, mapping, df, rows) & dates.notna()
    if not wrong.any():
        return dates
    allowed: dict[object, list[int]] = {}
    for key, target in mapping.items():
        allowed.setdefault(target, []).append(int(str(key)))
    year, month = dates.dt.year.to_numpy(), dates.dt.month.to_numpy()
    new_year, new_month = year.copy(), month.copy()
    for target, keys in allowed.items():
        at = np.flatnonzero(wrong.to_numpy() & (value == target).to_numpy())
        if not len(at):
            continue
        if unit == "year":
            choices = np.array(sorted(keys))
            new_year[at] = _nearest(year[at], choices)
        else:
            months = sorted(
                m for m in range(1, 13) if ((m - 1) // 3 + 1 if unit == "quarter" else m) in keys
            )
            new_month[at] = _nearest(month[at], np.array(months))
    day = np.minimum(
        dates.dt.day.to_numpy(),
        pd.to_datetime({"year": new_year, "month": new_month, "day": 1}).dt.days_in_month,
    )
    rebuilt = pd.to_datetime({"year": new_year, "month": new_month, "day": day})
    rebuilt = rebuilt + (dates - dates.dt.normalize())
    return dates.where(~wrong, rebuilt)


def _nearest(current: np.ndarray, choices: np.ndarray) -> np.ndarray:
    """For each current value, the nearest of the (sorted) choices; ties go to the lower."""
    right = np.clip(np.searchsorted(choices, current), 0, len(choices) - 1)
    left = np.clip(right - 1, 0, len(choices) - 1)
    nearer_left = np.abs(current - choices[left]) <= np.abs(choices[right] - current)
    return np.where(nearer_left, choices[left], choices[right])


def _nearest_agreeing(
    dates: pd.Series,
    unit: str,
    reach: int,
    checks: list[tuple[DatePart, pd.Series]],
    df: pd.DataFrame,
    rows: np.ndarray,
    bounds: tuple[pd.Timestamp, pd.Timestamp],
) -> pd.Series:
    """Dates moved by the fewest days (hours) within ±``reach`` that agree with every check,
    within ``bounds`` (from, before)."""
    ok = pd.Series(True, index=dates.index)
    for part, mapping in checks:
        ok &= _agrees(dates, part, mapping, df, rows)
    out = dates.copy()
    todo = np.flatnonzero(~ok.to_numpy() & dates.notna().to_numpy())
    for step in _nearest_first(reach)[1:]:
        if not len(todo):
            break
        candidate = dates.iloc[todo] + (
            pd.Timedelta(hours=step) if unit == "h" else pd.Timedelta(days=step)
        )
        if unit == "h":  # within the same day: the day's parts were settled before
            same = candidate.dt.normalize() == dates.iloc[todo].dt.normalize()
        else:
            same = pd.Series(True, index=candidate.index)
        good = same.to_numpy() & ((candidate >= bounds[0]) & (candidate < bounds[1])).to_numpy()
        for part, mapping in checks:
            good &= _agrees(
                candidate.reset_index(drop=True), part, mapping, df, rows[todo]
            ).to_numpy()
        out.iloc[todo[good]] = candidate.to_numpy()[good]
        todo = todo[~good]
    return out


def _nearest_first(reach: int) -> list[int]:
    """0, -1, 1, -2, 2, ... up to ±reach."""
    return [0] + [sign * k for k in range(1, reach + 1) for sign in (-1, 1)]


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
    | MissingTogether
    | MissingOnlyWhen
    | DatePart
)


def positive(column: str) -> ValueRange:
    """Values above zero."""
    return ValueRange(column, low=0.0, strict=True)


def validate(constraints: tuple[Constraint, ...], schema: Schema, data: pd.DataFrame) -> None:
    """Check names and kinds, then that the real data itself follows every constraint."""
    for constraint in constraints:
        check(constraint, schema)
    for constraint in constraints:
        if isinstance(constraint, FixedCombinations):
            continue  # the real data defines the allowed combinations
        broken = ~_holds(constraint, data, data)
        if broken.any():
            rows = [str(i + 1) for i in np.flatnonzero(broken.to_numpy())[:_EXAMPLES]]
            raise ConstraintError(
                f"{int(broken.sum()):,} rows of the real data break '{constraint.describe()}' "
                f"(e.g. data rows {', '.join(rows)}). Fix those rows or remove the constraint."
            )


def check(constraint: Constraint, schema: Schema) -> None:
    """Refuse unknown columns and columns of the wrong kind."""
    for name in constraint.columns:
        if name not in schema:
            raise ConstraintError(
                f"The constraint '{constraint.describe()}' names an unknown column '{name}'."
            )
    kinds = {name: schema[name].kind for name in constraint.columns}
    ordered = {ColumnKind.NUMERICAL, ColumnKind.DATETIME}
    if isinstance(constraint, GreaterThan):
        if not set(kinds.values()) <= ordered or len(set(kinds.values())) > 1:
            raise ConstraintError(
                f"'{constraint.describe()}' needs two numeric or two date columns; "
                f"got {', '.join(k.value for k in kinds.values())}."
            )
        if constraint.low == constraint.high:
            raise ConstraintError("A column cannot be greater than itself: choose two columns.")
    elif isinstance(constraint, ValueRange):
        if kinds[constraint.column] is not ColumnKind.NUMERICAL:
            raise ConstraintError(f"'{constraint.describe()}' needs a numeric column.")
        if constraint.low is None and constraint.high is None:
            raise ConstraintError(f"Give a lower or an upper bound for '{constraint.column}'.")
        if (
            constraint.low is not None
            and constraint.high is not None
            and constraint.low > constraint.high
        ):
            raise ConstraintError(
                f"In '{constraint.describe()}' the lower bound is above the upper one."
            )
    elif isinstance(constraint, FixedGap):
        if not set(kinds.values()) <= ordered or len(set(kinds.values())) > 1:
            raise ConstraintError(
                f"'{constraint.describe()}' needs two numeric or two date columns."
            )
        if constraint.low == constraint.high:
            raise ConstraintError("A gap needs two different columns.")
    elif isinstance(constraint, SumOf):
        if set(kinds.values()) != {ColumnKind.NUMERICAL}:
            raise ConstraintError(f"'{constraint.describe()}' needs numeric columns.")
        if len(constraint.parts) < 2 or constraint.total in constraint.parts:
            raise ConstraintError(
                "A sum needs a total and at least two other columns as its parts."
            )
    elif isinstance(constraint, MissingTogether):
        if len(set(constraint.columns)) < 2:
            raise ConstraintError("Missing together needs at least two columns.")
    elif isinstance(constraint, DatePart):
        if (
            kinds[constraint.date] is not ColumnKind.DATETIME
            or constraint.date == constraint.column
        ):
            raise ConstraintError(
                f"'{constraint.describe()}' needs a date column and another column."
            )
        if constraint.part not in DATE_PARTS:
            raise ConstraintError(
                f"Unknown part of a date '{constraint.part}': use {', '.join(DATE_PARTS)}."
            )
    else:
        names = {
            FixedCombinations: constraint.columns,
            Determines: constraint.columns,
            MissingOnlyWhen: constraint.columns[1:],
        }[type(constraint)]
        if len(set(constraint.columns)) < 2:
            raise ConstraintError(f"'{constraint.describe()}' needs at least two columns.")
        if not {kinds[n] for n in names} <= {ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN}:
            raise ConstraintError(
                f"'{constraint.describe()}' needs categorical or boolean columns."
            )


def _holds(constraint: Constraint, df: pd.DataFrame, real: pd.DataFrame) -> pd.Series:
    if isinstance(constraint, FixedCombinations):
        columns = list(constraint.columns)
        allowed = pd.MultiIndex.from_frame(real[columns].astype(object).drop_duplicates())
        found = pd.MultiIndex.from_frame(df[columns].astype(object)).isin(allowed)
        return pd.Series(found, index=df.index)
    if isinstance(constraint, (Determines, DatePart)):
        return constraint.holds_with(df, real)
    return constraint.holds(df)


def satisfied(
    df: pd.DataFrame, constraints: tuple[Constraint, ...], real: pd.DataFrame
) -> pd.Series:
    """True for the rows of ``df`` that follow every constraint (combinations and determined
    values from ``real``)."""
    ok = pd.Series(True, index=df.index)
    for constraint in constraints:
        ok &= _holds(constraint, df, real)
    return ok


def holds(constraint: Constraint, df: pd.DataFrame, real: pd.DataFrame) -> np.ndarray:
    """True for the rows of ``df`` that follow ``constraint``."""
    return _holds(constraint, df, real).to_numpy(dtype=bool)


def repair(
    df: pd.DataFrame, constraints: Sequence[Constraint], real: pd.DataFrame, schema: Schema
) -> pd.DataFrame:
    """Rows made to follow the constraints that say how (see ``repair_counted``)."""
    return repair_counted(df, constraints, real, schema)[0]


def repair_counted(
    df: pd.DataFrame, constraints: Sequence[Constraint], real: pd.DataFrame, schema: Schema
) -> tuple[pd.DataFrame, dict[Constraint, np.ndarray]]:
    """Rows made to follow the constraints that say how: a determined column filled from its
    source, a total recomputed from its parts (rounded like the real totals), a gap re-applied,
    missing values aligned, a combination the real rows lack redrawn from the real ones, and
    two values of an order that came out crossed swapped. Ranges are left to rejection.

    Also, per constraint that repaired anything, how many of its values it changed in each row
    (so the notes can say what each rule did to the rows that are kept)."""
    changed: dict[Constraint, np.ndarray] = {}

    def step(constraint: Constraint, before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
        cells = _changed_cells(before, after, constraint.columns)
        if cells.any():
            changed[constraint] = changed.get(constraint, 0) + cells
        return after

    for combination in constraints:
        if isinstance(combination, FixedCombinations):
            df = step(combination, df, combination.repair_with(df, real))
    determined = {c: c.mapping(real) for c in constraints if isinstance(c, Determines)}
    for _ in determined:  # enough passes for a chain A → B → C in any order
        for dependency, mapping in determined.items():
            df = step(dependency, df, dependency.repair_with(df, real, mapping))
    for constraint in constraints:
        if isinstance(constraint, SumOf):
            df = step(constraint, df, constraint.repair(df, schema[constraint.total].decimals))
        elif isinstance(constraint, (FixedGap, MissingTogether, MissingOnlyWhen)):
            df = step(constraint, df, constraint.repair(df))
    by_date: dict[str, list[DatePart]] = {}
    for constraint in constraints:
        if isinstance(constraint, DatePart) and constraint.fill:
            df = step(constraint, df, constraint.filled(df, constraint.mapping(real)))
        elif isinstance(constraint, DatePart):
            by_date.setdefault(constraint.date, []).append(constraint)
    for name, parts in by_date.items():
        followers = _followers(name, constraints, real)
        before = df
        df = _repair_dates(df, parts, real, followers)
        for part in parts:
            moved = _changed_cells(before, df, (name, *followers))
            moved[part._holds(before, part.mapping(real)).to_numpy()] = 0
            if moved.any():
                changed[part] = changed.get(part, 0) + moved
    # Orders last, and not on the columns of a sum or a gap: swapping a total with its fare
    # would undo the sum (and "total ≥ fare" holds once the total is recomputed anyway).
    tied = {n for c in constraints if isinstance(c, (SumOf, FixedGap)) for n in c.columns}
    for order in constraints:
        if isinstance(order, GreaterThan) and not tied & set(order.columns):
            df = step(order, df, _repair_order(df, order, real, schema))
    return df, changed


def _followers(date: str, constraints: Sequence[Constraint], real: pd.DataFrame) -> list[str]:
    """Dates that follow ``date`` closely (orders and gaps after it, and after those): moved
    with it when it is moved."""
    out: list[str] = []
    frontier = [date]
    while frontier:
        low = frontier.pop()
        for c in constraints:
            if (
                isinstance(c, (GreaterThan, FixedGap))
                and c.low == low
                and c.high not in out
                and c.high != date
                and pd.api.types.is_datetime64_any_dtype(real[c.high].dtype)
                and close_pair(real, c.low, c.high)
            ):
                out.append(c.high)
                frontier.append(c.high)
    return out


def _changed_cells(before: pd.DataFrame, after: pd.DataFrame, columns: Sequence[str]) -> np.ndarray:
    """Per row, how many of ``columns`` differ (two missing values are equal)."""
    if before is after:
        return np.zeros(len(before), dtype=np.int64)
    count = np.zeros(len(before), dtype=np.int64)
    for name in dict.fromkeys(columns):
        old, new = before[name], after[name]
        if old.dtype != new.dtype:  # compared as Python values (39 == 39.0)
            old, new = old.astype(object), new.astype(object)
        same = (old == new).fillna(False).to_numpy(dtype=bool)
        same |= (old.isna() & new.isna()).to_numpy(dtype=bool)
        count += ~same
    return count


def _repair_order(
    df: pd.DataFrame, order: GreaterThan, real: pd.DataFrame, schema: Schema
) -> pd.DataFrame:
    """Crossed rows of an order mended: across rows for whole-number columns of few values in
    the real rows (flags, counts: each column's shares kept exactly), within the row otherwise
    (the pair of values kept)."""
    few = all(
        name in schema and schema[name].integer and real[name].nunique(dropna=True) <= FEW_VALUES
        for name in order.columns
    )
    return _exchange_crossed(df, order) if few else _swap_crossed(df, order)


def _exchange_crossed(df: pd.DataFrame, order: GreaterThan) -> pd.DataFrame:
    """Crossed rows (``high`` below ``low``) get their ``low`` value exchanged with a row whose
    ``low`` fits under this row's ``high`` and whose ``high`` is above this row's ``low``: both
    rows then keep the order, and neither column's shares change. A violent reoffence without
    a reoffence, beside a reoffence without violence, become a violent reoffence and a plain
    one; swapping within the row instead took a 10% class to 6%. Rows without such a partner
    are left to rejection."""
    low, high = df[order.low], df[order.high]
    crossed = (high < low).fillna(False).to_numpy(dtype=bool)
    if not crossed.any():
        return df
    lows = low.to_numpy(dtype=object)
    highs = high.to_numpy(dtype=object)
    fine = ~crossed & low.notna().to_numpy() & high.notna().to_numpy()
    digest = pd.util.hash_pandas_object(df.loc[crossed, list(order.columns)], index=False)
    rng = np.random.default_rng(digest.to_numpy().astype(np.uint64) % np.uint64(2**63))
    free = np.flatnonzero(fine)
    free = free[rng.permutation(len(free))]
    used = np.zeros(len(df), dtype=bool)
    values = low.to_numpy(copy=True)
    pairs = pd.DataFrame({"low": lows[crossed], "high": highs[crossed]})
    groups = pairs.groupby(["low", "high"]).indices
    for key, members in groups.items():
        row_low, row_high = cast(tuple[Any, Any], key)
        targets = np.flatnonzero(crossed)[np.asarray(members)]
        fits = free[~used[free]]
        fits = fits[(lows[fits] <= row_high) & (highs[fits] >= row_low)]
        if order.strict:
            fits = fits[(lows[fits] < row_high) & (highs[fits] > row_low)]
        count = min(len(targets), len(fits))
        if not count:
            continue
        chosen, partners = targets[:count], fits[:count]
        values[chosen], values[partners] = lows[partners], lows[chosen]
        used[partners] = True
    out = df.copy()
    out[order.low] = pd.Series(values, index=df.index).astype(low.dtype)
    return out


def _swap_crossed(df: pd.DataFrame, order: GreaterThan) -> pd.DataFrame:
    """Rows where ``high`` came out below ``low`` get the two values swapped: the pair of
    values stays as generated, in the right order (equal values under a strict order are left
    to rejection, and so are columns of different types, e.g. whole numbers and decimals)."""
    low, high = df[order.low], df[order.high]
    if low.dtype != high.dtype:
        return df
    crossed = (high < low).fillna(False).to_numpy(dtype=bool)
    if not crossed.any():
        return df
    out = df.copy()
    rows = out.index[crossed]
    out.loc[rows, order.low] = high[crossed].to_numpy()
    out.loc[rows, order.high] = low[crossed].to_numpy()
    return out


def to_sdv(constraint: Constraint) -> Any | None:
    """The sdv.cag constraint SDV generators learn, or None (enforced after sampling only)."""
    from sdv import cag

    if isinstance(constraint, GreaterThan):
        return cag.Inequality(constraint.low, constraint.high, strict_boundaries=constraint.strict)
    if isinstance(constraint, FixedCombinations):
        return cag.FixedCombinations(list(constraint.columns))
    return None  # value ranges: SDV keeps values within the real range; checked afterwards


def to_dict(constraint: Constraint) -> dict[str, Any]:
    """JSON form for recipes."""
    if isinstance(constraint, GreaterThan):
        return {
            "type": "greater_than",
            "low": constraint.low,
            "high": constraint.high,
            "strict": constraint.strict,
        }
    if isinstance(constraint, ValueRange):
        return {
            "type": "range",
            "column": constraint.column,
            "low": constraint.low,
            "high": constraint.high,
            "strict": constraint.strict,
        }
    if isinstance(constraint, FixedGap):
        return {
            "type": "fixed_gap",
            "low": constraint.low,
            "high": constraint.high,
            "gap": constraint.gap,
            "tolerance": constraint.tolerance,
        }
    if isinstance(constraint, Determines):
        return {"type": "determines", "source": constraint.source, "target": constraint.target}
    if isinstance(constraint, SumOf):
        return {
            "type": "sum",
            "total": constraint.total,
            "parts": list(constraint.parts),
            "tolerance": constraint.tolerance,
        }
    if isinstance(constraint, MissingTogether):
        return {"type": "missing_together", "columns": list(constraint.columns)}
    if isinstance(constraint, DatePart):
        return {
            "type": "date_part",
            "date": constraint.date,
            "part": constraint.part,
            "column": constraint.column,
            "fill": constraint.fill,
        }
    if isinstance(constraint, MissingOnlyWhen):
        return {
            "type": "missing_only_when",
            "column": constraint.column,
            "category": constraint.category,
            "value": constraint.value,
            "exactly": constraint.exactly,
        }
    return {"type": "fixed_combinations", "columns": list(constraint.columns)}


def from_dict(data: dict[str, Any]) -> Constraint:
    """Read a constraint from a recipe; unknown types are refused with the known ones."""
    kind = data.get("type")
    try:
        if kind == "greater_than":
            return GreaterThan(str(data["low"]), str(data["high"]), bool(data.get("strict", True)))
        if kind == "range":
            low, high = data.get("low"), data.get("high")
            return ValueRange(
                str(data["column"]),
                None if low is None else float(low),
                None if high is None else float(high),
                bool(data.get("strict", False)),
            )
        if kind == "positive":  # shorthand for hand-written recipes
            return positive(str(data["column"]))
        if kind == "fixed_combinations":
            return FixedCombinations(tuple(str(c) for c in data["columns"]))
        if kind == "fixed_gap":
            return FixedGap(
                str(data["low"]),
                str(data["high"]),
                float(data["gap"]),
                float(data.get("tolerance", 0.0)),
            )
        if kind == "determines":
            return Determines(str(data["source"]), str(data["target"]))
        if kind == "sum":
            return SumOf(
                str(data["total"]),
                tuple(str(p) for p in data["parts"]),
                float(data.get("tolerance", 0.0)),
            )
        if kind == "missing_together":
            return MissingTogether(tuple(str(c) for c in data["columns"]))
        if kind == "date_part":
            return DatePart(
                str(data["date"]), str(data["part"]), str(data["column"]), bool(data.get("fill"))
            )
        if kind == "missing_only_when":
            value = data["value"]
            if not isinstance(value, (str, bool, int, float)):
                raise TypeError(f"the value {value!r} is not text, a number or true/false")
            return MissingOnlyWhen(
                str(data["column"]), str(data["category"]), value, bool(data.get("exactly"))
            )
    except (KeyError, TypeError, ValueError) as exc:
        raise ConstraintError(f"The constraint {data!r} is incomplete: {exc}.") from None
    raise ConstraintError(
        f"Unknown constraint type {kind!r}: use greater_than, range, positive, "
        "fixed_combinations, fixed_gap, determines, sum, missing_together, missing_only_when "
        "or date_part."
    )
