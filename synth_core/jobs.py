"""Background jobs: run work off the UI thread with progress, ETA, cancel, and a result or error."""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from synth_core.errors import JobCancelledError, JobError, SynthCoreError
from synth_core.generators.registry import ProgressFn

_log = logging.getLogger(__name__)

Work = Callable[[ProgressFn], Any]


class JobStatus(StrEnum):
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"


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

    @property
    def done(self) -> bool:
        return self.status is not JobStatus.RUNNING


class Job:
    """One unit of work in a worker thread. Only the worker writes its state."""

    def __init__(self, owner: str, label: str) -> None:
        self.id = uuid.uuid4().hex
        self.owner = owner
        self.label = label
        self._lock = threading.Lock()
        self._cancel = threading.Event()
        self._status = JobStatus.RUNNING
        self._fraction = 0.0
        self._message = "Starting"
        self._started = time.monotonic()
        self._finished: float | None = None
        self._result: Any = None
        self._error: str | None = None
        self._thread: threading.Thread | None = None

    def cancel(self) -> None:
        """Ask the work to stop at its next progress report."""
        self._cancel.set()

    def progress(self, fraction: float, message: str) -> None:
        """The ProgressFn handed to the work: records progress, raises if cancelled."""
        if self._cancel.is_set():
            raise JobCancelledError("Cancelled.")
        with self._lock:
            self._fraction = max(self._fraction, min(max(fraction, 0.0), 1.0))
            self._message = message

    def view(self) -> JobView:
        with self._lock:
            end = self._finished if self._finished is not None else time.monotonic()
            elapsed = end - self._started
            eta = None
            if self._status is JobStatus.RUNNING and 0.05 <= self._fraction < 1.0:
                eta = elapsed * (1.0 - self._fraction) / self._fraction
            return JobView(
                self.id,
                self.label,
                self._status,
                self._fraction,
                self._message,
                elapsed,
                eta,
                self._error,
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

    def _run(self, work: Work) -> None:
        status, result, error = JobStatus.SUCCEEDED, None, None
        try:
            result = work(self.progress)
        except JobCancelledError:
            status, error = JobStatus.CANCELLED, "Cancelled."
        except SynthCoreError as exc:
            status, error = JobStatus.FAILED, str(exc)
        except Exception as exc:  # a bug: keep the UI alive, log the traceback
            _log.exception("job %s (%s) failed", self.id, self.label)
            status, error = JobStatus.FAILED, f"Unexpected error ({type(exc).__name__}: {exc})."
        with self._lock:
            self._status, self._result, self._error = status, result, error
            if status is JobStatus.SUCCEEDED:
                self._fraction, self._message = 1.0, "Done"
            self._finished = time.monotonic()


class JobRegistry:
    """Server-wide list of jobs; caps how many run at once (this machine has 2 cores)."""

    def __init__(self, max_running: int = 2) -> None:
        self.max_running = max_running
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()

    def start(self, owner: str, label: str, work: Work) -> Job:
        """Start ``work`` in a worker thread for ``owner`` (a browser session)."""
        with self._lock:
            running = sum(1 for j in self._jobs.values() if j.view().status is JobStatus.RUNNING)
            if running >= self.max_running:
                raise JobError(
                    f"{running} jobs are already running on this machine. Wait for one to finish "
                    "or cancel it, then try again."
                )
            job = Job(owner, label)
            self._jobs[job.id] = job
        thread = threading.Thread(target=job._run, args=(work,), name=f"job-{label}", daemon=True)
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
