"""Render the registered documents: papermill executes each notebook, nbconvert writes HTML without
code, and an installed Chromium prints the PDF.

A report is built in a hidden temporary folder beside its destination and moved into place only
when complete, so ``reports/`` never holds a half-written report. An existing report is never
replaced unless ``overwrite`` is asked for; otherwise a new, time-stamped folder is used.

Speed, measured on the example (see ``bench/``): the notebook is executed in memory and written
once (papermill's per-cell saves are off); plotly.js is inlined by the HTML template, never stored
in a notebook; one browser serves the whole run, started and warmed while the first notebook runs.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import html
import re
import shutil
import signal
import sys
import tempfile
import unicodedata
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from srmkit.browser import Chromium, wait_for_figures
from srmkit.design import Design
from srmkit.documents.registry import DOCUMENTS, DocumentSpec
from srmkit.exports import EXPORTS
from srmkit.output import json_ready
from srmkit.params import read_params
from srmkit.schema import Scenario

if TYPE_CHECKING:
    import nbformat
    from playwright.sync_api import Page

Format = Literal["html", "pdf"]
FORMATS: tuple[Format, ...] = ("html", "pdf")
KERNEL = "python3"
PLOTLY_FILE = "plotly.min.js"
PREPARE_FIGURES = "srmkit.figures.prepare()"  # plotly's validators, loaded as a kernel starts
PLOTLY_BUNDLE = "plotly/plotly-basic.min.js"  # scatter, bar, pie: see srmkit/data/plotly/README.md


class ReportError(RuntimeError):
    """A notebook failed to execute or a document could not be rendered."""


@dataclass
class Report:
    """Where one scenario's documents landed and what the folder holds."""

    params: Path
    folder: Path
    design: Design
    files: dict[str, Path] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def notebooks_dir() -> Traversable:
    """The shipped notebooks: the repository's ``notebooks/``, as ``srmkit.notebooks``."""
    return resources.files("srmkit.notebooks")


def slug(text: str) -> str:
    """A folder-safe name: ``"Northwind Traders, Inc."`` → ``northwind-traders-inc``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    cleaned = re.sub(r"[^A-Za-z0-9.]+", "-", ascii_text).strip("-.").lower()
    return cleaned[:80] or "unnamed"


def _timestamp() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def destination(scenario: Scenario, out_root: Path, overwrite: bool) -> Path:
    """``<out>/<customer-slug>/<version-or-timestamp>``; a new time-stamped name if that exists."""
    customer = out_root / slug(scenario.document.customer)
    version = scenario.document.version
    folder = customer / (slug(version) if version else _timestamp())
    if folder.exists() and not overwrite:
        base = f"{folder.name}-{_timestamp()}"
        folder, n = customer / base, 1
        while folder.exists():  # two runs within the same second
            n += 1
            folder = customer / f"{base}-{n}"
    return folder


def _quiet_imports() -> None:
    """Skip an optional jsonschema plugin that costs about 1 s at import and is never used here.

    nbformat imports jsonschema, which imports ``rfc3987_syntax`` (pulled in by JupyterLab's
    dependencies) when present; it compiles a grammar at import. No notebook schema uses the
    formats it checks.
    """
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]  # import → ImportError


class Kernels:
    """Fresh kernels for a run's notebooks, each started while the previous document renders.

    Every notebook runs in a new kernel (no state leaks between documents), but the next one is
    started one document ahead, and each imports the document modules it will need as it starts
    (``exec_lines``), so a notebook finds its kernel ready. Kernels talk over IPC sockets in
    ``workdir``: no TCP port is opened (and ipykernel's "running over TCP without encryption"
    warning goes); connection files and sockets live in ``workdir`` and go with the kernel.
    """

    def __init__(self, workdir: Path, preload: Sequence[str]) -> None:
        self.workdir = workdir
        self.preload = list(dict.fromkeys(preload))
        self._ahead: Any = None
        self._done: list[Any] = []
        self._count = 0

    def _start(self) -> Any:
        from jupyter_client.manager import AsyncKernelManager
        from jupyter_core.utils import run_sync

        self._count += 1
        km = AsyncKernelManager(kernel_name=KERNEL)
        km.transport = "ipc"
        km.ip = str(self.workdir / f"k{self._count}")
        km.connection_file = str(self.workdir / f"k{self._count}.json")
        preload = "; ".join(
            [*(f"import {m}" for m in self.preload), "import srmkit.figures", PREPARE_FIGURES]
        )
        run_sync(km.start_kernel)(
            cwd=str(self.workdir), extra_arguments=[f"--IPKernelApp.exec_lines={preload}"]
        )
        return km

    def start_ahead(self) -> None:
        """Start the first kernel now, while the caller prepares the first document."""
        if self._ahead is None:
            self._ahead = self._start()

    def take(self, more: bool) -> Any:
        """A started kernel for the next notebook; with ``more``, start the one after it too."""
        km = self._ahead if self._ahead is not None else self._start()
        self._ahead = self._start() if more else None
        return km

    def stop(self, km: Any) -> None:
        """Kill a kernel whose notebook is done (no interrupt, no wait); reaped in close()."""
        from jupyter_core.utils import run_sync

        run_sync(km.signal_kernel)(signal.SIGKILL)
        self._done.append(km)

    def close(self) -> None:
        """Stop a kernel started ahead that no notebook took; reap every kernel, remove files."""
        from jupyter_core.utils import run_sync

        if self._ahead is not None:
            self.stop(self._ahead)
            self._ahead = None

        async def reap() -> None:
            await asyncio.gather(*(km.provisioner.wait() for km in self._done if km.provisioner))
            for km in self._done:
                await km.cleanup_resources()

        run_sync(reap)()
        self._done.clear()


def execute(spec: DocumentSpec, params: Path, sections: dict[str, Any], km: Any) -> Any:
    """Execute a document's notebook with papermill on the scenario's sections, as ``-f`` would.

    The notebook runs on the started kernel ``km`` and is kept in memory; papermill's save after
    every cell is off (it rewrote the whole notebook about 70 times per render).
    """
    _quiet_imports()
    import papermill
    from papermill.exceptions import PapermillExecutionError

    parameters = {"params_file": str(params.resolve()), **json_ready(sections)}
    with resources.as_file(notebooks_dir() / spec.notebook) as notebook:
        try:
            return papermill.execute_notebook(
                str(notebook),
                None,
                parameters=parameters,
                progress_bar=False,
                kernel_name=KERNEL,
                request_save_on_cell_execute=False,
                km=km,
            )
        except PapermillExecutionError as exc:
            raise ReportError(
                f"the notebook {spec.notebook} failed in cell {exc.exec_count}: "
                f"{exc.ename}: {exc.evalue}"
            ) from None


@cache
def plotly_js() -> str:
    """plotly.js (basic bundle), inlined once into every document: figures draw offline."""
    return resources.files("srmkit.data").joinpath(PLOTLY_BUNDLE).read_text("utf-8")


def _inline_script(js: str) -> str:
    return f'<script type="text/javascript">{js}</script>'


@cache
def _html_exporter() -> Any:
    """nbconvert's HTML exporter with srmkit's template: no code cells, no prompts."""
    _quiet_imports()
    import nbformat.v4
    from nbconvert import HTMLExporter

    templates = resources.files("srmkit").joinpath("templates")
    exporter = HTMLExporter(  # type: ignore[no-untyped-call]  # nbconvert is untyped
        template_name="srmkit_document",
        extra_template_basedirs=[str(templates)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    # Compile the template now (~0.25 s), while a kernel starts, not when the first document waits.
    empty = nbformat.v4.new_notebook()  # type: ignore[no-untyped-call]  # nbformat is untyped
    exporter.from_notebook_node(empty, resources={"srmkit": {"plotly_js": ""}})
    return exporter


def to_html(nb: nbformat.NotebookNode, title: str) -> str:
    """Render an executed notebook to HTML without code cells or prompts; plotly.js inlined."""
    nb.metadata["title"] = title
    body, _ = _html_exporter().from_notebook_node(
        nb, resources={"srmkit": {"plotly_js": _inline_script(plotly_js())}}
    )
    return str(body)


def write_ipynb(nb: nbformat.NotebookNode, path: Path) -> None:
    """Write an executed notebook."""
    import nbformat

    nbformat.write(nb, str(path))  # type: ignore[no-untyped-call]  # nbformat is untyped


def _footer(scenario: Scenario) -> str:
    doc = scenario.document
    return (
        '<div style="font-size:7pt;width:100%;padding:0 12mm;color:#555;display:flex;'
        'justify-content:space-between;font-family:sans-serif">'
        f"<span>{html.escape(doc.customer)} · {html.escape(doc.confidentiality.upper())}</span>"
        '<span>page <span class="pageNumber"></span> of <span class="totalPages"></span></span>'
        "</div>"
    )


def _script_src(name: str) -> str:
    # The charset matters: Chromium reuses its compiled plotly.js only for the same decoded text.
    return f'<script charset="utf-8" src="{name}"></script>'


def warm_page() -> str:
    """A small page whose load makes Chromium compile plotly.js before the first document."""
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8">{_script_src(PLOTLY_FILE)}</head>'
        '<body><p>srmkit</p><div id="f"></div>'
        "<script>Plotly.newPlot('f', [{x: [1, 2], y: [1, 2]}])</script></body></html>"
    )


class Printer:
    """Prints the run's HTML documents to PDF in one background browser."""

    def __init__(self) -> None:
        self.js = plotly_js()
        self.chromium = Chromium(assets={PLOTLY_FILE: self.js}, warm_html=warm_page)

    def pdf(self, document_html: str, output: Path, scenario: Scenario, timeout_s: float) -> None:
        """Print one document (its plotly.js loaded from the browser's folder) to A4 PDF."""
        page_file = self.chromium.folder / f"print-{uuid.uuid4().hex}.html"
        page_file.write_text(
            document_html.replace(_inline_script(self.js), _script_src(PLOTLY_FILE), 1),
            encoding="utf-8",
        )
        footer = _footer(scenario)

        def print_page(page: Page) -> None:
            page.goto(page_file.as_uri(), wait_until="load", timeout=timeout_s * 1000)
            wait_for_figures(page, timeout_s * 1000)
            page.emulate_media(media="print")
            page.pdf(
                path=str(output),
                format="A4",
                print_background=True,
                display_header_footer=True,
                header_template="<span></span>",
                footer_template=footer,
                margin={"top": "15mm", "bottom": "18mm", "left": "12mm", "right": "12mm"},
            )

        try:
            self.chromium.call(print_page)
        finally:
            page_file.unlink(missing_ok=True)

    def close(self) -> None:
        """Stop the browser."""
        self.chromium.close()


def _replace(folder: Path, staging: Path) -> None:
    """Move a finished report into place; with an old one there (``--overwrite``), in one step."""
    if folder.exists():
        trash = folder.parent / f".old-{uuid.uuid4().hex}"
        folder.rename(trash)
        staging.rename(folder)
        shutil.rmtree(trash)
    else:
        staging.rename(folder)


def render_one(
    params: Path,
    out_root: Path,
    formats: Sequence[Format],
    overwrite: bool,
    documents: Sequence[DocumentSpec],
    printer: Printer | None,
    kernels: Kernels,
    last: bool = True,
    on_start: Callable[[Path, Design], None] | None = None,
) -> Report:
    """Render the documents of one params file into its own folder under ``out_root``.

    Raises
    ------
    srmkit.ScenarioError
        When the params file is invalid (nothing is written).
    ReportError
        When execution or rendering fails (nothing is left under ``out_root``).
    """
    scenario, sections = read_params(params)
    design = Design(scenario)
    if on_start is not None:
        on_start(params, design)
    folder = destination(scenario, out_root, overwrite)
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = folder.parent / f".tmp-{uuid.uuid4().hex}"
    staging.mkdir()
    report = Report(params=params, folder=folder, design=design)
    try:
        # While the kernel starts: the exports, the scenario copy and nbconvert's set-up.
        shutil.copyfile(params, staging / "scenario.yaml")
        for name in dict.fromkeys(n for spec in documents for n in spec.exports):
            EXPORTS[name](design, staging / name)
        _html_exporter()
        for n, spec in enumerate(documents, 1):
            km = kernels.take(more=not last or n < len(documents))
            try:
                nb = execute(spec, params, sections, km)
            finally:
                kernels.stop(km)
            write_ipynb(nb, staging / f"{spec.basename}.ipynb")
            title = f"{spec.title} — {scenario.document.customer}"
            document_html = to_html(nb, title)
            if "html" in formats:
                (staging / f"{spec.basename}.html").write_text(document_html, "utf-8")
            if printer is not None:
                printer.pdf(document_html, staging / f"{spec.basename}.pdf", scenario, 60)
        _replace(folder, staging)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        if not any(folder.parent.iterdir()):
            folder.parent.rmdir()
        raise
    report.files = {p.name: p for p in sorted(folder.iterdir())}
    return report


def render(
    params: Sequence[Path],
    out_root: Path = Path("reports"),
    formats: Sequence[Format] = FORMATS,
    overwrite: bool = False,
    only: Sequence[str] | None = None,
    on_start: Callable[[Path, Design], None] | None = None,
) -> list[Report]:
    """Render every registered document (or ``only`` those keys) for every params file.

    One browser prints every PDF of the run; it starts while the first notebook executes.
    ``on_start`` is told each scenario's design before its documents render (the CLI prints the
    verdict and the errors there).
    """
    documents = [DOCUMENTS[key] for key in (only or DOCUMENTS)]
    with tempfile.TemporaryDirectory(prefix="srmkit-") as workdir:
        kernels = Kernels(Path(workdir), [spec.module for spec in documents])
        kernels.start_ahead()
        printer = Printer() if "pdf" in formats else None
        try:
            return [
                render_one(
                    p,
                    out_root,
                    formats,
                    overwrite,
                    documents,
                    printer,
                    kernels,
                    i == len(params),
                    on_start,
                )
                for i, p in enumerate(params, 1)
            ]
        finally:
            kernels.close()
            if printer is not None:
                printer.close()
