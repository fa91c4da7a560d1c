"""Constraints checked: against the schema (names, kinds) and on rows."""

from __future__ import annotations

import numpy as np
import pandas as pd

from synth_core.data.schema import ColumnKind, Schema
from synth_core.generate.constraints.kinds import (
    _EXAMPLES,
    DATE_PARTS,
    Constraint,
    ConstraintError,
    DatePart,
    Determines,
    FixedCombinations,
    FixedGap,
    GreaterThan,
    MissingOnlyWhen,
    MissingTogether,
    ProductOf,
    SumOf,
    ValueRange,
)


def validate(constraints: tuple[Constraint, ...], schema: Schema, data: pd.DataFrame) -> None:
    """Check names and kinds, then that the real data itself follows every constraint."""
    for constraint in constraints:
        check(constraint, schema)
    for constraint in constraints:
        if isinstance(constraint, FixedCombinations):
            continue  # the real data defines the allowed combinations
        broken = ~holds_series(constraint, data, data)
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
    elif isinstance(constraint, ProductOf):
        if set(kinds.values()) != {ColumnKind.NUMERICAL}:
            raise ConstraintError(f"'{constraint.describe()}' needs numeric columns.")
        if len(set(constraint.columns)) < 3:
            raise ConstraintError("A product needs a total and two other columns.")
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


def holds_series(constraint: Constraint, df: pd.DataFrame, real: pd.DataFrame) -> pd.Series:
    if isinstance(constraint, (FixedCombinations, Determines, DatePart)):
        return constraint.holds_with(df, real)
    return constraint.holds(df)


def satisfied(
    df: pd.DataFrame, constraints: tuple[Constraint, ...], real: pd.DataFrame
) -> pd.Series:
    """True for the rows of ``df`` that follow every constraint (combinations and determined
    values from ``real``)."""
    ok = pd.Series(True, index=df.index)
    for constraint in constraints:
        ok &= holds_series(constraint, df, real)
    return ok


def holds(constraint: Constraint, df: pd.DataFrame, real: pd.DataFrame) -> np.ndarray:
    """True for the rows of ``df`` that follow ``constraint``."""
    return holds_series(constraint, df, real).to_numpy(dtype=bool)
