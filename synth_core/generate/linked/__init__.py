"""Linked tables synthesized together (``synthesize``), rules across links (``bounds``) and
children given to parents, in sequences where they are ordered (``matching``)."""

from synth_core.generate.linked.bounds import Bound, bound_kept
from synth_core.generate.linked.matching import COUNT
from synth_core.generate.linked.synthesize import (
    LinkedResult,
    Orphans,
    entity_table,
    integrity,
    split_by_entity,
    synthesize_linked,
)

__all__ = [
    "COUNT",
    "Bound",
    "LinkedResult",
    "Orphans",
    "bound_kept",
    "entity_table",
    "integrity",
    "split_by_entity",
    "synthesize_linked",
]
