"""Shared fixtures: paths of the repository and the example scenarios."""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from srmkit.report import Report
    from srmkit.schema import Scenario

ROOT = Path(__file__).resolve().parent.parent
PARAMS = ROOT / "params"
EXAMPLES = sorted(p for p in PARAMS.glob("*.yaml"))
EXAMPLE = PARAMS / "example.yaml"
MEASURED = PARAMS / "measured"
"""The example's measurement files: EXMBX01's Performance Monitor log (``servers[].measured``
paths are relative to the scenario file)."""

_MEASURED_ENTRY = re.compile(r",\n[ ]*measured: \{[^{}]*\}(?=\})")
_SERVERS_COMMENT = re.compile(r"(?<=\nservers:\n)(?:[ ]*#[^\n]*\n)+")


def profile_only(text: str) -> str:
    """The example's text with EXMBX01 sized from its heavy profile, as every server was before
    it was measured: its ``measured`` entry (and the comment saying so) removed. For tests of
    figures worked by hand from the profile, and for copies of the example outside params/ whose
    subject is not the measurement (its log is not beside them)."""
    text, count = _MEASURED_ENTRY.subn("", text)
    assert count == 1, "the example no longer measures exactly one server: update profile_only"
    return _SERVERS_COMMENT.sub("", text, count=1)


def example_data(measured: bool = False) -> dict[str, Any]:
    """The example scenario's data (params/example.yaml as YAML data), by default
    :func:`profile_only`'s: data validated without a folder (``validate_data(data, name)``)
    resolves the measurement against the current folder, where the log is not."""
    import yaml

    text = EXAMPLE.read_text(encoding="utf-8")
    data: dict[str, Any] = yaml.safe_load(text if measured else profile_only(text))
    return data


@functools.cache
def profile_example() -> Scenario:
    """The example scenario with EXMBX01 sized from its heavy profile (:func:`profile_only`), for
    the figures of the example worked by hand from the profile (the Method's worked examples)."""
    from srmkit.params import validate_data

    return validate_data(example_data(), str(EXAMPLE), base_dir=PARAMS)


def copy_measured(folder: Path) -> Path:
    """Copy the example's measurement files (params/measured/) into ``folder``, beside a copy of
    the example as shipped. Returns the copy's folder."""
    return Path(shutil.copytree(MEASURED, folder / MEASURED.name, dirs_exist_ok=True))


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run an ``srmkit`` command in this process (typer's CliRunner), in ``cwd`` (the repository
    by default): the same command, options, output streams and exit code as the installed
    command, without paying an interpreter start and srmkit's imports for each call. An exception
    that escapes the command (a bug: the command line prints errors, never tracebacks) is
    raised here rather than counted as exit code 1."""
    from typer.testing import CliRunner

    from srmkit.cli import app

    before = Path.cwd()
    os.chdir(cwd or ROOT)
    try:
        result = CliRunner().invoke(app, list(args), prog_name="srmkit")
    finally:
        os.chdir(before)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return subprocess.CompletedProcess(list(args), result.exit_code, result.stdout, result.stderr)


def run_process(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run the installed ``srmkit`` command as a user would, as a process of its own (the entry
    point, exit codes and signals; everything else uses :func:`run_cli`)."""
    exe = Path(sys.executable).with_name("srmkit")
    return subprocess.run(
        [str(exe), *args], capture_output=True, text=True, cwd=cwd or ROOT, check=False
    )


@pytest.fixture
def need_browser() -> None:
    """Skip without Chromium, unless the run demands one (``make test`` does)."""
    from srmkit.browser import find_browser

    if find_browser() is None:
        if os.environ.get("SRMKIT_REQUIRE_BROWSER"):
            pytest.fail("no Chrome/Chromium found, but SRMKIT_REQUIRE_BROWSER is set")
        pytest.skip("no Chrome/Chromium on this machine")


def _run_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder of this test run shared by every pytest-xdist worker (each worker's own temporary
    folder is a child of it), or this process's own without xdist."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def once_per_run(
    tmp_path_factory: pytest.TempPathFactory, name: str, build: Callable[[Path], object]
) -> Path:
    """A folder ``name`` that ``build`` fills once for the whole test run: with pytest-xdist the
    first worker that needs it builds it while holding a lock; the others wait and read it."""
    import fcntl

    shared = _run_folder(tmp_path_factory)
    folder, done = shared / name, shared / f"{name}.done"
    with (shared / f"{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            folder.mkdir(exist_ok=True)
            build(folder)
            done.touch()
    return folder


EXAMPLES_FOLDER = "rendered-examples"
WORD_EXAMPLES = [PARAMS / "async-long-distance.yaml", PARAMS / "example.yaml"]
"""The examples rendered to Word too: MirrorView/A and MirrorView/S with a measured server (Word
goes through the same template and pandoc for every example; each took 5 s to convert)."""


def render_examples(folder: Path) -> None:
    """Every example rendered into ``folder`` to HTML and PDF, and :data:`WORD_EXAMPLES` to DOCX
    too (HTML only on a machine without a browser: the tests that need the browser are skipped
    there), and the list of reports as reports.json. Runs in a process of its own
    (:func:`_examples_in_background`)."""
    import json

    from srmkit.browser import find_browser
    from srmkit.report import render

    printed = ("html", "pdf") if find_browser() else ("html",)
    worded = (*printed, "docx") if find_browser() else printed
    reports = []
    for examples, formats in (
        (WORD_EXAMPLES, worded),
        ([p for p in EXAMPLES if p not in WORD_EXAMPLES], printed),
    ):
        result = render(examples, folder / "reports", formats, jobs=2)
        assert result.failures == [], result.failures
        reports += result.reports
    rows = [
        {
            "params": str(r.params),
            "folder": str(r.folder),
            "verdict": r.verdict,
            "files": {k: str(v) for k, v in r.files.items()},
        }
        for r in sorted(reports, key=lambda r: EXAMPLES.index(r.params))
    ]
    (folder / "reports.json").write_text(json.dumps(rows), encoding="utf-8")


def _needs_examples(session: pytest.Session) -> bool:
    return any("rendered_examples" in getattr(i, "fixturenames", ()) for i in session.items)


@pytest.fixture(scope="session", autouse=True)
def _examples_in_background(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[None]:
    """When a test of this run reads the rendered examples, start rendering them as the run
    starts, in a process of its own: the other tests run meanwhile (with pytest-xdist, the first
    worker starts it; rendering took a minute in which a worker waited for it)."""
    import fcntl

    if not _needs_examples(request.session):
        yield
        return
    shared = _run_folder(tmp_path_factory)
    folder = shared / EXAMPLES_FOLDER
    process = None
    with (shared / f"{EXAMPLES_FOLDER}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not folder.exists():
            folder.mkdir()
            code = (
                "import sys; from pathlib import Path; sys.path.insert(0, sys.argv[1]); "
                "import conftest; conftest.render_examples(Path(sys.argv[2]))"
            )
            with (folder / "render.log").open("w") as log:
                process = subprocess.Popen(
                    [sys.executable, "-c", code, str(Path(__file__).parent), str(folder)],
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    cwd=ROOT,
                )
            (folder / "pid").write_text(str(process.pid), encoding="utf-8")
    yield
    if process is not None:
        process.wait()  # another worker may still read it: never cut it short


@pytest.fixture(scope="session")
def rendered_examples(tmp_path_factory: pytest.TempPathFactory) -> list[Report]:
    """Every example rendered once for the whole run, to HTML, PDF and DOCX (started in the
    background as the run starts: :func:`_examples_in_background`); waits until it is done."""
    import json
    import time

    from srmkit.report import Report

    folder = _run_folder(tmp_path_factory) / EXAMPLES_FOLDER
    listing = folder / "reports.json"
    pid = int((folder / "pid").read_text(encoding="utf-8"))
    while not listing.exists() and not _ended(pid):
        time.sleep(0.2)
    if not listing.exists():
        log = (folder / "render.log").read_text(encoding="utf-8", errors="replace")
        pytest.fail(f"rendering the examples failed:\n{log[-3000:]}")
    return [
        Report(
            Path(row["params"]),
            Path(row["folder"]),
            row["verdict"],
            {k: Path(v) for k, v in row["files"].items()},
        )
        for row in json.loads(listing.read_text(encoding="utf-8"))
    ]


def _ended(pid: int) -> bool:
    """The process has exited (a zombie not yet reaped by the worker that started it)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8")
    except OSError:
        return True
    return stat.rsplit(")", 1)[1].split()[0] == "Z"


WORKBOOK_CHANGES = """import json
before = wb.snapshot()
wb.distance.value = 120
at_120_km = wb.snapshot()
wb.link_rate.value = 155
wb.mode.value = "async"
print(json.dumps({"before": before, "at_120_km": at_120_km, "after": wb.snapshot()}))
"""
"""The cell the workbook tests append: it moves three controls and prints what the workbook
showed before and after."""


@pytest.fixture(scope="session")
def executed_workbook(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """notebooks/explore.ipynb executed once for the run, as JupyterLab's Run All would (from
    notebooks/, with its defaults), followed by :data:`WORKBOOK_CHANGES` as its last cell."""
    import nbformat

    def build(folder: Path) -> None:
        from nbclient import NotebookClient

        nb = nbformat.read(ROOT / "notebooks" / "explore.ipynb", as_version=4)
        nb.cells.append(nbformat.v4.new_code_cell(WORKBOOK_CHANGES))
        NotebookClient(
            nb, timeout=150, kernel_name="python3", resources={"metadata": {"path": "notebooks"}}
        ).execute()
        nbformat.write(nb, folder / "explore.ipynb")

    folder = once_per_run(tmp_path_factory, "executed-workbook", build)
    return nbformat.read(folder / "explore.ipynb", as_version=4)


@pytest.fixture(scope="session")
def example_report(rendered_examples: list[Report]) -> Report:
    """The example scenario's documents (params/example.yaml), from :func:`rendered_examples`."""
    [report] = [r for r in rendered_examples if r.params == EXAMPLE]
    return report


# The longest tests first: with pytest-xdist each starts on a worker of its own at once while the
# others share the rest, instead of one of them starting last and running alone at the end.
LONGEST_FIRST = (
    "test_large_design_renders",
    "test_wheel_renders_outside_the_checkout",
    "test_ten_thousand_servers_answer_within_budget",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the longest tests first and those that read the rendered examples last (the order
    of the rest is kept)."""

    def rank(item: pytest.Item) -> int:
        name = item.name.split("[")[0]
        if name in LONGEST_FIRST:
            return LONGEST_FIRST.index(name)
        # Those that read the rendered examples last: they render in the background meanwhile.
        needs = "rendered_examples" in getattr(item, "fixturenames", ())
        return len(LONGEST_FIRST) + needs

    items.sort(key=rank)


STUB = "stub"
"""The key of the stub document (:func:`stub_document`)."""


@pytest.fixture
def stub_document(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A tiny document registered for one test, for the tests of report folders (reservation,
    versions, never overwriting, a failure in a batch): it goes through the same kernel,
    papermill, nbconvert and finishing as a real document, in a fraction of the time. Returns
    its key, for ``only=[...]`` or ``--only``. Runs in this process only (not in a subprocess)."""
    import nbformat

    from srmkit import execution
    from srmkit.documents.registry import DOCUMENTS, DocumentSpec

    folder = tmp_path / "stub-notebooks"
    folder.mkdir()
    parameters = nbformat.v4.new_code_cell("params_file = None  # the scenario file")
    parameters.metadata["tags"] = ["parameters"]
    nb = nbformat.v4.new_notebook(
        cells=[
            parameters,
            nbformat.v4.new_markdown_cell("# A stub document"),
            nbformat.v4.new_code_cell(
                "from IPython.display import HTML\n"
                "HTML('<p>Rendered from ' + str(params_file).rsplit('/', 1)[-1] + '</p>')"
            ),
        ]
    )
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.metadata["language_info"] = {"name": "python"}
    nbformat.write(nb, folder / "stub.ipynb")
    monkeypatch.setattr(execution, "notebooks_dir", lambda: folder)
    monkeypatch.setitem(
        DOCUMENTS,
        STUB,
        DocumentSpec(
            key=STUB,
            notebook="stub.ipynb",
            module="srmkit.glossary",
            basename="stub",
            title="Stub",
            subtitle="Stub document",
            exports=("findings.json",),  # the index lists the folders that hold it
        ),
    )
    return STUB
