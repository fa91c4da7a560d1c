"""The SDV synthesizers behind our Generator contract: Gaussian copula, CTGAN, CopulaGAN, TVAE."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from synth_core._progress import ProgressFn
from synth_core.data.schema import Schema
from synth_core.errors import GeneratorError
from synth_core.generate.constraints import Constraint, GreaterThan
from synth_core.generate.generators.registry import ParamValue, encoded_widths
from synth_core.generate.generators.sdv.capture import (
    quiet_progress_bars,
    sdv_errors,
    sdv_failure,
    sdv_warnings,
)
from synth_core.generate.generators.sdv.constraints import to_sdv
from synth_core.generate.generators.sdv.metadata import TABLE, numpy_dtypes, sdv_metadata
from synth_core.generate.generators.sdv.sizing import wide_columns_advice
from synth_core.generate.generators.sdv.training import (
    epoch_hook,
    last_losses,
    loss_text,
    preparation_hook,
    seed_everything,
    single_threaded_training,
)


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
        with sdv_warnings(self.notes):
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
                    synthesizer.fit({TABLE: numpy_dtypes(data)})
            except sdv_errors() as exc:
                self._synthesizer = None
                raise sdv_failure(exc, f"{self.label} training") from exc
        self.reset_sampling(seed)
        progress(1.0, "Fitted")

    def _fit_neural(
        self, synthesizer: Any, data: pd.DataFrame, seed: int, progress: ProgressFn
    ) -> None:
        progress(0.03, "Preparing data (encoding columns for the network)")

        def on_epoch(done: int, total: int) -> None:
            losses = last_losses(synthesizer._model.loss_values, done - 1)
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

        seed_everything(seed)
        with single_threaded_training(), preparation_hook(on_column), epoch_hook(on_epoch):
            synthesizer.fit({TABLE: numpy_dtypes(data)})

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
        with sdv_warnings(self.notes), quiet_progress_bars():
            try:
                sampled = self._synthesizer.sample(num_rows=n)
            except sdv_errors() as exc:
                raise sdv_failure(exc, f"{self.label} sampling") from exc
        table: pd.DataFrame = sampled[TABLE] if isinstance(sampled, dict) else sampled
        return table.reset_index(drop=True)

    def sample_conditioned(self, n: int, values: Mapping[str, Any]) -> pd.DataFrame:
        """``n`` rows with the given column values (SDV's conditional sampling)."""
        from sdv.sampling import Condition

        if self._synthesizer is None:
            raise GeneratorError("Fit the generator before sampling from it.")
        condition = Condition(num_rows=n, column_values=dict(values))
        with sdv_warnings(self.notes), quiet_progress_bars():
            try:
                sampled = self._synthesizer.sample_from_conditions(
                    [condition], max_tries_per_batch=100
                )
            except sdv_errors() as exc:
                raise GeneratorError(
                    f"The {self.label} could not make rows with {_values_text(values)}: "
                    f"{str(exc).strip().splitlines()[0]}"
                ) from exc
        table: pd.DataFrame = sampled[TABLE] if isinstance(sampled, dict) else sampled
        return table.reset_index(drop=True)


def _values_text(values: Mapping[str, Any]) -> str:
    return ", ".join(f"{k} = {v}" for k, v in values.items())


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
