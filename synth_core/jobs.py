"""Background jobs: work off the UI thread with progress, ETA, losses, cancel, result or error.

Work given as a Task (a module-level function and its arguments) runs in a worker process:
Cancel stops it at once, even mid-epoch or inside a library, and nothing it loaded stays behind.
Worker processes fork from a server process that imported SDV, torch and scikit-learn once, so a
job starts in ~20 ms instead of ~4 s. Each worker uses one thread for OpenMP, BLAS and torch, so
two jobs on two cores do not oversubscribe them (two scikit-learn jobs ran ~10x slower otherwise).
Plain callables run in a thread of this process (cancelled at their next progress report)."""

from __future__ import annotations

import logging
import multiprocessing
import os
import sys
import threading
import time
import traceback
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import StrEnum
from multiprocessing.connection import Connection
from typing import Any

from synth_core.errors import JobCancelledError, JobError, SynthCoreError
from synth_core.generators.registry import ProgressFn

_log = logging.getLogger(__name__)

Work = Callable[[ProgressFn], Any]
# Modules the worker server imports once; every worker forks with them loaded.
_PRELOAD = [
    "synth_core.jobs",
    "synth_core.synthesize",
    "synth_core.fidelity",
    "synth_core.generators.sdv",
    "sdv.single_table",
    "sdv.sampling",
    "sdv.cag",
    "torch",
    "sklearn.ensemble",
    "sklearn.tree",
]
_SINGLE_THREAD = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
_JOIN_SECONDS = 10.0
_ETA_MARKS = 20  # the ETA extrapolates the rate over the last reports


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

    @property
    def done(self) -> bool:
        return self.status is not JobStatus.RUNNING


class Job:
    """One unit of work. Its state is written by the worker thread or the process watcher."""

    def __init__(self, owner: str, label: str) -> None:
        self.id = uuid.uuid4().hex
        self.owner = owner
        self.label = label
        self._lock = threading.Lock()
        self._cancel = threading.Event()
        self._status = JobStatus.RUNNING
        self._fraction = 0.0
        self._message = "Starting"
        self._losses: list[dict[str, float]] = []
        self._started = time.monotonic()
        self._marks: list[tuple[float, float]] = []  # (time, fraction) of recent reports
        self._finished: float | None = None
        self._result: Any = None
        self._error: str | None = None
        self._thread: threading.Thread | None = None
        self._process: Any = None

    def cancel(self) -> None:
        """Stop the work: a worker process is terminated at once; a thread stops at its next
        progress report."""
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
            self._fraction = max(self._fraction, min(max(fraction, 0.0), 1.0))
            self._message = message
            self._marks = [*self._marks[-(_ETA_MARKS - 1) :], (time.monotonic(), self._fraction)]
            if losses:
                self._losses.append(dict(losses))

    def view(self) -> JobView:
        with self._lock:
            end = self._finished if self._finished is not None else time.monotonic()
            elapsed = end - self._started
            eta = None
            if self._status is JobStatus.RUNNING and len(self._marks) >= _ETA_MARKS // 4:
                (t0, f0), (t1, f1) = self._marks[0], self._marks[-1]
                if f1 > f0 and t1 > t0:  # the recent rate, e.g. of the last epochs
                    eta = max((1.0 - f1) * (t1 - t0) / (f1 - f0) - (end - t1), 0.0)
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
            status, error = JobStatus.CANCELLED, "Cancelled."
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
            self._finish(JobStatus.CANCELLED, error="Cancelled.")
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


def _worker(connection: Connection, task: Task) -> None:
    """A worker process: run the task, send progress, then the result or the error."""
    _limit_threads()

    def progress(fraction: float, message: str, losses: Mapping[str, float] | None = None) -> None:
        connection.send(
            ("progress", float(fraction), str(message), dict(losses) if losses else None)
        )

    try:
        result = task(progress)
        connection.send(("done", result))
    except SynthCoreError as exc:
        connection.send(("failed", str(exc)))
    except Exception as exc:  # reported to the parent, which logs it as a bug
        connection.send(("bug", f"{type(exc).__name__}: {exc}", traceback.format_exc()))
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


def _start(task: Task) -> tuple[Any, Connection]:
    """Start a worker process for ``task``; the first call also starts the worker server."""
    global _context
    with _context_lock:
        if _context is None:
            _context = multiprocessing.get_context("forkserver")
            _context.set_forkserver_preload(_PRELOAD)
        receiver, sender = _context.Pipe(duplex=False)
        process = _context.Process(target=_worker, args=(sender, task), daemon=True)
        # The worker server (started by the first process) and every worker forked from it
        # inherit these settings; this process keeps its own.
        with _environment(_SINGLE_THREAD):
            process.start()
    sender.close()
    return process, receiver


def _watch(job: Job, process: Any, connection: Connection) -> None:
    """Relay a worker's messages into the job until it ends; always reap the process."""
    outcome: tuple[Any, ...] | None = None
    try:
        while True:
            message = connection.recv()
            if message[0] == "progress":
                job._record(message[1], message[2], message[3])
            else:
                outcome = message
                break
    except (EOFError, OSError):
        pass
    finally:
        connection.close()
        process.join(_JOIN_SECONDS)
        if process.is_alive():
            process.kill()
            process.join()
    if outcome is None:
        job._finish(
            JobStatus.FAILED,
            error=(
                f"The worker stopped unexpectedly (exit code {process.exitcode}); it may have run "
                "out of memory. Try fewer rows or a smaller model."
            ),
        )
    elif outcome[0] == "done":
        job._finish(JobStatus.SUCCEEDED, result=outcome[1])
    elif outcome[0] == "failed":
        job._finish(JobStatus.FAILED, error=outcome[1])
    else:
        _log.error("job %s (%s) failed in its worker:\n%s", job.id, job.label, outcome[2])
        job._finish(JobStatus.FAILED, error=f"Unexpected error ({outcome[1]}).")


class JobRegistry:
    """Server-wide list of jobs; caps how many run at once (this machine has 2 cores)."""

    def __init__(self, max_running: int = 2, processes: bool = True) -> None:
        self.max_running = max_running
        self.processes = processes
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()

    def start(self, owner: str, label: str, work: Task | Work) -> Job:
        """Start ``work`` for ``owner`` (a browser session): a Task in a worker process (when
        processes are on), anything else in a thread."""
        with self._lock:
            running = sum(1 for j in self._jobs.values() if j.view().status is JobStatus.RUNNING)
            if running >= self.max_running:
                raise JobError(
                    f"{running} jobs are already running on this machine. Wait for one to finish "
                    "or cancel it, then try again."
                )
            job = Job(owner, label)
            self._jobs[job.id] = job
        if self.processes and isinstance(work, Task):
            process, connection = _start(work)
            job._process = process
            thread = threading.Thread(target=_watch, args=(job, process, connection), daemon=True)
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
        return [j for j in self._jobs.values() if j.owner == owner]

    def forget(self, owner: str, job_id: str) -> None:
        """Drop a finished job (its result has been taken)."""
        with self._lock:
            job = self._jobs.get(job_id)
            if job is not None and job.owner == owner and job.view().done:
                del self._jobs[job_id]
