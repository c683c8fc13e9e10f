"""Find the installed Chrome/Chromium and drive it headless, with the network closed.

srmkit never downloads a browser: it uses one installed on the machine (Debian: ``chromium``),
driven through Playwright's protocol client with ``executable_path``.

:class:`Chromium` is one browser for a whole ``srmkit report`` run. It starts in a background
thread (Playwright's sync API belongs to the thread that created it) while the first notebook
executes, warms itself on a small page that loads plotly.js, and then prints every PDF of the run.
Pages printed from it load plotly.js from one local file, which Chromium compiles once per run
(measured: the first document's load falls from about 1.5 s to 0.5 s).
"""

from __future__ import annotations

import os
import queue
import re
import shutil
import sys
import threading
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from srmkit.errors import EXIT_INVALID, SrmkitError

if TYPE_CHECKING:
    from playwright.sync_api import Page, Playwright, Route

BROWSER_ENV = "SRMKIT_CHROMIUM"
CANDIDATES = (
    "chromium",
    "chromium-browser",
    "google-chrome",
    "google-chrome-stable",
    "chrome",
    "microsoft-edge",
    "microsoft-edge-stable",
    "msedge",
)
"""Executable names looked for on PATH, in order."""
WINDOWS_PLACES = (
    ("PROGRAMFILES", r"Google\Chrome\Application\chrome.exe"),
    ("PROGRAMFILES(X86)", r"Google\Chrome\Application\chrome.exe"),
    ("LOCALAPPDATA", r"Google\Chrome\Application\chrome.exe"),
    ("PROGRAMFILES(X86)", r"Microsoft\Edge\Application\msedge.exe"),
    ("PROGRAMFILES", r"Microsoft\Edge\Application\msedge.exe"),
    ("LOCALAPPDATA", r"Chromium\Application\chrome.exe"),
)
"""Where Chrome, Edge and Chromium install on Windows: an environment folder and the path in
it (Edge ships with Windows 10 and 11, so one is nearly always there)."""
MACOS_APPS = (
    "Google Chrome.app/Contents/MacOS/Google Chrome",
    "Chromium.app/Contents/MacOS/Chromium",
    "Microsoft Edge.app/Contents/MacOS/Microsoft Edge",
)
"""Where Chrome, Chromium and Edge install on macOS, under /Applications or ~/Applications."""
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
    "Install Chrome, Chromium or Edge (Debian/Ubuntu: 'sudo apt-get install chromium'), or set "
    "SRMKIT_CHROMIUM to one's executable."
)
FORMAT_NEEDS = {
    "pdf": "printing the PDF documents",
    "docx": "the figures of the Word documents",
}
"""What a browser is needed for, by format."""
FIGURES_DRAWN_JS = """() => [...document.querySelectorAll('.plotly-graph-div')]
                         .every(div => div.querySelector('.main-svg'))"""
T = TypeVar("T")


class BrowserNotFoundError(SrmkitError, RuntimeError):
    """No Chrome, Chromium or Edge on this machine, for a format that needs one."""

    exit_code = EXIT_INVALID

    def __init__(self, formats: tuple[str, ...] = ("pdf",)) -> None:
        needs = " and ".join(FORMAT_NEEDS[f] for f in formats if f in FORMAT_NEEDS)
        super().__init__(f"no Chrome, Chromium or Edge found for {needs}. {INSTALL_HINT}")


def standard_places(platform: str, env: Mapping[str, str], home: Path) -> list[Path]:
    """Where a browser installs outside PATH on ``platform`` (``sys.platform``).

    >>> print(standard_places("darwin", {}, Path("/Users/x"))[0])
    /Applications/Google Chrome.app/Contents/MacOS/Google Chrome
    >>> len(standard_places("win32", {"PROGRAMFILES": "C:/PF"}, Path("C:/Users/x")))
    2
    >>> standard_places("linux", {}, Path("/home/x"))
    []
    """
    if platform == "win32":
        return [Path(env[var]) / rel for var, rel in WINDOWS_PLACES if env.get(var)]
    if platform == "darwin":
        return [
            base / app
            for base in (Path("/Applications"), home / "Applications")
            for app in MACOS_APPS
        ]
    return []


def find_browser(platform: str = sys.platform, env: Mapping[str, str] | None = None) -> Path | None:
    """The Chrome, Chromium or Edge to use: ``$SRMKIT_CHROMIUM``, else the first of
    :data:`CANDIDATES` on PATH, else the first installed in the platform's standard places."""
    env = os.environ if env is None else env
    configured = env.get(BROWSER_ENV)
    if configured:
        path = Path(configured)
        return path if path.is_file() and os.access(path, os.X_OK) else None
    for name in CANDIDATES:
        found = shutil.which(name, path=env.get("PATH"))
        if found:
            return Path(found)
    for path in standard_places(platform, env, Path.home()):
        if path.is_file() and os.access(path, os.X_OK):
            return path
    return None


class BrowserStartError(SrmkitError, RuntimeError):
    """The Chrome/Chromium found did not start."""

    def __init__(self, executable: Path, detail: str) -> None:
        super().__init__(
            f"the browser {executable} did not start ({detail}); check that it runs "
            f"('{executable} --headless --version') or set {BROWSER_ENV} to another one"
        )


def _launch(pw: Playwright) -> Any:
    executable = find_browser()
    if executable is None:
        raise BrowserNotFoundError()
    root = hasattr(os, "geteuid") and os.geteuid() == 0  # Windows has no user ids
    args = [*LAUNCH_ARGS, *(["--no-sandbox"] if root else [])]
    try:
        return pw.chromium.launch(
            executable_path=str(executable), args=args, headless=True, timeout=30_000
        )
    except Exception as exc:  # Playwright reports a failed start with the browser's whole log
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        exited = re.search(r"process did exit: exitCode=(\d+)", str(exc))
        detail = f"it exited with code {exited.group(1)}" if exited else first
        raise BrowserStartError(executable, detail) from None


def _offline(page: Page, refused: list[str]) -> None:
    """Refuse and record every request that is not a local file or inline data."""

    def gate(route: Route) -> None:
        url = route.request.url
        if url.startswith(("file:", "data:", "about:", "blob:")):
            route.continue_()
        else:
            refused.append(url)
            route.abort()

    page.route("**/*", gate)


@contextmanager
def offline_page() -> Iterator[tuple[Page, list[str]]]:
    """A headless page whose requests to anything but local files are refused and recorded.

    Yields the page and the list of refused URLs.
    """
    from playwright.sync_api import sync_playwright

    refused: list[str] = []
    with sync_playwright() as pw:
        browser = _launch(pw)
        try:
            page = browser.new_context(offline=True).new_page()
            _offline(page, refused)
            yield page, refused
        finally:
            browser.close()


def wait_for_figures(page: Page, timeout_ms: float = 30_000) -> int:
    """Wait until every plotly figure on the page has drawn; return how many there are."""
    page.wait_for_function(FIGURES_DRAWN_JS, timeout=timeout_ms)
    count: int = page.evaluate("document.querySelectorAll('.plotly-graph-div').length")
    return count


class Chromium:
    """One headless browser for a run, started and warmed in a background thread.

    ``assets`` are files (name → text) written into the browser's working folder, beside the
    pages it loads; ``warm_html`` makes a small page that is loaded in the browser's thread while
    the caller does other work; ``viewport_px`` (width, height) sizes the page, so that figures
    drawn on load are as wide as the printed page's content. :meth:`call` runs a function on the
    browser's page in its thread.
    """

    def __init__(
        self,
        folder: Path,
        assets: dict[str, str] | None = None,
        warm_html: Callable[[], str] | None = None,
        viewport_px: tuple[int, int] | None = None,
    ) -> None:
        self.folder = folder
        self.viewport_px = viewport_px
        folder.mkdir(parents=True, exist_ok=True)
        for name, text in (assets or {}).items():
            (self.folder / name).write_text(text, encoding="utf-8")
        self.refused: list[str] = []
        self._jobs: queue.Queue[tuple[Callable[[Page], Any], Future[Any]] | None] = queue.Queue()
        self._started: Future[None] = Future()
        self._thread = threading.Thread(
            target=self._run, args=(warm_html,), name="srmkit-chromium", daemon=True
        )
        self._thread.start()

    def _run(self, warm_html: Callable[[], str] | None) -> None:
        from playwright.sync_api import sync_playwright

        try:
            with sync_playwright() as pw:
                browser = _launch(pw)
                try:
                    options: dict[str, Any] = {"offline": True}
                    if self.viewport_px is not None:
                        width, height = self.viewport_px
                        options["viewport"] = {"width": width, "height": height}
                    page = browser.new_context(**options).new_page()
                    _offline(page, self.refused)
                    self._started.set_result(None)
                    if warm_html is not None:
                        warm = self.folder / "warm.html"
                        warm.write_text(warm_html(), encoding="utf-8")
                        page.goto(warm.as_uri(), wait_until="load")
                    self._serve(page)
                finally:
                    browser.close()
        except BaseException as exc:
            if not self._started.done():
                self._started.set_exception(exc)
            self._fail_pending(exc)

    def _serve(self, page: Page) -> None:
        while (job := self._jobs.get()) is not None:
            fn, future = job
            if not future.set_running_or_notify_cancel():
                continue  # cancelled while queued
            try:
                future.set_result(fn(page))
            except BaseException as exc:
                future.set_exception(exc)

    def _fail_pending(self, exc: BaseException) -> None:
        while True:
            try:
                job = self._jobs.get_nowait()
            except queue.Empty:
                return
            if job is not None:
                job[1].set_exception(exc)

    def call(self, fn: Callable[[Page], T], timeout_s: float | None = None) -> T:
        """Run ``fn(page)`` in the browser's thread and return its result (or raise its error)."""
        self._started.result(timeout=timeout_s)
        return self.submit(fn).result(timeout=timeout_s)

    def submit(self, fn: Callable[[Page], T]) -> Future[T]:
        """Queue ``fn(page)`` for the browser's thread; its future holds the result or error.

        Jobs run one after another in the order submitted, while the caller goes on; a job
        cancelled (``future.cancel()``) before it starts does not run.
        """
        future: Future[T] = Future()
        failed = self._started.exception() if self._started.done() else None
        if failed is not None:  # the browser never started: say why, at once
            future.set_exception(failed)
            return future
        self._jobs.put((fn, future))
        return future

    def close(self) -> None:
        """Stop the browser (its working folder belongs to the caller)."""
        self._jobs.put(None)
        self._thread.join(timeout=30)

    def __enter__(self) -> Chromium:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
