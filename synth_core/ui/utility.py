"""Utility & fairness page widgets: target and groups, TSTR vs TRTR, representation, gaps."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import pandas as pd
import streamlit as st

from synth_core.data.encoding import FEATURE_KINDS
from synth_core.data.schema import ColumnKind
from synth_core.errors import SynthCoreError
from synth_core.evaluate.evaluation import EvaluationSettings, measure_utility
from synth_core.evaluate.fairness import FairnessReport, UtilityAndFairness, suggest_sensitive
from synth_core.evaluate.utility import TaskKind, UtilityReport, infer_task
from synth_core.experiments.augment import AugmentationReport, augmentation
from synth_core.generate.conditions import RowRequest
from synth_core.generate.synthesize import SynthResult
from synth_core.jobs import JobRegistry, Task
from synth_core.present.plots import augmentation_figure, importance_figure
from synth_core.ui import jobs, state
from synth_core.ui.widgets import default, error_box

_TARGET_NAMES = ("target", "label", "class", "outcome", "y", "diagnosis", "default", "churn")
_METRIC_WORDS = {
    "accuracy": "accuracy",
    "balanced_accuracy": "balanced accuracy",
    "f1": "F1",
    "roc_auc": "ROC AUC",
    "recall": "recall of the positive class",
    "r2": "R²",
    "mae": "mean absolute error",
}


def _default_target(names: list[str]) -> str:
    for name in names:
        if name.lower() in _TARGET_NAMES:
            return name
    return names[-1]


@dataclass(frozen=True)
class Choice:
    """What to predict and which groups to check; starts its own job."""

    target: str
    task: TaskKind
    positive: Any
    sensitive: tuple[str, ...]

    def settings(self, result: SynthResult) -> EvaluationSettings:
        return replace(
            state.evaluation_settings(result),
            target=self.target,
            task=self.task,
            positive=self.positive,
            sensitive=self.sensitive,
        )

    def task_for(self, result: SynthResult) -> Task:
        return Task(measure_utility, (state.rows(result), self.settings(result)))


def settings(result: SynthResult) -> Choice | None:
    """Target, task, positive class and sensitive columns, chosen by the user."""
    schema = result.schema
    names = [c.name for c in schema if c.kind in FEATURE_KINDS and c.name in result.data.columns]
    if len(names) < 2:
        st.info("Utility needs a target and at least one other column to predict it from.")
        return None
    default(state.UTILITY_TARGET, _default_target(names))
    if st.session_state[state.UTILITY_TARGET] not in names:
        st.session_state[state.UTILITY_TARGET] = _default_target(names)
    left, middle, right = st.columns(3)
    target = str(
        left.selectbox(
            "Target to predict", names, key=state.UTILITY_TARGET, persist_state="session"
        )
    )
    inferred = infer_task(result.train[target], schema[target].kind)
    task = inferred
    if schema[target].kind is ColumnKind.NUMERICAL:
        task = TaskKind(
            middle.radio(
                "Task",
                [t.value for t in TaskKind],
                index=list(TaskKind).index(inferred),
                key=f"utility_task_{target}",
                horizontal=True,
            )
        )
    positive = None
    if task is TaskKind.CLASSIFICATION:
        counts = result.train[target].dropna().astype(str).value_counts()
        if len(counts) == 2:
            positive = middle.selectbox(
                "Positive class (default: the rarer)",
                list(reversed(counts.index.tolist())),
                key=f"utility_positive_{target}",
            )
    options = [n for n in names if n != target]
    suggested = [n for n in suggest_sensitive(schema, result.train) if n in options]
    default(state.UTILITY_SENSITIVE, suggested)
    chosen = [n for n in st.session_state[state.UTILITY_SENSITIVE] if n in options]
    st.session_state[state.UTILITY_SENSITIVE] = chosen
    sensitive = right.multiselect(
        "Groups to check (sensitive columns)",
        options,
        key=state.UTILITY_SENSITIVE,
        persist_state="session",
        help="Suggested from column names (sex, age, race, ...); numbers are cut into quartiles.",
    )
    choice = Choice(target, task, positive, tuple(sensitive))
    state.set_utility_choice(choice)
    return choice


def report_or_job(
    result: SynthResult, registry: JobRegistry, choice: Choice
) -> UtilityAndFairness | None:
    found = state.utility(result, choice)
    if found is not None:
        return found
    slot = jobs.UTILITY
    if st.button(
        "Train and compare", type="primary", key="run_utility", disabled=jobs.running(slot)
    ):
        try:
            jobs.start(registry, slot, choice.task_for(result))
            st.session_state[state.UTILITY_JOB_CHOICE] = choice
        except SynthCoreError as exc:
            error_box(exc)
    jobs.panel(
        registry,
        slot,
        lambda reports: state.set_utility(
            result, st.session_state[state.UTILITY_JOB_CHOICE], reports
        ),
    )
    return None


def tstr(report: UtilityReport) -> None:
    metric = report.metric
    main = report.main
    ratio = report.ratio()
    st.subheader("Train on synthetic, test on real")
    left, middle, right = st.columns(3)
    left.metric(f"TSTR {_METRIC_WORDS[metric]}", _fmt(main.tstr[metric].value))
    middle.metric(f"TRTR {_METRIC_WORDS[metric]}", _fmt(main.trtr[metric].value))
    right.metric("TSTR / TRTR", _fmt(ratio))
    positive = f" (positive class: {report.positive})" if report.positive is not None else ""
    st.caption(
        f"Predicting '{report.target}' ({report.task.value}{positive}) from "
        f"{len(report.features)} columns; trained on {report.rows['synthetic']:,} synthetic or "
        f"{report.rows['real_train']:,} real rows, tested on {report.rows['holdout']:,} holdout "
        "rows. Intervals: 95%, bootstrap of the holdout."
    )
    rows = []
    for model in report.models:
        for name, score in model.tstr.items():
            real = model.trtr[name]
            rows.append(
                {
                    "model": model.model,
                    "metric": _METRIC_WORDS[name],
                    "trained on synthetic": _interval(score.value, score.ci_low, score.ci_high),
                    "trained on real": _interval(real.value, real.ci_low, real.ci_high),
                }
            )
    st.dataframe(pd.DataFrame(rows), hide_index=True)
    for note in report.notes:
        st.info(note)
    if main.importance_real:
        st.plotly_chart(
            importance_figure(main.importance_real, main.importance_synthetic), key="importance"
        )


def _words(frame: pd.DataFrame) -> pd.DataFrame:
    """Column headers in words ("real share", not "real_share")."""
    return frame.rename(columns=lambda name: str(name).replace("_", " "))


def fairness(report: FairnessReport) -> None:
    st.subheader("Groups")
    for column in report.columns:
        st.markdown(f"**{column.column}**")
        shares = pd.DataFrame([g.__dict__ for g in column.representation])
        changed = shares[shares["status"] != "ok"]
        if not changed.empty:
            listed = ", ".join(
                f"{g} ({s})" for g, s in zip(changed["group"], changed["status"], strict=True)
            )
            st.warning(
                f"{len(changed)} group(s) of {column.column} are not represented as in the real "
                f"rows: {listed}."
            )
        st.dataframe(
            _words(shares),
            hide_index=True,
            column_config={
                "real share": st.column_config.NumberColumn(format="percent"),
                "synthetic share": st.column_config.NumberColumn(format="percent"),
            },
        )
        gaps = pd.DataFrame(
            {
                "gap": [name.replace("_", " ") for name in column.real_gaps.__dict__],
                "model trained on real": list(column.real_gaps.__dict__.values()),
                "model trained on synthetic": list(column.synthetic_gaps.__dict__.values()),
                "widened by synthetic data": list(column.widened().values()),
            }
        ).dropna(subset=["model trained on real", "model trained on synthetic"], how="all")
        st.dataframe(gaps, hide_index=True)
        per_group = pd.DataFrame(
            [{"model": "real", **g.__dict__} for g in column.real_model]
            + [{"model": "synthetic", **g.__dict__} for g in column.synthetic_model]
        ).dropna(axis=1, how="all")
        with st.expander(f"Per-group metrics by {column.column}"):
            st.dataframe(_words(per_group), hide_index=True)
    if report.rare_lost:
        st.warning(
            "Rare categories (below 1% of real rows) missing from the synthetic rows: "
            + "; ".join(f"{k}: {', '.join(v[:5])}" for k, v in report.rare_lost.items())
        )
    st.caption(
        "Gaps (max − min over groups with at least 5 holdout rows): demographic parity = share "
        "predicted positive; equal opportunity = true positive rate; equalized odds = the larger "
        "of the TPR and FPR gaps. 'Widened' means the synthetic-trained model's gap is larger by "
        "more than 0.02."
    )


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def _interval(value: float | None, low: float | None, high: float | None) -> str:
    if value is None:
        return "n/a"
    if low is None or high is None:
        return f"{value:.3f}"
    return f"{value:.3f} [{low:.3f}, {high:.3f}]"


def augmentation_panel(
    result: SynthResult, registry: JobRegistry, report: UtilityReport, sensitive: list[str]
) -> None:
    """Add synthetic rows of a rare case to the real training rows: does recall improve?"""
    st.subheader("Augmentation: do synthetic rare cases help?")
    if report.positive is None:
        st.info("Augmentation needs a target with two classes (e.g. a rare diagnosis).")
        return
    st.caption(
        f"Adds 0 to 4 times as many rows as the training set has of the chosen case, made by the "
        f"generator, to the real training rows, and tests on the real holdout; beside it, the "
        f"same numbers of real rows repeated (oversampling). Recall = the share of real "
        f"'{report.positive}' rows the model finds."
    )
    value = next(
        v for v in result.train[report.target].dropna().unique() if str(v) == str(report.positive)
    )
    rare = {report.target: value}
    options: dict[str, RowRequest | None] = {f"rows with {report.target} = {report.positive}": None}
    for column in sensitive:
        values = result.train[column].dropna().value_counts()
        if values.empty or len(values) > 20:
            continue
        rarest = values.index[-1]
        label = f"{report.target} = {report.positive}, {column} = {rarest}"
        options[
            f"rows of the smallest {column} group ({rarest}) with {report.target} = "
            f"{report.positive}"
        ] = RowRequest(1, {**rare, column: rarest}, label=label)
    numeric = [
        c.name
        for c in result.schema
        if c.kind is ColumnKind.NUMERICAL and c.name in report.features
    ][:3]
    for column in numeric:  # edge cases: the top 5% of a numeric column
        threshold = float(result.train[column].quantile(0.95))
        label = f"{report.target} = {report.positive}, {column} ≥ {threshold:g}"
        options[
            f"rows from the top 5% of {column} (≥ {threshold:g}) with {report.target} = "
            f"{report.positive}"
        ] = RowRequest(1, rare, {column: (threshold, None)}, label)
    choice = st.selectbox("Rows to add", list(options), key="augment_what", persist_state="session")
    condition = options[str(choice)]
    key = (id(result), report.target, str(report.positive), str(choice))
    found = st.session_state.get(state.AUGMENTATION, {}).get(key)
    if found is None:
        if st.button(
            "Run the augmentation curve", key="run_augment", disabled=jobs.running(jobs.AUGMENT)
        ):
            try:
                jobs.start(
                    registry,
                    jobs.AUGMENT,
                    Task(
                        augmentation,
                        (result.model, report.target, report.positive),
                        {"condition": condition, "group": sensitive[0] if sensitive else None},
                    ),
                )
                st.session_state[state.AUGMENT_KEY] = key
            except SynthCoreError as exc:
                error_box(exc)

        def keep(found: AugmentationReport) -> None:
            st.session_state.setdefault(state.AUGMENTATION, {})[
                st.session_state[state.AUGMENT_KEY]
            ] = found

        jobs.panel(registry, jobs.AUGMENT, keep)
        return
    st.plotly_chart(augmentation_figure(found), key="augmentation")
    for note in found.notes:
        st.info(note)
    rows = [
        {
            "method": p.method,
            "rows added": p.added,
            "recall": _interval(
                p.scores["recall"].value, p.scores["recall"].ci_low, p.scores["recall"].ci_high
            ),
            "balanced accuracy": _fmt(p.scores["balanced_accuracy"].value),
            "ROC AUC": _fmt(p.scores["roc_auc"].value),
            "equal-opportunity gap": _fmt(p.gap),
        }
        for p in found.points
    ]
    st.dataframe(pd.DataFrame(rows), hide_index=True)
    st.caption(
        f"{found.real_matching:,} real training rows match; computed in {found.seconds:.0f} s. "
        "Gradient boosting, 3 seeds; intervals: 95%, bootstrap of the holdout."
    )
