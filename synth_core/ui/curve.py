"""Generate page with differential privacy: the privacy–utility curve, the DP generator at
several ε as one background job."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from synth_core.data.table import Table
from synth_core.errors import SynthCoreError
from synth_core.generate.spec import (
    GenerationSpec,
)
from synth_core.jobs import JobRegistry, Task
from synth_core.present import plots
from synth_core.ui import jobs, state
from synth_core.ui.widgets import error_box


def curve_panel(registry: JobRegistry, table: Table, spec: GenerationSpec | None) -> None:
    """The DP generator at several ε as one background job, plotted against ε."""
    from synth_core.experiments.curve import EPSILONS, REFERENCE, privacy_utility_curve

    with st.expander("Privacy–utility curve: how much fidelity does each ε cost?"):
        st.caption(
            f"Trains the MST generator at ε = {', '.join(f'{e:g}' for e in EPSILONS)} with the "
            f"settings above, and {REFERENCE} without DP as the reference; scores each with "
            "the fidelity score and the membership-inference attack (a few minutes: about "
            "20-30 s per ε here)."
        )
        busy = jobs.running(jobs.CURVE) or spec is None
        if st.button("Run the curve", key="run_curve", disabled=busy):
            assert spec is not None
            try:
                spec.validate()
                jobs.start(registry, jobs.CURVE, Task(privacy_utility_curve, (table, spec)))
            except SynthCoreError as exc:
                error_box(exc)
        jobs.panel(registry, jobs.CURVE, state.set_curve)
        curve = state.curve()
        if curve is not None:
            st.plotly_chart(plots.privacy_utility_figure(curve), key="curve")
            st.dataframe(
                pd.DataFrame(
                    [
                        p.__dict__
                        for p in (*curve.points, *([curve.reference] if curve.reference else []))
                    ]
                ),
                hide_index=True,
            )
