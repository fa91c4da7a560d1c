"""A set of linked tables synthesized and measured in one job (the Generate page's background
job for several tables, and the CLI's)."""

from __future__ import annotations

from dataclasses import dataclass

from synth_core._progress import ProgressFn, no_progress, scaled
from synth_core.data.database import Database, Links
from synth_core.data.io.export import tables_zip
from synth_core.evaluate.linked import LinkedEvaluation, evaluate_linked
from synth_core.generate.linked import LinkedResult, LinkedSpec, synthesize_linked


@dataclass(frozen=True)
class LinkedMeasured:
    """The synthetic set, the spec that made it, and its evaluation against the real set."""

    result: LinkedResult
    evaluation: LinkedEvaluation
    spec: LinkedSpec

    def zip_bytes(self, database: Database) -> bytes:
        """One file per table, with the real files' names and formats."""
        return tables_zip(
            self.result.tables,
            {name: table.schema for name, table in database.tables.items()},
            {name: source[0] for name, source in database.sources.items()},
        )


def synthesize_linked_measured(
    *,
    database: Database,
    links: Links,
    spec: LinkedSpec,
    progress: ProgressFn = no_progress,
) -> LinkedMeasured:
    """``synthesize_linked`` with ``spec``, then ``evaluate_linked`` against the whole real set
    (privacy per entity on the held-out ones)."""
    result = synthesize_linked(
        database=database, links=links, spec=spec, progress=scaled(progress, 0, 0.85)
    )
    evaluation = evaluate_linked(
        database=database,
        links=links,
        result=result,
        seed=spec.seed,
        progress=scaled(progress, 0.85, 1.0),
    )
    return LinkedMeasured(result, evaluation, spec)
