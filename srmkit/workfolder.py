"""A working folder for one customer's design: ``srmkit init FOLDER``.

The folder holds a starter scenario (``scenario.yaml``, a copy of the example, validated, with
the measurement file it sizes a server from under ``measured/``), the
user's own copies of the notebooks (``params_file`` set to ``scenario.yaml``, so JupyterLab's
Run All works from the folder; JupyterLab then saves outputs into these copies, never into the
notebooks srmkit installs and renders), a README saying what to do, and a ``.gitattributes``
naming the nbstripout filter, so that notebooks are committed without outputs.

Git reads the filter's command from a repository's own configuration, not from
``.gitattributes``. When the folder is in a git work tree and nbstripout is installed, the
filter is configured there as ``nbstripout --install --attributes .gitattributes`` does (it is
run for that); a filter already configured is left as it is. Otherwise nothing is configured and
the README gives the one command to run: srmkit creates no repository (that choice is the user's)
and never names a filter that cannot run (git then refuses to commit notebooks).

Nothing is half-written: the files are made in a hidden staging folder inside the target and
moved into place when all are done; files already there are replaced only with ``overwrite``.
"""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from srmkit.errors import SrmkitError
from srmkit.execution import notebooks_dir
from srmkit.folders import write_files
from srmkit.params import read_params
from srmkit.version import __version__

SCENARIO = "scenario.yaml"
README = "README.md"
GITATTRIBUTES = ".gitattributes"
EXAMPLE = "example.yaml"
MEASURED = "measured"
"""The folder of the example's measurement files, beside it (``params/measured``)."""
INSTALLED_EXAMPLE = f"share/srmkit/{EXAMPLE}"
"""Where a wheel installs ``params/example.yaml``, under the environment's prefix (pyproject's
data-files)."""
ATTRIBUTES = "*.ipynb filter=nbstripout\n*.zpln filter=nbstripout\n*.ipynb diff=ipynb\n"
"""The lines ``nbstripout --install --attributes .gitattributes`` writes (it adds none of them
again when they are there)."""
PARAMS_LINE = re.compile(r"^params_file = .*$", re.MULTILINE)
USER_PARAMS_LINE = (
    f'params_file = "{SCENARIO}"  # path to a scenario YAML file, relative to this folder'
)

__all__ = ["WorkFolder", "example_scenario", "init_folder"]


@dataclass(frozen=True)
class WorkFolder:
    """What ``srmkit init`` wrote, and what it did about git."""

    folder: Path
    files: list[Path]
    git: str
    """One sentence: the nbstripout filter configured, already there, or the command to run."""

    def lines(self) -> list[str]:
        """What ``srmkit init`` prints: the files, git, and what to do next."""
        return [
            *(f"wrote {p}" for p in self.files),
            f"git: {self.git}",
            f"next: open {self.folder} in JupyterLab and run all cells of a notebook, or run "
            f"'srmkit report {SCENARIO}' there; edit {SCENARIO} first",
        ]


def example_scenario() -> Path:
    """``params/example.yaml``: as the wheel installed it, else the checkout's (an editable
    install installs no data files).

    Raises
    ------
    SrmkitError
        When neither is found (a broken installation).
    """
    from importlib import metadata

    try:
        installed = metadata.files("srmkit") or []
    except metadata.PackageNotFoundError:
        installed = []
    for record in installed:
        if record.as_posix().endswith(INSTALLED_EXAMPLE):
            path = Path(str(record.locate()))
            if path.is_file():
                return path
    checkout = Path(__file__).resolve().parent.parent / "params" / EXAMPLE
    if checkout.is_file():
        return checkout
    raise SrmkitError(f"the example scenario ({INSTALLED_EXAMPLE}) is not installed with srmkit")


def user_notebook(text: str) -> str:
    """A shipped notebook as the user's copy: ``params_file`` names ``scenario.yaml`` beside it,
    and no outputs (in case the installed copy was saved from JupyterLab with some).

    >>> nb = {"cells": [{"cell_type": "code", "metadata": {"tags": ["parameters"]},
    ...     "source": 'params_file = "../params/example.yaml"  # relative to notebooks/\\n',
    ...     "outputs": [{"output_type": "stream"}], "execution_count": 3}]}
    >>> cell = json.loads(user_notebook(json.dumps(nb)))["cells"][0]
    >>> print(cell["source"], cell["outputs"], cell["execution_count"])
    params_file = "scenario.yaml"  # path to a scenario YAML file, relative to this folder
     [] None
    """
    nb = json.loads(text)
    replaced = 0
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        cell["outputs"] = []
        cell["execution_count"] = None
        if "parameters" in cell.get("metadata", {}).get("tags", []):
            source = cell["source"]
            joined = source if isinstance(source, str) else "".join(source)
            joined, n = PARAMS_LINE.subn(USER_PARAMS_LINE, joined, count=1)
            replaced += n
            cell["source"] = joined if isinstance(source, str) else joined.splitlines(True)
    if replaced != 1:
        raise SrmkitError("a shipped notebook has no params_file in its parameters cell")
    return json.dumps(nb, indent=1, ensure_ascii=False) + "\n"


def readme(folder: Path) -> str:
    """The folder's README: what is in it and what to do."""
    return f"""# {folder.name}: an srmkit working folder

Made by `srmkit init` (srmkit {__version__}). Open this folder in JupyterLab
(`jupyter lab`), describe the design in `{SCENARIO}` and run all cells of a notebook (each reads
`{SCENARIO}`, its `params_file`); `srmkit report {SCENARIO}` renders the customer's documents
(HTML, PDF, Word) under `reports/`.

- `{SCENARIO}`: the scenario, started from srmkit's example; `srmkit check {SCENARIO}` checks it.
- `{MEASURED}/`: the example's Performance Monitor log of one server (`servers[].measured` in
  `{SCENARIO}`); put your servers' logs here and name them there (`srmkit init --overwrite`
  replaces only the example's).
- `design_document.ipynb`, `dr_runbook.ipynb`, `sizing_study.ipynb`, `build_book.ipynb`: the
  documents, with their code; `explore.ipynb`: the live workbook (for the architect).
- `{GITATTRIBUTES}`: notebooks are committed without their outputs (nbstripout). `srmkit init`
  configured the filter when this folder was in a git repository and nbstripout was installed;
  otherwise run `nbstripout --install --attributes {GITATTRIBUTES}` here once (after `git init`).
"""


def _files() -> dict[str, str | Path]:
    """Every file of a working folder: its text, or the file to copy."""
    notebooks = sorted(
        (p for p in notebooks_dir().iterdir() if p.name.endswith(".ipynb")), key=lambda p: p.name
    )
    example = example_scenario()
    files: dict[str, str | Path] = {SCENARIO: example}
    measured = example.parent / MEASURED
    if measured.is_dir():  # the example's measurement files, beside it as it names them
        files.update({f"{MEASURED}/{p.name}": p for p in sorted(measured.glob("*.csv"))})
    files.update({p.name: user_notebook(p.read_text("utf-8")) for p in notebooks})
    files[GITATTRIBUTES] = ATTRIBUTES
    return files


def init_folder(folder: Path, overwrite: bool = False) -> WorkFolder:
    """Write a working folder into ``folder`` (created when missing); see the module's notes.

    Raises
    ------
    srmkit.folders.FilesInTheWayError
        When ``folder`` holds any of the files and ``overwrite`` is off (nothing is written).
    srmkit.ScenarioError
        When the starter scenario does not validate (nothing is written; a broken install).
    """
    files = _files()
    files[README] = readme(folder.resolve())

    def write(staging: Path) -> None:
        for name, content in files.items():
            (staging / name).parent.mkdir(exist_ok=True)
            if isinstance(content, Path):
                shutil.copyfile(content, staging / name)
            else:
                (staging / name).write_text(content, "utf-8")
        read_params(staging / SCENARIO)  # the starter must be valid (ScenarioError if not)

    written = write_files(folder, list(files), write, overwrite)
    return WorkFolder(folder, written, configure_git(folder))


def _git(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", *args], cwd=folder, capture_output=True, text=True, check=False, timeout=60
    )


def configure_git(folder: Path) -> str:
    """Configure the nbstripout filter in the git repository that holds ``folder``, as
    ``nbstripout --install --attributes .gitattributes`` does, when there is one and nbstripout
    is installed; say what was done, or what to do."""
    todo = f"run 'nbstripout --install --attributes {GITATTRIBUTES}' in {folder}"
    if shutil.which("git") is None:
        return f"git not found: once the folder is in a git repository, {todo}"
    if _git(folder, "rev-parse", "--is-inside-work-tree").stdout.strip() != "true":
        return f"not in a git repository: after 'git init', {todo}"
    if _git(folder, "config", "filter.nbstripout.clean").stdout.strip():
        return "the repository's nbstripout filter was already configured"
    if importlib.util.find_spec("nbstripout") is None:
        return f"nbstripout is not installed: 'pip install nbstripout', then {todo}"
    installed = subprocess.run(
        [sys.executable, "-m", "nbstripout", "--install", "--attributes", GITATTRIBUTES],
        cwd=folder,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    if installed.returncode != 0:
        return f"nbstripout could not configure git ({installed.stderr.strip()}): {todo}"
    return "the repository's nbstripout filter is configured (notebooks commit without outputs)"
