"""Rules across a link: a child's date (or year) at or after / at or before its parent's, found
in the real rows and kept in every synthetic row once each child has its parent."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from synth_core.data.database import (
    Relation,
    key_text,
)
from synth_core.data.schema import ColumnKind, ColumnSchema, Schema

HOLDS = 0.995  # a date bound across a link holds in this share of real rows at least


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


_BOUND_KINDS = (ColumnKind.NUMERICAL, ColumnKind.DATETIME)


def as_number(values: pd.Series, kind: ColumnKind, years: bool = False) -> np.ndarray:
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


def find_bounds(
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
        values = as_number(child[column.name], column.kind)
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
                as_number(parent_rows[name], other.kind)
            ):
                continue
            bound = as_number(parent_rows[name], other.kind, years)
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


def transfer_bounds(
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
        value = as_number(synthetic[bound.column], column.kind)
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
        synthetic[bound.column] = like_original(new, synthetic[bound.column], column)
    return moved


def _side(name: str | None, source: pd.DataFrame, prefix: str, years: bool) -> np.ndarray | None:
    """A bound's values as numbers (dates: nanoseconds, or years), or None when there is none."""
    if name is None:
        return None
    values = source[prefix + name]
    dated = pd.api.types.is_datetime64_any_dtype(values)
    return as_number(values, ColumnKind.DATETIME if dated else ColumnKind.NUMERICAL, years)


def like_original(values: np.ndarray, original: pd.Series, column: ColumnSchema) -> pd.Series:
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


def bound_kept(
    tables: Mapping[str, pd.DataFrame], relation: Relation, bound: Bound
) -> float | None:
    """Share of child rows (with their parent's bounds and their own value present) that keep
    ``bound`` across ``relation``; None when no row has all of them."""
    child, parent = tables[relation.child], tables[relation.parent]
    positions = pd.Index(key_text(parent[relation.parent_key])).get_indexer(
        pd.Index(key_text(child[relation.child_key]))
    )
    found = positions >= 0
    rows = parent.iloc[positions[found]].reset_index(drop=True)
    values = child[bound.column][found].reset_index(drop=True)
    dated = pd.api.types.is_datetime64_any_dtype(values)
    value = as_number(values, ColumnKind.DATETIME if dated else ColumnKind.NUMERICAL)
    keep = ~np.isnan(value)
    ok = np.ones(len(value), dtype=bool)
    for name, upper in ((bound.lower, False), (bound.upper, True)):
        limit = _side(name, rows, "", bound.years)
        if limit is None:
            continue
        keep &= ~np.isnan(limit)
        ok &= (value <= limit) if upper else (value >= limit)
    return float(ok[keep].mean()) if keep.any() else None
