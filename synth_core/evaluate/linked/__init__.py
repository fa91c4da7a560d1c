"""A set of linked tables, real beside synthetic (``evaluate_linked``): SDMetrics' multi-table
quality, link by link (``links``), as a database (``database``: rules across tables, replayed
identifiers), and as records per table (``entities``: detection, privacy per entity)."""

from synth_core.evaluate.linked.database import Replayed, RuleCheck, RuleKind
from synth_core.evaluate.linked.entities import EntityPrivacy
from synth_core.evaluate.linked.evaluation import LinkedEvaluation, evaluate_linked
from synth_core.evaluate.linked.links import (
    LinkScore,
    Sequences,
    TypeCounts,
    children_per_parent,
    sequences,
)

__all__ = [
    "EntityPrivacy",
    "LinkScore",
    "LinkedEvaluation",
    "Replayed",
    "RuleCheck",
    "RuleKind",
    "Sequences",
    "TypeCounts",
    "children_per_parent",
    "evaluate_linked",
    "sequences",
]
