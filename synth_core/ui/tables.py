"""Data page, several linked tables: upload files, a zip or a SQLite database; see each table's
key and the links found, as a diagram and a list with the evidence; save them as SDV metadata;
pick one table to check and generate on its own."""

from __future__ import annotations

import hashlib
import json

import pandas as pd
import streamlit as st

from synth_core.data.database import Database, Links, find_relations, read_database
from synth_core.data.sdv_metadata import to_sdv_metadata
from synth_core.errors import SynthCoreError
from synth_core.present.diagram import relations_dot
from synth_core.ui import state
from synth_core.ui.widgets import error_box

UPLOADS = state.key("linked_uploads", state.Scope.SESSION)
READ = state.key("linked_tables", state.Scope.SESSION)  # (digest, Database, Links)
CHOICE = state.key("linked_choice", state.Scope.SESSION)


def linked_tables() -> None:
    """The several-tables part of the Data page."""
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
    files = [(u.name, u.getvalue()) for u in uploads]
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
                f"('{relation.child_key}' values not among the keys): when the set is "
                "synthesized they are either dropped or kept with an empty key."
            )
    for line in links.near_misses:
        st.warning(line)
    for line in links.notes:
        st.caption(line)
    st.download_button(
        "Download the keys and links as SDV metadata (JSON)",
        json.dumps(to_sdv_metadata(database, links), indent=2),
        file_name="metadata.json",
        mime="application/json",
        key="linked_metadata",
    )
    st.info(
        "Synthesizing the linked tables together, with every link kept, is the next step of "
        "the studio. For now, pick one table to check its columns and generate it on its own."
    )
    names = list(database.tables)
    left, right = st.columns([3, 1])
    chosen = left.selectbox("Table", names, key=CHOICE)
    if right.button("Work with this table", key="linked_use"):
        filename, data = database.sources[str(chosen)]
        state.choose_source(state.Source(filename, data))
        st.success(f"{chosen} is the table the other pages work with now.")
