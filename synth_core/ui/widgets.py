"""Widgets shared by the pages: source picker, kinds editor, parameter controls, job progress."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from synth_core.checks import Level, table_problems
from synth_core.convert import DEFAULT_NA_TOKENS, render_text
from synth_core.errors import SynthCoreError
from synth_core.io.reader import ReadOptions
from synth_core.samples import SAMPLES
from synth_core.schema import ColumnKind, ColumnOverride, PiiType
from synth_core.table import Table
from synth_core.ui import state

KIND_LABELS = [k.value for k in ColumnKind if k is not ColumnKind.PII] + [
    f"pii:{t.value}" for t in PiiType
]
_DELIMITERS = {"detect": None, "comma (,)": ",", "semicolon (;)": ";", "tab": "\t", "pipe (|)": "|"}
_HEADER = {"detect": None, "yes": True, "no": False}


def error_box(exc: SynthCoreError) -> None:
    """A user-caused problem, in the words of the exception."""
    st.error(str(exc))


def source_picker() -> None:
    """Pick a bundled sample or upload a CSV; reading options can be overridden."""
    current = state.source()
    origin = st.radio(
        "Table",
        ["Sample data", "Upload a CSV"],
        horizontal=True,
        key="source_origin",
        index=0 if current.sample else 1,
    )
    if origin == "Sample data":
        names = [s.name for s in SAMPLES]
        chosen = st.selectbox(
            "Sample dataset",
            names,
            key="sample_name",
            index=names.index(current.sample) if current.sample in names else 0,
            format_func=lambda n: next(s.label for s in SAMPLES if s.name == n),
        )
        sample = next(s for s in SAMPLES if s.name == chosen)
        st.caption(f"{sample.description} Licence: {sample.licence}.")
        new = state.Source(sample.filename, sample.read_bytes(), sample.name)
    else:
        upload = st.file_uploader(
            "CSV file (also .tsv, .txt or gzip-compressed)",
            type=["csv", "tsv", "txt", "gz"],
            key="upload",
        )
        if upload is None:
            st.info("Choose a file to upload. It stays in memory; nothing is written to disk.")
            return
        new = state.Source(upload.name, upload.getvalue())
    state.choose_source(new, _reading_options(new))


def _reading_options(source: state.Source) -> ReadOptions:
    with st.expander("Reading options (when detection got it wrong)"):
        left, right = st.columns(2)
        delimiter = left.selectbox("Delimiter", list(_DELIMITERS), key=f"delimiter_{source.digest}")
        header = left.selectbox(
            "First row is the header", list(_HEADER), key=f"header_{source.digest}"
        )
        encoding = right.selectbox(
            "Encoding",
            ["detect", "utf-8", "utf-8-sig", "utf-16", "cp1252", "latin-1"],
            key=f"encoding_{source.digest}",
        )
        skip = right.number_input(
            "Lines to skip above the header (-1 = detect)",
            min_value=-1,
            max_value=1000,
            value=-1,
            key=f"skip_{source.digest}",
        )
        tokens = st.multiselect(
            "Values read as missing",
            list(DEFAULT_NA_TOKENS),
            default=list(DEFAULT_NA_TOKENS),
            format_func=lambda t: "(empty)" if t == "" else t,
            key=f"na_{source.digest}",
        )
    return ReadOptions(
        encoding=None if encoding == "detect" else encoding,
        delimiter=_DELIMITERS[delimiter],
        header=_HEADER[header],
        skip_lines=None if skip < 0 else int(skip),
        na_tokens=tuple(tokens),
    )


def read_report(table: Table) -> None:
    """What the reader detected, and the problems it found or fixed."""
    left, right = st.columns([1, 1])
    left.table(pd.DataFrame(table.report.summary(), columns=["", "detected"]).set_index(""))
    with right:
        problems = table_problems(table)
        if not problems:
            st.success("No problems found.")
        for problem in problems:
            (st.warning if problem.level is Level.WARNING else st.info)(problem.message)


def kinds_editor(base: Table, working: Table) -> tuple[dict[str, ColumnOverride], list[str]] | None:
    """Editable table of column kinds; returns (overrides, dropped) when the user applies."""
    rows = []
    for column in base.schema:
        current = working.schema.get(column.name) or column
        examples = render_text(base.df[column.name].dropna().drop_duplicates().head(3), column)
        rows.append(
            {
                "column": column.name,
                "use": column.name in working.schema,
                "kind": current.label,
                "date format": current.datetime_format or "",
                "why": current.reason,
                "examples": ", ".join(str(v) for v in examples),
            }
        )
    detected = pd.DataFrame(rows)
    edited = st.data_editor(
        detected,
        key=f"kinds_{state.source().digest}",
        hide_index=True,
        disabled=["column", "why", "examples"],
        column_config={
            "use": st.column_config.CheckboxColumn(
                "use", help="Leave a column out of the synthetic table"
            ),
            "kind": st.column_config.SelectboxColumn("kind", options=KIND_LABELS, required=True),
            "date format": st.column_config.TextColumn(
                "date format", help="For datetime columns, e.g. %d/%m/%Y (day first)"
            ),
        },
    )
    if not st.button("Apply column changes", key="apply_kinds"):
        return None
    overrides: dict[str, ColumnOverride] = {}
    dropped: list[str] = []
    for row in edited.itertuples(index=False):
        column = base.schema[str(row.column)]
        if not bool(row.use):
            dropped.append(column.name)
        fmt = str(row[3]).strip()
        if str(row.kind) != column.label or (
            column.kind is ColumnKind.DATETIME and fmt != (column.datetime_format or "")
        ):
            label = f"datetime:{fmt}" if str(row.kind) == "datetime" and fmt else str(row.kind)
            overrides[column.name] = ColumnOverride.parse(label)
    return overrides, dropped
