"""From a Table and a GenerationSpec to a synthetic table: split, protect, fit, sample, restore."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np
import pandas as pd

from synth_core.errors import SpecError
from synth_core.generators import registry
from synth_core.generators.registry import ParamValue, ProgressFn, no_progress
from synth_core.privacy.pii import PiiAction, fake_column, new_ids
from synth_core.schema import MODELLED_KINDS, ColumnKind, ColumnSchema, Schema
from synth_core.table import Table

MIN_ROWS = 10
MAX_SYNTHETIC_ROWS = 1_000_000
_FIT_SHARE = (0.02, 0.8)
_SAMPLE_SHARE = (0.8, 0.9)


class PrivacySetting(StrEnum):
    """How personal data is treated; more settings come with the privacy engine."""

    NONE = "none"
    PII = "pii"


@dataclass(frozen=True)
class GenerationSpec:
    """Everything that decides the synthetic output; the same spec and table give the same rows."""

    generator: str = "gaussian_copula"
    params: Mapping[str, ParamValue] = field(default_factory=dict)
    rows: int = 1000
    seed: int = 0
    privacy: PrivacySetting = PrivacySetting.PII
    pii_action: PiiAction = PiiAction.REPLACE
    holdout_fraction: float = 0.2

    def validate(self) -> dict[str, ParamValue]:
        """Check the settings before any work; return the generator's checked parameters."""
        if not 1 <= self.rows <= MAX_SYNTHETIC_ROWS:
            raise SpecError(
                f"The number of synthetic rows must be between 1 and {MAX_SYNTHETIC_ROWS:,}; "
                f"got {self.rows:,}."
            )
        if self.seed < 0 or self.seed >= 2**32:
            raise SpecError(
                f"The seed must be a whole number from 0 to {2**32 - 1}; got {self.seed}."
            )
        if not 0.0 <= self.holdout_fraction <= 0.5:
            raise SpecError(
                f"The holdout share must be between 0 and 0.5; got {self.holdout_fraction}."
            )
        return registry.get(self.generator).validate(self.params)


@dataclass(frozen=True)
class SynthResult:
    """Synthetic rows with the data they were learnt from and how long it took."""

    data: pd.DataFrame
    schema: Schema
    spec: GenerationSpec
    train: pd.DataFrame
    holdout: pd.DataFrame
    fit_seconds: float
    sample_seconds: float
    notes: tuple[str, ...]


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


def _scaled(progress: ProgressFn, low: float, high: float) -> ProgressFn:
    def report(fraction: float, message: str) -> None:
        progress(low + (high - low) * min(max(fraction, 0.0), 1.0), message)

    return report


def _is_constant(values: pd.Series) -> bool:
    return values.nunique(dropna=True) <= 1


def synthesize(
    table: Table, spec: GenerationSpec, progress: ProgressFn = no_progress
) -> SynthResult:
    """Split off the holdout, fit the generator on the training rows and sample ``spec.rows``."""
    params = spec.validate()
    if len(table.df) < MIN_ROWS:
        raise SpecError(
            f"The table has {len(table.df)} row(s); at least {MIN_ROWS} are needed to learn "
            "anything. Upload a larger table."
        )
    notes: list[str] = []
    fraction = spec.holdout_fraction
    if len(table.df) * (1 - fraction) < MIN_ROWS:
        fraction = 0.0
        notes.append(
            f"The table is too small to keep a holdout; all {len(table.df)} rows were used "
            "for training."
        )
    progress(0.0, "Splitting training and holdout rows")
    train, holdout = split_holdout(table.df, fraction, spec.seed)

    protect = spec.privacy is PrivacySetting.PII
    modelled: list[ColumnSchema] = []
    for column in table.schema:
        values = train[column.name]
        if column.kind is ColumnKind.ID:
            notes.append(f"'{column.name}' is an ID column: it gets new unique IDs.")
        elif column.kind is ColumnKind.PII and protect:
            verb = (
                "replaced with fake values" if spec.pii_action is PiiAction.REPLACE else "dropped"
            )
            notes.append(f"'{column.name}' holds personal data ({column.pii_type}): {verb}.")
        elif _is_constant(values):
            notes.append(f"'{column.name}' has at most one distinct value: it is copied as it is.")
        elif column.kind in MODELLED_KINDS:
            modelled.append(column)
        else:  # PII without protection is modelled like any text column
            modelled.append(ColumnSchema(column.name, ColumnKind.CATEGORICAL, reason=column.reason))
    if not modelled:
        raise SpecError(
            "No column is left to learn from: every column is an ID, personal data or constant. "
            "Change the column kinds on the Data page."
        )
    model_schema = Schema(tuple(modelled))
    model_data = train[model_schema.names].reset_index(drop=True)

    generator = registry.create(spec.generator, params)
    started = time.perf_counter()
    generator.fit(model_data, model_schema, spec.seed, _scaled(progress, *_FIT_SHARE))
    fit_seconds = time.perf_counter() - started
    progress(_SAMPLE_SHARE[0], f"Sampling {spec.rows:,} rows")
    started = time.perf_counter()
    sampled = generator.sample(spec.rows).reset_index(drop=True)
    sample_seconds = time.perf_counter() - started
    notes.extend(getattr(generator, "notes", []))

    progress(_SAMPLE_SHARE[1], "Restoring IDs, personal data and constant columns")
    rng = np.random.default_rng(spec.seed)
    columns: dict[str, pd.Series] = {}
    kept: list[ColumnSchema] = []
    for position, column in enumerate(table.schema):
        real = train[column.name]
        seed = spec.seed + 7919 * (position + 1)
        if column.name in model_schema:
            columns[column.name] = _restore_dtype(sampled[column.name], real)
        elif column.kind is ColumnKind.ID:
            columns[column.name] = new_ids(real, spec.rows, seed)
        elif column.kind is ColumnKind.PII and protect:
            if spec.pii_action is PiiAction.DROP:
                continue
            assert column.pii_type is not None
            columns[column.name] = fake_column(column.pii_type, real, spec.rows, seed)
        else:
            columns[column.name] = _constant(real, spec.rows, rng)
        kept.append(column)
    data = pd.DataFrame(columns)
    progress(1.0, "Done")
    return SynthResult(
        data=data,
        schema=Schema(tuple(kept)),
        spec=spec,
        train=train,
        holdout=holdout,
        fit_seconds=fit_seconds,
        sample_seconds=sample_seconds,
        notes=tuple(dict.fromkeys(notes)),
    )


def _restore_dtype(values: pd.Series, real: pd.Series) -> pd.Series:
    """Give sampled values the dtype of the real column (generators may return floats or text)."""
    dtype = real.dtype
    if str(dtype) == "Int64":
        numbers = pd.to_numeric(values, errors="coerce")
        return numbers.round().astype("Int64")
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
