"""Privacy page: do the synthetic rows give away the real rows? Measured against the holdout."""

import streamlit as st

from synth_core.ui import privacy, state
from synth_core.ui.resources import job_registry

st.title("Privacy")
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
