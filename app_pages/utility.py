"""Utility & fairness page: do models trained on the synthetic rows work on real rows, for
every group?"""

import streamlit as st

from synth_core.ui import state, tables, utility
from synth_core.ui.resources import job_registry

st.title("Utility & fairness")
tables.one_table_only("Utility & fairness")
result = state.result_or_stop()
choice = utility.settings(result)
if choice is not None:
    reports = utility.report_or_job(result, job_registry(), choice)
    if reports is not None:
        utility.tstr(reports.utility)
        if reports.fairness is not None:
            utility.fairness(reports.fairness)
        utility.augmentation_panel(result, job_registry(), reports.utility, list(choice.sensitive))
st.page_link("app_pages/export.py", label="Next: export →")
