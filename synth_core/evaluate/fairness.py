"""Fairness: are groups (sex, race, age band, ...) represented as in the real data, and do
models trained on synthetic rows treat them as models trained on real rows do?

Gap definitions (binary classification, with a positive class), as in fairlearn:
- demographic parity difference: max − min over groups of the share predicted positive;
- equal opportunity difference: max − min of the true positive rate (recall of the positive);
- equalized odds difference: the larger of the TPR gap and the false-positive-rate gap.
Multiclass targets use the accuracy gap; numeric targets the gap in mean absolute error.
Groups with fewer than ``MIN_GROUP`` holdout rows are shown but left out of the gaps."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from synth_core._progress import ProgressFn, no_progress
from synth_core.data.convert import as_float
from synth_core.data.encoding import Encoder, feature_columns, fit_ready
from synth_core.data.schema import ColumnKind, Schema
from synth_core.evaluate.utility import (
    TaskKind,
    UtilityError,
    UtilityReport,
    infer_task,
    make_models,
    utility_report,
)
from synth_core.jsonable import plain

MIN_GROUP = 5
RARE_SHARE = 0.01
MISSING = "(missing)"
BANDS = 4  # numeric sensitive columns are cut into quartile bands of the real values
_SENSITIVE_NAMES = re.compile(
    r"sex|gender|race|ethnic|age|relig|nation|disab|marital|citizen|country|origin|language",
    re.IGNORECASE,
)


def suggest_sensitive(schema: Schema, df: pd.DataFrame) -> list[str]:
    """Columns whose names suggest a protected attribute, or small categorical columns."""
    named = [c.name for c in schema if _SENSITIVE_NAMES.search(c.name) and c.name in df.columns]
    return [
        c
        for c in named
        if schema[c].kind in (ColumnKind.NUMERICAL, ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN)
    ]


def group_labels(real: pd.Series, others: list[pd.Series], kind: ColumnKind) -> list[pd.Series]:
    """Group of every row: the value as text, or a quartile band of the real values for
    numbers (the same edges for every table); missing is its own group."""
    series = [real, *others]
    if kind in (ColumnKind.NUMERICAL, ColumnKind.DATETIME) and real.nunique() > 10:
        numbers = as_float(real)
        edges = np.unique(np.nanquantile(numbers, np.linspace(0, 1, BANDS + 1)))
        out = []
        for values in series:
            x = as_float(values)
            codes = np.clip(np.searchsorted(edges, x, side="right") - 1, 0, len(edges) - 2)
            text = np.array([f"{edges[c]:g}–{edges[c + 1]:g}" for c in codes], dtype=object)
            text[np.isnan(x)] = MISSING
            out.append(pd.Series(text, index=values.index))
        return out
    return [s.astype(object).where(s.notna(), MISSING).astype(str) for s in series]


@dataclass(frozen=True)
class GroupShare:
    group: str
    real_rows: int
    real_share: float
    synthetic_rows: int
    synthetic_share: float
    status: str  # ok, shrunk, grew, vanished, appeared


def representation(real: pd.Series, synthetic: pd.Series) -> list[GroupShare]:
    """Exact counts and shares per group, real beside synthetic."""
    real_counts = real.value_counts()
    syn_counts = synthetic.value_counts()
    rows = []
    for group in sorted(set(real_counts.index) | set(syn_counts.index)):
        r, s = int(real_counts.get(group, 0)), int(syn_counts.get(group, 0))
        rs, ss = r / max(len(real), 1), s / max(len(synthetic), 1)
        if r and not s:
            status = "vanished"
        elif s and not r:
            status = "appeared"
        elif ss < 0.5 * rs:
            status = "shrunk"
        elif ss > 2 * rs:
            status = "grew"
        else:
            status = "ok"
        rows.append(GroupShare(group, r, rs, s, ss, status))
    return rows


def rare_categories_lost(
    real: pd.DataFrame, synthetic: pd.DataFrame, schema: Schema
) -> dict[str, list[str]]:
    """Per categorical column, categories below 1% of the real rows that the synthetic lacks."""
    lost = {}
    for column in schema:
        if column.kind not in (ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN):
            continue
        if column.name not in real.columns or column.name not in synthetic.columns:
            continue
        shares = real[column.name].dropna().astype(str).value_counts(normalize=True)
        present = set(synthetic[column.name].dropna().astype(str))
        missing = sorted(
            str(v) for v, share in shares.items() if share < RARE_SHARE and v not in present
        )
        if missing:
            lost[column.name] = missing
    return lost


@dataclass(frozen=True)
class GroupMetrics:
    group: str
    rows: int
    accuracy: float | None
    selection_rate: float | None  # share predicted positive (binary)
    tpr: float | None  # recall of the positive class (binary)
    fpr: float | None
    mae: float | None  # numeric targets


@dataclass(frozen=True)
class Gaps:
    demographic_parity: float | None
    equal_opportunity: float | None
    equalized_odds: float | None
    accuracy: float | None
    mae: float | None


def _rate(mask: np.ndarray) -> float | None:
    return float(mask.mean()) if mask.size else None


def group_metrics(
    y: np.ndarray, pred: np.ndarray, groups: np.ndarray, task: TaskKind, positive: Any
) -> list[GroupMetrics]:
    out = []
    binary = task is TaskKind.CLASSIFICATION and positive is not None
    for group in sorted(set(groups.tolist())):
        rows = groups == group
        yg, pg = y[rows], pred[rows]
        if task is TaskKind.REGRESSION:
            mae = float(np.mean(np.abs(yg.astype(float) - pg.astype(float))))
            out.append(GroupMetrics(group, int(rows.sum()), None, None, None, None, mae))
            continue
        accuracy = float(np.mean(yg == pg))
        selection = tpr = fpr = None
        if binary:
            selection = _rate(pg == positive)
            tpr = _rate(pg[yg == positive] == positive)
            fpr = _rate(pg[yg != positive] == positive)
        out.append(GroupMetrics(group, int(rows.sum()), accuracy, selection, tpr, fpr, None))
    return out


def gaps(metrics: list[GroupMetrics]) -> Gaps:
    counted = [m for m in metrics if m.rows >= MIN_GROUP]

    def spread(name: str) -> float | None:
        values = [getattr(m, name) for m in counted if getattr(m, name) is not None]
        return float(max(values) - min(values)) if len(values) >= 2 else None

    tpr, fpr = spread("tpr"), spread("fpr")
    odds = None if tpr is None and fpr is None else max(v for v in (tpr, fpr) if v is not None)
    return Gaps(spread("selection_rate"), tpr, odds, spread("accuracy"), spread("mae"))


@dataclass(frozen=True)
class ColumnFairness:
    column: str
    representation: tuple[GroupShare, ...]
    representation_by_target: dict[str, tuple[GroupShare, ...]]  # per target class
    real_model: tuple[GroupMetrics, ...]
    synthetic_model: tuple[GroupMetrics, ...]
    real_gaps: Gaps
    synthetic_gaps: Gaps

    def widened(self) -> dict[str, bool | None]:
        """Is each gap larger for the synthetic-trained model (by more than 0.02)?"""
        out: dict[str, bool | None] = {}
        for name, real in asdict(self.real_gaps).items():
            synthetic = getattr(self.synthetic_gaps, name)
            out[name] = None if real is None or synthetic is None else synthetic > real + 0.02
        return out


@dataclass(frozen=True)
class FairnessReport:
    target: str
    task: TaskKind
    positive: Any
    columns: tuple[ColumnFairness, ...]
    rare_lost: dict[str, list[str]]

    def to_dict(self) -> dict[str, Any]:
        """fairness.<group column>.* keys."""
        out: dict[str, Any] = {}
        for c in self.columns:
            out[c.column] = plain(
                {
                    "representation": [asdict(g) for g in c.representation],
                    "representation_by_target": {
                        k: [asdict(g) for g in v] for k, v in c.representation_by_target.items()
                    },
                    "real_model": {
                        "groups": [asdict(g) for g in c.real_model],
                        "gaps": asdict(c.real_gaps),
                    },
                    "synthetic_model": {
                        "groups": [asdict(g) for g in c.synthetic_model],
                        "gaps": asdict(c.synthetic_gaps),
                    },
                    "widened": c.widened(),
                }
            )
        out["rare_categories_lost"] = self.rare_lost
        return {"fairness": out}


def fairness_report(
    real_train: pd.DataFrame,
    synthetic: pd.DataFrame,
    holdout: pd.DataFrame,
    schema: Schema,
    *,
    target: str,
    sensitive: Sequence[str],
    positive: Any = None,
    task: TaskKind | None = None,
    progress: ProgressFn = no_progress,
) -> FairnessReport:
    """Representation of each sensitive column's groups, and per-group metrics and gaps of a
    gradient-boosting model trained on real and on synthetic rows, tested on the holdout."""
    for name in [target, *sensitive]:
        if name not in schema or name not in real_train.columns or name not in synthetic.columns:
            raise UtilityError(f"There is no column '{name}' in both tables.")
    holdout = holdout[holdout[target].notna()]
    real_train = real_train[real_train[target].notna()]
    synthetic = synthetic[synthetic[target].notna()]
    task = task or infer_task(real_train[target], schema[target].kind)
    features = feature_columns(schema, target, [real_train, synthetic, holdout])
    encoder = Encoder(real_train, schema, features)
    if task is TaskKind.CLASSIFICATION:
        ys = [f[target].astype(str).to_numpy() for f in (real_train, synthetic, holdout)]
        counts = pd.Series(ys[0]).value_counts()
        if len(counts) == 2:
            positive = str(positive) if positive is not None else str(counts.index[-1])
        else:
            positive = None
    else:
        ys = [as_float(f[target]) for f in (real_train, synthetic, holdout)]
        positive = None
    progress(0.1, "Training on real rows")
    predictions = []
    for x_frame, y in ((real_train, ys[0]), (synthetic, ys[1])):
        if task is TaskKind.CLASSIFICATION and len(set(y)) < 2:
            predictions.append(np.full(len(holdout), y[0] if len(y) else "", dtype=object))
            continue
        model = make_models(task, encoder.categorical_mask, 0)["gradient boosting"]
        model.fit(fit_ready(encoder.transform(x_frame)), y)
        predictions.append(model.predict(encoder.transform(holdout)))
        progress(0.5, "Training on synthetic rows")
    columns = []
    for name in sensitive:
        real_groups, syn_groups, test_groups = group_labels(
            real_train[name], [synthetic[name], holdout[name]], schema[name].kind
        )
        by_target: dict[str, tuple[GroupShare, ...]] = {}
        if task is TaskKind.CLASSIFICATION:
            for value in sorted(set(ys[0])):
                by_target[value] = tuple(
                    representation(real_groups[ys[0] == value], syn_groups[ys[1] == value])
                )
        test = test_groups.to_numpy()
        real_metrics = group_metrics(ys[2], predictions[0], test, task, positive)
        syn_metrics = group_metrics(ys[2], predictions[1], test, task, positive)
        columns.append(
            ColumnFairness(
                name,
                tuple(representation(real_groups, syn_groups)),
                by_target,
                tuple(real_metrics),
                tuple(syn_metrics),
                gaps(real_metrics),
                gaps(syn_metrics),
            )
        )
    progress(1.0, "Done")
    return FairnessReport(
        target, task, positive, tuple(columns), rare_categories_lost(real_train, synthetic, schema)
    )


@dataclass(frozen=True)
class UtilityAndFairness:
    """The Utility & fairness page's two reports: TSTR against TRTR, and fairness by the
    sensitive columns (None when none was chosen)."""

    utility: UtilityReport
    fairness: FairnessReport | None


def utility_and_fairness(
    real_train: pd.DataFrame,
    synthetic: pd.DataFrame,
    holdout: pd.DataFrame,
    schema: Schema,
    *,
    target: str,
    sensitive: Sequence[str],
    positive: Any = None,
    task: TaskKind | None = None,
    progress: ProgressFn = no_progress,
) -> UtilityAndFairness:
    """Both reports, as one background job of the Utility & fairness page."""

    def first(fraction: float, message: str, losses: object = None) -> None:
        progress(0.7 * fraction, message)

    def second(fraction: float, message: str, losses: object = None) -> None:
        progress(0.7 + 0.3 * fraction, message)

    utility = utility_report(
        real_train, synthetic, holdout, schema, target, task=task, positive=positive, progress=first
    )
    fairness = None
    if sensitive:
        fairness = fairness_report(
            real_train,
            synthetic,
            holdout,
            schema,
            target=target,
            sensitive=sensitive,
            positive=utility.positive,
            task=utility.task,
            progress=second,
        )
    progress(1.0, "Done")
    return UtilityAndFairness(utility, fairness)
