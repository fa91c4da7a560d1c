"""Background jobs on a page: start one, show its progress with Cancel, hand over its result."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import streamlit as st

from synth_core.jobs import Job, JobRegistry, JobStatus, JobView, Task, Work
from synth_core.ui import state, widgets


@dataclass(frozen=True)
class JobSlot:
    """One kind of job a session runs (at most one at a time), and its session-state keys."""

    name: str
    noun: str  # for messages: "Generation", "Detection"

    @property
    def id_key(self) -> str:
        return f"{self.name}_job"

    @property
    def error_key(self) -> str:
        return f"{self.name}_error"

    @property
    def notice_key(self) -> str:
        """A message that is no error (a cancel the user asked for)."""
        return f"{self.name}_notice"


GENERATION = JobSlot("generation", "Generation")
DETECTION = JobSlot("detection", "Detection")
EXPORT = JobSlot("export", "Writing the file")
PRIVACY = JobSlot("privacy", "The privacy report")
CURVE = JobSlot("curve", "The privacy–utility curve")
UTILITY = JobSlot("utility", "Training the comparison models")
AUGMENT = JobSlot("augment", "The augmentation curve")
COLLAPSE = JobSlot("collapse", "The collapse lab")
REPORT = JobSlot("report", "The report")
COMPARE = JobSlot("compare", "The generator comparison")
LINKED = JobSlot("linked", "Generating the linked tables")


SLOTS = (
    GENERATION,
    DETECTION,
    EXPORT,
    PRIVACY,
    CURVE,
    UTILITY,
    AUGMENT,
    COLLAPSE,
    REPORT,
    COMPARE,
    LINKED,
)
state.scoped_to_table(*(slot.error_key for slot in SLOTS), *(slot.notice_key for slot in SLOTS))
_OF_A_RESULT = (DETECTION, EXPORT, PRIVACY, UTILITY, AUGMENT, REPORT)
state.scoped_to_result(*(s.error_key for s in _OF_A_RESULT), *(s.notice_key for s in _OF_A_RESULT))


def running(slot: JobSlot) -> bool:
    return slot.id_key in st.session_state


def resume(registry: JobRegistry) -> None:
    """Once per session: a reloaded tab (same token in the URL) gets its jobs back, running or
    finished and not yet collected, with the table they were started on."""
    if state.RESUMED in st.session_state:
        return
    st.session_state[state.RESUMED] = True
    jobs = sorted(registry.of_owner(state.owner()), key=lambda j: j.view().elapsed_seconds)
    slots = {slot.name: slot for slot in SLOTS}
    for job in jobs:
        slot = slots.get(job.label)
        if slot is None or slot.id_key in st.session_state:
            continue
        if isinstance(job.context, state.Snapshot) and state.SOURCE not in st.session_state:
            state.restore(job.context)
            widgets.set_reading_widgets(job.context.source, job.context.read_options)
        st.session_state[slot.id_key] = job.id


def start(registry: JobRegistry, slot: JobSlot, work: Task | Work) -> Job:
    """Start ``work`` for this session; raises JobError when the machine is busy."""
    job = registry.start(state.owner(), slot.name, work, context=state.snapshot())
    st.session_state.pop(slot.error_key, None)
    st.session_state.pop(slot.notice_key, None)
    st.session_state[slot.id_key] = job.id
    return job


def panel(
    registry: JobRegistry,
    slot: JobSlot,
    on_success: Callable[[Any], None],
    extra: Callable[[JobView], None] | None = None,
) -> None:
    """Progress (polled every second) with Cancel and ``extra`` (e.g. a loss curve); the result
    goes to ``on_success``."""
    job_id = st.session_state.get(slot.id_key)
    if job_id is None:
        if slot.error_key in st.session_state:
            st.error(st.session_state[slot.error_key])
        elif slot.notice_key in st.session_state:
            st.info(st.session_state[slot.notice_key])
        return
    job = registry.get(state.owner(), job_id)
    if job is None:  # the server restarted, or the job was forgotten
        st.session_state.pop(slot.id_key, None)
        return

    @st.fragment(run_every=1.0)
    def poll() -> None:
        view = job.view()
        if view.status is JobStatus.RUNNING:
            eta = f" — about {view.eta_seconds:.0f} s left" if view.eta_seconds is not None else ""
            message = view.message
            if view.fraction >= 1.0:  # the worker is handing its result over
                message, eta = "Finishing: receiving the result", ""
            st.progress(view.fraction, text=f"{message}{eta} ({view.elapsed_seconds:.0f} s so far)")
            st.button("Cancel", on_click=job.cancel, key=f"cancel_{slot.name}")
            if extra is not None:
                extra(view)
            return
        if view.status is JobStatus.SUCCEEDED:
            on_success(job.result())
        elif view.status is JobStatus.CANCELLED:
            st.session_state[slot.notice_key] = f"{slot.noun} was cancelled, as you asked."
        else:
            st.session_state[slot.error_key] = view.error or f"{slot.noun} failed."
        registry.forget(state.owner(), job.id)
        st.session_state.pop(slot.id_key, None)
        st.rerun(scope="app")

    poll()
