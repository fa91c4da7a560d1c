"""Collapse lab widgets: settings, the run as a background job, plots and vanished categories."""

from __future__ import annotations

import json

import pandas as pd
import streamlit as st

from synth_core.collapse import MAX_GENERATIONS, CollapseResult, Regime, collapse_run, vanished
from synth_core.errors import SynthCoreError
from synth_core.generators import ParamValue, available
from synth_core.jobs import JobRegistry, Task
from synth_core.plots import COLLAPSE_METRICS, collapse_figure
from synth_core.table import Table
from synth_core.ui import jobs, state
from synth_core.ui.widgets import default, error_box

SMALL_SAMPLE = 200
EXPLANATION = (
    "A model trained on its own output, generation after generation, slowly forgets the real "
    "data: rare values and tails go first, then the spread (Shumailov et al., *Nature* 2024, "
    '"AI models collapse when trained on recursively generated data"). Keeping the real data '
    'and adding each generation to it keeps the error bounded (Gerstgrasser et al. 2024, "Is '
    'model collapse inevitable?"), and mixing in enough fresh real data each time keeps it '
    'stable (Bertrand et al. 2023, "On the stability of iterative retraining of generative '
    'models on their own data"). Every generation below is measured against your original real '
    "rows. Small samples per generation collapse faster, as in the papers."
)


Choice = tuple[str, int, int, list[Regime], float, int, dict[str, ParamValue]]


def settings(table: Table) -> Choice:
    names = [g.name for g in available() if g.kind.value != "dp"]
    default("collapse_generator", "gaussian_copula" if "gaussian_copula" in names else names[0])
    default("collapse_generations", 10)
    default("collapse_small", True)
    default("collapse_regimes", [r.value for r in Regime])
    left, middle, right = st.columns(3)
    generator = str(left.selectbox("Generator", names, key="collapse_generator"))
    generations = int(middle.slider("Generations", 1, MAX_GENERATIONS, key="collapse_generations"))
    small = right.toggle(
        f"Small samples ({SMALL_SAMPLE} rows per generation)",
        key="collapse_small",
        help="Off: as many rows per generation as the real table has.",
    )
    rows = SMALL_SAMPLE if small else len(table.df)
    left, middle, right = st.columns(3)
    regimes = left.multiselect("Regimes", [r.value for r in Regime], key="collapse_regimes")
    default("collapse_mix", 50)
    share = middle.slider("Real share in 'mix' (%)", 10, 90, step=10, key="collapse_mix")
    default("collapse_seed", 0)
    seed = int(right.number_input("Seed", 0, 2**31 - 1, key="collapse_seed"))
    params: dict[str, ParamValue] = {}
    info = next(g for g in available() if g.name == generator)
    if any(p.name == "enforce_min_max_values" for p in info.params):
        default("collapse_clip", True)
        clip = st.toggle(
            "Clip sampled values to the training range (SDV's default)",
            key="collapse_clip",
            help="Clipping can only narrow the range each generation: one cause of collapse.",
        )
        params["enforce_min_max_values"] = bool(clip)
    return generator, generations, rows, [Regime(r) for r in regimes], share / 100, seed, params


def run(registry: JobRegistry, table: Table, choice: Choice) -> None:
    generator, generations, rows, regimes, share, seed, params = choice
    st.caption(
        f"{len(regimes)} regime(s) x {generations} generation(s) of {rows:,} rows: "
        f"{len(regimes) * generations} fits of {generator}."
    )
    if st.button(
        "Run the lab", type="primary", key="run_collapse", disabled=jobs.running(jobs.COLLAPSE)
    ):
        try:
            jobs.start(
                registry,
                jobs.COLLAPSE,
                Task(
                    collapse_run,
                    (table, generator, generations, rows, tuple(regimes)),
                    {"mix_share": share, "seed": seed, "params": params},
                ),
            )
        except SynthCoreError as exc:
            error_box(exc)
    jobs.panel(registry, jobs.COLLAPSE, state.set_collapse)


def results(result: CollapseResult) -> None:
    st.subheader(
        f"{result.generator}, {result.generations} generations of {result.sample_size:,} rows"
    )
    metric = st.selectbox(
        "Metric",
        list(COLLAPSE_METRICS),
        format_func=COLLAPSE_METRICS.__getitem__,
        key="collapse_metric",
    )
    st.plotly_chart(collapse_figure(result, str(metric)), key="collapse_plot")
    left, right = st.columns(2)
    with left:
        for name in ("mean_ks", "std_ratio"):
            st.plotly_chart(collapse_figure(result, name), key=f"collapse_{name}")
    with right:
        for name in ("tail_coverage", "categories_kept"):
            st.plotly_chart(collapse_figure(result, name), key=f"collapse_{name}")
    rows = [
        {"regime": regime, "category": category, "missing from generation": generation}
        for regime, metrics in result.regimes.items()
        for category, generation in vanished(metrics)
    ]
    st.markdown("**Categories that vanished, and when**")
    if rows:
        st.dataframe(pd.DataFrame(rows), hide_index=True)
    else:
        st.caption("No real category went missing.")
    st.download_button(
        "Download the results (JSON)",
        json.dumps(result.to_dict(), indent=2),
        file_name="collapse.json",
        mime="application/json",
        on_click="ignore",
        key="collapse_download",
    )
