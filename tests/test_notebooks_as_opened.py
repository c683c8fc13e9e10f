"""Every notebook under notebooks/ runs as an architect opens it in JupyterLab: executed as it is,
with its own defaults (the parameters cell names ../params/example.yaml), from notebooks/, by
nbclient, with no papermill and no srmkit renderer around it."""

from __future__ import annotations

import copy
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
