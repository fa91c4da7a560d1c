"""Privacy page: do the synthetic rows give away the real rows? Measured against the holdout."""

import streamlit as st

from synth_core.ui import linked, privacy, state, tables
from synth_core.ui.resources import job_registry

st.title("Privacy")
linked_set = tables.active()
if linked_set is not None:
    measured = linked.result(*linked_set)
    if measured is None:
        st.info("Generate the linked set first, on the Generate page.")
        st.page_link("app_pages/generate.py", label="← Generate")
    else:
        linked.privacy_view(measured)
    st.stop()
result = state.result_or_stop()
report = privacy.report_or_job(result, job_registry())
if report is not None:
    privacy.summary(report, result.spec)
    left, right = st.columns([1, 1])
    with left:
        privacy.metrics(report)
    with right:
        privacy.distances(report)
        privacy.attacks(report)
    privacy.details(report)
st.page_link("app_pages/utility.py", label="Next: utility & fairness →")
