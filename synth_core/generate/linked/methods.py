"""One way in for a linked set, whatever makes it: ``synthesize_linked`` checks the
``LinkedSpec`` and hands it to the method it names, each a ``SetMethod`` in ``METHODS`` (ours,
TabularARGN with context tables, SDV's HMA): the same arguments, the same ``LinkedResult``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from synth_core._progress import ProgressFn, no_progress
from synth_core.data.database import Database, Links
from synth_core.generate.linked.baselines import make_argn, make_hma
from synth_core.generate.linked.result import LinkedResult
from synth_core.generate.linked.spec import LinkedMethod, LinkedSpec
from synth_core.generate.linked.synthesize import make_per_table


class MakeSet(Protocol):
    def __call__(
        self, database: Database, links: Links, spec: LinkedSpec, progress: ProgressFn
    ) -> LinkedResult: ...


@dataclass(frozen=True)
class SetMethod:
    """A way of making a linked set: its label, whether it takes the one-table generator
    setting (and so can keep tables as they are), and the function that makes the set."""

    method: LinkedMethod
    label: str
    per_table: bool
    make: MakeSet


METHODS: Mapping[LinkedMethod, SetMethod] = {
    LinkedMethod.PER_TABLE: SetMethod(
        LinkedMethod.PER_TABLE,
        "Each table with the generator below, linked (children per parent, rules across "
        "tables, sequences)",
        True,
        make_per_table,
    ),
    LinkedMethod.ARGN_CONTEXT: SetMethod(
        LinkedMethod.ARGN_CONTEXT,
        "TabularARGN with context tables (mostlyai-engine; neural, minutes per table)",
        False,
        make_argn,
    ),
    LinkedMethod.SDV_HMA: SetMethod(
        LinkedMethod.SDV_HMA,
        "SDV HMASynthesizer (baseline; at most 5 tables and a depth of 2)",
        False,
        make_hma,
    ),
}


def synthesize_linked(
    *,
    database: Database,
    links: Links,
    spec: LinkedSpec | None = None,
    progress: ProgressFn = no_progress,
) -> LinkedResult:
    """The synthetic set: ``spec`` (default: ours with CART, ×1, reference tables kept) is
    checked against the set, then its method makes every table."""
    checked = (spec or LinkedSpec()).validate(database, links)
    return METHODS[checked.method].make(database, links, checked, progress)
