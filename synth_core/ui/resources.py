"""Server-wide resources shared by every session (one process serves all browser tabs)."""

from __future__ import annotations

import threading

import streamlit as st
from streamlit.runtime import Runtime
from streamlit.runtime.scriptrunner import get_script_run_ctx

from synth_core._system import cores
from synth_core.jobs import JobRegistry, warm_up

# Jobs that run at once: one per processor (each worker uses one thread), measured at start.
MAX_RUNNING_JOBS = cores()
# A finished job whose session never collects it (e.g. the user stays on another page) is
# freed after this long; the job of a session that is gone for good is cancelled after
# Streamlit's server.disconnectedSessionTTL.
KEEP_RESULTS_SECONDS = 30 * 60
REAP_EVERY_SECONDS = 5.0

_sessions_lock = threading.Lock()
_sessions: dict[str, set[str]] = {}  # owner token -> ids of the Streamlit sessions using it


def register_session(owner: str) -> None:
    """Note that the running Streamlit session acts for ``owner`` (a reloaded tab takes over
    the token of the tab it replaces); forget owners with neither a job nor a session."""
    context = get_script_run_ctx(suppress_warning=True)
    if context is None:
        return
    registry = job_registry()
    with _sessions_lock:
        _sessions.setdefault(owner, set()).add(context.session_id)
        for other in [o for o in _sessions if o != owner and not registry.knows(o)]:
            if not _alive(_sessions[other]):
                del _sessions[other]


def owner_alive(owner: str) -> bool:
    """Whether a connected browser session acts for ``owner``; True when it cannot be told
    (no Streamlit runtime, as in AppTest)."""
    with _sessions_lock:
        sessions = set(_sessions.get(owner, ()))
    return _alive(sessions)


def _alive(sessions: set[str]) -> bool:
    if not Runtime.exists():
        return True
    runtime = Runtime.instance()
    return any(runtime.is_active_session(s) for s in sessions)


@st.cache_resource
def job_registry() -> JobRegistry:
    """One registry for the whole server; each job belongs to one browser session."""
    registry = JobRegistry(
        max_running=MAX_RUNNING_JOBS,
        alive=owner_alive,
        abandon_after=float(st.get_option("server.disconnectedSessionTTL")),
        keep_results_for=KEEP_RESULTS_SECONDS,
    )
    registry.start_reaper(REAP_EVERY_SECONDS)
    warm_up()  # the worker server starts with the app, not on the first click
    return registry
