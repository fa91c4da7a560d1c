"""Synthetic Data Studio: declares the pages; each page lives in app_pages/ (a folder named
pages/ would also be served directly at /generate etc., bypassing this file)."""

import streamlit as st

from synth_core.ui import jobs
from synth_core.ui.resources import job_registry

st.set_page_config(page_title="Synthetic Data Studio", layout="wide")
jobs.resume(job_registry())  # a reloaded tab finds its running jobs again

navigation = st.navigation(
    [
        st.Page("app_pages/data.py", title="Data", default=True),
        st.Page("app_pages/generate.py", title="Generate"),
        st.Page("app_pages/fidelity.py", title="Fidelity"),
        st.Page("app_pages/privacy.py", title="Privacy"),
        st.Page("app_pages/utility.py", title="Utility & fairness"),
        st.Page("app_pages/collapse.py", title="Collapse lab"),
        st.Page("app_pages/export.py", title="Export"),
    ]
)
navigation.run()
