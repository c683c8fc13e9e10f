"""Faults during a run, recovered once, and nothing left behind (issue 21, items 4 to 6).

A browser, its Playwright driver or a kernel killed (by PID, from the test, at a set point) is
started again and the document made again, once; a second failure fails the file in one line.
A browser that stops answering is killed and started again within seconds. Every temporary file
of a run (the kernels', Playwright's, Chromium's) is in one run folder in TMPDIR, gone after
every run, faulted or interrupted; the run after a killed one removes the killed run's folder,
never a live run's. A TMPDIR that is missing is named as such.

The runs render the stub document (conftest) to HTML and PDF: the quickest real document.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import nbformat
import psutil
import pytest
from conftest import EXAMPLE, run_cli

from srmkit import browser, execution, interrupts, printing
from srmkit import report as report_module
from srmkit.folders import WORK_PREFIX, clean_debris
from srmkit.report import render

pytestmark = [pytest.mark.notebook, pytest.mark.timeout(120)]

KERNEL_WAITS = """import os, pathlib, time
here = pathlib.Path({folder!r})
(here / f"kernel-{{os.getpid()}}").touch()
for _ in range(1000):
    if (here / "go").exists():
        break
    time.sleep(0.01)"""
"""A cell that says which kernel runs it (a file named by its PID) and waits for ``go``: the
test kills that kernel while the cell runs."""


@pytest.fixture
def temp_root(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh, empty TMPDIR for the run (short: Chromium's socket lives under it)."""
    root = Path(tempfile.mkdtemp(prefix="faults-", dir="/tmp" if Path("/tmp").is_dir() else None))
    monkeypatch.setenv("TMPDIR", str(root))
    monkeypatch.setattr(tempfile, "tempdir", None)  # Python reads TMPDIR again
    yield root
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def printers(monkeypatch: pytest.MonkeyPatch) -> list[printing.Printer]:
    """The printers the runs make (each a browser and its driver), to find their processes."""
    made: list[printing.Printer] = []

    class Recorded(printing.Printer):
        def __init__(self, folder: Path) -> None:
            super().__init__(folder)
            made.append(self)

    monkeypatch.setattr(report_module, "Printer", Recorded)
    return made


def waiting_stub(folder: Path) -> Path:
    """Give the stub document a cell that waits for the test (:data:`KERNEL_WAITS`) on files
    in ``folder``; return the folder."""
    folder.mkdir()
    path = execution.notebooks_dir() / "stub.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells.insert(1, nbformat.v4.new_code_cell(KERNEL_WAITS.format(folder=str(folder))))
    nbformat.write(nb, path)
    return folder


def kill_kernels(folder: Path, times: int) -> threading.Thread:
    """Kill the kernel that runs the waiting cell, ``times`` times, then let the cell go on."""

    def run() -> None:
        killed: set[str] = set()
        deadline = time.monotonic() + 60
        while len(killed) < times and time.monotonic() < deadline:
            for mark in folder.glob("kernel-*"):
                if mark.name not in killed:
                    os.kill(int(mark.name.removeprefix("kernel-")), signal.SIGKILL)
                    killed.add(mark.name)
            time.sleep(0.01)
        (folder / "go").touch()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def kill(pid: int | None, sig: int = signal.SIGKILL) -> None:
    """Send ``sig`` to process ``pid``; after SIGKILL, wait until it is gone."""
    assert pid is not None
    os.kill(pid, sig)
    if sig == signal.SIGKILL:
        with contextlib.suppress(psutil.NoSuchProcess):
            psutil.Process(pid).wait(timeout=5)  # gone before the browser is asked more


def while_printing(
    monkeypatch: pytest.MonkeyPatch, faults: list[Callable[[], None] | None]
) -> None:
    """Between the two prints of a PDF (in the browser's thread), do the next of ``faults``
    (None: nothing, this time)."""
    real = printing.heading_pages

    def heading_pages(pdf: bytes, headings: list[list[str]]) -> dict[str, int]:
        fault = faults.pop(0) if faults else None
        if fault is not None:
            fault()
        return real(pdf, headings)

    monkeypatch.setattr(printing, "heading_pages", heading_pages)


def our_helpers() -> list[psutil.Process]:
    """This process's children that are a kernel, a Playwright driver or a browser."""
    words = ("ipykernel", "playwright", "chrom")
    found = []
    for proc in psutil.Process().children(recursive=True):
        with contextlib.suppress(psutil.NoSuchProcess):
            command = " ".join(proc.cmdline())
            if proc.status() != psutil.STATUS_ZOMBIE and any(w in command for w in words):
                found.append(proc)
    return found


def no_noise(capfd: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture) -> None:
    gc.collect()  # asyncio says "never retrieved" when it collects the future
    err = capfd.readouterr().err
    assert "never retrieved" not in err + caplog.text
    assert "Traceback" not in err


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.usefixtures("need_browser")
def test_killed_kernel_browser_and_driver_are_started_again_once(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    stub_document: str,
    temp_root: Path,
    printers: list[printing.Printer],
    capfd: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Two files: in the first the kernel is killed while a cell runs and the browser while it
    prints; in the second the driver while it prints. Each is started again and the document
    made again: both reports complete, and nothing is left in TMPDIR."""
    caplog.set_level(logging.WARNING, logger="asyncio")
    handshake = waiting_stub(tmp_path / "handshake")
    killer = kill_kernels(handshake, times=1)
    faults: list[Callable[[], None] | None] = [
        lambda: kill(printers[0].chromium.pid),
        None,  # the first file, printed again
        lambda: kill(printers[0].chromium.driver_pid),
    ]
    while_printing(monkeypatch, faults)
    result = render([EXAMPLE, EXAMPLE], tmp_path / "out", ("html", "pdf"), only=[stub_document])

    killer.join(timeout=5)
    assert result.failures == []
    assert [sorted(r.files) for r in result.reports] == [
        ["findings.json", "measured", "scenario.yaml", "stub.html", "stub.ipynb", "stub.pdf"]
    ] * 2
    assert faults == []
    assert printers[0].chromium.restarts == 2
    assert len(list(handshake.glob("kernel-*"))) == 3  # killed, its restart, the second file's
    assert list(temp_root.iterdir()) == []
    assert our_helpers() == []
    no_noise(capfd, caplog)


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.usefixtures("need_browser")
def test_second_failures_fail_the_file_and_sigterm_leaves_nothing(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    stub_document: str,
    temp_root: Path,
    printers: list[printing.Printer],
    capfd: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Three files: a kernel killed twice fails the first; a browser killed, then (started
    again) stopped fails the second, each in one line; SIGTERM while the browser, started again,
    is stopped during the third ends the run at once. Nothing of any is kept, nothing is left in
    TMPDIR, no process of the run is left."""
    caplog.set_level(logging.WARNING, logger="asyncio")
    monkeypatch.setattr(browser, "STOPPED_S", 0.5)
    handshake = waiting_stub(tmp_path / "handshake")
    killer = kill_kernels(handshake, times=2)

    def stop_and_sigterm() -> None:
        kill(printers[0].chromium.pid, signal.SIGSTOP)
        threading.Timer(0.2, os.kill, (os.getpid(), signal.SIGTERM)).start()

    faults: list[Callable[[], None] | None] = [
        lambda: kill(printers[0].chromium.pid),
        lambda: kill(printers[0].chromium.pid, signal.SIGSTOP),
        stop_and_sigterm,
    ]
    while_printing(monkeypatch, faults)
    failed: list[str] = []
    out = tmp_path / "out"
    before = signal.signal(signal.SIGTERM, interrupts.interrupt)
    start = time.monotonic()
    try:
        with pytest.raises(KeyboardInterrupt):
            render(
                [EXAMPLE] * 3,
                out,
                ("html", "pdf"),
                only=[stub_document],
                listener=lambda e: failed.append(e.detail) if e.kind == "failed" else None,
            )
    finally:
        signal.signal(signal.SIGTERM, before)
        interrupts.INTERRUPTED.clear()
    took = time.monotonic() - start

    killer.join(timeout=5)
    assert failed == [
        "the kernel running stub.ipynb died (DeadKernelError: Kernel died); started again, it "
        "died again (DeadKernelError: Kernel died)",
        "the browser died (its process ended) while writing stub.pdf; started again, it stopped "
        "answering (stopped for 0.5 s)",
    ]
    assert took < 30  # no page timeout (44 s) for a stopped browser
    assert not out.exists() or not any(out.rglob("*"))
    assert list(temp_root.iterdir()) == []
    assert our_helpers() == []
    no_noise(capfd, caplog)


def test_the_watchdog_kills_a_browser_whose_page_overruns_its_time() -> None:
    """A job that overruns the time given for its document (:func:`printing.page_time_s`, from
    the page's size) has its browser killed: the blocked call fails and the browser starts
    again. A process that ends is seen before the time is up."""

    class Session:
        killed = 0
        ended = False

        def trouble(self) -> str | None:
            return "died (its process ended)" if self.ended else None

        def kill(self) -> None:
            self.killed += 1

    watchdog = browser._Watchdog()
    try:
        session = Session()
        watchdog.arm(session, 0.1)  # type: ignore[arg-type]
        time.sleep(0.03)
        assert (watchdog.fired, session.killed) == (None, 0)
        time.sleep(0.2)
        assert (watchdog.fired, session.killed) == ("did not finish within 0.1 s", 1)
        session.ended = True
        watchdog.arm(session, 60)  # type: ignore[arg-type]
        time.sleep(browser.POLL_S * 2)
        assert (watchdog.fired, session.killed) == ("died (its process ended)", 2)
    finally:
        watchdog.close()
    per_mb = printing.page_time_s(1_000_000, False) - printing.page_time_s(0, False)
    assert per_mb == printing.PAGE_PER_MB_S


def test_a_missing_temporary_folder_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A TMPDIR that does not exist, or is a file, is said as such before anything is rendered
    (it was reported as a browser that did not start)."""
    monkeypatch.setattr(tempfile, "tempdir", None)
    a_file = tmp_path / "a-file"
    a_file.write_text("", encoding="utf-8")
    out = tmp_path / "out"
    for folder, problem in ((tmp_path / "missing", "does not exist"), (a_file, "is not a folder")):
        monkeypatch.setenv("TMPDIR", str(folder))
        r = run_cli("report", str(EXAMPLE), "--out", str(out), "--to", "html")
        assert r.returncode == 2
        assert f"error: the temporary folder {folder} (set by TMPDIR) {problem}" in r.stderr
        assert "browser" not in r.stderr.split(":", 2)[1]
        assert not out.exists()


def test_the_next_run_removes_a_killed_runs_folder_and_no_live_ones(
    tmp_path: Path, temp_root: Path
) -> None:
    """Run folders in TMPDIR of runs whose process is gone are removed; a live run's is kept,
    even one whose PID was used again by a process started after the folder was made is not."""
    from srmkit.folders import _owner

    host = _owner().rpartition("-")[0]
    ended = subprocess.Popen([sys.executable, "-c", ""])
    ended.wait()
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        killed = temp_root / f"{WORK_PREFIX}{host}-{ended.pid}-aaaa"
        running = temp_root / f"{WORK_PREFIX}{host}-{live.pid}-bbbb"
        reused = temp_root / f"{WORK_PREFIX}{host}-{live.pid}-cccc"
        elsewhere = temp_root / f"{WORK_PREFIX}otherhost-{ended.pid}-dddd"
        for folder in (killed, running, reused, elsewhere):
            (folder / "browser").mkdir(parents=True)
        old = time.time() - 3600  # last written an hour before the process with its PID started
        os.utime(reused, (old, old))
        removed = clean_debris(tmp_path / "reports")
        assert sorted(removed) == sorted([killed, reused])
        assert sorted(temp_root.iterdir()) == sorted([running, elsewhere])
    finally:
        live.kill()
        live.wait()
