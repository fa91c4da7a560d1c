"""Generate page: generator, settings, constraints and conditions; training runs in the
background with progress and Cancel; then a preview, coverage and "sample again"."""

import streamlit as st

from synth_core.errors import SynthCoreError
from synth_core.generate.generators import GeneratorKind
from synth_core.generate.spec import PrivacySetting
from synth_core.ui import (
    compare,
    conditions,
    curve,
    generation,
    generator_form,
    linked,
    output_form,
    recipes,
    state,
    tables,
    widgets,
)
from synth_core.ui.resources import job_registry

st.title("Generate")
linked_set = tables.active()
if linked_set is not None:
    linked.generate_view(*linked_set, job_registry())
    st.page_link("app_pages/fidelity.py", label="Next: fidelity →")
    st.stop()
try:
    table = state.working_table()
except SynthCoreError as exc:
    widgets.error_box(exc)
    st.page_link("app_pages/data.py", label="← Back to the Data page")
    st.stop()
st.caption(
    f"Learning from **{state.source().name}**: {len(table.df):,} rows, {len(table.schema)} columns."
)
recipe_slot = st.container()
registry = job_registry()
compare.section(registry, table)

st.markdown("**Step 2: generate**")
info = generator_form.generator_picker()
left, right = st.columns(2)
with left:
    st.markdown("**Generator settings**")
    params = generator_form.param_inputs(info)
with right:
    st.markdown("**Output and privacy**")
    output = output_form.output_settings(table, info)
with left:
    output_form.estimate_note(info, table, params, output)

found = conditions.rules_editor(
    table, output.holdout, output.seed, dp=output.privacy is PrivacySetting.DP
)
constraints = (*conditions.constraints_editor(table), *found)
requests = conditions.what_to_generate(table)
spec = (
    None
    if requests is None
    else output_form.build_spec(info.name, params, output, constraints, requests)
)
with recipe_slot:
    recipes.recipe_box(table, spec)

if info.kind is GeneratorKind.DP:
    curve.curve_panel(registry, table, spec)
generation.start_button(registry, table, spec)
generation.job_panel(registry)

result = state.result()
if result is not None:
    generation.result_preview(result)
    generation.sample_more(registry, result, requests or [])
    st.page_link("app_pages/fidelity.py", label="Next: check fidelity →")
