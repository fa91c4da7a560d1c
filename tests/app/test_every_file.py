"""Every bundled data file, uploaded as a user would: it works end to end or says what is wrong."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from synth_core import SynthCoreError, read_table
from synth_core.generate.spec import MIN_ROWS
from tests.helpers import CSVKIT, ROOT, SAMPLES, SPECTRUM

TIMEOUT = 120
FILES = sorted(
    [
        *SAMPLES.glob("*.csv"),
        *(SPECTRUM / "csvs").glob("*.csv"),
        *CSVKIT.glob("*.csv*"),
        *CSVKIT.glob("*.tsv"),
        *(CSVKIT / "realdata").glob("*.csv"),
    ]
)


def _expected_outcome(path: Path) -> str:
    try:
        table = read_table(path)
    except SynthCoreError:
        return "unreadable"
    return "too small" if len(table.df) < MIN_ROWS else "generates"


def test_all_files_are_covered() -> None:
    assert len(FILES) == 57


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_file_works_end_to_end_or_says_what_is_wrong(path: Path) -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT).run()
    at.radio(key="source_origin").set_value("Upload a CSV").run()
    at.file_uploader(key="upload").set_value((path.name, path.read_bytes(), "text/csv")).run()
    assert not at.exception
    outcome = _expected_outcome(path)
    if outcome == "unreadable":
        assert len(at.error) == 1
        assert at.error[0].value.endswith((".", ")"))
        assert "Traceback" not in at.error[0].value
        return
    assert len(at.data_editor) == 1

    at.switch_page("app_pages/generate.py").run()
    if outcome == "too small":
        assert any("at least 10 are needed" in w.value for w in at.warning)
        assert at.button(key="generate").disabled
        return
    at.selectbox(key="generator").set_value("cart").run()
    at.number_input(key="rows").set_value(50).run()
    at.button(key="generate").click().run()
    deadline = time.monotonic() + TIMEOUT
    while "generation_job" in at.session_state:
        assert time.monotonic() < deadline
        time.sleep(0.2)
        at.run()
    assert not at.exception
    assert len(at.session_state["result"].data) == 50

    at.switch_page("app_pages/fidelity.py").run()
    while "detection_job" in at.session_state:
        assert time.monotonic() < deadline
        time.sleep(0.2)
        at.run()
    assert not at.error
    at.switch_page("app_pages/privacy.py").run()
    while "privacy_job" in at.session_state:
        assert time.monotonic() < deadline
        time.sleep(0.2)
        at.run()
    assert not at.exception
    errors = [e.value for e in at.error]
    # A generated table always has a compared column (generation needs one), so the report
    # exists; tiny holdouts get a note instead of a baseline.
    assert at.session_state["privacy_report"] is not None, errors
    at.switch_page("app_pages/utility.py").run()
    assert not at.exception
    if at.get("button") and any(b.key == "run_utility" for b in at.button):
        at.button(key="run_utility").click().run()
        while "utility_job" in at.session_state:
            assert time.monotonic() < deadline
            time.sleep(0.2)
            at.run()
        assert not at.exception
        for error in at.error:  # small tables: a plain reason, never a crash
            assert "holdout rows" in error.value or "single value" in error.value, error.value
    at.switch_page("app_pages/export.py").run()
    assert not at.exception
    assert not at.error
    assert len(at.get("download_button")) == 2


GENERATING = [p for p in FILES if _expected_outcome(p) == "generates"]


@pytest.mark.parametrize("path", GENERATING, ids=lambda p: str(p.relative_to(ROOT)))
def test_collapse_lab_runs_on_every_file(path: Path) -> None:
    """GaussianCopula and the scikit-learn generator (CART), two generations of every regime:
    a result, or a plain reason on the page, never a crash."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT).run()
    at.radio(key="source_origin").set_value("Upload a CSV").run()
    at.file_uploader(key="upload").set_value((path.name, path.read_bytes(), "text/csv")).run()
    at.switch_page("app_pages/collapse.py").run()
    assert not at.exception
    at.slider(key="collapse_generations").set_value(2).run()
    at.number_input(key="collapse_seed").set_value(1).run()
    for generator in ("gaussian_copula", "cart"):
        at.selectbox(key="collapse_generator").set_value(generator).run()
        at.button(key="run_collapse").click().run()
        deadline = time.monotonic() + TIMEOUT
        while "collapse_job" in at.session_state:
            assert time.monotonic() < deadline
            time.sleep(0.2)
            at.run()
        assert not at.exception
        assert not at.error, [e.value for e in at.error]
        result = at.session_state["collapse_result"]
        assert result.generator == generator
        assert all(len(metrics) == 2 for metrics in result.regimes.values())
        assert len(at.get("plotly_chart")) >= 6
