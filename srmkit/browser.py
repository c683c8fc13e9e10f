"""Find the installed Chrome/Chromium and drive it headless, with the network closed.

srmkit never downloads a browser: it uses one installed on the machine (Debian: ``chromium``),
driven through Playwright's protocol client with ``executable_path``.

:class:`Chromium` is one browser for a whole ``srmkit report`` run. It starts in a background
thread (Playwright's sync API belongs to the thread that created it) while the first notebook
executes, warms itself on a small page that loads plotly.js, and then prints every PDF of the run.
Pages printed from it load plotly.js from one local file, which Chromium compiles once per run
(measured: the first document's load falls from about 1.5 s to 0.5 s). A browser or driver that
dies or stops answering is killed and started again, and the job runs again, once; their
temporary files (profile, artefacts) stay in the run's folder.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import queue
import re
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from srmkit.errors import EXIT_INVALID, SrmkitError
from srmkit.interrupts import INTERRUPTED, on_interrupt

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
        self.executable = executable
        self.reason = detail

    def __reduce__(self) -> tuple[type[BrowserStartError], tuple[Path, str]]:
        return type(self), (self.executable, self.reason)


class BrowserFaultError(SrmkitError, RuntimeError):
    """The browser or its Playwright driver died or stopped answering twice on one job."""


def temp_env(folder: Path) -> dict[str, str]:
    """The environment variables that put a process's temporary files in ``folder``."""
    return dict.fromkeys(("TMPDIR", "TMP", "TEMP"), str(folder))


def browser_env(folder: Path) -> dict[str, str | float | bool]:
    """The browser's environment: this process's, its temporary files in ``folder``.

    Chromium makes its single-instance socket in its temporary folder, and does not start
    when the socket's path would be too long (:data:`SOCKET_FOLDER_MAX`): it then keeps the
    machine's temporary folder (the profile and Playwright's files stay in ``folder``)."""
    fits = len(str(folder)) <= SOCKET_FOLDER_MAX
    return {**os.environ, **(temp_env(folder) if fits else {})}


_THREAD = threading.local()
_HOOK_LOCK = threading.Lock()
DRIVER_MODULES = ("playwright._impl.transport", "playwright._impl._transport")
"""Where Playwright's pipe transport, which starts the driver, lives (versions differ)."""


def _hook_driver_env() -> None:
    """Let a thread add to the environment Playwright starts its driver (Node.js) with.

    The driver makes Chromium's profile (``playwright_chromiumdev_profile-*``) and its artefacts
    folder (``playwright-artifacts-*``) in its own temporary folder, and Playwright offers no
    option for it: its transport copies ``os.environ`` (``get_driver_env``). srmkit wraps that
    function once; the wrapper adds what the starting thread set (:func:`_driver_env`), and
    nothing in any other thread (``os.environ`` is never changed).
    """
    with _HOOK_LOCK:
        for name in DRIVER_MODULES:
            try:
                module = importlib.import_module(name)
            except ImportError:
                continue
            original = getattr(module, "get_driver_env", None)
            if original is None or getattr(original, "srmkit", False):
                continue

            def get_driver_env(original: Callable[[], dict[str, str]] = original) -> dict[str, str]:
                env = dict(original())
                env.update(getattr(_THREAD, "env", None) or {})
                return env

            get_driver_env.srmkit = True  # type: ignore[attr-defined]
            module.get_driver_env = get_driver_env  # type: ignore[attr-defined]


@contextmanager
def _driver_env(extra: dict[str, str]) -> Iterator[None]:
    """Start Playwright's driver, in this thread, with ``extra`` added to its environment."""
    _hook_driver_env()
    _THREAD.env = extra
    try:
        yield
    finally:
        _THREAD.env = None


EXITED = "it exited with code"
"""How a browser that exits as it starts is said (one killed by a signal is not)."""


def _launch(pw: Playwright, env: dict[str, str | float | bool] | None = None) -> Any:
    executable = find_browser()
    if executable is None:
        raise BrowserNotFoundError()
    root = hasattr(os, "geteuid") and os.geteuid() == 0  # Windows has no user ids
    args = [*LAUNCH_ARGS, *(["--no-sandbox"] if root else [])]
    try:
        return pw.chromium.launch(
            executable_path=str(executable), args=args, headless=True, timeout=30_000, env=env
        )
    except Exception as exc:  # Playwright reports a failed start with the browser's whole log
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        exited = re.search(r"process did exit: exitCode=(\d+)", str(exc))
        detail = f"{EXITED} {exited.group(1)}" if exited else first
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

    Yields the page and the list of refused URLs. The driver's and the browser's temporary
    files go in a temporary folder of their own, removed afterwards.
    """
    from playwright.sync_api import sync_playwright

    refused: list[str] = []
    with (
        tempfile.TemporaryDirectory(prefix="srmkit-page-") as temp,
        _driver_env(temp_env(Path(temp))),
        sync_playwright() as pw,
    ):
        browser = _launch(pw, browser_env(Path(temp)))
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


# --- one browser for a run, restarted once when it dies or stops answering -------------------

JOB_S = 60.0
"""The watchdog's time for a job given none. [s]"""
START_S = 60.0
"""The watchdog's time to start the driver and the browser (Playwright's launch gives up after
30 s) and load the warm-up page. [s]"""
CLOSE_S = 10.0
"""The watchdog's time to close the browser and the driver gracefully. [s]"""
STOPPED_S = 2.0
"""How long a process of the browser may stay stopped (SIGSTOP) before it is taken as not
answering: nothing it was asked is answered meanwhile. [s]"""
POLL_S = 0.25
"""How often the watchdog looks at the browser's processes while a job runs. [s]"""
TEMP_FOLDER = "tmp"
"""The folder, inside a :class:`Chromium`'s folder, of the driver's and browser's temporary
files (profile, artefacts): removed with it."""
SOCKET_FOLDER_MAX = (103 if sys.platform == "darwin" else 107) - 42
"""The longest temporary folder Chromium starts in: its single-instance socket,
``<folder>/org.chromium.Chromium.XXXXXX/SingletonSocket`` (42 characters more with Edge's longer
name), must fit a Unix socket's path (103 characters on macOS, 107 on Linux). In a longer one,
the browser keeps the machine's temporary folder (only that socket's folder goes there)."""
CLOSED_WORDS = ("has been closed", "connection closed", "target closed", "crashed")
"""Words of a Playwright error that says the browser, its page or the driver is gone."""
KILL = getattr(signal, "SIGKILL", signal.SIGTERM)  # Windows has no SIGKILL: SIGTERM terminates


def _psutil() -> Any:
    """psutil (installed with ipykernel), imported when a browser starts."""
    import psutil  # type: ignore[import-untyped]  # no type stubs

    return psutil


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _says_closed(exc: BaseException) -> bool:
    """Whether a Playwright error says the browser, the page or the driver went away."""
    if any(cls.__name__ == "TargetClosedError" for cls in type(exc).__mro__):
        return True
    return type(exc).__module__.startswith("playwright") and any(
        word in str(exc).lower() for word in CLOSED_WORDS
    )


def _retrieve(future: Any) -> None:
    """Read a future's exception, so that asyncio never prints it as "never retrieved"."""
    if not future.cancelled():
        future.exception()


class _Session:
    """One started browser: Playwright's driver (Node.js), Chromium and the page, with the
    processes' ids, for the watchdog and for an interrupt."""

    def __init__(self, temp: Path) -> None:
        self.temp = temp
        self.page: Any = None
        self._manager: Any = None
        self._browser: Any = None
        self._procs: list[Any] = []  # psutil.Process: the driver, then the browser and its own
        self.pids: tuple[int, ...] = ()

    @property
    def driver_pid(self) -> int | None:
        return self._procs[0].pid if self._procs else None

    @property
    def browser_pid(self) -> int | None:
        return self._procs[1].pid if len(self._procs) > 1 else None

    def open(
        self,
        viewport_px: tuple[int, int] | None,
        refused: list[str],
        warm: Path | None,
    ) -> None:
        """Start the driver and the browser (temporary files in :attr:`temp`), open the page
        and load the warm-up page ``warm``."""
        from playwright.sync_api import sync_playwright

        self.temp.mkdir(parents=True, exist_ok=True)
        env = temp_env(self.temp)
        with _driver_env(env):
            self._manager = sync_playwright()
            pw = self._manager.__enter__()
        self._watch_driver()
        self._browser = _launch(pw, browser_env(self.temp))
        self._watch_browser()
        options: dict[str, Any] = {"offline": True}
        if viewport_px is not None:
            options["viewport"] = {"width": viewport_px[0], "height": viewport_px[1]}
        self.page = self._browser.new_context(**options).new_page()
        _offline(self.page, refused)
        if warm is not None:
            self.page.goto(warm.as_uri(), wait_until="load")
        self._watch_browser()  # its renderers too

    def _watch_driver(self) -> None:
        """Find the driver's process; read the error its transport keeps when it ends."""
        psutil = _psutil()

        client = getattr(self._manager, "_client", None) or self._manager
        transport = getattr(client, "_transport", None)
        if transport is None:
            connection = getattr(self._manager, "_connection", None)
            transport = getattr(connection, "_transport", None)
        on_error = getattr(transport, "on_error_future", None)
        if on_error is not None:
            on_error.add_done_callback(_retrieve)
        proc = getattr(transport, "_proc", None)
        if proc is not None:
            self._procs = [psutil.Process(proc.pid)]
            self.pids = (proc.pid,)

    def _watch_browser(self) -> None:
        """Remember the browser's processes (the driver's children and theirs)."""
        children: list[Any] = []
        if not self._procs:
            return
        known = {p.pid for p in self._procs}
        driver = self._procs[0]
        with contextlib.suppress(_psutil().Error):  # Chromium's main process first
            children = sorted(driver.children(), key=lambda p: p.create_time())
        for proc in [*children, *_descendants(driver)]:
            if proc.pid not in known:
                self._procs.append(proc)
                known.add(proc.pid)
        self.pids = tuple(p.pid for p in self._procs)

    def trouble(self) -> str | None:
        """Why the driver or the browser cannot answer, said of the browser: ``"stopped"`` (a
        process is stopped), ``"died (…)"`` (a process ended), or None."""
        psutil = _psutil()

        names = ("its driver's process ended", "its process ended")
        for ended, proc in zip(names, self._procs[:2], strict=False):
            try:
                status = proc.status()
            except psutil.Error:
                return f"died ({ended})"
            if status == psutil.STATUS_ZOMBIE:
                return f"died ({ended})"
            if status in (psutil.STATUS_STOPPED, psutil.STATUS_TRACING_STOP):
                return "stopped"
        return None

    def kill_now(self) -> None:
        """Kill the driver and the browser with a signal each, no more (safe in a signal
        handler: no lock, no wait), by the process ids recorded as they started."""
        for pid in self.pids[:2]:
            with contextlib.suppress(OSError):
                os.kill(pid, KILL)

    def kill(self) -> None:
        """Kill every process of this browser (stopped ones included) and wait until they
        have ended."""
        psutil = _psutil()

        procs = list(self._procs)
        for proc in self._procs:
            procs += _descendants(proc)
        for proc in procs:
            with contextlib.suppress(psutil.Error):
                proc.kill()
        deadline = time.monotonic() + 5
        while any(_running(p) for p in procs) and time.monotonic() < deadline:
            time.sleep(0.01)

    def close(self) -> None:
        """Close the browser and the driver: gracefully while they answer (Playwright removes
        the profile), else by killing them; then no process of theirs is left."""
        healthy = self.trouble() is None
        if healthy and self._browser is not None:
            with contextlib.suppress(Exception):
                self._browser.close()
        if not healthy:
            self.kill()
        if self._manager is not None:
            with contextlib.suppress(Exception):
                self._manager.__exit__(None, None, None)
        self.kill()  # whatever is left (none after a graceful close)


def _running(proc: Any) -> bool:
    """Whether a process still runs (a zombie, ended but not yet reaped, does not)."""
    psutil = _psutil()
    try:
        return bool(proc.status() != psutil.STATUS_ZOMBIE)
    except psutil.Error:
        return False


def _descendants(proc: Any) -> list[Any]:
    psutil = _psutil()

    try:
        return list(proc.children(recursive=True))
    except psutil.Error:
        return []


class _Watchdog:
    """Kills the browser when the job it watches overruns its time, or when a process of the
    browser ends or stays stopped: the blocked Playwright call then fails at once, and the
    browser is started again (:class:`Chromium`)."""

    def __init__(self) -> None:
        self._cv = threading.Condition()
        self._session: _Session | None = None
        self._deadline = 0.0
        self._seconds = 0.0
        self._closed = False
        self.fired: str | None = None
        """Why the watchdog killed the browser during the last job, or None."""
        threading.Thread(target=self._run, name="srmkit-chromium-watchdog", daemon=True).start()

    def arm(self, session: _Session, seconds: float) -> None:
        with self._cv:
            self._session = session
            self._seconds = seconds
            self._deadline = time.monotonic() + seconds
            self.fired = None
            self._cv.notify()

    def disarm(self) -> None:
        with self._cv:
            self._session = None
            self._cv.notify()

    def close(self) -> None:
        with self._cv:
            self._closed = True
            self._session = None
            self._cv.notify()

    def _run(self) -> None:
        stopped_at: float | None = None
        with self._cv:
            while not self._closed:
                session = self._session
                if session is None:
                    stopped_at = None
                    self._cv.wait()
                    continue
                now = time.monotonic()
                why = None
                trouble = session.trouble()
                if trouble == "stopped":
                    stopped_at = stopped_at or now
                    if now - stopped_at >= STOPPED_S:
                        why = f"stopped answering (stopped for {STOPPED_S:g} s)"
                elif trouble is not None:
                    stopped_at, why = None, trouble
                else:
                    stopped_at = None
                if why is None and now >= self._deadline:
                    why = f"did not finish within {self._seconds:g} s"
                if why is not None:
                    self.fired = why
                    self._session = None
                    session.kill()
                    continue
                self._cv.wait(min(POLL_S, self._deadline - now))


@dataclass
class _Job:
    fn: Callable[[Page], Any]
    future: Future[Any]
    timeout_s: float
    what: str
    first: str = ""
    """Why its first try failed (the browser then started again), or empty."""


class Chromium:
    """One headless browser for a run, started and warmed in a background thread.

    ``assets`` are files (name → text) written into the browser's working folder, beside the
    pages it loads; ``warm_html`` makes a small page that is loaded in the browser's thread while
    the caller does other work; ``viewport_px`` (width, height) sizes the page, so that figures
    drawn on load are as wide as the printed page's content. :meth:`call` runs a function on the
    browser's page in its thread.

    Faults are recovered once: a browser or driver that dies or stops answering during a job
    (a watchdog gives each job its time) is killed and started again, and the job runs again;
    if it fails so again, or the browser does not start again, the job fails with one line
    (``error``, :class:`BrowserFaultError` by default). Every temporary file of the driver and the
    browser is in the folder's ``tmp``, removed by :meth:`close`; an interrupt (SIGINT or
    SIGTERM through :func:`srmkit.interrupts.interrupt`) kills the browser at once.
    """

    def __init__(
        self,
        folder: Path,
        assets: dict[str, str] | None = None,
        warm_html: Callable[[], str] | None = None,
        viewport_px: tuple[int, int] | None = None,
        error: Callable[[str], Exception] = BrowserFaultError,
    ) -> None:
        self.folder = folder
        self.temp = folder / TEMP_FOLDER
        self.viewport_px = viewport_px
        self.error = error
        folder.mkdir(parents=True, exist_ok=True)
        for name, text in (assets or {}).items():
            (self.folder / name).write_text(text, encoding="utf-8")
        self.refused: list[str] = []
        self.restarts = 0
        """How many times the browser was started again after a fault."""
        self._jobs: queue.Queue[_Job | None] = queue.Queue()
        self._lock = threading.Lock()
        self._dead: BaseException | None = None
        self._session: _Session | None = None
        self._started: Future[None] = Future()
        self._watchdog = _Watchdog()
        self._unhook = on_interrupt(self._kill_now)
        self._thread = threading.Thread(
            target=self._run, args=(warm_html,), name="srmkit-chromium", daemon=True
        )
        self._thread.start()

    @property
    def pid(self) -> int | None:
        """The process id of the browser (Chromium's main process) now, or None."""
        session = self._session
        return session.browser_pid if session is not None else None

    @property
    def driver_pid(self) -> int | None:
        """The process id of Playwright's driver (Node.js) now, or None."""
        session = self._session
        return session.driver_pid if session is not None else None

    def _kill_now(self) -> None:
        session = self._session
        if session is not None:
            session.kill_now()

    def _run(self, warm_html: Callable[[], str] | None) -> None:
        warm = None
        if warm_html is not None:
            warm = self.folder / "warm.html"
            warm.write_text(warm_html(), encoding="utf-8")
        carried: _Job | None = None
        while True:
            try:
                session = self._open(warm)
            except BaseException as exc:
                self._die(exc, carried)
                return
            if not self._started.done():
                self._started.set_result(None)
            try:
                carried, closing = self._serve(session, carried)
            except BaseException as exc:  # not a job's: the thread itself failed
                self._end(session)
                self._die(exc, None)
                return
            self._end(session)
            if closing:
                return
            if INTERRUPTED.is_set():  # the run ends: no browser again
                self._die(BrowserFaultError("the run was interrupted"), carried)
                return
            self.restarts += 1

    def _open(self, warm: Path | None) -> _Session:
        """A started browser; a start that fails is tried once more (a browser killed as it
        started), unless there is no browser or the run was interrupted."""
        for attempt in (1, 2):
            session = _Session(self.temp)
            self._session = session
            self._watchdog.arm(session, START_S)
            try:
                session.open(self.viewport_px, self.refused, warm)
                return session
            except BrowserNotFoundError:
                self._end(session)
                raise
            except Exception as exc:
                fired = self._watchdog.fired
                self._end(session)
                exited = isinstance(exc, BrowserStartError) and EXITED in exc.reason
                if attempt == 2 or INTERRUPTED.is_set() or exited:  # exited: it cannot start
                    if isinstance(exc, BrowserStartError):
                        raise
                    raise BrowserStartError(
                        find_browser() or Path("chromium"),
                        fired or _first_line(exc),
                    ) from exc
            finally:
                self._watchdog.disarm()
        raise AssertionError("unreachable")

    def _serve(self, session: _Session, carried: _Job | None) -> tuple[_Job | None, bool]:
        """Run jobs on ``session`` until closed (→ ``(None, True)``) or the browser must be
        started again: ``(job, False)`` with a job to run again, else ``(None, False)``."""
        if carried is not None and self._attempt(session, carried) != "ok":
            return None, False
        while (job := self._jobs.get()) is not None:
            if not job.future.set_running_or_notify_cancel():
                continue  # cancelled while queued
            outcome = self._attempt(session, job)
            if outcome == "again":
                return job, False
            if outcome == "restart":
                return None, False
        return None, True

    def _attempt(self, session: _Session, job: _Job) -> str:
        """Run a job: ``"ok"``; ``"again"`` when the browser failed it the first time (its
        future is left pending); ``"restart"`` when the browser must be started again (the
        job's future is settled)."""
        self._watchdog.arm(session, job.timeout_s)
        error: BaseException | None = None
        try:
            result = job.fn(session.page)
        except BaseException as exc:
            error = exc
        finally:
            self._watchdog.disarm()
        fault = self._watchdog.fired or session.trouble()
        if fault == "stopped":
            fault = "stopped answering"
        if fault is None and error is not None and _says_closed(error):
            fault = f"went away ({_first_line(error)})"
        if fault is None or error is None:
            if error is None:
                job.future.set_result(result)
            else:
                job.future.set_exception(error)
            return "ok" if fault is None else "restart"
        if not job.first and not INTERRUPTED.is_set() and isinstance(error, Exception):
            job.first = fault
            return "again"
        job.future.set_exception(self._failure(job, fault, error))
        return "restart"

    def _failure(self, job: _Job, fault: str, cause: BaseException | None) -> Exception:
        """A job's failure in one line: what the browser did the first time and, started
        again, the second (``fault``), or why it did not start again (``cause`` is the error
        that ended it)."""
        if not job.first:
            text = f"the browser {fault} while {job.what}"
        elif cause is not None and self._dead is cause:
            text = f"the browser {job.first} while {job.what}, and did not start again ({fault})"
        else:
            text = f"the browser {job.first} while {job.what}; started again, it {fault}"
        error = self.error(text)
        if isinstance(error, SrmkitError) and cause is not None:
            error.detail = f"{type(cause).__name__}: {cause}"
        return error

    def _end(self, session: _Session) -> None:
        self._watchdog.arm(session, CLOSE_S)
        try:
            session.close()
        finally:
            self._watchdog.disarm()
            if self._session is session:
                self._session = None

    def _die(self, exc: BaseException, carried: _Job | None) -> None:
        """The browser cannot serve any more: fail the job carried over (it was tried once),
        every queued job and every job submitted from now on with ``exc``."""
        with self._lock:
            self._dead = exc
        if not self._started.done():
            self._started.set_exception(exc)
        if carried is not None:
            carried.future.set_exception(self._failure(carried, _first_line(exc), exc))
        while True:
            try:
                job = self._jobs.get_nowait()
            except queue.Empty:
                return
            if job is not None and job.future.set_running_or_notify_cancel():
                job.future.set_exception(exc)

    def call(self, fn: Callable[[Page], T], timeout_s: float | None = None) -> T:
        """Run ``fn(page)`` in the browser's thread and return its result (or raise its error)."""
        self._started.result(timeout=timeout_s)
        return self.submit(fn, timeout_s).result(timeout=timeout_s)

    def submit(
        self, fn: Callable[[Page], T], timeout_s: float | None = None, what: str = "working"
    ) -> Future[T]:
        """Queue ``fn(page)`` for the browser's thread; its future holds the result or error.

        Jobs run one after another in the order submitted, while the caller goes on; a job
        cancelled (``future.cancel()``) before it starts does not run. The watchdog gives it
        ``timeout_s`` (:data:`JOB_S` by default); ``what`` names it in a failure ("printing
        x.pdf"). A job may run twice (the browser failed it the first time): it must not
        consume what a second run needs.
        """
        future: Future[T] = Future()
        with self._lock:
            if self._dead is not None:  # the browser cannot serve: say why, at once
                future.set_exception(self._dead)
                return future
            self._jobs.put(_Job(fn, future, timeout_s or JOB_S, what))
        return future

    def close(self) -> None:
        """Stop the browser and the driver (killed when they do not close in time) and remove
        their temporary files; the rest of the working folder belongs to the caller."""
        self._jobs.put(None)
        self._thread.join(timeout=START_S + CLOSE_S)
        if self._thread.is_alive():
            session = self._session
            if session is not None:
                session.kill()
            self._thread.join(timeout=CLOSE_S)
        self._watchdog.close()
        self._unhook()
        shutil.rmtree(self.temp, ignore_errors=True)

    def __enter__(self) -> Chromium:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
