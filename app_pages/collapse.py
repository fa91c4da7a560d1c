"""Collapse lab: what happens when models learn from generated data, generation after generation."""

import streamlit as st

from synth_core.errors import SynthCoreError
from synth_core.ui import collapse, state, tables, widgets
from synth_core.ui.resources import job_registry

st.title("Collapse lab")
tables.one_table_only("Collapse lab")
st.markdown(collapse.EXPLANATION)
try:
    table = state.working_table()
except SynthCoreError as exc:
    widgets.error_box(exc)
    st.stop()
choice = collapse.settings(table)
collapse.run(job_registry(), table, choice)
result = state.collapse()
if result is not None:
    collapse.results(result)
