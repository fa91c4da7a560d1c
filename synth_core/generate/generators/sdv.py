"""SDV generators (BUSL-1.1): Gaussian copula, CTGAN, TVAE, CopulaGAN.

SDV, RDT and torch are imported only when one of them is used. The adapters turn SDV's
exceptions and warnings into ours, seed every random source explicitly, report progress per
training epoch (with the losses), and keep joblib from starting helper processes."""

from __future__ import annotations

import contextlib
import functools
import io
import random
import re
import sys
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np
import pandas as pd

from synth_core._progress import ProgressFn
from synth_core.data.schema import ColumnKind, Schema
from synth_core.errors import GeneratorError, ParamError
from synth_core.generate.constraints import Constraint, GreaterThan, to_sdv
from synth_core.generate.generators.registry import (
    MAX_ORDINAL_LEVELS,
    MEASURED_CONTINUOUS,
    MEASURED_WIDTH,
    Advice,
    AdviceLevel,
    GeneratorInfo,
    GeneratorKind,
    Param,
    ParamType,
    ParamValue,
    TableShape,
    encoded_widths,
    register,
)

_TABLE = "table"
_LICENCE = (
    "BUSL-1.1 (SDV by DataCebo: free for internal use, not for a commercial synthetic-data service)"
)
_INSTALL = (
    "Install it with: pip install 'sdv>=2.0,<2.1' (install torch==2.13.0 first on a CPU machine)."
)
_LAYERS = ("64,64", "128,128", "256,256", "256,256,256", "512,512")

# Warnings SDV and its numeric stack raise on every run, which say nothing about the user's data:
# the advice to save metadata to JSON (we build metadata from our schema each time), and
# numerical noise from distribution fitting in scipy/copulas.
_NOISE = re.compile(
    r"save_to_json|recommend saving the metadata|invalid value encountered|divide by zero|"
    r"overflow encountered|The fit may be unsuccessful|Degrees of freedom|"
    r"is deprecated|will be removed|FutureWarning",
    re.IGNORECASE,
)

# Whole-number columns with at most this many distinct values (counts such as "children") are
# given to SDV as ordinal with their values in order (MAX_ORDINAL_LEVELS). As numerical, a fitted
# beta distribution turned insurance.csv's children (43% zeros) into 86% zeros; as ordinal the
# shares match.

# Neural generators see each category as a column of its own (one-hot) and each number or date
# as 11 (a value and up to 10 modes): SDV's own estimate, which prints a PerformanceAlert to the
# server log above 1,000. Past WIDE_WARNING the page and the notes warn; past WIDE_LIMIT, or when
# the encoded table would not fit in memory, training is refused before it starts. Measured: a
# 53-column table with 2,362, 3,350 and 5,754 categories in three text columns (~11,500 encoded
# columns, 24k rows) sat over 400 s in "Preparing data" while the worker grew to 9.7 GB, about
# 4.4 copies of the float64 encoded table: MEMORY_COPIES.
WIDE_WARNING = 1_000
WIDE_LIMIT = 3_000
MEMORY_COPIES = 4.5
_BASE_MB = 600.0


_NEURAL_RATES = {"ctgan": 7e-5, "tvae": 1.5e-5, "copulagan": 7.5e-5}  # s per row, epoch, width


def neural_estimate_seconds(
    name: str, shape: TableShape, params: Mapping[str, ParamValue]
) -> float:
    """Preparing (a mixture model per continuous column) plus the epochs (in proportion to the
    encoded width), from the measurements on 7-column tables: CTGAN prepared 10k rows of 7
    columns in ~3.5 s and 30k in ~5-7.5 s, then took 0.07 s per epoch at 1k rows and 1.6-1.8 s
    at 30k; TVAE 0.03 s per epoch at 1k rows, ~0.3-0.45 s at 10k-30k. On a 53-column table of
    3,000 rows encoding to 1,540 columns (three text columns of 300 categories), 2 epochs:
    CTGAN estimated 17 s, took 16 s; TVAE 9 s and 8 s. benchmarks/bench_estimates.py checks
    the whole estimate against real fits (real / estimated between 0.5 and 2)."""
    rows = shape.rows
    preparing = 0.5 + 2e-4 * rows * max(shape.continuous, 1) / MEASURED_CONTINUOUS
    epoch = 0.01 + _NEURAL_RATES[name] * rows * shape.width / MEASURED_WIDTH
    return preparing + int(params["epochs"]) * epoch


def neural_memory_mb(rows: int, width: int) -> float:
    """Peak memory of a neural generator's worker, roughly (see MEMORY_COPIES)."""
    return _BASE_MB + MEMORY_COPIES * rows * width * 8 / 2**20


def wide_columns_advice(widths: Mapping[str, int], label: str, rows: int) -> tuple[str, bool]:
    """In words: how wide the encoded table is, the columns that make it so, and what to do;
    and whether training must be refused (too wide, or more memory than this machine has)."""
    from synth_core._system import available_memory_mb

    width = sum(widths.values())
    memory = neural_memory_mb(rows, width)
    free = available_memory_mb()
    too_big = width > WIDE_LIMIT or (free is not None and memory > 0.8 * free)
    if width <= WIDE_WARNING and not too_big:
        return "", False
    widest = sorted(((n, w) for n, w in widths.items() if w > 11), key=lambda item: -item[1])[:5]
    listed = ", ".join(f"'{n}' {w:,}" for n, w in widest)
    text = (
        f"{label} would see {width:,} encoded columns (one per category: {listed}) and need "
        f"about {memory / 1024:,.1f} GB of memory for {rows:,} rows"
        + (f" ({free / 1024:,.1f} GB free)" if free is not None else "")
        + ". Treat columns with many distinct values as ID or leave them out on the Data page, "
        "group rare categories, or choose TabularARGN or CART, which handle them."
    )
    return text, too_big


def _wide_columns(
    label: str, data: pd.DataFrame, schema: Schema, rows: int, params: Mapping[str, ParamValue]
) -> list[Advice]:
    """The advice hook of SDV's networks: the encoded width, when it is worth a word."""
    text, refuse = wide_columns_advice(encoded_widths(data, schema), label, rows)
    if refuse:
        return [Advice(AdviceLevel.REFUSED, f"{text} Training is refused at this width.")]
    return [Advice(AdviceLevel.WARNING, text)] if text else []


@contextmanager
def _sdv_warnings(notes: list[str]) -> Iterator[None]:
    """Record SDV's warnings; keep the ones that tell the user something as notes. SDV prints
    its PerformanceAlert (CTGAN on a table that encodes to over 1,000 columns) instead of
    warning: that is caught from standard output and kept as a note too, so the page shows it;
    anything else printed goes on to the log."""
    printed = io.StringIO()
    with warnings.catch_warnings(record=True) as caught, contextlib.redirect_stdout(printed):
        warnings.simplefilter("always")
        try:
            yield
        finally:
            text = printed.getvalue()
            alert = performance_alert(text)
            if alert and alert not in notes:
                notes.append(alert)
    if text and not alert:
        sys.stdout.write(text)
    for warning in caught:
        message = str(warning.message).strip()
        boring = issubclass(
            warning.category, DeprecationWarning | FutureWarning | PendingDeprecationWarning
        )
        if not boring and not _NOISE.search(message) and message not in notes:
            notes.append(message)


def performance_alert(printed: str) -> str | None:
    """SDV's printed PerformanceAlert in one line (its table of estimated encoded columns per
    column, widest first), or None."""
    if "PerformanceAlert:" not in printed:
        return None
    widths = []
    for line in printed.splitlines():
        match = re.fullmatch(r"(.+?)\s+(\d+)", line.strip())
        if match and not line.startswith("PerformanceAlert"):
            widths.append((match.group(1), int(match.group(2))))
    widths.sort(key=lambda w: -w[1])
    listed = ", ".join(f"'{name}' {width:,}" for name, width in widths[:5])
    more = f" and {len(widths) - 5} more" if len(widths) > 5 else ""
    total = sum(w for _, w in widths)
    return (
        f"SDV's PerformanceAlert: CTGAN will generate a large number of columns ({total:,} "
        f"estimated encoded columns: {listed}{more}). SDV recommends preprocessing categorical "
        "columns with many values or dropping columns that are not needed: on the Data page, "
        "treat such columns as ID or leave them out."
    )


def _sdv_failure(exc: Exception, what: str) -> GeneratorError:
    first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return GeneratorError(
        f"{what} failed on this table: {first_line}. Check the column kinds on the Data page "
        "or try another generator."
    )


def _sdv_errors() -> tuple[type[Exception], ...]:
    from sdv import errors
    from sdv.cag._errors import ConstraintNotMetError

    return (
        errors.InvalidDataError,
        errors.SynthesizerInputError,
        errors.SamplingError,
        errors.NonParametricError,
        errors.InvalidDataTypeError,
        ConstraintNotMetError,
        ValueError,
        np.linalg.LinAlgError,
    )


def sdv_metadata(
    data: pd.DataFrame, schema: Schema, keep_numerical: Sequence[str] = ()
) -> dict[str, Any]:
    """Our schema as SDV metadata, with small whole-number columns as ordered ordinals
    (except ``keep_numerical``: SDV's Inequality constraint needs numerical columns)."""
    metadata = schema.to_sdv_metadata(_TABLE)
    columns = metadata["tables"][_TABLE]["columns"]
    for column in schema:
        if (
            column.kind is ColumnKind.NUMERICAL
            and column.integer
            and column.name not in keep_numerical
        ):
            levels = data[column.name].dropna().unique()
            if 1 < len(levels) <= MAX_ORDINAL_LEVELS:
                columns[column.name] = {
                    "sdtype": "ordinal",
                    "range_values": sorted(int(v) for v in levels),
                }
    return metadata


def numpy_dtypes(data: pd.DataFrame) -> pd.DataFrame:
    """Nullable Int64/boolean columns as numpy int64/bool (float64/object when values are
    missing): SDV's transformers were ~8% slower on the nullable dtypes (insurance, 53k rows).
    The pipeline restores the nullable dtypes after sampling."""
    converted = data.copy()
    for name in data.columns:
        values = data[name]
        has_missing = bool(values.isna().any())
        if str(values.dtype) == "Int64":
            converted[name] = values.astype("float64") if has_missing else values.astype("int64")
        elif str(values.dtype) == "boolean":
            converted[name] = values.astype(object) if has_missing else values.astype(bool)
    return converted


class _Epochs:
    """Stands in for tqdm around SDV's epoch loop: reports each finished epoch."""

    def __init__(self, epochs: Sequence[int], on_epoch: Callable[[int, int], None]) -> None:
        self._epochs = list(epochs)
        self._on_epoch = on_epoch

    def __iter__(self) -> Iterator[int]:
        for position, epoch in enumerate(self._epochs):
            yield epoch
            self._on_epoch(position + 1, len(self._epochs))

    def set_description(self, *args: Any, **kwargs: Any) -> None:
        """tqdm's method, called by ctgan only in verbose mode."""


@contextmanager
def _epoch_hook(on_epoch: Callable[[int, int], None]) -> Iterator[None]:
    """A per-epoch callback for CTGAN, TVAE and CopulaGAN: ctgan 0.12 iterates epochs through
    tqdm, a module-level name of ctgan.synthesizers.ctgan and .tvae (tested per upgrade)."""
    import ctgan.synthesizers.ctgan as ctgan_module
    import ctgan.synthesizers.tvae as tvae_module

    def tracked(iterable: Any, *args: Any, **kwargs: Any) -> _Epochs:
        return _Epochs(list(iterable), on_epoch)

    originals = (ctgan_module.tqdm, tvae_module.tqdm)
    ctgan_module.tqdm = tvae_module.tqdm = tracked
    try:
        yield
    finally:
        ctgan_module.tqdm, tvae_module.tqdm = originals


@contextmanager
def _preparation_hook(on_column: Callable[[str, str, int, int], None]) -> Iterator[None]:
    """Progress through ctgan's data preparation (CTGAN, TVAE, CopulaGAN), which fits a mixture
    model per number and a one-hot encoder per category, then encodes every column: minutes on
    wide tables with nothing to show. ``on_column(stage, column, done, total)`` is called after
    each column of each stage ("fit", "encode"); ctgan 0.12's DataTransformer works column by
    column through these four methods (tested per upgrade). Encoding runs in this process
    (joblib is sequential during training), so the calls come in order."""
    from ctgan.data_transformer import DataTransformer

    names = ("_fit_continuous", "_fit_discrete", "_transform_continuous", "_transform_discrete")
    originals = {name: getattr(DataTransformer, name) for name in names}
    counts = {"fit": 0, "encode": 0}
    total = {"columns": 0}
    original_fit = DataTransformer.fit

    def fit(self: Any, raw_data: Any, discrete_columns: Any = ()) -> Any:
        total["columns"] = int(getattr(raw_data, "shape", (0, 0))[1])
        counts["fit"] = counts["encode"] = 0
        return original_fit(self, raw_data, discrete_columns)

    def tracked(name: str) -> Callable[..., Any]:
        method, stage = originals[name], "fit" if name.startswith("_fit") else "encode"

        def wrapper(self: Any, *args: Any) -> Any:
            result = method(self, *args)
            data = args[-1]
            column = str(data.columns[0]) if hasattr(data, "columns") else "?"
            counts[stage] += 1
            on_column(stage, column, counts[stage], max(total["columns"], counts[stage]))
            return result

        return wrapper

    DataTransformer.fit = fit
    for name in names:
        setattr(DataTransformer, name, tracked(name))
    try:
        yield
    finally:
        DataTransformer.fit = original_fit
        for name, method in originals.items():
            setattr(DataTransformer, name, method)


@contextmanager
def _single_threaded_training() -> Iterator[None]:
    """One torch thread (8 CTGAN epochs took 6.3 s instead of 17.4 s on 2 cores) and no joblib
    helper processes (ctgan's preprocessing leaves two ~400 MB helpers otherwise)."""
    import torch
    from joblib import parallel_config

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        with parallel_config(backend="sequential"):
            yield
    finally:
        torch.set_num_threads(threads)


def _seed_everything(seed: int) -> None:
    """CTGAN/TVAE training draws from random, numpy and torch; seeding all three made weights
    and samples identical across processes."""
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


class SdvGenerator:
    """An SDV single-table synthesizer behind our Generator contract."""

    neural = False
    label = "SDV synthesizer"

    def __init__(self, params: Mapping[str, ParamValue]) -> None:
        self.params = dict(params)
        self.notes: list[str] = []
        self.losses: list[dict[str, float]] = []
        self._synthesizer: Any = None

    def _create(self, metadata: Any) -> Any:
        raise NotImplementedError

    def fit(
        self,
        data: pd.DataFrame,
        schema: Schema,
        seed: int,
        progress: ProgressFn,
        constraints: Sequence[Constraint] = (),
    ) -> None:
        from sdv.metadata import Metadata

        progress(0.02, f"Preparing the {self.label}")
        if self.neural:
            advice, refuse = wide_columns_advice(
                encoded_widths(data, schema), self.label, len(data)
            )
            if refuse:
                raise GeneratorError(advice)
            if advice:
                self.notes.append(advice)
        inequality_columns = [
            name for c in constraints if isinstance(c, GreaterThan) for name in c.columns
        ]
        with _sdv_warnings(self.notes):
            metadata = Metadata.load_from_dict(sdv_metadata(data, schema, inequality_columns))
            synthesizer = self._create(metadata)
            sdv_constraints = [s for s in (to_sdv(c) for c in constraints) if s is not None]
            if sdv_constraints:
                synthesizer.add_constraints(sdv_constraints)
            self._synthesizer = synthesizer
            try:
                if self.neural:
                    self._fit_neural(synthesizer, data, seed, progress)
                else:
                    progress(0.1, "Fitting column distributions and correlations")
                    synthesizer.fit({_TABLE: numpy_dtypes(data)})
            except _sdv_errors() as exc:
                self._synthesizer = None
                raise _sdv_failure(exc, f"{self.label} training") from exc
        self.reset_sampling(seed)
        progress(1.0, "Fitted")

    def _fit_neural(
        self, synthesizer: Any, data: pd.DataFrame, seed: int, progress: ProgressFn
    ) -> None:
        progress(0.03, "Preparing data (encoding columns for the network)")

        def on_epoch(done: int, total: int) -> None:
            losses = _last_losses(synthesizer._model.loss_values, done - 1)
            text = loss_text(losses)
            record = {"epoch": float(done), **losses}
            self.losses.append(record)
            progress(0.05 + 0.95 * done / total, f"Epoch {done} of {total}: {text}", record)

        def on_column(stage: str, column: str, done: int, total: int) -> None:
            share = done / max(total, 1)
            low = 0.03 if stage == "fit" else 0.04  # epochs start at 0.05
            what = "learning how to encode" if stage == "fit" else "encoding"
            progress(
                low + 0.01 * share,
                f"Preparing data: {what} column '{column}' ({done} of {total})",
            )

        _seed_everything(seed)
        with _single_threaded_training(), _preparation_hook(on_column), _epoch_hook(on_epoch):
            synthesizer.fit({_TABLE: numpy_dtypes(data)})

    def reset_sampling(self, seed: int) -> None:
        """Sampling starts afresh from ``seed`` (the same seed gives the same rows)."""
        if self._synthesizer is None:
            raise GeneratorError("Fit the generator before sampling from it.")
        self._synthesizer.reset_sampling()
        # After fit, SDV seeds sampling with a fixed internal state; a user's seed can only be set
        # through this private method (checked by the contract tests on every SDV upgrade).
        self._synthesizer._set_random_state(seed)

    def sample(self, n: int) -> pd.DataFrame:
        if self._synthesizer is None:
            raise GeneratorError("Fit the generator before sampling from it.")
        with _sdv_warnings(self.notes), _quiet_progress_bars():
            try:
                sampled = self._synthesizer.sample(num_rows=n)
            except _sdv_errors() as exc:
                raise _sdv_failure(exc, f"{self.label} sampling") from exc
        table: pd.DataFrame = sampled[_TABLE] if isinstance(sampled, dict) else sampled
        return table.reset_index(drop=True)

    def sample_conditioned(self, n: int, values: Mapping[str, Any]) -> pd.DataFrame:
        """``n`` rows with the given column values (SDV's conditional sampling)."""
        from sdv.sampling import Condition

        if self._synthesizer is None:
            raise GeneratorError("Fit the generator before sampling from it.")
        condition = Condition(num_rows=n, column_values=dict(values))
        with _sdv_warnings(self.notes), _quiet_progress_bars():
            try:
                sampled = self._synthesizer.sample_from_conditions(
                    [condition], max_tries_per_batch=100
                )
            except _sdv_errors() as exc:
                raise GeneratorError(
                    f"The {self.label} could not make rows with {_values_text(values)}: "
                    f"{str(exc).strip().splitlines()[0]}"
                ) from exc
        table: pd.DataFrame = sampled[_TABLE] if isinstance(sampled, dict) else sampled
        return table.reset_index(drop=True)


def _values_text(values: Mapping[str, Any]) -> str:
    return ", ".join(f"{k} = {v}" for k, v in values.items())


@contextmanager
def _quiet_progress_bars() -> Iterator[None]:
    """SDV's sampling draws tqdm bars on stderr; ours reports progress instead."""
    import tqdm

    original = tqdm.tqdm.__init__

    def silent(self: Any, *args: Any, **kwargs: Any) -> None:
        kwargs["disable"] = True
        original(self, *args, **kwargs)

    tqdm.tqdm.__init__ = silent
    try:
        yield
    finally:
        tqdm.tqdm.__init__ = original


def loss_text(losses: dict[str, float]) -> str:
    """'generator loss 0.512, discriminator loss -0.103', or 'loss 1.234' (TVAE)."""
    return ", ".join(
        f"{k} {v:.3f}" if k == "loss" else f"{k} loss {v:.3f}" for k, v in losses.items()
    )


def _last_losses(loss_values: Any, epoch: int) -> dict[str, float]:
    """The losses of one epoch from ctgan's loss table (TVAE logs every batch: averaged)."""
    if loss_values is None or len(loss_values) == 0:
        return {}
    frame = loss_values[loss_values["Epoch"] == epoch]
    if frame.empty:
        frame = loss_values.tail(1)
    names = {"Generator Loss": "generator", "Discriminator Loss": "discriminator", "Loss": "loss"}
    return {
        short: float(frame[long].astype(float).mean())
        for long, short in names.items()
        if long in frame.columns and frame[long].notna().any()
    }


def _layers(value: ParamValue) -> tuple[int, ...]:
    return tuple(int(v) for v in str(value).split(","))


class GaussianCopulaGenerator(SdvGenerator):
    label = "Gaussian copula"

    def _create(self, metadata: Any) -> Any:
        from sdv.single_table import GaussianCopulaSynthesizer

        return GaussianCopulaSynthesizer(
            metadata,
            default_distribution=str(self.params["default_distribution"]),
            enforce_min_max_values=bool(self.params["enforce_min_max_values"]),
            enforce_rounding=bool(self.params["enforce_rounding"]),
        )


def _gan_arguments(params: Mapping[str, ParamValue]) -> dict[str, Any]:
    return {
        "epochs": int(params["epochs"]),
        "batch_size": int(params["batch_size"]),
        "embedding_dim": int(params["embedding_dim"]),
        "generator_dim": _layers(params["generator_dim"]),
        "discriminator_dim": _layers(params["discriminator_dim"]),
        "generator_lr": float(params["generator_lr"]),
        "discriminator_lr": float(params["discriminator_lr"]),
        "discriminator_steps": int(params["discriminator_steps"]),
        "pac": int(params["pac"]),
        "log_frequency": bool(params["log_frequency"]),
        "enforce_min_max_values": bool(params["enforce_min_max_values"]),
        "enforce_rounding": bool(params["enforce_rounding"]),
        "enable_gpu": False,
    }


class CtganGenerator(SdvGenerator):
    neural = True
    label = "CTGAN"

    def _create(self, metadata: Any) -> Any:
        from sdv.single_table import CTGANSynthesizer

        return CTGANSynthesizer(metadata, **_gan_arguments(self.params))


class CopulaGanGenerator(SdvGenerator):
    neural = True
    label = "CopulaGAN"

    def _create(self, metadata: Any) -> Any:
        from sdv.single_table import CopulaGANSynthesizer

        return CopulaGANSynthesizer(
            metadata,
            default_distribution=str(self.params["default_distribution"]),
            **_gan_arguments(self.params),
        )


class TvaeGenerator(SdvGenerator):
    neural = True
    label = "TVAE"

    def _create(self, metadata: Any) -> Any:
        from sdv.single_table import TVAESynthesizer

        return TVAESynthesizer(
            metadata,
            epochs=int(self.params["epochs"]),
            batch_size=int(self.params["batch_size"]),
            embedding_dim=int(self.params["embedding_dim"]),
            compress_dims=_layers(self.params["compress_dims"]),
            decompress_dims=_layers(self.params["decompress_dims"]),
            l2scale=float(self.params["l2scale"]),
            loss_factor=float(self.params["loss_factor"]),
            enforce_min_max_values=bool(self.params["enforce_min_max_values"]),
            enforce_rounding=bool(self.params["enforce_rounding"]),
            enable_gpu=False,
        )


_BOUNDS = (
    Param(
        "enforce_min_max_values",
        "Keep values inside the real range",
        ParamType.BOOL,
        True,
        "Clip numeric and date values to the minimum and maximum of the training data.",
    ),
    Param(
        "enforce_rounding",
        "Round like the real data",
        ParamType.BOOL,
        True,
        "Give numeric columns the same number of decimal places as the training data.",
    ),
)
_DISTRIBUTION = Param(
    "default_distribution",
    "Distribution for numeric columns",
    ParamType.CHOICE,
    "beta",
    "Shape fitted to each numeric column. 'beta' and 'truncnorm' respect bounds; "
    "'gaussian_kde' follows any shape but is much slower on large tables.",
    choices=("beta", "norm", "truncnorm", "gamma", "uniform", "gaussian_kde"),
)


def _epochs(default: int) -> Param:
    return Param(
        "epochs",
        "Training epochs",
        ParamType.INT,
        default,
        "Passes over the training data. More epochs learn more detail and take longer; "
        "the estimate below the controls says how long.",
        minimum=1,
        maximum=2000,
        step=1,
    )


def _batch_size(help_text: str) -> Param:
    return Param(
        "batch_size",
        "Batch size",
        ParamType.INT,
        500,
        help_text,
        minimum=10,
        maximum=10_000,
        step=10,
    )


_GAN_PARAMS = (
    _epochs(50),
    _batch_size("Rows per training step; must be a multiple of pac. Larger is faster per epoch."),
    Param(
        "embedding_dim",
        "Noise size",
        ParamType.INT,
        128,
        "Size of the random input of the generator network.",
        minimum=8,
        maximum=512,
        step=8,
        advanced=True,
    ),
    Param(
        "generator_dim",
        "Generator layers",
        ParamType.CHOICE,
        "256,256",
        "Widths of the generator's hidden layers.",
        choices=_LAYERS,
        advanced=True,
    ),
    Param(
        "discriminator_dim",
        "Discriminator layers",
        ParamType.CHOICE,
        "256,256",
        "Widths of the discriminator's hidden layers.",
        choices=_LAYERS,
        advanced=True,
    ),
    Param(
        "generator_lr",
        "Generator learning rate",
        ParamType.FLOAT,
        2e-4,
        "Step size of the generator's optimiser.",
        minimum=1e-5,
        maximum=1e-2,
        step=1e-5,
        advanced=True,
    ),
    Param(
        "discriminator_lr",
        "Discriminator learning rate",
        ParamType.FLOAT,
        2e-4,
        "Step size of the discriminator's optimiser.",
        minimum=1e-5,
        maximum=1e-2,
        step=1e-5,
        advanced=True,
    ),
    Param(
        "discriminator_steps",
        "Discriminator steps",
        ParamType.INT,
        1,
        "Discriminator updates per generator update.",
        minimum=1,
        maximum=10,
        step=1,
        advanced=True,
    ),
    Param(
        "pac",
        "Pac size",
        ParamType.INT,
        10,
        "Rows the discriminator judges together (PacGAN); the batch size must be a multiple.",
        minimum=1,
        maximum=20,
        step=1,
        advanced=True,
    ),
    Param(
        "log_frequency",
        "Sample rare categories more",
        ParamType.BOOL,
        True,
        "Train on categories in proportion to the log of their frequency, so rare ones are learnt.",
        advanced=True,
    ),
    *_BOUNDS,
)

_TVAE_PARAMS = (
    _epochs(100),
    _batch_size("Rows per training step. Larger is faster per epoch."),
    Param(
        "embedding_dim",
        "Latent size",
        ParamType.INT,
        128,
        "Size of the encoded representation of a row.",
        minimum=8,
        maximum=512,
        step=8,
    ),
    Param(
        "compress_dims",
        "Encoder layers",
        ParamType.CHOICE,
        "128,128",
        "Widths of the encoder's hidden layers.",
        choices=_LAYERS,
        advanced=True,
    ),
    Param(
        "decompress_dims",
        "Decoder layers",
        ParamType.CHOICE,
        "128,128",
        "Widths of the decoder's hidden layers.",
        choices=_LAYERS,
        advanced=True,
    ),
    Param(
        "l2scale",
        "Weight decay",
        ParamType.FLOAT,
        1e-5,
        "Regularisation of the network weights.",
        minimum=0.0,
        maximum=1e-2,
        step=1e-6,
        advanced=True,
    ),
    Param(
        "loss_factor",
        "Reconstruction weight",
        ParamType.FLOAT,
        2.0,
        "Weight of the reconstruction error against the KL term.",
        minimum=0.1,
        maximum=10.0,
        step=0.1,
        advanced=True,
    ),
    *_BOUNDS,
)


def _check_pac(params: Mapping[str, ParamValue]) -> None:
    if int(params["batch_size"]) % int(params["pac"]) != 0:
        raise ParamError(
            f"The batch size ({params['batch_size']}) must be a multiple of pac ({params['pac']})."
        )


def _copula_estimate(shape: TableShape, params: Mapping[str, ParamValue]) -> float:
    """Measured (benchmarks/bench_estimates.py): 0.3-0.9 s on the bundled tables, 2.8-6.3 s on
    5k-8k rows of 14-21 columns."""
    slow = 20.0 if params.get("default_distribution") == "gaussian_kde" else 1.0
    return 0.3 + 4e-5 * shape.rows * max(shape.columns, 1) * slow


GAUSSIAN_COPULA = GeneratorInfo(
    name="gaussian_copula",
    label="Gaussian copula (SDV)",
    description=(
        "Fits a distribution to each column and their correlations with a Gaussian copula. "
        "Fast; good at marginals and linear relations, weaker on non-linear ones."
    ),
    kind=GeneratorKind.STATISTICAL,
    params=(_DISTRIBUTION, *_BOUNDS),
    licence=_LICENCE,
    conditional=True,
    requires=("sdv",),
    install_hint=_INSTALL,
    estimate=_copula_estimate,
)

CTGAN = GeneratorInfo(
    name="ctgan",
    label="CTGAN (SDV)",
    description=(
        "A conditional generative adversarial network for tables: learns complex, non-linear "
        "relations and rare categories; slow on CPU (minutes to hours)."
    ),
    kind=GeneratorKind.NEURAL,
    params=_GAN_PARAMS,
    licence=_LICENCE,
    conditional=True,
    requires=("sdv", "torch"),
    install_hint=_INSTALL,
    estimate=functools.partial(neural_estimate_seconds, "ctgan"),
    advise=functools.partial(_wide_columns, "CTGAN (SDV)"),
    privacy_remedy="fewer epochs",
    check=_check_pac,
)

TVAE = GeneratorInfo(
    name="tvae",
    label="TVAE (SDV)",
    description=(
        "A variational autoencoder for tables: often as faithful as CTGAN and several times "
        "faster to train."
    ),
    kind=GeneratorKind.NEURAL,
    params=_TVAE_PARAMS,
    licence=_LICENCE,
    conditional=True,
    requires=("sdv", "torch"),
    install_hint=_INSTALL,
    estimate=functools.partial(neural_estimate_seconds, "tvae"),
    advise=functools.partial(_wide_columns, "TVAE (SDV)"),
    privacy_remedy="fewer epochs",
)

COPULA_GAN = GeneratorInfo(
    name="copulagan",
    label="CopulaGAN (SDV)",
    description=(
        "CTGAN on columns first transformed by fitted distributions (a Gaussian copula): can "
        "help with skewed numbers; as slow as CTGAN."
    ),
    kind=GeneratorKind.NEURAL,
    params=(_DISTRIBUTION, *_GAN_PARAMS),
    licence=_LICENCE,
    conditional=True,
    requires=("sdv", "torch"),
    install_hint=_INSTALL,
    estimate=functools.partial(neural_estimate_seconds, "copulagan"),
    advise=functools.partial(_wide_columns, "CopulaGAN (SDV)"),
    privacy_remedy="fewer epochs",
    check=_check_pac,
)

register(GAUSSIAN_COPULA, GaussianCopulaGenerator)
register(CTGAN, CtganGenerator)
register(TVAE, TvaeGenerator)
register(COPULA_GAN, CopulaGanGenerator)
