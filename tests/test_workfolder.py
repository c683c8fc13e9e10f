"""srmkit init: a working folder with a starter scenario, the user's notebooks, a README and
notebooks committed without outputs; files in the way refused, nothing half-written."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest
from conftest import EXAMPLE, MEASURED, run_cli

from srmkit import workfolder
from srmkit.errors import EXIT_INVALID
from srmkit.folders import FilesInTheWayError
from srmkit.workfolder import init_folder

NOTEBOOKS = {
    "design_document.ipynb",
    "dr_runbook.ipynb",
    "sizing_study.ipynb",
    "build_book.ipynb",
    "explore.ipynb",
}
# measured/: the example's Performance Monitor log, beside the scenario as it names it.
EXPECTED = {"scenario.yaml", "measured", "README.md", ".gitattributes", *NOTEBOOKS}


def _params_line(path: Path) -> str:
    nb = nbformat.read(path, as_version=4)
    [cell] = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    [line] = [x for x in cell.source.splitlines() if x.startswith("params_file")]
    return line


def test_init_writes_a_working_folder(tmp_path: Path) -> None:
    """The example scenario, every notebook with params_file = scenario.yaml and no outputs, a
    README saying what to do, and the nbstripout attributes; outside git, nothing configured and
    the command to run named."""
    folder = tmp_path / "customer"
    result = init_folder(folder)
    assert {p.name for p in folder.iterdir()} == EXPECTED
    logs = sorted(p.name for p in MEASURED.iterdir())
    assert {p.relative_to(folder).parts[0] for p in result.files} == EXPECTED
    assert (folder / "scenario.yaml").read_bytes() == EXAMPLE.read_bytes()
    assert sorted(p.name for p in (folder / "measured").iterdir()) == logs
    for log in logs:  # byte for byte: the CSV keeps its CRLF line ends
        assert (folder / "measured" / log).read_bytes() == (MEASURED / log).read_bytes()
    for name in NOTEBOOKS:
        assert _params_line(folder / name).startswith('params_file = "scenario.yaml"')
        nb = nbformat.read(folder / name, as_version=4)
        nbformat.validate(nb)
        assert all(c.outputs == [] for c in nb.cells if c.cell_type == "code")
    readme = (folder / "README.md").read_text(encoding="utf-8")
    assert "JupyterLab" in readme
    assert "srmkit report scenario.yaml" in readme
    assert "*.ipynb filter=nbstripout" in (folder / ".gitattributes").read_text(encoding="utf-8")
    assert "nbstripout --install --attributes .gitattributes" in result.git


def test_user_copies_lose_outputs_saved_into_the_installed_notebook() -> None:
    """A shipped notebook that JupyterLab saved with outputs is copied without them."""
    nb = json.loads((workfolder.notebooks_dir() / "build_book.ipynb").read_text("utf-8"))
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            cell["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "x"}]
            cell["execution_count"] = 7
    copy = json.loads(workfolder.user_notebook(json.dumps(nb)))
    code = [c for c in copy["cells"] if c["cell_type"] == "code"]
    assert all(c["outputs"] == [] and c["execution_count"] is None for c in code)


@pytest.mark.notebook
@pytest.mark.timeout(180)
def test_notebook_runs_from_the_folder(tmp_path: Path) -> None:
    """The design document's copy runs as JupyterLab's Run All would, from the folder, on the
    starter scenario; the scenario's edits are what it shows."""
    from nbclient import NotebookClient

    folder = tmp_path / "customer"
    init_folder(folder)
    scenario = folder / "scenario.yaml"
    scenario.write_text(
        scenario.read_text(encoding="utf-8").replace("Northwind Traders", "Fabrikam Ltd"),
        encoding="utf-8",
    )
    nb = nbformat.read(folder / "design_document.ipynb", as_version=4)
    NotebookClient(
        nb, timeout=150, kernel_name="python3", resources={"metadata": {"path": str(folder)}}
    ).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert "Fabrikam Ltd" in "".join(str(o.get("data", {}).get("text/html", "")) for o in outputs)


def test_init_refuses_files_in_the_way(tmp_path: Path) -> None:
    """Files already there are named and kept, and nothing else is written (exit status 2);
    with overwrite they are replaced."""
    folder = tmp_path / "customer"
    folder.mkdir()
    (folder / "README.md").write_text("mine", encoding="utf-8")
    (folder / "scenario.yaml").write_text("mine", encoding="utf-8")
    with pytest.raises(FilesInTheWayError) as refused:
        init_folder(folder)
    assert refused.value.exit_code == EXIT_INVALID
    assert refused.value.names == ["scenario.yaml", "README.md"]
    assert "scenario.yaml, README.md" in str(refused.value)
    assert sorted(p.name for p in folder.iterdir()) == ["README.md", "scenario.yaml"]
    assert (folder / "README.md").read_text(encoding="utf-8") == "mine"
    (folder / "measured").mkdir()
    (folder / "measured" / "EXMBX07.csv").write_text("mine", encoding="utf-8")
    init_folder(folder, overwrite=True)
    assert {p.name for p in folder.iterdir()} == EXPECTED
    assert (folder / "scenario.yaml").read_bytes() == EXAMPLE.read_bytes()
    # --overwrite replaces the example's log, never the user's own beside it
    assert sorted(p.name for p in (folder / "measured").iterdir()) == ["EXMBX01.csv", "EXMBX07.csv"]


def test_init_is_never_half_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A failure while the files are made leaves nothing: no folder it created, no staging
    folder in one that was there, no file of the set."""

    def broken(path: Path) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(workfolder, "read_params", broken)
    with pytest.raises(OSError, match="disk full"):
        init_folder(tmp_path / "new")
    assert not (tmp_path / "new").exists()
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(OSError, match="disk full"):
        init_folder(tmp_path / "old")
    assert [p.name for p in (tmp_path / "old").iterdir()] == ["notes.txt"]


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_init_in_a_git_repository_strips_notebooks_on_commit(tmp_path: Path) -> None:
    """In a git work tree the nbstripout filter is configured as `nbstripout --install
    --attributes .gitattributes` does: a notebook with outputs is staged without them. A filter
    the repository already has is left as it is."""
    repo = tmp_path / "repo"
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    result = init_folder(repo / "customer")
    assert "configured" in result.git
    git = ["git", "-C", str(repo)]
    clean = subprocess.run(
        [*git, "config", "filter.nbstripout.clean"], capture_output=True, text=True, check=True
    )
    assert "-m nbstripout" in clean.stdout
    notebook = repo / "customer" / "build_book.ipynb"
    nb = nbformat.read(notebook, as_version=4)
    code = next(c for c in nb.cells if c.cell_type == "code")
    code.outputs = [nbformat.v4.new_output("stream", name="stdout", text="run in JupyterLab")]
    code.execution_count = 1
    nbformat.write(nb, notebook)
    subprocess.run([*git, "add", "customer/build_book.ipynb"], check=True)
    staged = subprocess.run(
        [*git, "show", ":customer/build_book.ipynb"], capture_output=True, text=True, check=True
    ).stdout
    assert "run in JupyterLab" not in staged
    assert "run in JupyterLab" in notebook.read_text(encoding="utf-8")  # the file keeps them
    again = init_folder(repo / "second")
    assert "already configured" in again.git


def test_cli_init(tmp_path: Path) -> None:
    """`srmkit init DIR` writes the folder and says what to do; again, it exits 2 naming the
    files in the way; with --overwrite it replaces them."""
    first = run_cli("init", str(tmp_path / "customer"))
    assert first.returncode == 0, first.stderr
    assert "srmkit report scenario.yaml" in first.stdout
    assert {p.name for p in (tmp_path / "customer").iterdir()} == EXPECTED
    again = run_cli("init", str(tmp_path / "customer"))
    assert again.returncode == EXIT_INVALID
    assert "scenario.yaml" in again.stderr
    assert "--overwrite" in again.stderr
    assert run_cli("init", str(tmp_path / "customer"), "--overwrite").returncode == 0
