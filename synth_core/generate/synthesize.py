"""From a Table and a GenerationSpec to synthetic rows: split, protect, fit once, sample often.

fit() learns a FittedModel from the training rows (the holdout is split off first);
sample() draws rows from it, honouring constraints and conditional requests; synthesize() does
both; sample_to_file() writes millions of rows in chunks without holding them in memory."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from synth_core._progress import ProgressFn, no_progress
from synth_core._progress import scaled as _scaled
from synth_core.data.checks import link_columns
from synth_core.data.detect import name_tokens
from synth_core.data.marginals import FEW_VALUES
from synth_core.data.schema import MODELLED_KINDS, ColumnKind, ColumnSchema, Schema
from synth_core.data.table import Table
from synth_core.errors import ExportError, GeneratorError, SpecError
from synth_core.generate import constraints as rules
from synth_core.generate.conditions import LeafCoverage, RowRequest, coverage
from synth_core.generate.conditions import validate as validate_requests
from synth_core.generate.constraints import Constraint, GreaterThan
from synth_core.generate.derived import Derived, find_filled, find_gaps
from synth_core.generate.discover import discover
from synth_core.generate.generators import registry
from synth_core.generate.generators.registry import Advice, Generator, GeneratorKind, table_shape
from synth_core.generate.protect.pii import (
    PiiAction,
    case_like,
    consistent_people,
    fake_column,
    new_ids,
)
from synth_core.generate.protect.quality import CAP as QUALITY_CAP
from synth_core.generate.protect.quality import QualityFilter, QualityStats
from synth_core.generate.protect.similarity import FilterStats, SimilarityFilter
from synth_core.generate.screen import SCREEN_ROWS, Skipped, screen
from synth_core.generate.spec import (
    MIN_ROWS,
    GenerationSpec,
    RulesSetting,
    check_in_memory,
    check_table_rows,
)

CHUNK_ROWS = 100_000
# Rejection sampling (constraints, conditions a generator cannot fill itself) stops after
# drawing this many times the rows asked for (and at most MAX_DRAWN rows).
REJECTION_FACTOR = 200
MAX_DRAWN = 5_000_000
_FIT_SHARE = (0.02, 0.985)  # of fit(): splitting first, then the generator, then checks
_INT64_FLOAT_LIMIT = float(2**63 - 2**10)  # the largest float below 2**63


@dataclass(frozen=True)
class FittedModel:
    """A trained generator and what is needed to turn its rows into the user's table.

    A value: nothing here changes after fit(). Sampling restarts the generator's random state
    from the seed it is given, so the same model and seed give the same rows."""

    generator: Generator
    spec: GenerationSpec
    schema: Schema  # the table's columns
    model_schema: Schema  # the columns the generator learnt
    train: pd.DataFrame
    holdout: pd.DataFrame
    fit_rows: int
    fit_seconds: float
    notes: tuple[str, ...]
    losses: tuple[dict[str, float], ...] = ()
    similarity_filter: SimilarityFilter | None = None
    quality_filter: QualityFilter | None = None
    rules: tuple[Constraint, ...] = ()  # found in the training rows and kept (spec.rules)
    skipped: tuple[Skipped, ...] = ()  # rules not applied as they are: they would distort a column
    applied: tuple[Constraint, ...] | None = None  # what screening kept (None: not screened)
    derived: Derived = field(default_factory=Derived)  # columns learnt in another form

    @property
    def constraints(self) -> tuple[Constraint, ...]:
        """What every synthetic row follows: the user's constraints and the rules kept, as
        screening left them (see ``synth_core.generate.screen``)."""
        if self.applied is not None:
            return self.applied
        return tuple(dict.fromkeys((*self.spec.constraints, *self.rules)))

    @property
    def output_schema(self) -> Schema:
        """The synthetic table's columns (without dropped PII columns)."""
        drop = self.spec.privacy.protects_pii and self.spec.pii_action is PiiAction.DROP
        return Schema(tuple(c for c in self.schema if not (drop and c.kind is ColumnKind.PII)))


@dataclass(frozen=True)
class SynthResult:
    """Synthetic rows, the model that made them (for sampling more) and what happened."""

    data: pd.DataFrame
    schema: Schema
    spec: GenerationSpec
    model: FittedModel
    sample_seconds: float
    notes: tuple[str, ...]
    coverage: tuple[LeafCoverage, ...] = ()
    seed: int = 0
    similarity_stats: FilterStats | None = None  # what the filters did to these rows
    quality_stats: QualityStats | None = None

    @property
    def train(self) -> pd.DataFrame:
        return self.model.train

    @property
    def holdout(self) -> pd.DataFrame:
        return self.model.holdout

    @property
    def fit_seconds(self) -> float:
        return self.model.fit_seconds


def split_holdout(
    df: pd.DataFrame, fraction: float, seed: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Shuffle with ``seed`` and keep ``fraction`` of the rows aside as the holdout."""
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(df))
    n_holdout = round(len(df) * fraction)
    holdout = df.iloc[np.sort(order[:n_holdout])].reset_index(drop=True)
    train = df.iloc[np.sort(order[n_holdout:])].reset_index(drop=True)
    return train, holdout


def _holdout_fraction(rows: int, fraction: float) -> float:
    """No holdout when keeping one would leave fewer than MIN_ROWS rows to learn from."""
    return 0.0 if rows * (1 - fraction) < MIN_ROWS else fraction


def fit_split(df: pd.DataFrame, fraction: float, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The training and holdout rows fit() uses for this holdout share and seed."""
    return split_holdout(df, _holdout_fraction(len(df), fraction), seed)


def _is_constant(values: pd.Series) -> bool:
    return values.nunique(dropna=True) <= 1


def _modelled_columns(
    table: Table, train: pd.DataFrame, spec: GenerationSpec
) -> tuple[list[ColumnSchema], list[str]]:
    protect = spec.privacy.protects_pii
    modelled: list[ColumnSchema] = []
    ids: list[str] = []
    personal: list[str] = []
    constant: list[str] = []
    for column in table.schema:
        if column.kind is ColumnKind.ID:
            ids.append(column.name)
        elif column.kind is ColumnKind.PII and protect:
            personal.append(f"'{column.name}' ({column.pii_type})")
        elif _is_constant(train[column.name]):
            constant.append(column.name)
        elif column.kind in MODELLED_KINDS:
            modelled.append(column)
        else:  # PII without protection is modelled like any text column
            modelled.append(ColumnSchema(column.name, ColumnKind.CATEGORICAL, reason=column.reason))
    notes = []
    if ids:
        whole = any(pd.api.types.is_integer_dtype(train[name].dtype) for name in ids)
        notes.append(
            f"ID columns get new unique IDs, never a real one: {_quoted(ids)}"
            + (
                " (whole numbers are random numbers of the real width, so they do not give "
                "away the real largest ID or the number of rows)."
                if whole
                else "."
            )
        )
    if personal:
        verb = "replaced with fake values" if spec.pii_action is PiiAction.REPLACE else "dropped"
        notes.append(f"Personal data {verb}: {', '.join(personal)}.")
    if constant:
        notes.append(f"Columns with at most one distinct value, copied: {_quoted(constant)}.")
    links = link_columns(table)
    if links:
        notes.append(
            f"{_quoted(list(links))} look like keys of other tables ("
            + ", ".join(f"'{word}'" for word in links.values())
            + "): this table is generated alone, so those links are not kept; synthetic values "
            "point at no row of the other table's synthetic version."
        )
    return modelled, notes


def _quoted(names: Sequence[str]) -> str:
    return ", ".join(f"'{n}'" for n in names)


def fit_estimate(table: Table, spec: GenerationSpec) -> float | None:
    """Seconds fit() should take on this machine: the generator's own estimate on the columns
    it will learn and the rows it will learn from (None when it has no estimate). The Generate
    page shows it and the job's ETA starts from it."""
    info = registry.get(spec.generator)
    rows, learnt = _learnt_columns(table, spec)
    return info.estimate_seconds(table_shape(table.df, learnt, rows), spec.params)


def fit_advice(table: Table, spec: GenerationSpec) -> list[Advice]:
    """What the generator wants said before it trains on this table with these settings
    (its GeneratorInfo.advise hook on the columns it will learn and the rows it will learn
    from); SynthCoreError when its settings cannot be read."""
    info = registry.get(spec.generator)
    rows, learnt = _learnt_columns(table, spec)
    return info.advice(table.df, learnt, rows, spec.params)


def _learnt_columns(table: Table, spec: GenerationSpec) -> tuple[int, Schema]:
    """The training rows fit() will learn from, and the columns as it will learn them."""
    fraction = _holdout_fraction(len(table.df), spec.holdout_fraction)
    rows = round(len(table.df) * (1 - fraction))
    if spec.max_fit_rows is not None:
        rows = min(rows, spec.max_fit_rows)
    modelled, _ = _modelled_columns(table, table.df, spec)
    return rows, Schema(tuple(modelled))


def _made_here(table: Schema, model_schema: Schema, spec: GenerationSpec) -> list[str]:
    """Columns made around the generator that it does not learn, whose empty cells it learns
    instead: IDs, replaced personal data and constant columns."""
    replaced = spec.pii_action is PiiAction.REPLACE  # without protection PII is learnt anyway
    return [
        c.name
        for c in table
        if c.name not in model_schema and (c.kind is not ColumnKind.PII or replaced)
    ]


def fit(table: Table, spec: GenerationSpec, progress: ProgressFn = no_progress) -> FittedModel:
    """Split off the holdout and train the generator on (at most max_fit_rows) training rows."""
    params = spec.validate()
    check_table_rows(len(table.df))
    notes: list[str] = []
    if _holdout_fraction(len(table.df), spec.holdout_fraction) != spec.holdout_fraction:
        notes.append(
            f"The table is too small to keep a holdout; all {len(table.df)} rows were used "
            "for training."
        )
    progress(0.0, "Splitting training and holdout rows")
    train, holdout = fit_split(table.df, spec.holdout_fraction, spec.seed)
    modelled, column_notes = _modelled_columns(table, train, spec)
    notes.extend(column_notes)
    if not modelled:
        raise SpecError(
            "No column is left to learn from: every column is an ID, personal data or constant. "
            "Change the column kinds on the Data page."
        )
    model_schema = Schema(tuple(modelled))
    _check_constraint_columns(spec.constraints, table.schema, model_schema)
    rules.validate(spec.constraints, model_schema, train)
    if spec.requests:  # refuse impossible conditions before training, not after
        validate_requests(spec.requests, model_schema, train)
    fit_data = train[model_schema.names]
    if spec.max_fit_rows is not None and len(fit_data) > spec.max_fit_rows:
        rows = np.sort(
            np.random.default_rng(spec.seed).choice(len(fit_data), spec.max_fit_rows, replace=False)
        )
        fit_data = fit_data.iloc[rows]
        notes.append(
            f"The generator learnt from a random sample of {spec.max_fit_rows:,} of the "
            f"{len(train):,} training rows (the row cap for fitting)."
        )
    dp = registry.get(spec.generator).kind is GeneratorKind.DP
    kept, rule_note = _found_rules(spec, train, model_schema, dp=dp)
    if rule_note:
        notes.append(rule_note)
    gaps = () if dp else find_gaps((*spec.constraints, *kept), fit_data, model_schema).gaps
    filled = find_filled(
        _made_here(table.schema, model_schema, spec), train, table.schema.names, model_schema
    )
    derived = Derived(gaps, tuple(filled))
    notes.extend(gap.describe() for gap in derived.gaps)
    if derived.filled:
        notes.append(
            "Columns filled in some rows only get values in rows like the real rows that have "
            f"one (learnt with the other columns): {', '.join(f.describe() for f in filled)}."
        )
    generator = registry.create(spec.generator, params, checked=True)
    started = time.perf_counter()
    generator.fit(
        derived.encode(fit_data, train).reset_index(drop=True),
        derived.schema(model_schema),
        spec.seed,
        _scaled(progress, *_FIT_SHARE),
        tuple(
            c
            for c in _learnt(spec.constraints, kept, fit_data)
            if not derived.ends & set(c.columns)
        ),
    )
    model = FittedModel(
        generator=generator,
        spec=spec,
        schema=table.schema,
        model_schema=model_schema,
        train=train,
        holdout=holdout,
        fit_rows=len(fit_data),
        fit_seconds=time.perf_counter() - started,
        notes=tuple(notes),
        losses=tuple(generator.losses),
        similarity_filter=_fit_filter(spec, train, holdout, model_schema, progress),
        rules=kept,
        derived=derived,
    )
    model = _screened(model, progress)
    if spec.quality_filter is None:
        return model
    progress(0.995, "Training the quality filter's real-versus-synthetic classifier")
    generator.reset_sampling(spec.seed + 1)  # a calibration draw the filter learns from
    calibration = _coerce(model, generator.sample(min(len(fit_data), QUALITY_CAP)))
    quality = QualityFilter.fit(fit_data, calibration, model_schema, spec.quality_filter, spec.seed)
    return replace(model, quality_filter=quality)


def _screened(model: FittedModel, progress: ProgressFn) -> FittedModel:
    """The model with the rules whose enforcement would distort a column left out (tried on
    a draw of the model's own rows; see ``synth_core.generate.screen``). Not under differential
    privacy: comparing with the real columns would read the real rows outside the budget."""
    constraints = model.constraints
    if not constraints or registry.get(model.spec.generator).kind is GeneratorKind.DP:
        return model
    progress(0.993, "Trying the rules on the model's rows")
    model.generator.reset_sampling(model.spec.seed + 2)
    draw = _coerce(model, model.generator.sample(min(len(model.train), SCREEN_ROWS)))
    names = model.model_schema.names
    applied, skipped = screen(constraints, draw, model.train[names], model.model_schema)
    if not skipped:
        return model
    return replace(
        model,
        skipped=skipped,
        applied=applied,
        notes=(*model.notes, *(s.describe() for s in skipped)),
    )


def _found_rules(
    spec: GenerationSpec, train: pd.DataFrame, schema: Schema, dp: bool
) -> tuple[tuple[Constraint, ...], str]:
    """The rules every training row keeps (spec.rules = auto), other than the user's own."""
    if spec.rules == RulesSetting.NONE:  # a plain "none" too
        return (), ""
    if dp:
        return (), (
            "Rules found in the data are not kept under differential privacy: finding them "
            "reads the real rows outside the privacy budget. Write the ones you need as "
            "constraints (ranges, sums and A > B rules are fine)."
        )
    found = discover(train[schema.names], schema).constraints()
    kept = tuple(c for c in found if c not in spec.constraints)
    if not kept:
        return (), ""
    return kept, (
        f"{len(kept)} rule(s) found in every training row are kept (see the Fidelity page's "
        "Rules view; turn them off on the Generate page or with --rules none)."
    )


def _learnt(
    constraints: Sequence[Constraint], found: Sequence[Constraint], train: pd.DataFrame
) -> tuple[Constraint, ...]:
    """What the generator is given to learn: the user's constraints, and the order rules found
    in the data whose two columns lie close together (the typical gap under a tenth of the
    lower column's spread, as a dropoff minutes after a pickup over a month of pickups) and
    share no column with another. SDV then learns the gap (an inequality) instead of two
    columns that would cross in many rows; other rules are kept by repair and rejection after
    sampling, which leaves the generator's model of the columns as it is (measured on the
    bundled tables: learning far-apart orders such as temp_max > temp_min lowered quality).

    An order between columns of few values (0/1 flags, counts) is never given to learn: SDV
    models the gap as a continuous quantity, which took a 0/1 target from 47% ones to 18%
    (Gaussian copula) and 0% (TVAE) on a recidivism table; repair and rejection keep it."""
    given = [c for c in constraints if not isinstance(c, GreaterThan) or _continuous(c, train)]
    used = {name for c in given for name in c.columns}
    for constraint in found:
        if not isinstance(constraint, GreaterThan) or used & set(constraint.columns):
            continue
        if not _continuous(constraint, train):
            continue
        if not rules.close_pair(train, constraint.low, constraint.high):
            continue
        given.append(constraint)
        used |= set(constraint.columns)
    return tuple(given)


def _continuous(order: GreaterThan, train: pd.DataFrame) -> bool:
    return all(train[name].nunique(dropna=True) > FEW_VALUES for name in order.columns)


def _fit_filter(
    spec: GenerationSpec,
    train: pd.DataFrame,
    holdout: pd.DataFrame,
    schema: Schema,
    progress: ProgressFn,
) -> SimilarityFilter | None:
    if spec.similarity_filter is None:
        return None
    progress(0.99, "Measuring how close unseen real rows are to the training rows")
    return SimilarityFilter.fit(
        train[schema.names], holdout[schema.names], schema, spec.similarity_filter
    )


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


def _check_constraint_columns(
    constraints: Sequence[Constraint], schema: Schema, model_schema: Schema
) -> None:
    for constraint in constraints:
        for name in constraint.columns:
            if name not in schema:
                raise rules.ConstraintError(
                    f"The constraint '{constraint.describe()}' names an unknown column '{name}'."
                )
            if name not in model_schema:
                raise rules.ConstraintError(
                    f"'{constraint.describe()}' uses '{name}', which the generator does not learn "
                    "(an ID, personal data, a constant or a dropped column)."
                )


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
    data = _restore(run.model, run.delivered(pd.concat(parts, ignore_index=True)), seed, 0)
    return data, notes, tuple(coverage(requests, produced, run.model.train))


def synthesize(
    table: Table, spec: GenerationSpec, progress: ProgressFn = no_progress
) -> SynthResult:
    """Fit, then sample ``spec.rows`` rows (or ``spec.requests``); the rows asked for are
    checked against what is made in memory before training, not after."""
    check_in_memory(sum(r.rows for r in spec.requests) if spec.requests else spec.rows)
    # Sampling is quick next to fitting unless many rows are asked for (~7 s per million).
    split = 0.8 if spec.rows > 100_000 else 0.95
    model = fit(table, spec, _scaled(progress, 0.0, split))
    return sample(model, progress=_scaled(progress, split, 1.0))


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
        return _coerce(model, generator.sample(n)), ""
    kept: list[pd.DataFrame] = []
    have, drawn = 0, 0
    limit = min(max(REJECTION_FACTOR * n, 10_000), MAX_DRAWN)
    batch = n  # all at once when most rows pass (keeps a generator's balanced draws whole)
    while have < n and drawn < limit:
        rows = _coerce(model, generator.sample(batch))
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
        pd.concat(kept, ignore_index=True).head(n) if kept else _coerce(model, generator.sample(0))
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
        yield _restore(run.model, run.delivered(drawn), seed, written), note
        written += n
        progress(written / rows, f"{written:,} of {rows:,} rows")
        if len(drawn) < n:
            return  # the constraints starve the model; the note says so


def _conditioned(
    run: _Run, request: RowRequest, n: int, progress: ProgressFn
) -> tuple[pd.DataFrame, str]:
    """``n`` rows drawn with the generator's own conditioning, topped up by rejection."""
    try:
        rows = _coerce(run.model, run.model.generator.sample_conditioned(n, request.equals))
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


def _coerce(model: FittedModel, rows: pd.DataFrame) -> pd.DataFrame:
    """Sampled rows with the dtypes of the training data (generators may return other ones).

    A column with no missing value in the training rows gets none here either: a value a
    generator leaves empty (or that does not convert) is drawn from the column's other sampled
    values."""
    rows = model.derived.decode(rows)
    columns = {}
    for filled in model.derived.filled:
        flags = rows[filled.flag].astype("boolean").fillna(False).astype(bool)
        columns[filled.flag] = filled.decided(rows, flags.reset_index(drop=True))
    for name in model.model_schema.names:
        values = _restore_dtype(rows[name], model.train[name]).reset_index(drop=True)
        empty = values.isna().to_numpy()
        if empty.any() and not empty.all() and model.train[name].notna().all():
            rng = np.random.default_rng([model.spec.seed, len(values), int(empty.sum())])
            donors = values[~empty].to_numpy()
            values = values.copy()
            values[empty] = donors[rng.integers(0, len(donors), int(empty.sum()))]
        columns[name] = values
    return pd.DataFrame(columns)


def _restore(model: FittedModel, drawn: pd.DataFrame, seed: int, offset: int) -> pd.DataFrame:
    """The table's columns: learnt ones from ``drawn``; IDs, PII and constants made here."""
    n = len(drawn)
    spec = model.spec
    protect = spec.privacy.protects_pii
    rng = np.random.default_rng([seed, offset])
    columns: dict[str, pd.Series] = {}
    for position, column in enumerate(model.schema):
        real = model.train[column.name]
        every_real = pd.concat([real, model.holdout[column.name]], ignore_index=True)
        column_seed = seed + 7919 * (position + 1) + offset
        flag = model.derived.flag_of(column.name)
        if flag is not None:  # every row gets a value; the flag empties some below
            real, every_real = real.dropna(), every_real.dropna()
        if column.name in model.model_schema:
            columns[column.name] = drawn[column.name].reset_index(drop=True)
        elif column.kind is ColumnKind.ID:
            columns[column.name] = new_ids(every_real, n, seed + 7919 * (position + 1), offset)
        elif column.kind is ColumnKind.PII and protect:
            if spec.pii_action is PiiAction.DROP:
                continue
            assert column.pii_type is not None
            columns[column.name] = fake_column(
                column.pii_type, every_real, n, column_seed, column=column.name
            )
        else:
            columns[column.name] = _constant(real, n, rng)
        if flag is not None and column.name in columns:  # empty where the model says so
            values = columns[column.name].copy()
            values[~drawn[flag].to_numpy(dtype=bool)] = None
            columns[column.name] = values
    faked = {
        c.name: c.pii_type
        for c in model.schema
        if c.kind is ColumnKind.PII
        and c.pii_type is not None
        and c.name in columns
        and c.name not in model.model_schema
    }
    if faked:
        sex = next(
            (
                columns[c.name]
                for c in model.schema
                if c.name in columns and {"sex", "gender"} & set(name_tokens(c.name))
            ),
            None,
        )
        known = {
            name: pd.concat([model.train[name], model.holdout[name]], ignore_index=True)
            for name in faked
        }
        birth = next(
            (
                c.name
                for c in model.schema
                if c.kind is ColumnKind.DATETIME
                and c.name in columns
                and _BIRTH & set(name_tokens(c.name))
            ),
            None,
        )
        birthdays = None
        if birth is not None:
            real_birth = pd.concat([model.train[birth], model.holdout[birth]], ignore_index=True)
            birthdays = (columns[birth], real_birth)
        columns = consistent_people(columns, faked, sex, known, seed + offset, birthdays)
        for name in faked:
            columns[name] = case_like(columns[name], known[name])
    return pd.DataFrame(columns)


_BIRTH = frozenset({"dob", "birth", "born", "birthday", "birthdate", "bday"})


def _restore_dtype(values: pd.Series, real: pd.Series) -> pd.Series:
    """Give sampled values the dtype of the real column (generators may return floats or text)."""
    dtype = real.dtype
    if str(dtype) == "Int64":
        numbers = pd.to_numeric(values, errors="coerce")
        # A generator may extrapolate past what a 64-bit integer holds (real IDs near 2**63).
        return numbers.round().clip(-_INT64_FLOAT_LIMIT, _INT64_FLOAT_LIMIT).astype("Int64")
    if pd.api.types.is_float_dtype(dtype):
        return pd.to_numeric(values, errors="coerce").astype("float64")
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return pd.to_datetime(values, errors="coerce").astype(dtype)
    if str(dtype) == "boolean":
        return values.astype("boolean")
    return values.astype(object).where(values.notna(), np.nan)


def _constant(real: pd.Series, n: int, rng: np.random.Generator) -> pd.Series:
    """The column's one value (if any), missing as often as in the real column."""
    out = real.iloc[:0].reset_index(drop=True).reindex(range(n))  # all missing, same dtype
    present = real.dropna()
    if len(present):
        filled = rng.random(n) >= float(real.isna().mean())
        out[filled] = present.iloc[0]
    return out


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
