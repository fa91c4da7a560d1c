"""Rules every synthetic row must follow: one column above another, value ranges, fixed
combinations of categories. Checked on the real data before training; enforced after sampling
for every generator (SDV generators also learn them, so few rows are rejected)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

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


Constraint = GreaterThan | ValueRange | FixedCombinations


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
        broken = ~constraint.holds(data)
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
    else:
        if len(constraint.columns) < 2:
            raise ConstraintError("Fixed combinations need at least two columns.")
        if not set(kinds.values()) <= {ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN}:
            raise ConstraintError(
                f"'{constraint.describe()}' needs categorical or boolean columns."
            )


def satisfied(
    df: pd.DataFrame, constraints: tuple[Constraint, ...], real: pd.DataFrame
) -> pd.Series:
    """True for the rows of ``df`` that follow every constraint (combinations from ``real``)."""
    ok = pd.Series(True, index=df.index)
    for constraint in constraints:
        if isinstance(constraint, FixedCombinations):
            columns = list(constraint.columns)
            allowed = pd.MultiIndex.from_frame(real[columns].astype(object).drop_duplicates())
            ok &= pd.MultiIndex.from_frame(df[columns].astype(object)).isin(allowed)
        else:
            ok &= constraint.holds(df)
    return ok


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
    except (KeyError, TypeError, ValueError) as exc:
        raise ConstraintError(f"The constraint {data!r} is incomplete: {exc}.") from None
    raise ConstraintError(
        f"Unknown constraint type {kind!r}: "
        "use greater_than, range, positive or fixed_combinations."
    )
