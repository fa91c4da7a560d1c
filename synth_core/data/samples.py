"""The public sample tables bundled in sample_data/, selectable without uploading."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from synth_core.errors import InputError

SAMPLE_DIR = Path(__file__).resolve().parents[2] / "sample_data"


@dataclass(frozen=True)
class SampleDataset:
    """A bundled table with its source and licence."""

    name: str
    label: str
    filename: str
    description: str
    licence: str

    @property
    def path(self) -> Path:
        return SAMPLE_DIR / self.filename

    def read_bytes(self) -> bytes:
        if not self.path.is_file():
            raise InputError(
                f"The sample file {self.filename} is missing from {SAMPLE_DIR}. "
                "Run the app from a full checkout of the repository."
            )
        return self.path.read_bytes()


SAMPLES: tuple[SampleDataset, ...] = (
    SampleDataset(
        "insurance",
        "Medical insurance costs (1,338 rows)",
        "insurance.csv",
        "Age, sex, BMI, children, smoker, region and yearly charges; skewed numbers.",
        "public domain (stedy/Machine-Learning-with-R-datasets)",
    ),
    SampleDataset(
        "penguins",
        "Palmer penguins (344 rows)",
        "penguins.csv",
        "Species, island, bill and flipper sizes, body mass and sex; has missing values.",
        "CC0-1.0 (Horst, Hill & Gorman; mwaskom/seaborn-data)",
    ),
    SampleDataset(
        "seattle_weather",
        "Seattle weather (1,461 days)",
        "seattle-weather.csv",
        "Daily date, precipitation, temperatures, wind and weather type, 2012-2015.",
        "US Government work, public domain (NOAA via vega/vega-datasets)",
    ),
)


def sample_dataset(name: str) -> SampleDataset:
    for sample in SAMPLES:
        if sample.name == name:
            return sample
    names = ", ".join(s.name for s in SAMPLES)
    raise InputError(f"There is no sample dataset '{name}'. Choose one of: {names}.")


@dataclass(frozen=True)
class LinkedSample:
    """A bundled set of linked tables (a folder of CSV files) with its source and licence."""

    name: str
    label: str
    folder: str
    description: str
    licence: str

    def files(self) -> list[tuple[str, bytes]]:
        """(file name, bytes) of every table, in name order, as ``read_database`` takes them."""
        folder = SAMPLE_DIR / self.folder
        paths = sorted(folder.glob("*.csv")) if folder.is_dir() else []
        if not paths:
            raise InputError(
                f"The sample tables in {folder} are missing. Run the app from a full checkout "
                "of the repository."
            )
        return [(path.name, path.read_bytes()) for path in paths]


LINKED_SAMPLES: tuple[LinkedSample, ...] = (
    LinkedSample(
        "baseball",
        "Baseball: players, their postseason lines, teams, franchises (4 tables)",
        "baseball",
        "1,001 players, 2,431 postseason batting lines (a sequence per player, most players have "
        "none), 150 team seasons and 120 franchises, from the Baseball Databank.",
        "CC BY-SA 3.0 (Baseball Databank, Chadwick Baseball Bureau)",
    ),
)
