"""Background jobs: progress, result, errors, cancel, ownership and the running-job cap."""

from __future__ import annotations

import itertools
import os
import signal
import threading
import time
from pathlib import Path

import pytest

import synth_core.jobs as jobs_module
from synth_core import JobError, JobRegistry, JobStatus, SpecError
from synth_core._progress import ProgressFn
from synth_core.generate.synthesize import SynthResult, sample
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


def test_eta_follows_completed_work_smoothly_and_counts_down(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Issue 23: the live ETA jumped between 212 s and 5,403 s in two minutes (the rate of the
    last reports swung between a slow preparation and quick epochs)."""
    clock = [100.0]
    monkeypatch.setattr(jobs_module.time, "monotonic", lambda: clock[0])
    job = jobs_module.Job("me", "eta")
    job._record(0.02, "preparing data", None)
    assert job.view().eta_seconds is None  # one report says nothing about the rate
    for column in range(50):  # a slow preparation: 50 messages, 1 s each, one that moves
        clock[0] += 1.0
        job._record(0.02, f"Preparing data: encoding column {column}", None)
    assert job.view().eta_seconds is None
    shown = []
    for epoch in range(1, 61):  # then epochs of 2 s for 1% each
        clock[0] += 2.0
        job._record(0.02 + 0.01 * epoch, f"Epoch {epoch}", {"epoch": epoch, "loss": 1.0})
        eta = job.view().eta_seconds
        if eta is not None:
            shown.append(eta)
    truth = 0.38 * 2.0 / 0.01  # 38% left at 1% per 2 s
    assert shown[-1] == pytest.approx(truth, rel=0.01)  # the preparation no longer counts
    assert all(b <= a * 1.05 for a, b in itertools.pairwise(shown))  # only comes down
    assert max(shown) < 5 * (0.78 * 2.0 / 0.01)  # never wildly above the truth
    clock[0] += 5.0  # time since the last report counts down
    assert job.view().eta_seconds == pytest.approx(shown[-1] - 5.0)
    assert len(job.view().losses) == 60


def test_the_eta_is_never_past_the_time_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = [0.0]
    monkeypatch.setattr(jobs_module.time, "monotonic", lambda: clock[0])
    job = jobs_module.Job("me", "argn", budget_seconds=60.0)
    for step in range(1, 7):  # a slow start: 1% per 4 s looks like 376 s left
        clock[0] += 4.0
        job._record(0.01 * step, f"Epoch {step}", None)
    view = job.view()
    assert view.eta_seconds == pytest.approx(60.0 - 24.0)
    clock[0] += 100.0
    assert job.view().eta_seconds == 0.0


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
    from synth_core.generate.synthesize import fit

    table = read_table(SAMPLES / "insurance.csv")
    spec = GenerationSpec(generator="ctgan", params={"epochs": epochs, "batch_size": 100}, seed=0)
    return list(fit(table, spec, progress).losses)


def _synthesize(generator: str, progress: ProgressFn) -> SynthResult:
    from synth_core import GenerationSpec, read_table
    from synth_core.generate.synthesize import synthesize

    table = read_table(SAMPLES / "insurance.csv")
    spec = GenerationSpec(
        generator=generator, params={"epochs": 1, "batch_size": 100}, rows=50, seed=0
    )
    return synthesize(table, spec, progress)


def _tensor(progress: ProgressFn) -> object:
    import torch

    return {"weights": torch.arange(6.0).reshape(2, 3)}


def _killed(progress: ProgressFn) -> None:
    progress(0.1, "about to die")
    os.kill(os.getpid(), signal.SIGKILL)


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


@pytest.mark.slow
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


def test_torch_tensors_come_back_from_a_worker_that_has_exited() -> None:
    import torch  # in this process too: torch's shared-memory pickling broke this before

    job = JobRegistry().start("me", "tensor", Task(_tensor))
    view = job.wait(120)
    assert view.status is JobStatus.SUCCEEDED, view.error
    assert torch.equal(job.result()["weights"], torch.arange(6.0).reshape(2, 3))
    assert view.peak_memory_mb is not None
    assert view.peak_memory_mb > 10


@pytest.mark.slow
@pytest.mark.parametrize("generator", ["ctgan", "tvae", "copulagan"])
def test_neural_generation_runs_to_the_end_in_a_worker_process(generator: str) -> None:
    job = JobRegistry().start("me", generator, Task(_synthesize, (generator,)))
    view = job.wait(600)
    assert view.status is JobStatus.SUCCEEDED, view.error
    result: SynthResult = job.result()
    assert len(result.data) == 50
    assert list(result.data.columns) == list(result.schema.names)
    assert [round(loss["epoch"]) for loss in view.losses] == [1]
    again = sample(result.model, rows=20, seed=1)  # the model works in this process
    assert len(again.data) == 20


def test_a_killed_worker_is_reported_with_its_signal_and_memory() -> None:
    view = JobRegistry().start("me", "killed", Task(_killed)).wait(120)
    assert view.status is JobStatus.FAILED
    assert view.error is not None
    assert view.error.startswith("The worker was killed (SIGKILL) after using up to ")
    assert "MB of memory" in view.error
    assert "exit code 0" not in view.error


def test_jobs_of_a_session_gone_for_good_are_cancelled_after_the_ttl() -> None:
    clock = [0.0]
    alive = {"alice": True, "bob": True}
    registry = JobRegistry(
        alive=lambda owner: alive[owner],
        abandon_after=120.0,
        keep_results_for=1800.0,
        clock=lambda: clock[0],
    )
    release = threading.Event()
    alice = registry.start("alice", "long", lambda progress: (release.wait(30), progress(1, "x")))
    bob = registry.start("bob", "long", lambda progress: (release.wait(30), progress(1, "x")))
    alive["alice"] = False  # her tab closed; Streamlit keeps the session for the TTL
    clock[0] = 100.0
    assert registry.reap() == []
    assert alice.view().status is JobStatus.RUNNING
    clock[0] = 121.0
    assert registry.reap() == [alice]
    release.set()
    view = alice.wait(10)
    assert view.status is JobStatus.CANCELLED
    assert view.error == "Cancelled: the browser session that started it has closed."
    assert bob.wait(10).status is JobStatus.SUCCEEDED  # bob's tab is open: his job ran on
    registry.reap()
    assert registry.get("alice", alice.id) is None  # freed
    assert registry.get("bob", bob.id) is bob  # waiting for bob to collect it
    clock[0] = 121.0 + 1801.0
    registry.reap()
    assert registry.get("bob", bob.id) is None  # nobody collected it: freed after the TTL
    assert len(registry) == 0


def test_a_reloaded_session_keeps_its_jobs_alive() -> None:
    clock = [0.0]
    alive = {"alice": False}
    registry = JobRegistry(alive=lambda o: alive[o], abandon_after=120.0, clock=lambda: clock[0])
    release = threading.Event()
    job = registry.start("alice", "long", lambda progress: release.wait(30))
    clock[0] = 60.0
    registry.reap()
    alive["alice"] = True  # the reloaded tab took the token over
    clock[0] = 300.0
    assert registry.reap() == []
    assert job.view().status is JobStatus.RUNNING
    assert registry.knows("alice")
    assert not registry.knows("bob")
    release.set()
    job.wait(10)


def _big_result(megabytes: int, progress: ProgressFn) -> bytes:
    progress(0.5, "making bytes")
    return os.urandom(megabytes * 2**20)


def _rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


@pytest.mark.slow
def test_fifty_jobs_collected_or_abandoned_leave_memory_flat() -> None:
    import gc

    clock = [0.0]
    registry = JobRegistry(
        alive=lambda owner: owner.startswith("open"), abandon_after=10.0, clock=lambda: clock[0]
    )
    sizes = []
    for k in range(50):
        owner = f"open-{k}" if k % 2 else f"closed-{k}"
        job = registry.start(owner, "big", Task(_big_result, (20,)))
        assert job.wait(120).status is JobStatus.SUCCEEDED
        if k % 2:  # collected: the page takes the result and forgets the job
            assert len(job.result()) == 20 * 2**20
            registry.forget(owner, job.id)
        clock[0] += 11.0  # the closed sessions' jobs are freed by the reaper
        registry.reap()
        del job
        gc.collect()
        sizes.append(_rss_mb())
    print(f"server RSS after job 1: {sizes[0]:.0f} MB, after job 50: {sizes[-1]:.0f} MB")
    assert len(registry) == 0
    assert sizes[-1] <= 1.3 * sizes[0]


def test_warm_up_starts_the_worker_server_and_imports_what_results_need() -> None:
    import multiprocessing.forkserver as forkserver
    import sys

    from synth_core.jobs import warm_up

    warm_up().join(timeout=300)
    pid = forkserver._forkserver._forkserver_pid  # CPython's worker server, started once
    assert pid is not None
    os.kill(pid, 0)  # alive
    assert "sdv.single_table" in sys.modules  # a fitted SDV model unpickles without importing


def test_workers_do_not_run_the_apps_script_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Streamlit runs app.py as ``__main__``; a worker must not run it while it starts."""
    import sys
    import types

    marker = tmp_path / "ran"
    script = tmp_path / "app_like.py"
    script.write_text(f"open({str(marker)!r}, 'w').close()\n")
    main = types.ModuleType("__main__")
    main.__file__ = str(script)
    monkeypatch.setitem(sys.modules, "__main__", main)
    job = JobRegistry().start("me", "count", Task(_count_slowly, (2,)))
    assert job.wait(120).status is JobStatus.SUCCEEDED
    assert not marker.exists()


def _compiled_at_start(progress: ProgressFn) -> int:
    from anonymeter.neighbors.mixed_types_kneighbors import _nearest_neighbors

    return len(_nearest_neighbors.signatures)


def test_jobs_start_with_anonymeters_search_compiled() -> None:
    """numba compiles Anonymeter's neighbour search on its first call in a process (~6 s of
    every Privacy page job); the worker server compiles it once, and forked jobs inherit it."""
    pytest.importorskip("anonymeter")
    job = JobRegistry().start("me", "compiled", Task(_compiled_at_start, ()))
    assert job.wait(300).status is JobStatus.SUCCEEDED
    assert job.result() >= 1


def _attack(progress: ProgressFn) -> float:
    from synth_core import read_table
    from synth_core.evaluate.privacy.risk import attack_risks
    from synth_core.generate.spec import GenerationSpec
    from synth_core.generate.synthesize import synthesize

    result = synthesize(read_table(SAMPLES / "insurance.csv"), GenerationSpec("cart", rows=200))
    risks = attack_risks(result.train, result.data, result.holdout, result.schema, attacks=50)
    return risks.singling_out.value


def test_all_three_attacks_finish_in_a_worker() -> None:
    """The singling-out attack runs polars, whose thread pool does not survive a fork: the
    worker server must not have started it (a forked Privacy job hung in its first polars
    call when the server ran that attack to compile Anonymeter)."""
    pytest.importorskip("anonymeter")
    job = JobRegistry().start("me", "attacks", Task(_attack, ()))
    assert job.wait(120).status is JobStatus.SUCCEEDED
