"""Our constraints as the sdv.cag constraints SDV generators learn."""

from __future__ import annotations

from typing import Any

from synth_core.generate.constraints import Constraint, FixedCombinations, GreaterThan


def to_sdv(constraint: Constraint) -> Any | None:
    """The sdv.cag constraint SDV generators learn, or None (enforced after sampling only)."""
    from sdv import cag

    if isinstance(constraint, GreaterThan):
        return cag.Inequality(constraint.low, constraint.high, strict_boundaries=constraint.strict)
    if isinstance(constraint, FixedCombinations):
        return cag.FixedCombinations(list(constraint.columns))
    return None  # value ranges: SDV keeps values within the real range; checked afterwards
