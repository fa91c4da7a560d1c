"""Shared fixtures: paths to the bundled data and small typed tables."""

from __future__ import annotations

import pytest

from synth_core import Table, read_table
from tests.helpers import SAMPLES


@pytest.fixture(scope="session")
def insurance() -> Table:
    return read_table(SAMPLES / "insurance.csv")


@pytest.fixture(scope="session")
def penguins() -> Table:
    return read_table(SAMPLES / "penguins.csv")


@pytest.fixture(scope="session")
def weather() -> Table:
    return read_table(SAMPLES / "seattle-weather.csv")
