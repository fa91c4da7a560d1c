"""Generate page: choose a generator and its settings, run it in the background, preview rows."""

import streamlit as st

from synth_core.errors import SynthCoreError
from synth_core.ui import generation, state, widgets
from synth_core.ui.resources import job_registry

st.title("Generate")
try:
    table = state.working_table()
except SynthCoreError as exc:
    widgets.error_box(exc)
    st.page_link("pages/data.py", label="← Back to the Data page")
    st.stop()
st.caption(
    f"Learning from **{state.source().name}**: {len(table.df):,} rows, {len(table.schema)} columns."
)

info = generation.generator_picker()
left, right = st.columns(2)
with left:
    st.markdown("**Generator settings**")
    params = generation.param_inputs(info)
with right:
    st.markdown("**Output and privacy**")
    spec = generation.output_settings(table, info.name, params)

registry = job_registry()
generation.start_button(registry, table, spec)
generation.job_panel(registry)

result = state.result()
if result is not None:
    generation.result_preview(result)
    st.page_link("pages/fidelity.py", label="Next: check fidelity →")
