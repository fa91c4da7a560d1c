"""In a real browser: upload a CSV, generate, see the fidelity report, download the CSV."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from tests.browser.conftest import BrowserSession
from tests.helpers import SAMPLES

pytestmark = pytest.mark.browser
WAIT_MS = 120_000


def test_upload_generate_fidelity_download(
    server: str, browser: BrowserSession, tmp_path: Path
) -> None:
    page = browser.page
    page.goto(server)
    page.get_by_text("What was read").wait_for(timeout=WAIT_MS)

    page.get_by_text("Upload a CSV", exact=True).click()
    page.locator("input[type=file]").set_input_files(str(SAMPLES / "penguins.csv"))
    page.get_by_text("penguins.csv (").wait_for(timeout=WAIT_MS)
    page.get_by_text("Preview (344 rows × 7 columns)").wait_for(timeout=WAIT_MS)
    page.screenshot(path=str(tmp_path / "data.png"))

    page.get_by_role("link", name="Generate").first.click()
    page.get_by_role("button", name="Generate").wait_for(timeout=WAIT_MS)
    page.get_by_role("button", name="Generate").click()
    page.get_by_text("Synthetic rows (344)").wait_for(timeout=WAIT_MS)

    page.get_by_role("link", name="Fidelity").first.click()
    page.get_by_text("Overall quality").wait_for(timeout=WAIT_MS)
    page.get_by_text("ROC AUC", exact=True).first.wait_for(timeout=WAIT_MS)  # detection done
    plots = page.locator(".js-plotly-plot")
    plots.nth(2).wait_for(timeout=WAIT_MS)  # shapes, detection, the first column's distribution
    page.get_by_role("tab", name="Pairs").click()
    page.locator(".js-plotly-plot .heatmaplayer").first.wait_for(timeout=WAIT_MS)

    page.get_by_role("link", name="Export").first.click()
    button = page.get_by_role("button", name="Download CSV")
    button.wait_for(timeout=WAIT_MS)
    with page.expect_download(timeout=WAIT_MS) as download_info:
        button.click()
    download = download_info.value
    assert download.suggested_filename == "penguins_synthetic.csv"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    rows = list(csv.reader(io.StringIO(saved.read_text(encoding="utf-8"))))
    assert rows[0] == [
        "species",
        "island",
        "bill_length_mm",
        "bill_depth_mm",
        "flipper_length_mm",
        "body_mass_g",
        "sex",
    ]
    assert len(rows) == 345
    assert {row[0] for row in rows[1:]} <= {"Adelie", "Chinstrap", "Gentoo"}
