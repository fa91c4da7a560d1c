"""Generate page, step 2: the generator picker and one control per declared parameter."""

from __future__ import annotations

import streamlit as st

from synth_core.generate.generators import GeneratorKind, available, infos
from synth_core.generate.generators.registry import (
    DEFAULT_GENERATOR,
    GeneratorInfo,
    Param,
    ParamType,
    ParamValue,
)
from synth_core.ui import state
from synth_core.ui.widgets import default


def _generator_changed() -> None:
    """Choosing the DP generator is choosing differential privacy, and back."""
    if is_dp(st.session_state.get(state.GENERATOR)):
        st.session_state[state.PRIVACY_SETTING] = "dp"
    elif st.session_state.get(state.PRIVACY_SETTING) == "dp":
        st.session_state[state.PRIVACY_SETTING] = "pii"


def is_dp(name: object) -> bool:
    return any(g.kind is GeneratorKind.DP for g in infos() if g.name == name)


def param_key(generator: str, name: str) -> str:
    return f"param_{generator}_{name}"


def generator_picker() -> GeneratorInfo:
    """The available generators, with a description, licence and install hints for the rest."""
    generators = available()
    names = [g.name for g in generators]
    default(state.GENERATOR, DEFAULT_GENERATOR if DEFAULT_GENERATOR in names else names[0])
    name = st.selectbox(
        "Generator",
        names,
        format_func=lambda n: next(g.label for g in generators if g.name == n),
        key=state.GENERATOR,
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
