"""A generator's rows turned back into the user's table: the training dtypes, and the columns
made around the generator (new IDs, fake personal data, constants) filled in."""

from __future__ import annotations

import numpy as np
import pandas as pd

from synth_core.data.detect import name_tokens
from synth_core.data.schema import ColumnKind
from synth_core.generate.model import FittedModel
from synth_core.generate.protect.pii import (
    PiiAction,
    case_like,
    consistent_people,
    fake_column,
    new_ids,
)

_INT64_FLOAT_LIMIT = float(2**63 - 2**10)  # the largest float below 2**63


def coerce(model: FittedModel, rows: pd.DataFrame) -> pd.DataFrame:
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


def restore(model: FittedModel, drawn: pd.DataFrame, seed: int, offset: int) -> pd.DataFrame:
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
