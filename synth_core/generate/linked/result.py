"""A synthetic linked set, as every way of making one returns it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

from synth_core.data.database import Relation, key_coverage
from synth_core.generate.linked.bounds import Bound
from synth_core.generate.linked.rules import SetRules


@dataclass(frozen=True)
class LinkedResult:
    """Synthetic tables by name (the real tables' columns, in their order), the real rows they
    were trained on and the held-out ones (whole entities), the rules across tables found in
    the real set, and what happened."""

    tables: Mapping[str, pd.DataFrame]
    relations: tuple[Relation, ...]
    notes: tuple[str, ...]
    train: Mapping[str, pd.DataFrame] = field(default_factory=dict)
    holdout: Mapping[str, pd.DataFrame] = field(default_factory=dict)
    entity: str | None = None  # the table whose rows (with their children) were held out
    rules: SetRules = field(default_factory=SetRules)
    bounds: Mapping[str, tuple[Bound, ...]] = field(default_factory=dict)  # by table
    kept: tuple[str, ...] = ()  # tables kept as they are (real rows and keys)
    seconds: float = 0.0


def integrity(
    tables: Mapping[str, pd.DataFrame], relations: Sequence[Relation]
) -> dict[str, float]:
    """Per link ('child.column → parent.key'), the share of the child's keys (missing aside)
    found among the parent's: 1.0 is every link holding."""
    out = {}
    for relation in relations:
        share, _ = key_coverage(
            tables[relation.child][relation.child_key], tables[relation.parent][relation.parent_key]
        )
        out[f"{relation.child}.{relation.child_key} → {relation.parent}.{relation.parent_key}"] = (
            share
        )
    return out
