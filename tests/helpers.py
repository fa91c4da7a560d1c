"""Small helpers shared by tests."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from synth_core import Table, read_table
from synth_core.data.convert import render_text

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


def rare_table(rows: int, seed: int = 0) -> pd.DataFrame:
    """Patients with a rare diagnosis (~8%) that depends on age, BMI and smoking."""
    rng = np.random.default_rng(seed)
    age = rng.integers(20, 80, rows)
    bmi = rng.normal(27, 5, rows)
    smoker = rng.random(rows) < 0.2
    risk = 0.04 * (age - 50) + 0.15 * (bmi - 27) + 1.5 * smoker
    rare = rng.random(rows) < 1 / (1 + np.exp(-(risk - 3.2)))
    return pd.DataFrame(
        {
            "age": age,
            "bmi": bmi.round(1),
            "smoker": np.where(smoker, "yes", "no"),
            "sex": rng.choice(["f", "m"], rows),
            "diagnosis": np.where(rare, "rare", "common"),
        }
    )
