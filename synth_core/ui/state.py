"""Session state of one browser session, under names defined here and nowhere else."""

from __future__ import annotations

import functools
import hashlib
import re
import uuid
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

import pandas as pd
import streamlit as st

from synth_core.data.checks import key_values
from synth_core.data.io.reader import ReadOptions, read_table
from synth_core.data.samples import SAMPLES
from synth_core.data.schema import ColumnOverride, Schema
from synth_core.data.table import Table
from synth_core.errors import SynthCoreError
from synth_core.evaluate.evaluation import EvaluationSettings, Rows, measure_fidelity
from synth_core.evaluate.fairness import UtilityAndFairness
from synth_core.evaluate.fidelity import Detection, FidelityReport, remember_detection
from synth_core.evaluate.fidelity.evaluation import content_hash
from synth_core.evaluate.privacy.report import PrivacyReport
from synth_core.experiments.collapse import CollapseResult
from synth_core.experiments.curve import PrivacyUtilityCurve
from synth_core.generate.conditions import RowRequest
from synth_core.generate.constraints import Constraint
from synth_core.generate.discover import Discovery, discover
from synth_core.generate.synthesize import FileSample, SynthResult, fit_split
from synth_core.workflows.compare import GeneratorComparison
from synth_core.workflows.measured import FilterEffect, Measured

OWNER = "owner"
RESUMED = "resumed"
# The URL's query parameter that carries the session's token, so a reloaded tab (a new
# Streamlit session) finds its running jobs again.
SESSION_PARAM = "session"
_TOKEN = re.compile(r"[0-9a-f]{32}")
SOURCE = "source"
READ_OPTIONS = "read_options"
BASE_TABLE = "base_table"
OVERRIDES = "overrides"
DROPPED = "dropped_columns"
WORKING_TABLE = "working_table"
RESULT = "result"
FIDELITY = "fidelity_report"
DETECTION = "detection_result"
DOWNLOADS = "downloads"
CONSTRAINTS = "constraints"
DISCOVERY = "rules_discovery"
RECIPE_REQUESTS = "recipe_requests"
FILE_SAMPLE = "file_sample"
PRIVACY = "privacy_report"
CURVE = "privacy_utility_curve"
UTILITY = "utility_reports"
UTILITY_CHOICE = "utility_current_choice"
AUGMENTATION = "augmentation_reports"
COLLAPSE = "collapse_result"
COMPARISON = "generator_comparison"
QUALITY_EFFECT = "quality_effect"
KNOWN_KEYS = "known_keys"  # key columns of the tables read before in this session
_KNOWN_TABLES = 5


class Scope(StrEnum):
    """What makes a session key stale."""

    SESSION = "session"  # nothing: kept while the tab lives (settings a user keeps across tables)
    TABLE = "table"  # a new table (its columns, its generator's tuning, its jobs' messages)
    RESULT = "result"  # a new synthetic table


# Widget keys the pages read and set, registered with their scope: every page uses these names,
# never the text. Keys starting with a _TABLE_PREFIXES entry (one per column or parameter) belong
# to the table too; pages register further keys with ``scoped_to_table``/``scoped_to_result``.
KEYS: dict[str, Scope] = {}


def key(name: str, scope: Scope) -> str:
    """Register session key ``name`` as going stale with ``scope``; returns the name."""
    KEYS[name] = scope
    return name


GENERATOR = key("generator", Scope.TABLE)  # a generator tuned for the old table
ROWS = key("rows", Scope.TABLE)  # follows the table's row count
ROWS_SUGGESTED = key("rows_suggested", Scope.TABLE)
PRIVACY_SETTING = key("privacy_setting", Scope.SESSION)
SEED = key("seed", Scope.SESSION)
HOLDOUT = key("holdout", Scope.SESSION)  # % of real rows held out
UTILITY_TARGET = key("utility_target", Scope.TABLE)  # a column of this table
UTILITY_SENSITIVE = key("utility_sensitive", Scope.TABLE)  # columns of this table
UTILITY_JOB_CHOICE = key("utility_choice", Scope.TABLE)  # the choice the running job measures
AUGMENT_KEY = key("augment_key", Scope.TABLE)
COLLAPSE_COLUMN = key("collapse_column", Scope.TABLE)
MORE_ROWS = key("more_rows", Scope.RESULT)  # sample again: the result's size
MORE_SEED = key("more_seed", Scope.RESULT)
for _name in (
    "file_rows",
    "sampling_mode",
    "fixed_columns",
    "rebalance_column",
    "tail_column",
    UTILITY_CHOICE,
    COMPARISON,
    QUALITY_EFFECT,
    AUGMENTATION,
):
    key(_name, Scope.TABLE)
_TABLE_PREFIXES = ("param_", "rule_", "fixed_value_", "rebalance_", "tail_", "scenario_")


def scoped_to_table(*keys: str) -> None:
    """Session keys that a new table clears (e.g. a background job's messages)."""
    for name in keys:
        key(name, Scope.TABLE)


def scoped_to_result(*keys: str) -> None:
    """Session keys that a new synthetic table clears (e.g. a cancelled detection's notice);
    a new table clears them too."""
    for name in keys:
        key(name, Scope.RESULT)


def _stale(name: object, scopes: tuple[Scope, ...]) -> bool:
    if not isinstance(name, str):
        return False
    if KEYS.get(name) in scopes:
        return True
    return Scope.TABLE in scopes and name.startswith(_TABLE_PREFIXES)


@dataclass(frozen=True)
class Source:
    """The bytes of the chosen table (kept in memory only) and where they came from."""

    name: str
    data: bytes = field(repr=False)
    sample: str | None = None

    @functools.cached_property
    def digest(self) -> str:
        """Hashed once per upload (pages read it many times per rerun)."""
        return hashlib.sha256(self.data).hexdigest()[:16]


def owner() -> str:
    """The token of this browser tab, which owns its background jobs. It is kept in the URL, so
    a reload takes over the jobs of the tab it replaces; another tab never sees them."""
    from synth_core.ui.resources import job_registry, register_session

    if OWNER not in st.session_state:
        token = st.query_params.get(SESSION_PARAM)
        adopt = token is not None and _TOKEN.fullmatch(token) and job_registry().knows(token)
        st.session_state[OWNER] = token if adopt else uuid.uuid4().hex
    value = str(st.session_state[OWNER])
    if st.query_params.get(SESSION_PARAM) != value:
        st.query_params[SESSION_PARAM] = value
    register_session(value)
    return value


@dataclass(frozen=True)
class Snapshot:
    """What a reloaded tab needs to show a job's result: the table and the user's edits."""

    source: Source
    read_options: ReadOptions
    overrides: dict[str, ColumnOverride]
    dropped: list[str]
    constraints: tuple[Constraint, ...]


def snapshot() -> Snapshot:
    return Snapshot(source(), read_options(), overrides(), dropped(), constraints())


def restore(saved: Snapshot) -> None:
    """Back to the table and edits of ``saved`` (a job started before a reload)."""
    choose_source(saved.source, saved.read_options)
    st.session_state[OVERRIDES] = saved.overrides
    st.session_state[DROPPED] = saved.dropped
    st.session_state[CONSTRAINTS] = saved.constraints
    st.session_state.pop(WORKING_TABLE, None)


def source() -> Source:
    """The chosen table; the first sample dataset until the user picks or uploads another."""
    if SOURCE not in st.session_state:
        first = SAMPLES[0]
        st.session_state[SOURCE] = Source(first.filename, first.read_bytes(), first.name)
    value: Source = st.session_state[SOURCE]
    return value


def read_options() -> ReadOptions:
    value: ReadOptions = st.session_state.get(READ_OPTIONS, ReadOptions())
    return value


def choose_source(new: Source, options: ReadOptions | None = None) -> None:
    """Switch to another table (or other reading options); forgets everything derived."""
    options = options or ReadOptions()
    if (
        SOURCE in st.session_state
        and st.session_state[SOURCE].digest == new.digest
        and read_options() == options
    ):
        return
    _remember_keys()
    if SOURCE in st.session_state and st.session_state[SOURCE].digest != new.digest:
        for name in list(st.session_state):
            if _stale(name, (Scope.TABLE, Scope.RESULT)):
                del st.session_state[name]
    st.session_state[SOURCE] = new
    st.session_state[READ_OPTIONS] = options
    for key in (
        BASE_TABLE,
        OVERRIDES,
        DROPPED,
        WORKING_TABLE,
        RESULT,
        FIDELITY,
        DETECTION,
        PRIVACY,
        CURVE,
        UTILITY,
        COLLAPSE,
        DOWNLOADS,
        CONSTRAINTS,
        RECIPE_REQUESTS,
        FILE_SAMPLE,
    ):
        st.session_state.pop(key, None)


def _remember_keys() -> None:
    """The key columns of the table being left, so a table read next that points at them is
    told so (a loans table whose account_id values are this table's keys)."""
    cached = st.session_state.get(BASE_TABLE)
    if cached is None:
        return
    known: dict[tuple[str, str], frozenset[str]] = dict(st.session_state.get(KNOWN_KEYS, {}))
    known.update(key_values(cached[1]))
    tables = list(dict.fromkeys(table for table, _ in known))[-_KNOWN_TABLES:]
    st.session_state[KNOWN_KEYS] = {k: v for k, v in known.items() if k[0] in tables}


def known_keys() -> dict[tuple[str, str], frozenset[str]]:
    value: dict[tuple[str, str], frozenset[str]] = st.session_state.get(KNOWN_KEYS, {})
    return value


def base_table() -> Table:
    """The table as read from the source; raises SynthCoreError for unreadable input."""
    key = (source().digest, read_options())
    cached = st.session_state.get(BASE_TABLE)
    if cached is None or cached[0] != key:
        table = read_table(source().data, read_options(), name=source().name)
        st.session_state[BASE_TABLE] = (key, table)
        st.session_state.pop(WORKING_TABLE, None)
        return table
    table_: Table = cached[1]
    return table_


def overrides() -> dict[str, ColumnOverride]:
    value: dict[str, ColumnOverride] = st.session_state.get(OVERRIDES, {})
    return value


def dropped() -> list[str]:
    value: list[str] = st.session_state.get(DROPPED, [])
    return value


@dataclass(frozen=True)
class ColumnEdits:
    """The user's changes to the table as read: column kinds, and columns left out."""

    overrides: dict[str, ColumnOverride] = field(default_factory=dict)
    dropped: tuple[str, ...] = ()


def edits() -> ColumnEdits:
    return ColumnEdits(dict(overrides()), tuple(dropped()))


def apply_edits(new: ColumnEdits) -> Table:
    """Apply kind changes and dropped columns; keeps the previous ones if they fail."""
    table = base_table().with_overrides(new.overrides).without_columns(list(new.dropped))
    st.session_state[OVERRIDES] = dict(new.overrides)
    st.session_state[DROPPED] = list(new.dropped)
    st.session_state[WORKING_TABLE] = table
    return table


def working_table() -> Table:
    """The table generators learn from: read, with the user's kinds and columns applied."""
    table: Table | None = st.session_state.get(WORKING_TABLE)
    if table is None:
        table = base_table()
        try:
            table = table.with_overrides(overrides()).without_columns(dropped())
        except SynthCoreError:
            st.session_state[OVERRIDES], st.session_state[DROPPED] = {}, []
        st.session_state[WORKING_TABLE] = table
    return table


def set_result(measured: Measured) -> None:
    """A new synthetic table (and the quality filter's effect, when it made it)."""
    st.session_state[RESULT] = measured.result
    st.session_state[QUALITY_EFFECT] = (measured.result, measured.effect)
    for name in (FIDELITY, DETECTION, PRIVACY, UTILITY, AUGMENTATION, DOWNLOADS):
        st.session_state.pop(name, None)
    # Sample again starts from the new result's size and seed; the old result's job messages
    # (a cancelled privacy measurement, say) no longer apply.
    for stale in list(st.session_state):
        if _stale(stale, (Scope.RESULT,)):
            del st.session_state[stale]


def quality_effect(result: SynthResult) -> FilterEffect | None:
    value: FilterEffect | None = _of_result(QUALITY_EFFECT, result)
    return value


def result() -> SynthResult | None:
    value: SynthResult | None = st.session_state.get(RESULT)
    return value


def result_or_stop() -> SynthResult:
    """The synthetic table; otherwise a pointer to the Generate page, and the page stops."""
    value = result()
    if value is None:
        st.info("Generate a synthetic table first.")
        st.page_link("app_pages/generate.py", label="Go to Generate")
        st.stop()
    assert value is not None
    return value


def rows(result: SynthResult) -> Rows:
    """The tables every page measures: the training rows, the synthetic rows, the holdout."""
    holdout = result.holdout if len(result.holdout) else None
    return Rows(result.train, result.data, result.schema, holdout)


def evaluation_settings(result: SynthResult) -> EvaluationSettings:
    """The settings the pages measure with (the Utility page adds its target and groups); the
    Export page's report measures with the same, so it shows the pages' numbers."""
    return EvaluationSettings(seed=result.seed)


def fidelity_report(result: SynthResult) -> FidelityReport:
    """Scores, tests, validity and summaries (no detection), once per result; evaluations are
    also cached by content, so a page switch or a new session does not recompute them."""
    cached = st.session_state.get(FIDELITY)
    if cached is None or cached[0] is not result:
        settings = replace(evaluation_settings(result), detection=False)
        cached = (result, measure_fidelity(rows(result), settings))
        st.session_state[FIDELITY] = cached
    value: FidelityReport = cached[1]
    return value


def set_detection(result: SynthResult, detection: Detection) -> None:
    """The detection of a job (it ran in a worker process): kept for this result and in this
    process's detection cache, so the fidelity report reuses it."""
    st.session_state[DETECTION] = (result, detection)
    seed = evaluation_settings(result).seed
    remember_detection(result.train, result.data, result.schema, detection, seed)


def _of_result(key: str, result: object) -> Any:
    """What was stored under ``key`` for this very result (None for an older result)."""
    cached = st.session_state.get(key)
    if cached is None or cached[0] is not result:
        return None
    return cached[1]


def detection(result: SynthResult) -> Detection | None:
    value: Detection | None = _of_result(DETECTION, result)
    return value


def download(
    result: SynthResult, kind: str, build: Callable[[pd.DataFrame, Schema], bytes]
) -> bytes:
    """Export bytes built once per result and format."""
    cache: dict[tuple[int, str], bytes] = st.session_state.setdefault(DOWNLOADS, {})
    key = (id(result), kind)
    if key not in cache:
        cache[key] = build(result.data, result.schema)
    return cache[key]


def discovery(table: Table, holdout: float, seed: int) -> Discovery:
    """The rules the training rows keep (the rows fit() will learn from for this holdout share
    and seed), found once per content of the table and split."""
    key = (content_hash(table.df), repr(table.schema), holdout, seed)
    cached: tuple[Any, Discovery] | None = st.session_state.get(DISCOVERY)
    if cached is None or cached[0] != key:
        train, _ = fit_split(table.df, holdout, seed)
        cached = (key, discover(train, table.schema))
        st.session_state[DISCOVERY] = cached
    return cached[1]


def constraints() -> tuple[Constraint, ...]:
    value: tuple[Constraint, ...] = st.session_state.get(CONSTRAINTS, ())
    return value


def set_constraints(value: tuple[Constraint, ...]) -> None:
    st.session_state[CONSTRAINTS] = value


def recipe_requests() -> tuple[RowRequest, ...]:
    """Conditions loaded from a recipe (offered as a choice under "What to generate")."""
    value: tuple[RowRequest, ...] = st.session_state.get(RECIPE_REQUESTS, ())
    return value


def set_recipe_requests(value: tuple[RowRequest, ...]) -> None:
    st.session_state[RECIPE_REQUESTS] = value


def set_file_sample(value: FileSample) -> None:
    st.session_state[FILE_SAMPLE] = value


def file_sample() -> FileSample | None:
    value: FileSample | None = st.session_state.get(FILE_SAMPLE)
    return value


def set_privacy(result: SynthResult, report: PrivacyReport) -> None:
    st.session_state[PRIVACY] = (result, report)


def privacy(result: SynthResult) -> PrivacyReport | None:
    value: PrivacyReport | None = _of_result(PRIVACY, result)
    return value


def set_curve(curve: PrivacyUtilityCurve) -> None:
    st.session_state[CURVE] = curve


def curve() -> PrivacyUtilityCurve | None:
    value: PrivacyUtilityCurve | None = st.session_state.get(CURVE)
    return value


def set_utility_choice(choice: Any) -> None:
    """The target and groups last chosen on the Utility page (a ``ui.utility.Choice``)."""
    st.session_state[UTILITY_CHOICE] = choice


def utility_choice() -> Any:
    return st.session_state.get(UTILITY_CHOICE)


def set_utility(result: SynthResult, choice: Hashable, reports: UtilityAndFairness) -> None:
    cache: dict[object, object] = st.session_state.setdefault(UTILITY, {})
    cache[(id(result), choice)] = (result, reports)


def utility(result: SynthResult, choice: Hashable) -> UtilityAndFairness | None:
    """The utility and fairness reports for this result and choice of target and groups (a
    frozen dataclass, so equal choices find the same reports)."""
    found = st.session_state.get(UTILITY, {}).get((id(result), choice))
    if found is None or found[0] is not result:
        return None
    reports: UtilityAndFairness = found[1]
    return reports


def set_collapse(result: CollapseResult) -> None:
    st.session_state[COLLAPSE] = result


def collapse() -> CollapseResult | None:
    value: CollapseResult | None = st.session_state.get(COLLAPSE)
    return value


def set_comparison(table: Table, comparison: GeneratorComparison) -> None:
    st.session_state[COMPARISON] = (table, comparison)


def comparison(table: Table) -> GeneratorComparison | None:
    """The comparison run on this very table (None after the table or its kinds changed)."""
    value: GeneratorComparison | None = _of_result(COMPARISON, table)
    return value
