"""Generate page, the job: the Generate button, the background job's panel, the preview, the
quality filter's effect, leaf coverage and "sample again"."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import streamlit as st

from synth_core.data.io.export import readable_frame
from synth_core.data.table import Table
from synth_core.errors import SynthCoreError
from synth_core.generate.conditions import LeafCoverage, RowRequest
from synth_core.generate.generators import get
from synth_core.generate.protect.pii import exhausted_column
from synth_core.generate.spec import (
    MAX_SYNTHETIC_ROWS,
    GenerationSpec,
    check_table_rows,
)
from synth_core.generate.synthesize import (
    SynthResult,
    fit_estimate,
)
from synth_core.jobs import JobRegistry, JobView, Task
from synth_core.present import plots
from synth_core.ui import jobs, state
from synth_core.ui.widgets import default, error_box
from synth_core.workflows.measured import FilterEffect, sample_measured, synthesize_measured

PREVIEW_ROWS = 200


def start_button(registry: JobRegistry, table: Table, spec: GenerationSpec | None) -> None:
    """Generate: checks the spec, then fits and samples in a background job."""
    try:
        check_table_rows(len(table.df))
        too_small = False
    except SynthCoreError as exc:
        st.warning(str(exc))
        too_small = True
    busy = jobs.running(jobs.GENERATION)
    disabled = busy or too_small or spec is None
    if not st.button("Generate", type="primary", disabled=disabled, key="generate"):
        return
    assert spec is not None
    try:
        spec.validate()
        info = get(spec.generator)
        task = Task(
            synthesize_measured,
            (table, spec),
            budget_seconds=info.budget_seconds(spec.params),
            expected_seconds=fit_estimate(table, spec),
        )
        jobs.start(registry, jobs.GENERATION, task)
    except SynthCoreError as exc:
        error_box(exc)


def _losses(view: JobView) -> None:
    if len(view.losses) >= 2:
        st.plotly_chart(plots.loss_figure(view.losses), key=f"losses_{len(view.losses)}")
    elif view.losses:
        latest = ", ".join(f"{k} {v:.3f}" for k, v in view.losses[-1].items() if k != "epoch")
        st.caption(f"Losses after epoch 1: {latest}")


def job_panel(registry: JobRegistry) -> None:
    """Progress of this session's generation, with Cancel and the loss curve; when fake values
    ran out for a personal-data column, a button to leave that column out, next to the error."""
    jobs.panel(registry, jobs.GENERATION, state.set_result, extra=_losses)
    column = exhausted_column(str(st.session_state.get(jobs.GENERATION.error_key, "")))
    if column is None or column not in state.working_table().schema:
        return
    if st.button(f"Leave '{column}' out", key="drop_exhausted"):
        state.apply_edits(state.ColumnEdits(state.overrides(), (*state.dropped(), column)))
        st.session_state.pop(jobs.GENERATION.error_key, None)
        st.rerun()


def result_preview(result: SynthResult) -> None:
    """How the rows were made, notes, coverage, the loss curve and the first rows."""
    spec = result.spec
    st.subheader(f"Synthetic rows ({len(result.data):,})")
    st.caption(
        f"{spec.generator}, seed {result.seed}, fitted in {result.fit_seconds:.1f} s on "
        f"{result.model.fit_rows:,} training rows ({len(result.holdout):,} held out), "
        f"sampled in {result.sample_seconds:.1f} s."
    )
    skipped = [s.describe() for s in result.model.skipped if s.instead is None]
    for warning in skipped:  # a rule found in the data and not applied: worth a look
        st.warning(warning)
    notes = [n for n in result.notes if n not in skipped]
    if notes:
        st.info("\n".join(f"- {note}" for note in notes))
    effect = state.quality_effect(result)
    if effect is not None:
        quality_effect(effect)
    if result.coverage:
        coverage_table(result.coverage)
    if len(result.model.losses) >= 2:
        with st.expander("Training losses"):
            st.plotly_chart(plots.loss_figure(result.model.losses), key="final_losses")
    st.dataframe(readable_frame(result.data.head(PREVIEW_ROWS), result.schema), hide_index=True)


def quality_effect(effect: FilterEffect) -> None:
    """Fidelity gained and diversity and distance paid by the quality filter."""
    st.markdown(f"**What the quality filter did** ({effect.rows:,} rows with and without it)")

    def number(value: float | None, form: str) -> str:
        return "n/a" if value is None else format(value, form)

    rows = []
    for label, name, form, better in (
        ("Fidelity score", "fidelity", ".3f", "higher"),
        ("Detection ROC AUC", "detection_auc", ".3f", "nearer 0.5"),
        ("Mean P(real) by the filter's classifier", "mean_p_real", ".2f", "higher"),
        ("Mean KS distance (numbers, dates)", "mean_ks", ".3f", "lower"),
        ("Mean TV distance (categories)", "mean_tvd", ".3f", "lower"),
        ("Std ratio (spread)", "std_ratio", ".3f", "nearer 1"),
        ("Tail coverage", "tail_coverage", ".2f", "nearer 1"),
        ("DCR share (closer to training than holdout)", "dcr_share", ".1%", "nearer 50%"),
    ):
        before, after = getattr(effect.before, name), getattr(effect.after, name)
        rows.append(
            {
                "measure": label,
                "without the filter": number(before, form),
                "with it": number(after, form),
                "better when": better,
            }
        )
    b, a = effect.before, effect.after
    rows.append(
        {
            "measure": "Real categories present",
            "without the filter": f"{b.categories_kept} of {b.categories_total}",
            "with it": f"{a.categories_kept} of {a.categories_total}",
            "better when": "all",
        }
    )
    st.dataframe(pd.DataFrame(rows), hide_index=True)
    st.caption(
        f"Fidelity and detection against {effect.reference}; KS and TV distances (as on the "
        "Fidelity page) and diversity against all real rows."
    )
    costs = effect.warnings()
    if costs:
        st.warning("The filter's cost: " + "; ".join(costs) + ".")


def coverage_table(leaves: Sequence[LeafCoverage]) -> None:
    """Rows asked for and produced per condition, and how common such rows are in real data."""
    frame = pd.DataFrame(
        {
            "condition": [c.label for c in leaves],
            "asked": [c.requested for c in leaves],
            "produced": [c.produced for c in leaves],
            "real rows": [c.real_rows for c in leaves],
            "real share": [c.real_share for c in leaves],
            "status": [c.status for c in leaves],
        }
    )
    st.markdown("**Coverage per condition**")
    st.dataframe(
        frame,
        hide_index=True,
        column_config={"real share": st.column_config.NumberColumn(format="percent")},
    )
    extrapolated = [c for c in leaves if c.status != "covered"]
    if extrapolated:
        st.warning(
            f"{len(extrapolated)} condition(s) are rare or absent in the real data: the generator "
            "extrapolates there, so check those rows with care before relying on them."
        )
    short = [c for c in leaves if c.produced < c.requested]
    if short:
        st.warning(
            f"{len(short)} condition(s) got fewer rows than asked for: the generator rarely "
            "produces such rows. Try fewer conditions, a wider range, or another generator."
        )


def sample_more(registry: JobRegistry, result: SynthResult, requests: Sequence[RowRequest]) -> None:
    """Draw new rows from the fitted model without training again."""
    st.markdown("**Sample again without retraining**")
    st.caption(
        f"Uses the {result.spec.generator} model already trained (the settings above are not "
        "applied, except the conditions chosen under “What to generate”)."
    )
    left, right, button = st.columns([2, 2, 1], vertical_alignment="bottom")
    default(state.MORE_ROWS, len(result.data))
    default(state.MORE_SEED, result.seed + 1)
    rows = left.number_input(
        "Rows",
        1,
        MAX_SYNTHETIC_ROWS,
        key=state.MORE_ROWS,
        persist_state="session",
        disabled=bool(requests),
    )
    seed = right.number_input("Seed", 0, 2**32 - 1, key=state.MORE_SEED, persist_state="session")
    if button.button("Sample", key="sample_more", disabled=jobs.running(jobs.GENERATION)):
        try:
            jobs.start(
                registry,
                jobs.GENERATION,
                Task(
                    sample_measured,
                    (result,),
                    {"rows": int(rows), "seed": int(seed), "requests": tuple(requests)},
                ),
            )
            st.rerun()
        except SynthCoreError as exc:
            error_box(exc)
