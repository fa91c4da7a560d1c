"""The Generate page for a set of linked tables: how the set is made, its size, the tables kept
as they are (reference tables by default), the rules across tables it keeps, orphan rows, then
one background job for the whole set; a recipe saved and loaded."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from synth_core.data.database import Database, Links, link_order
from synth_core.errors import SynthCoreError
from synth_core.generate.generators import GeneratorKind, available
from synth_core.generate.generators.registry import DEFAULT_GENERATOR
from synth_core.generate.linked import (
    METHODS,
    LinkedMethod,
    LinkedSpec,
    Orphans,
    reference_tables,
)
from synth_core.generate.linked.plan import keepable_tables
from synth_core.generate.linked.recipe import read_linked_recipe
from synth_core.generate.spec import GenerationSpec
from synth_core.jobs import JobRegistry, Task
from synth_core.ui import jobs, state, tables
from synth_core.ui.linked.rules import digest, rules_table
from synth_core.ui.linked.views import result_view
from synth_core.ui.widgets import error_box
from synth_core.workflows.linked import LinkedMeasured, synthesize_linked_measured

RESULT = state.key("linked_result", state.Scope.SESSION)  # (set digest, LinkedMeasured)
SIZE = state.key("linked_size", state.Scope.SESSION)
TOP_ROWS = state.key("linked_top_rows", state.Scope.SESSION)
GENERATOR = state.key("linked_generator", state.Scope.SESSION)
SEED = state.key("linked_seed", state.Scope.SESSION)
HOLDOUT = state.key("linked_holdout", state.Scope.SESSION)
KEEP = state.key("linked_keep", state.Scope.SESSION)  # (set digest, chosen tables)
KEEP_WIDGET = state.key("linked_keep_choice", state.Scope.SESSION)
METHOD = state.key("linked_method", state.Scope.SESSION)
ORPHANS = state.key("linked_orphans", state.Scope.SESSION)
ORPHAN_CHOICES = {
    "Leave them out": Orphans.DROP,
    "Keep them, with an empty key": Orphans.KEEP,
}
SIZES = {"×0.5": 0.5, "×1": 1.0, "×2": 2.0, "rows of the top table": None}
APPLIED = "Recipe applied: its settings and links are below."


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
            format_func=lambda m: METHODS[LinkedMethod(m)].label,
        )
    )
    per_table = METHODS[method].per_table
    spec = LinkedSpec(
        table=_table_settings(per_table),
        method=method,
        scale=_size(database, links),
        keep=_kept(database, links) if per_table else None,
        orphans=_orphans(links),
    )
    with st.expander("Rules across tables, kept in every synthetic set"):
        rules_table(database, links)
    busy = jobs.running(jobs.LINKED)
    if st.button("Generate the set", type="primary", disabled=busy, key="linked_generate"):
        try:
            checked = spec.validate(database, links)
            task = Task(
                synthesize_linked_measured,
                kwargs={"database": database, "links": links, "spec": checked},
            )
            jobs.start(registry, jobs.LINKED, task)
        except SynthCoreError as exc:
            error_box(exc)
    jobs.panel(registry, jobs.LINKED, _store(database, links))
    measured = result(database, links)
    if measured is not None:
        result_view(database, links, measured)


def _table_settings(per_table: bool) -> GenerationSpec:
    """The generator every table gets, the seed and the held-out share of entities."""
    generators = [g for g in available() if g.kind is not GeneratorKind.DP]  # see LinkedSpec
    st.session_state.setdefault(GENERATOR, DEFAULT_GENERATOR)
    left, right = st.columns(2)
    generator = left.selectbox(
        "Generator for each table",
        [g.name for g in generators],
        key=GENERATOR,
        format_func=lambda n: next(g.label for g in generators if g.name == n),
        disabled=not per_table,
    )
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
    return GenerationSpec(generator=str(generator), seed=int(seed), holdout_fraction=holdout / 100)


def _size(database: Database, links: Links) -> float:
    """How large the set is, as a multiple of the real one."""
    top = link_order(list(database.tables), links.relations)[0]
    st.session_state.setdefault(SIZE, "×1")  # as large as the real set
    size = st.radio("Size of the set", list(SIZES), key=SIZE, horizontal=True)
    scale = SIZES[str(size)]
    if scale is None:
        real = len(database.tables[top].df)
        top_rows = st.number_input(f"Rows of {top}", 1, 10 * real, real, key=TOP_ROWS)
        scale = int(top_rows) / max(real, 1)
    return scale


def _kept(database: Database, links: Links) -> tuple[str, ...] | None:
    """The tables kept as they are: the reference tables (None: the notes say they were kept by
    default, with the switch) until the user changes the choice (remembered per set)."""
    here = digest(database, links)
    stored = st.session_state.get(KEEP)
    default = reference_tables(database, links)
    if stored is None or stored[0] != here:
        stored = (here, tuple(default))
        st.session_state[KEEP] = stored
        st.session_state[KEEP_WIDGET] = list(default)
    elif KEEP_WIDGET not in st.session_state:  # the widget's state goes with another page
        st.session_state[KEEP_WIDGET] = list(stored[1])
    chosen = st.multiselect(
        "Keep as they are (reference tables)",
        keepable_tables(database, links),
        key=KEEP_WIDGET,
        on_change=lambda: st.session_state.update(
            {KEEP: (here, tuple(st.session_state[KEEP_WIDGET]))}
        ),
        help="A list such as districts or countries is no one's personal data: kept, its rows "
        "and keys are the real ones and its children point at them. Every other table is "
        "synthesized.",
    )
    if default:
        names = ", ".join(default)
        st.caption(
            f"Kept by default: {names} — small lists at the top of the set, without personal "
            "data, that many rows point at (as in the real database). Untick to synthesize "
            "them too."
        )
    return None if sorted(chosen) == sorted(default) else tuple(chosen)


def _orphans(links: Links) -> Orphans:
    lost = [r for r in links.relations if r.orphans]
    if not lost:
        return Orphans.DROP
    counted = "; ".join(f"{r.orphans:,} in {r.child}" for r in lost)
    choice = st.radio(
        f"Rows whose key points at no parent row ({counted})",
        list(ORPHAN_CHOICES),
        key=ORPHANS,
        horizontal=True,
        help="Left out, the synthetic set has none; kept, they are learnt with an empty "
        "key, so as many synthetic rows (in share) have no parent.",
    )
    return ORPHAN_CHOICES[str(choice)]


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
    allowed = keepable_tables(database, new_links)
    keep = reference_tables(database, new_links) if recipe.keep is None else recipe.keep
    chosen = [name for name in keep if name in allowed]
    st.session_state[KEEP] = (digest(database, new_links), tuple(chosen))
    st.session_state[KEEP_WIDGET] = chosen
    choices = {v.value: k for k, v in ORPHAN_CHOICES.items()}
    st.session_state[ORPHANS] = choices[recipe.orphans]
    st.session_state["linked_recipe_notes"] = [*warnings, APPLIED]
