"""From a Table and a GenerationSpec to synthetic rows: split, protect, fit once, sample often.

fit() learns a FittedModel from the training rows (the holdout is split off first);
sample() draws rows from it, honouring constraints and conditional requests; synthesize() does
both; sample_to_file() writes millions of rows in chunks without holding them in memory. The
model and result types live in ``model``, sampling in ``sampling``, the way back to the user's
table in ``restore``; this module is fitting, and the one import for all of them."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import pandas as pd

from synth_core._progress import ProgressFn, no_progress
from synth_core._progress import scaled as _scaled
from synth_core.data.checks import link_columns
from synth_core.data.marginals import FEW_VALUES
from synth_core.data.schema import MODELLED_KINDS, ColumnKind, ColumnSchema, Schema
from synth_core.data.table import Table
from synth_core.errors import SpecError
from synth_core.generate import constraints as rules
from synth_core.generate.conditions import validate as validate_requests
from synth_core.generate.constraints import Constraint, GreaterThan
from synth_core.generate.derived import Derived, find_filled, find_gaps
from synth_core.generate.discover import discover
from synth_core.generate.generators import registry
from synth_core.generate.generators.registry import Advice, GeneratorKind, table_shape
from synth_core.generate.model import FittedModel, SynthResult
from synth_core.generate.protect.pii import (
    PiiAction,
)
from synth_core.generate.protect.quality import CAP as QUALITY_CAP
from synth_core.generate.protect.quality import QualityFilter
from synth_core.generate.protect.similarity import SimilarityFilter
from synth_core.generate.restore import coerce
from synth_core.generate.sampling import (
    CHUNK_ROWS,
    MAX_DRAWN,
    REJECTION_FACTOR,
    FileSample,
    sample,
    sample_to_file,
)
from synth_core.generate.screen import SCREEN_ROWS, screen
from synth_core.generate.spec import (
    FIT_ROWS_AUTO,
    MIN_ROWS,
    GenerationSpec,
    RulesSetting,
    check_in_memory,
    check_table_rows,
)

__all__ = [
    "CHUNK_ROWS",
    "MAX_DRAWN",
    "REJECTION_FACTOR",
    "FileSample",
    "FittedModel",
    "SynthResult",
    "fit",
    "fit_advice",
    "fit_estimate",
    "fit_split",
    "sample",
    "sample_to_file",
    "split_holdout",
    "synthesize",
]


_FIT_SHARE = (0.02, 0.985)  # of fit(): splitting first, then the generator, then checks


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
    cap = spec.fit_cap()
    if cap is not None:
        rows = min(rows, cap)
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
    cap = spec.fit_cap()
    if cap is not None and len(fit_data) > cap:
        rows = np.sort(np.random.default_rng(spec.seed).choice(len(fit_data), cap, replace=False))
        fit_data = fit_data.iloc[rows]
        why = (
            f"the default for {registry.get(spec.generator).label}, chosen by measured "
            "fidelity against time (README, 'The fit's row cap')"
            if spec.max_fit_rows == FIT_ROWS_AUTO
            else "as set"
        )
        notes.append(
            f"The generator learnt from a random sample of {cap:,} of the {len(train):,} "
            f"training rows (the row cap for fitting: {why}; the Generate page's box, "
            "--fit-rows or the recipe's max_fit_rows change it). Rules are found in every "
            "training row."
        )
    dp = registry.get(spec.generator).kind is GeneratorKind.DP
    if spec.rules is RulesSetting.AUTO and not dp:
        progress(0.0, f"Finding the rules the {len(train):,} training rows keep")
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
    progress(0.0, f"Fitting {registry.get(spec.generator).label} on {len(fit_data):,} rows")
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
    calibration = coerce(model, generator.sample(min(len(fit_data), QUALITY_CAP)))
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
    draw = coerce(model, model.generator.sample(min(len(model.train), SCREEN_ROWS)))
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
