"""Around SDV's neural training: per-epoch progress with the losses and per-column progress
through data preparation (hooks into ctgan 0.12's internals, tested per upgrade), one torch
thread without joblib helpers, and every random source seeded."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np


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
def epoch_hook(on_epoch: Callable[[int, int], None]) -> Iterator[None]:
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
def preparation_hook(on_column: Callable[[str, str, int, int], None]) -> Iterator[None]:
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
def single_threaded_training() -> Iterator[None]:
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


def seed_everything(seed: int) -> None:
    """CTGAN/TVAE training draws from random, numpy and torch; seeding all three made weights
    and samples identical across processes."""
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def loss_text(losses: dict[str, float]) -> str:
    """'generator loss 0.512, discriminator loss -0.103', or 'loss 1.234' (TVAE)."""
    return ", ".join(
        f"{k} {v:.3f}" if k == "loss" else f"{k} loss {v:.3f}" for k, v in losses.items()
    )


def last_losses(loss_values: Any, epoch: int) -> dict[str, float]:
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
