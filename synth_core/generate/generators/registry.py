"""The generator registry: what each generator is, its parameters, and how to build one."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol

import pandas as pd

from synth_core._progress import ProgressFn
from synth_core.data.schema import Schema
from synth_core.errors import GeneratorUnavailableError, ParamError

if TYPE_CHECKING:
    from synth_core.generate.constraints import Constraint

ParamValue = int | float | bool | str
# The generator used when none is chosen (the Generate page, `generate` without --generator,
# recipes without one): the one our comparison recommends on every bundled table (README,
# "Generators": hardest to tell from real rows, no copies beyond the holdout's, fastest).
DEFAULT_GENERATOR = "cart"


class GeneratorKind(StrEnum):
    STATISTICAL = "statistical"
    NEURAL = "neural"
    DP = "dp"
    RULE_BASED = "rule-based"


class ParamType(StrEnum):
    INT = "int"
    FLOAT = "float"
    BOOL = "bool"
    CHOICE = "choice"
    TEXT = "text"  # free text, checked by the generator's GeneratorInfo.check


@dataclass(frozen=True)
class Param:
    """One tunable parameter; pages build sliders, checkboxes and selects from these."""

    name: str
    label: str
    type: ParamType
    default: ParamValue
    help: str
    minimum: float | None = None
    maximum: float | None = None
    step: float | None = None
    choices: tuple[str, ...] = ()
    advanced: bool = False  # shown under "Advanced settings"

    def coerce(self, value: object) -> ParamValue:
        """Check ``value`` (also as text from the CLI) and return it with the right type."""
        try:
            coerced = self._convert(value)
        except (TypeError, ValueError):
            raise ParamError(self._expected(value)) from None
        if isinstance(coerced, int | float) and not isinstance(coerced, bool):
            low = self.minimum if self.minimum is not None else float("-inf")
            high = self.maximum if self.maximum is not None else float("inf")
            if not low <= coerced <= high:
                raise ParamError(
                    f"{self.label} ({self.name}) must be between {self.minimum:g} and "
                    f"{self.maximum:g}; got {coerced:g}."
                )
        return coerced

    def _convert(self, value: object) -> ParamValue:
        if self.type is ParamType.BOOL:
            if isinstance(value, bool):
                return value
            text = str(value).strip().lower()
            if text in {"true", "yes", "1", "on"}:
                return True
            if text in {"false", "no", "0", "off"}:
                return False
            raise ValueError(value)
        if self.type is ParamType.INT:
            if isinstance(value, bool):
                raise TypeError(value)
            number = float(value) if isinstance(value, str) else value
            if not isinstance(number, int | float) or number != int(number):
                raise ValueError(value)
            return int(number)
        if self.type is ParamType.FLOAT:
            if isinstance(value, bool):
                raise TypeError(value)
            return float(value) if isinstance(value, str | int | float) else float(str(value))
        text = str(value)
        if self.type is ParamType.TEXT:
            return text.strip()
        if text not in self.choices:
            raise ValueError(value)
        return text

    def _expected(self, value: object) -> str:
        what = {
            ParamType.CHOICE: "one of " + ", ".join(self.choices),
            ParamType.INT: "a whole number",
            ParamType.FLOAT: "a number",
            ParamType.BOOL: "true or false",
            ParamType.TEXT: "text",
        }[self.type]
        return f"{self.label} ({self.name}) must be {what}; got {value!r}."


@dataclass(frozen=True)
class GeneratorInfo:
    """What a generator is, for the registry, the Generate page, the CLI and recipes."""

    name: str
    label: str
    description: str
    kind: GeneratorKind
    params: tuple[Param, ...]
    licence: str
    conditional: bool = False
    requires: tuple[str, ...] = ()
    install_hint: str = ""
    # Seconds to fit (rows, columns, params), for a plain-words estimate; None when unknown.
    estimate: Callable[[int, int, Mapping[str, ParamValue]], float] | None = None
    # Checks across parameters (e.g. batch size a multiple of pac); raises ParamError.
    check: Callable[[Mapping[str, ParamValue]], None] | None = None

    @property
    def available(self) -> bool:
        """True when every optional package it needs can be imported."""
        return all(importlib.util.find_spec(module) is not None for module in self.requires)

    def defaults(self) -> dict[str, ParamValue]:
        return {p.name: p.default for p in self.params}

    def validate(self, params: Mapping[str, object]) -> dict[str, ParamValue]:
        """Defaults overlaid with ``params``, each checked; unknown names are refused."""
        known = {p.name: p for p in self.params}
        unknown = sorted(set(params) - set(known))
        if unknown:
            names = ", ".join(known) or "none"
            raise ParamError(
                f"{self.label} has no parameter '{unknown[0]}'. Its parameters are: {names}."
            )
        values = self.defaults()
        for name, value in params.items():
            values[name] = known[name].coerce(value)
        if self.check is not None:
            self.check(values)
        return values

    def estimate_seconds(
        self, rows: int, columns: int, params: Mapping[str, object]
    ) -> float | None:
        """Roughly how long fitting takes on this machine (2 cores), or None if unknown."""
        if self.estimate is None:
            return None
        return self.estimate(rows, columns, self.validate(params))


class Generator(Protocol):
    """A fitted-then-sampled model of a table. ``__init__`` only stores parameters."""

    notes: list[str]  # things the user should know, in words (e.g. a library's warning)
    losses: list[dict[str, float]]  # per training epoch, for neural generators

    def fit(
        self,
        data: pd.DataFrame,
        schema: Schema,
        seed: int,
        progress: ProgressFn,
        constraints: Sequence[Constraint] = (),
    ) -> None:
        """Learn from ``data`` (only modelled kinds; datetimes as datetime64). Constraints may be
        learnt; the pipeline checks every sampled row anyway."""

    def reset_sampling(self, seed: int) -> None:
        """Restart sampling from ``seed``: the same seed gives the same rows."""

    def sample(self, n: int) -> pd.DataFrame:
        """``n`` new rows with the columns and dtypes of the training data; never refits."""

    def sample_conditioned(self, n: int, values: Mapping[str, Any]) -> pd.DataFrame:
        """``n`` rows whose columns equal ``values``; GeneratorError when impossible or when the
        generator cannot condition (GeneratorInfo.conditional is False)."""


GeneratorFactory = Callable[[Mapping[str, ParamValue]], Generator]


@dataclass(frozen=True)
class _Entry:
    info: GeneratorInfo
    factory: GeneratorFactory


_REGISTRY: dict[str, _Entry] = {}


def register(info: GeneratorInfo, factory: GeneratorFactory) -> None:
    """Add a generator. Names are stable ids used in the CLI and in recipes."""
    if info.name in _REGISTRY:
        raise ValueError(f"generator {info.name!r} is registered twice")
    _REGISTRY[info.name] = _Entry(info, factory)


def infos() -> list[GeneratorInfo]:
    """Every registered generator, available or not, in registration order."""
    return [entry.info for entry in _REGISTRY.values()]


def available() -> list[GeneratorInfo]:
    """The generators whose optional packages are installed."""
    return [info for info in infos() if info.available]


def get(name: str) -> GeneratorInfo:
    """The info of generator ``name``."""
    entry = _REGISTRY.get(name)
    if entry is None:
        names = ", ".join(_REGISTRY)
        raise ParamError(f"There is no generator called '{name}'. Choose one of: {names}.")
    return entry.info


def create(name: str, params: Mapping[str, object] | None = None) -> Generator:
    """A new, unfitted generator with checked parameters."""
    info = get(name)
    if not info.available:
        raise GeneratorUnavailableError(
            f"{info.label} needs {', '.join(info.requires)}, which is not installed. "
            f"{info.install_hint}"
        )
    return _REGISTRY[name].factory(info.validate(params or {}))
