"""Export page: many more rows from the fitted model, written chunk by chunk to a file on this
machine in a background job."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from synth_core.data.io.export import check_file_name
from synth_core.errors import ExportError, SynthCoreError
from synth_core.generate.spec import (
    MAX_FILE_ROWS,
)
from synth_core.generate.synthesize import (
    SynthResult,
    sample_to_file,
)
from synth_core.jobs import JobRegistry, Task
from synth_core.ui import jobs, state
from synth_core.ui.output_form import duration_words
from synth_core.ui.widgets import default, error_box


def downloads_folder() -> Path:
    """Where files written on this machine go by default: ~/Downloads, else the home folder."""
    downloads = Path.home() / "Downloads"
    return downloads if downloads.is_dir() else Path.home()


def file_sample(registry: JobRegistry, result: SynthResult, stem: str) -> None:
    """Millions of rows from the fitted model, written chunk by chunk straight to a file on this
    machine, so memory stays flat."""
    st.subheader("Many rows, straight to a file")
    st.caption(
        f"Samples the trained {result.spec.generator} model again in chunks of 100,000 rows and "
        "writes each chunk to the file as it comes (CSV or Parquet, from the file name), so "
        "memory stays flat however many rows you ask for. Plain rows only (no conditions)."
    )
    default("file_rows", 1_000_000)
    default("file_seed", result.seed)
    folder = downloads_folder()
    default("file_path", str(folder / f"{stem}_synthetic_large.csv"))
    left, middle, right = st.columns([1, 1, 3])
    rows = left.number_input(
        "Rows", 1, MAX_FILE_ROWS, step=100_000, key="file_rows", persist_state="session"
    )
    seed = middle.number_input("Seed", 0, 2**32 - 1, key="file_seed", persist_state="session")
    path_text = right.text_input(
        "File on this machine (.csv or .parquet)", key="file_path", persist_state="session"
    )
    path = Path(path_text.strip()).expanduser()
    st.caption(
        f"The file is written to {path.parent} (your Downloads folder unless you change it)."
    )
    exists = path.exists()
    overwrite = (
        st.checkbox(
            f"Replace the existing {path.name}", key="file_overwrite", persist_state="session"
        )
        if exists
        else True
    )
    estimate = result.sample_seconds / max(len(result.data), 1) * int(rows)
    st.caption(f"Estimated time: {duration_words(estimate)} at the speed of the last sample.")
    busy = jobs.running(jobs.EXPORT)
    if st.button("Write the file", key="write_file", disabled=busy or not overwrite):
        try:
            check_file_name(path)
            if not path.parent.is_dir():
                raise ExportError(f"The folder {path.parent} does not exist. Create it first.")
            jobs.start(
                registry,
                jobs.EXPORT,
                Task(sample_to_file, (result.model, int(rows), path), {"seed": int(seed)}),
            )
        except SynthCoreError as exc:
            error_box(exc)
    jobs.panel(registry, jobs.EXPORT, state.set_file_sample)
    written = state.file_sample()
    if written is not None:
        size = written.path.stat().st_size if written.path.exists() else 0
        st.success(
            f"Wrote {written.rows:,} rows to {written.path} ({size / 2**20:,.1f} MB) in "
            f"{written.seconds:.1f} s."
        )
        for note in written.notes:
            st.info(note)
