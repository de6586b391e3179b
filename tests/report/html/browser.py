"""A real headless Chromium (Debian's ``chromium``) driven by Playwright, with the
network off: the page is opened from ``file://``, every request it makes and every
console message is kept for the tests to check."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import attrs

#: Debian's chromium first (.ci/run installs it); a Chrome already on the machine (GitHub's
#: runners) does as well.
CHROMIUM = next((found for name in ("chromium", "chromium-browser", "google-chrome",
                                    "google-chrome-stable") if (found := shutil.which(name))),
                "/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         # nothing may resolve or connect anywhere, loopback included
         "--host-resolver-rules=MAP * ~NOTFOUND", "--proxy-server=http://127.0.0.1:9",
         "--proxy-bypass-list=<-loopback>"]


def chromium_missing() -> str | None:
    """Why the browser tests cannot run here, or None (.ci/run installs Chromium)."""
    if not Path(CHROMIUM).exists():
        return "Debian's chromium is not installed (apt-get install chromium chromium-driver)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install -e '.[test]')"
    return None


@attrs.define
class Opened:
    page: Any
    requests: list[str]
    console: list[tuple[str, str]]
    load_seconds: float

    def errors(self) -> list[tuple[str, str]]:
        return [(kind, text) for kind, text in self.console if kind in ("error", "pageerror")]

    def outside_requests(self) -> list[str]:
        return [url for url in self.requests if not url.startswith(("file://", "data:", "blob:",
                                                                     "about:"))]


@attrs.define
class Browser:
    browser: Any
    profile: str

    @contextmanager
    def open(self, path: Path, *, width: int = 1280, height: int = 900) -> Iterator[Opened]:
        import time

        context = self.browser.new_context(offline=True, viewport={"width": width,
                                                                    "height": height})
        page = context.new_page()
        requests: list[str] = []
        console: list[tuple[str, str]] = []
        page.on("request", lambda request: requests.append(request.url))
        page.on("console", lambda message: console.append((message.type, message.text)))
        page.on("pageerror", lambda error: console.append(("pageerror", str(error))))
        started = time.perf_counter()
        page.goto(path.resolve().as_uri(), wait_until="load")
        page.wait_for_selector("#chart-timeline[data-rendered], #chart-timeline.empty",
                               state="attached", timeout=30_000)
        elapsed = time.perf_counter() - started
        try:
            yield Opened(page, requests, console, elapsed)
        finally:
            context.close()


@contextmanager
def chromium() -> Iterator[Browser]:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="recorder-chromium-") as profile, \
            sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            yield Browser(browser, profile)
        finally:
            browser.close()
