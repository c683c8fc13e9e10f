"""The executed notebooks srmkit writes beside each report, converted by stock nbconvert and by
srmkit's template selected by name: every figure draws offline; srmkit's own documents carry
plotly.js once and none of the notebooks' notes."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from conftest import ROOT

from srmkit.execution import NOTES_TAG, PLOTLY_TAG
from srmkit.report import Report

pytestmark = [pytest.mark.notebook, pytest.mark.timeout(300)]

DOCUMENT_NOTEBOOKS = ("design_document", "dr_runbook", "sizing_study", "build_book")
LOADER = 'data-srmkit="plotly.js"'
"""The mark of the notebook's own plotly.js (srmkit.execution.offline_plotly_html)."""
LIBRARY = "plotly.js (basic - minified) v"
"""The header of plotly.js itself, as srmkit's template inlines it."""
STOCK_ASSETS = ("/require.js/", "/require.min.js", "/mathjax/")
"""What nbconvert's stock lab template asks CDNs for: require.js and MathJax (refused here; a
document needs neither)."""


def _jupyter(*args: str, env: dict[str, str] | None = None) -> None:
    """Run the jupyter command of this environment, as a user types it."""
    subprocess.run(
        [str(Path(sys.executable).with_name("jupyter")), *args],
        check=True,
        capture_output=True,
        env=env,
        timeout=120,
    )


def _notes(name: str) -> list[str]:
    """The sentences of a notebook's notes (no headings, which the documents share), as plain
    text with one space between words."""
    nb = nbformat.read(ROOT / "notebooks" / f"{name}.ipynb", as_version=4)
    sentences = []
    for cell in nb.cells:
        if NOTES_TAG in cell.metadata.get("tags", []):
            for line in cell.source.splitlines():
                if line.strip() and not line.startswith("#"):
                    sentences.append(" ".join(re.sub(r"[*`]", "", line).split()))
    return sentences


def _draws_offline(*pages: Path) -> list[tuple[int, list[str], list[str]]]:
    """Open pages one after another in headless Chromium with the network closed and wait for
    their figures. For each: the number of figures, the requests refused, the page's errors."""
    from srmkit.browser import offline_page, wait_for_figures

    seen = []
    with offline_page() as (page, refused):
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("console", lambda m: errors.append(m.text) if "Plotly" in m.text else None)
        for html in pages:
            refused.clear()
            errors.clear()
            page.goto(html.as_uri(), wait_until="load")
            figures = wait_for_figures(page)
            drawn = page.evaluate(
                "[...document.querySelectorAll('.plotly-graph-div')]"
                ".filter(d => d.querySelector('.main-svg')).length"
            )
            assert drawn == figures, html.name
            seen.append((figures, list(refused), list(errors)))
    return seen


def test_executed_notebooks_carry_plotly_once(example_report: Report) -> None:
    """Each executed notebook holds plotly.js once, compressed (about 0.53 MB for the 1.19 MB
    bundle), in its cell tagged srmkit-plotly, before its first figure."""
    for name in DOCUMENT_NOTEBOOKS:
        nb = nbformat.read(example_report.files[f"{name}.ipynb"], as_version=4)
        outputs = [
            (cell, str(o.get("data", {}).get("text/html", "")))
            for cell in nb.cells
            if cell.cell_type == "code"
            for o in cell.outputs
        ]
        loaders = [(cell, html) for cell, html in outputs if LOADER in html]
        assert len(loaders) == 1, name
        [(cell, html)] = loaders
        assert PLOTLY_TAG in cell.metadata.tags
        assert len(html) < 560_000
        assert LIBRARY not in json.dumps(nb)  # never the uncompressed library
        first_figure = next(i for i, (_, h) in enumerate(outputs) if "plotly-graph-div" in h)
        assert outputs.index((cell, html)) < first_figure


def test_documents_inline_plotly_once_and_no_notes(rendered_examples: list[Report]) -> None:
    """Every rendered document (every example) inlines plotly.js once, in its head, and holds
    neither the notebook's own copy nor a markdown cell nor any sentence of the notes."""
    notes = {name: _notes(name) for name in DOCUMENT_NOTEBOOKS}
    for report in rendered_examples:
        for name in DOCUMENT_NOTEBOOKS:
            html = report.files[f"{name}.html"].read_text(encoding="utf-8")
            assert html.count(LIBRARY) == 1, (report.params.name, name)
            assert html.index(LIBRARY) < html.index("</head>")
            assert LOADER not in html
            assert "jp-MarkdownCell" not in html
            text = " ".join(re.sub(r"<[^>]+>", " ", html.split("</head>")[1]).split())
            assert not [s for s in notes[name] if s in text], (report.params.name, name)


@pytest.mark.browser
@pytest.mark.usefixtures("need_browser")
def test_notes_are_in_no_pdf_or_word_document(example_report: Report) -> None:
    """The printed and Word documents hold no sentence of the notebooks' notes."""
    import docx
    import pypdfium2

    for name in DOCUMENT_NOTEBOOKS:
        pdf = pypdfium2.PdfDocument(example_report.files[f"{name}.pdf"])
        printed = " ".join(
            " ".join(page.get_textpage().get_text_range().split()) for page in pdf
        ).replace("- ", "")
        word = docx.Document(str(example_report.files[f"{name}.docx"]))
        words = " ".join(" ".join(p.text.split()) for p in word.paragraphs)
        sentences = _notes(name)
        assert sentences
        assert not [s for s in sentences if s in printed or s in words], name
        assert "How to run it" not in printed + words


@pytest.mark.browser
@pytest.mark.usefixtures("need_browser")
def test_stock_nbconvert_draws_every_figure_offline(example_report: Report, tmp_path: Path) -> None:
    """`jupyter nbconvert --to html --no-input` (the stock lab template) on the notebooks srmkit
    wrote: in Chromium with the network closed every figure draws, with no page error; the only
    requests are the stock template's own require.js and MathJax (refused), none for plotly."""
    notebooks = [str(example_report.files[f"{name}.ipynb"]) for name in DOCUMENT_NOTEBOOKS]
    _jupyter("nbconvert", "--to", "html", "--no-input", "--output-dir", str(tmp_path), *notebooks)
    pages = _draws_offline(*(tmp_path / f"{name}.html" for name in DOCUMENT_NOTEBOOKS))
    for name, (figures, refused, errors) in zip(DOCUMENT_NOTEBOOKS, pages, strict=True):
        assert figures >= 1, name
        assert errors == [], name
        assert all(any(a in url for a in STOCK_ASSETS) for url in refused), refused
        assert not [url for url in refused if "plot" in url.lower()]


@pytest.mark.browser
@pytest.mark.usefixtures("need_browser")
def test_template_selected_by_name_draws_offline(example_report: Report, tmp_path: Path) -> None:
    """`jupyter nbconvert --template srmkit_document` finds srmkit's template in a Jupyter data
    folder (here one linked to the repository's template, as for an editable install; the
    wheel installs a copy, tests/test_wheel.py) and renders without srmkit's resources: the
    figures draw with the notebook's plotly.js, nothing is fetched, the notes are left out."""
    data = tmp_path / "jupyter"
    (data / "nbconvert" / "templates").mkdir(parents=True)
    (data / "nbconvert" / "templates" / "srmkit_document").symlink_to(
        ROOT / "srmkit" / "templates" / "srmkit_document"
    )
    env = {**os.environ, "JUPYTER_PATH": str(data)}
    notebook = example_report.files["dr_runbook.ipynb"]
    out = tmp_path / "out"
    _jupyter(
        "nbconvert",
        *("--to", "html", "--no-input", "--template", "srmkit_document"),
        *("--output-dir", str(out), str(notebook)),
        env=env,
    )
    html = (out / "dr_runbook.html").read_text(encoding="utf-8")
    assert 'content="srmkit"' in html  # srmkit's template, not the stock one
    assert html.count(LOADER) == 1
    assert "jp-MarkdownCell" not in html
    [(figures, refused, errors)] = _draws_offline(out / "dr_runbook.html")
    assert figures >= 10  # the runbook's scenario timelines and state diagram
    assert refused == []
    assert errors == []
