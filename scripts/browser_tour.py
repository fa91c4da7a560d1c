"""Walk a folder of CSV files through the running app in Chromium, as a new user would.

For each file: upload it, screenshot the Data page; when it can be generated from, generate with
the default settings and screenshot Generate, Fidelity (with its tabs) and Export, downloading
the CSV (kept in the output folder beside the screenshots). Prints one line per file (works /
the message shown) and fails if the browser tried to reach the internet.

    make run &   # or any running instance
    .venv/bin/python scripts/browser_tour.py ../shared/data --url http://127.0.0.1:8501 --out tour/
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from playwright.sync_api import Page, Route, sync_playwright

ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WAIT_MS = 180_000
SUFFIXES = (".csv", ".tsv", ".gz", ".txt")


def _tour_file(page: Page, url: str, path: Path, out: Path) -> str:
    page.goto(url)
    page.get_by_text("What was read").wait_for(timeout=WAIT_MS)
    page.get_by_text("Upload a CSV", exact=True).click()
    page.locator("input[type=file]").set_input_files(str(path))
    page.wait_for_function(
        "() => document.body.innerText.includes('(' ) && "
        f"(document.body.innerText.includes({path.name!r} + ' (') || "
        "document.querySelector('[data-testid=stAlertContentError]') !== null)",
        timeout=WAIT_MS,
    )
    page.wait_for_timeout(800)
    stem = path.name.replace(".", "_")
    page.screenshot(path=str(out / f"{stem}-1-data.png"), full_page=True)
    error = page.locator("[data-testid=stAlertContentError]")
    if error.count():
        return "refused: " + error.first.inner_text()
    page.get_by_role("link", name="Generate").first.click()
    generate = page.get_by_role("button", name="Generate")
    generate.wait_for(timeout=WAIT_MS)
    if generate.is_disabled():
        page.screenshot(path=str(out / f"{stem}-2-generate.png"), full_page=True)
        return (
            "cannot generate: "
            + page.locator("[data-testid=stAlertContentWarning]").first.inner_text()
        )
    generate.click()
    page.wait_for_function(
        "() => document.body.innerText.includes('Synthetic rows (') || "
        "document.querySelector('[data-testid=stAlertContentError]') !== null",
        timeout=WAIT_MS,
    )
    page.wait_for_timeout(800)
    page.screenshot(path=str(out / f"{stem}-2-generate.png"), full_page=True)
    if error.count():
        return "generation refused: " + error.first.inner_text()
    page.get_by_role("link", name="Fidelity").first.click()
    page.get_by_text("Overall quality").wait_for(timeout=WAIT_MS)
    page.get_by_text("ROC AUC", exact=True).first.wait_for(timeout=WAIT_MS)
    page.wait_for_timeout(2500)
    page.screenshot(path=str(out / f"{stem}-3-fidelity.png"), full_page=True)
    plots = page.locator(".js-plotly-plot").count()
    for tab in ("Pairs", "Rules", "Validity"):
        page.get_by_role("tab", name=tab).click()
        page.wait_for_timeout(2000)
        page.screenshot(path=str(out / f"{stem}-3-fidelity-{tab.lower()}.png"), full_page=True)
    page.get_by_role("link", name="Export").first.click()
    button = page.get_by_role("button", name="Download CSV")
    button.wait_for(timeout=WAIT_MS)
    with page.expect_download(timeout=WAIT_MS) as info:
        button.click()
    info.value.save_as(out / f"{stem}-synthetic.csv")  # to check as a user would
    lines = Path(info.value.path()).read_text(encoding="utf-8").count("\n")
    page.screenshot(path=str(out / f"{stem}-4-export.png"), full_page=True)
    return f"works: {plots} plots, downloaded {lines - 1} rows"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--url", default="http://127.0.0.1:8501")
    parser.add_argument("--out", type=Path, default=Path("tour"))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    files = sorted(p for p in args.folder.rglob("*") if p.is_file() and p.name.endswith(SUFFIXES))
    outbound: list[str] = []

    def only_local(route: Route) -> None:
        if route.request.url.startswith((args.url, "data:", "blob:")):
            route.continue_()
        else:
            outbound.append(route.request.url)
            route.abort()

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        for path in files:
            context = browser.new_context(viewport={"width": 1400, "height": 2400})
            context.route("**/*", only_local)
            page = context.new_page()
            print(f"{path.relative_to(args.folder)}: {_tour_file(page, args.url, path, args.out)}")
            context.close()
        browser.close()
    print(f"outbound requests: {outbound or 'none'}")
    return 1 if outbound else 0


if __name__ == "__main__":
    sys.exit(main())
