"""The generator registry: what each generator is, its parameters, and how to build one."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol, cast

import pandas as pd

from synth_core._progress import ProgressFn
from synth_core.data.schema import ColumnKind, Schema
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


# Whole-number columns with at most this many values are learnt as ordered categories by SDV
# (see generators/sdv/metadata.py), so SDV's networks see one column per value.
MAX_ORDINAL_LEVELS = 20
# The tables the time estimates were measured on (insurance-like: 7 columns) encode to about
# 47 columns for SDV's networks, 4 of them continuous.
MEASURED_COLUMNS = 7
MEASURED_WIDTH = 47
MEASURED_CONTINUOUS = 4


@dataclass(frozen=True)
class TableShape:
    """What the time to fit depends on: the training rows, the columns learnt, and what SDV's
    networks see of them (``widths``: a column per category, 11 per number or date — SDV's own
    count). One shape feeds every estimate (the Generate page, the comparison's epochs)."""

    rows: int
    columns: int
    widths: Mapping[str, int] = field(default_factory=dict)

    @property
    def width(self) -> int:
        if self.widths:
            return sum(self.widths.values())
        return max(round(self.columns * MEASURED_WIDTH / MEASURED_COLUMNS), 1)

    @property
    def continuous(self) -> int:
        if self.widths:
            return sum(1 for w in self.widths.values() if w == 11)
        return max(round(self.columns * MEASURED_CONTINUOUS / MEASURED_COLUMNS), 1)


def encoded_widths(data: pd.DataFrame, schema: Schema) -> dict[str, int]:
    """How many columns each learnt column becomes for CTGAN, TVAE and CopulaGAN."""
    widths = {}
    for column in schema:
        if column.name not in data.columns or column.kind in (ColumnKind.ID, ColumnKind.PII):
            continue
        values = data[column.name]
        if column.kind in (ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN):
            widths[column.name] = int(values.nunique(dropna=False))
        elif column.integer and values.nunique() <= MAX_ORDINAL_LEVELS:
            widths[column.name] = int(values.nunique(dropna=False))  # ordinal: one per value
        else:
            widths[column.name] = 11
    return widths


def table_shape(data: pd.DataFrame, schema: Schema, rows: int | None = None) -> TableShape:
    """The shape of ``data``'s learnt columns (IDs and personal data are not learnt), with
    ``rows`` training rows (default: all of them)."""
    widths = encoded_widths(data, schema)
    return TableShape(len(data) if rows is None else rows, len(widths), widths)


class AdviceLevel(StrEnum):
    NOTE = "note"  # a plain fact (a caption)
    INFO = "info"  # what a setting means
    WARNING = "warning"  # worth acting on before training
    REFUSED = "refused"  # training would be refused with these settings


@dataclass(frozen=True)
class Advice:
    """What a generator wants the user to know about this table and these settings before
    training, in words; ``fix`` is a parameter change that acts on it (offered as a button
    labelled ``fix_label``)."""

    level: AdviceLevel
    text: str
    fix_label: str = ""
    fix: Mapping[str, ParamValue] = field(default_factory=dict)


# The generator's own advice: (the rows it will learn from, their schema as learnt, the number of
# training rows, the checked parameters) -> what to say. Raises SynthCoreError on bad settings.
AdviceHook = Callable[[pd.DataFrame, Schema, int, Mapping[str, ParamValue]], list[Advice]]


# The row cap for fitting of a generator that has not measured its own (see GeneratorInfo.fit_rows).
DEFAULT_FIT_ROWS = 100_000


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
    # Seconds to fit a table of this shape, for a plain-words estimate; None when unknown.
    estimate: Callable[[TableShape, Mapping[str, ParamValue]], float] | None = None
    # The time budget the parameters set (seconds), when the generator keeps one.
    budget: Callable[[Mapping[str, ParamValue]], float] | None = None
    # Checks across parameters (e.g. batch size a multiple of pac); raises ParamError.
    check: Callable[[Mapping[str, ParamValue]], None] | None = None
    # Sizing and settings advice for this table (see AdviceHook); None when there is none.
    advise: AdviceHook | None = None
    # The generator's own setting that makes its rows farther from the training rows, in words
    # ("fewer epochs"), offered by the Privacy page when a result is too close; "" for none.
    privacy_remedy: str = ""
    # The most training rows it learns from unless the user says otherwise (a seeded sample;
    # None: every row): the smallest cap whose fidelity is that of learning from every row,
    # measured against time on a million-row table (benchmarks/bench_fit_rows.py; README,
    # "The fit's row cap").
    fit_rows: int | None = DEFAULT_FIT_ROWS

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

    def estimate_seconds(self, shape: TableShape, params: Mapping[str, object]) -> float | None:
        """Roughly how long fitting takes on this machine (2 cores), or None if unknown."""
        if self.estimate is None:
            return None
        return self.estimate(shape, self.validate(params))

    def advice(
        self, data: pd.DataFrame, schema: Schema, rows: int, params: Mapping[str, object]
    ) -> list[Advice]:
        """What to tell the user before training on ``rows`` rows of ``data`` (columns as
        learnt, in ``schema``) with ``params``; empty when nothing."""
        if self.advise is None:
            return []
        return self.advise(data, schema, rows, self.validate(params))

    def budget_seconds(self, params: Mapping[str, object]) -> float | None:
        """The time budget the parameters give training, or None without one."""
        return None if self.budget is None else self.budget(self.validate(params))


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


def create(
    name: str, params: Mapping[str, object] | None = None, *, checked: bool = False
) -> Generator:
    """A new, unfitted generator with checked parameters (``checked``: already checked by
    GeneratorInfo.validate, e.g. through GenerationSpec.validate, so not checked again)."""
    info = get(name)
    if not info.available:
        raise GeneratorUnavailableError(
            f"{info.label} needs {', '.join(info.requires)}, which is not installed. "
            f"{info.install_hint}"
        )
    given = dict(params or {})
    values = cast("dict[str, ParamValue]", given) if checked else info.validate(given)
    return _REGISTRY[name].factory(values)
