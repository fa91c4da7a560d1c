"""Generate page, the settings beside the generator: rows, seed, holdout, privacy, the quality
filter, the generator's own advice and time estimate, and the GenerationSpec they make."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import streamlit as st

from synth_core._system import cores
from synth_core.data.schema import ColumnKind
from synth_core.data.table import Table
from synth_core.errors import SynthCoreError
from synth_core.generate.conditions import RowRequest
from synth_core.generate.constraints import Constraint
from synth_core.generate.generators import available
from synth_core.generate.generators.registry import (
    DEFAULT_GENERATOR,
    AdviceLevel,
    GeneratorInfo,
    ParamValue,
)
from synth_core.generate.protect.pii import PiiAction
from synth_core.generate.protect.quality import QualitySettings
from synth_core.generate.protect.similarity import FilterSettings
from synth_core.generate.spec import (
    DP_GENERATOR,
    FIT_ROWS_AUTO,
    MAX_SYNTHETIC_ROWS,
    GenerationSpec,
    PrivacySetting,
    RulesSetting,
)
from synth_core.generate.synthesize import (
    fit_advice,
    fit_estimate,
)
from synth_core.ui import state
from synth_core.ui.generator_form import is_dp, param_key
from synth_core.ui.widgets import default, error_box

QUALITY_DEFAULT_KEEP = 50  # % (the measurement: 25-50% keeps diversity losses small)


@dataclass(frozen=True)
class Output:
    """The "Output and privacy" choices of the Generate page."""

    rows: int
    seed: int
    holdout: float  # share of real rows held out
    privacy: PrivacySetting
    pii_action: PiiAction
    fit_cap: int | None  # rows the generator learns from at most (its own cap, or None)
    similarity: FilterSettings | None
    quality: QualitySettings | None

    @property
    def fit_rows_setting(self) -> str | None:
        """The spec's max_fit_rows: "auto" (the generator's own cap, so the note says whose
        default it is) or None (every row)."""
        return None if self.fit_cap is None else FIT_ROWS_AUTO

    def training_rows(self, table: Table) -> int:
        rows = round(len(table.df) * (1 - self.holdout))
        return min(rows, self.fit_cap) if self.fit_cap is not None else rows


PRIVACY_OPTIONS = {
    "none": "None: personal data kept as is",
    "pii": "PII protection: personal data replaced or dropped",
    "filter": "PII protection + similarity filter: no copies or near copies of real rows",
    "dp": "PII protection + differential privacy (the MST generator)",
}


def _privacy_changed() -> None:
    if st.session_state.get(state.PRIVACY_SETTING) == "dp":
        st.session_state[state.GENERATOR] = DP_GENERATOR
    elif is_dp(st.session_state.get(state.GENERATOR)):
        st.session_state[state.GENERATOR] = DEFAULT_GENERATOR


def duration_words(seconds: float) -> str:
    """'about 40 seconds', 'about 3 minutes', 'about 1.5 hours'."""
    if seconds < 5:
        return "a few seconds"
    if seconds < 90:
        return f"about {round(seconds, -1 if seconds >= 20 else 0):.0f} seconds"
    if seconds < 90 * 60:
        return f"about {seconds / 60:.0f} minutes"
    return f"about {seconds / 3600:.1f} hours"


def estimate_note(
    info: GeneratorInfo, table: Table, params: dict[str, ParamValue], output: Output
) -> None:
    """The generator's own advice for this table (its sizing, what its settings mean, with a
    button where a parameter change acts on it) and a plain-words training-time estimate (the
    generator's own: the one the job's ETA starts from and the comparison uses too)."""
    spec = output.privacy.apply(
        GenerationSpec(
            generator=info.name,
            params=params,
            holdout_fraction=output.holdout,
            pii_action=output.pii_action,
            max_fit_rows=output.fit_rows_setting,
        ),
        output.similarity,
    )
    rows = output.training_rows(table)
    try:
        advice = fit_advice(table, spec)
    except SynthCoreError as exc:
        error_box(exc)
        return
    show: dict[AdviceLevel, Callable[[str], object]] = {
        AdviceLevel.NOTE: st.caption,
        AdviceLevel.INFO: st.info,
        AdviceLevel.WARNING: st.warning,
        AdviceLevel.REFUSED: st.error,
    }
    for item in advice:
        show[item.level](item.text)
        if item.fix:
            st.button(
                item.fix_label,
                key="fix_" + "_".join(item.fix),
                on_click=_apply_fix,
                args=(info.name, dict(item.fix)),
            )
    try:
        seconds = fit_estimate(table, spec)
    except SynthCoreError as exc:
        error_box(exc)
        return
    if seconds is not None:
        st.caption(
            f"Training on {rows:,} rows takes {duration_words(seconds)} on this machine "
            f"({cores()} processors; measured, roughly). You can cancel at any time."
        )


def _apply_fix(generator: str, values: dict[str, ParamValue]) -> None:
    for name, value in values.items():
        st.session_state[param_key(generator, name)] = value


def output_settings(table: Table, info: GeneratorInfo) -> Output:
    """Rows, seed, holdout, PII protection and the fitting row cap (``info``'s own default)."""
    # The row count follows the current table (as many rows as it has, up to what is made in
    # memory) unless the user (or a recipe) changed it.
    suggested = min(len(table.df), MAX_SYNTHETIC_ROWS)
    if st.session_state.get(state.ROWS, suggested) == st.session_state.get(state.ROWS_SUGGESTED):
        st.session_state[state.ROWS] = suggested
    st.session_state[state.ROWS_SUGGESTED] = suggested
    default(state.ROWS, suggested)
    default(state.SEED, 0)
    default(state.HOLDOUT, 20)
    default(state.PRIVACY_SETTING, "pii")
    default("fit_cap", True)
    rows = st.number_input(
        "Synthetic rows", 1, MAX_SYNTHETIC_ROWS, key=state.ROWS, persist_state="session"
    )
    st.caption(
        f"The real table has {len(table.df):,} rows"
        + (
            f"; at most {MAX_SYNTHETIC_ROWS:,} are made in memory"
            if len(table.df) > MAX_SYNTHETIC_ROWS
            else ""
        )
        + ". For millions of rows, write them straight to a file on the Export page."
    )
    seed = st.number_input(
        "Seed (same seed, same rows)", 0, 2**32 - 1, key=state.SEED, persist_state="session"
    )
    holdout = st.slider(
        "Real rows held out for evaluation (%)",
        0,
        50,
        step=5,
        key=state.HOLDOUT,
        persist_state="session",
        help="Kept away from the generator, to check privacy and usefulness against later.",
    )
    setting = st.radio(
        "Privacy",
        [k for k in PRIVACY_OPTIONS if k != "dp" or DP_GENERATOR in {g.name for g in available()}],
        format_func=PRIVACY_OPTIONS.__getitem__,
        key=state.PRIVACY_SETTING,
        on_change=_privacy_changed,
        persist_state="session",
        help="The Privacy page measures what each setting achieves on your data.",
    )
    protect = setting != "none"
    similarity: FilterSettings | None = None
    if setting == "filter":
        default("filter_quantile", 5)
        default("filter_outliers", False)
        left, right = st.columns(2)
        quantile = left.slider(
            "Closeness cut-off (holdout quantile, %)",
            1,
            20,
            key="filter_quantile",
            persist_state="session",
            help="Rows closer to a training row than this share of unseen real rows are dropped.",
        )
        outliers = right.checkbox(
            "Also drop outliers",
            key="filter_outliers",
            persist_state="session",
            help="Rows farther from every real row than 99% of unseen real rows are.",
        )
        similarity = FilterSettings(quantile / 100, bool(outliers))
    quality = quality_settings(setting == "dp")
    action = PiiAction.REPLACE
    if protect and table.schema.of_kind(ColumnKind.PII):
        default("pii_action", PiiAction.REPLACE.value)
        choice = st.radio(
            "Personal data",
            ["replace", "drop"],
            horizontal=True,
            key="pii_action",
            persist_state="session",
        )
        action = PiiAction(choice)
    cap = info.fit_rows
    if cap is not None and len(table.df) * (1 - holdout / 100) > cap:
        capped = st.checkbox(
            f"Fit on a random {cap:,} rows",
            key="fit_cap",
            persist_state="session",
            help=f"The default for {info.label}, chosen by measured fidelity against time "
            "(README, 'The fit's row cap'). Rule search, checks, repairs and evaluation still "
            "use every row.",
        )
        cap = cap if capped else None
    return Output(
        int(rows),
        int(seed),
        holdout / 100,
        PrivacySetting(setting),
        action,
        cap,
        similarity,
        quality,
    )


def quality_settings(dp: bool) -> QualitySettings | None:
    """The quality filter (reward-model analogue): off, or the share of rows to keep."""
    default("quality_on", False)
    default("quality_keep", QUALITY_DEFAULT_KEEP)
    on = st.toggle(
        "Quality filter: keep the rows a real-versus-synthetic classifier finds most realistic",
        key="quality_on",
        persist_state="session",
        disabled=dp,
        help="Like the reward model of generate-then-filter pipelines. It raises fidelity on "
        "the classifier's terms and costs diversity (spread, tails, rare categories) and can "
        "move rows closer to real ones: the result shows both. Not with differential privacy.",
    )
    if not on or dp:
        return None
    keep = st.slider(
        "Keep the best (% of drawn rows)",
        5,
        100,
        step=5,
        key="quality_keep",
        persist_state="session",
        help="More rows are drawn first, so the number of rows asked for still comes out.",
    )
    return QualitySettings(keep / 100)


def build_spec(
    generator: str,
    params: dict[str, ParamValue],
    output: Output,
    constraints: Sequence[Constraint],
    requests: Sequence[RowRequest],
) -> GenerationSpec:
    spec = GenerationSpec(
        generator=generator,
        params=params,
        rows=sum(r.rows for r in requests) if requests else output.rows,
        seed=output.seed,
        holdout_fraction=output.holdout,
        pii_action=output.pii_action,
        max_fit_rows=output.fit_rows_setting,
        constraints=tuple(dict.fromkeys(constraints)),
        requests=tuple(requests),
        quality_filter=output.quality,
        rules=RulesSetting.NONE,  # the rules found are among the constraints, as ticked
    )
    return output.privacy.apply(spec, output.similarity)
