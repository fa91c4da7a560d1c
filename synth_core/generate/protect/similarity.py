"""Similarity filter (after Gretel's privacy filters): synthetic rows that copy a training row, or
lie closer to one than real unseen rows usually do, are dropped; optionally also outliers.

The threshold comes from the holdout: the ``quantile`` (default 5%) of the distances from holdout
rows to their nearest training row — real rows the generator never saw are that close only 5% of
the time. Without a holdout, the training rows' distances to their nearest other training row
are used (and the notes say so). Outliers are rows farther from every training row than 99% of
holdout rows are. Distances: ``synth_core.data.distance``."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from synth_core.data.distance import RowEncoder, distance_columns, nearest, row_hashes
from synth_core.data.schema import Schema
from synth_core.errors import SynthCoreError

MIN_HOLDOUT = 20
OUTLIER_QUANTILE = 0.99


@dataclass(frozen=True)
class FilterSettings:
    quantile: float = 0.05
    drop_outliers: bool = False

    def validate(self) -> None:
        if not 0.0 < self.quantile < 0.5:
            raise SynthCoreError(
                f"The similarity filter's quantile must be between 0 and 0.5 (e.g. 0.05); got "
                f"{self.quantile}."
            )


@dataclass(frozen=True)
class FilterStats:
    """What the filter dropped from some rows; add them up over a sampling run."""

    seen: int = 0
    exact: int = 0
    near: int = 0
    outliers: int = 0

    @property
    def dropped(self) -> int:
        return self.exact + self.near + self.outliers

    def __add__(self, other: FilterStats) -> FilterStats:
        return FilterStats(
            self.seen + other.seen,
            self.exact + other.exact,
            self.near + other.near,
            self.outliers + other.outliers,
        )


@dataclass(frozen=True)
class SimilarityFilter:
    settings: FilterSettings
    encoder: RowEncoder
    columns: tuple[str, ...]
    train_hashes: np.ndarray = field(repr=False)
    reference: np.ndarray = field(repr=False)
    threshold: float
    outlier_threshold: float | None
    source: str  # where the threshold came from, in words

    @classmethod
    def fit(
        cls,
        train: pd.DataFrame,
        holdout: pd.DataFrame,
        schema: Schema,
        settings: FilterSettings,
    ) -> SimilarityFilter:
        settings.validate()
        column_schemas = distance_columns(schema, train)
        encoder = RowEncoder.fit(train, column_schemas)
        reference = encoder.transform(train)
        if len(holdout) >= MIN_HOLDOUT:
            distances = nearest(reference, encoder.transform(holdout))[0][:, 0]
            source = f"{len(holdout):,} holdout rows"
        else:
            distances = nearest(reference, reference, k=2)[0][:, 1]  # the nearest other row
            source = "the training rows' distances to each other (no holdout)"
        return cls(
            settings=settings,
            encoder=encoder,
            columns=tuple(c.name for c in column_schemas),
            train_hashes=np.unique(row_hashes(train, column_schemas)),
            reference=reference,
            threshold=float(np.quantile(distances, settings.quantile)),
            outlier_threshold=(
                float(np.quantile(distances, OUTLIER_QUANTILE)) if settings.drop_outliers else None
            ),
            source=source,
        )

    def keep(self, rows: pd.DataFrame, schema: Schema) -> tuple[np.ndarray, FilterStats]:
        """True for rows that are neither copies nor near copies (nor outliers, if set), and
        what was dropped."""
        if rows.empty:
            return np.zeros(0, dtype=bool), FilterStats()
        column_schemas = [schema[name] for name in self.columns]
        exact = np.isin(row_hashes(rows, column_schemas), self.train_hashes)
        distance = nearest(self.reference, self.encoder.transform(rows))[0][:, 0]
        near = ~exact & (distance < self.threshold)
        outlier = np.zeros(len(rows), dtype=bool)
        if self.outlier_threshold is not None:
            outlier = ~exact & ~near & (distance > self.outlier_threshold)
        stats = FilterStats(len(rows), int(exact.sum()), int(near.sum()), int(outlier.sum()))
        keep: np.ndarray = ~(exact | near | outlier)
        return keep, stats

    def note(self, s: FilterStats) -> str:
        """What was dropped during a sampling run, in words."""
        parts = [f"{s.exact:,} exact copies of training rows", f"{s.near:,} near copies"]
        if self.outlier_threshold is not None:
            parts.append(f"{s.outliers:,} outliers")
        return (
            f"Similarity filter: dropped {s.dropped:,} of {s.seen:,} sampled rows "
            f"({', '.join(parts)}; near = closer to a training row than {self.threshold:.3g}, "
            f"the {self.settings.quantile:.0%} quantile of {self.source}); more rows were "
            "sampled to make up for them."
        )
