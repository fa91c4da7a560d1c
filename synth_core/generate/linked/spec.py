"""What decides a synthetic linked set: how it is made, its size, the tables kept as they are,
orphan rows, and the one-table settings every table gets (``LinkedSpec``), checked once."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field, replace
from enum import StrEnum

from synth_core.data.database import Database, Links
from synth_core.errors import SpecError
from synth_core.generate.generators import GeneratorKind, get
from synth_core.generate.spec import GenerationSpec

MIN_SCALE, MAX_SCALE = 0.01, 100.0


class Orphans(StrEnum):
    """What becomes of child rows whose key points at no parent row."""

    DROP = "drop"  # left out of training
    KEEP = "keep"  # kept with an empty key


class LinkedMethod(StrEnum):
    """How a linked set is made."""

    PER_TABLE = "per table"  # ours: each table with the spec's one-table generator, linked
    ARGN_CONTEXT = "tabular_argn with context"
    SDV_HMA = "sdv hma"


@dataclass(frozen=True)
class LinkedSpec:
    """Everything that decides a synthetic set; the same set, links and spec give the same
    tables. ``keep`` None keeps the set's reference tables (``reference_tables``); a tuple
    names the tables kept as they are (empty: every table synthesized)."""

    table: GenerationSpec = field(default_factory=GenerationSpec)
    method: LinkedMethod = LinkedMethod.PER_TABLE
    scale: float = 1.0
    keep: tuple[str, ...] | None = None
    orphans: Orphans = Orphans.DROP

    @property
    def seed(self) -> int:
        return self.table.seed

    def validate(self, database: Database, links: Links) -> LinkedSpec:
        """The spec, checked against the set (SpecError saying what to change)."""
        if not MIN_SCALE <= self.scale <= MAX_SCALE:
            raise SpecError(
                f"The size of the set must be between {MIN_SCALE} and {MAX_SCALE:g} times; "
                f"got {self.scale}."
            )
        if self.method is LinkedMethod.PER_TABLE:
            if get(self.table.generator).kind is GeneratorKind.DP:
                raise SpecError(
                    "A differentially private generator cannot make a linked set yet: each "
                    "table would spend its own ε, and a person's rows in several tables add up, "
                    "so the set's guarantee would not be the ε you chose. Use it on one table, "
                    "or pick another generator for the set."
                )
            self.table.validate()
        elif self.keep:
            raise SpecError(
                f"The method '{self.method.value}' cannot keep tables as they are: clear 'Keep "
                "as they are' (or --keep), or use the per-table method."
            )
        if self.keep:
            check_kept(self.keep, database, links)
        return self

    def with_table(self, **changes: object) -> LinkedSpec:
        """The spec with the one-table settings changed (``GenerationSpec`` fields)."""
        return replace(self, table=replace(self.table, **changes))  # type: ignore[arg-type]


def check_kept(keep: Collection[str], database: Database, links: Links) -> None:
    """Tables kept as they are exist, and their parents are kept too."""
    for name in keep:
        if name not in database.tables:
            raise SpecError(f"There is no table '{name}' to keep as it is.")
        above = [r.parent for r in links.relations if r.child == name and r.parent not in keep]
        if above:
            raise SpecError(
                f"'{name}' points at {above[0]}, which is synthesized: keeping it as it is would "
                f"leave its keys pointing at real {above[0]} rows. Keep {above[0]} too, or "
                f"synthesize {name}."
            )
