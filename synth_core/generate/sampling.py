"""sample(): rows drawn from a FittedModel, kept to its rules and the requests, filtered, and
turned back into the user's table; sample_to_file() writes millions of rows chunk by chunk."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from synth_core._progress import ProgressFn, no_progress
from synth_core._progress import scaled as _scaled
from synth_core.data.schema import ColumnKind, PiiType
from synth_core.errors import ExportError, GeneratorError, SpecError
from synth_core.generate import constraints as rules
from synth_core.generate.conditions import LeafCoverage, RowRequest, coverage
from synth_core.generate.conditions import validate as validate_requests
from synth_core.generate.constraints import Constraint
from synth_core.generate.generators import registry
from synth_core.generate.model import FittedModel, SynthResult
from synth_core.generate.protect.pii import SHARED_TYPES, PiiAction, common_names_note
from synth_core.generate.protect.quality import QualityFilter, QualityStats
from synth_core.generate.protect.similarity import FilterStats
from synth_core.generate.restore import coerce, restore
from synth_core.generate.spec import (
    check_in_memory,
)

CHUNK_ROWS = 100_000


# Rejection sampling (constraints, conditions a generator cannot fill itself) stops after
# drawing this many times the rows asked for (and at most MAX_DRAWN rows).
REJECTION_FACTOR = 200


MAX_DRAWN = 5_000_000


@dataclass
class _Run:
    """One sampling run: the model, the filters it applies and what they did so far."""

    model: FittedModel
    quality: QualityFilter | None
    similarity_stats: FilterStats = field(default_factory=FilterStats)
    quality_stats: QualityStats = field(default_factory=QualityStats)
    repaired: dict[int, int] = field(default_factory=dict)  # values changed, per constraint
    repaired_rows: dict[int, int] = field(default_factory=dict)  # rows with a change
    rejected: dict[int, int] = field(default_factory=dict)  # drawn rows that broke it
    rows_out: int = 0

    @classmethod
    def start(cls, model: FittedModel, seed: int, quality_filter: bool = True) -> _Run:
        model.generator.reset_sampling(seed)
        return cls(model, model.quality_filter if quality_filter else None)

    @property
    def quality_threshold(self) -> bool:
        return self.quality is not None and self.quality.settings.threshold is not None

    def keep_similar(self, rows: pd.DataFrame) -> np.ndarray:
        assert self.model.similarity_filter is not None
        kept, stats = self.model.similarity_filter.keep(rows, self.model.model_schema)
        self.similarity_stats += stats
        return kept

    def keep_quality(self, rows: pd.DataFrame, wanted: int | None = None) -> np.ndarray:
        assert self.quality is not None
        kept, stats = self.quality.keep(rows, wanted)
        self.quality_stats += stats
        return kept

    def delivered(self, rows: pd.DataFrame) -> pd.DataFrame:
        """Rows that reach the user: what the rules changed in them is counted, and the
        columns that carried those counts are dropped."""
        hidden = [c for c in rows.columns if isinstance(c, str) and c.startswith(_REPAIRS)]
        for name in hidden:
            index = int(name[len(_REPAIRS) :])
            counts = rows[name].fillna(0).to_numpy()
            self.repaired[index] = self.repaired.get(index, 0) + int(counts.sum())
            self.repaired_rows[index] = self.repaired_rows.get(index, 0) + int((counts > 0).sum())
        self.rows_out += len(rows)
        return rows.drop(columns=hidden)

    def rules_note(self) -> str:
        """What each rule did to the rows, in words (nothing when no rule changed a value or
        sent a row back)."""
        constraints = self.model.constraints
        parts = [
            _repair_words(constraints[i], count, self.repaired_rows[i], self.rows_out)
            for i, count in sorted(self.repaired.items(), key=lambda item: -item[1])
            if count
        ]
        redrawn = [
            f"'{constraints[i].describe()}' ({count:,})"
            for i, count in sorted(self.rejected.items(), key=lambda item: -item[1])
            if count
        ]
        words = []
        if parts:
            words.append("Rules kept by repair: " + "; ".join(parts) + ".")
        if redrawn:
            words.append(
                "Drawn rows that still broke a rule were drawn again: " + ", ".join(redrawn) + "."
            )
        return " ".join(words)

    def note(self) -> str:
        similarity, quality = self.model.similarity_filter, self.quality
        notes = [self.rules_note()]
        notes.append(similarity.note(self.similarity_stats) if similarity is not None else "")
        notes.append(quality.note(self.quality_stats) if quality is not None else "")
        return " ".join(n for n in notes if n)


def _repair_words(constraint: Constraint, values: int, rows: int, delivered: int) -> str:
    if isinstance(constraint, rules.DatePart):
        return (
            f"'{constraint.describe()}' moved {constraint.date} (and dates that follow it) to "
            f"the nearest date that agrees in {rows:,} of {delivered:,} rows"
        )
    return f"'{constraint.describe()}' changed {values:,} values in {rows:,} of {delivered:,} rows"


_REPAIRS = "\x00repairs:"  # hidden columns: values each constraint changed in the row


def sample(
    model: FittedModel,
    rows: int | None = None,
    seed: int | None = None,
    requests: Sequence[RowRequest] | None = None,
    progress: ProgressFn = no_progress,
    *,
    quality_filter: bool = True,
) -> SynthResult:
    """Draw rows from a fitted model without refitting: ``rows`` plain rows, or the requests.

    The same model, seed and request give the same rows. ``quality_filter=False`` draws as if
    the model had no quality filter (to measure what the filter changes)."""
    seed = model.spec.seed if seed is None else seed
    requests = tuple(model.spec.requests if requests is None else requests)
    if requests:
        validate_requests(requests, model.model_schema, model.train)
        total = sum(r.rows for r in requests)
    else:
        total = model.spec.rows if rows is None else rows
    check_in_memory(total)
    started = time.perf_counter()
    run = _Run.start(model, seed, quality_filter)
    notes = list(model.notes)
    leaf_coverage: tuple[LeafCoverage, ...] = ()
    if requests:
        data, request_notes, leaf_coverage = _sample_requests(run, requests, seed, progress)
        notes.extend(request_notes)
    else:
        chunks = []
        for chunk, note in _chunks(run, total, seed, _scaled(progress, 0.0, 0.95)):
            chunks.append(chunk)
            notes.append(note)
        data = pd.concat(chunks, ignore_index=True)
    notes.extend(model.generator.notes)
    notes.append(run.note())
    notes.append(_common_names(model, data))
    progress(1.0, "Done")
    return SynthResult(
        data=data,
        schema=model.output_schema,
        spec=model.spec,
        model=model,
        sample_seconds=time.perf_counter() - started,
        notes=tuple(dict.fromkeys(n for n in notes if n)),
        coverage=leaf_coverage,
        seed=seed,
        similarity_stats=None if model.similarity_filter is None else run.similarity_stats,
        quality_stats=None if run.quality is None else run.quality_stats,
    )


def _common_names(model: FittedModel, data: pd.DataFrame) -> str:
    """The note on fake first names and surnames that are common real names."""
    if not model.spec.privacy.protects_pii or model.spec.pii_action is not PiiAction.REPLACE:
        return ""
    kinds: dict[str, PiiType] = {
        c.name: c.pii_type
        for c in model.schema
        if c.kind is ColumnKind.PII and c.pii_type in SHARED_TYPES and c.name in data
    }
    if not kinds:
        return ""
    real = {
        name: pd.concat([model.train[name], model.holdout[name]], ignore_index=True)
        for name in kinds
    }
    made = {name: data[name] for name in kinds}
    return common_names_note(made, real, kinds)


def _sample_requests(
    run: _Run, requests: Sequence[RowRequest], seed: int, progress: ProgressFn
) -> tuple[pd.DataFrame, list[str], tuple[LeafCoverage, ...]]:
    """Rows for each request in turn, then the table's other columns; coverage per request."""
    parts, produced, notes = [], [], []
    for position, request in enumerate(requests):
        low, high = 0.9 * position / len(requests), 0.9 * (position + 1) / len(requests)
        part, note = _draw_request(run, request, _scaled(progress, low, high))
        parts.append(part)
        produced.append(len(part))
        notes.append(note)
    progress(0.9, "Restoring IDs, personal data and constant columns")
    data = restore(run.model, run.delivered(pd.concat(parts, ignore_index=True)), seed, 0)
    return data, notes, tuple(coverage(requests, produced, run.model.train))


def _keep(run: _Run, rows: pd.DataFrame, request: RowRequest | None) -> pd.DataFrame:
    model = run.model
    constraints = model.constraints
    rows, changed = rules.repair_counted(rows, constraints, model.train, model.model_schema)
    ok = pd.Series(True, index=rows.index)
    for index, constraint in enumerate(constraints):
        holds = rules.holds(constraint, rows, model.train)
        if not holds.all():
            run.rejected[index] = run.rejected.get(index, 0) + int((~holds).sum())
            ok &= holds
        if constraint in changed:
            rows[f"{_REPAIRS}{index}"] = changed[constraint]
    if request is not None:
        ok &= request.matches(rows)
    keep = ok.to_numpy()
    if model.similarity_filter is not None and keep.any():
        keep[keep] = run.keep_similar(rows[keep])
    if run.quality_threshold and keep.any():
        keep[keep] = run.keep_quality(rows[keep])
    return rows[keep]


def _best_of(
    run: _Run,
    n: int,
    draw: Callable[[int], tuple[pd.DataFrame, str]],
) -> tuple[pd.DataFrame, str]:
    """With the quality filter keeping a share: draw n / share rows, keep the best n."""
    quality = run.quality
    if quality is None or quality.settings.threshold is not None or n <= 0:
        return draw(n)
    pool, note = draw(math.ceil(n / quality.settings.keep))
    return pool[run.keep_quality(pool, n)].reset_index(drop=True), note


def _draw(
    run: _Run, n: int, request: RowRequest | None, progress: ProgressFn
) -> tuple[pd.DataFrame, str]:
    """``n`` rows that follow the constraints and the request, passed by the filters."""
    return _best_of(run, n, lambda wanted: _draw_accepted(run, wanted, request, progress))


def _draw_accepted(
    run: _Run, n: int, request: RowRequest | None, progress: ProgressFn
) -> tuple[pd.DataFrame, str]:
    """``n`` rows that follow the constraints (and the request), by rejection when needed."""
    model = run.model
    generator = model.generator
    needs_filter = (
        bool(model.constraints)
        or request is not None
        or model.similarity_filter is not None
        or run.quality_threshold
    )
    if not needs_filter:
        return coerce(model, generator.sample(n)), ""
    kept: list[pd.DataFrame] = []
    have, drawn = 0, 0
    limit = min(max(REJECTION_FACTOR * n, 10_000), MAX_DRAWN)
    batch = n  # all at once when most rows pass (keeps a generator's balanced draws whole)
    while have < n and drawn < limit:
        rows = coerce(model, generator.sample(batch))
        drawn += batch
        accepted = _keep(run, rows, request)
        kept.append(accepted)
        have += len(accepted)
        rate = have / drawn
        progress(min(have / n, 1.0), f"Kept {min(have, n):,} of {n:,} rows ({drawn:,} drawn)")
        batch = min(
            max(int((n - have) / max(rate, 1.0 / REJECTION_FACTOR) * 1.2), 1_000), limit - drawn
        )
        if batch <= 0:
            break
    result = (
        pd.concat(kept, ignore_index=True).head(n) if kept else coerce(model, generator.sample(0))
    )
    what = f"'{request.describe()}'" if request is not None else "the constraints"
    if len(result) < n:
        return result, (
            f"Only {len(result):,} of {n:,} rows matching {what} were found after drawing "
            f"{drawn:,}: the model rarely makes such rows. Relax the condition or train longer."
        )
    if request is not None:
        return result, f"{what}: rejection sampling kept {n:,} of {drawn:,} drawn rows."
    return result, ""


def _chunks(
    run: _Run, rows: int, seed: int, progress: ProgressFn, chunk_rows: int = CHUNK_ROWS
) -> Iterator[tuple[pd.DataFrame, str]]:
    """``rows`` rows in chunks of the table's columns. In memory and streamed to a file, the
    rows are drawn in the same chunks, so the same model, seed and rows give the same rows."""
    written = 0
    while written < rows:
        n = min(chunk_rows, rows - written)
        drawn, note = _draw(run, n, None, no_progress)
        yield restore(run.model, run.delivered(drawn), seed, written), note
        written += n
        checked = " (rules checked and repaired)" if run.model.constraints else ""
        progress(written / rows, f"Sampled {written:,} of {rows:,} rows{checked}")
        if len(drawn) < n:
            return  # the constraints starve the model; the note says so


def _conditioned(
    run: _Run, request: RowRequest, n: int, progress: ProgressFn
) -> tuple[pd.DataFrame, str]:
    """``n`` rows drawn with the generator's own conditioning, topped up by rejection."""
    try:
        rows = coerce(run.model, run.model.generator.sample_conditioned(n, request.equals))
    except GeneratorError as exc:
        rows, note = _draw_accepted(run, n, request, progress)
        return rows, f"{exc} Rejection sampling instead: {note}" if note else str(exc)
    accepted = _keep(run, rows, request)
    if len(accepted) == n:
        return accepted, ""
    more, note = _draw_accepted(run, n - len(accepted), request, progress)
    return pd.concat([accepted, more], ignore_index=True), note


def _draw_request(run: _Run, request: RowRequest, progress: ProgressFn) -> tuple[pd.DataFrame, str]:
    info = registry.get(run.model.spec.generator)
    equals_only = request.equals and not any(_missing(v) for v in request.equals.values())
    equals_only = equals_only and not run.model.derived.ends & set(request.equals)
    if info.conditional and equals_only:
        return _best_of(
            run, request.rows, lambda wanted: _conditioned(run, request, wanted, progress)
        )
    rows, note = _draw(run, request.rows, request, progress)
    if not info.conditional and request.equals:
        note = f"{info.label} cannot condition; {note}" if note else note
    return rows, note


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value))


@dataclass(frozen=True)
class FileSample:
    """A large sample written to a file."""

    path: Path
    rows: int
    seconds: float
    notes: tuple[str, ...]


def sample_to_file(
    model: FittedModel,
    rows: int,
    path: str | Path,
    seed: int | None = None,
    progress: ProgressFn = no_progress,
    chunk_rows: int = CHUNK_ROWS,
) -> FileSample:
    """Write ``rows`` synthetic rows to ``path`` (.csv or .parquet) chunk by chunk, so memory
    stays flat however many rows are asked for. The same model, seed and rows give the same file."""
    from synth_core.data.io.export import check_file_name, csv_bytes, parquet_table

    target = Path(path)
    suffix = check_file_name(target)
    if rows < 1:
        raise SpecError("Ask for at least one row.")
    seed = model.spec.seed if seed is None else seed
    started = time.perf_counter()
    run = _Run.start(model, seed)
    notes: list[str] = []
    writer: Any = None
    written = 0
    try:
        with target.open("wb") as handle:
            for chunk, note in _chunks(run, rows, seed, progress, chunk_rows):
                if note and note not in notes:
                    notes.append(note)
                if suffix == ".csv":
                    handle.write(csv_bytes(chunk, model.output_schema, header=written == 0))
                else:
                    import pyarrow.parquet as pq

                    table = parquet_table(chunk, model.output_schema)
                    if writer is None:
                        writer = pq.ParquetWriter(handle, table.schema)
                    writer.write_table(table)
                written += len(chunk)
            if writer is not None:
                writer.close()
    except OSError as exc:
        raise ExportError(
            f"Cannot write {target}: {exc.strerror}. Choose another location."
        ) from exc
    notes.extend(n for n in model.generator.notes if n not in notes)
    notes.append(run.note())
    return FileSample(target, written, time.perf_counter() - started, tuple(n for n in notes if n))
