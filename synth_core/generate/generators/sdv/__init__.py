"""SDV generators (BUSL-1.1): Gaussian copula, CTGAN, TVAE, CopulaGAN.

SDV, RDT and torch are imported only when one of them is used. One module per concern: ``infos``
(parameters and registration), ``adapters`` (the Generator contract), ``sizing`` (estimates,
encoded width, memory, advice), ``metadata`` (schema to SDV metadata), ``training`` (progress
hooks, threads, seeds) and ``capture`` (SDV's warnings, alerts and errors in our words)."""

from synth_core.generate.generators.sdv import infos
from synth_core.generate.generators.sdv.adapters import SdvGenerator
from synth_core.generate.generators.sdv.capture import performance_alert
from synth_core.generate.generators.sdv.metadata import numpy_dtypes, sdv_metadata
from synth_core.generate.generators.sdv.sizing import (
    MEMORY_COPIES,
    WIDE_LIMIT,
    WIDE_WARNING,
    neural_estimate_seconds,
    neural_memory_mb,
    wide_columns_advice,
)
from synth_core.generate.generators.sdv.training import loss_text

__all__ = [
    "MEMORY_COPIES",
    "WIDE_LIMIT",
    "WIDE_WARNING",
    "SdvGenerator",
    "infos",
    "loss_text",
    "neural_estimate_seconds",
    "neural_memory_mb",
    "numpy_dtypes",
    "performance_alert",
    "sdv_metadata",
    "wide_columns_advice",
]
