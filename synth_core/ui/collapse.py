"""Collapse lab widgets: settings, the run as a background job, plots and vanished categories."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

import pandas as pd
import streamlit as st

from synth_core.data.table import Table
from synth_core.errors import SynthCoreError
from synth_core.experiments.collapse import (
    CLIP_PARAM,
    LAB_GENERATOR,
    MAX_GENERATIONS,
    MAX_RUNS,
    CollapseResult,
    Regime,
    Snapshot,
    collapse_run,
    vanished,
)
from synth_core.generate.generators import GeneratorKind, ParamValue, available
from synth_core.jobs import JobRegistry, Task
from synth_core.present.plots import COLLAPSE_METRICS, collapse_figure, snapshot_figure
from synth_core.ui import jobs, state
from synth_core.ui.widgets import default, error_box, target_picker

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
FILTER_WARNING = (
    "Cautionary demo: each generation keeps only the rows a classifier (trained on that "
    "generation's own training rows) finds most realistic — the generate-then-filter pipelines "
    "of large models. Filtering narrows the data each time (Alemohammad et al. 2023, "
    '"Self-consuming generative models go MAD", call it sampling bias): expect spread and '
    "tails to shrink faster than without it."
)


@dataclass(frozen=True)
class Choice:
    generator: str
    generations: int
    rows: int
    regimes: tuple[Regime, ...]
    mix_share: float
    seed: int
    params: dict[str, ParamValue] = field(default_factory=dict)
    runs: int = 1
    quality_keep: float | None = None
    target: str | None = None

    def task(self, table: Table) -> Task:
        return Task(
            collapse_run,
            (table, self.generator, self.generations, self.rows, self.regimes),
            {
                "mix_share": self.mix_share,
                "seed": self.seed,
                "params": self.params,
                "runs": self.runs,
                "quality_keep": self.quality_keep,
                "target": self.target,
            },
        )


def settings(table: Table) -> Choice:
    names = [g.name for g in available() if g.kind is not GeneratorKind.DP]
    default("collapse_generator", LAB_GENERATOR if LAB_GENERATOR in names else names[0])
    default("collapse_generations", 10)
    default("collapse_small", True)
    default("collapse_regimes", [r.value for r in Regime])
    left, middle, right = st.columns(3)
    generator = str(
        left.selectbox("Generator", names, key="collapse_generator", persist_state="session")
    )
    generations = int(
        middle.slider(
            "Generations", 1, MAX_GENERATIONS, key="collapse_generations", persist_state="session"
        )
    )
    small = right.toggle(
        f"Small samples ({SMALL_SAMPLE} rows per generation)",
        key="collapse_small",
        persist_state="session",
        help="Off: as many rows per generation as the real table has.",
    )
    rows = SMALL_SAMPLE if small else len(table.df)
    left, middle, right = st.columns(3)
    regimes = left.multiselect(
        "Regimes", [r.value for r in Regime], key="collapse_regimes", persist_state="session"
    )
    default("collapse_mix", 50)
    share = middle.slider(
        "Real share in 'mix' (%)", 10, 90, step=10, key="collapse_mix", persist_state="session"
    )
    default("collapse_seed", 0)
    seed = int(
        right.number_input("Seed", 0, 2**31 - 1, key="collapse_seed", persist_state="session")
    )
    left, middle, right = st.columns(3)
    default("collapse_runs", 1)
    runs = int(
        left.slider(
            "Runs (seed bands)",
            1,
            MAX_RUNS,
            key="collapse_runs",
            persist_state="session",
            help="Several runs, each learning generation 0 from a different random 80% of the "
            "real rows; the plots shade the range between the lowest and highest run.",
        )
    )
    target = target_picker(
        middle,
        table,
        "collapse_target",
        "A model is trained on each generation and tested on real rows kept out of the "
        "lab (a quarter of them).",
    )
    default("collapse_filter", False)
    filtered = right.toggle(
        "Quality filter inside the loop",
        key="collapse_filter",
        persist_state="session",
        help="A cautionary demo of generate-then-filter pipelines.",
    )
    quality_keep: float | None = None
    if filtered:
        default("collapse_filter_keep", 25)
        keep = right.slider(
            "Keep the best (%)", 5, 95, step=5, key="collapse_filter_keep", persist_state="session"
        )
        quality_keep = keep / 100
        st.warning(FILTER_WARNING)
    params: dict[str, ParamValue] = {}
    info = next(g for g in available() if g.name == generator)
    if any(p.name == CLIP_PARAM for p in info.params):
        default("collapse_clip", True)
        clip = st.toggle(
            "Clip sampled values to the training range (SDV's default)",
            key="collapse_clip",
            persist_state="session",
            help="Clipping can only narrow the range each generation: one cause of collapse.",
        )
        params[CLIP_PARAM] = bool(clip)
    return Choice(
        generator,
        generations,
        rows,
        tuple(Regime(r) for r in regimes),
        share / 100,
        seed,
        params,
        runs,
        quality_keep,
        target,
    )


def run(registry: JobRegistry, table: Table, choice: Choice) -> None:
    fits = choice.runs * len(choice.regimes) * choice.generations
    st.caption(
        f"{len(choice.regimes)} regime(s) x {choice.generations} generation(s) of "
        f"{choice.rows:,} rows" + (f" x {choice.runs} runs" if choice.runs > 1 else "") + f": "
        f"{fits} fits of {choice.generator}."
    )
    if st.button(
        "Run the lab", type="primary", key="run_collapse", disabled=jobs.running(jobs.COLLAPSE)
    ):
        try:
            jobs.start(registry, jobs.COLLAPSE, choice.task(table))
        except SynthCoreError as exc:
            error_box(exc)
    jobs.panel(registry, jobs.COLLAPSE, state.set_collapse)


def metrics_frame(result: CollapseResult) -> pd.DataFrame:
    """One row per regime, run and generation (the CSV download)."""
    rows = []
    runs = result.runs or {k: (v,) for k, v in result.regimes.items()}
    for regime, per_run in runs.items():
        for number, metrics in enumerate(per_run, start=1):
            for m in metrics:
                values = asdict(m)
                values["missing_categories"] = "; ".join(m.missing_categories)
                rows.append({"regime": regime, "run": number, **values})
    return pd.DataFrame(rows)


def _plots(result: CollapseResult, names: tuple[str, ...], prefix: str) -> None:
    left, right = st.columns(2)
    for position, name in enumerate(names):
        column = left if position % 2 == 0 else right
        with column:
            st.plotly_chart(collapse_figure(result, name), key=f"{prefix}_{name}")


def _spread(snapshot: Snapshot) -> tuple[bool, int]:
    """Numbers before categories, then the number of bins the real rows fill."""
    return bool(snapshot.edges), sum(share > 0 for share in snapshot.shares)


def results(result: CollapseResult) -> None:
    st.subheader(
        f"{result.generator}, {result.generations} generations of {result.sample_size:,} rows"
    )
    for note in result.notes:
        st.info(note)
    shapes, pictures, model_tab, lost = st.tabs(
        ["Distributions", "One column over time", "Detection and TSTR", "Vanished categories"]
    )
    with shapes:
        main = ("mean_ks", "std_ratio", "tail_coverage", "categories_kept")
        _plots(result, main, "collapse")
        metric = st.selectbox(
            "More metrics",
            [m for m in COLLAPSE_METRICS if m not in (*main, "detection_auc", "tstr")],
            format_func=COLLAPSE_METRICS.__getitem__,
            key="collapse_metric",
            persist_state="session",
        )
        st.plotly_chart(collapse_figure(result, str(metric)), key="collapse_plot")
    with pictures:
        columns = list(result.real_snapshots)
        if columns:
            # Opens on the column with the widest real distribution (not a 0/1 column).
            default(
                "collapse_column",
                max(columns, key=lambda c: _spread(result.real_snapshots[c])),
            )
            if st.session_state[state.COLLAPSE_COLUMN] not in columns:
                del st.session_state[state.COLLAPSE_COLUMN]
                default(state.COLLAPSE_COLUMN, columns[0])
            column = st.selectbox(
                "Column", columns, key=state.COLLAPSE_COLUMN, persist_state="session"
            )
            st.plotly_chart(snapshot_figure(result, str(column)), key="collapse_snapshots")
        else:
            st.caption("No column to draw.")
    with model_tab:
        names = ("detection_auc", "tstr") if result.target else ("detection_auc",)
        _plots(result, names, "collapse_model")
        if not result.target:
            st.caption("Choose a target above to see TSTR per generation.")
    with lost:
        rows = [
            {"regime": regime, "category": category, "missing from generation": generation}
            for regime, metrics in result.regimes.items()
            for category, generation in vanished(metrics)
        ]
        if rows:
            st.dataframe(pd.DataFrame(rows), hide_index=True)
        else:
            st.caption("No real category went missing.")
    left, right = st.columns(2)
    left.download_button(
        "Download the results (JSON)",
        json.dumps(result.to_dict(), indent=2),
        file_name="collapse.json",
        mime="application/json",
        on_click="ignore",
        key="collapse_download",
    )
    right.download_button(
        "Download the metrics (CSV)",
        metrics_frame(result).to_csv(index=False),
        file_name="collapse.csv",
        mime="text/csv",
        on_click="ignore",
        key="collapse_download_csv",
    )
