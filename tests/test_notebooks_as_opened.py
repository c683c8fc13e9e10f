"""Every notebook under notebooks/ runs as an architect opens it in JupyterLab: executed as it is,
with its own defaults (the parameters cell names ../params/example.yaml), from notebooks/, by
nbclient, with no papermill and no srmkit renderer around it."""

from __future__ import annotations

import copy
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from conftest import ROOT

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def test_every_notebook_is_listed() -> None:
    """The three documents and the workbook; a new notebook is picked up by the test below."""
    assert {p.name for p in NOTEBOOKS} >= {
        "design_document.ipynb",
        "dr_runbook.ipynb",
        "sizing_study.ipynb",
        "explore.ipynb",
    }


@pytest.mark.notebook
@pytest.mark.timeout(180)
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_with_its_defaults(path: Path, request: pytest.FixtureRequest) -> None:
    """No cell raises, and every code cell that ends in an expression shows something; the
    documents show their verdict and the customer's name from the example scenario. (The
    workbook is executed once per run for this test and its own, with the workbook tests' cell
    after its cells: only its own cells are checked here.)"""
    from nbclient import NotebookClient

    if path.stem == "explore":
        nb = copy.deepcopy(request.getfixturevalue("executed_workbook"))
        nb.cells = nb.cells[:-1]
    else:
        nb = nbformat.read(path, as_version=4)
        NotebookClient(
            nb,
            timeout=150,
            kernel_name="python3",
            resources={"metadata": {"path": str(path.parent)}},
        ).execute()
    code = [c for c in nb.cells if c.cell_type == "code"]
    errors = [o for c in code for o in c.outputs if o.output_type == "error"]
    assert not errors, errors
    shown = [
        o for c in code for o in c.outputs if o.output_type in ("display_data", "execute_result")
    ]
    assert shown, f"{path.name} displayed nothing"
    if path.stem != "explore":
        markup = "".join(str(o.get("data", {}).get("text/html", "")) for o in shown)
        assert "Northwind Traders" in markup
        assert "srm-verdict" in markup or "srm-contents" in markup or "srm-toc" in markup


DOCUMENTS = [p for p in NOTEBOOKS if p.stem != "explore"]
SET_UP = ("from srmkit.design import Design", "from srmkit.execution import offline_plotly")
"""The first lines of the cells that make no part of the document: set-up, plotly.js."""


def test_notebooks_are_shipped_without_outputs() -> None:
    """nbstripout would change none of the shipped notebooks (no outputs, no execution counts,
    none of the metadata it strips): JupyterLab's autosave into a checkout's notebook is caught
    here. Cell ids are left as they are (--keep-id: the workbook's are not numbered)."""
    result = subprocess.run(
        [str(Path(sys.executable).with_name("nbstripout")), "--keep-id", "--dry-run"]
        + [str(p) for p in NOTEBOOKS],
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout == ""


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.stem)
def test_document_notebooks_have_a_title_and_a_heading_per_section(path: Path) -> None:
    """A document notebook starts with a title cell (what it makes, how to run it, params_file)
    and has a heading cell before each section's cell, so JupyterLab's table of contents lists
    them; all are tagged srmkit-notes (left out of the documents, tests/test_nbconvert.py)."""
    nb = nbformat.read(path, as_version=4)
    title = nb.cells[0]
    assert title.cell_type == "markdown"
    assert title.source.startswith("# ")
    assert "params_file" in title.source
    assert "srmkit report" in title.source
    markdown = [c for c in nb.cells if c.cell_type == "markdown"]
    assert all(c.metadata.get("tags") == ["srmkit-notes"] for c in markdown)
    sections = [
        i
        for i, c in enumerate(nb.cells)
        if c.cell_type == "code"
        and "parameters" not in c.metadata.get("tags", [])
        and not c.source.startswith(SET_UP)
        and c.source != "b.contents()"  # under the cover's heading
    ]
    assert len(sections) >= 6
    for i in sections:
        before = nb.cells[i - 1]
        assert before.cell_type == "markdown", nb.cells[i].source
        assert before.source.startswith("## "), nb.cells[i].source
