"""Export page: download the synthetic table as CSV or Parquet, or write many more rows to a
file on this machine in the background."""

from pathlib import Path

import streamlit as st

from synth_core.data.io.export import csv_bytes, parquet_bytes
from synth_core.errors import SynthCoreError
from synth_core.ui import export, linked, report, state, tables, widgets
from synth_core.ui.resources import job_registry

st.title("Export")
linked_set = tables.active()
if linked_set is not None:
    measured = linked.result(*linked_set)
    if measured is None:
        st.info("Generate the linked set first, on the Generate page.")
    else:
        linked.export_view(linked_set[0], measured)
    st.stop()
result = state.result_or_stop()

stem = Path(state.source().name).name.split(".")[0] or "table"
st.write(
    f"{len(result.data):,} synthetic rows, {len(result.schema)} columns, in the original column "
    "order, with dates and true/false values written as in the uploaded file."
)
protect = st.toggle(
    "Protect the CSV against spreadsheet formulas",
    value=True,
    key="protect_formulas",
    persist_state="session",
    help="Cells that a spreadsheet would run as a formula (starting with =, +, -, @, tab or "
    "carriage return) get a leading apostrophe; numbers are left as they are. Turn it off for "
    "files read by code (pandas, R), where the apostrophe would be part of the value.",
)
st.caption(
    "Formula cells get a leading apostrophe (safe to open in a spreadsheet)."
    if protect
    else "Text is written exactly as generated: do not open this file in a spreadsheet if a "
    "value may start with =, +, - or @."
)
try:
    csv_data = state.download(
        result,
        "csv" if protect else "csv-exact",
        lambda df, schema: csv_bytes(df, schema, protect_formulas=protect),
    )
    parquet_data = state.download(result, "parquet", parquet_bytes)
except SynthCoreError as exc:
    widgets.error_box(exc)
    st.stop()
left, right = st.columns(2)
left.download_button(
    "Download CSV",
    csv_data,
    file_name=f"{stem}_synthetic.csv",
    mime="text/csv",
    on_click="ignore",
    key="download_csv",
    type="primary",
)
right.download_button(
    "Download Parquet",
    parquet_data,
    file_name=f"{stem}_synthetic.parquet",
    mime="application/vnd.apache.parquet",
    on_click="ignore",
    key="download_parquet",
)
st.caption(f"CSV {len(csv_data) / 1024:,.0f} KB · Parquet {len(parquet_data) / 1024:,.0f} KB")

st.divider()
report.report_panel(job_registry(), result, stem)
st.divider()
export.file_sample(job_registry(), result, stem)
