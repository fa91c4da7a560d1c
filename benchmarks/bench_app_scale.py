"""The app at a million rows, in a browser (issue 34, point 3; a benchmark, not a CI test).

A census-shaped CSV of --rows rows (the census-like process of tests/real_like.py, about 100 MB
for a million) is uploaded through the Data page of a real Streamlit server in Debian Chromium
(Playwright), then: the rules on the Generate page, a generation cancelled after its first
progress message, a generation to the end with every progress message seen, the preview, the
Fidelity page (its headline and detection, with the sample sizes it states), the Privacy page
(with its sample sizes) and the Export page's CSV download, read back and counted. Printed: the
seconds of each step, the progress messages, the sample sizes the pages state, the server's peak
memory (VmHWM of the Streamlit process) and the downloaded file's rows. As a baseline in the same
run, the same steps on a table of --base rows (each step's time as a ratio of it).

    python benchmarks/bench_app_scale.py [--rows 1000000] [--base 100000] [--shots DIR]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

WAIT_MS = int(os.environ.get("BENCH_WAIT_S", "1200")) * 1000
WATCH = """() => {
  window.__progress = [];
  const seen = () => document.querySelectorAll('[data-testid=stProgress]').forEach(
    (bar) => window.__progress.push(bar.innerText));
  new MutationObserver(seen).observe(document.body,
    {subtree: true, childList: true, characterData: true});
}"""


def _peak_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _texts(page: Any, pattern: str) -> list[str]:
    body = page.locator("section.stMain, [data-testid=stMain]").first.inner_text()
    return sorted({m.group(0) for m in re.finditer(pattern, body)})


def run(rows: int, folder: Path, shots: Path | None) -> dict[str, Any]:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, start_server
    from tests.real_like import census_frame

    source = folder / f"census_{rows}.csv"
    census_frame(rows, seed=21).to_csv(source, index=False)
    size_mb = source.stat().st_size / 1e6
    process, url = start_server(folder / f"server_{rows}.log")
    outbound: list[str] = []
    seconds: dict[str, float] = {}
    found: dict[str, Any] = {"rows": rows, "csv_mb": size_mb, "seconds": seconds}

    def only_local(route: Any) -> None:
        if route.request.url.startswith((url, "data:", "blob:")):
            route.continue_()
        else:
            outbound.append(route.request.url)
            route.abort()

    def step(name: str, started: float) -> None:
        seconds[name] = time.perf_counter() - started
        print(f"  {name:28} {seconds[name]:7.1f} s", flush=True)
        if shots is not None:
            page.screenshot(path=str(shots / f"{rows}_{name.replace(' ', '_')}.png"))

    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            context = browser.new_context(
                viewport={"width": 1400, "height": 1600}, accept_downloads=True
            )
            context.route("**/*", only_local)
            page = context.new_page()
            page.goto(url)
            page.get_by_text("What was read").wait_for(timeout=WAIT_MS)
            page.get_by_text("Upload a CSV", exact=True).click()
            started = time.perf_counter()
            page.locator("input[type=file]").set_input_files(str(source))
            page.get_by_text(f"Preview ({rows:,} rows × 15 columns)").wait_for(timeout=WAIT_MS)
            step("upload and Data page", started)

            started = time.perf_counter()
            page.get_by_role("link", name="Generate").first.click()
            page.get_by_text(re.compile(r"Rules found in your data \(\d+ of \d+ kept\)")).wait_for(
                timeout=WAIT_MS
            )
            page.get_by_role("button", name="Generate").wait_for(timeout=WAIT_MS)
            found["rules"] = _texts(page, r"Rules found in your data \(\d+ of \d+ kept\)")
            step("Generate page and rules", started)

            started = time.perf_counter()
            page.get_by_role("button", name="Generate").click()
            page.get_by_test_id("stProgress").first.wait_for(timeout=WAIT_MS)
            with contextlib.suppress(PlaywrightTimeout):  # a small table is done before it
                page.get_by_role("button", name="Cancel").click(timeout=5_000)
            page.get_by_text(
                re.compile(r"Generation was cancelled, as you asked\.|Synthetic rows \(")
            ).first.wait_for(timeout=WAIT_MS)
            found["cancelled"] = page.get_by_text("Generation was cancelled").count() > 0
            step("start and cancel", started)

            started = time.perf_counter()
            page.evaluate(WATCH)  # every progress text the page shows, however briefly
            page.get_by_role("button", name="Generate").click()
            page.get_by_text(f"Synthetic rows ({rows:,})").wait_for(timeout=WAIT_MS)
            messages: list[str] = []
            for text in page.evaluate("window.__progress"):
                # "Fitting CART — about 3 s left (12 s so far)": the step, without the clock.
                text = re.sub(r"\s*(—|\().*$", "", text).strip()
                if text and text not in messages:
                    messages.append(text)
            page.get_by_test_id("stDataFrame").last.wait_for(timeout=WAIT_MS)
            step("generate and preview", started)
            found["progress"] = messages

            started = time.perf_counter()
            page.get_by_role("link", name="Fidelity").first.click()
            page.get_by_text("Overall quality").wait_for(timeout=WAIT_MS)
            page.get_by_text("ROC AUC", exact=True).first.wait_for(timeout=WAIT_MS)
            step("Fidelity page", started)
            found["fidelity_samples"] = _texts(
                page, r"[^.\n]*(?:seeded sample|at most [\d,]+)[^.\n]*"
            )
            found["quality"] = _texts(page, r"Overall quality[^\n]*\n?[^\n]*")

            started = time.perf_counter()
            page.get_by_role("link", name="Privacy").first.click()
            page.get_by_text("Exact copies").first.wait_for(timeout=WAIT_MS)
            page.get_by_text("Distance to the closest training row").wait_for(timeout=WAIT_MS)
            step("Privacy page", started)
            found["privacy_samples"] = _texts(page, r"[^.\n]*seeded sample[^.\n]*")

            started = time.perf_counter()
            page.get_by_role("link", name="Export").first.click()
            button = page.get_by_role("button", name="Download CSV")
            button.wait_for(timeout=WAIT_MS)
            with page.expect_download(timeout=WAIT_MS) as info:
                button.click()
            saved = folder / info.value.suggested_filename
            info.value.save_as(saved)
            step("Export and download", started)
            with saved.open("rb") as handle:
                found["downloaded_rows"] = sum(1 for _ in handle) - 1
            found["downloaded_mb"] = saved.stat().st_size / 1e6
            found["server_peak_mb"] = _peak_mb(process.pid)
            browser.close()
    finally:
        process.terminate()
        process.wait(timeout=30)
    found["outbound"] = outbound
    return found


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--base", type=int, default=100_000)
    parser.add_argument("--shots", type=Path)
    args = parser.parse_args()
    if args.shots:
        args.shots.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="bench_app_") as tmp:
        results = []
        for rows in (args.base, args.rows):
            print(f"\n{rows:,} rows:", flush=True)
            result = run(rows, Path(tmp), args.shots)
            results.append(result)
            print(f"  CSV {result['csv_mb']:.0f} MB; {', '.join(result['rules'])}")
            print(f"  cancelled: {'yes' if result['cancelled'] else 'no (done before the click)'}")
            print(f"  progress seen: {' | '.join(result['progress'])}")
            print(f"  Fidelity: {' / '.join(result['fidelity_samples']) or '(no sample stated)'}")
            print(f"  Privacy: {' / '.join(result['privacy_samples']) or '(no sample stated)'}")
            print(
                f"  downloaded {result['downloaded_rows']:,} rows ({result['downloaded_mb']:.0f} "
                f"MB); server peak memory {result['server_peak_mb']:,.0f} MB; requests beyond "
                f"the app: {len(result['outbound'])}"
            )
        base, big = results
        print(f"\n{big['rows']:,} vs {base['rows']:,} rows (the baseline, same run):")
        for name, value in big["seconds"].items():
            print(f"  {name:28} {value:7.1f} s  {value / base['seconds'][name]:6.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
