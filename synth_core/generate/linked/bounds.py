"""Rules along paths: a table's date (or year) at or after / at or before a date of a row above
it, one link away (a loan after its account was opened) or several (a card issued after the
account of its disp row was opened), found in the whole real set and kept in every synthetic
row once each row has its parents."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from synth_core.data.database import Links
from synth_core.data.schema import ColumnKind, ColumnSchema, Schema
from synth_core.generate.linked.paths import Path, along, end, paths_up, through

HOLDS = 0.995  # a bound holds in this share of real rows at least
MIN_ROWS = 20  # real rows with both values a bound needs
GAP_QUANTILES = 101  # real gaps remembered per side, to place a moved value like real ones
_BOUND_KINDS = (ColumnKind.NUMERICAL, ColumnKind.DATETIME)


@dataclass(frozen=True)
class Side:
    """A column of the table at the end of ``path``: one end of a bound."""

    path: Path
    column: str
    kind: ColumnKind
    gaps: tuple[float, ...] = ()  # quantiles of |child - this side| in the real rows

    def describe(self) -> str:
        return f"{end(self.path)}.{self.column}{through(self.path)}"


@dataclass(frozen=True)
class Bound:
    """``table.column`` lies at or after ``lower`` and at or before ``upper`` in every real row
    that has both (99.5% at least)."""

    table: str
    column: str
    kind: ColumnKind
    lower: Side | None
    upper: Side | None

    @property
    def sides(self) -> tuple[Side, ...]:
        return tuple(s for s in (self.lower, self.upper) if s is not None)

    def years(self, side: Side) -> bool:
        """The table holds years and the side dates."""
        return self.kind is ColumnKind.NUMERICAL and side.kind is ColumnKind.DATETIME

    def describe(self) -> str:
        sides = [
            f"at or after {self.lower.describe()}" if self.lower else "",
            f"at or before {self.upper.describe()}" if self.upper else "",
        ]
        return f"{self.table}.{self.column} " + " and ".join(s for s in sides if s)

    def kept(self, tables: Mapping[str, pd.DataFrame]) -> float | None:
        """Share of the table's rows (with their own value and each side's present) keeping
        the bound; None when no row has them all."""
        rows = tables[self.table]
        value = as_number(rows[self.column], _kind_of(rows[self.column], self.kind))
        present = ~np.isnan(value)
        ok = np.ones(len(rows), dtype=bool)
        for side in self.sides:
            limit = _values(side, rows, tables, self.years(side))
            present &= ~np.isnan(limit)
            ok &= (value <= limit) if side is self.upper else (value >= limit)
        return float(ok[present].mean()) if present.any() else None


def as_number(values: pd.Series, kind: ColumnKind, years: bool = False) -> np.ndarray:
    """Numbers to compare: dates as nanoseconds (or their years), anything else as floats."""
    if kind is ColumnKind.DATETIME:
        stamps = pd.to_datetime(values, errors="coerce")
        if years:
            return stamps.dt.year.to_numpy(dtype=float, na_value=np.nan)
        nanoseconds = stamps.astype("datetime64[ns]").astype("int64")
        return nanoseconds.where(stamps.notna()).to_numpy(dtype=float, na_value=np.nan)
    return pd.to_numeric(values, errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def _kind_of(values: pd.Series, kind: ColumnKind) -> ColumnKind:
    """A column's kind as its values are held (a date read back from a file is text)."""
    if kind is ColumnKind.DATETIME or pd.api.types.is_datetime64_any_dtype(values):
        return ColumnKind.DATETIME
    return ColumnKind.NUMERICAL


def _values(
    side: Side, rows: pd.DataFrame, tables: Mapping[str, pd.DataFrame], years: bool
) -> np.ndarray:
    reached = along(side.path, rows, tables)[side.column]
    return as_number(reached, _kind_of(reached, side.kind), years)


def _year_like(values: np.ndarray) -> bool:
    present = values[~np.isnan(values)]
    return bool(present.size) and bool(
        np.all((present >= 1000) & (present <= 2999) & (present == np.round(present)))
    )


def _boundable(column: ColumnSchema, values: np.ndarray) -> bool:
    """Dates and years only: between other numbers (a count and a height) an order that held
    in every real row is too often chance."""
    if column.kind is ColumnKind.DATETIME:
        return True
    return column.kind is ColumnKind.NUMERICAL and _year_like(values)


def find_bounds(
    tables: Mapping[str, pd.DataFrame], schemas: Mapping[str, Schema], links: Links
) -> dict[str, tuple[Bound, ...]]:
    """Per table, its dates (or years) that stay at or after / at or before a date (or year)
    of a row above it (one link or more) in 99.5% of the real rows or more (20 rows with both
    at least), the tightest on each side (the smallest median gap, the shorter path first)."""
    keys = {c for r in links.relations for c in (r.child_key, r.parent_key)}
    found: dict[str, tuple[Bound, ...]] = {}
    for name, frame in tables.items():
        paths = paths_up(name, links.relations)
        if not paths:
            continue
        reached = {path: along(path, frame, tables) for path in paths}
        bounds = []
        for column in schemas[name]:
            values = as_number(frame[column.name], column.kind)
            if column.name in keys or not _boundable(column, values):
                continue
            bound = _bound_of(name, column, values, reached, schemas)
            if bound is not None:
                bounds.append(bound)
        if bounds:
            found[name] = tuple(bounds)
    return found


def _bound_of(
    name: str,
    column: ColumnSchema,
    values: np.ndarray,
    reached: Mapping[Path, pd.DataFrame],
    schemas: Mapping[str, Schema],
) -> Bound | None:
    best: dict[str, tuple[float, int, Side]] = {}
    for path, rows in reached.items():
        for other in schemas[end(path)]:
            if other.name not in rows.columns:
                continue
            years = other.kind is ColumnKind.DATETIME and column.kind is ColumnKind.NUMERICAL
            bound = as_number(rows[other.name], _kind_of(rows[other.name], other.kind), years)
            if not _boundable(other, bound):
                continue
            both = ~(np.isnan(values) | np.isnan(bound))
            if both.sum() < MIN_ROWS or np.all(values[both] == bound[both]):
                continue
            gap = values[both] - bound[both]
            centre = float(np.median(gap))
            spread = np.quantile(np.abs(gap), np.linspace(0, 1, GAP_QUANTILES))
            side = Side(path, other.name, other.kind, tuple(float(g) for g in spread))
            rank = len(path)
            if np.mean(gap >= 0) >= HOLDS and (centre, rank) < best.get("lower", (np.inf, 9))[:2]:
                best["lower"] = (centre, rank, side)
            if np.mean(gap <= 0) >= HOLDS and (-centre, rank) < best.get("upper", (np.inf, 9))[:2]:
                best["upper"] = (-centre, rank, side)
    if not best:
        return None
    lower, upper = best.get("lower"), best.get("upper")
    return Bound(
        name,
        column.name,
        column.kind,
        lower[2] if lower else None,
        upper[2] if upper else None,
    )


def transfer(
    bound: Bound,
    synthetic: pd.DataFrame,
    tables: Mapping[str, pd.DataFrame],
    drawn: Mapping[Side, str],
    schema: Schema,
    rng: np.random.Generator,
) -> int:
    """Keep ``bound`` in every synthetic row: a value that breaks it against the row's own
    parents (reached through ``tables``) moves from its place between the bounds it was drawn
    with (the context columns named in ``drawn``) to the same place between its own; without a
    drawn place, to a gap drawn from the real gaps. The values that moved are counted."""
    column = schema[bound.column]
    value = as_number(synthetic[bound.column], column.kind)
    limits = {s: _values(s, synthetic, tables, bound.years(s)) for s in bound.sides}
    was = {
        s: as_number(synthetic[drawn[s]], s.kind, bound.years(s))
        for s in bound.sides
        if drawn.get(s) in synthetic.columns
    }
    low = limits.get(bound.lower) if bound.lower else None
    high = limits.get(bound.upper) if bound.upper else None
    broken = np.zeros(len(value), dtype=bool)
    if low is not None:
        broken |= value < low
    if high is not None:
        broken |= value > high
    if not broken.any():
        return 0
    new = _placed(bound, value, low, high, was, rng)
    if column.kind is ColumnKind.NUMERICAL and (
        column.integer or any(bound.years(s) for s in bound.sides)
    ):
        new = np.round(new)
        if low is not None:
            new = np.where(np.isnan(low), new, np.fmax(new, np.ceil(low)))
        if high is not None:
            new = np.where(np.isnan(high), new, np.fmin(new, np.floor(high)))
    new = np.where(broken & ~np.isnan(new), new, value)
    changed = ~np.isnan(value) & (new != value)
    if changed.any():
        synthetic[bound.column] = like_original(new, synthetic[bound.column], column)
    return int(changed.sum())


def _placed(
    bound: Bound,
    value: np.ndarray,
    low: np.ndarray | None,
    high: np.ndarray | None,
    was: Mapping[Side, np.ndarray],
    rng: np.random.Generator,
) -> np.ndarray:
    """Where each value goes between its own bounds (see ``transfer``)."""
    drawn_low = was.get(bound.lower) if bound.lower else None
    drawn_high = was.get(bound.upper) if bound.upper else None
    if low is not None and high is not None:
        share = np.full(len(value), np.nan)
        if drawn_low is not None and drawn_high is not None:
            width = drawn_high - drawn_low
            with np.errstate(divide="ignore", invalid="ignore"):
                share = np.where(width > 0, (value - drawn_low) / width, np.nan)
        fresh = rng.random(len(value))
        share = np.where(np.isnan(share) | (share < 0) | (share > 1), fresh, share)
        placed = low + share * (high - low)
        return np.where(high >= low, placed, low)
    if low is not None:
        assert bound.lower is not None
        offset = value - drawn_low if drawn_low is not None else np.full(len(value), np.nan)
        gap = _real_gaps(bound.lower, len(value), rng)
        return low + np.where(np.isnan(offset) | (offset < 0), gap, offset)
    assert high is not None
    assert bound.upper is not None
    offset = drawn_high - value if drawn_high is not None else np.full(len(value), np.nan)
    gap = _real_gaps(bound.upper, len(value), rng)
    return high - np.where(np.isnan(offset) | (offset < 0), gap, offset)


def _real_gaps(side: Side, rows: int, rng: np.random.Generator) -> np.ndarray:
    """Gaps drawn from the real ones between the column and this side (interpolated)."""
    if not side.gaps:
        return np.zeros(rows)
    quantiles = np.asarray(side.gaps)
    drawn: np.ndarray = np.interp(rng.random(rows), np.linspace(0, 1, quantiles.size), quantiles)
    return drawn


def like_original(values: np.ndarray, original: pd.Series, column: ColumnSchema) -> pd.Series:
    """``values`` (numbers, or nanoseconds for dates) in ``original``'s dtype."""
    if column.kind is ColumnKind.DATETIME:
        stamps = pd.to_datetime(pd.Series(values, index=original.index), unit="ns")
        current = pd.to_datetime(original, errors="coerce")
        if (current.dropna() == current.dropna().dt.normalize()).all():
            stamps = stamps.dt.normalize()
        return stamps.astype(original.dtype) if original.dtype.kind == "M" else stamps
    series = pd.Series(values, index=original.index)
    if original.dtype.kind in "iu" or str(original.dtype) in ("Int64", "Int32"):
        return series.round().astype("Int64").astype(original.dtype)
    return series.astype(original.dtype)


def context_sides(bounds: Sequence[Bound]) -> list[Side]:
    """The sides of ``bounds`` more than one link away: their columns join the context the
    table's rows are drawn with (the account's opening date for a card)."""
    return list(dict.fromkeys(s for b in bounds for s in b.sides if len(s.path) > 1))
