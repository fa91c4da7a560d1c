"""Export-page widgets for the shareable report: build it in the background, download it."""

from __future__ import annotations

import json
from dataclasses import replace

import streamlit as st

from synth_core.errors import SynthCoreError
from synth_core.generate.recipe import make_recipe
from synth_core.generate.synthesize import SynthResult
from synth_core.jobs import JobRegistry, Task
from synth_core.present.report import SMALL_COUNT, ReportFiles, evaluation_report
from synth_core.ui import jobs, state
from synth_core.ui.widgets import default, error_box

_REPORT = "report_files"


def _set(files: ReportFiles) -> None:
    st.session_state[_REPORT] = (id(state.result()), files)


def _files(result: SynthResult) -> ReportFiles | None:
    found = st.session_state.get(_REPORT)
    if found is None or found[0] != id(result):
        return None
    files: ReportFiles = found[1]
    return files


def _recipe(result: SynthResult) -> dict[str, object] | None:
    try:
        recipe = make_recipe(
            result.spec,
            state.working_table(),
            state.source().data,
            state.read_options(),
            {name: o.label for name, o in state.overrides().items()},
            state.dropped(),
        )
    except SynthCoreError:
        return None
    loaded: dict[str, object] = json.loads(recipe.to_json())
    return loaded


def report_panel(registry: JobRegistry, result: SynthResult, stem: str) -> None:
    st.subheader("Shareable report")
    st.caption(
        "One HTML file that opens offline in any browser (and the same content as JSON): the "
        "recipe, fidelity, privacy with its verdicts, utility and fairness, and the figures. "
        f"Real data appears only as aggregates; counts under {SMALL_COUNT} real rows are "
        "suppressed and rare categories pooled."
    )
    choice = state.utility_choice()  # the target and groups chosen on the Utility page
    include = False
    if choice is not None and len(result.holdout) > 0:
        default("report_utility", True)
        groups = f", groups: {', '.join(choice.sensitive)}" if choice.sensitive else ""
        include = st.checkbox(
            f"Include utility and fairness (target: {choice.target}{groups}, from the Utility "
            "page)",
            key="report_utility",
            persist_state="session",
        )
    else:
        st.caption("Choose a target on the Utility & fairness page to include utility too.")
    if st.button("Build the report", key="build_report", disabled=jobs.running(jobs.REPORT)):
        settings = state.evaluation_settings(result)
        utility = None
        if include:
            assert choice is not None
            settings = choice.settings(result)
            utility = state.utility(result, choice)
        fidelity = state.fidelity_report(result)
        detection = state.detection(result)
        if detection is not None:
            fidelity = replace(fidelity, detection=detection)
        try:
            jobs.start(
                registry,
                jobs.REPORT,
                Task(
                    evaluation_report,
                    (state.rows(result), _recipe(result), settings),
                    {"fidelity": fidelity, "privacy": state.privacy(result), "utility": utility},
                ),
            )
        except SynthCoreError as exc:
            error_box(exc)
    jobs.panel(registry, jobs.REPORT, _set)
    files = _files(result)
    if files is None:
        return
    left, right = st.columns(2)
    left.download_button(
        "Download report (HTML)",
        files.html,
        file_name=f"{stem}_report.html",
        mime="text/html",
        on_click="ignore",
        key="download_report_html",
    )
    right.download_button(
        "Download report (JSON)",
        files.json,
        file_name=f"{stem}_report.json",
        mime="application/json",
        on_click="ignore",
        key="download_report_json",
    )
    st.caption(f"HTML {len(files.html) / 1e6:.1f} MB · JSON {len(files.json) / 1e3:,.0f} KB")
