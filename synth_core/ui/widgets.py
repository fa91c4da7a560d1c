"""Widgets shared by the pages: source picker, kinds editor, parameter controls, job progress."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from synth_core.data.checks import Level, coded_columns, table_problems
from synth_core.data.convert import DEFAULT_NA_TOKENS, render_text
from synth_core.data.io.reader import MAX_ROWS, ReadOptions
from synth_core.data.samples import SAMPLES
from synth_core.data.schema import ColumnKind, ColumnOverride, PiiType
from synth_core.data.table import Table
from synth_core.errors import SynthCoreError
from synth_core.ui import state

KIND_LABELS = [k.value for k in ColumnKind if k is not ColumnKind.PII] + [
    f"pii:{t.value}" for t in PiiType
]
_DELIMITERS = {"detect": None, "comma (,)": ",", "semicolon (;)": ";", "tab": "\t", "pipe (|)": "|"}
_HEADER = {"detect": None, "yes": True, "no": False}


def default(key: str, value: object) -> None:
    """Give a widget its first value through session state (recipes set the same keys), so
    the widget takes no ``value``/``index`` argument that would conflict with it."""
    if key not in st.session_state:
        st.session_state[key] = value


def error_box(exc: SynthCoreError) -> None:
    """A user-caused problem, in the words of the exception."""
    st.error(str(exc))


SEVERAL = "Several linked tables"


def source_picker() -> bool:
    """Pick a bundled sample or upload a CSV; reading options can be overridden. False when the
    user chose several linked tables: the page shows those instead (``ui.tables``)."""
    current = state.source()
    st.session_state.setdefault(
        "source_origin", "Sample data" if current.sample else "Upload a CSV"
    )
    origin = st.radio(
        "Table",
        ["Sample data", "Upload a CSV", SEVERAL],
        horizontal=True,
        key="source_origin",
        persist_state="session",
    )
    if origin == SEVERAL:
        return False
    if origin == "Sample data":
        names = [s.name for s in SAMPLES]
        st.session_state.setdefault(
            "sample_name", current.sample if current.sample in names else names[0]
        )
        chosen = st.selectbox(
            "Sample dataset",
            names,
            key="sample_name",
            persist_state="session",
            format_func=lambda n: next(s.label for s in SAMPLES if s.name == n),
        )
        sample = next(s for s in SAMPLES if s.name == chosen)
        st.caption(f"{sample.description} Licence: {sample.licence}.")
        new = state.Source(sample.filename, sample.read_bytes(), sample.name)
    else:
        upload = st.file_uploader(
            "CSV file (also .tsv, .txt or gzip-compressed)",
            # Spreadsheets and other formats are accepted here so the page can say what to do
            # with them (save as CSV) instead of the widget refusing them with a tooltip.
            type=["csv", "tsv", "txt", "gz", "xlsx", "xlsm", "xls", "ods", "parquet", "json"],
            key="upload",
        )
        if upload is None:
            st.info("Choose a file to upload. It stays in memory; nothing is written to disk.")
            return True
        new = state.Source(upload.name, upload.getvalue())
    state.choose_source(new, _reading_options(new))
    return True


_ENCODINGS = ["detect", "utf-8", "utf-8-sig", "utf-16", "cp1252", "latin-1"]


def set_reading_widgets(source: state.Source, options: ReadOptions) -> None:
    """Show ``options`` (e.g. from a recipe) in the reading-option controls of ``source``."""
    delimiters = {v: k for k, v in _DELIMITERS.items()}
    headers = {v: k for k, v in _HEADER.items()}
    values: dict[str, object] = {
        f"delimiter_{source.digest}": delimiters.get(options.delimiter),
        f"header_{source.digest}": headers.get(options.header),
        f"encoding_{source.digest}": options.encoding or "detect",
        f"skip_{source.digest}": -1 if options.skip_lines is None else options.skip_lines,
        f"na_{source.digest}": [t for t in options.na_tokens if t in DEFAULT_NA_TOKENS],
        _keep_key(source.digest): [list(p) for p in options.keep_tokens],
        _missing_key(source.digest): [list(p) for p in options.missing_tokens],
    }
    if values[f"encoding_{source.digest}"] not in _ENCODINGS:
        values[f"encoding_{source.digest}"] = "detect"
    for key, value in values.items():
        if value is not None:
            st.session_state[key] = value


def _reading_options(source: state.Source) -> ReadOptions:
    st.session_state.setdefault(f"skip_{source.digest}", -1)
    st.session_state.setdefault(f"na_{source.digest}", list(DEFAULT_NA_TOKENS))
    st.session_state.setdefault(f"sample_{source.digest}", 0)
    with st.expander("Reading options (when detection got it wrong)"):
        left, right = st.columns(2)
        delimiter = left.selectbox(
            "Delimiter",
            list(_DELIMITERS),
            key=f"delimiter_{source.digest}",
            persist_state="session",
        )
        header = left.selectbox(
            "First row is the header",
            list(_HEADER),
            key=f"header_{source.digest}",
            persist_state="session",
        )
        encoding = right.selectbox(
            "Encoding",
            _ENCODINGS,
            key=f"encoding_{source.digest}",
            persist_state="session",
        )
        skip = right.number_input(
            "Lines to skip above the header (-1 = detect)",
            min_value=-1,
            max_value=1000,
            key=f"skip_{source.digest}",
            persist_state="session",
        )
        sample = right.number_input(
            "Rows to read (0 = every row; more: a seeded random sample)",
            min_value=0,
            max_value=MAX_ROWS,
            step=10_000,
            key=f"sample_{source.digest}",
            persist_state="session",
            help=f"Files over {MAX_ROWS:,} rows are read as a random sample of this many rows "
            "(the Data page says so); the command line's --engine dask reads every row.",
        )
        tokens = st.multiselect(
            "Values read as missing",
            list(DEFAULT_NA_TOKENS),
            format_func=lambda t: "(empty)" if t == "" else t,
            key=f"na_{source.digest}",
            persist_state="session",
        )
    return ReadOptions(
        encoding=None if encoding == "detect" else encoding,
        delimiter=_DELIMITERS[delimiter],
        header=_HEADER[header],
        skip_lines=None if skip < 0 else int(skip),
        na_tokens=tuple(tokens),
        keep_tokens=_pairs(_keep_key(source.digest)),
        missing_tokens=_pairs(_missing_key(source.digest)),
        sample_rows=int(sample) if sample else None,
    )


def _keep_key(digest: str) -> str:
    return f"keep_tokens_{digest}"


def _missing_key(digest: str) -> str:
    return f"missing_tokens_{digest}"


def _pairs(key: str) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((str(c), str(t)) for c, t in st.session_state.get(key, [])))


def _flip_token(digest: str, column: str, token: str, key: str) -> None:
    """A token checkbox changed: read ``token`` in ``column`` as missing (ticked) or a value."""
    pair = [column, token]
    keep = [p for p in st.session_state.get(_keep_key(digest), []) if list(p) != pair]
    missing = [p for p in st.session_state.get(_missing_key(digest), []) if list(p) != pair]
    (missing if st.session_state[key] else keep).append(pair)
    st.session_state[_keep_key(digest)] = keep
    st.session_state[_missing_key(digest)] = missing


def missing_tokens(table: Table) -> None:
    """Per column, the words read as missing and those kept as values (with why); one click
    flips one. Empty cells are always missing."""
    digest = state.source().digest
    empty = {c: s.empty_cells for c, s in table.report.tokens.items() if s.empty_cells}
    words = [(c, w) for c, s in table.report.tokens.items() for w in s.words()]
    if not words and not empty:
        return
    st.markdown("**Missing values per column**")
    st.caption(
        "Words like none, NA, N/A or null can be real answers (no other debtors, North America, "
        "not applicable). Each column is decided on its own evidence: such a word is kept as a "
        "value in a text column where it is common and the column has no other missing marker, "
        "or where it is the column's second answer ('yes' / 'none'), unless a number, date or "
        "true/false column of the file uses it for missing values. Tick a box to read the word "
        "as missing, untick it to keep it as a value."
    )
    if empty:
        st.caption(
            "Empty cells, always read as missing: "
            + ", ".join(f"'{c}' x{n:,}" for c, n in empty.items())
            + "."
        )
    if words:
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        "column": column,
                        "word": word.spelling or word.word,
                        "rows": word.rows,
                        "read as": "missing" if word.missing else "a value",
                        "why": word.why,
                    }
                    for column, word in words
                ]
            ),
            hide_index=True,
        )
    for column, word in words:
        key = f"token_{digest}_{column}_{word.word}"
        st.session_state.setdefault(key, word.missing)
        st.checkbox(
            f"Read '{word.spelling or word.word}' in '{column}' ({word.rows:,} rows) as missing",
            key=key,
            on_change=_flip_token,
            args=(digest, column, word.word, key),
            help=word.why or None,
        )


def read_report(table: Table) -> None:
    """What the reader detected, and the problems it found or fixed."""
    left, right = st.columns([1, 1])
    left.table(pd.DataFrame(table.report.summary(), columns=["", "detected"]).set_index(""))
    with right:
        problems = table_problems(table, state.known_keys())
        if not problems:
            st.success("No problems found.")
        for problem in problems:
            (st.warning if problem.level is Level.WARNING else st.info)(problem.message)


def coded_offer(base: Table, working: Table) -> None:
    """A button per whole-number column that looks like a code, to treat it as categories."""
    coded = [n for n in coded_columns(working) if n in working.schema]
    if not coded:
        return
    st.caption(
        "Numbers that look like codes for categories (see the notes above): as categories, "
        "generators keep each code's share and never make values in between."
    )
    columns = st.columns(min(len(coded), 4))
    for position, name in enumerate(coded):
        if columns[position % len(columns)].button(
            f"Treat '{name}' as categories", key=f"coded_{name}"
        ):
            changed = {**state.overrides(), name: ColumnOverride.parse("categorical")}
            state.apply_edits(state.ColumnEdits(changed, tuple(state.dropped())))
            st.rerun()


def kinds_editor(base: Table, working: Table) -> state.ColumnEdits | None:
    """Editable table of column kinds; returns the edits when the user applies them."""
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
    return state.ColumnEdits(overrides, tuple(dropped))


NO_TARGET = "(none)"


def target_picker(
    container: Any, table: Table, key: str, help_text: str | None = None
) -> str | None:
    """An optional target column for TSTR (categories, true/false or numbers); None for none."""
    candidates = [
        c.name
        for c in table.schema
        if c.kind in (ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN, ColumnKind.NUMERICAL)
    ]
    default(key, NO_TARGET)
    target = container.selectbox(
        "Target for TSTR (optional)",
        [NO_TARGET, *candidates],
        key=key,
        persist_state="session",
        help=help_text,
    )
    return None if target == NO_TARGET else str(target)
