"""Data page: choose a table, see how it was read, and check or change each column's kind."""

import streamlit as st

from synth_core.data.io.export import readable_frame
from synth_core.errors import SynthCoreError
from synth_core.ui import state, tables, widgets

st.title("Data")
st.write(
    "Pick a sample table, upload a CSV, or upload several linked tables. Check how each column "
    "was understood before generating: the kind decides how a column is learnt and how personal "
    "data is protected."
)
if not widgets.source_picker():
    tables.linked_tables()
    if tables.active() is not None:  # the other pages work on the set: no one-table details
        st.stop()
    st.divider()
    st.caption(f"The table the other pages work with: **{state.source().name}**.")

try:
    base = state.base_table()
except SynthCoreError as exc:
    widgets.error_box(exc)
    st.stop()

working = state.working_table()
st.subheader("What was read")
widgets.read_report(base)
widgets.missing_tokens(base)

st.subheader("Columns")
st.caption(
    "Change a kind if it is wrong (e.g. a code read as a number), mark personal data as PII, "
    "or untick 'use' to leave a column out. Then apply."
)
widgets.coded_offer(base, working)
edits = widgets.kinds_editor(base, working)
if edits is not None:
    try:
        working = state.apply_edits(edits)
        st.success("Column changes applied.")
    except SynthCoreError as exc:
        widgets.error_box(exc)

st.subheader(f"Preview ({len(working.df):,} rows × {len(working.schema)} columns)")
st.dataframe(readable_frame(working.df.head(200), working.schema), hide_index=True)
st.page_link("app_pages/generate.py", label="Next: generate synthetic data →")
