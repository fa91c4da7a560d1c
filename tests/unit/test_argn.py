"""TabularARGN (mostlyai-engine): progress per epoch, cancel mid-training in a worker process,
and no copy of the training rows left on disk afterwards, whatever happens."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Mapping
from pathlib import Path

import pytest

from synth_core import GenerationSpec, JobCancelledError, JobRegistry, JobStatus, read_table
from synth_core._progress import ProgressFn
from synth_core.generate.synthesize import SynthResult, fit, synthesize
from synth_core.jobs import Task
from tests.helpers import SAMPLES


def _files(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*") if p.is_file()}


@pytest.fixture
def temp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private temporary folder for everything the jobs and the engine write; the Hugging Face
    cache in the home folder is watched too."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    return tmp_path


def _home_cache() -> set[Path]:
    cache = Path.home() / ".cache" / "huggingface"
    return _files(cache) if cache.exists() else set()


def _train(epochs: int, progress: ProgressFn) -> SynthResult:
    table = read_table(SAMPLES / "insurance.csv")
    spec = GenerationSpec(generator="tabular_argn", params={"max_epochs": epochs}, rows=100)
    return synthesize(table, spec, progress)


@pytest.mark.slow
def test_a_worker_job_runs_to_the_end_and_leaves_no_files(temp: Path) -> None:
    home = _home_cache()
    job = JobRegistry().start("me", "argn", Task(_train, (2,)))
    view = job.wait(600)
    assert view.status is JobStatus.SUCCEEDED, view.error
    assert len(job.result().data) == 100
    assert any(loss.get("validation") is not None for loss in view.losses)
    assert _files(temp) == set()  # the job's folder, the workspace and the cache are gone
    assert _home_cache() == home


@pytest.mark.slow
def test_a_worker_job_is_cancelled_mid_training_and_leaves_no_files(temp: Path) -> None:
    job = JobRegistry().start("me", "argn", Task(_train, (1000,)))
    deadline = time.monotonic() + 300
    while not any(loss["epoch"] >= 1 for loss in job.view().losses):  # really training
        assert time.monotonic() < deadline
        time.sleep(0.2)
    job.cancel()
    view = job.wait(60)
    assert view.status is JobStatus.CANCELLED
    assert max(loss["epoch"] for loss in view.losses) < 1000
    assert _files(temp) == set()


@pytest.mark.slow
def test_in_process_training_stops_when_asked_and_cleans_up(temp: Path) -> None:
    epochs: list[float] = []

    def progress(fraction: float, message: str, losses: Mapping[str, float] | None = None) -> None:
        if losses:
            epochs.append(losses["epoch"])
            if losses["epoch"] >= 1:
                raise JobCancelledError("Cancelled.")

    table = read_table(SAMPLES / "insurance.csv")
    spec = GenerationSpec(generator="tabular_argn", params={"max_epochs": 500})
    with pytest.raises(JobCancelledError):
        fit(table, spec, progress)
    assert max(epochs) < 500
    assert _files(temp) == set()  # (torch leaves an empty torchinductor_root folder)
