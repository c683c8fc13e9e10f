"""The live workbook in a real JupyterLab, in headless Chromium (issue 19, item 5): Run All of
notebooks/explore.ipynb draws every figure, 20 times in a row in one page and kernel and again
after a kernel restart, with no anywidget error in the console; a control changed in the page
then redraws its figure.

JupyterLab runs on a copy of the notebook in a temporary folder, on a free port with a random
token, with its settings, workspaces and runtime files in that folder and its network checks
(news, updates, extension manager) off; the browser may reach that server and nothing else.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from conftest import EXAMPLE, ROOT, copy_measured

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.timeout(300),
]

RUNS = 20
NOTEBOOK = ROOT / "notebooks" / "explore.ipynb"
FIGURES = 3
"""The workbook's figures: latency against distance, RPO against link rate, limit usage."""

CODE_CELLS_JS = """() => window.jupyterapp.shell.currentWidget.content.widgets
    .filter(c => c.model.type === 'code')"""
COUNTS_JS = f"() => ({CODE_CELLS_JS})().map(c => c.model.executionCount)"
# Every code cell ran in this Run All: a new execution count (the counts start again at 1 after a
# restart, so 'greater than before' would not do), none queued ([*]), and the kernel idle.
RAN_JS = f"""(before) => {{
    const nb = window.jupyterapp.shell.currentWidget;
    const kernel = nb.sessionContext.session && nb.sessionContext.session.kernel;
    return kernel && kernel.status === 'idle' && ({CODE_CELLS_JS})().every((c, i) =>
        c.model.executionCount !== null && c.model.executionCount !== before[i]
        && !c.node.querySelector('.jp-InputPrompt').textContent.includes('*'));
}}"""
# Figures drawn since the plots on the page were marked old: each has its SVG and data drawn in
# it (a line with points in it, or markers and bars).
DRAWN_JS = """() => [...document.querySelectorAll('.jp-Notebook .js-plotly-plot:not([data-old])')]
    .map(plot => ({
        svg: plot.querySelector('.main-svg') !== null,
        marks: [...plot.querySelectorAll('.scatterlayer path.js-line')]
                   .filter(p => (p.getAttribute('d') || '').length > 10).length
               + plot.querySelectorAll('.scatterlayer .point, .barlayer .point').length,
        title: (plot.querySelector('.gtitle') || {}).textContent || '',
    }))"""
MARK_OLD_JS = "() => document.querySelectorAll('.js-plotly-plot').forEach(p => p.dataset.old = '1')"
KERNEL_IDLE_JS = """() => { const w = window.jupyterapp.shell.currentWidget;
    const k = w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel;
    return k && k.status === 'idle'; }"""
# The latency figure: its design point (x) and the SVG of its curve and point, to see a redraw.
LATENCY_JS = """() => {
    const plot = [...document.querySelectorAll('.jp-Notebook .js-plotly-plot')]
        .find(p => ((p.querySelector('.gtitle') || {}).textContent || '').includes('latency'));
    const svg = [...plot.querySelectorAll('.scatterlayer path.js-line, .scatterlayer .point')]
        .map(p => p.getAttribute('d') + (p.getAttribute('transform') || '')).join('|');
    return {x: plot.data[3].x[0], svg};
}"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class Lab:
    """A JupyterLab server on a temporary folder that holds a copy of the workbook."""

    folder: Path
    url: str
    token: str
    process: subprocess.Popen[bytes]
    log: Path
    refused: list[str] = field(default_factory=list)


@pytest.fixture
def jupyterlab(tmp_path: Path, need_browser: None) -> Iterator[Lab]:
    """JupyterLab serving a copy of notebooks/ and params/ (the notebook reads
    ../params/example.yaml from its own folder) from a temporary folder; shut down afterwards."""
    folder = tmp_path / "lab"
    (folder / "notebooks").mkdir(parents=True)
    (folder / "params").mkdir()
    shutil.copy(NOTEBOOK, folder / "notebooks" / NOTEBOOK.name)
    shutil.copy(EXAMPLE, folder / "params" / EXAMPLE.name)
    copy_measured(folder / "params")  # the example's Performance Monitor log, beside it
    home = tmp_path / "jupyter"
    port, token = _free_port(), secrets.token_hex(16)
    env = {
        **os.environ,
        # Lab's own files in the temporary folder; the installed extensions are still found in
        # the environment's share/jupyter, which Jupyter always searches.
        "JUPYTER_CONFIG_DIR": str(home / "config"),
        "JUPYTER_DATA_DIR": str(home / "data"),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
        "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"),
        "IPYTHONDIR": str(home / "ipython"),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    command = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        "--ServerApp.open_browser=False",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={folder}",
        "--ServerApp.terminals_enabled=False",
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        "--LabApp.extension_manager=readonly",
        f"--LabApp.workspaces_dir={home / 'workspaces'}",
        f"--LabApp.user_settings_dir={home / 'settings'}",
        "--LabApp.expose_app_in_browser=True",  # window.jupyterapp: its commands and notebook
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")
    log = tmp_path / "jupyterlab.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            command, cwd=folder, env=env, stdout=sink, stderr=subprocess.STDOUT
        )
    lab = Lab(folder, f"http://127.0.0.1:{port}", token, process, log)
    try:
        deadline = time.monotonic() + 60
        while True:
            request = urllib.request.Request(
                f"{lab.url}/api/status", headers={"Authorization": f"token {token}"}
            )
            try:
                with urllib.request.urlopen(request, timeout=2):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"JupyterLab did not start:\n{log.read_text(errors='replace')}")
                time.sleep(0.1)
        yield lab
    finally:
        process.terminate()  # the server shuts its kernels down on SIGTERM
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def _open(page: Page, lab: Lab, console: list[str]) -> None:
    """Open the notebook in Lab with the network closed beyond the server; record the console."""
    from playwright.sync_api import Route

    def gate(route: Route) -> None:
        url = route.request.url
        if url.startswith((lab.url + "/", "data:", "blob:", "about:")):
            route.continue_()
        else:
            lab.refused.append(url)
            route.abort()

    page.route("**/*", gate)
    page.on("console", lambda m: console.append(f"{m.type}: {m.text}"))
    page.on("pageerror", lambda e: console.append(f"pageerror: {e}"))
    page.goto(f"{lab.url}/lab/tree/notebooks/{NOTEBOOK.name}?token={lab.token}")
    page.wait_for_function(
        "() => window.jupyterapp && document.querySelector('.jp-Notebook .jp-Cell')",
        timeout=90_000,
    )
    page.wait_for_function(KERNEL_IDLE_JS, timeout=90_000, polling=100)


def _run_all(page: Page, console: list[str], by_menu: bool = False) -> dict[str, Any]:
    """Run All (from the Run menu, or its command), wait until every cell ran, then until the
    figures are drawn; return how long each took and what was drawn."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    page.evaluate(MARK_OLD_JS)
    before = page.evaluate(COUNTS_JS)
    seen = len(console)
    started = time.perf_counter()
    if by_menu:
        page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
        page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
    else:
        page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
    page.wait_for_function(RAN_JS, arg=before, timeout=120_000, polling=50)
    ran = time.perf_counter()
    drawn_js = f"""() => {{ const figs = ({DRAWN_JS})();
        return figs.length === {FIGURES} && figs.every(f => f.svg && f.marks > 0); }}"""
    with contextlib.suppress(PlaywrightTimeout):  # reported below with what was drawn instead
        page.wait_for_function(drawn_js, timeout=15_000, polling=50)
    return {
        "run_s": ran - started,
        "draw_s": time.perf_counter() - ran,
        "figures": page.evaluate(DRAWN_JS),
        "console": console[seen:],
    }


def _blank(result: dict[str, Any]) -> bool:
    figures = result["figures"]
    return len(figures) != FIGURES or not all(f["svg"] and f["marks"] > 0 for f in figures)


def _console_errors(lines: list[str]) -> list[str]:
    """Errors, uncaught exceptions and anywidget's '[anywidget] Failed to initialize model.'."""
    return [
        line
        for line in lines
        if "Failed to initialize" in line or line.startswith(("error:", "pageerror:"))
    ]


def test_run_all_twenty_times_draws_every_figure_and_a_control_redraws(
    jupyterlab: Lab,
) -> None:
    """20 Run All in one page and kernel, and one after a kernel restart, each draw the three
    figures with their data, with no error in the console; then typing a distance into the
    slider's box redraws the latency figure at that distance. The shipped notebook is untouched."""
    from playwright.sync_api import sync_playwright

    from srmkit.browser import LAUNCH_ARGS, find_browser

    shipped = hashlib.sha256(NOTEBOOK.read_bytes()).hexdigest()
    executable = find_browser()
    assert executable is not None  # need_browser skipped otherwise
    root = hasattr(os, "geteuid") and os.geteuid() == 0
    console: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(executable),
            args=[*LAUNCH_ARGS, *(["--no-sandbox"] if root else [])],
            headless=True,
        )
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1600})
            _open(page, jupyterlab, console)
            runs = [_run_all(page, console, by_menu=k == 0) for k in range(RUNS)]
            page.evaluate(
                "() => window.jupyterapp.shell.currentWidget.sessionContext.session"
                ".kernel.restart()"
            )
            page.wait_for_function(KERNEL_IDLE_JS, timeout=60_000, polling=100)
            runs.append(_run_all(page, console))

            blank = [(k, r["figures"]) for k, r in enumerate(runs) if _blank(r)]
            assert not blank, f"Run All left figures blank (run, figures): {blank}"
            errors = [(k, _console_errors(r["console"])) for k, r in enumerate(runs)]
            assert not [e for e in errors if e[1]], errors

            # a control changed as a user does: the distance typed into the slider's box
            before = page.evaluate(LATENCY_JS)
            assert before["x"] == 40.0
            readout = page.locator(".widget-slider", has_text="distance [km]").locator(
                ".widget-readout"
            )
            readout.fill("120")
            started = time.perf_counter()
            readout.press("Enter")
            page.wait_for_function(f"() => ({LATENCY_JS})().x === 120", timeout=15_000, polling=20)
            redraw_s = time.perf_counter() - started
            after = page.evaluate(LATENCY_JS)
            assert after["svg"] != before["svg"]
            assert not _console_errors(console), console
        finally:
            browser.close()
    assert not jupyterlab.refused, jupyterlab.refused
    assert hashlib.sha256(NOTEBOOK.read_bytes()).hexdigest() == shipped
    timings = ", ".join(f"{r['run_s']:.1f}+{r['draw_s']:.2f}" for r in runs)
    print(f"Run All (run + draw s): {timings}; control to redraw {redraw_s * 1e3:.0f} ms")
