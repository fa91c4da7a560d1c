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


# The fast lane (`make unit`: `pytest -m "not slow"` on tests/unit and tests/contract) leaves out
# what is marked slow: every app and browser test (they drive the whole app), every test run
# with a neural or the DP generator (their training takes 10-30 s even on tiny tables), and the
# tests marked one by one (end-to-end runs, statistical tests over many seeds, worker processes).
_WHOLE_APP = ("app", "browser")


def _slow_generator(value: object) -> bool:
    from synth_core.generate.generators.registry import GeneratorInfo, GeneratorKind, infos

    slow = (GeneratorKind.NEURAL, GeneratorKind.DP)
    if isinstance(value, GeneratorInfo):
        return value.kind in slow
    return any(i.name == value and i.kind in slow for i in infos())


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        folder = item.path.parent.name
        params = getattr(item, "callspec", None)
        trains = params is not None and any(_slow_generator(v) for v in params.params.values())
        if folder in _WHOLE_APP or trains:
            item.add_marker(pytest.mark.slow)
