"""Generators: the registry and the built-in adapters (imported here so they register)."""

from synth_core._progress import ProgressFn, no_progress
from synth_core.generate.generators import argn, cart, dp, sdv
from synth_core.generate.generators.registry import (
    Generator,
    GeneratorInfo,
    GeneratorKind,
    Param,
    ParamType,
    ParamValue,
    available,
    create,
    get,
    infos,
    register,
)

__all__ = [
    "Generator",
    "GeneratorInfo",
    "GeneratorKind",
    "Param",
    "ParamType",
    "ParamValue",
    "ProgressFn",
    "argn",
    "available",
    "cart",
    "create",
    "dp",
    "get",
    "infos",
    "no_progress",
    "register",
    "sdv",
]
