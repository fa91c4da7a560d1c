"""Generate page: choose a generator and its settings, run it in the background, preview rows."""

import streamlit as st

from synth_core.errors import SynthCoreError
from synth_core.generators import available, infos
from synth_core.privacy.pii import PiiAction
from synth_core.schema import ColumnKind
from synth_core.synthesize import GenerationSpec, PrivacySetting, synthesize
from synth_core.ui import state, widgets
from synth_core.ui.resources import job_registry

st.title("Generate")
try:
    table = state.working_table()
except SynthCoreError as exc:
    widgets.error_box(exc)
    st.page_link("pages/data.py", label="← Back to the Data page")
    st.stop()
st.caption(
    f"Learning from **{state.source().name}**: {len(table.df):,} rows, {len(table.schema)} columns."
)

generators = available()
names = [g.name for g in generators]
name = st.selectbox(
    "Generator",
    names,
    index=names.index("gaussian_copula") if "gaussian_copula" in names else 0,
    format_func=lambda n: next(g.label for g in generators if g.name == n),
    key="generator",
)
info = next(g for g in generators if g.name == name)
st.caption(f"{info.description} Licence: {info.licence}.")
for missing in (g for g in infos() if not g.available):
    st.caption(f"Unavailable: {missing.label}. {missing.install_hint}")

left, right = st.columns(2)
with left:
    st.markdown("**Generator settings**")
    params = widgets.param_inputs(info)
with right:
    st.markdown("**Output and privacy**")
    rows = st.number_input(
        "Synthetic rows", 1, 1_000_000, value=min(len(table.df), 10_000), key="rows"
    )
    seed = st.number_input("Seed (same seed, same rows)", 0, 2**32 - 1, value=0, key="seed")
    holdout = st.slider("Real rows held out for evaluation", 0.0, 0.5, 0.2, 0.05, key="holdout")
    protect = st.toggle(
        "PII protection", value=True, key="pii", help="Replace or drop personal data"
    )
    action = PiiAction.REPLACE
    if protect and table.schema.of_kind(ColumnKind.PII):
        action = PiiAction(
            st.radio("Personal data", ["replace", "drop"], horizontal=True, key="pii_action")
        )

registry = job_registry()
if st.button("Generate", type="primary", disabled=state.job_id() is not None, key="generate"):
    spec = GenerationSpec(
        generator=name,
        params=params,
        rows=int(rows),
        seed=int(seed),
        holdout_fraction=float(holdout),
        privacy=PrivacySetting.PII if protect else PrivacySetting.NONE,
        pii_action=action,
    )
    try:
        spec.validate()
        job = registry.start(
            state.owner(), "generate", lambda progress: synthesize(table, spec, progress)
        )
        st.session_state.pop(widgets.LAST_ERROR, None)
        state.set_job(job.id)
    except SynthCoreError as exc:
        widgets.error_box(exc)
widgets.job_panel(registry)

result = state.result()
if result is not None:
    spec = result.spec
    st.subheader(f"Synthetic rows ({len(result.data):,})")
    st.caption(
        f"{spec.generator}, seed {spec.seed}, fitted in {result.fit_seconds:.1f} s, "
        f"sampled in {result.sample_seconds:.1f} s, on {len(result.train):,} training rows "
        f"({len(result.holdout):,} held out)."
    )
    for note in result.notes:
        st.info(note)
    st.dataframe(result.data.head(200), hide_index=True)
    st.page_link("pages/compare.py", label="Next: compare with the real data →")
