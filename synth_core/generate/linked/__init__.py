"""Linked tables synthesized together: one way in (``synthesize_linked`` with a
``LinkedSpec``), whatever the method (``methods``); ours in ``synthesize`` (counts per parent
in ``counts``, children given to parents in ``matching``), the rules a database keeps across
tables in ``rules`` and ``bounds``."""

from synth_core.generate.linked.bounds import Bound, Side
from synth_core.generate.linked.counts import COUNT
from synth_core.generate.linked.methods import METHODS, SetMethod, synthesize_linked
from synth_core.generate.linked.plan import entity_table, reference_tables, split_by_entity
from synth_core.generate.linked.result import LinkedResult, integrity
from synth_core.generate.linked.rules import CountRule, PathAgreement, SetRules, find_set_rules
from synth_core.generate.linked.spec import LinkedMethod, LinkedSpec, Orphans

__all__ = [
    "COUNT",
    "METHODS",
    "Bound",
    "CountRule",
    "LinkedMethod",
    "LinkedResult",
    "LinkedSpec",
    "Orphans",
    "PathAgreement",
    "SetMethod",
    "SetRules",
    "Side",
    "entity_table",
    "find_set_rules",
    "integrity",
    "reference_tables",
    "split_by_entity",
    "synthesize_linked",
]
