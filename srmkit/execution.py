"""Notebook execution and HTML conversion: fresh kernels, papermill, nbconvert.

Every document's notebook runs in a new kernel (no state leaks between documents) started one
document ahead; papermill executes it in memory and it is written once; nbconvert renders it
with srmkit's template, which inlines plotly.js once, in the head.

An executed notebook also carries plotly.js once, compressed, in the output of its cell tagged
``srmkit-plotly`` (:func:`offline_plotly`), so that JupyterLab and stock ``jupyter nbconvert``
draw its figures offline; srmkit's template leaves that cell out (the head has the library).
"""

from __future__ import annotations

import asyncio
import base64
import gzip
import os
import re
import signal
import sys
from collections.abc import Sequence
from functools import cache
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from srmkit.documents.registry import DocumentSpec
from srmkit.errors import SrmkitError
from srmkit.interrupts import INTERRUPTED
from srmkit.output import json_ready

if TYPE_CHECKING:
    import nbformat

KERNEL = "python3"
PREPARE_FIGURES = "srmkit.figures.prepare()"  # plotly's validators, loaded as a kernel starts
PREPARE_PLOTLY = "srmkit.execution.offline_plotly_html()"  # compressed as a kernel starts (40 ms)
PLOTLY_BUNDLE = "plotly/plotly-basic.min.js"  # scatter, bar, pie: see srmkit/data/plotly/README.md
PLOTLY_TAG = "srmkit-plotly"
"""The tag of a document notebook's cell that displays :func:`offline_plotly`."""
NOTES_TAG = "srmkit-notes"
"""The tag of a document notebook's markdown for its reader in JupyterLab (the title, a heading
per section); srmkit's template leaves these cells out of the documents."""


class ReportError(SrmkitError, RuntimeError):
    """A notebook failed to execute or a document could not be rendered."""


def notebooks_dir() -> Traversable:
    """The shipped notebooks: the repository's ``notebooks/``, as ``srmkit.notebooks``."""
    return resources.files("srmkit.notebooks")


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
    warning goes); connection files and sockets live in ``workdir`` and go with the kernel, and
    so do the kernel's temporary files (:meth:`env`).
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
            [
                *(f"import {m}" for m in self.preload),
                "import srmkit.figures",
                PREPARE_FIGURES,
                "import srmkit.execution",
                PREPARE_PLOTLY,
            ]
        )
        run_sync(km.start_kernel)(
            cwd=str(self.workdir),
            extra_arguments=[f"--IPKernelApp.exec_lines={preload}"],
            env={**os.environ, **self.env()},
        )
        return km

    def env(self) -> dict[str, str]:
        """What a kernel's environment adds: its temporary and Jupyter runtime files go in the
        run's folder (``workdir``), and with it."""
        folder = str(self.workdir)
        return {"TMPDIR": folder, "TMP": folder, "TEMP": folder, "JUPYTER_RUNTIME_DIR": folder}

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

        if km.has_kernel:  # not when a kernel that died twice was shut down by nbclient
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


def execute(
    spec: DocumentSpec, params: Path, sections: dict[str, Any], km: Any, cell_timeout_s: int
) -> Any:
    """Execute a document's notebook with papermill on the scenario's sections, as ``-f`` would.

    The notebook runs on the started kernel ``km`` and is kept in memory; papermill's save after
    every cell is off (it rewrote the whole notebook about 70 times per render). A cell that runs
    longer than ``cell_timeout_s`` fails the document rather than hang the run. A kernel that
    dies (killed, out of memory) is started again and the notebook executed again, once; a
    second death fails the document in one line.
    """
    first = ""
    while True:
        try:
            return _execute_once(spec, params, sections, km, cell_timeout_s)
        except ReportError:
            raise
        except Exception as exc:
            if INTERRUPTED.is_set() or _kernel_alive(km):
                raise
            text = str(exc).strip()
            why = f"{type(exc).__name__}: {text.splitlines()[0]}" if text else type(exc).__name__
            if first:
                error = ReportError(
                    f"the kernel running {spec.notebook} died ({first}); started again, it "
                    f"died again ({why})"
                )
                error.detail = _traceback_text(exc)
                raise error from None
            first = why
            _restart(km)


def _restart(km: Any) -> None:
    """Start a dead kernel again, on new sockets: the client of the notebook that failed is
    still connected to the old ones (restarted on them, the kernel never answered the next
    notebook's client, in most trials)."""
    from jupyter_core.utils import run_sync

    km.cleanup_ipc_files()
    km.cleanup_connection_file()
    km.ip = f"{km.ip}r"
    run_sync(km.restart_kernel)(now=True)


def _kernel_alive(km: Any) -> bool:
    from jupyter_core.utils import run_sync

    try:
        return bool(run_sync(km.is_alive)())
    except Exception:  # a kernel whose state cannot be read is not one to run a notebook on
        return False


def _traceback_text(exc: BaseException) -> str:
    """An exception with its traceback, as Python prints it."""
    import traceback

    return "".join(traceback.format_exception(exc))


def _execute_once(
    spec: DocumentSpec, params: Path, sections: dict[str, Any], km: Any, cell_timeout_s: int
) -> Any:
    _quiet_imports()
    import papermill
    from jupyter_core.utils import ensure_event_loop
    from papermill.exceptions import PapermillExecutionError

    ensure_event_loop().set_exception_handler(_drop_abandoned_cells)

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
                execution_timeout=cell_timeout_s,
            )
        except PapermillExecutionError as exc:
            raise ReportError(
                f"the notebook {spec.notebook} failed in cell {exc.exec_count}: "
                f"{exc.ename}: {exc.evalue}"
            ) from None
        except TimeoutError as exc:
            raise ReportError(f"the notebook {spec.notebook} took too long: {exc}") from None


def _drop_abandoned_cells(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    """Say nothing of a cell abandoned by an interrupt whose kernel was then stopped: asyncio
    would print its "Task exception was never retrieved" traceback as the run exits. A kernel
    that dies while a notebook runs still fails that document, through ``execute``."""
    from nbclient.exceptions import DeadKernelError

    if isinstance(context.get("exception"), DeadKernelError):
        return
    loop.default_exception_handler(context)


@cache
def plotly_js() -> str:
    """plotly.js (basic bundle), inlined once into every document: figures draw offline."""
    return resources.files("srmkit.data").joinpath(PLOTLY_BUNDLE).read_text("utf-8")


def inline_script(js: str) -> str:
    return f'<script type="text/javascript">{js}</script>'


UNPACK_PLOTLY_JS = """(function () {
  "use strict";
  if (window.Plotly && (window.Plotly.version || window.Plotly.srmkitPending)) { return; }
  var waiting = [];
  window.Plotly = {
    srmkitPending: true,
    newPlot: function () {
      var args = arguments;
      return new Promise(function (resolve) {
        waiting.push(function (plotly) { resolve(plotly.newPlot.apply(plotly, args)); });
      });
    }
  };
  if (typeof DecompressionStream === "undefined") {
    console.error("srmkit: this browser cannot unpack plotly.js (no DecompressionStream): " +
      "open the file in a current Chrome, Edge, Firefox or Safari to see the figures");
    return;
  }
  var packed = Uint8Array.from(atob("@PACKED@"), function (c) { return c.charCodeAt(0); });
  new Response(new Blob([packed]).stream().pipeThrough(new DecompressionStream("gzip")))
    .text()
    .then(function (js) {
      var script = document.createElement("script");
      script.textContent = js;
      document.head.appendChild(script);
      waiting.forEach(function (draw) { draw(window.Plotly); });
    });
})();"""
"""Unpacks gzip-compressed plotly.js in the browser and runs it; ``Plotly.newPlot`` calls made
before it is ready (the figures' own scripts, which follow at once) wait for it."""


@cache
def offline_plotly_html() -> str:
    """plotly.js for a notebook's figures, as HTML: the basic bundle gzip-compressed in base64
    (0.53 MB in place of 1.19 MB), unpacked by the browser's ``DecompressionStream``; nothing is
    fetched. Deterministic: the same bytes in every notebook."""
    packed = base64.b64encode(gzip.compress(plotly_js().encode("utf-8"), 9, mtime=0))
    found = re.search(r"plotly\.js \(basic - minified\) (v\S+)", plotly_js())
    version = found[1] if found else ""
    return (
        f'<script type="text/javascript" data-srmkit="plotly.js">'
        f"/* plotly.js {version} basic bundle (MIT licence, Plotly, Inc.): gzip-compressed, "
        f"unpacked by the browser; displayed by srmkit.execution.offline_plotly */\n"
        f"{UNPACK_PLOTLY_JS.replace('@PACKED@', packed.decode('ascii'))}</script>"
    )


class OfflinePlotly:
    """What a document notebook's cell tagged ``srmkit-plotly`` displays: plotly.js, once per
    notebook, before its figures (JupyterLab and stock nbconvert draw them with it). srmkit's
    own documents leave this output out: their template inlines the library in the head."""

    def _repr_html_(self) -> str:
        return offline_plotly_html()

    def __repr__(self) -> str:
        return "plotly.js (basic bundle, compressed) for the figures of this notebook"


def offline_plotly() -> OfflinePlotly:
    """plotly.js for the figures below it, displayed once early in a document notebook."""
    return OfflinePlotly()


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


def prepare_html() -> None:
    """Import nbconvert and compile srmkit's template now (about 0.6 s), while a kernel starts."""
    _html_exporter()


def to_html(nb: nbformat.NotebookNode, title: str) -> str:
    """Render an executed notebook to HTML without code cells or prompts; plotly.js inlined."""
    nb.metadata["title"] = title
    body, _ = _html_exporter().from_notebook_node(
        nb, resources={"srmkit": {"plotly_js": inline_script(plotly_js())}}
    )
    return str(body)


def write_ipynb(nb: nbformat.NotebookNode, path: Path) -> None:
    """Write an executed notebook."""
    import nbformat

    nbformat.write(nb, str(path))  # type: ignore[no-untyped-call]  # nbformat is untyped
