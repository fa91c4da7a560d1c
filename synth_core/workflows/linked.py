"""A set of linked tables synthesized and measured in one job (the Generate page's background
job for several tables, and the CLI's)."""

from __future__ import annotations

from dataclasses import dataclass

from synth_core._progress import ProgressFn, no_progress, scaled
from synth_core.data.database import Database, Links
from synth_core.data.io.export import tables_zip
from synth_core.errors import SpecError
from synth_core.evaluate.linked import LinkedEvaluation, evaluate_linked
from synth_core.generate.linked import LinkedResult, Orphans, synthesize_linked
from synth_core.generate.linked.baselines import LABELS, LinkedMethod, synthesize_baseline
from synth_core.generate.spec import GenerationSpec


@dataclass(frozen=True)
class LinkedMeasured:
    """The synthetic set and its evaluation against the real rows it learnt from."""

    result: LinkedResult
    evaluation: LinkedEvaluation
    spec: GenerationSpec
    scale: float
    keep: tuple[str, ...] = ()
    orphan_rows: Orphans = Orphans.DROP
    method: LinkedMethod = LinkedMethod.PER_TABLE

    def zip_bytes(self, database: Database) -> bytes:
        """One file per table, with the real files' names and formats."""
        return tables_zip(
            self.result.tables,
            {name: table.schema for name, table in database.tables.items()},
            {name: source[0] for name, source in database.sources.items()},
        )


def synthesize_linked_measured(
    database: Database,
    links: Links,
    spec: GenerationSpec,
    scale: float = 1.0,
    keep: tuple[str, ...] = (),
    orphan_rows: Orphans = Orphans.DROP,
    method: LinkedMethod = LinkedMethod.PER_TABLE,
    progress: ProgressFn = no_progress,
) -> LinkedMeasured:
    """The set made by ``method`` (``synthesize_linked`` with ``keep`` and ``orphan_rows``, or
    a baseline), then ``evaluate_linked`` (privacy per entity on the held-out ones)."""
    report = scaled(progress, 0, 0.85)
    if method is LinkedMethod.PER_TABLE:
        result = synthesize_linked(
            database, links, spec, scale=scale, keep=keep, orphan_rows=orphan_rows, progress=report
        )
    else:
        if keep:
            raise SpecError(
                f"{LABELS[method]} cannot keep tables as they are: clear 'Keep as they are', "
                "or use the per-table method."
            )
        result = synthesize_baseline(method, database, links, spec, scale=scale, progress=report)
    evaluation = evaluate_linked(
        result.train,
        result.tables,
        database,
        links,
        holdout=result.holdout,
        entity=result.entity,
        seed=spec.seed,
        progress=scaled(progress, 0.85, 1.0),
    )
    return LinkedMeasured(result, evaluation, spec, scale, keep, orphan_rows, method)
