"""Rows made to follow the constraints that say how, with the cells each changed counted."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

import numpy as np
import pandas as pd

from synth_core.data.marginals import FEW_VALUES
from synth_core.data.schema import Schema
from synth_core.generate.constraints.kinds import (
    Constraint,
    DatePart,
    Determines,
    FixedCombinations,
    FixedGap,
    GreaterThan,
    MissingOnlyWhen,
    MissingTogether,
    ProductOf,
    SumOf,
    close_pair,
    date_part,
)


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
        if isinstance(constraint, (SumOf, ProductOf)):
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
    tied = {
        n for c in constraints if isinstance(c, (SumOf, ProductOf, FixedGap)) for n in c.columns
    }
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
