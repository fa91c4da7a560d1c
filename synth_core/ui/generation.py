"""Generate-page widgets: generator choice, settings, the background job and the result."""

from __future__ import annotations

import streamlit as st

from synth_core.errors import SynthCoreError
from synth_core.generators import available, infos
from synth_core.generators.registry import GeneratorInfo, Param, ParamType, ParamValue
from synth_core.io.export import readable_frame
from synth_core.jobs import JobRegistry
from synth_core.privacy.pii import PiiAction
from synth_core.schema import ColumnKind
from synth_core.synthesize import (
    MIN_ROWS,
    GenerationSpec,
    PrivacySetting,
    SynthResult,
    synthesize,
)
from synth_core.table import Table
from synth_core.ui import jobs, state
from synth_core.ui.widgets import error_box

DEFAULT_GENERATOR = "gaussian_copula"
MAX_DEFAULT_ROWS = 10_000


def generator_picker() -> GeneratorInfo:
    """The available generators, with a description, licence and install hints for the rest."""
    generators = available()
    names = [g.name for g in generators]
    name = st.selectbox(
        "Generator",
        names,
        index=names.index(DEFAULT_GENERATOR) if DEFAULT_GENERATOR in names else 0,
        format_func=lambda n: next(g.label for g in generators if g.name == n),
        key="generator",
    )
    info = next(g for g in generators if g.name == name)
    st.caption(f"{info.description} Licence: {info.licence}.")
    for missing in (g for g in infos() if not g.available):
        st.caption(f"Unavailable: {missing.label}. {missing.install_hint}")
    return info


def output_settings(table: Table, generator: str, params: dict[str, ParamValue]) -> GenerationSpec:
    """Rows, seed, holdout and PII protection; with the generator, the whole spec."""
    rows = st.number_input(
        "Synthetic rows", 1, 1_000_000, value=min(len(table.df), MAX_DEFAULT_ROWS), key="rows"
    )
    seed = st.number_input("Seed (same seed, same rows)", 0, 2**32 - 1, value=0, key="seed")
    holdout = st.slider(
        "Real rows held out for evaluation (%)",
        0,
        50,
        20,
        5,
        key="holdout",
        help="Kept away from the generator, to check privacy and usefulness against later.",
    )
    protect = st.toggle(
        "PII protection", value=True, key="pii", help="Replace or drop personal data"
    )
    action = PiiAction.REPLACE
    if protect and table.schema.of_kind(ColumnKind.PII):
        choice = st.radio("Personal data", ["replace", "drop"], horizontal=True, key="pii_action")
        action = PiiAction(choice)
    return GenerationSpec(
        generator=generator,
        params=params,
        rows=int(rows),
        seed=int(seed),
        holdout_fraction=holdout / 100,
        privacy=PrivacySetting.PII if protect else PrivacySetting.NONE,
        pii_action=action,
    )


def start_button(registry: JobRegistry, table: Table, spec: GenerationSpec) -> None:
    """Generate: checks the spec, then fits and samples in a background job."""
    too_small = len(table.df) < MIN_ROWS
    if too_small:
        st.warning(
            f"The table has {len(table.df)} row(s); at least {MIN_ROWS} are needed to learn "
            "anything. Upload a larger table."
        )
    busy = jobs.running(jobs.GENERATION)
    if not st.button("Generate", type="primary", disabled=busy or too_small, key="generate"):
        return
    try:
        spec.validate()
        jobs.start(registry, jobs.GENERATION, lambda progress: synthesize(table, spec, progress))
    except SynthCoreError as exc:
        error_box(exc)


def result_preview(result: SynthResult) -> None:
    """How the rows were made, notes, and the first rows written as in the uploaded file."""
    spec = result.spec
    st.subheader(f"Synthetic rows ({len(result.data):,})")
    st.caption(
        f"{spec.generator}, seed {spec.seed}, fitted in {result.fit_seconds:.1f} s, "
        f"sampled in {result.sample_seconds:.1f} s, on {len(result.train):,} training rows "
        f"({len(result.holdout):,} held out)."
    )
    for note in result.notes:
        st.info(note)
    st.dataframe(readable_frame(result.data.head(200), result.schema), hide_index=True)


def param_inputs(info: GeneratorInfo) -> dict[str, ParamValue]:
    """One control per parameter, built from the generator's declaration."""
    values: dict[str, ParamValue] = {}
    for param in info.params:
        values[param.name] = _param_input(info.name, param)
    return values


def _param_input(generator: str, param: Param) -> ParamValue:
    key = f"param_{generator}_{param.name}"
    if param.type is ParamType.BOOL:
        return bool(st.checkbox(param.label, value=bool(param.default), help=param.help, key=key))
    if param.type is ParamType.CHOICE:
        return str(
            st.selectbox(
                param.label,
                list(param.choices),
                index=list(param.choices).index(str(param.default)),
                help=param.help,
                key=key,
            )
        )
    if param.type is ParamType.INT:
        return int(
            st.slider(
                param.label,
                min_value=int(param.minimum or 0),
                max_value=int(param.maximum or 100),
                value=int(param.default),
                step=int(param.step or 1),
                help=param.help,
                key=key,
            )
        )
    return float(
        st.slider(
            param.label,
            min_value=float(param.minimum or 0.0),
            max_value=float(param.maximum or 1.0),
            value=float(param.default),
            step=float(param.step or 0.01),
            help=param.help,
            key=key,
        )
    )


def job_panel(registry: JobRegistry) -> None:
    """Progress of this session's generation, with Cancel; the result goes to the session."""
    jobs.panel(registry, jobs.GENERATION, state.set_result)
