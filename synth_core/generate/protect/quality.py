"""Quality filter: the "reward model" of generate-then-filter pipelines, for tables.

A classifier (scikit-learn's HistGradientBoosting) learns to tell the real training rows from a
calibration draw of the fitted generator; every synthetic row is then scored by P(real), the
classifier's belief that it is a real row. The filter keeps the best-scoring share ``keep`` of
each batch (more rows are drawn first, so the requested number comes out) or, with a
``threshold``, every row scoring at least that much. The rows scored are never the rows the
classifier learnt from.

Filtering towards "realistic" rows raises fidelity on the classifier's terms at a cost in
diversity (Alemohammad et al. 2023 call it sampling bias): spread, tails and rare categories
shrink, and kept rows can sit closer to real people. ``synth_core.workflows.measured``
measures both.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from synth_core.data.encoding import FEATURE_KINDS, Encoder, fit_ready
from synth_core.data.schema import Schema
from synth_core.errors import SpecError, SynthCoreError

CAP = 10_000  # rows per side for training the classifier (a seeded sample above this)
MIN_ROWS = 20


@dataclass(frozen=True)
class QualitySettings:
    keep: float = 0.5  # the best-scoring share of the drawn rows to keep
    threshold: float | None = None  # instead: keep rows with P(real) at least this

    def validate(self) -> None:
        if not 0.0 < self.keep <= 1.0:
            raise SpecError(
                f"The quality filter keeps a share of the rows between 0 and 1 (e.g. 0.5); got "
                f"{self.keep}."
            )
        if self.threshold is not None and not 0.0 < self.threshold < 1.0:
            raise SpecError(
                "The quality filter's threshold is a probability between 0 and 1 (e.g. 0.3); "
                f"got {self.threshold}."
            )

    def describe(self) -> str:
        if self.threshold is not None:
            return f"rows with P(real) ≥ {self.threshold:.2f}"
        return f"the most realistic {self.keep:.0%} of the rows"


@dataclass(frozen=True)
class QualityStats:
    """What the filter did to some rows; add them up over a sampling run."""

    seen: int = 0
    kept: int = 0
    score_seen: float = 0.0  # sums of P(real), for the means
    score_kept: float = 0.0

    @classmethod
    def of(cls, scores: np.ndarray, kept: np.ndarray) -> QualityStats:
        return cls(len(scores), int(kept.sum()), float(scores.sum()), float(scores[kept].sum()))

    def __add__(self, other: QualityStats) -> QualityStats:
        return QualityStats(
            self.seen + other.seen,
            self.kept + other.kept,
            self.score_seen + other.score_seen,
            self.score_kept + other.score_kept,
        )


@dataclass(frozen=True)
class QualityFilter:
    settings: QualitySettings
    encoder: Encoder = field(repr=False)
    model: object = field(repr=False)
    calibration_auc: float  # how well the classifier told its training rows apart

    @classmethod
    def fit(
        cls,
        real: pd.DataFrame,
        synthetic: pd.DataFrame,
        schema: Schema,
        settings: QualitySettings,
        seed: int = 0,
    ) -> QualityFilter:
        """Train the real-versus-synthetic classifier on ``real`` and a calibration draw."""
        from sklearn.ensemble import HistGradientBoostingClassifier
        from sklearn.metrics import roc_auc_score

        settings.validate()
        features = [c.name for c in schema if c.kind in FEATURE_KINDS and c.name in real]
        if not features:
            raise SynthCoreError(
                "The quality filter needs at least one numeric, categorical or true/false column."
            )
        rows = min(len(real), len(synthetic), CAP)
        if rows < MIN_ROWS:
            raise SynthCoreError(
                f"The quality filter needs at least {MIN_ROWS} real and synthetic rows to learn "
                f"from; there are {rows}."
            )
        rng = np.random.default_rng(seed)
        real = real.iloc[np.sort(rng.choice(len(real), rows, replace=False))]
        synthetic = synthetic.iloc[np.sort(rng.choice(len(synthetic), rows, replace=False))]
        encoder = Encoder(real, schema, features)
        x = np.vstack([encoder.transform(real), encoder.transform(synthetic)])
        y = np.r_[np.ones(rows), np.zeros(rows)]
        mask = encoder.categorical_mask
        model = HistGradientBoostingClassifier(
            max_iter=100, categorical_features=mask if mask.any() else None, random_state=seed
        ).fit(fit_ready(x), y)
        auc = float(roc_auc_score(y, model.predict_proba(x)[:, 1]))
        return cls(settings, encoder, model, auc)

    def scores(self, rows: pd.DataFrame) -> np.ndarray:
        """P(real) of each row."""
        if rows.empty:
            return np.zeros(0)
        probabilities: np.ndarray = self.model.predict_proba(  # type: ignore[attr-defined]
            self.encoder.transform(rows)
        )[:, 1]
        return probabilities

    def keep(
        self, rows: pd.DataFrame, wanted: int | None = None
    ) -> tuple[np.ndarray, QualityStats]:
        """True for the rows to keep: P(real) ≥ threshold, or the best ``wanted`` rows (in
        their drawn order; ties broken by position); and what was kept."""
        scores = self.scores(rows)
        if self.settings.threshold is not None:
            kept = scores >= self.settings.threshold
        else:
            n = len(rows) if wanted is None else min(wanted, len(rows))
            kept = np.zeros(len(rows), dtype=bool)
            kept[np.argsort(-scores, kind="stable")[:n]] = True
        return kept, QualityStats.of(scores, kept)

    def note(self, s: QualityStats) -> str:
        """What was kept during a sampling run, in words."""
        if not s.seen:
            return ""
        mean_seen = s.score_seen / s.seen
        mean_kept = s.score_kept / s.kept if s.kept else float("nan")
        return (
            f"Quality filter: kept {s.kept:,} of {s.seen:,} drawn rows, "
            f"{self.settings.describe()} by a real-versus-synthetic classifier (mean P(real) "
            f"{mean_seen:.2f} drawn, {mean_kept:.2f} kept). Check the diversity it costs: "
            "spread, tails and rare categories shrink, and kept rows can sit closer to real rows."
        )
