"""Shared fixtures: paths to the bundled data and small typed tables."""

from __future__ import annotations

import sys
from collections.abc import Iterator

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


@pytest.fixture(autouse=True)
def _main_module_kept() -> Iterator[None]:
    """AppTest runs its script as ``__main__`` and leaves it there; a process started later with
    'spawn' (Dask's workers) would run that script again (a from_function script fails there).
    Each test ends with the ``__main__`` it started with."""
    main = sys.modules.get("__main__")
    yield
    if main is not None:
        sys.modules["__main__"] = main
