"""Background jobs: progress, result, errors, cancel, ownership and the running-job cap."""

from __future__ import annotations

import threading

import pytest

from synth_core import JobError, JobRegistry, JobStatus, SpecError
from synth_core.generators.registry import ProgressFn


def test_result_and_progress() -> None:
    registry = JobRegistry()

    def work(progress: ProgressFn) -> int:
        progress(0.5, "half")
        return 42

    job = registry.start("me", "answer", work)
    view = job.wait(10)
    assert view.status is JobStatus.SUCCEEDED
    assert view.fraction == 1.0
    assert view.done
    assert job.result() == 42


def test_user_errors_become_messages_and_bugs_are_reported() -> None:
    registry = JobRegistry()

    def bad_input(progress: ProgressFn) -> None:
        raise SpecError("The seed must be a whole number.")

    def bug(progress: ProgressFn) -> None:
        raise KeyError("oops")

    failed = registry.start("me", "bad", bad_input).wait(10)
    assert failed.status is JobStatus.FAILED
    assert failed.error == "The seed must be a whole number."
    crashed = registry.start("me", "bug", bug)
    assert crashed.wait(10).error == "Unexpected error (KeyError: 'oops')."
    with pytest.raises(JobError, match="has no result"):
        crashed.result()


def test_cancel_stops_at_the_next_progress_report() -> None:
    registry = JobRegistry()
    started, release = threading.Event(), threading.Event()

    def slow(progress: ProgressFn) -> None:
        started.set()
        release.wait(10)
        progress(0.9, "still going")

    job = registry.start("me", "slow", slow)
    started.wait(10)
    job.cancel()
    release.set()
    assert job.wait(10).status is JobStatus.CANCELLED


def test_jobs_belong_to_their_session_and_the_cap_holds() -> None:
    registry = JobRegistry(max_running=1)
    release = threading.Event()
    job = registry.start("alice", "long", lambda progress: release.wait(10))
    assert registry.get("alice", job.id) is job
    assert registry.get("bob", job.id) is None
    with pytest.raises(JobError, match="already running"):
        registry.start("bob", "second", lambda progress: None)
    release.set()
    job.wait(10)
    registry.forget("bob", job.id)
    assert registry.get("alice", job.id) is job
    registry.forget("alice", job.id)
    assert registry.get("alice", job.id) is None


def test_eta_is_estimated_from_progress() -> None:
    registry = JobRegistry()
    reported, release = threading.Event(), threading.Event()

    def work(progress: ProgressFn) -> None:
        progress(0.5, "half way")
        reported.set()
        release.wait(10)

    job = registry.start("me", "eta", work)
    reported.wait(10)
    view = job.view()
    assert view.message == "half way"
    assert view.eta_seconds is not None
    assert view.eta_seconds == pytest.approx(view.elapsed_seconds, rel=0.5, abs=0.05)
    release.set()
    job.wait(10)
