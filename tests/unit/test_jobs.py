"""Background jobs: progress, result, errors, cancel, ownership and the running-job cap."""

from __future__ import annotations

import os
import threading
import time

import pytest

import synth_core.jobs as jobs_module
from synth_core import JobError, JobRegistry, JobStatus, SpecError
from synth_core.generators.registry import ProgressFn
from synth_core.jobs import Task
from tests.helpers import SAMPLES


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


def test_eta_extrapolates_the_recent_rate(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = [100.0]
    monkeypatch.setattr(jobs_module.time, "monotonic", lambda: clock[0])
    job = jobs_module.Job("me", "eta")
    job._record(0.02, "preparing data", None)
    assert job.view().eta_seconds is None  # one report says nothing about the rate
    clock[0] += 30.0  # slow preprocessing, then epochs of 2 s for 1% each
    for epoch in range(1, 11):
        clock[0] += 2.0
        job._record(0.02 + 0.01 * epoch, f"Epoch {epoch}", {"epoch": epoch, "loss": 1.0})
    view = job.view()
    # The last 20 reports span 50 s for 10% (preprocessing included); after more epochs
    # only the epochs count: 88% left at 1% per 2 s.
    assert view.eta_seconds == pytest.approx(0.88 * 50.0 / 0.10)
    for epoch in range(11, 31):
        clock[0] += 2.0
        job._record(0.02 + 0.01 * epoch, f"Epoch {epoch}", {"epoch": epoch, "loss": 1.0})
    assert job.view().eta_seconds == pytest.approx(0.68 * 2.0 / 0.01)
    clock[0] += 5.0  # time since the last report counts down
    assert job.view().eta_seconds == pytest.approx(0.68 * 2.0 / 0.01 - 5.0)
    assert len(job.view().losses) == 30


# Work for worker processes must be module-level (pickled by name).
def _count_slowly(steps: int, progress: ProgressFn) -> int:
    for step in range(steps):
        progress((step + 1) / steps, f"step {step + 1}", {"loss": 1.0 / (step + 1)})
        time.sleep(0.05)
    return steps


def _refuse(progress: ProgressFn) -> None:
    raise SpecError("The seed must be a whole number.")


def _crash(progress: ProgressFn) -> None:
    raise KeyError("oops")


def _train_ctgan(epochs: int, progress: ProgressFn) -> list[dict[str, float]]:
    from synth_core import GenerationSpec, read_table
    from synth_core.synthesize import fit

    table = read_table(SAMPLES / "insurance.csv")
    spec = GenerationSpec(generator="ctgan", params={"epochs": epochs, "batch_size": 100}, seed=0)
    return list(fit(table, spec, progress).losses)


def _children() -> set[int]:
    """Live child processes of this process, forkserver and its workers included."""
    found = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == os.getpid() and fields[0] != "Z":
                found.add(int(entry))
    return found


def test_worker_process_reports_progress_losses_and_result() -> None:
    registry = JobRegistry()
    job = registry.start("me", "count", Task(_count_slowly, (5,)))
    view = job.wait(120)
    assert view.status is JobStatus.SUCCEEDED
    assert job.result() == 5
    assert [round(loss["loss"], 2) for loss in view.losses] == [1.0, 0.5, 0.33, 0.25, 0.2]


def test_worker_errors_come_back_as_messages() -> None:
    registry = JobRegistry()
    refused = registry.start("me", "refuse", Task(_refuse)).wait(120)
    assert refused.status is JobStatus.FAILED
    assert refused.error == "The seed must be a whole number."
    crashed = registry.start("me", "crash", Task(_crash)).wait(120)
    assert crashed.error == "Unexpected error (KeyError: 'oops')."


def test_neural_training_reports_every_epoch_and_cancels_within_seconds() -> None:
    registry = JobRegistry()
    finished = registry.start("me", "train", Task(_train_ctgan, (3,))).wait(300)
    assert finished.status is JobStatus.SUCCEEDED
    assert [round(loss["epoch"]) for loss in finished.losses] == [1, 2, 3]
    assert {"generator", "discriminator"} <= set(finished.losses[0])
    before = _children()
    job = registry.start("me", "train", Task(_train_ctgan, (2000,)))
    deadline = time.monotonic() + 120
    while not job.view().losses:  # wait until it is really training
        assert time.monotonic() < deadline
        time.sleep(0.1)
    worker = job._process.pid
    job.cancel()
    view = job.wait(30)  # a guard against hanging, not a timing (measured: ~0.02 s)
    assert view.status is JobStatus.CANCELLED
    assert len(view.losses) < 2000  # stopped mid-training, not run to the end
    assert not os.path.exists(f"/proc/{worker}")  # reaped, no zombie
    assert _children() <= before  # no helper processes left behind
