"""Generators: the registry and the built-in adapters (imported here so they register)."""

from synth_core.generators import argn, cart, dp, sdv
from synth_core.generators.registry import (
    Generator,
    GeneratorInfo,
    GeneratorKind,
    Param,
    ParamType,
    ParamValue,
    ProgressFn,
    available,
    create,
    get,
    infos,
    no_progress,
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
