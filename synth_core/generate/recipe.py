"""Recipes: everything that decides a synthetic table, as a JSON file.

A recipe holds the generator and its parameters, rows, seed, privacy setting, holdout share,
row cap, constraints, conditions, column kinds, dropped columns and reading options, plus a
fingerprint of the source file (its name, SHA-256 and column names; never its values). The same
recipe and the same data give the same synthetic rows."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

import pandas as pd

from synth_core.data.convert import DEFAULT_NA_TOKENS
from synth_core.data.io.reader import ReadOptions
from synth_core.data.schema import ColumnKind, ColumnOverride, Schema
from synth_core.data.table import Table
from synth_core.errors import SynthCoreError
from synth_core.generate import constraints as rules
from synth_core.generate.conditions import RowRequest
from synth_core.generate.constraints import Constraint
from synth_core.generate.generators.registry import DEFAULT_GENERATOR, ParamValue
from synth_core.generate.protect.pii import PiiAction
from synth_core.generate.protect.quality import QualitySettings
from synth_core.generate.protect.similarity import FilterSettings
from synth_core.generate.spec import (
    FIT_ROWS_AUTO,
    GenerationSpec,
    PrivacySetting,
    RulesSetting,
)

VERSION = 1
_READ_FIELDS = (
    "encoding",
    "delimiter",
    "header",
    "skip_lines",
    "na_tokens",
    "keep_tokens",
    "missing_tokens",
)


class RecipeError(SynthCoreError):
    """The recipe file is not valid JSON, is from another version, or does not fit the data."""


@dataclass(frozen=True)
class Recipe:
    """The settings that reproduce a synthetic table."""

    generator: str = DEFAULT_GENERATOR
    params: Mapping[str, ParamValue] = field(default_factory=dict)
    rows: int = 1000
    seed: int = 0
    privacy: str = PrivacySetting.PII.value
    pii_action: str = PiiAction.REPLACE.value
    holdout_fraction: float = 0.2
    max_fit_rows: int | str | None = FIT_ROWS_AUTO
    constraints: tuple[Constraint, ...] = ()
    requests: tuple[dict[str, Any], ...] = ()  # JSON form; see requests_for()
    similarity_filter: Mapping[str, Any] | None = None  # {"quantile": 0.05, "drop_outliers": false}
    quality_filter: Mapping[str, Any] | None = None  # {"keep": 0.5, "threshold": null}
    rules: str = RulesSetting.AUTO.value  # keep the rules found in the training rows
    kinds: Mapping[str, str] = field(default_factory=dict)  # column -> "pii:email", ...
    dropped: tuple[str, ...] = ()
    read: Mapping[str, Any] = field(default_factory=dict)
    source: Mapping[str, Any] = field(default_factory=dict)

    def read_options(self) -> ReadOptions:
        values = {k: v for k, v in self.read.items() if k in _READ_FIELDS}
        if "na_tokens" in values:
            values["na_tokens"] = tuple(values["na_tokens"])
        for name in ("keep_tokens", "missing_tokens"):
            if name in values:
                try:
                    values[name] = tuple((str(c), str(t)) for c, t in values[name])
                except (TypeError, ValueError):
                    raise RecipeError(
                        f"The recipe's read.{name} must be a list of [column, token] pairs."
                    ) from None
        return ReadOptions(**values)

    def apply(self, table: Table) -> Table:
        """The table with the recipe's column kinds and dropped columns."""
        unknown = [c for c in [*self.kinds, *self.dropped] if c not in table.schema]
        if unknown:
            raise RecipeError(
                f"The recipe names column '{unknown[0]}', which this table does not have. "
                "Use the recipe with the data it was made for."
            )
        overrides = {name: ColumnOverride.parse(label) for name, label in self.kinds.items()}
        return table.with_overrides(overrides).without_columns(self.dropped)

    def spec(self, schema: Schema) -> GenerationSpec:
        """The GenerationSpec (condition values read with the table's column kinds)."""
        try:
            privacy, action = PrivacySetting(self.privacy), PiiAction(self.pii_action)
        except ValueError as exc:
            raise RecipeError(f"The recipe has an unknown privacy setting: {exc}.") from None
        try:
            found = RulesSetting(self.rules)
        except ValueError:
            raise RecipeError(
                f"The recipe's rules setting must be 'auto' or 'none'; got {self.rules!r}."
            ) from None
        return GenerationSpec(
            generator=self.generator,
            params=dict(self.params),
            rows=self.rows,
            seed=self.seed,
            privacy=privacy,
            pii_action=action,
            holdout_fraction=self.holdout_fraction,
            max_fit_rows=self.max_fit_rows,
            constraints=self.constraints,
            requests=requests_for(self.requests, schema),
            similarity_filter=self._filter(),
            quality_filter=self._quality(),
            rules=found,
        )

    def _quality(self) -> QualitySettings | None:
        if self.quality_filter is None:
            return None
        try:
            return QualitySettings(**dict(self.quality_filter))
        except TypeError as exc:
            raise RecipeError(f"The recipe's quality_filter is malformed: {exc}.") from None

    def _filter(self) -> FilterSettings | None:
        if self.similarity_filter is None:
            return None
        try:
            return FilterSettings(**dict(self.similarity_filter))
        except TypeError as exc:
            raise RecipeError(f"The recipe's similarity_filter is malformed: {exc}.") from None

    def differences(self, raw: bytes | Path, table: Table) -> list[str]:
        """How the data differs from the recipe's source, in words (empty when it matches)."""
        notes = []
        if self.source.get("sha256") and self.source["sha256"] != fingerprint(raw):
            notes.append(
                f"The file differs from the one the recipe was made with "
                f"({self.source.get('name', 'unknown')}); the output will differ too."
            )
        expected = list(self.source.get("columns", []))
        if expected and expected != table.schema.names:
            notes.append("The columns differ from the recipe's source file.")
        return notes

    def to_json(self) -> str:
        payload: dict[str, Any] = {"version": VERSION}
        for item in fields(self):
            value = getattr(self, item.name)
            if item.name == "constraints":
                value = [rules.to_dict(c) for c in value]
            elif isinstance(value, tuple):
                value = list(value)
            elif isinstance(value, Mapping):
                value = dict(value)
            payload[item.name] = value
        return json.dumps(payload, indent=2, ensure_ascii=False, default=_json_value)

    @classmethod
    def from_json(cls, text: str | bytes) -> Recipe:
        try:
            payload = json.loads(text)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise RecipeError(f"The recipe is not valid JSON ({exc}).") from None
        if not isinstance(payload, dict):
            raise RecipeError("The recipe must be a JSON object.")
        version = payload.pop("version", None)
        if version != VERSION:
            raise RecipeError(
                f"The recipe has version {version!r}; this app reads version {VERSION}."
            )
        known = {item.name for item in fields(cls)}
        unknown = sorted(set(payload) - known)
        if unknown:
            raise RecipeError(f"The recipe has unknown settings: {', '.join(unknown)}.")
        for name, value in payload.items():
            _check_type(name, value)
        if "constraints" in payload:
            payload["constraints"] = tuple(rules.from_dict(c) for c in payload["constraints"])
        # Recipes saved before rules were found and kept reproduce their rows without them.
        payload.setdefault("rules", RulesSetting.NONE.value)
        for name in ("requests", "dropped"):
            if name in payload:
                payload[name] = tuple(payload[name])
        try:
            return cls(**payload)
        except TypeError as exc:
            raise RecipeError(f"The recipe is malformed: {exc}.") from None


def _whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _scalar(value: object) -> bool:
    return isinstance(value, int | float | bool | str)


# What each recipe field holds in JSON, as a test and in words.
_TYPES: dict[str, tuple[Any, str]] = {
    "generator": (lambda v: isinstance(v, str), "a generator name (text)"),
    "params": (
        lambda v: isinstance(v, dict) and all(_scalar(x) for x in v.values()),
        "an object of parameter values (numbers, true/false or text)",
    ),
    "rows": (_whole, "a whole number"),
    "seed": (_whole, "a whole number"),
    "privacy": (lambda v: isinstance(v, str), "text"),
    "pii_action": (lambda v: isinstance(v, str), "text"),
    "holdout_fraction": (_number, "a number"),
    "max_fit_rows": (
        lambda v: v is None or v == FIT_ROWS_AUTO or _whole(v),
        f'a whole number, "{FIT_ROWS_AUTO}" or null',
    ),
    "constraints": (
        lambda v: isinstance(v, list) and all(isinstance(c, dict) for c in v),
        "a list of objects",
    ),
    "requests": (
        lambda v: isinstance(v, list) and all(isinstance(c, dict) for c in v),
        "a list of objects",
    ),
    "similarity_filter": (lambda v: v is None or isinstance(v, dict), "an object or null"),
    "quality_filter": (lambda v: v is None or isinstance(v, dict), "an object or null"),
    "rules": (lambda v: isinstance(v, str), "text"),
    "kinds": (
        lambda v: isinstance(v, dict) and all(isinstance(x, str) for x in v.values()),
        "an object of column kinds (text)",
    ),
    "dropped": (
        lambda v: isinstance(v, list) and all(isinstance(x, str) for x in v),
        "a list of column names",
    ),
    "read": (lambda v: isinstance(v, dict), "an object"),
    "source": (lambda v: isinstance(v, dict), "an object"),
}


def _check_type(name: str, value: object) -> None:
    """RecipeError naming the field when ``value`` is not what field ``name`` holds."""
    test, words = _TYPES[name]
    if not test(value):
        shown = json.dumps(value, ensure_ascii=False, default=str)
        shown = shown if len(shown) <= 60 else shown[:57] + "..."
        raise RecipeError(f"The recipe's '{name}' must be {words}; got {shown}.")


def _json_value(value: Any) -> Any:
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def fingerprint(raw: bytes | Path) -> str:
    """The SHA-256 of a file's bytes (a path is read in blocks, never whole)."""
    if isinstance(raw, bytes):
        return hashlib.sha256(raw).hexdigest()
    digest = hashlib.sha256()
    with raw.open("rb") as handle:
        while block := handle.read(1 << 24):
            digest.update(block)
    return digest.hexdigest()


def request_dicts(requests: Sequence[RowRequest]) -> tuple[dict[str, Any], ...]:
    """Conditions in JSON form."""
    return tuple(
        {
            "rows": r.rows,
            "equals": dict(r.equals),
            "ranges": {k: [low, high] for k, (low, high) in r.ranges.items()},
            "label": r.label,
        }
        for r in requests
    )


def requests_for(data: Sequence[Mapping[str, Any]], schema: Schema) -> tuple[RowRequest, ...]:
    """Conditions from JSON, values read with the table's column kinds (dates as Timestamps)."""
    requests = []
    for item in data:
        try:
            ranges = {}
            for name, (low, high) in dict(item.get("ranges", {})).items():
                if name in schema and schema[name].kind is ColumnKind.DATETIME:
                    low = None if low is None else pd.Timestamp(low)
                    high = None if high is None else pd.Timestamp(high)
                ranges[name] = (low, high)
            requests.append(
                RowRequest(
                    int(item["rows"]),
                    dict(item.get("equals", {})),
                    ranges,
                    str(item.get("label", "")),
                )
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise RecipeError(f"A condition in the recipe is malformed ({exc}).") from None
    return tuple(requests)


def make_recipe(
    spec: GenerationSpec,
    table: Table,
    raw: bytes | Path,
    read: ReadOptions,
    kinds: Mapping[str, str],
    dropped: Sequence[str],
) -> Recipe:
    """The recipe for ``spec`` on ``table`` as read from ``raw`` with ``read`` (before the
    column kinds and drops, which the recipe records)."""
    read_values = {name: getattr(read, name) for name in _READ_FIELDS}
    if tuple(read_values["na_tokens"]) == DEFAULT_NA_TOKENS:
        del read_values["na_tokens"]
    for name in ("keep_tokens", "missing_tokens"):
        if read_values[name]:
            read_values[name] = [list(pair) for pair in read_values[name]]
        else:
            del read_values[name]
    return Recipe(
        generator=spec.generator,
        params=dict(spec.params),
        rows=spec.rows,
        seed=spec.seed,
        privacy=spec.privacy.value,
        pii_action=spec.pii_action.value,
        holdout_fraction=spec.holdout_fraction,
        max_fit_rows=spec.max_fit_rows,
        constraints=spec.constraints,
        requests=request_dicts(spec.requests),
        similarity_filter=(
            None if spec.similarity_filter is None else asdict(spec.similarity_filter)
        ),
        quality_filter=None if spec.quality_filter is None else asdict(spec.quality_filter),
        rules=spec.rules.value,
        kinds=dict(kinds),
        dropped=tuple(dropped),
        read={
            k: list(v) if isinstance(v, tuple) else v
            for k, v in read_values.items()
            if v is not None
        },
        source={
            "name": table.report.source_name,
            "sha256": fingerprint(raw),
            "columns": table.schema.names,
        },
    )
