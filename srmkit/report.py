"""Render design documents: papermill executes the notebook, nbconvert writes HTML without code,
and an installed Chromium prints the PDF.

A report is built in a hidden temporary folder beside its destination and moved into place only
when complete, so ``reports/`` never holds a half-written report. An existing report is never
replaced unless ``overwrite`` is asked for; otherwise a new, time-stamped folder is used.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import shutil
import unicodedata
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Literal

from srmkit.browser import BrowserNotFoundError, find_browser, offline_page, wait_for_figures
from srmkit.exports import write_csv, write_xlsx
from srmkit.params import load_sections
from srmkit.planner import plan_scenario
from srmkit.schema import Scenario

Format = Literal["html", "pdf"]
FORMATS: tuple[Format, ...] = ("html", "pdf")
NOTEBOOK = "design_document.ipynb"
BASENAME = "design_document"


class ReportError(RuntimeError):
    """The notebook failed to execute or the document could not be rendered."""


@dataclass
class Report:
    """Where one rendered report landed and what it holds."""

    params: Path
    folder: Path
    files: dict[str, Path] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def repo_notebooks_dir() -> Path:
    """The ``notebooks/`` folder of the working tree this package runs from."""
    return Path(__file__).resolve().parent.parent / "notebooks"


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


def execute(notebook: Path, output: Path, params_file: Path, sections: dict[str, object]) -> None:
    """Execute the notebook with papermill on the scenario's sections, as ``-f`` would."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    parameters = {"params_file": str(params_file.resolve()), **sections}
    try:
        papermill.execute_notebook(
            str(notebook),
            str(output),
            parameters=parameters,
            cwd=str(notebook.parent),
            progress_bar=False,
            kernel_name="python3",
        )
    except PapermillExecutionError as exc:
        raise ReportError(
            f"the notebook {notebook.name} failed in cell {exc.exec_count}: "
            f"{exc.ename}: {exc.evalue}"
        ) from None


def to_html(executed: Path, output: Path, title: str) -> None:
    """Render an executed notebook to HTML without code cells or prompts."""
    import nbformat
    from nbconvert import HTMLExporter

    templates = resources.files("srmkit").joinpath("templates")
    exporter = HTMLExporter(  # type: ignore[no-untyped-call]  # nbconvert is untyped
        template_name="srmkit_document",
        extra_template_basedirs=[str(templates)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    nb = nbformat.read(str(executed), as_version=4)  # type: ignore[no-untyped-call]
    nb.metadata["title"] = title
    body, _ = exporter.from_notebook_node(nb)
    output.write_text(body, encoding="utf-8")


def to_pdf(html_file: Path, output: Path, scenario: Scenario) -> None:
    """Print the HTML to A4 PDF in headless Chromium, after every figure has drawn."""
    doc = scenario.document
    footer = (
        '<div style="font-size:7pt;width:100%;padding:0 12mm;color:#555;display:flex;'
        'justify-content:space-between;font-family:sans-serif">'
        f"<span>{html.escape(doc.customer)} · {html.escape(doc.confidentiality.upper())}</span>"
        '<span>page <span class="pageNumber"></span> of <span class="totalPages"></span></span>'
        "</div>"
    )
    with offline_page() as (page, _refused):
        page.goto(html_file.resolve().as_uri(), wait_until="load")
        wait_for_figures(page)
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


def render(
    params: Path,
    out_root: Path = Path("reports"),
    formats: Sequence[Format] = FORMATS,
    overwrite: bool = False,
    notebook: Path | None = None,
) -> Report:
    """Render the design document for one params file into its own folder under ``out_root``.

    Raises
    ------
    srmkit.ScenarioError
        When the params file is invalid (nothing is written).
    ReportError
        When execution or rendering fails (nothing is left under ``out_root``).
    """
    scenario, sections = load_sections(params)
    notebook = notebook or repo_notebooks_dir() / NOTEBOOK
    folder = destination(scenario, out_root, overwrite)
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = folder.parent / f".tmp-{uuid.uuid4().hex}"
    staging.mkdir()
    report = Report(params=params, folder=folder)
    try:
        executed = staging / f"{BASENAME}.ipynb"
        execute(notebook, executed, params, sections)
        shutil.copyfile(params, staging / "scenario.yaml")
        html_file = staging / f"{BASENAME}.html"
        to_html(executed, html_file, f"{scenario.document.project} — {scenario.document.customer}")
        if "pdf" in formats:
            if find_browser() is None:
                report.warnings.append(BrowserNotFoundError().args[0])
            else:
                to_pdf(html_file, staging / f"{BASENAME}.pdf", scenario)
        if "html" not in formats:
            html_file.unlink()
        plan = plan_scenario(scenario)
        write_csv(plan, staging / "plan.csv")
        write_xlsx(plan, staging / "plan.xlsx")
        if folder.exists():  # overwrite asked for: replace the old report in one step
            trash = folder.parent / f".old-{uuid.uuid4().hex}"
            folder.rename(trash)
            staging.rename(folder)
            shutil.rmtree(trash)
        else:
            staging.rename(folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        if not any(folder.parent.iterdir()):
            folder.parent.rmdir()
        raise
    # Keyed by format (html, pdf, ipynb, yaml); the plan exports by file name (plan.csv, …).
    report.files = {
        p.name if p.stem == "plan" else p.suffix.lstrip("."): p for p in sorted(folder.iterdir())
    }
    return report
