"""Generate-page widgets: generator choice, settings, the background job and the result."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import streamlit as st

from synth_core._system import cores
from synth_core.data.io.export import check_file_name, readable_frame
from synth_core.data.schema import ColumnKind
from synth_core.data.table import Table
from synth_core.errors import ExportError, SynthCoreError
from synth_core.experiments.filter_effect import FilterEffect, sample_measured, synthesize_measured
from synth_core.generate.conditions import LeafCoverage, RowRequest
from synth_core.generate.constraints import Constraint
from synth_core.generate.generators import GeneratorKind, available, get, infos
from synth_core.generate.generators.registry import (
    DEFAULT_GENERATOR,
    AdviceLevel,
    GeneratorInfo,
    Param,
    ParamType,
    ParamValue,
)
from synth_core.generate.protect.pii import PiiAction, exhausted_column
from synth_core.generate.protect.quality import QualitySettings
from synth_core.generate.protect.similarity import FilterSettings
from synth_core.generate.spec import (
    DP_GENERATOR,
    MAX_FILE_ROWS,
    MAX_FIT_ROWS,
    MAX_SYNTHETIC_ROWS,
    GenerationSpec,
    PrivacySetting,
    RulesSetting,
    check_table_rows,
)
from synth_core.generate.synthesize import (
    SynthResult,
    fit_advice,
    fit_estimate,
    sample_to_file,
)
from synth_core.jobs import JobRegistry, JobView, Task
from synth_core.present import plots
from synth_core.ui import jobs, state
from synth_core.ui.widgets import default, error_box

QUALITY_DEFAULT_KEEP = 50  # % (the measurement: 25-50% keeps diversity losses small)
ROWS_SUGGESTED = "rows_suggested"  # the row count last suggested for the current table
PREVIEW_ROWS = 200


@dataclass(frozen=True)
class Output:
    """The "Output and privacy" choices of the Generate page."""

    rows: int
    seed: int
    holdout: float  # share of real rows held out
    privacy: PrivacySetting
    pii_action: PiiAction
    fit_cap: int | None  # rows the generator learns from at most
    similarity: FilterSettings | None
    quality: QualitySettings | None

    def training_rows(self, table: Table) -> int:
        rows = round(len(table.df) * (1 - self.holdout))
        return min(rows, self.fit_cap) if self.fit_cap is not None else rows


PRIVACY_OPTIONS = {
    "none": "None: personal data kept as is",
    "pii": "PII protection: personal data replaced or dropped",
    "filter": "PII protection + similarity filter: no copies or near copies of real rows",
    "dp": "PII protection + differential privacy (the MST generator)",
}


def _generator_changed() -> None:
    """Choosing the DP generator is choosing differential privacy, and back."""
    if _is_dp(st.session_state.get("generator")):
        st.session_state["privacy_setting"] = "dp"
    elif st.session_state.get("privacy_setting") == "dp":
        st.session_state["privacy_setting"] = "pii"


def _privacy_changed() -> None:
    if st.session_state.get("privacy_setting") == "dp":
        st.session_state["generator"] = DP_GENERATOR
    elif _is_dp(st.session_state.get("generator")):
        st.session_state["generator"] = DEFAULT_GENERATOR


def _is_dp(name: object) -> bool:
    return any(g.kind is GeneratorKind.DP for g in infos() if g.name == name)


def param_key(generator: str, name: str) -> str:
    return f"param_{generator}_{name}"


def generator_picker() -> GeneratorInfo:
    """The available generators, with a description, licence and install hints for the rest."""
    generators = available()
    names = [g.name for g in generators]
    default("generator", DEFAULT_GENERATOR if DEFAULT_GENERATOR in names else names[0])
    name = st.selectbox(
        "Generator",
        names,
        format_func=lambda n: next(g.label for g in generators if g.name == n),
        key="generator",
        persist_state="session",
        on_change=_generator_changed,
    )
    info = next(g for g in generators if g.name == name)
    st.caption(f"{info.description} Licence: {info.licence}.")
    for missing in (g for g in infos() if not g.available):
        st.caption(f"Unavailable: {missing.label}. {missing.install_hint}")
    return info


def param_inputs(info: GeneratorInfo) -> dict[str, ParamValue]:
    """One control per parameter, built from the generator's declaration; the rarely needed
    ones under "Advanced settings"."""
    values: dict[str, ParamValue] = {}
    for param in info.params:
        if not param.advanced:
            values[param.name] = _param_input(info.name, param)
    advanced = [p for p in info.params if p.advanced]
    if advanced:
        with st.expander("Advanced settings"):
            for param in advanced:
                values[param.name] = _param_input(info.name, param)
    if not info.params:
        st.caption("This generator has no settings.")
    return values


def _param_input(generator: str, param: Param) -> ParamValue:
    key = param_key(generator, param.name)
    first: ParamValue = param.default
    if param.type is ParamType.INT:
        first = int(param.default)
    elif param.type is ParamType.FLOAT:
        first = float(param.default)
    default(key, first)
    if param.type is ParamType.BOOL:
        return bool(st.checkbox(param.label, help=param.help, key=key, persist_state="session"))
    if param.type is ParamType.TEXT:
        return str(st.text_input(param.label, help=param.help, key=key, persist_state="session"))
    if param.type is ParamType.CHOICE:
        return str(
            st.selectbox(
                param.label, list(param.choices), help=param.help, key=key, persist_state="session"
            )
        )
    if param.type is ParamType.INT:
        return int(
            st.slider(
                param.label,
                min_value=int(param.minimum or 0),
                max_value=int(param.maximum or 100),
                step=int(param.step or 1),
                help=param.help,
                key=key,
                persist_state="session",
            )
        )
    return float(
        st.slider(
            param.label,
            min_value=float(param.minimum or 0.0),
            max_value=float(param.maximum or 1.0),
            step=float(param.step or 0.01),
            format="%g",
            help=param.help,
            key=key,
            persist_state="session",
        )
    )


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
            max_fit_rows=output.fit_cap,
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


def output_settings(table: Table) -> Output:
    """Rows, seed, holdout, PII protection and the fitting row cap."""
    # The row count follows the current table (as many rows as it has, up to what is made in
    # memory) unless the user (or a recipe) changed it.
    suggested = min(len(table.df), MAX_SYNTHETIC_ROWS)
    if st.session_state.get("rows", suggested) == st.session_state.get(ROWS_SUGGESTED):
        st.session_state["rows"] = suggested
    st.session_state[ROWS_SUGGESTED] = suggested
    default("rows", suggested)
    default("seed", 0)
    default("holdout", 20)
    default("privacy_setting", "pii")
    default("fit_cap", True)
    rows = st.number_input(
        "Synthetic rows", 1, MAX_SYNTHETIC_ROWS, key="rows", persist_state="session"
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
        "Seed (same seed, same rows)", 0, 2**32 - 1, key="seed", persist_state="session"
    )
    holdout = st.slider(
        "Real rows held out for evaluation (%)",
        0,
        50,
        step=5,
        key="holdout",
        persist_state="session",
        help="Kept away from the generator, to check privacy and usefulness against later.",
    )
    setting = st.radio(
        "Privacy",
        [k for k in PRIVACY_OPTIONS if k != "dp" or DP_GENERATOR in {g.name for g in available()}],
        format_func=PRIVACY_OPTIONS.__getitem__,
        key="privacy_setting",
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
    cap: int | None = None
    if len(table.df) * (1 - holdout / 100) > MAX_FIT_ROWS:
        capped = st.checkbox(
            f"Fit on a random {MAX_FIT_ROWS:,} rows (faster; the whole table is still used for "
            "evaluation)",
            key="fit_cap",
            persist_state="session",
        )
        cap = MAX_FIT_ROWS if capped else None
    else:
        cap = MAX_FIT_ROWS
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
        max_fit_rows=output.fit_cap,
        constraints=tuple(dict.fromkeys(constraints)),
        requests=tuple(requests),
        quality_filter=output.quality,
        rules=RulesSetting.NONE,  # the rules found are among the constraints, as ticked
    )
    return output.privacy.apply(spec, output.similarity)


def start_button(registry: JobRegistry, table: Table, spec: GenerationSpec | None) -> None:
    """Generate: checks the spec, then fits and samples in a background job."""
    try:
        check_table_rows(len(table.df))
        too_small = False
    except SynthCoreError as exc:
        st.warning(str(exc))
        too_small = True
    busy = jobs.running(jobs.GENERATION)
    disabled = busy or too_small or spec is None
    if not st.button("Generate", type="primary", disabled=disabled, key="generate"):
        return
    assert spec is not None
    try:
        spec.validate()
        info = get(spec.generator)
        task = Task(
            synthesize_measured,
            (table, spec),
            budget_seconds=info.budget_seconds(spec.params),
            expected_seconds=fit_estimate(table, spec),
        )
        jobs.start(registry, jobs.GENERATION, task)
    except SynthCoreError as exc:
        error_box(exc)


def _losses(view: JobView) -> None:
    if len(view.losses) >= 2:
        st.plotly_chart(plots.loss_figure(view.losses), key=f"losses_{len(view.losses)}")
    elif view.losses:
        latest = ", ".join(f"{k} {v:.3f}" for k, v in view.losses[-1].items() if k != "epoch")
        st.caption(f"Losses after epoch 1: {latest}")


def job_panel(registry: JobRegistry) -> None:
    """Progress of this session's generation, with Cancel and the loss curve; when fake values
    ran out for a personal-data column, a button to leave that column out, next to the error."""
    jobs.panel(registry, jobs.GENERATION, state.set_result, extra=_losses)
    column = exhausted_column(str(st.session_state.get(jobs.GENERATION.error_key, "")))
    if column is None or column not in state.working_table().schema:
        return
    if st.button(f"Leave '{column}' out", key="drop_exhausted"):
        state.apply_edits(state.overrides(), [*state.dropped(), column])
        st.session_state.pop(jobs.GENERATION.error_key, None)
        st.rerun()


def result_preview(result: SynthResult) -> None:
    """How the rows were made, notes, coverage, the loss curve and the first rows."""
    spec = result.spec
    st.subheader(f"Synthetic rows ({len(result.data):,})")
    st.caption(
        f"{spec.generator}, seed {result.seed}, fitted in {result.fit_seconds:.1f} s on "
        f"{result.model.fit_rows:,} training rows ({len(result.holdout):,} held out), "
        f"sampled in {result.sample_seconds:.1f} s."
    )
    skipped = [s.describe() for s in result.model.skipped if s.instead is None]
    for warning in skipped:  # a rule found in the data and not applied: worth a look
        st.warning(warning)
    notes = [n for n in result.notes if n not in skipped]
    if notes:
        st.info("\n".join(f"- {note}" for note in notes))
    effect = state.quality_effect(result)
    if effect is not None:
        quality_effect(effect)
    if result.coverage:
        coverage_table(result.coverage)
    if len(result.model.losses) >= 2:
        with st.expander("Training losses"):
            st.plotly_chart(plots.loss_figure(result.model.losses), key="final_losses")
    st.dataframe(readable_frame(result.data.head(PREVIEW_ROWS), result.schema), hide_index=True)


def quality_effect(effect: FilterEffect) -> None:
    """Fidelity gained and diversity and distance paid by the quality filter."""
    st.markdown(f"**What the quality filter did** ({effect.rows:,} rows with and without it)")

    def number(value: float | None, form: str) -> str:
        return "n/a" if value is None else format(value, form)

    rows = []
    for label, name, form, better in (
        ("Fidelity score", "fidelity", ".3f", "higher"),
        ("Detection ROC AUC", "detection_auc", ".3f", "nearer 0.5"),
        ("Mean P(real) by the filter's classifier", "mean_p_real", ".2f", "higher"),
        ("Mean KS distance (numbers, dates)", "mean_ks", ".3f", "lower"),
        ("Mean TV distance (categories)", "mean_tvd", ".3f", "lower"),
        ("Std ratio (spread)", "std_ratio", ".3f", "nearer 1"),
        ("Tail coverage", "tail_coverage", ".2f", "nearer 1"),
        ("DCR share (closer to training than holdout)", "dcr_share", ".1%", "nearer 50%"),
    ):
        before, after = getattr(effect.before, name), getattr(effect.after, name)
        rows.append(
            {
                "measure": label,
                "without the filter": number(before, form),
                "with it": number(after, form),
                "better when": better,
            }
        )
    b, a = effect.before, effect.after
    rows.append(
        {
            "measure": "Real categories present",
            "without the filter": f"{b.categories_kept} of {b.categories_total}",
            "with it": f"{a.categories_kept} of {a.categories_total}",
            "better when": "all",
        }
    )
    st.dataframe(pd.DataFrame(rows), hide_index=True)
    st.caption(
        f"Fidelity and detection against {effect.reference}; KS and TV distances (as on the "
        "Fidelity page) and diversity against all real rows."
    )
    costs = effect.warnings()
    if costs:
        st.warning("The filter's cost: " + "; ".join(costs) + ".")


def coverage_table(leaves: Sequence[LeafCoverage]) -> None:
    """Rows asked for and produced per condition, and how common such rows are in real data."""
    frame = pd.DataFrame(
        {
            "condition": [c.label for c in leaves],
            "asked": [c.requested for c in leaves],
            "produced": [c.produced for c in leaves],
            "real rows": [c.real_rows for c in leaves],
            "real share": [c.real_share for c in leaves],
            "status": [c.status for c in leaves],
        }
    )
    st.markdown("**Coverage per condition**")
    st.dataframe(
        frame,
        hide_index=True,
        column_config={"real share": st.column_config.NumberColumn(format="percent")},
    )
    extrapolated = [c for c in leaves if c.status != "covered"]
    if extrapolated:
        st.warning(
            f"{len(extrapolated)} condition(s) are rare or absent in the real data: the generator "
            "extrapolates there, so check those rows with care before relying on them."
        )
    short = [c for c in leaves if c.produced < c.requested]
    if short:
        st.warning(
            f"{len(short)} condition(s) got fewer rows than asked for: the generator rarely "
            "produces such rows. Try fewer conditions, a wider range, or another generator."
        )


def sample_more(registry: JobRegistry, result: SynthResult, requests: Sequence[RowRequest]) -> None:
    """Draw new rows from the fitted model without training again."""
    st.markdown("**Sample again without retraining**")
    st.caption(
        f"Uses the {result.spec.generator} model already trained (the settings above are not "
        "applied, except the conditions chosen under “What to generate”)."
    )
    left, right, button = st.columns([2, 2, 1], vertical_alignment="bottom")
    default("more_rows", len(result.data))
    default("more_seed", result.seed + 1)
    rows = left.number_input(
        "Rows",
        1,
        MAX_SYNTHETIC_ROWS,
        key="more_rows",
        persist_state="session",
        disabled=bool(requests),
    )
    seed = right.number_input("Seed", 0, 2**32 - 1, key="more_seed", persist_state="session")
    if button.button("Sample", key="sample_more", disabled=jobs.running(jobs.GENERATION)):
        try:
            jobs.start(
                registry,
                jobs.GENERATION,
                Task(
                    sample_measured,
                    (result,),
                    {"rows": int(rows), "seed": int(seed), "requests": tuple(requests)},
                ),
            )
            st.rerun()
        except SynthCoreError as exc:
            error_box(exc)


def downloads_folder() -> Path:
    """Where files written on this machine go by default: ~/Downloads, else the home folder."""
    downloads = Path.home() / "Downloads"
    return downloads if downloads.is_dir() else Path.home()


def file_sample(registry: JobRegistry, result: SynthResult, stem: str) -> None:
    """Millions of rows from the fitted model, written chunk by chunk straight to a file on this
    machine, so memory stays flat."""
    st.subheader("Many rows, straight to a file")
    st.caption(
        f"Samples the trained {result.spec.generator} model again in chunks of 100,000 rows and "
        "writes each chunk to the file as it comes (CSV or Parquet, from the file name), so "
        "memory stays flat however many rows you ask for. Plain rows only (no conditions)."
    )
    default("file_rows", 1_000_000)
    default("file_seed", result.seed)
    folder = downloads_folder()
    default("file_path", str(folder / f"{stem}_synthetic_large.csv"))
    left, middle, right = st.columns([1, 1, 3])
    rows = left.number_input(
        "Rows", 1, MAX_FILE_ROWS, step=100_000, key="file_rows", persist_state="session"
    )
    seed = middle.number_input("Seed", 0, 2**32 - 1, key="file_seed", persist_state="session")
    path_text = right.text_input(
        "File on this machine (.csv or .parquet)", key="file_path", persist_state="session"
    )
    path = Path(path_text.strip()).expanduser()
    st.caption(
        f"The file is written to {path.parent} (your Downloads folder unless you change it)."
    )
    exists = path.exists()
    overwrite = (
        st.checkbox(
            f"Replace the existing {path.name}", key="file_overwrite", persist_state="session"
        )
        if exists
        else True
    )
    estimate = result.sample_seconds / max(len(result.data), 1) * int(rows)
    st.caption(f"Estimated time: {duration_words(estimate)} at the speed of the last sample.")
    busy = jobs.running(jobs.EXPORT)
    if st.button("Write the file", key="write_file", disabled=busy or not overwrite):
        try:
            check_file_name(path)
            if not path.parent.is_dir():
                raise ExportError(f"The folder {path.parent} does not exist. Create it first.")
            jobs.start(
                registry,
                jobs.EXPORT,
                Task(sample_to_file, (result.model, int(rows), path), {"seed": int(seed)}),
            )
        except SynthCoreError as exc:
            error_box(exc)
    jobs.panel(registry, jobs.EXPORT, state.set_file_sample)
    written = state.file_sample()
    if written is not None:
        size = written.path.stat().st_size if written.path.exists() else 0
        st.success(
            f"Wrote {written.rows:,} rows to {written.path} ({size / 2**20:,.1f} MB) in "
            f"{written.seconds:.1f} s."
        )
        for note in written.notes:
            st.info(note)


def curve_panel(registry: JobRegistry, table: Table, spec: GenerationSpec | None) -> None:
    """The DP generator at several ε as one background job, plotted against ε."""
    from synth_core.experiments.curve import EPSILONS, REFERENCE, privacy_utility_curve

    with st.expander("Privacy–utility curve: how much fidelity does each ε cost?"):
        st.caption(
            f"Trains the MST generator at ε = {', '.join(f'{e:g}' for e in EPSILONS)} with the "
            f"settings above, and {REFERENCE} without DP as the reference; scores each with "
            "the fidelity score and the membership-inference attack (a few minutes: about "
            "20-30 s per ε here)."
        )
        busy = jobs.running(jobs.CURVE) or spec is None
        if st.button("Run the curve", key="run_curve", disabled=busy):
            assert spec is not None
            try:
                spec.validate()
                jobs.start(registry, jobs.CURVE, Task(privacy_utility_curve, (table, spec)))
            except SynthCoreError as exc:
                error_box(exc)
        jobs.panel(registry, jobs.CURVE, state.set_curve)
        curve = state.curve()
        if curve is not None:
            st.plotly_chart(plots.privacy_utility_figure(curve), key="curve")
            st.dataframe(
                pd.DataFrame(
                    [
                        p.__dict__
                        for p in (*curve.points, *([curve.reference] if curve.reference else []))
                    ]
                ),
                hide_index=True,
            )
