"""The Generate, Fidelity and Privacy pages for a set of linked tables: generate the whole set in
a background job, preview each table, download a zip; the set's quality with a table selector
and a Links view; privacy per entity."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime

import pandas as pd
import streamlit as st

from synth_core.data.database import Database, Links, link_order
from synth_core.data.io.export import readable_frame
from synth_core.errors import SynthCoreError
from synth_core.evaluate.linked import LinkedEvaluation
from synth_core.generate.generators import GeneratorKind, available
from synth_core.generate.generators.registry import DEFAULT_GENERATOR
from synth_core.generate.linked import Orphans, bound_kept, entity_table
from synth_core.generate.linked.baselines import LABELS, LinkedMethod
from synth_core.generate.linked.recipe import make_linked_recipe, read_linked_recipe
from synth_core.generate.spec import GenerationSpec
from synth_core.jobs import JobRegistry, Task
from synth_core.present import plots
from synth_core.present.report import linked_report_html
from synth_core.ui import jobs, state, tables
from synth_core.ui.widgets import error_box
from synth_core.workflows.linked import LinkedMeasured, synthesize_linked_measured

RESULT = state.key("linked_result", state.Scope.SESSION)  # (set digest, LinkedMeasured)
SIZE = state.key("linked_size", state.Scope.SESSION)
TOP_ROWS = state.key("linked_top_rows", state.Scope.SESSION)
GENERATOR = state.key("linked_generator", state.Scope.SESSION)
SEED = state.key("linked_seed", state.Scope.SESSION)
HOLDOUT = state.key("linked_holdout", state.Scope.SESSION)
PREVIEW = state.key("linked_preview", state.Scope.SESSION)
KEEP = state.key("linked_keep", state.Scope.SESSION)
METHOD = state.key("linked_method", state.Scope.SESSION)
ORPHANS = state.key("linked_orphans", state.Scope.SESSION)
ORPHAN_CHOICES = {
    "Leave them out": Orphans.DROP,
    "Keep them, with an empty key": Orphans.KEEP,
}
SIZES = {"×0.5": 0.5, "×1": 1.0, "×2": 2.0, "rows of the top table": None}
PREVIEW_ROWS = 200
APPLIED = "Recipe applied: its settings and links are below."
REFERENCE_ROWS = 500  # a table this small at the top may be kept as it is


def digest(database: Database, links: Links) -> str:
    """Identifies the set (its tables' bytes and links) so a result is never shown for
    another set or other links."""
    hashed = hashlib.sha256()
    for relation in links.relations:
        hashed.update(repr((relation.child, relation.child_key, relation.parent)).encode())
    for name, (filename, data) in sorted(database.sources.items()):
        hashed.update(f"{name}\0{filename}\0".encode())
        hashed.update(hashlib.sha256(data).digest())
    return hashed.hexdigest()


def result(database: Database, links: Links) -> LinkedMeasured | None:
    stored = st.session_state.get(RESULT)
    if stored is None or stored[0] != digest(database, links):
        return None
    measured: LinkedMeasured = stored[1]
    return measured


def _store(database: Database, links: Links) -> Callable[[LinkedMeasured], None]:
    def store(measured: LinkedMeasured) -> None:
        st.session_state[RESULT] = (digest(database, links), measured)

    return store


def generate_view(database: Database, links: Links, registry: JobRegistry) -> None:
    """Settings, the Generate button, the job's progress, then the result and the zip."""
    rows = sum(len(t.df) for t in database.tables.values())
    top = link_order(list(database.tables), links.relations)[0]
    st.caption(
        f"Learning from a set of {len(database.tables)} linked tables ({rows:,} rows, "
        f"{len(links.relations)} links). Parents are made before their children; every key "
        "gets a new ID and every link points at a synthetic parent."
    )
    _recipe_loader(database, links)
    method = LinkedMethod(
        st.radio(
            "How the set is made",
            [m.value for m in LinkedMethod],
            key=METHOD,
            format_func=lambda m: LABELS[LinkedMethod(m)],
        )
    )
    generators = [g for g in available() if g.kind is not GeneratorKind.DP]  # see linked.py
    names = [g.name for g in generators]
    st.session_state.setdefault(GENERATOR, DEFAULT_GENERATOR)
    left, middle, right = st.columns(3)
    generator = left.selectbox(
        "Generator for each table",
        names,
        key=GENERATOR,
        format_func=lambda n: next(g.label for g in generators if g.name == n),
        disabled=method is not LinkedMethod.PER_TABLE,
    )
    st.session_state.setdefault(SIZE, "×1")  # as large as the real set
    size = middle.radio("Size of the set", list(SIZES), key=SIZE, horizontal=True)
    scale = SIZES[str(size)]
    if scale is None:
        top_rows = middle.number_input(
            f"Rows of {top}",
            1,
            10 * len(database.tables[top].df),
            len(database.tables[top].df),
            key=TOP_ROWS,
        )
        scale = int(top_rows) / max(len(database.tables[top].df), 1)
    seed = right.number_input("Seed", 0, 2**31 - 1, 0, key=SEED)
    holdout = right.slider(
        "Entities held out to measure privacy (%)",
        0,
        50,
        20,
        key=HOLDOUT,
        help="A share of the main table's rows, each with all its child rows, is kept aside; "
        "the synthetic entities are compared with them on the Privacy page.",
    )
    reference = _reference_tables(database, links)
    keep = st.multiselect(
        "Keep as they are (reference tables)",
        reference,
        key=KEEP,
        help="A list such as districts or countries is no one's personal data: kept, its rows "
        "and keys are the real ones and its children point at them. Every other table is "
        "synthesized.",
    )
    orphan_rows = Orphans.DROP
    lost = [r for r in links.relations if r.orphans]
    if lost:
        counted = "; ".join(f"{r.orphans:,} in {r.child}" for r in lost)
        choice = st.radio(
            f"Rows whose key points at no parent row ({counted})",
            list(ORPHAN_CHOICES),
            key=ORPHANS,
            horizontal=True,
            help="Left out, the synthetic set has none; kept, they are learnt with an empty "
            "key, so as many synthetic rows (in share) have no parent.",
        )
        orphan_rows = ORPHAN_CHOICES[str(choice)]
    busy = jobs.running(jobs.LINKED)
    if st.button("Generate the set", type="primary", disabled=busy, key="linked_generate"):
        spec = GenerationSpec(
            generator=str(generator), seed=int(seed), holdout_fraction=holdout / 100
        )
        try:
            spec.validate()
            arguments = (database, links, spec, scale, tuple(keep), orphan_rows, method)
            task = Task(synthesize_linked_measured, arguments)
            jobs.start(registry, jobs.LINKED, task)
        except SynthCoreError as exc:
            error_box(exc)
    jobs.panel(registry, jobs.LINKED, _store(database, links))
    measured = result(database, links)
    if measured is not None:
        result_view(database, measured)


def _reference_tables(database: Database, links: Links) -> list[str]:
    """Tables that may be kept as they are: small lists at the top with children, never the
    table whose rows are the entities."""
    entity = entity_table(database, links)
    return [
        name
        for name, table in database.tables.items()
        if not any(r.child == name for r in links.relations)
        and any(r.parent == name for r in links.relations)
        and len(table.df) <= REFERENCE_ROWS
        and name != entity
    ]


def _recipe_loader(database: Database, links: Links) -> None:
    """Load a saved recipe: the links and settings it holds are applied to this set."""
    with st.expander("Load a recipe (JSON) saved from a set"):
        upload = st.file_uploader("Recipe", type=["json"], key="linked_recipe_upload")
        if upload is not None:
            st.button(
                "Apply the recipe",
                key="linked_recipe_apply",
                on_click=_apply_recipe,
                args=(upload.getvalue(), database, links),
            )
        for line in st.session_state.pop("linked_recipe_notes", []):
            (st.success if line == APPLIED else st.warning)(line)


def _apply_recipe(data: bytes, database: Database, links: Links) -> None:
    """Before the widgets are drawn (a callback): their values and the set's links."""
    try:
        recipe = read_linked_recipe(data)
        new_links, warnings = recipe.links_for(database, links)
    except SynthCoreError as exc:
        st.session_state["linked_recipe_notes"] = [str(exc)]
        return
    cached = st.session_state.get(tables.READ)
    if cached is not None:
        st.session_state[tables.READ] = (cached[0], database, new_links)
    st.session_state[METHOD] = recipe.method
    st.session_state[GENERATOR] = recipe.generator
    st.session_state[SEED] = recipe.seed
    st.session_state[HOLDOUT] = round(100 * recipe.holdout_fraction)
    sizes = {v: k for k, v in SIZES.items() if v is not None}
    if recipe.scale in sizes:
        st.session_state[SIZE] = sizes[recipe.scale]
    else:
        top = link_order(list(database.tables), new_links.relations)[0]
        st.session_state[SIZE] = "rows of the top table"
        st.session_state[TOP_ROWS] = max(round(recipe.scale * len(database.tables[top].df)), 1)
    allowed = _reference_tables(database, new_links)
    st.session_state[KEEP] = [name for name in recipe.keep if name in allowed]
    choices = {v.value: k for k, v in ORPHAN_CHOICES.items()}
    st.session_state[ORPHANS] = choices[recipe.orphans]
    st.session_state["linked_recipe_notes"] = [*warnings, APPLIED]


def result_view(database: Database, measured: LinkedMeasured) -> None:
    """What was made: sizes, integrity, notes, a preview per table and the zip."""
    found, made = measured.evaluation, measured.result
    st.subheader("The synthetic set")
    columns = st.columns(4)
    columns[0].metric("Tables", len(made.tables))
    columns[1].metric("Rows", f"{sum(len(f) for f in made.tables.values()):,}")
    worst = min((s.integrity for s in found.links), default=1.0)
    columns[2].metric(
        "Links that hold", f"{worst:.0%}", help="The worst link's share of keys found"
    )
    columns[3].metric("Quality (multi-table)", f"{found.overall:.3f}")
    st.caption(
        (
            measured.spec.generator
            if measured.method is LinkedMethod.PER_TABLE
            else LABELS[measured.method].split(" (")[0]
        )
        + f", seed {measured.spec.seed}, ×{measured.scale:g}"
        + (f", kept as they are: {', '.join(measured.keep)}" if measured.keep else "")
        + f", made in "
        f"{made.seconds:.1f} s. Quality as SDMetrics' multi-table report computes it: see the "
        "Fidelity page."
    )
    if made.notes:
        with st.expander(f"Notes ({len(made.notes)})"):
            st.markdown("\n".join(f"- {note}" for note in dict.fromkeys(made.notes)))
    names = list(made.tables)
    chosen = st.selectbox("Preview a table", names, key=PREVIEW)
    frame = made.tables[str(chosen)]
    st.caption(f"{len(frame):,} rows (real: {len(database.tables[str(chosen)].df):,}).")
    schema = database.tables[str(chosen)].schema
    st.dataframe(readable_frame(frame.head(PREVIEW_ROWS), schema), hide_index=True)
    export_view(database, measured)
    links = Links({}, measured.result.relations)
    recipe = make_linked_recipe(
        database,
        links,
        measured.spec,
        measured.scale,
        measured.keep,
        measured.orphan_rows,
        measured.method,
    )
    st.download_button(
        "Save the recipe (JSON)",
        recipe.to_json(),
        file_name="linked_recipe.json",
        mime="application/json",
        key="linked_recipe_save",
    )


def export_view(database: Database, measured: LinkedMeasured) -> None:
    """The zip: one file per table, the real files' names and formats."""
    st.download_button(
        "Download every table (zip)",
        measured.zip_bytes(database),
        file_name="synthetic_tables.zip",
        mime="application/zip",
        key="linked_zip",
    )
    st.caption(
        "One file per table, named and formatted as the real one (CSV, TSV, gzip; a SQLite "
        "table as CSV), keys new and every link pointing at a synthetic row."
    )
    created = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    st.download_button(
        "Download the report (HTML)",
        linked_report_html(measured.evaluation, measured.result.notes, created),
        file_name="linked_tables_report.html",
        mime="text/html",
        key="linked_report",
    )


def _number(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def fidelity_view(database: Database, measured: LinkedMeasured) -> None:
    """The set's quality, one table's column scores, and the Links view."""
    found = measured.evaluation
    columns = st.columns(5)
    for column, (label, value) in zip(
        columns,
        (
            ("Quality", found.overall),
            ("Column shapes", found.column_shapes),
            ("Column pair trends", found.pair_trends),
            ("Children per parent", found.cardinality),
            ("Intertable trends", found.intertable),
        ),
        strict=True,
    ):
        column.metric(label, _number(value))
    st.caption(
        "As SDMetrics' multi-table QualityReport defines them (the mean of the four parts), "
        "synthetic tables against the real rows they were learnt from; keys are not compared."
    )
    tables, links = st.tabs(["Tables", "Links"])
    with tables:
        _tables_view(found)
    with links:
        links_view(measured)


def _tables_view(found: LinkedEvaluation) -> None:
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "table": name,
                    "quality": q.overall,
                    "column shapes": q.column_shapes,
                    "column pair trends": q.pair_trends,
                }
                for name, q in found.tables.items()
            ]
        ),
        hide_index=True,
    )
    if not found.tables:
        return
    chosen = st.selectbox("Table", list(found.tables), key="linked_fidelity_table")
    quality = found.tables[str(chosen)]
    st.dataframe(
        pd.DataFrame(
            [{"column": s.column, "metric": s.metric, "score": s.score} for s in quality.shapes]
        ),
        hide_index=True,
    )


def links_view(measured: LinkedMeasured) -> None:
    """Per link: integrity, children per parent, parent × child trends, sequences, rules."""
    found, made = measured.evaluation, measured.result
    if found.detection:
        st.dataframe(
            pd.DataFrame(
                [
                    {"parent table": name, "detection ROC AUC": auc}
                    for name, auc in found.detection.items()
                ]
            ),
            hide_index=True,
        )
        st.caption(
            "How well a classifier tells real parent rows, each with a summary of its children "
            "(their number and the mean of each numeric column), from synthetic ones: 0.5 is "
            "not at all, 1.0 always."
        )
    for score in found.links:
        r = score.relation
        st.markdown(f"**{score.label}**")
        columns = st.columns(4)
        columns[0].metric("Keys found in the parent", f"{score.integrity:.1%}")
        columns[1].metric("Children per parent (score)", _number(score.cardinality))
        columns[2].metric(
            f"{r.parent} rows without {r.child} (real: {score.zero_real:.1%})",
            f"{score.zero_synthetic:.1%}",
        )
        columns[3].metric("Parent × child trends", _number(score.trends))
        st.plotly_chart(plots.children_figure(score), key=f"children_{score.label}")
        counted = [p for p in score.pairs if p.counted and p.score is not None]
        if counted:
            with st.expander(f"Parent column × child column ({len(counted)} related pairs)"):
                st.dataframe(
                    pd.DataFrame(
                        [
                            {
                                "parent column": p.second
                                if p.second.startswith(r.parent)
                                else p.first,
                                "child column": p.first
                                if p.second.startswith(r.parent)
                                else p.second,
                                "metric": p.metric,
                                "score": p.score,
                            }
                            for p in sorted(counted, key=lambda p: p.score or 0.0)
                        ]
                    ),
                    hide_index=True,
                )
        if score.sequences is not None and score.sequences.score is not None:
            st.caption(
                f"Sequences (children in order of '{score.sequences.order}'): coherence "
                f"{score.sequences.score:.3f} — distinct values per sequence and consecutive "
                "pairs, real against synthetic (1 is the same)."
            )
        for bound in made.bounds.get(r, ()):
            real_kept = bound_kept(made.train, r, bound)
            synth_kept = bound_kept(made.tables, r, bound)
            if real_kept is None or synth_kept is None:
                continue
            st.caption(
                f"Rule across the link: {bound.describe(r.child, r.parent)} — real rows "
                f"{real_kept:.1%}, synthetic rows {synth_kept:.1%}."
            )


def privacy_view(measured: LinkedMeasured) -> None:
    """The DCR share and exact copies of whole entities against the held-out ones."""
    privacy = measured.evaluation.privacy
    if privacy is None:
        st.info(
            "No entities were held out, so privacy cannot be measured: generate the set again "
            "with a share of entities held out (the Generate page's slider)."
        )
        return
    dcr = privacy.dcr
    st.caption(
        f"Each {privacy.entity} row with a summary of its child rows (their number, and the "
        f"mean of each of their numeric columns) is one entity. {privacy.holdout:,} real "
        f"entities were held out with all their rows; {privacy.records:,} synthetic entities "
        "are compared with the training and the held-out ones."
    )
    columns = st.columns(3)
    columns[0].metric(
        "DCR share (closer to training than holdout)",
        f"{dcr.share:.1%}",
        help="50% is what unseen real entities get; far above means synthetic entities sit "
        "near training entities.",
    )
    columns[1].metric(
        "Synthetic entities identical to a training one", f"{privacy.exact_synthetic:.1%}"
    )
    columns[2].metric(
        "Held-out entities identical to a training one", f"{privacy.exact_holdout:.1%}"
    )
    verdict = str(dcr.verdict)
    box = {"green": st.success, "amber": st.warning, "red": st.error}.get(verdict, st.info)
    box(dcr.why or verdict)
