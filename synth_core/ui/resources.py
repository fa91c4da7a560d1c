"""Server-wide resources shared by every session (one process serves all browser tabs)."""

from __future__ import annotations

import streamlit as st

from synth_core.jobs import JobRegistry

MAX_RUNNING_JOBS = 2  # this machine has two cores


@st.cache_resource
def job_registry() -> JobRegistry:
    """One registry for the whole server; each job belongs to one browser session."""
    return JobRegistry(max_running=MAX_RUNNING_JOBS)
