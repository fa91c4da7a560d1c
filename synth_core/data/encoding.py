"""One feature encoder for scikit-learn models: numbers as floats, dates as nanoseconds,
categories as codes fixed on reference rows; and matrices ready for histogram gradient boosting.
Detection, utility, fairness, augmentation and the quality filter all use it."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from synth_core.data.convert import as_float
from synth_core.data.schema import ColumnKind, Schema

FEATURE_KINDS = (
    ColumnKind.NUMERICAL,
    ColumnKind.DATETIME,
    ColumnKind.CATEGORICAL,
    ColumnKind.BOOLEAN,
)
MAX_LEVELS = 250  # categories with their own code per feature (HistGradientBoosting: 255)


def feature_columns(schema: Schema, target: str, frames: Sequence[pd.DataFrame]) -> list[str]:
    return [
        c.name
        for c in schema
        if c.name != target and c.kind in FEATURE_KINDS and all(c.name in f.columns for f in frames)
    ]


class Encoder:
    """Features as numbers: floats (dates as ns), categories as codes fixed on reference rows
    (one table, or several counted together, e.g. real and synthetic rows for detection)."""

    def __init__(
        self,
        reference: pd.DataFrame | Sequence[pd.DataFrame],
        schema: Schema,
        features: list[str],
    ) -> None:
        references = [reference] if isinstance(reference, pd.DataFrame) else list(reference)
        self.features = features
        self.categorical = [
            name
            for name in features
            if schema[name].kind in (ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN)
        ]
        # HistGradientBoosting takes at most 255 categories: the most frequent MAX_LEVELS keep
        # their own code, the rest share one ("other"), as do values the reference lacks.
        self.levels = {name: _levels(references, name) for name in self.categorical}

    def transform(self, frame: pd.DataFrame) -> np.ndarray:
        columns = []
        for name in self.features:
            if name in self.levels:
                levels = self.levels[name]
                present = frame[name].notna().to_numpy()
                codes = pd.Categorical(frame[name].astype(str).where(frame[name].notna()), levels)
                values = codes.codes.astype(np.float64)
                values[(values < 0) & present] = len(levels)  # other or unseen
                values[~present] = np.nan
                columns.append(values)
            else:
                columns.append(as_float(frame[name]))
        return np.column_stack(columns) if columns else np.zeros((len(frame), 0))

    @property
    def categorical_mask(self) -> np.ndarray:
        return np.array([name in self.levels for name in self.features], dtype=bool)


def _levels(references: Sequence[pd.DataFrame], name: str) -> list[str]:
    counts = pd.concat([r[name].dropna().astype(str) for r in references]).value_counts()
    return sorted(counts.index[:MAX_LEVELS])


def fit_ready(x: np.ndarray) -> np.ndarray:
    """``x`` with every column that is missing in all rows set to 0.

    scikit-learn 1.9's HistGradientBoosting fails on such a column ("window shape cannot be
    larger than input array shape" while binning), and a cross-validation fold or a synthetic
    table can have one (a column empty in all but a few real rows). A column with no value
    carries nothing to learn, so a constant loses nothing; at prediction time its values are
    ignored the same way."""
    empty = np.isnan(x).all(axis=0) if x.size else np.zeros(x.shape[1], dtype=bool)
    if not empty.any():
        return x
    ready = x.copy()
    ready[:, empty] = 0.0
    return ready
