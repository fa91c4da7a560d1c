"""Background jobs: work off the UI thread with progress, ETA, losses, cancel, result or error.

Work given as a Task (a module-level function and its arguments) runs in a worker process:
Cancel stops it at once, even mid-epoch or inside a library, and nothing it loaded stays behind.
Worker processes fork from a server process that imported SDV, torch and scikit-learn once, so a
job starts in ~20 ms instead of ~4 s. Each worker uses one thread for OpenMP, BLAS and torch, so
two jobs on two cores do not oversubscribe them (two scikit-learn jobs ran ~10x slower otherwise).
Plain callables run in a thread of this process (cancelled at their next progress report).

Everything crossing the pipe is pickled to bytes with the standard pickler: multiprocessing's own
pickler shares torch tensors through shared memory that vanishes with the worker, so a fitted
neural model could not be received once its worker had exited (measured: FileNotFoundError).
A registry given a way to tell whether an owner's browser session is still there cancels the
jobs of sessions that are gone for good and frees results nobody collected.

One concept, one file (over 600 lines): background jobs — the worker server, the job's
life (progress, ETA, cancel, result), the registry of a session's jobs and their cleanup."""

from __future__ import annotations

import bisect
import logging
import multiprocessing
import os
import pickle
import shutil
import signal
import sys
import tempfile
import threading
import time
import traceback
import types
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import StrEnum
from multiprocessing.connection import Connection
from typing import Any, NamedTuple

from synth_core._progress import ProgressFn
from synth_core._system import (
    available_memory_mb,
    cores,
    own_peak_memory_mb,
    peak_memory_mb,
)
from synth_core.errors import JobCancelledError, JobError, SynthCoreError

_log = logging.getLogger(__name__)

Work = Callable[[ProgressFn], Any]
# Modules the worker server imports once; every worker forks with them loaded.
_PRELOAD = [
    "synth_core.jobs",
    "synth_core.generate.synthesize",
    "synth_core.evaluate.fidelity",
    "synth_core.generate.generators.sdv",
    "sdv.single_table",
    "sdv.sampling",
    "sdv.cag",
    "torch",
    "sklearn.ensemble",
    "sklearn.tree",
]
# Only in the worker server: compiles Anonymeter's numba code once (~4 s), which every job forked
# from the server then has (each Privacy page job paid ~6 s before).
_SERVER_ONLY = ["synth_core.evaluate.privacy.compiled"]
_SINGLE_THREAD = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
_JOIN_SECONDS = 10.0
_ETA_MARKS = 5  # reports that moved the fraction before an ETA is shown
_ETA_HISTORY = 2_000  # advancing reports kept for the rate (thinned beyond)
_POLL_SECONDS = 0.5  # how often a watcher reads its worker's memory while waiting for messages


class JobStatus(StrEnum):
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class Task:
    """Work a worker process can run: a module-level function (pickled by name) and its
    arguments; the function gets a ``progress`` keyword argument."""

    function: Callable[..., Any]
    args: tuple[Any, ...] = ()
    kwargs: Mapping[str, Any] = field(default_factory=dict)
    # The time the work may take at most (a generator's own budget), which caps its ETA, and
    # the time it is expected to take (the page's estimate), which the ETA starts from.
    budget_seconds: float | None = None
    expected_seconds: float | None = None

    def __call__(self, progress: ProgressFn) -> Any:
        return self.function(*self.args, progress=progress, **self.kwargs)


@dataclass(frozen=True)
class JobView:
    """A consistent snapshot of a job for display."""

    id: str
    label: str
    status: JobStatus
    fraction: float
    message: str
    elapsed_seconds: float
    eta_seconds: float | None
    error: str | None
    losses: tuple[dict[str, float], ...] = ()
    peak_memory_mb: float | None = None  # of its worker process, when it ran in one

    @property
    def done(self) -> bool:
        return self.status is not JobStatus.RUNNING


class Job:
    """One unit of work. Its state is written by the worker thread or the process watcher."""

    def __init__(
        self,
        owner: str,
        label: str,
        context: Any = None,
        budget_seconds: float | None = None,
        expected_seconds: float | None = None,
    ) -> None:
        self.id = uuid.uuid4().hex
        self.budget_seconds = budget_seconds
        self.expected_seconds = expected_seconds
        self.owner = owner
        self.label = label
        self.context = context  # what the owner needs to show the result again (e.g. its table)
        self._lock = threading.Lock()
        self._cancel = threading.Event()
        self._status = JobStatus.RUNNING
        self._fraction = 0.0
        self._message = "Starting"
        self._losses: list[dict[str, float]] = []
        self._started = time.monotonic()
        self._marks: list[tuple[float, float]] = []  # (time, fraction) of advancing reports
        self._rate: float | None = None  # seconds per unit of fraction
        self._moves = 0  # reports that moved the fraction
        self._finished: float | None = None
        self._result: Any = None
        self._error: str | None = None
        self._thread: threading.Thread | None = None
        self._process: Any = None
        self._peak_memory_mb: float | None = None
        self._cancel_reason = "Cancelled."

    def cancel(self, reason: str = "Cancelled.") -> None:
        """Stop the work: a worker process is terminated at once; a thread stops at its next
        progress report. ``reason`` becomes the job's error message."""
        self._cancel_reason = reason
        self._cancel.set()
        process = self._process
        if process is not None and process.is_alive():
            process.terminate()

    def progress(
        self, fraction: float, message: str, losses: Mapping[str, float] | None = None
    ) -> None:
        """The ProgressFn of work running in a thread: records progress, raises if cancelled."""
        if self._cancel.is_set():
            raise JobCancelledError("Cancelled.")
        self._record(fraction, message, losses)

    def _record(self, fraction: float, message: str, losses: Mapping[str, float] | None) -> None:
        with self._lock:
            before = self._fraction
            self._fraction = max(self._fraction, min(max(fraction, 0.0), 1.0))
            self._message = message
            if self._fraction > before:  # messages that move nothing say nothing of the rate
                self._advance(time.monotonic(), self._fraction)
            if losses:
                self._losses.append(dict(losses))

    def _advance(self, now: float, fraction: float) -> None:
        """A report moved the fraction: the rate over the later half of the work done so far
        (an average over many reports, and a slow preparation stops counting once the epochs
        have done as much)."""
        self._moves += 1
        self._marks.append((now, fraction))
        if len(self._marks) > _ETA_HISTORY:
            self._marks = self._marks[::2]
        fractions = [f for _, f in self._marks]
        start = min(bisect.bisect_left(fractions, fraction / 2), len(self._marks) - 2)
        if start < 0:
            return
        t0, f0 = self._marks[start]
        if fraction > f0 and now > t0:
            self._rate = (now - t0) / (fraction - f0)

    def _estimate(self, now: float, elapsed: float) -> float | None:
        """Seconds left: the expected time (the estimate the job started with) weighed against
        the rate of completed work, the latter more as more is done (weight: the square root
        of the fraction done); counting down between reports, never past the time budget."""
        if self._status is not JobStatus.RUNNING:
            return None
        observed = None
        if self._moves >= _ETA_MARKS and self._rate is not None:
            last, fraction = self._marks[-1]
            observed = max((1.0 - fraction) * self._rate - (now - last), 0.0)
        prior = None
        if self.expected_seconds is not None:
            prior = max(self.expected_seconds - elapsed, 0.0)
        if observed is None and prior is None:
            return None
        if observed is None or prior is None:
            eta = observed if prior is None else prior
        else:
            weight = self._fraction**0.5
            eta = weight * observed + (1.0 - weight) * prior
        assert eta is not None
        if self.budget_seconds is not None:
            eta = min(eta, max(self.budget_seconds - elapsed, 0.0))
        return eta

    def view(self) -> JobView:
        with self._lock:
            end = self._finished if self._finished is not None else time.monotonic()
            elapsed = end - self._started
            eta = self._estimate(end, elapsed)
            return JobView(
                self.id,
                self.label,
                self._status,
                self._fraction,
                self._message,
                elapsed,
                eta,
                self._error,
                tuple(self._losses),
                self._peak_memory_mb,
            )

    def result(self) -> Any:
        """The work's return value once it has succeeded."""
        with self._lock:
            if self._status is not JobStatus.SUCCEEDED:
                raise JobError(f"The job '{self.label}' has no result ({self._status.value}).")
            return self._result

    def wait(self, timeout: float | None = None) -> JobView:
        """Block until the job ends (for the CLI and tests)."""
        if self._thread is not None:
            self._thread.join(timeout)
        return self.view()

    def _finish(self, status: JobStatus, result: Any = None, error: str | None = None) -> None:
        if self._cancel.is_set() and status is not JobStatus.SUCCEEDED:
            status, error = JobStatus.CANCELLED, self._cancel_reason
        with self._lock:
            self._status, self._result, self._error = status, result, error
            if status is JobStatus.SUCCEEDED:
                self._fraction, self._message = 1.0, "Done"
            self._finished = time.monotonic()
            self._process = None

    def _run(self, work: Work) -> None:
        try:
            result = work(self.progress)
        except JobCancelledError:
            self._finish(JobStatus.CANCELLED, error=self._cancel_reason)
        except SynthCoreError as exc:
            self._finish(JobStatus.FAILED, error=str(exc))
        except Exception as exc:  # a bug: keep the UI alive, log the traceback
            _log.exception("job %s (%s) failed", self.id, self.label)
            self._finish(JobStatus.FAILED, error=f"Unexpected error ({type(exc).__name__}: {exc}).")
        else:
            self._finish(JobStatus.SUCCEEDED, result=result)


def _limit_threads() -> None:
    """One thread for OpenMP, BLAS and torch in a worker."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1)
    if "torch" in sys.modules:
        sys.modules["torch"].set_num_threads(1)


def _send(connection: Connection, message: _Progress | _Outcome) -> None:
    """One message as bytes from the standard pickler (see the module docstring)."""
    connection.send_bytes(pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL))


class _Progress(NamedTuple):
    """A worker's progress report, relayed into its job."""

    fraction: float
    message: str
    losses: dict[str, float] | None


class _Outcome(NamedTuple):
    """A worker's last message: ``done`` with the task's result, ``failed`` with a user-caused
    error's message, or ``bug`` with the exception and its traceback (``detail``)."""

    kind: str
    value: Any
    peak_mb: float | None
    detail: str = ""


def _worker(connection: Connection, payload: bytes, workspace: str) -> None:
    """A worker process: run the task, send progress, then the result or the error. Every
    temporary file it makes goes into ``workspace``, which the parent deletes when it ends."""
    _limit_threads()
    tempfile.tempdir = workspace
    os.environ["TMPDIR"] = workspace

    def progress(fraction: float, message: str, losses: Mapping[str, float] | None = None) -> None:
        _send(
            connection,
            _Progress(float(fraction), str(message), dict(losses) if losses else None),
        )

    try:
        task: Task = pickle.loads(payload)  # our own server's bytes, never a user's
        result = task(progress)
        try:
            answer = pickle.dumps(
                _Outcome("done", result, own_peak_memory_mb()), protocol=pickle.HIGHEST_PROTOCOL
            )
        except Exception as exc:  # a result that cannot travel is a bug in the task
            raise TypeError(f"the job's result cannot be sent back: {exc}") from exc
        connection.send_bytes(answer)
    except SynthCoreError as exc:
        _send(connection, _Outcome("failed", str(exc), own_peak_memory_mb()))
    except Exception as exc:  # reported to the parent, which logs it as a bug
        _send(
            connection,
            _Outcome(
                "bug", f"{type(exc).__name__}: {exc}", own_peak_memory_mb(), traceback.format_exc()
            ),
        )
    finally:
        connection.close()


_context_lock = threading.Lock()
_context: Any = None


@contextmanager
def _environment(values: Mapping[str, str]) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@contextmanager
def _without_main_script() -> Iterator[None]:
    """Hide the app's script from multiprocessing while a process starts: Streamlit runs it as
    ``__main__`` (with a ``__file__``), and every new worker would run it again while it starts
    (in bare mode, creating a job registry of its own). Workers need only synth_core."""
    main = sys.modules.get("__main__")
    if main is None or getattr(main, "__spec__", None) is not None or not hasattr(main, "__file__"):
        yield
        return
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        sys.modules["__main__"] = main


def _forkserver() -> Any:
    global _context
    if _context is None:
        _context = multiprocessing.get_context("forkserver")
        _context.set_forkserver_preload(_PRELOAD + _SERVER_ONLY)
    return _context


def warm_up() -> threading.Thread:
    """In the background: start the worker server (which imports SDV, torch and scikit-learn
    once, ~8 s) and import the same modules here (a finished job's model is unpickled here), so
    the first job neither waits in "Starting" nor after "Done"."""

    def run() -> None:
        from multiprocessing import forkserver

        with _context_lock:
            _forkserver()
            try:
                with _environment(_SINGLE_THREAD), _without_main_script():
                    forkserver.ensure_running()
            except (RuntimeError, OSError) as exc:  # e.g. called while a process bootstraps
                _log.info("The worker server starts with the first job instead: %s", exc)
        for name in _PRELOAD:
            try:
                __import__(name)
            except ImportError:  # an optional library: the job that needs it says so
                continue

    thread = threading.Thread(target=run, name="worker-server-warm-up", daemon=True)
    thread.start()
    return thread


def _start(task: Task) -> tuple[Any, Connection, str]:
    """Start a worker process for ``task`` with a private temporary folder; the first call also
    starts the worker server (unless warm_up() did)."""
    with _context_lock:
        _context = _forkserver()
        receiver, sender = _context.Pipe(duplex=False)
        payload = pickle.dumps(task, protocol=pickle.HIGHEST_PROTOCOL)
        workspace = tempfile.mkdtemp(prefix="synth-job-")
        process = _context.Process(target=_worker, args=(sender, payload, workspace), daemon=True)
        # The worker server (started by the first process) and every worker forked from it
        # inherit these settings; this process keeps its own.
        with _environment(_SINGLE_THREAD), _without_main_script():
            process.start()
    sender.close()
    return process, receiver, workspace


def _stopped_message(exitcode: int | None, peak_mb: float | None, free_mb: float | None) -> str:
    """Why a worker ended without a result, from what was actually seen."""
    used = f" after using up to {peak_mb:,.0f} MB of memory" if peak_mb is not None else ""
    free = f" ({free_mb:,.0f} MB were still free on this machine)" if free_mb is not None else ""
    if exitcode is not None and exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"signal {-exitcode}"
        if -exitcode == signal.SIGKILL:
            return (
                f"The worker was killed ({name}){used}{free}. The system kills a process this "
                "way when memory runs out: try fewer rows, fewer columns or a smaller model."
            )
        return f"The worker was stopped by {name}{used}{free}. Start the job again."
    return (
        f"The worker ended with exit code {exitcode} without sending a result{used}{free}. "
        "This is a bug: the server log has the details. Start the job again."
    )


def _watch(job: Job, process: Any, connection: Connection, workspace: str) -> None:
    """Relay a worker's messages into the job until it ends, noting its peak memory; always reap
    the process and delete its temporary folder (also after a cancel or a crash)."""
    outcome: _Outcome | None = None
    free_mb: float | None = None
    last_read = 0.0

    def read_memory() -> None:
        nonlocal free_mb, last_read
        peak = peak_memory_mb(process.pid)
        if peak is not None:
            job._peak_memory_mb = max(peak, job._peak_memory_mb or 0.0)
            free_mb = available_memory_mb()
        last_read = time.monotonic()

    try:
        while True:
            if time.monotonic() - last_read >= _POLL_SECONDS:
                read_memory()
            if not connection.poll(_POLL_SECONDS):
                continue
            message = pickle.loads(connection.recv_bytes())  # bytes from our own worker
            if isinstance(message, _Progress):
                job._record(message.fraction, message.message, message.losses)
            else:
                outcome = message
                break
    except (EOFError, OSError):
        free_mb = available_memory_mb()
    finally:
        connection.close()
        process.join(_JOIN_SECONDS)
        if process.is_alive():
            process.kill()
            process.join()
        shutil.rmtree(workspace, ignore_errors=True)
    if outcome is not None and outcome.peak_mb is not None:  # the worker's own peak, in MB
        job._peak_memory_mb = max(float(outcome.peak_mb), job._peak_memory_mb or 0.0)
    if outcome is None:
        if not job._cancel.is_set():
            _log.error("job %s (%s): worker exit code %s", job.id, job.label, process.exitcode)
        job._finish(
            JobStatus.FAILED,
            error=_stopped_message(process.exitcode, job._peak_memory_mb, free_mb),
        )
    elif outcome.kind == "done":
        job._finish(JobStatus.SUCCEEDED, result=outcome.value)
    elif outcome.kind == "failed":
        job._finish(JobStatus.FAILED, error=outcome.value)
    else:
        _log.error("job %s (%s) failed in its worker:\n%s", job.id, job.label, outcome.detail)
        job._finish(JobStatus.FAILED, error=f"Unexpected error ({outcome.value}).")


Liveness = Callable[[str], bool]


class JobRegistry:
    """Server-wide list of jobs; caps how many run at once (one per processor by default).

    With ``alive`` (tells whether an owner's browser session still exists), ``reap()`` cancels
    the running jobs of an owner that has been gone for ``abandon_after`` seconds and drops its
    finished ones; a finished job nobody collects is dropped after ``keep_results_for`` seconds
    whatever its owner. ``start_reaper()`` calls ``reap()`` in the background."""

    def __init__(
        self,
        max_running: int | None = None,
        processes: bool = True,
        *,
        alive: Liveness | None = None,
        abandon_after: float = 120.0,
        keep_results_for: float = 3600.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_running = max_running or cores()
        self.processes = processes
        self.alive = alive
        self.abandon_after = abandon_after
        self.keep_results_for = keep_results_for
        self._clock = clock
        self._jobs: dict[str, Job] = {}
        self._last_alive: dict[str, float] = {}
        self._done_since: dict[str, float] = {}  # job id -> when reap() first saw it finished
        self._lock = threading.Lock()
        self._reaper: threading.Thread | None = None

    def start(self, owner: str, label: str, work: Task | Work, context: Any = None) -> Job:
        """Start ``work`` for ``owner`` (a browser session): a Task in a worker process (when
        processes are on), anything else in a thread. ``context`` stays with the job for the
        owner (e.g. to show its result after a reload)."""
        self.reap()
        with self._lock:
            running = sum(1 for j in self._jobs.values() if j.view().status is JobStatus.RUNNING)
            if running >= self.max_running:
                raise JobError(
                    f"{running} jobs are already running on this machine. Wait for one to finish "
                    "or cancel it, then try again."
                )
            budget = work.budget_seconds if isinstance(work, Task) else None
            expected = work.expected_seconds if isinstance(work, Task) else None
            job = Job(owner, label, context, budget, expected)
            self._jobs[job.id] = job
            self._last_alive[owner] = self._clock()
        if self.processes and isinstance(work, Task):
            process, connection, workspace = _start(work)
            job._process = process
            thread = threading.Thread(
                target=_watch, args=(job, process, connection, workspace), daemon=True
            )
        else:
            thread = threading.Thread(target=job._run, args=(work,), daemon=True)
        thread.name = f"job-{label}"
        job._thread = thread
        thread.start()
        return job

    def get(self, owner: str, job_id: str) -> Job | None:
        """The job, if it exists and belongs to ``owner``."""
        job = self._jobs.get(job_id)
        return job if job is not None and job.owner == owner else None

    def of_owner(self, owner: str) -> list[Job]:
        return [j for j in list(self._jobs.values()) if j.owner == owner]

    def knows(self, owner: str) -> bool:
        """Whether ``owner`` has any job here (running or waiting to be collected)."""
        return any(j.owner == owner for j in list(self._jobs.values()))

    def forget(self, owner: str, job_id: str) -> None:
        """Drop a finished job (its result has been taken)."""
        with self._lock:
            job = self._jobs.get(job_id)
            if job is not None and job.owner == owner and job.view().done:
                del self._jobs[job_id]

    def __len__(self) -> int:
        return len(self._jobs)

    def reap(self) -> list[Job]:
        """Cancel the jobs of owners gone for good, drop results nobody collected; returns the
        jobs cancelled or dropped."""
        now = self._clock()
        gone: list[Job] = []
        with self._lock:
            owners = {j.owner for j in self._jobs.values()}
        for owner in owners:
            if self.alive is None or self.alive(owner):
                self._last_alive[owner] = now
        with self._lock:
            for job in list(self._jobs.values()):
                abandoned = (
                    self.alive is not None
                    and now - self._last_alive.get(job.owner, now) > self.abandon_after
                )
                if not job.view().done:
                    if abandoned:
                        job.cancel("Cancelled: the browser session that started it has closed.")
                        gone.append(job)
                    continue
                done_since = self._done_since.setdefault(job.id, now)
                if abandoned or now - done_since > self.keep_results_for:
                    del self._jobs[job.id]
                    gone.append(job)
            for job_id in set(self._done_since) - set(self._jobs):
                del self._done_since[job_id]
            for owner in set(self._last_alive) - {j.owner for j in self._jobs.values()}:
                del self._last_alive[owner]
        for job in gone:
            _log.info("job %s (%s) was cancelled or freed by the reaper", job.id, job.label)
        return gone

    def start_reaper(self, every: float = 5.0) -> None:
        """Call ``reap()`` every ``every`` seconds in a daemon thread (once per registry)."""
        if self._reaper is not None:
            return

        def loop() -> None:
            while True:
                time.sleep(every)
                try:
                    self.reap()
                except Exception:  # keep reaping; a bug here must not stop the server
                    _log.exception("reaping jobs failed")

        self._reaper = threading.Thread(target=loop, name="job-reaper", daemon=True)
        self._reaper.start()
