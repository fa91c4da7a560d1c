"""Recipes on the Generate page: load one (it sets every control), or save the current settings."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from synth_core.data.schema import ColumnOverride
from synth_core.data.table import Table
from synth_core.errors import SynthCoreError
from synth_core.generate.generators import registry
from synth_core.generate.recipe import Recipe, make_recipe
from synth_core.generate.spec import GenerationSpec, PrivacySetting, RulesSetting
from synth_core.ui import conditions, state
from synth_core.ui.generator_form import param_key
from synth_core.ui.widgets import set_reading_widgets

_UPLOAD = "recipe_upload"
_MESSAGES = "recipe_messages"
_ERROR = "recipe_error"


def _load() -> None:
    """on_change of the recipe uploader: runs before the page draws its widgets, so it can
    set them. A recipe that does not fit leaves everything as it was."""
    upload = st.session_state.get(_UPLOAD)
    st.session_state.pop(_MESSAGES, None)
    st.session_state.pop(_ERROR, None)
    if upload is None:
        return
    source = state.source()
    before_options, before_edits = state.read_options(), state.edits()
    try:
        recipe = Recipe.from_json(upload.getvalue())
        spec_info = registry.get(recipe.generator)
        params = spec_info.validate(recipe.params)
        state.choose_source(source, recipe.read_options())
        base = state.base_table()
        recipe.apply(base)  # refuses columns this table does not have
        overrides = {name: ColumnOverride.parse(label) for name, label in recipe.kinds.items()}
        table = state.apply_edits(state.ColumnEdits(overrides, tuple(recipe.dropped)))
        spec = recipe.spec(table.schema)
        spec.validate()
    except SynthCoreError as exc:
        state.choose_source(source, before_options)
        state.apply_edits(before_edits)
        st.session_state[_ERROR] = f"The recipe was not loaded: {exc}"
        return
    set_reading_widgets(source, recipe.read_options())
    values: dict[str, object] = {
        "generator": spec.generator,
        "seed": spec.seed,
        "holdout": round(spec.holdout_fraction * 100),
        "privacy_setting": PrivacySetting.of(spec).value,
        "pii_action": spec.pii_action.value,
        "fit_cap": spec.max_fit_rows is not None,
        "sampling_mode": conditions.RECIPE if spec.requests else conditions.PLAIN,
    }
    if not spec.requests:
        values[state.ROWS] = spec.rows
    if spec.similarity_filter is not None:
        values["filter_quantile"] = round(spec.similarity_filter.quantile * 100)
        values["filter_outliers"] = spec.similarity_filter.drop_outliers
    for name, value in params.items():
        values[param_key(spec.generator, name)] = value
    # Rules found in the data are ticked when the recipe keeps them (all, with rules=auto);
    # the recipe's other constraints are the user's own.
    discovery = state.discovery(table, spec.holdout_fraction, spec.seed)
    found = {r.constraint for r in discovery.exact}
    for constraint in found:
        kept = spec.rules == RulesSetting.AUTO or constraint in spec.constraints
        values[conditions.rule_key(constraint)] = kept
    st.session_state.update(values)
    state.set_constraints(tuple(c for c in spec.constraints if c not in found))
    state.set_recipe_requests(spec.requests)
    messages = [f"Loaded the recipe {upload.name}: {spec_info.label}, seed {spec.seed}."]
    messages += recipe.differences(source.data, table)
    if isinstance(spec.max_fit_rows, int) and spec.max_fit_rows != spec_info.fit_rows:
        messages.append(f"The recipe caps fitting at {spec.max_fit_rows:,} rows.")
    st.session_state[_MESSAGES] = messages


def recipe_box(table: Table, spec: GenerationSpec | None) -> None:
    """Load a recipe file, or download the current settings as one."""
    with st.expander("Recipe: save or load all settings"):
        st.caption(
            "A recipe is a small JSON file with the generator, its settings, the seed, privacy, "
            "constraints, conditions and column kinds. The same recipe on the same file gives "
            "the same rows, here or with `synth-studio generate --recipe`."
        )
        left, right = st.columns(2)
        left.file_uploader("Load a recipe", type=["json"], key=_UPLOAD, on_change=_load)
        if spec is None:
            right.caption("Fix the settings below to save them as a recipe.")
        else:
            try:
                recipe = make_recipe(
                    spec,
                    table,
                    state.source().data,
                    state.read_options(),
                    {name: o.label for name, o in state.overrides().items()},
                    state.dropped(),
                )
                stem = Path(state.source().name).name.split(".")[0] or "table"
                right.download_button(
                    "Save recipe",
                    recipe.to_json(),
                    file_name=f"{stem}_recipe.json",
                    mime="application/json",
                    on_click="ignore",
                    key="save_recipe",
                )
            except SynthCoreError as exc:
                right.error(str(exc))
    if _ERROR in st.session_state:
        st.error(st.session_state[_ERROR])
    for message in st.session_state.get(_MESSAGES, []):
        st.info(message)
