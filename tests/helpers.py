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


ZONES = {
    "Midtown": "Manhattan",
    "Harlem": "Manhattan",
    "SoHo": "Manhattan",
    "Astoria": "Queens",
    "Flushing": "Queens",
    "Jamaica": "Queens",
    "Williamsburg": "Brooklyn",
    "Bushwick": "Brooklyn",
    "Park Slope": "Brooklyn",
    "Riverdale": "Bronx",
}


def taxi_csv(rows: int = 600, seed: int = 0) -> bytes:
    """Taxi trips with planted rules: dropoff after pickup, each zone in one borough, total =
    fare + tip + tolls, tip missing exactly when paid in cash, fees a day after booking."""
    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2024-03-01") + pd.to_timedelta(rng.integers(0, 30 * 86_400, rows), "s")
    minutes = rng.gamma(3.0, 5.0, rows).round().astype(int) + 1
    zones = rng.choice(list(ZONES), rows)
    fare = (2.5 + minutes * rng.uniform(0.4, 0.7, rows)).round(2)
    cash = rng.random(rows) < 0.3
    tip = np.where(cash, np.nan, (fare * rng.uniform(0.0, 0.3, rows)).round(2))
    tolls = np.where(rng.random(rows) < 0.1, 6.55, 0.0)
    total = (fare + np.nan_to_num(tip) + tolls).round(2)
    frame = pd.DataFrame(
        {
            "pickup": start.strftime("%Y-%m-%d %H:%M:%S"),
            "dropoff": (start + pd.to_timedelta(minutes, "m")).strftime("%Y-%m-%d %H:%M:%S"),
            "passengers": rng.choice([1, 1, 1, 2, 3, 4], rows),
            "distance": (minutes * rng.uniform(0.1, 0.4, rows)).round(2),
            "fare": fare,
            "tip": tip,
            "tolls": tolls,
            "total": total,
            "payment": np.where(cash, "cash", "card"),
            "zone": zones,
            "borough": [ZONES[z] for z in zones],
            "color": rng.choice(["yellow", "green"], rows),
        }
    )
    return frame.to_csv(index=False).encode()


def sixty_columns_csv(rows: int = 300, seed: int = 0) -> bytes:
    """A wide table: 40 numbers and 20 categories with long names, some related."""
    rng = np.random.default_rng(seed)
    columns: dict[str, object] = {}
    base = rng.normal(0, 1, rows)
    for i in range(40):
        columns[f"measurement_number_{i:02d}_passengers"] = (
            base * (i % 3) + rng.normal(0, 1, rows)
        ).round(2)
    for i in range(20):
        columns[f"category_{i:02d}_pickup_borough"] = rng.choice(
            [f"zone {k}" for k in range(3 + i % 5)], rows
        )
    return pd.DataFrame(columns).to_csv(index=False).encode()
