"""Augmentation: does adding synthetic rows of a rare case to the real training rows help a model
find that case in real data? Measured against adding nothing and against oversampling real rows.

For each number of added rows, a gradient-boosting model (3 seeds) is trained on the real
training rows plus the added rows and tested on the real holdout: recall of the rare class,
balanced accuracy, F1 and ROC AUC (classification targets), each with a 95% bootstrap interval
over the holdout, and, with a group column, the equal-opportunity gap. Synthetic rows come from
the fitted generator by conditional sampling (rejection sampling where it cannot condition);
oversampling repeats real rows that match the same condition."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from synth_core._progress import ProgressFn, no_progress
from synth_core.data.encoding import Encoder, feature_columns
from synth_core.evaluate.fairness import gaps, group_labels, group_metrics
from synth_core.evaluate.utility import (
    BOOTSTRAP,
    MIN_HOLDOUT,
    Score,
    TaskKind,
    UtilityError,
    _fit_predict,
    _metric_functions,
    _scores,
    infer_task,
)
from synth_core.generate.conditions import RowRequest
from synth_core.generate.synthesize import FittedModel, sample

METHODS = ("synthetic", "oversampled real")


@dataclass(frozen=True)
class AugmentPoint:
    method: str  # "synthetic", "oversampled real" (0 rows: the baseline, in both)
    added: int
    scores: dict[str, Score]
    gap: float | None  # equal-opportunity gap over the group column, if given


@dataclass(frozen=True)
class AugmentationReport:
    target: str
    positive: str
    condition: str
    points: tuple[AugmentPoint, ...]
    real_matching: int  # real training rows that match the condition
    seconds: float
    notes: tuple[str, ...] = ()

    def curve(self, method: str, metric: str = "recall") -> list[tuple[int, Score]]:
        return [(p.added, p.scores[metric]) for p in self.points if p.method == method]


def default_counts(matching: int, maximum: int) -> list[int]:
    """0, then ¼, ½, 1, 2 and 4 times the rare rows there are (at most ``maximum``)."""
    steps = sorted({round(matching * f) for f in (0.25, 0.5, 1, 2, 4)} | {0})
    return [c for c in steps if c <= maximum] or [0]


def augmentation(
    model: FittedModel,
    target: str,
    positive: Any,
    condition: RowRequest | None = None,
    counts: list[int] | None = None,
    group: str | None = None,
    seed: int = 0,
    progress: ProgressFn = no_progress,
) -> AugmentationReport:
    """Add 0..N rows matching ``condition`` (default: the target equals ``positive``)."""
    started = time.perf_counter()
    train, holdout, schema = model.train, model.holdout, model.schema
    if target not in schema or target not in train.columns:
        raise UtilityError(f"There is no column '{target}' to predict.")
    if infer_task(train[target], schema[target].kind) is not TaskKind.CLASSIFICATION:
        raise UtilityError(
            f"Augmentation measures recall of a rare class: '{target}' is a number to predict. "
            "Choose a categorical or true/false target."
        )
    holdout = holdout[holdout[target].notna()]
    train = train[train[target].notna()]
    if len(holdout) < MIN_HOLDOUT:
        raise UtilityError(
            f"Testing needs at least {MIN_HOLDOUT} holdout rows; there are {len(holdout)}."
        )
    labels = train[target].astype(str)
    positive = str(positive)
    if positive not in set(labels):
        raise UtilityError(f"'{target}' never takes the value {positive!r} in the training rows.")
    if condition is None:
        value = next(v for v in train[target].dropna().unique() if str(v) == positive)
        condition = RowRequest(1, {target: value}, label=f"{target} = {positive}")
    matching = train[condition.matches(train).to_numpy()]
    counts = counts or default_counts(max(len(matching), 20), 20_000)
    most = max(counts)
    notes: list[str] = []
    synthetic_rows = pd.DataFrame(columns=train.columns)
    if most > 0:
        progress(0.02, f"Sampling {most:,} synthetic rows with {condition.describe()}")
        request = RowRequest(most, dict(condition.equals), dict(condition.ranges), condition.label)
        drawn = sample(model, requests=[request], seed=seed + 101)
        synthetic_rows = drawn.data
        notes.extend(n for n in drawn.notes if "rejection" in n or "Only" in n)
        if len(synthetic_rows) < most:
            counts = [c for c in counts if c <= len(synthetic_rows)]
    if len(matching) == 0:
        notes.append(
            "No real training row matches the condition: oversampling has nothing to repeat."
        )
    rng = np.random.default_rng(seed)
    repeats = (
        matching.iloc[rng.integers(0, len(matching), most)] if len(matching) and most else matching
    )

    features = feature_columns(schema, target, [train, holdout])
    encoder = Encoder(train, schema, features)
    x_test = encoder.transform(holdout)
    y_test = holdout[target].astype(str).to_numpy()
    classes = np.array(sorted(set(labels) | set(y_test)))
    functions = _metric_functions(TaskKind.CLASSIFICATION, classes, positive)
    resamples = np.random.default_rng(1).integers(0, len(y_test), (BOOTSTRAP, len(y_test)))
    test_groups = None
    if group is not None:
        test_groups = group_labels(train[group], [holdout[group]], schema[group].kind)[1].to_numpy()

    points: list[AugmentPoint] = []
    plan = [("baseline", 0)] + [(method, c) for method in METHODS for c in counts if c > 0]
    if len(matching) == 0:
        plan = [p for p in plan if p[0] != "oversampled real"]
    for position, (method, count) in enumerate(plan):
        progress(0.1 + 0.9 * position / len(plan), f"{method}: +{count:,} rows")
        added = synthetic_rows.head(count) if method == "synthetic" else repeats.head(count)
        frame = pd.concat([train, added[train.columns]], ignore_index=True) if count else train
        fitted = _fit_predict(
            "gradient boosting",
            TaskKind.CLASSIFICATION,
            encoder.categorical_mask,
            encoder.transform(frame),
            frame[target].astype(str).to_numpy(),
            x_test,
            classes,
        )
        gap = None
        if test_groups is not None:
            per_group = group_metrics(
                y_test, fitted.predictions[0], test_groups, TaskKind.CLASSIFICATION, positive
            )
            gap = gaps(per_group).equal_opportunity
        scores = _scores(fitted, y_test, functions, resamples)
        methods = METHODS if method == "baseline" else (method,)
        points.extend(AugmentPoint(m, count, scores, gap) for m in methods)
    progress(1.0, "Done")
    return AugmentationReport(
        target,
        positive,
        condition.describe(),
        tuple(points),
        len(matching),
        time.perf_counter() - started,
        tuple(dict.fromkeys(notes)),
    )
