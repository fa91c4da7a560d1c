"""Generate page, first step: compare generators on this table and use the recommended one."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from synth_core.data.table import Table
from synth_core.errors import SynthCoreError
from synth_core.generate.generators import available
from synth_core.generate.generators.registry import GeneratorKind
from synth_core.jobs import JobRegistry, Task
from synth_core.present import plots
from synth_core.ui import jobs, state
from synth_core.ui.generator_form import param_key
from synth_core.ui.widgets import default, error_box, target_picker
from synth_core.workflows.compare import (
    DEFAULT_BUDGET_SECONDS,
    RULE,
    CompareSettings,
    GeneratorComparison,
    compare_generators,
)

EXPLANATION = (
    "Which generator makes the best data for this table? Each one is trained on the same "
    "training rows within the time budget, samples as many rows, and is measured against the "
    "same holdout: quality, whether a classifier tells its rows from real ones (detection AUC, "
    "0.5 is best), copies of training rows beside the holdout's own rate, and the DCR share. "
)


@dataclass(frozen=True)
class Choice:
    generators: tuple[str, ...]
    budget_seconds: float
    target: str | None
    seed: int
    holdout_fraction: float

    def task(self, table: Table) -> Task:
        settings = CompareSettings(
            generators=self.generators,
            budget_seconds=self.budget_seconds,
            target=self.target,
            seed=self.seed,
            holdout_fraction=self.holdout_fraction,
        )
        return Task(compare_generators, (table, settings))


def settings(table: Table) -> Choice:
    names = [g.name for g in available() if g.kind is not GeneratorKind.DP]
    default("compare_generators", names)
    default("compare_budget", int(DEFAULT_BUDGET_SECONDS))
    left, middle, right = st.columns([3, 2, 2])
    chosen = left.multiselect(
        "Generators", names, key="compare_generators", persist_state="session"
    )
    budget = middle.slider(
        "Time budget per generator (s)",
        10,
        600,
        step=10,
        key="compare_budget",
        persist_state="session",
        help="Neural generators get as many epochs as fit in it by their time estimate.",
    )
    target = target_picker(right, table, "compare_target")
    holdout = float(st.session_state.get(state.HOLDOUT, 20)) / 100  # the Generate page's setting
    return Choice(
        tuple(chosen),
        float(budget),
        target,
        int(st.session_state.get(state.SEED, 0)),
        min(max(holdout, 0.05), 0.5),
    )


def section(registry: JobRegistry, table: Table) -> None:
    """The comparison as one step of the Generate page."""
    found = state.comparison(table)
    with st.expander("Step 1 (optional): compare generators on this table", expanded=True):
        st.markdown(EXPLANATION + "**How one is recommended:** " + RULE)
        choice = settings(table)
        busy = jobs.running(jobs.COMPARE)
        if st.button(
            "Compare generators", key="compare_start", disabled=busy or not choice.generators
        ):
            try:
                jobs.start(registry, jobs.COMPARE, choice.task(table))
            except SynthCoreError as exc:
                error_box(exc)
        jobs.panel(registry, jobs.COMPARE, lambda result: _collected(table, result))
        if found is not None:
            results(found)


def _collected(table: Table, comparison: GeneratorComparison) -> None:
    state.set_comparison(table, comparison)
    if comparison.recommended is not None:  # the recommendation becomes this table's default
        use(comparison, comparison.recommended)


def use(comparison: GeneratorComparison, name: str) -> None:
    """Set the generator picker (and the parameters that fit the budget) to ``name``."""
    st.session_state[state.GENERATOR] = name
    for param, value in comparison.score(name).params.items():
        st.session_state[param_key(name, param)] = value


def results(comparison: GeneratorComparison) -> None:
    if comparison.recommended is not None:
        judged = comparison.score(comparison.recommended).passes_privacy
        (st.success if judged else st.info)(
            f"Recommended: **{comparison.recommended}**. {comparison.why}"
        )
        st.button(
            f"Use this generator ({comparison.recommended})",
            key="compare_use",
            on_click=use,
            args=(comparison, comparison.recommended),
        )
    else:
        st.warning(comparison.why)
    st.dataframe(score_table(comparison), hide_index=True)
    st.plotly_chart(plots.comparison_figure(comparison), key="compare_figure")
    st.caption(
        f"{comparison.training_rows:,} training and {comparison.holdout_rows:,} holdout rows, "
        f"{comparison.seconds:.0f} s in all. Peak memory is the worker process's, with what it "
        "had loaded before."
    )


def score_table(comparison: GeneratorComparison) -> pd.DataFrame:
    def percent(value: float | None) -> float | None:
        return None if value is None else round(100 * value, 2)

    tstr = f"TSTR ({comparison.metric})" if comparison.metric else "TSTR"
    rows = []
    for s in comparison.scores:
        rows.append(
            {
                "Generator": s.name,
                "Status": s.status.value + (f": {s.reason}" if s.reason else ""),
                "Quality": s.quality,
                "Detection AUC": s.detection_auc,
                tstr: s.tstr,
                "Copies (%)": percent(s.exact_match_rate),
                "Holdout's own (%)": percent(s.holdout_match_rate),
                "DCR share (%)": percent(s.dcr_share),
                "Privacy gate": s.gate[0].value,
                "Why not": comparison.why_not(s.name),
                "Seconds": round(s.seconds, 1) if s.fit_seconds is not None else None,
                "Peak memory (MB)": round(s.peak_rss_mb) if s.peak_rss_mb else None,
            }
        )
    return pd.DataFrame(rows)
