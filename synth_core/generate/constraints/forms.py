"""Constraints as JSON, for recipes."""

from __future__ import annotations

from typing import Any

from synth_core.generate.constraints.kinds import (
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
    positive,
)


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
    if isinstance(constraint, ProductOf):
        return {
            "type": "product",
            "total": constraint.total,
            "factors": [constraint.first, constraint.second],
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
        if kind == "product":
            first, second = (str(f) for f in data["factors"])
            return ProductOf(str(data["total"]), first, second, float(data.get("tolerance", 0.0)))
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
