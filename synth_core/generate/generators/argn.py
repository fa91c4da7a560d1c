"""TabularARGN from mostlyai-engine (Apache-2.0): an autoregressive network over columns, with
early stopping, a time budget and value protection (rare values are never reproduced).

The engine works in a folder (its "workspace") that holds copies of the training rows, and the
Hugging Face datasets cache it reads them through holds more. Both live in one private temporary
folder per fit or sample, deleted when it ends, also on error or cancel (a cancelled worker
process is cleaned up by synth_core.jobs). What is kept in memory after fitting is the model:
its weights, configuration and the column statistics the engine derived (with value protection,
privacy-safe), never the rows. The engine is imported only when the generator is used (~5 s)."""

from __future__ import annotations

import io
import tempfile
import time
import warnings
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from synth_core._progress import ProgressFn
from synth_core.data.schema import ColumnKind, Schema
from synth_core.errors import GeneratorError, JobCancelledError
from synth_core.generate.generators.registry import (
    GeneratorInfo,
    GeneratorKind,
    Param,
    ParamType,
    ParamValue,
    TableShape,
    register,
)

if TYPE_CHECKING:
    from synth_core.generate.constraints import Constraint

_LICENCE = "Apache-2.0 (mostlyai-engine by MOSTLY AI)"
_INSTALL = (
    "Install it with: pip install --no-deps mostlyai-engine==2.7.3 (its other needs are in "
    "pyproject.toml; torchvision and torchaudio must not be installed)."
)
_SIZES = {"small": "MOSTLY_AI/Small", "medium": "MOSTLY_AI/Medium", "large": "MOSTLY_AI/Large"}
# What the engine keeps for generating: weights, configuration, statistics, encoding types. Not
# kept: the training rows (OriginalData/*-data, encoded-data), optimiser and scheduler states.
_MODEL_FILES = (
    "ModelStore/model-data/model-weights.pt",
    "ModelStore/model-data/model-configs.json",
    "ModelStore/tgt-stats/stats.json",
    "OriginalData/tgt-meta/encoding-types.json",
    "OriginalData/tgt-meta/keys.json",
)
_ENCODINGS = {
    ColumnKind.NUMERICAL: "TABULAR_NUMERIC_AUTO",
    ColumnKind.CATEGORICAL: "TABULAR_CATEGORICAL",
    ColumnKind.BOOLEAN: "TABULAR_CATEGORICAL",
    ColumnKind.DATETIME: "TABULAR_DATETIME",
}


@contextmanager
def engine_workspace() -> Iterator[Path]:
    """A private folder for the engine and the datasets cache, deleted afterwards."""
    import datasets.config

    previous = datasets.config.HF_DATASETS_CACHE
    with tempfile.TemporaryDirectory(prefix="argn-") as folder:
        datasets.config.HF_DATASETS_CACHE = Path(folder) / "datasets-cache"
        try:
            yield Path(folder)
        finally:
            datasets.config.HF_DATASETS_CACHE = previous


@contextmanager
def _engine_warnings(notes: list[str]) -> Iterator[None]:
    """The engine's and torch's warnings become notes (the informative ones) instead of noise."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    for warning in caught:
        message = str(warning.message).strip().splitlines()[0]
        if issubclass(warning.category, UserWarning) and message and message not in notes:
            notes.append(f"TabularARGN: {message}")


def _single_thread() -> Any:
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    return threads


class TabularArgnGenerator:
    """mostlyai-engine's TabularARGN behind our Generator contract."""

    def __init__(self, params: Mapping[str, ParamValue]) -> None:
        self.params = dict(params)
        self.notes: list[str] = []
        self.losses: list[dict[str, float]] = []
        self._model: dict[str, bytes] = {}
        self._columns: list[str] = []
        self._booleans: list[str] = []
        self._seed = 0
        self._draws = 0

    def fit(
        self,
        data: pd.DataFrame,
        schema: Schema,
        seed: int,
        progress: ProgressFn,
        constraints: Sequence[Constraint] = (),
    ) -> None:
        progress(0.0, "Loading TabularARGN (mostlyai-engine)")
        import torch
        from mostlyai import engine

        self._columns = list(data.columns)
        self._booleans = [c.name for c in schema if c.kind is ColumnKind.BOOLEAN]
        encodings = {c.name: _ENCODINGS[c.kind] for c in schema if c.kind in _ENCODINGS}
        budget = float(self.params["max_training_minutes"])
        started = time.monotonic()
        stopped: list[BaseException] = []

        def on_progress(
            total: int | None = None,
            completed: int | None = None,
            advance: int | None = None,
            message: Mapping[str, Any] | None = None,
            **kwargs: Any,
        ) -> dict[str, bool] | None:
            steps = completed / total if total and completed is not None else 0.0
            used = (time.monotonic() - started) / 60 / budget if budget > 0 else 0.0
            fraction = 0.05 + 0.95 * min(max(steps, used), 1.0)
            text = "Training"
            record: dict[str, float] | None = None
            if message and message.get("epoch") is not None:
                record = {"epoch": float(message["epoch"])}
                for key, name in (("trn_loss", "training"), ("val_loss", "validation")):
                    if message.get(key) is not None:
                        record[name] = float(message[key])
                self.losses.append(record)
                text = f"Epoch {record['epoch']:.0f}: " + ", ".join(
                    f"{k} loss {v:.3f}" for k, v in record.items() if k != "epoch"
                )
            try:
                progress(fraction, text, record)
            except JobCancelledError as exc:  # stop between steps, then say so
                stopped.append(exc)
                return {"stopExecution": True}
            return None

        threads = _single_thread()
        try:
            with engine_workspace() as folder, _engine_warnings(self.notes):
                progress(0.02, "Preparing data (splitting, analysing and encoding columns)")
                engine.set_random_state(seed)
                engine.split(
                    workspace_dir=folder,
                    tgt_data=_to_engine(data, self._booleans),
                    model_type="TABULAR",
                    tgt_encoding_types=encodings,
                )
                engine.analyze(
                    workspace_dir=folder, value_protection=bool(self.params["value_protection"])
                )
                engine.encode(workspace_dir=folder)
                engine.train(
                    workspace_dir=folder,
                    model=_SIZES[str(self.params["model_size"])],
                    max_training_time=budget,
                    max_epochs=float(self.params["max_epochs"]),
                    device="cpu",
                    update_progress=on_progress,
                )
                if stopped:
                    raise stopped[0]
                self._model = {name: (folder / name).read_bytes() for name in _MODEL_FILES}
        except (ValueError, KeyError, RuntimeError, OSError) as exc:
            raise GeneratorError(
                f"TabularARGN training failed on this table: {_first_line(exc)}. Check the "
                "column kinds on the Data page or try another generator."
            ) from exc
        finally:
            torch.set_num_threads(threads)
        self.reset_sampling(seed)
        progress(1.0, "Fitted")

    def reset_sampling(self, seed: int) -> None:
        if not self._model:
            raise GeneratorError("Fit the generator before sampling from it.")
        self._seed, self._draws = seed, 0

    def sample(self, n: int) -> pd.DataFrame:
        return self._generate(n, None)

    def sample_conditioned(self, n: int, values: Mapping[str, Any]) -> pd.DataFrame:
        """``n`` rows with the given values, from the engine's seed data (it generates the other
        columns given these)."""
        seed_data = pd.DataFrame({name: [value] * n for name, value in values.items()})
        rows = self._generate(n, _to_engine(seed_data, self._booleans))
        for name, value in values.items():
            if not (rows[name].astype(object) == value).all():
                raise GeneratorError(
                    f"TabularARGN could not make rows with {name} = {value}: it is a value "
                    "the model does not know (rare values are protected)."
                )
        return rows

    def _generate(self, n: int, seed_data: pd.DataFrame | None) -> pd.DataFrame:
        if not self._model:
            raise GeneratorError("Fit the generator before sampling from it.")
        if n <= 0:
            return pd.DataFrame({name: pd.Series(dtype=object) for name in self._columns})
        import torch
        from mostlyai import engine

        threads = _single_thread()
        try:
            with engine_workspace() as folder, _engine_warnings(self.notes):
                for name, data in self._model.items():
                    (folder / name).parent.mkdir(parents=True, exist_ok=True)
                    (folder / name).write_bytes(data)
                # The same seed gives the same rows, call after call (chunks of a large sample).
                engine.set_random_state(self._seed * 1_000_003 + self._draws)
                self._draws += 1
                engine.generate(
                    workspace_dir=folder,
                    sample_size=n,
                    seed_data=seed_data,
                    device="cpu",
                    rare_category_replacement_method="sample",
                )
                frames = [
                    pd.read_parquet(io.BytesIO(path.read_bytes()))
                    for path in sorted((folder / "SyntheticData").glob("*.parquet"))
                ]
        except (ValueError, KeyError, RuntimeError, OSError) as exc:
            raise GeneratorError(f"TabularARGN sampling failed: {_first_line(exc)}.") from exc
        finally:
            torch.set_num_threads(threads)
        rows = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
        return _from_engine(rows, self._columns, self._booleans)


def _to_engine(data: pd.DataFrame, booleans: Sequence[str]) -> pd.DataFrame:
    """Our dtypes as the engine reads them: true/false as categories."""
    frame = data.copy()
    for name in booleans:
        if name in frame.columns:
            frame[name] = (
                frame[name].astype(object).map(lambda v: None if pd.isna(v) else str(bool(v)))
            )
    return frame


def _from_engine(
    rows: pd.DataFrame, columns: Sequence[str], booleans: Sequence[str]
) -> pd.DataFrame:
    """The engine's rows with our columns; the pipeline restores the exact dtypes."""
    frame = rows.reindex(columns=list(columns))
    for name in booleans:
        frame[name] = frame[name].astype(object).map({"True": True, "False": False})
    for name in frame.columns:
        if str(frame[name].dtype) in {"string", "string[python]", "string[pyarrow]"}:
            frame[name] = frame[name].astype(object).where(frame[name].notna(), None)
    return frame.reset_index(drop=True)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _estimate(shape: TableShape, params: Mapping[str, ParamValue]) -> float:
    """Seconds on this machine (one thread): starting the engine, then epochs whose cost grows
    with the rows and the columns, numbers and dates counting three times (the engine splits
    them into several parts): ~0.4-1.3 s per epoch on the bundled tables, 2-3.6 s on 5k-8k rows
    of 14-21 columns (benchmarks/bench_estimates.py); early stopping after 20-40 epochs on the
    bundled tables; never past the time budget."""
    size = {"small": 0.5, "medium": 1.0, "large": 2.5}[str(params["model_size"])]
    parts = shape.columns + 2 * shape.continuous
    per_epoch = size * (0.5 + 1.3e-5 * shape.rows * parts)
    epochs = min(int(params["max_epochs"]), 40)
    return min(3.0 + epochs * per_epoch, _budget(params) + 3.0)


def _budget(params: Mapping[str, ParamValue]) -> float:
    return float(params["max_training_minutes"]) * 60


TABULAR_ARGN = GeneratorInfo(
    name="tabular_argn",
    label="TabularARGN (MOSTLY AI engine)",
    description=(
        "An autoregressive network that predicts each column from the ones before it, trained "
        "with early stopping and a time budget; rare values are protected. Strong fidelity in "
        "minutes on a CPU."
    ),
    kind=GeneratorKind.NEURAL,
    params=(
        Param(
            "max_training_minutes",
            "Time budget (minutes)",
            ParamType.FLOAT,
            10.0,
            "Training stops after this long; early stopping usually ends it sooner.",
            minimum=0.05,
            maximum=600.0,
            step=0.5,
        ),
        Param(
            "max_epochs",
            "Maximum epochs",
            ParamType.INT,
            100,
            "Passes over the training data at most (early stopping usually ends it sooner).",
            minimum=1,
            maximum=1000,
            step=1,
        ),
        Param(
            "model_size",
            "Model size",
            ParamType.CHOICE,
            "medium",
            "Larger learns more detail and takes longer.",
            choices=tuple(_SIZES),
        ),
        Param(
            "value_protection",
            "Protect rare values",
            ParamType.BOOL,
            True,
            "Rare categories and extreme numbers are never reproduced (they could single out a "
            "person); rows that would have them get common values instead.",
            advanced=True,
        ),
    ),
    licence=_LICENCE,
    conditional=True,
    requires=("mostlyai.engine", "torch"),
    install_hint=_INSTALL,
    estimate=_estimate,
    budget=_budget,
)

register(TABULAR_ARGN, TabularArgnGenerator)
