"""The real-like tables of issue 23 on the pages, with the page's defaults: upload, generate,
open the Fidelity page, download the CSV from the Export page, and check it as a user would
(tests/real_like.py)."""

from __future__ import annotations

import pytest

from tests.app.test_pages import _app, _fidelity, _generate, _upload
from tests.real_like import CASES, bike_csv, taxi_csv

ROWS = {
    "compas": 2_500,
    "taxi": 2_000,
    "bike": 2_000,
    "credit": 1_000,
    "legislators": 537,
    "historical": 1_500,
    "orders": 2_000,
    "census": 2_000,
}


def _generate_with_defaults(name: str, data: bytes):  # type: ignore[no-untyped-def]
    at = _generate(_upload(_app(), f"{name}.csv", data), generator=None, rows=None)
    assert not at.error, [e.value for e in at.error]
    return at


def _download(at):  # type: ignore[no-untyped-def]
    at.switch_page("app_pages/export.py").run()
    assert not at.exception
    result = at.session_state["result"]
    data: bytes = at.session_state["downloads"][(id(result), "csv")]
    return data


@pytest.mark.parametrize("name", list(CASES))
def test_the_downloaded_file_keeps_what_a_user_checks(name: str) -> None:
    build, check = CASES[name]
    real = build(ROWS[name])
    at = _generate_with_defaults(name, real)
    assert len(at.session_state["result"].data) == ROWS[name]  # the table's own size
    check(real, _download(at))


def _fidelity_page(name: str, data: bytes):  # type: ignore[no-untyped-def]
    at = _fidelity(_generate_with_defaults(name, data))
    verdicts = [b.value for b in (*at.success, *at.warning, *at.info) if "Quality is" in b.value]
    assert len(verdicts) == 1  # one headline: score, detection and relations together
    return at


def _table_with(at, column: str):  # type: ignore[no-untyped-def]
    return next(d.value for d in at.dataframe if column in d.value.columns)


def test_the_fidelity_page_shows_each_trips_length_real_beside_synthetic() -> None:
    at = _fidelity_page("taxi", taxi_csv(1_500))
    gaps = _table_with(at, "KS distance")
    trip = gaps[gaps["between"] == "pickup → dropoff"]
    assert len(trip) == 1
    assert trip["unit"].iloc[0] == "minutes"
    assert float(trip["KS distance"].iloc[0]) < 0.2


def test_the_fidelity_page_shows_that_every_weekday_agrees_with_its_date() -> None:
    at = _fidelity_page("bike", bike_csv(1_500))
    rules = _table_with(at, "synthetic rows breaking it")
    weekday = rules[rules["rule"].str.startswith("weekday follows the day of the week of dteday")]
    assert len(weekday) == 1
    assert weekday["synthetic rows breaking it"].iloc[0] == "0.0%"
