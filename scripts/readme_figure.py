"""The README's collapse figure: the Collapse lab's default run on the bundled insurance data,
drawn by the app's own plotting code (synth_core.present.plots) and photographed in Chromium.

    .venv/bin/python scripts/readme_figure.py [docs/collapse.png]

Needs the test extras (Playwright) and Debian's Chromium at /usr/bin/chromium."""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from browser_tour import ARGS as CHROMIUM_ARGS  # scripts/ is on sys.path when run
from playwright.sync_api import sync_playwright

from synth_core import read_table
from synth_core.experiments.collapse import collapse_run
from synth_core.present.plots import collapse_overview

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "collapse.png"
    table = read_table((ROOT / "sample_data" / "insurance.csv").read_bytes())
    started = time.perf_counter()
    # The page's defaults: GaussianCopula, 10 generations of 200 rows, all regimes, seed 0.
    result = collapse_run(table, "gaussian_copula", 10, 200)
    seconds = time.perf_counter() - started
    for regime, metrics in result.regimes.items():
        first, last = metrics[0], metrics[-1]
        print(
            f"{regime}: mean KS {first.mean_ks:.3f} -> {last.mean_ks:.3f}, std ratio "
            f"{first.std_ratio:.2f} -> {last.std_ratio:.2f}, tail coverage "
            f"{first.tail_coverage:.2f} -> {last.tail_coverage:.2f}, detection AUC "
            f"{first.detection_auc:.2f} -> {last.detection_auc:.2f}"
        )
    print(f"lab run: {seconds:.1f} s")
    figure = collapse_overview(result)
    with tempfile.TemporaryDirectory() as folder:
        html = Path(folder) / "figure.html"
        figure.write_html(html, include_plotlyjs=True, full_html=True)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1040, "height": 1000})
            page.goto(html.as_uri())
            page.locator(".js-plotly-plot").wait_for()
            out.parent.mkdir(parents=True, exist_ok=True)
            page.locator(".js-plotly-plot").screenshot(path=str(out))
            browser.close()
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
