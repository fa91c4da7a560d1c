"""Utility: do models trained on synthetic rows work on real rows? TSTR against TRTR.

The same model is trained on the synthetic rows (Train Synthetic) and on the real training rows
(Train Real), and both are tested on the real holdout (Test Real). Two models: scikit-learn's
HistGradientBoosting (categories native, missing values allowed) and a linear model (logistic
or ridge regression on one-hot categories, imputed and standardised numbers). Each is trained
with a few seeds; metrics are averaged over seeds, and their 95% intervals come from a bootstrap
of the holdout rows (the same resamples for both sides)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import numpy as np
import pandas as pd

from synth_core._progress import ProgressFn, no_progress
from synth_core.data.convert import as_float
from synth_core.data.encoding import FEATURE_KINDS, Encoder, feature_columns, fit_ready
from synth_core.data.schema import ColumnKind, Schema
from synth_core.errors import SynthCoreError
from synth_core.jsonable import finite

MAX_CLASSES = 50
SEEDS = (0, 1, 2)
BOOTSTRAP = 200
MIN_HOLDOUT = 20
TRAIN_CAP = 50_000  # rows per training set (a seeded sample above this)
MetricFn = Callable[[np.ndarray, np.ndarray, Any], float]


class UtilityError(SynthCoreError):
    """The target cannot be learnt (missing, constant, too many classes, no holdout)."""


class TaskKind(StrEnum):
    CLASSIFICATION = "classification"
    REGRESSION = "regression"


def infer_task(values: pd.Series, kind: ColumnKind) -> TaskKind:
    """Categories and true/false are classification; numbers with few whole values too."""
    if kind in (ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN):
        return TaskKind.CLASSIFICATION
    present = values.dropna()
    numbers = as_float(present)
    whole = bool(np.all(np.isclose(numbers, np.round(numbers))))
    if whole and present.nunique() <= 10:
        return TaskKind.CLASSIFICATION
    return TaskKind.REGRESSION


@dataclass(frozen=True)
class Score:
    value: float | None
    ci_low: float | None
    ci_high: float | None


@dataclass(frozen=True)
class ModelResult:
    model: str  # "gradient boosting" or "linear"
    tstr: dict[str, Score]
    trtr: dict[str, Score]
    importance_real: dict[str, float] = field(default_factory=dict)
    importance_synthetic: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class UtilityReport:
    target: str
    task: TaskKind
    metric: str  # the main metric
    positive: Any  # the positive class (binary classification), else None
    models: tuple[ModelResult, ...]
    features: tuple[str, ...]
    rows: dict[str, int]
    notes: tuple[str, ...] = ()

    @property
    def main(self) -> ModelResult:
        return self.models[0]

    def ratio(self, model: ModelResult | None = None, metric: str | None = None) -> float | None:
        """TSTR / TRTR for a metric (for MAE, above 1 means worse on synthetic)."""
        model = model or self.main
        metric = metric or self.metric
        tstr, trtr = model.tstr[metric].value, model.trtr[metric].value
        if tstr is None or trtr is None or trtr == 0:
            return None
        return tstr / trtr

    def to_dict(self) -> dict[str, Any]:
        """The utility.* JSON keys."""

        def scores(found: dict[str, Score]) -> dict[str, Any]:
            return {k: _clean(v.__dict__) for k, v in found.items()}

        main = self.main
        return {
            "utility": {
                "target": self.target,
                "task": self.task.value,
                "metric": self.metric,
                "positive_class": _json_value(self.positive),
                "tstr": finite(main.tstr[self.metric].value),
                "trtr": finite(main.trtr[self.metric].value),
                "ratio": finite(self.ratio()),
                "models": {
                    m.model: {
                        "tstr": scores(m.tstr),
                        "trtr": scores(m.trtr),
                        "ratio": finite(self.ratio(m)),
                        "importance_real": m.importance_real,
                        "importance_synthetic": m.importance_synthetic,
                    }
                    for m in self.models
                },
                "features": list(self.features),
                "rows": self.rows,
                "notes": list(self.notes),
            }
        }


def _clean(values: dict[str, Any]) -> dict[str, Any]:
    return {k: finite(v) if isinstance(v, float) else v for k, v in values.items()}


def _json_value(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value


def make_models(task: TaskKind, mask: np.ndarray, seed: int) -> dict[str, Any]:
    from sklearn.compose import ColumnTransformer
    from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression, Ridge
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    numeric = np.flatnonzero(~mask)
    categorical = np.flatnonzero(mask)
    linear_features = ColumnTransformer(
        [
            ("numbers", make_pipeline(SimpleImputer(), StandardScaler()), numeric),
            (
                "categories",
                make_pipeline(
                    SimpleImputer(strategy="constant", fill_value=-1),
                    OneHotEncoder(handle_unknown="ignore"),
                ),
                categorical,
            ),
        ]
    )
    if task is TaskKind.CLASSIFICATION:
        boosted: Any = HistGradientBoostingClassifier(
            categorical_features=mask if mask.any() else None, random_state=seed
        )
        linear: Any = make_pipeline(linear_features, LogisticRegression(max_iter=1000))
    else:
        boosted = HistGradientBoostingRegressor(
            categorical_features=mask if mask.any() else None, random_state=seed
        )
        linear = make_pipeline(linear_features, Ridge())
    return {"gradient boosting": boosted, "linear": linear}


def _metric_functions(task: TaskKind, classes: np.ndarray, positive: Any) -> dict[str, MetricFn]:
    from sklearn import metrics

    if task is TaskKind.REGRESSION:
        return {
            "r2": lambda y, pred, proba: metrics.r2_score(y, pred),
            "mae": lambda y, pred, proba: metrics.mean_absolute_error(y, pred),
        }
    if len(classes) == 2:
        return _binary_metrics(list(classes).index(positive), positive)

    def auc(y: np.ndarray, pred: np.ndarray, proba: np.ndarray) -> float:
        present = np.isin(classes, np.unique(y))
        if present.sum() < len(classes):
            return float("nan")
        return float(metrics.roc_auc_score(y, proba, multi_class="ovr", labels=classes))

    return {
        "accuracy": lambda y, pred, proba: metrics.accuracy_score(y, pred),
        "balanced_accuracy": lambda y, pred, proba: metrics.balanced_accuracy_score(y, pred),
        "f1": lambda y, pred, proba: metrics.f1_score(y, pred, average="macro", zero_division=0),
        "roc_auc": auc,
    }


def _binary_metrics(column: int, positive: Any) -> dict[str, MetricFn]:
    """Binary metrics from counts, in NumPy: the bootstrap calls them thousands of times
    (scikit-learn's took 90% of the augmentation view's time). Equal to scikit-learn's
    (tests/unit/test_utility.py checks them)."""
    from scipy.stats import rankdata

    def counts(y: np.ndarray, pred: np.ndarray) -> tuple[int, int, int, int]:
        truth, guess = y == positive, pred == positive
        tp = int(np.sum(truth & guess))
        return (
            tp,
            int(np.sum(~truth & guess)),
            int(np.sum(truth & ~guess)),
            int(np.sum(~truth & ~guess)),
        )

    def accuracy(y: np.ndarray, pred: np.ndarray, proba: Any) -> float:
        return float(np.mean(y == pred))

    def balanced(y: np.ndarray, pred: np.ndarray, proba: Any) -> float:
        tp, fp, fn, tn = counts(y, pred)
        rates = [tp / (tp + fn)] if tp + fn else []
        rates += [tn / (tn + fp)] if tn + fp else []
        return float(np.mean(rates))

    def f1(y: np.ndarray, pred: np.ndarray, proba: Any) -> float:
        tp, fp, fn, _ = counts(y, pred)
        return 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 0.0

    def recall(y: np.ndarray, pred: np.ndarray, proba: Any) -> float:
        tp, _, fn, _ = counts(y, pred)
        return tp / (tp + fn) if tp + fn else 0.0

    def auc(y: np.ndarray, pred: np.ndarray, proba: np.ndarray) -> float:
        truth = y == positive
        n_pos = int(truth.sum())
        n_neg = len(truth) - n_pos
        if not n_pos or not n_neg:
            return float("nan")
        ranks = rankdata(proba[:, column])  # ties get their average rank
        return float((ranks[truth].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))

    return {
        "accuracy": accuracy,
        "balanced_accuracy": balanced,
        "f1": f1,
        "roc_auc": auc,
        "recall": recall,  # the rare-case question: how many real positives are found
    }


def main_metric(task: TaskKind, classes: int) -> str:
    if task is TaskKind.REGRESSION:
        return "r2"
    return "roc_auc" if classes == 2 else "balanced_accuracy"


@dataclass
class _Fitted:
    predictions: list[np.ndarray]  # per seed
    probabilities: list[np.ndarray]
    model: Any


def _fit_predict(
    model_name: str,
    task: TaskKind,
    mask: np.ndarray,
    x: np.ndarray,
    y: np.ndarray,
    x_test: np.ndarray,
    classes: np.ndarray,
) -> _Fitted:
    predictions, probabilities = [], []
    model: Any = None
    for seed in SEEDS if model_name == "gradient boosting" else SEEDS[:1]:
        model = make_models(task, mask, seed)[model_name]
        model.fit(fit_ready(x), y)
        predictions.append(model.predict(x_test))
        if task is TaskKind.CLASSIFICATION:
            proba = np.zeros((len(x_test), len(classes)))
            learnt = list(model.classes_)
            proba[:, [list(classes).index(c) for c in learnt]] = model.predict_proba(x_test)
            probabilities.append(proba)
    return _Fitted(predictions, probabilities, model)


def _scores(
    fitted: _Fitted, y: np.ndarray, functions: dict[str, MetricFn], resamples: np.ndarray
) -> dict[str, Score]:
    out = {}
    for name, function in functions.items():

        def value(rows: np.ndarray, function: MetricFn = function) -> float:
            results = []
            for position, pred in enumerate(fitted.predictions):
                proba = fitted.probabilities[position][rows] if fitted.probabilities else None
                results.append(float(function(y[rows], pred[rows], proba)))
            return float(np.nanmean(results)) if not np.all(np.isnan(results)) else float("nan")

        with np.errstate(all="ignore"):
            point = value(np.arange(len(y)))
            boot = np.array([value(rows) for rows in resamples])
        boot = boot[np.isfinite(boot)]
        low, high = (
            (float(np.quantile(boot, 0.025)), float(np.quantile(boot, 0.975)))
            if boot.size
            else (None, None)
        )
        out[name] = Score(point if np.isfinite(point) else None, low, high)
    return out


def _importance(model: Any, x: np.ndarray, y: np.ndarray, features: list[str]) -> dict[str, float]:
    """Permutation importance on (at most 2,000) holdout rows: drop in score when shuffled."""
    from sklearn.inspection import permutation_importance

    rows = np.arange(len(x))[:2000]
    result = permutation_importance(model, x[rows], y[rows], n_repeats=3, random_state=0)
    return {
        name: round(float(v), 5) for name, v in zip(features, result.importances_mean, strict=True)
    }


def _cap(frame: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    if len(frame) <= TRAIN_CAP:
        return frame
    return frame.iloc[np.sort(rng.choice(len(frame), TRAIN_CAP, replace=False))]


def utility_report(
    real_train: pd.DataFrame,
    synthetic: pd.DataFrame,
    holdout: pd.DataFrame,
    schema: Schema,
    target: str,
    task: TaskKind | None = None,
    positive: Any = None,
    importance: bool = True,
    progress: ProgressFn = no_progress,
) -> UtilityReport:
    """TSTR and TRTR of both models on the real holdout, with bootstrap intervals."""
    if target not in schema or target not in real_train.columns or target not in synthetic.columns:
        raise UtilityError(f"There is no column '{target}' in both tables to predict.")
    column = schema[target]
    if column.kind not in FEATURE_KINDS:
        raise UtilityError(
            f"'{target}' is {column.kind.value}: choose a numeric, categorical or true/false "
            "column as the target."
        )
    holdout = holdout[holdout[target].notna()]
    if len(holdout) < MIN_HOLDOUT:
        raise UtilityError(
            f"Testing needs at least {MIN_HOLDOUT} holdout rows with a '{target}' value; there "
            f"are {len(holdout)}. Hold out more rows on the Generate page."
        )
    rng = np.random.default_rng(0)
    notes: list[str] = []
    real_train = _cap(real_train[real_train[target].notna()], rng)
    synthetic = _cap(synthetic[synthetic[target].notna()], rng)
    task = task or infer_task(real_train[target], column.kind)
    features = feature_columns(schema, target, [real_train, synthetic, holdout])
    if not features:
        raise UtilityError("No other column can be used to predict the target.")
    encoder = Encoder(real_train, schema, features)
    x_real, x_syn, x_test = (encoder.transform(f) for f in (real_train, synthetic, holdout))
    if task is TaskKind.CLASSIFICATION:
        y_real, y_syn, y_test = (
            f[target].astype(str).to_numpy() for f in (real_train, synthetic, holdout)
        )
        classes = np.array(sorted(set(y_real) | set(y_test)))
        if len(classes) < 2:
            raise UtilityError(
                f"'{target}' has a single value in the real rows: nothing to predict."
            )
        if len(classes) > MAX_CLASSES:
            raise UtilityError(
                f"'{target}' has {len(classes)} classes (at most {MAX_CLASSES}); choose another "
                "target, or treat it as a number."
            )
        if len(set(y_syn)) < 2:
            notes.append(
                f"The synthetic rows have a single '{target}' value: TSTR is a constant guess."
            )
        if len(classes) == 2:
            counts = pd.Series(y_real).value_counts()
            positive = str(positive) if positive is not None else str(counts.index[-1])  # minority
    else:
        y_real, y_syn, y_test = (as_float(f[target]) for f in (real_train, synthetic, holdout))
        classes = np.array([])
        positive = None
    functions = _metric_functions(task, classes, positive)
    resamples = np.random.default_rng(1).integers(0, len(y_test), (BOOTSTRAP, len(y_test)))
    results = []
    names = ["gradient boosting", "linear"]
    for position, name in enumerate(names):
        progress(position / len(names), f"Training {name} models on real and synthetic rows")
        real_fit = _fit_predict(
            name, task, encoder.categorical_mask, x_real, y_real, x_test, classes
        )
        if task is TaskKind.CLASSIFICATION and len(set(y_syn)) < 2:
            syn_fit = _constant_fit(y_syn, len(y_test), classes)
        else:
            syn_fit = _fit_predict(
                name, task, encoder.categorical_mask, x_syn, y_syn, x_test, classes
            )
        importance_real, importance_syn = {}, {}
        if importance and name == "gradient boosting" and syn_fit.model is not None:
            importance_real = _importance(real_fit.model, x_test, y_test, features)
            importance_syn = _importance(syn_fit.model, x_test, y_test, features)
        results.append(
            ModelResult(
                name,
                _scores(syn_fit, y_test, functions, resamples),
                _scores(real_fit, y_test, functions, resamples),
                importance_real,
                importance_syn,
            )
        )
    progress(1.0, "Done")
    return UtilityReport(
        target=target,
        task=task,
        metric=main_metric(task, len(classes)),
        positive=positive,
        models=tuple(results),
        features=tuple(features),
        rows={"real_train": len(real_train), "synthetic": len(synthetic), "holdout": len(holdout)},
        notes=tuple(notes),
    )


def _constant_fit(y: np.ndarray, n: int, classes: np.ndarray) -> _Fitted:
    value = y[0]
    proba = np.zeros((n, len(classes)))
    proba[:, list(classes).index(value)] = 1.0
    return _Fitted([np.full(n, value, dtype=object)], [proba], None)


def quick_score(
    train: pd.DataFrame, test: pd.DataFrame, schema: Schema, target: str, seed: int = 0
) -> tuple[str, float | None]:
    """The main metric of one gradient-boosting model trained on ``train`` and tested on
    ``test`` (no intervals): for curves over many trainings, e.g. the collapse lab's TSTR.
    None when the model cannot be scored (one class in the training rows, or in the test)."""
    column = schema[target]
    test = test[test[target].notna()]
    train = train[train[target].notna()]
    task = infer_task(test[target], column.kind)
    features = feature_columns(schema, target, [train, test])
    if not features or len(train) < 2 or len(test) < 2:
        return main_metric(task, 2), None
    encoder = Encoder(test, schema, features)
    x, x_test = encoder.transform(train), encoder.transform(test)
    if task is TaskKind.REGRESSION:
        model = make_models(task, encoder.categorical_mask, seed)["gradient boosting"]
        model.fit(fit_ready(x), as_float(train[target]))
        from sklearn.metrics import r2_score

        return "r2", float(r2_score(as_float(test[target]), model.predict(x_test)))
    y, y_test = train[target].astype(str).to_numpy(), test[target].astype(str).to_numpy()
    classes = np.array(sorted(set(y_test)))
    metric = main_metric(task, len(classes))
    if len(set(y)) < 2 or len(classes) < 2 or len(classes) > MAX_CLASSES:
        return metric, None
    fitted = _fit_predict(
        "gradient boosting", task, encoder.categorical_mask, x, y, x_test, classes
    )
    fitted = _Fitted(fitted.predictions[:1], fitted.probabilities[:1], fitted.model)
    positive = classes[-1] if len(classes) == 2 else None
    value = _metric_functions(task, classes, positive)[metric](
        y_test, fitted.predictions[0], fitted.probabilities[0]
    )
    return metric, float(value) if np.isfinite(value) else None
