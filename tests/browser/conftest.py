"""A real Streamlit server on 127.0.0.1 and Debian Chromium driven by Playwright."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Route, sync_playwright

from tests.helpers import ROOT

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
STARTUP_SECONDS = 90
# Short, so a test can wait for a closed tab's job to be cancelled (the default is 120 s).
SESSION_TTL_SECONDS = 15
SERVER_PIDS: dict[str, int] = {}  # url -> process id of the Streamlit server


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(log: Path, *options: str) -> tuple[subprocess.Popen[bytes], str]:
    """The app on a free port of 127.0.0.1 (usage statistics off, ``options`` added), once it
    answers its health check; RuntimeError with its log if it does not start."""
    port = _free_port()
    with log.open("w") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                "app.py",
                "--server.address",
                "127.0.0.1",
                "--server.port",
                str(port),
                "--server.headless",
                "true",
                "--browser.gatherUsageStats",
                "false",
                *options,
            ],
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + STARTUP_SECONDS
    while True:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.read() == b"ok":
                    return process, url
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"Streamlit did not start; its log:\n{log.read_text()}")
        time.sleep(0.5)


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    log = tmp_path_factory.mktemp("streamlit") / "server.log"
    try:
        process, url = start_server(
            log, "--server.disconnectedSessionTTL", str(SESSION_TTL_SECONDS)
        )
    except RuntimeError as exc:
        pytest.fail(str(exc))
    SERVER_PIDS[url] = process.pid
    yield url
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@dataclass
class BrowserSession:
    page: Page
    outbound: list[str] = field(default_factory=list)
    browser: Browser | None = None
    server: str = ""

    def new_session(self) -> Page:
        """A page in a separate browser context: another Streamlit session (other cookies)."""
        assert self.browser is not None
        context = self.browser.new_context(viewport={"width": 1400, "height": 1600})
        context.route("**/*", lambda route: self._only_local(route))
        return context.new_page()

    def _only_local(self, route: Route) -> None:
        url = route.request.url
        if url.startswith((self.server, "data:", "blob:")):
            route.continue_()
        else:
            self.outbound.append(url)
            route.abort()


@pytest.fixture
def browser(server: str) -> Iterator[BrowserSession]:
    if not CHROMIUM.exists():
        pytest.fail("Debian Chromium is missing: run 'make chromium' (apt-get install chromium)")
    with sync_playwright() as playwright:
        # Playwright gives every launch a new, empty profile directory.
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = chromium.new_context(
            viewport={"width": 1400, "height": 1600}, accept_downloads=True
        )
        session = BrowserSession(page=context.new_page(), browser=chromium, server=server)
        context.route("**/*", session._only_local)
        yield session
        for other in chromium.contexts:
            other.close()
        chromium.close()
    assert session.outbound == [], f"the app tried to reach the internet: {session.outbound}"
