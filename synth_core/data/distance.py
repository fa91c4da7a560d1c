"""One mixed-type distance between rows, and nearest neighbours under it.

The distance between rows x and y over the compared columns (not IDs or personal data):

    d(x, y)² = Σ numeric and date columns ((x - y) / s)²   (s: the column's standard deviation
                                                             in the reference table, 1 if 0;
                                                             a missing number counts as the mean)
             + Σ numeric columns with missing values [exactly one of x, y is missing]
             + Σ categorical and true/false columns [x ≠ y]   (missing is a category)

so one differing category counts as much as one standard deviation, and missing equals missing.
Rows are encoded once so that this is the Euclidean distance (numbers standardised, missing
numbers at the mean plus a missing-flag, categories one-hot scaled by 1/√2), and scikit-learn's
NearestNeighbors finds neighbours in blocks. Exact matches are found separately, by hashing rows
after type normalisation (so 39 and 39.0 match, and a CSV round trip does not hide copies)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from synth_core.data.convert import as_float
from synth_core.data.schema import ColumnKind, ColumnSchema, Schema
from synth_core.errors import SynthCoreError

DISTANCE_KINDS = (
    ColumnKind.NUMERICAL,
    ColumnKind.DATETIME,
    ColumnKind.CATEGORICAL,
    ColumnKind.BOOLEAN,
)
_HALF = np.float32(np.sqrt(0.5))
_MISSING = "\x00missing"


class PrivacyError(SynthCoreError):
    """The tables cannot be compared for privacy (no common column, too few rows)."""


def distance_columns(schema: Schema, *frames: pd.DataFrame) -> list[ColumnSchema]:
    """Columns of a comparable kind present in every frame."""
    return [
        c for c in schema if c.kind in DISTANCE_KINDS and all(c.name in f.columns for f in frames)
    ]


@dataclass(frozen=True)
class _Numeric:
    name: str
    mean: float
    scale: float
    has_missing: bool


@dataclass(frozen=True)
class _Categorical:
    name: str
    levels: tuple[str, ...]  # reference categories; others share one "unseen" slot


@dataclass(frozen=True)
class RowEncoder:
    """Encodes rows so that Euclidean distance is the mixed-type distance above."""

    numeric: tuple[_Numeric, ...]
    categorical: tuple[_Categorical, ...]

    @property
    def columns(self) -> list[str]:
        return [c.name for c in self.numeric] + [c.name for c in self.categorical]

    @classmethod
    def fit(
        cls,
        reference: pd.DataFrame,
        columns: Sequence[ColumnSchema],
        others: Sequence[pd.DataFrame] = (),
    ) -> RowEncoder:
        """Scales from ``reference``; missing-flags wherever any table has missing values."""
        if not columns:
            raise PrivacyError(
                "No column can be compared for privacy: every column is an ID, personal data or "
                "missing from one of the tables."
            )
        numeric, categorical = [], []
        for column in columns:
            values = reference[column.name]
            missing = bool(values.isna().any()) or any(o[column.name].isna().any() for o in others)
            if column.kind in (ColumnKind.NUMERICAL, ColumnKind.DATETIME):
                numbers = as_float(values)
                present = numbers[~np.isnan(numbers)]
                mean = float(present.mean()) if present.size else 0.0
                std = float(present.std()) if present.size > 1 else 0.0
                numeric.append(_Numeric(column.name, mean, std if std > 0 else 1.0, missing))
            else:
                levels = tuple(sorted(set(_labels(values).tolist())))
                categorical.append(_Categorical(column.name, levels))
        return cls(tuple(numeric), tuple(categorical))

    def transform(self, frame: pd.DataFrame) -> np.ndarray:
        """float32 matrix, one row per row of ``frame``."""
        blocks: list[np.ndarray] = []
        for column in self.numeric:
            numbers = as_float(frame[column.name])
            missing = np.isnan(numbers)
            scaled = np.where(missing, 0.0, (numbers - column.mean) / column.scale)
            blocks.append(scaled.astype(np.float32)[:, None])
            if column.has_missing:
                blocks.append(missing.astype(np.float32)[:, None])
        for cat in self.categorical:
            labels = _labels(frame[cat.name]).to_numpy()
            codes = np.searchsorted(np.asarray(cat.levels, dtype=object), labels)
            codes = np.minimum(codes, len(cat.levels))
            known = codes < len(cat.levels)
            known[known] = np.asarray(cat.levels, dtype=object)[codes[known]] == labels[known]
            codes = np.where(known, codes, len(cat.levels))  # one slot for unseen values
            block = np.zeros((len(frame), len(cat.levels) + 1), dtype=np.float32)
            block[np.arange(len(frame)), codes] = _HALF
            blocks.append(block)
        if not blocks:
            return np.zeros((len(frame), 0), dtype=np.float32)
        return np.hstack(blocks)


def _labels(values: pd.Series) -> pd.Series:
    """Categories as text, missing as its own label."""
    return values.astype(object).where(values.notna(), _MISSING).astype(str)


def nearest(
    reference: np.ndarray, queries: np.ndarray, k: int = 1
) -> tuple[np.ndarray, np.ndarray]:
    """Distances (n_queries × k, ascending) and indices of the k nearest reference rows."""
    from sklearn.neighbors import NearestNeighbors

    if len(reference) < k:
        raise PrivacyError(f"Need at least {k} reference row(s) to find neighbours.")
    index = NearestNeighbors(n_neighbors=k, algorithm="brute", metric="euclidean")
    index.fit(reference)
    distances, indices = index.kneighbors(queries, return_distance=True)
    return distances.astype(np.float64), indices


def row_hashes(frame: pd.DataFrame, columns: Sequence[ColumnSchema]) -> np.ndarray:
    """One 64-bit hash per row after type normalisation: numbers and dates as float64
    (39 == 39.0), categories as text, missing as missing."""
    normal: dict[str, pd.Series] = {}
    for column in columns:
        values = frame[column.name]
        if column.kind in (ColumnKind.NUMERICAL, ColumnKind.DATETIME):
            normal[column.name] = pd.Series(as_float(values), index=frame.index)
        else:
            normal[column.name] = _labels(values)
    hashed: np.ndarray = pd.util.hash_pandas_object(
        pd.DataFrame(normal, index=frame.index), index=False
    ).to_numpy()
    return hashed
