"""What the quality filter buys and costs, measured on the user's data.

The same fitted model draws the same number of rows with and without the filter; both are then
compared with real rows the filter never learnt from where there are any (the holdout):

- fidelity: the overall quality score (``synth_core.evaluate.fidelity``) and the detection ROC
  AUC of an independent classifier (trained on the holdout against the synthetic rows,
  cross-validated);
- diversity: mean std ratio, real categories still present, tail coverage (the synthetic share
  beyond the real 5th/95th percentiles over the real share there), all against every real row;
- privacy: the DCR share (share of synthetic rows closer to a training row than to a holdout
  row; 50% is ideal) — filtering towards "realistic" rows can move them closer to real people.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from synth_core._progress import ProgressFn, no_progress, scaled
from synth_core.data.distance import RowEncoder, distance_columns
from synth_core.data.table import Table
from synth_core.errors import SynthCoreError
from synth_core.evaluate.diversity import generation_metrics
from synth_core.evaluate.fidelity import evaluate_quality
from synth_core.evaluate.fidelity.detection import detect_auc
from synth_core.evaluate.privacy.report import measure_dcr_share
from synth_core.generate.conditions import RowRequest
from synth_core.generate.spec import GenerationSpec
from synth_core.generate.synthesize import SynthResult, sample, synthesize
from synth_core.jsonable import plain

MIN_HOLDOUT = 20
CAP = 5_000  # rows per side for the comparisons (a seeded sample above this)


@dataclass(frozen=True)
class Side:
    """One set of synthetic rows against the real ones."""

    fidelity: float
    detection_auc: float | None
    std_ratio: float | None
    categories_kept: int
    categories_total: int
    tail_coverage: float | None
    dcr_share: float | None
    mean_p_real: float
    mean_ks: float | None = None  # numeric and date columns, against all real rows
    mean_tvd: float | None = None  # categorical columns, against all real rows


@dataclass(frozen=True)
class FilterEffect:
    before: Side  # without the filter
    after: Side  # with it
    rows: int
    reference: str  # the real rows fidelity was measured against, in words

    def to_dict(self) -> dict[str, Any]:
        payload: dict[str, Any] = plain(
            {
                "before": asdict(self.before),
                "after": asdict(self.after),
                "rows": self.rows,
                "reference": self.reference,
            }
        )
        return payload

    def warnings(self) -> list[str]:
        """The costs worth a sentence: lost spread, tails, categories, or closeness."""
        b, a = self.before, self.after
        out = []
        if b.std_ratio and a.std_ratio and a.std_ratio < 0.95 * b.std_ratio:
            out.append(f"spread fell (std ratio {b.std_ratio:.2f} → {a.std_ratio:.2f})")
        if (
            b.tail_coverage
            and a.tail_coverage is not None
            and a.tail_coverage < 0.8 * b.tail_coverage
        ):
            out.append(f"tails thinned (coverage {b.tail_coverage:.2f} → {a.tail_coverage:.2f})")
        if a.categories_kept < b.categories_kept:
            lost = b.categories_kept - a.categories_kept
            out.append(f"{lost} real categor{'y' if lost == 1 else 'ies'} vanished")
        if b.dcr_share is not None and a.dcr_share is not None and a.dcr_share > b.dcr_share + 0.03:
            out.append(
                f"rows moved closer to training rows (DCR share {b.dcr_share:.0%} → "
                f"{a.dcr_share:.0%}; 50% is ideal)"
            )
        return out


def _cap(frame: pd.DataFrame, seed: int) -> pd.DataFrame:
    if len(frame) <= CAP:
        return frame
    rows = np.sort(np.random.default_rng(seed).choice(len(frame), CAP, replace=False))
    return frame.iloc[rows]


def _side(result: SynthResult, scores: np.ndarray, seed: int) -> Side:
    model = result.model
    schema = model.model_schema
    names = schema.names
    rows = _cap(result.data[names], seed)
    train, holdout = model.train[names], model.holdout[names]
    reference = holdout if len(holdout) >= MIN_HOLDOUT else train
    every_real = pd.concat([train, holdout], ignore_index=True)
    quality = evaluate_quality(_cap(reference, seed), rows, schema)
    detection = detect_auc(_cap(reference, seed), rows, schema, seed) if len(rows) >= 20 else None
    diversity = generation_metrics(every_real, rows, schema)
    share = None
    if len(holdout) >= MIN_HOLDOUT:
        encoder = RowEncoder.fit(train, distance_columns(schema, train))
        rng = np.random.default_rng(seed)
        share = measure_dcr_share(encoder, train, holdout, encoder.transform(rows), rng).share
    return Side(
        fidelity=quality.overall,
        detection_auc=detection,
        std_ratio=diversity.std_ratio,
        categories_kept=diversity.categories_kept,
        categories_total=diversity.categories_total,
        tail_coverage=diversity.tail_coverage,
        dcr_share=share,
        mean_p_real=float(scores.mean()) if scores.size else float("nan"),
        mean_ks=diversity.mean_ks,
        mean_tvd=diversity.mean_tvd,
    )


def filter_effect(result: SynthResult, progress: ProgressFn = no_progress) -> FilterEffect:
    """The filtered rows of ``result`` against as many rows from the same model unfiltered."""
    model = result.model
    quality = model.quality_filter
    if quality is None:
        raise SynthCoreError("These rows were made without the quality filter: nothing to compare.")
    progress(0.0, "Drawing the same number of rows without the filter")
    unfiltered = sample(model, rows=len(result.data), seed=result.seed, quality_filter=False)
    names = model.model_schema.names
    progress(0.3, "Measuring the rows without the filter")
    before = _side(unfiltered, quality.scores(unfiltered.data[names]), result.seed)
    progress(0.65, "Measuring the filtered rows")
    after = _side(result, quality.scores(result.data[names]), result.seed)
    progress(1.0, "Done")
    holdout = len(model.holdout)
    reference = (
        f"{holdout:,} holdout rows"
        if holdout >= MIN_HOLDOUT
        else f"{len(model.train):,} training rows"
    )
    return FilterEffect(before, after, len(result.data), reference)


@dataclass(frozen=True)
class Measured:
    """Synthetic rows and, when the quality filter made them, what the filter bought and cost."""

    result: SynthResult
    effect: FilterEffect | None = None


def synthesize_measured(
    table: Table, spec: GenerationSpec, progress: ProgressFn = no_progress
) -> Measured:
    """``synthesize``, plus the quality filter's effect when the spec has the filter."""
    if spec.quality_filter is None:
        return Measured(synthesize(table, spec, progress))
    result = synthesize(table, spec, scaled(progress, 0.0, 0.8))
    return Measured(result, filter_effect(result, scaled(progress, 0.8, 1.0)))


def sample_measured(
    result: SynthResult,
    rows: int | None = None,
    seed: int | None = None,
    requests: Sequence[RowRequest] | None = None,
    progress: ProgressFn = no_progress,
) -> Measured:
    """Sample again from ``result``'s model, with the filter's effect when it has the filter."""
    if result.model.quality_filter is None:
        return Measured(sample(result.model, rows, seed, requests, progress))
    again = sample(result.model, rows, seed, requests, scaled(progress, 0.0, 0.5))
    return Measured(again, filter_effect(again, scaled(progress, 0.5, 1.0)))
