"""Detection: can a classifier tell real rows from synthetic ones?

A histogram gradient-boosting classifier (scikit-learn) is trained to separate real from
synthetic rows. ROC AUC from 3-fold cross-validation: 0.5 means it cannot tell them apart, 1.0
that every synthetic row is recognisable. The columns that give the synthetic data away are
ranked by permutation importance (how much the AUC drops when a column is shuffled) on a part
of the rows the model did not train on. At most CAP rows per table are used (a seeded sample).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from synth_core.data.encoding import Encoder, fit_ready
from synth_core.data.schema import Schema
from synth_core.errors import SchemaError
from synth_core.evaluate.fidelity.prepare import compared_columns

CAP = 10_000
# Well below 0.5 the classifier is systematically wrong: real rows have synthetic copies that
# were labelled "synthetic" in the training folds.
COPY_SIGNAL_AUC = 0.4
MIN_ROWS = 20
FOLDS = 3
_TOP_FEATURES = 10


@dataclass(frozen=True)
class FeatureImportance:
    column: str
    importance: float  # drop in ROC AUC when the column is shuffled


@dataclass(frozen=True)
class Detection:
    auc: float
    fold_aucs: tuple[float, ...]
    rows_per_side: int
    cap: int
    features: tuple[FeatureImportance, ...]
    seconds: float

    @property
    def verdict(self) -> str:
        if self.auc < COPY_SIGNAL_AUC:
            return (
                "worse than guessing: synthetic rows that copy real rows confuse the classifier "
                "(check the privacy report)"
            )
        distance = abs(self.auc - 0.5)
        if distance <= 0.1:
            return "hard to tell apart"
        if distance <= 0.25:
            return "somewhat distinguishable"
        if distance <= 0.4:
            return "easy to tell apart"
        return "trivially told apart"


def _features(
    real: pd.DataFrame, synthetic: pd.DataFrame, schema: Schema, seed: int, cap: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str], int]:
    """Features of (at most ``cap``) rows per side, labels (1 = synthetic), the categorical
    mask, the column names and the rows per side."""
    columns = compared_columns(real, synthetic, schema)
    rows = min(len(real), len(synthetic), cap)
    if not columns:
        raise SchemaError("Detection needs at least one column both tables share.")
    if rows < MIN_ROWS:
        raise SchemaError(
            f"Detection needs at least {MIN_ROWS} rows in each table; one has {rows}."
        )
    rng = np.random.default_rng(seed)
    real_rows = np.sort(rng.choice(len(real), rows, replace=False))
    synth_rows = np.sort(rng.choice(len(synthetic), rows, replace=False))
    sides = [real.iloc[real_rows], synthetic.iloc[synth_rows]]
    # Codes shared by both sides: the most frequent categories of the two together.
    encoder = Encoder(sides, schema, [c.name for c in columns])
    x = np.vstack([encoder.transform(side) for side in sides])
    y = np.concatenate([np.zeros(rows), np.ones(rows)])
    return x, y, encoder.categorical_mask, [c.name for c in columns], rows


def _model(categorical: np.ndarray, seed: int) -> Any:
    from sklearn.ensemble import HistGradientBoostingClassifier

    return HistGradientBoostingClassifier(
        max_iter=100, categorical_features=categorical, random_state=seed
    )


def _cross_validated(
    x: np.ndarray, y: np.ndarray, categorical: np.ndarray, seed: int
) -> tuple[float, list[float]]:
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import StratifiedKFold

    fold_aucs = []
    scores = np.zeros(len(y))
    for train, test in StratifiedKFold(FOLDS, shuffle=True, random_state=seed).split(x, y):
        fitted = _model(categorical, seed).fit(fit_ready(x[train]), y[train])
        scores[test] = fitted.predict_proba(x[test])[:, 1]
        fold_aucs.append(float(roc_auc_score(y[test], scores[test])))
    return float(roc_auc_score(y, scores)), fold_aucs


def detect_auc(
    real: pd.DataFrame, synthetic: pd.DataFrame, schema: Schema, seed: int = 0, cap: int = CAP
) -> float:
    """The cross-validated detection ROC AUC alone (no column ranking): quicker."""
    x, y, categorical, _, _ = _features(real, synthetic, schema, seed, cap)
    return _cross_validated(x, y, categorical, seed)[0]


def detect(
    real: pd.DataFrame, synthetic: pd.DataFrame, schema: Schema, seed: int = 0, cap: int = CAP
) -> Detection:
    """ROC AUC of telling real from synthetic rows, and the columns that give them away."""
    from sklearn.inspection import permutation_importance
    from sklearn.model_selection import train_test_split

    started = time.perf_counter()
    x, y, categorical, names, rows = _features(real, synthetic, schema, seed, cap)
    auc, fold_aucs = _cross_validated(x, y, categorical, seed)
    x_train, x_test, y_train, y_test = train_test_split(
        x, y, test_size=0.3, stratify=y, random_state=seed
    )
    fitted = _model(categorical, seed).fit(fit_ready(x_train), y_train)
    importance = permutation_importance(
        fitted, x_test, y_test, scoring="roc_auc", n_repeats=3, random_state=seed
    )
    ranked = sorted(
        (
            FeatureImportance(name, float(v))
            for name, v in zip(names, importance.importances_mean, strict=True)
        ),
        key=lambda f: f.importance,
        reverse=True,
    )
    return Detection(
        auc=auc,
        fold_aucs=tuple(fold_aucs),
        rows_per_side=rows,
        cap=cap,
        features=tuple(ranked[:_TOP_FEATURES]),
        seconds=time.perf_counter() - started,
    )
