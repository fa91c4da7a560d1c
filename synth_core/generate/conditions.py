"""What to sample: rows with fixed values, a rebalanced column, a tail of a numeric column, or a
scenario plan (a small tree of conditions with a row quota per leaf, after IBM's LAB method).

Every request becomes RowRequests: a number of rows, column values that must be equal, and
numeric or date ranges. Generators that can condition fill the equal values directly; anything
else is reached by rejection sampling (draw, keep matching rows, stop at a cap)."""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from synth_core.data.convert import shown
from synth_core.data.schema import ColumnKind, Schema
from synth_core.errors import SynthCoreError

RARE_SHARE = 0.01
RARE_ROWS = 5


class ConditionError(SynthCoreError):
    """A condition names an unknown column or value, or asks for something impossible."""


@dataclass(frozen=True)
class RowRequest:
    """``rows`` rows whose columns equal ``equals`` and lie within ``ranges`` (inclusive)."""

    rows: int
    equals: Mapping[str, Any] = field(default_factory=dict)
    ranges: Mapping[str, tuple[Any, Any]] = field(default_factory=dict)
    label: str = ""

    def describe(self) -> str:
        if self.label:
            return self.label
        parts = [f"{k} = {v}" for k, v in self.equals.items()]
        parts += [_range_text(k, low, high) for k, (low, high) in self.ranges.items()]
        return ", ".join(parts) or "any row"

    def matches(self, df: pd.DataFrame) -> pd.Series:
        """Rows of ``df`` that satisfy the request."""
        ok = pd.Series(True, index=df.index)
        for name, value in self.equals.items():
            column = df[name]
            ok &= (
                column.isna()
                if _is_missing(value)
                else (column == value).fillna(False).astype(bool)
            )
        for name, (low, high) in self.ranges.items():
            column = df[name]
            if low is not None:
                ok &= (column >= low).fillna(False).astype(bool)
            if high is not None:
                ok &= (column <= high).fillna(False).astype(bool)
        return ok


def _is_missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _range_text(name: str, low: Any, high: Any) -> str:
    if low is not None and high is not None:
        return f"{low} ≤ {name} ≤ {high}"
    return f"{name} ≥ {low}" if low is not None else f"{name} ≤ {high}"


def validate(requests: Sequence[RowRequest], schema: Schema, real: pd.DataFrame) -> None:
    """Unknown columns, wrong kinds and values the column never takes are refused."""
    if not requests:
        raise ConditionError("Give at least one condition.")
    for request in requests:
        if request.rows < 1:
            raise ConditionError(
                f"'{request.describe()}' asks for {request.rows} rows; ask for at least 1."
            )
        for name, value in request.equals.items():
            if name not in schema or name not in real.columns:
                raise ConditionError(f"There is no column '{name}' to condition on.")
            discrete = schema[name].kind in (ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN)
            if discrete and not _is_missing(value) and not (real[name] == value).any():
                raise ConditionError(
                    f"'{name}' never takes the value {shown(value)} in the real data, so no "
                    "generator can learn it. Choose one of its values."
                )
        for name in request.ranges:
            if name not in schema or schema[name].kind not in (
                ColumnKind.NUMERICAL,
                ColumnKind.DATETIME,
            ):
                raise ConditionError(
                    f"A range needs a numeric or date column; '{name}' is not one."
                )


def fixed_values(values: Mapping[str, Any], rows: int) -> list[RowRequest]:
    """``rows`` rows with the given column values (e.g. 500 rows with smoker = yes)."""
    return [RowRequest(rows, dict(values))]


def rebalance(column: str, shares: Mapping[Any, float], rows: int) -> list[RowRequest]:
    """``rows`` rows whose ``column`` follows ``shares`` (e.g. 50/50 for a rare class)."""
    total = sum(shares.values())
    if total <= 0 or any(s < 0 for s in shares.values()):
        raise ConditionError("Shares must be positive and add up to more than zero.")
    counts = _apportion([s / total for s in shares.values()], rows)
    return [
        RowRequest(count, {column: value}, label=f"{column} = {value}")
        for value, count in zip(shares, counts, strict=True)
        if count > 0
    ]


def _apportion(shares: list[float], rows: int) -> list[int]:
    """Whole row counts in proportion to ``shares`` that add up to ``rows`` (largest remainder)."""
    exact = [share * rows for share in shares]
    counts = [math.floor(x) for x in exact]
    for i in sorted(range(len(exact)), key=lambda k: exact[k] - counts[k], reverse=True)[
        : rows - sum(counts)
    ]:
        counts[i] += 1
    return counts


def tail(
    column: str, real: pd.Series, rows: int, upper: bool = True, share: float = 0.05
) -> list[RowRequest]:
    """``rows`` rows from the top (or bottom) ``share`` of the real ``column``'s values."""
    present = real.dropna()
    if present.empty:
        raise ConditionError(f"'{column}' has no values to take a tail from.")
    if not 0 < share < 1:
        raise ConditionError("The tail share must be between 0 and 1, e.g. 0.05 for 5%.")
    threshold = present.quantile(1 - share if upper else share)
    bounds = (threshold, None) if upper else (None, threshold)
    side = "top" if upper else "bottom"
    return [RowRequest(rows, ranges={column: bounds}, label=f"{side} {share:.0%} of {column}")]


@dataclass(frozen=True)
class ScenarioLevel:
    """One level of a scenario tree: a column and the branches to create under every node.

    Categorical and boolean columns branch on values; numeric and date columns on bands
    (low, high, label), inclusive at both ends."""

    column: str
    values: tuple[Any, ...] = ()
    bands: tuple[tuple[Any, Any, str], ...] = ()


def quantile_bands(real: pd.Series, count: int) -> tuple[tuple[Any, Any, str], ...]:
    """``count`` bands of roughly equal real rows, e.g. age bands (dates give date bands)."""
    present = real.dropna()
    if present.empty:
        raise ConditionError("The column has no values to cut into bands.")
    edges = present.quantile(np.linspace(0, 1, count + 1)).drop_duplicates().tolist()
    return tuple(
        (low, high, f"{_label(low)} to {_label(high)}") for low, high in itertools.pairwise(edges)
    )


def _label(value: Any) -> str:
    if isinstance(value, pd.Timestamp):
        return str(value.date()) if value == value.normalize() else str(value)
    return f"{value:g}" if isinstance(value, int | float | np.number) else str(value)


def scenario_requests(
    levels: Sequence[ScenarioLevel], quota: int | Mapping[str, int]
) -> list[RowRequest]:
    """One RowRequest per leaf of the tree: every combination of the levels' branches."""
    if not levels:
        raise ConditionError("A scenario plan needs at least one level.")
    branches: list[list[tuple[dict[str, Any], dict[str, tuple[Any, Any]], str]]] = []
    for level in levels:
        if level.values:
            branches.append(
                [({level.column: v}, {}, f"{level.column} = {v}") for v in level.values]
            )
        elif level.bands:
            branches.append(
                [
                    ({}, {level.column: (lo, hi)}, f"{level.column} {label}")
                    for lo, hi, label in level.bands
                ]
            )
        else:
            raise ConditionError(f"The level '{level.column}' has no values or bands.")
    requests = []
    for path in itertools.product(*branches):
        equals: dict[str, Any] = {}
        ranges: dict[str, tuple[Any, Any]] = {}
        for branch_equals, branch_ranges, _ in path:
            equals.update(branch_equals)
            ranges.update(branch_ranges)
        label = " → ".join(text for _, _, text in path)
        rows = quota if isinstance(quota, int) else int(quota.get(label, 0))
        if rows > 0:
            requests.append(RowRequest(rows, equals, ranges, label=label))
    if not requests:
        raise ConditionError("Every leaf has a quota of 0 rows: give some leaves rows.")
    return requests


@dataclass(frozen=True)
class LeafCoverage:
    label: str
    requested: int
    produced: int
    real_rows: int
    real_share: float

    @property
    def status(self) -> str:
        if self.real_rows == 0:
            return "absent in the real data: extrapolation"
        if self.real_rows < RARE_ROWS or self.real_share < RARE_SHARE:
            return "rare in the real data: extrapolation"
        return "covered"


def coverage(
    requests: Sequence[RowRequest], produced: Sequence[int], real: pd.DataFrame
) -> list[LeafCoverage]:
    """Per leaf: rows asked for, rows produced, and how often the real data has such rows."""
    result = []
    for request, count in zip(requests, produced, strict=True):
        real_rows = int(request.matches(real).sum())
        result.append(
            LeafCoverage(
                request.describe(), request.rows, count, real_rows, real_rows / max(len(real), 1)
            )
        )
    return result
