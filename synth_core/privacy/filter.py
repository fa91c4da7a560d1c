"""Similarity filter (after Gretel's privacy filters): synthetic rows that copy a training row, or
lie closer to one than real unseen rows usually do, are dropped; optionally also outliers.

The threshold comes from the holdout: the ``quantile`` (default 5%) of the distances from holdout
rows to their nearest training row — real rows the generator never saw are that close only 5% of
the time. Without a holdout, the training rows' distances to their nearest other training row
are used (and the notes say so). Outliers are rows farther from every training row than 99% of
holdout rows are. Distances: ``synth_core.privacy.distance``."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from synth_core.errors import SynthCoreError
from synth_core.privacy.distance import RowEncoder, distance_columns, nearest, row_hashes
from synth_core.schema import Schema

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


@dataclass
class FilterStats:
    """What the filter dropped during one sampling run."""

    seen: int = 0
    exact: int = 0
    near: int = 0
    outliers: int = 0

    @property
    def dropped(self) -> int:
        return self.exact + self.near + self.outliers


@dataclass
class SimilarityFilter:
    settings: FilterSettings
    encoder: RowEncoder
    columns: list[str]
    train_hashes: np.ndarray = field(repr=False)
    reference: np.ndarray = field(repr=False)
    threshold: float
    outlier_threshold: float | None
    source: str  # where the threshold came from, in words
    stats: FilterStats = field(default_factory=FilterStats)

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
            columns=[c.name for c in column_schemas],
            train_hashes=np.unique(row_hashes(train, column_schemas)),
            reference=reference,
            threshold=float(np.quantile(distances, settings.quantile)),
            outlier_threshold=(
                float(np.quantile(distances, OUTLIER_QUANTILE)) if settings.drop_outliers else None
            ),
            source=source,
        )

    def keep(self, rows: pd.DataFrame, schema: Schema) -> np.ndarray:
        """True for rows that are neither copies nor near copies (nor outliers, if set)."""
        if rows.empty:
            return np.zeros(0, dtype=bool)
        column_schemas = [schema[name] for name in self.columns]
        exact = np.isin(row_hashes(rows, column_schemas), self.train_hashes)
        distance = nearest(self.reference, self.encoder.transform(rows))[0][:, 0]
        near = ~exact & (distance < self.threshold)
        outlier = np.zeros(len(rows), dtype=bool)
        if self.outlier_threshold is not None:
            outlier = ~exact & ~near & (distance > self.outlier_threshold)
        self.stats.seen += len(rows)
        self.stats.exact += int(exact.sum())
        self.stats.near += int(near.sum())
        self.stats.outliers += int(outlier.sum())
        keep: np.ndarray = ~(exact | near | outlier)
        return keep

    def note(self) -> str:
        """What was dropped, in words."""
        s = self.stats
        parts = [f"{s.exact:,} exact copies of training rows", f"{s.near:,} near copies"]
        if self.outlier_threshold is not None:
            parts.append(f"{s.outliers:,} outliers")
        return (
            f"Similarity filter: dropped {s.dropped:,} of {s.seen:,} sampled rows "
            f"({', '.join(parts)}; near = closer to a training row than {self.threshold:.3g}, "
            f"the {self.settings.quantile:.0%} quantile of {self.source}); more rows were "
            "sampled to make up for them."
        )
