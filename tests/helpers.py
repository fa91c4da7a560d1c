"""Small helpers shared by tests."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from synth_core import Table, read_table
from synth_core.convert import render_text

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SPECTRUM = FIXTURES / "csv_spectrum"
CSVKIT = FIXTURES / "csvkit_edge_cases"
SAMPLES = ROOT / "sample_data"


def csv_table(text: str) -> Table:
    """A Table from CSV text, for small hand-made cases."""
    return read_table(text.encode("utf-8"))


def rendered(table: Table) -> list[dict[str, str]]:
    """The typed table written back as text, missing values as empty strings."""
    columns = {c.name: render_text(table.df[c.name], c).fillna("") for c in table.schema}
    return pd.DataFrame(columns).to_dict("records")
