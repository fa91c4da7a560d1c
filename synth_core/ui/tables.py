"""Data page, several linked tables: upload files, a zip or a SQLite database; see each table's
key and the links found, as a diagram and a list with the evidence; save them as SDV metadata;
pick one table to check and generate on its own."""

from __future__ import annotations

import hashlib
import json

import pandas as pd
import streamlit as st

from synth_core.data.database import (
    Database,
    Links,
    find_relations,
    read_database,
    with_link,
    without_link,
)
from synth_core.data.samples import LINKED_SAMPLES
from synth_core.data.sdv_metadata import read_sdv_metadata, to_sdv_metadata
from synth_core.errors import SynthCoreError
from synth_core.present.diagram import relations_dot
from synth_core.ui import state
from synth_core.ui.linked.rules import rules_table
from synth_core.ui.widgets import error_box

UPLOADS = state.key("linked_uploads", state.Scope.SESSION)
READ = state.key("linked_tables", state.Scope.SESSION)  # (digest, Database, Links)
CHOICE = state.key("linked_choice", state.Scope.SESSION)
ORIGIN = state.key("linked_origin", state.Scope.SESSION)
UPLOAD_FILES = "Upload files"


def active() -> tuple[Database, Links] | None:
    """The linked set the Generate, Fidelity and Privacy pages work on, when the Data page
    shows several linked tables and they were read."""
    if st.session_state.get("source_origin") != SEVERAL_TABLES:
        return None
    cached = st.session_state.get(READ)
    return None if cached is None else (cached[1], cached[2])


SEVERAL_TABLES = "Several linked tables"  # the Data page's choice (widgets.SEVERAL)


def one_table_only(page: str) -> None:
    """On a page that works on one table, with a linked set chosen: say so and stop, so the
    details of a single table chosen before are never shown as if they were the set's."""
    if active() is None:
        return
    st.info(
        f"The {page} page works on one table, and a set of linked tables is chosen on the Data "
        "page. Pick one of its tables there ('Work with this table'), or see the set on the "
        "Generate, Fidelity, Privacy and Export pages."
    )
    st.page_link("app_pages/data.py", label="← Data")
    st.stop()


def linked_tables() -> None:
    """The several-tables part of the Data page: the bundled linked sample or uploads."""
    samples = {s.label: s for s in LINKED_SAMPLES}
    st.session_state.setdefault(ORIGIN, next(iter(samples)))
    origin = st.radio(
        "Linked tables", [*samples, UPLOAD_FILES], key=ORIGIN, persist_state="session"
    )
    if origin in samples:
        sample = samples[str(origin)]
        st.caption(f"{sample.description} Licence: {sample.licence}.")
        try:
            _read_and_show(sample.files())
        except SynthCoreError as exc:
            error_box(exc)
        return
    uploads = st.file_uploader(
        "Tables: CSV/TSV files (gzip too), a .zip of them, or a SQLite database",
        type=["csv", "tsv", "txt", "gz", "zip", "sqlite", "sqlite3", "db"],
        accept_multiple_files=True,
        key=UPLOADS,
    )
    if not uploads:
        st.info(
            "Choose two or more files, a zip or a SQLite file. Each file is a table named after "
            "it; everything stays in memory."
        )
        return
    _read_and_show([(u.name, u.getvalue()) for u in uploads])


def _read_and_show(files: list[tuple[str, bytes]]) -> None:
    """Read ``files`` as a set (once per content) and show it."""
    digest = hashlib.sha256(b"".join(n.encode() + d for n, d in files)).hexdigest()
    cached = st.session_state.get(READ)
    if cached is None or cached[0] != digest:
        try:
            database = read_database(files)
            links = find_relations(database)
        except SynthCoreError as exc:
            error_box(exc)
            return
        st.session_state[READ] = (digest, database, links)
    else:
        database, links = cached[1], cached[2]
    show(database, links)
    edit_links(digest, database, links)


def show(database: Database, links: Links) -> None:
    """The diagram, the tables, the links with their evidence, and what was not taken."""
    st.graphviz_chart(relations_dot(database, links))
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "table": name,
                    "rows": len(table.df),
                    "columns": len(table.schema),
                    "key": links.keys.get(name) or "(none)",
                }
                for name, table in database.tables.items()
            ]
        ),
        hide_index=True,
    )
    if links.relations:
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        "link": f"{r.child}.{r.child_key} → {r.parent}.{r.parent_key}",
                        "values found": f"{r.coverage:.1%}",
                        "orphan rows": r.orphans,
                        "evidence": r.evidence,
                    }
                    for r in links.relations
                ]
            ),
            hide_index=True,
        )
    else:
        st.info("No link found between these tables (see below for what came close).")
    for relation in links.relations:
        if relation.orphans:
            st.warning(
                f"{relation.orphans:,} rows of {relation.child} point at no {relation.parent} "
                f"('{relation.child_key}' values not among the keys): on the Generate page, "
                "choose to leave them out or keep them with an empty key."
            )
    for line in links.near_misses:
        st.warning(line)
    for line in links.notes:
        st.caption(line)
    if links.relations:
        st.markdown("**Rules across tables**")
        rules_table(database, links)
    st.download_button(
        "Download the keys and links as SDV metadata (JSON)",
        json.dumps(to_sdv_metadata(database, links), indent=2),
        file_name="metadata.json",
        mime="application/json",
        key="linked_metadata",
    )
    st.page_link("app_pages/generate.py", label="Next: generate the whole set, every link kept →")
    st.caption("Or pick one table to check its columns and generate it on its own.")
    names = list(database.tables)
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    left.selectbox("Table", names, key=CHOICE)
    right.button("Work with this table", key="linked_use", on_click=_use_one, args=(database,))


def _use_one(database: Database) -> None:
    """The chosen table becomes the one table the other pages work with."""
    filename, data = database.sources[str(st.session_state[CHOICE])]
    state.choose_source(state.Source(filename, data))
    st.session_state["source_origin"] = "Upload a CSV"


def edit_links(digest: str, database: Database, links: Links) -> None:
    """Remove, add or change a link, or load SDV metadata instead of what was found."""
    with st.expander("Change the links"):
        labels = {
            f"{r.child}.{r.child_key} → {r.parent}.{r.parent_key}": r for r in links.relations
        }
        if labels:
            left, right = st.columns([3, 1], vertical_alignment="bottom")
            chosen = left.selectbox("A link", list(labels), key="link_remove_choice")
            if right.button("Remove it", key="link_remove"):
                relation = labels[str(chosen)]
                _keep(digest, database, without_link(links, relation.child, relation.child_key))
        st.markdown("**Add or change a link** (a column that points at another table's key)")
        names = list(database.tables)
        a, b, c, d = st.columns(4)
        child = str(a.selectbox("Child table", names, key="link_child"))
        child_key = b.selectbox(
            "Its column", list(database.tables[child].df.columns), key="link_child_key"
        )
        parent = str(
            c.selectbox("Parent table", names, key="link_parent", index=min(1, len(names) - 1))
        )
        parent_columns = list(database.tables[parent].df.columns)
        known = links.keys.get(parent)
        parent_key = d.selectbox(
            "Its key",
            parent_columns,
            key="link_parent_key",
            index=parent_columns.index(known) if known in parent_columns else 0,
        )
        if st.button("Add the link", key="link_add"):
            try:
                changed = with_link(database, links, child, str(child_key), parent, str(parent_key))
            except SynthCoreError as exc:
                error_box(exc)
            else:
                _keep(digest, database, changed)
        metadata = st.file_uploader(
            "Or load SDV metadata (JSON) instead of the links found", type=["json"], key="link_sdv"
        )
        if metadata is not None and st.button("Apply the metadata", key="link_sdv_apply"):
            try:
                new_database, new_links = read_sdv_metadata(metadata.getvalue(), database)
            except SynthCoreError as exc:
                error_box(exc)
            else:
                st.session_state[READ] = (digest, new_database, new_links)
                st.rerun()


def _keep(digest: str, database: Database, links: Links) -> None:
    st.session_state[READ] = (digest, database, links)
    st.rerun()
