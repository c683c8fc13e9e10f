"""Find the installed Chrome/Chromium and open pages in it headless, with the network closed.

srmkit never downloads a browser: it uses one installed on the machine (Debian: ``chromium``),
driven through Playwright's protocol client with ``executable_path``.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Page

BROWSER_ENV = "SRMKIT_CHROMIUM"
CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
# Flags for a headless browser on a machine with no network: no background services that would
# try to reach the internet, no sandbox when running as root (CI containers).
LAUNCH_ARGS = [
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
INSTALL_HINT = (
    "No Chrome/Chromium found for printing PDF. Install one (Debian/Ubuntu: "
    "'sudo apt-get install chromium'; or set SRMKIT_CHROMIUM to a Chrome/Chromium executable). "
    "The HTML document was still produced."
)


class BrowserNotFoundError(RuntimeError):
    """No Chrome/Chromium executable on this machine."""

    def __init__(self) -> None:
        super().__init__(INSTALL_HINT)


def find_browser() -> Path | None:
    """The Chrome/Chromium to use: ``$SRMKIT_CHROMIUM``, else the first of CANDIDATES on PATH."""
    configured = os.environ.get(BROWSER_ENV)
    if configured:
        path = Path(configured)
        return path if path.is_file() and os.access(path, os.X_OK) else None
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return Path(found)
    return None


@contextmanager
def offline_page() -> Iterator[tuple[Page, list[str]]]:
    """A headless page whose requests to anything but local files are refused and recorded.

    Yields the page and the list of refused URLs.
    """
    from playwright.sync_api import Route, sync_playwright

    executable = find_browser()
    if executable is None:
        raise BrowserNotFoundError()
    refused: list[str] = []

    def gate(route: Route) -> None:
        url = route.request.url
        if url.startswith(("file:", "data:", "about:", "blob:")):
            route.continue_()
        else:
            refused.append(url)
            route.abort()

    args = [*LAUNCH_ARGS, *(["--no-sandbox"] if os.geteuid() == 0 else [])]
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(executable), args=args, headless=True)
        try:
            context = browser.new_context(offline=True)
            page = context.new_page()
            page.route("**/*", gate)
            yield page, refused
        finally:
            browser.close()


def wait_for_figures(page: Page, timeout_ms: float = 30_000) -> int:
    """Wait until every plotly figure on the page has drawn; return how many there are."""
    page.wait_for_function(
        """() => [...document.querySelectorAll('.plotly-graph-div')]
                 .every(div => div.querySelector('.main-svg'))""",
        timeout=timeout_ms,
    )
    count: int = page.evaluate("document.querySelectorAll('.plotly-graph-div').length")
    return count
