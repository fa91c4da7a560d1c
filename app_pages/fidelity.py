"""Fidelity page: is the synthetic table faithful? Score, detection, columns, pairs, rules,
validity."""

import streamlit as st

from synth_core.ui import fidelity, linked, state, tables
from synth_core.ui.resources import job_registry

st.title("Fidelity")
linked_set = tables.active()
if linked_set is not None:
    measured = linked.result(*linked_set)
    if measured is None:
        st.info("Generate the linked set first, on the Generate page.")
        st.page_link("app_pages/generate.py", label="← Generate")
    else:
        linked.fidelity_view(measured)
    st.stop()
result = state.result_or_stop()
report = state.fidelity_report(result)
st.caption(
    f"Synthetic rows ({report.rows_synthetic:,}) against the {report.rows_real:,} real training "
    "rows they were learnt from. ID and personal-data columns are not compared."
)
fidelity.summary(report, result)
fidelity.detection(result, job_registry())

columns, pairs, rules, validity, statistics = st.tabs(
    ["Columns", "Pairs", "Rules", "Validity", "All statistics"]
)
with columns:
    fidelity.columns_view(report, result)
with pairs:
    fidelity.pairs_view(report, result)
with rules:
    fidelity.rules_view(report)
with validity:
    fidelity.validity_view(report)
with statistics:
    st.dataframe(report.statistics_table(), hide_index=True)
st.page_link("app_pages/privacy.py", label="Next: privacy →")
