"""Rules tried on a fitted model's own rows before they touch the user's: a rule whose
enforcement (repair, then rejection of rows that still break it) would move one of its columns
away from the real column by more than chance is not applied, and the notes say so.

A rule found in every real row is true of the real rows, so enforcing it should bring the
synthetic rows closer to them. When it does the opposite, either the model makes rows the rule
cannot mend without distorting a column (a 0/1 target set to 0 in every row by a false sum was
what happened before rules were recounted exactly), or the rule is true by accident of the
sample. Either way, keeping the rule would change the user's data in a way nobody asked for."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import partial

import pandas as pd

from synth_core.data.marginals import (
    FEW_VALUES,
    Z_CHANCE,
    chance_distance,
    column_distance,
    share_z_of,
    value_shares,
)
from synth_core.data.schema import ColumnKind, Schema
from synth_core.generate import constraints as rules
from synth_core.generate.constraints import Constraint, DatePart, ValueRange
from synth_core.generate.constraints.learnt import learnt

SCREEN_ROWS = 5_000  # rows of the model drawn to try the rules on


@dataclass(frozen=True)
class Skipped:
    """A rule left out, and the column it would have pushed away from the real one."""

    constraint: Constraint
    column: str
    before: float  # distance of the model's rows to the real column
    after: float  # the same after the rule was enforced on them
    allowed: float  # how much of that change chance explains
    unit: str = ""  # "standard errors" for the shares of a column of few values
    instead: Constraint | None = None  # applied in its place (a part of a date set from it)

    def describe(self) -> str:
        if self.after != self.after:  # NaN: no row kept the rule
            return (
                f"The rule '{self.constraint.describe()}' was not applied: none of "
                f"{SCREEN_ROWS:,} rows drawn from the model keeps it, so enforcing it would "
                "throw away almost everything the model makes."
            )
        if self.unit:
            how = (
                f"its shares of values {self.before:.1f} {self.unit} from the real ones before, "
                f"{self.after:.1f} after; chance explains up to {self.allowed:.1f} more"
            )
        else:
            how = (
                f"distance {self.before:.3f} before, {self.after:.3f} after; chance explains "
                f"up to {self.allowed:.3f} more"
            )
        if isinstance(self.instead, DatePart):
            return (
                f"The rule '{self.constraint.describe()}' is kept by setting "
                f"'{self.instead.column}' from '{self.instead.date}', not by moving the dates: "
                f"that would move '{self.column}' away from the real column ({how})."
            )
        return (
            f"The rule '{self.constraint.describe()}' was not applied: enforcing it would move "
            f"'{self.column}' away from the real column ({how}), so it would change your data "
            "more than it mends it."
        )


def screen(
    constraints: Sequence[Constraint], draw: pd.DataFrame, real: pd.DataFrame, schema: Schema
) -> tuple[tuple[Constraint, ...], tuple[Skipped, ...]]:
    """The constraints to apply and the ones left out, each tried alone on ``draw`` (rows of
    the fitted model, before any rule) against the ``real`` training rows. Value ranges are
    always applied (dropping a value outside the real range only brings a column closer). A
    part of a date that moving the dates would distort is tried the other way round, the column
    set from the date; when that passes, it is applied in its place (``Skipped.instead``)."""
    kept: list[Constraint] = []
    skipped: list[Skipped] = []
    for constraint in constraints:
        if isinstance(constraint, ValueRange) or draw.empty:
            kept.append(constraint)
            continue
        worst = _tried(constraint, draw, real, schema)
        if worst is None:
            kept.append(constraint)
            continue
        if isinstance(constraint, DatePart) and not constraint.fill:
            other = replace(constraint, fill=True)
            if _tried(other, draw, real, schema) is None:
                kept.append(other)
                worst = replace(worst, instead=other)
        skipped.append(worst)
    return tuple(kept), tuple(skipped)


def _tried(
    constraint: Constraint, draw: pd.DataFrame, real: pd.DataFrame, schema: Schema
) -> Skipped | None:
    repaired = rules.repair(draw, [constraint], real, schema)
    enforced = repaired[rules.holds(constraint, repaired, real)]
    return _worst(constraint, draw, enforced, real, schema)


def _distinct(values: pd.Series) -> int:
    return int(values.nunique(dropna=True))


def _worst(
    constraint: Constraint,
    draw: pd.DataFrame,
    enforced: pd.DataFrame,
    real: pd.DataFrame,
    schema: Schema,
) -> Skipped | None:
    if enforced.empty:
        return Skipped(constraint, constraint.columns[0], 0.0, float("nan"), 0.0)
    worst: Skipped | None = None
    for name in dict.fromkeys(constraint.columns):
        real_values = real[name]
        distinct = learnt(real, ("distinct", name), partial(_distinct, real_values))
        if distinct <= FEW_VALUES:
            # Shares of each value, in standard errors: halving a 10% class matters.
            shares = learnt(real, ("shares", name), partial(value_shares, real_values))
            before = share_z_of(shares, len(real), draw[name])
            after = share_z_of(shares, len(real), enforced[name])
            allowed, unit = Z_CHANCE, "standard errors"
        else:
            continuous = schema[name].kind in (ColumnKind.NUMERICAL, ColumnKind.DATETIME)
            before = column_distance(real_values, draw[name], continuous)
            after = column_distance(real_values, enforced[name], continuous)
            allowed, unit = chance_distance(len(real), len(enforced)), ""
        if after - before > allowed and (
            worst is None
            or (after - before) / allowed > (worst.after - worst.before) / worst.allowed
        ):
            worst = Skipped(constraint, name, before, after, allowed, unit)
    return worst
