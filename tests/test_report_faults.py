"""The machine's faults during a report run (issue 21, items 3 and 6): a report is complete or it
is not published, and a full disk, a read-only or vanished output folder or a failing tool is
said in one plain line (the tool's own output only with ``--verbose``).

Each run renders the stub document (:func:`conftest.stub_document`) to HTML, its notebook
executed once per test process (:func:`stub`); the PDF and Word faults are injected where
Chromium and pandoc write (no browser is started); the full disk is a real 2 MB tmpfs where this
machine lets the tests mount one, and an injected ``ENOSPC`` always.
"""

from __future__ import annotations

import copy
import errno
import os
import shutil
import subprocess
from collections.abc import Iterator
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import pytest
from conftest import EXAMPLE, run_cli

from srmkit import exports
from srmkit import report as report_module
from srmkit.errors import NoSpaceError
from srmkit.execution import ReportError
from srmkit.folders import RESERVED_MARK, STAGING_PREFIX, mount_point
from srmkit.report import Event, render
from srmkit.word import write_docx

pytestmark = [pytest.mark.timeout(60)]
renders = pytest.mark.notebook  # executes the stub document's notebook

# What pandoc 3 printed when the disk filled as it wrote a Word document (through pypandoc).
PANDOC_FULL_DISK = (
    'Pandoc died with exitcode "1" during conversion: pandoc: {path}: withBinaryFile: resource '
    "exhausted (No space left on device)\nHasCallStack backtrace:\n  collectBacktraces, called "
    "at libraries/ghc-internal/src/GHC/Internal/Exception.hs:169:13 in ghc-internal:GHC.Internal"
    ".Exception\n  throwIO, called at libraries/ghc-internal/src/GHC/Internal/IO/Exception.hs:"
    "315:19 in ghc-internal:GHC.Internal.IO.Exception\n\n\n"
)
FOLDER = ("northwind-traders", "1.0")
"""Where the example's report lands under the output folder."""


EXECUTED: dict[str, Any] = {}
"""The stub document's notebook as executed by the first test of this process that needed it."""


@pytest.fixture
def stub(stub_document: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """The stub document, its notebook executed by papermill once for the process and reused
    (the runs of this module are about what happens to the files, not about execution)."""
    real = report_module.execute

    def execute(spec: Any, *args: Any) -> Any:
        if spec.key not in EXECUTED:
            EXECUTED[spec.key] = real(spec, *args)
        return copy.deepcopy(EXECUTED[spec.key])

    monkeypatch.setattr(report_module, "execute", execute)
    return stub_document


def leftovers(out: Path) -> list[Path]:
    """Everything under ``out`` (nothing may be left by a failed report)."""
    return sorted(out.rglob("*")) if out.exists() else []


def report_cli(out: Path, stub: str, *options: str) -> subprocess.CompletedProcess[str]:
    """``srmkit report`` of the example's stub document into ``out`` (HTML unless told)."""
    to = () if "--to" in options else ("--to", "html")
    return run_cli("report", str(EXAMPLE), "--out", str(out), "--only", stub, *to, *options)


def failed_line(result: subprocess.CompletedProcess[str]) -> str:
    """The one line of standard error that says why the file failed."""
    assert result.returncode == 1, result.stderr
    [line] = [line for line in result.stderr.splitlines() if line.startswith("failed: ")]
    return line.removeprefix(f"failed: {EXAMPLE}: ")


@pytest.fixture
def tmpfs(tmp_path: Path) -> Iterator[Any]:
    """Mount tmpfs file systems under ``tmp_path`` (``tmpfs("name", "size=2m")``), unmounted
    after the test; skip where mounting is not allowed (not root, no CAP_SYS_ADMIN)."""
    mounted: list[Path] = []

    def mount(name: str, options: str) -> Path:
        folder = tmp_path / name
        folder.mkdir()
        if os.geteuid() != 0 or shutil.which("mount") is None:
            pytest.skip("mounting a tmpfs needs root")
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
        mounted.append(folder)
        return folder

    yield mount
    for folder in reversed(mounted):
        subprocess.run(["umount", str(folder)], check=True)


# --- a report is complete or it is not published ------------------------------------------


@renders
def test_an_output_folder_removed_mid_run_fails_and_is_not_made_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stub: str
) -> None:
    """The output folder removed once the document's notebook is staged: exit 1 with one line
    naming the folder, nothing published, the folder not made again."""
    out = tmp_path / "reports"
    real = report_module.finish

    def finish(*args: Any) -> str:  # runs after the notebook is written into the staging folder
        assert list((out / FOLDER[0]).glob(f"{STAGING_PREFIX}*/stub.ipynb"))
        shutil.rmtree(out)
        return real(*args)

    monkeypatch.setattr(report_module, "finish", finish)
    result = report_cli(out, stub)
    assert failed_line(result) == (
        f"the output folder {out} was removed during the run: the report was not published and "
        "no folder was made again (nothing of it was kept)"
    )
    assert len(result.stderr.splitlines()) == 1
    assert "nothing rendered" in result.stdout
    assert "rendered in" not in result.stdout
    assert not out.exists()


@renders
def test_a_writer_that_makes_the_removed_folders_again_publishes_nothing(
    tmp_path: Path, stub: str
) -> None:
    """As Chromium writing a PDF makes its folder: the output folder removed and the staging
    folder's path made again with part of a report. Nothing is published, and the folders made
    again are removed."""
    out = tmp_path / "reports"

    def listener(event: Event) -> None:
        if event.kind == "document":
            [staging] = (out / FOLDER[0]).glob(f"{STAGING_PREFIX}*")
            shutil.rmtree(out)
            staging.mkdir(parents=True)
            (staging / "stub.pdf").write_bytes(b"%PDF-1.7 part of a report")

    result = render([EXAMPLE], out, ("html",), only=[stub], listener=listener)
    assert result.reports == []
    [failure] = result.failures
    assert failure.reason == (
        f"the output folder {out} was removed during the run: the report was not published and "
        "no folder was made again"
    )
    assert not out.exists()


@renders
def test_a_removed_reservation_publishes_nothing(tmp_path: Path, stub: str) -> None:
    """The reserved folder removed during the run (its name is no longer ours): nothing lands
    there, and nothing is left."""
    out = tmp_path / "reports"
    folder = out.joinpath(*FOLDER)

    def listener(event: Event) -> None:
        if event.kind == "document":
            assert list(folder.glob(f"{RESERVED_MARK}-*"))
            shutil.rmtree(folder)

    result = render([EXAMPLE], out, ("html",), only=[stub], listener=listener)
    [failure] = result.failures
    assert failure.reason.startswith(f"the reserved folder {folder} was removed during the run")
    assert leftovers(out) == []


@renders
def test_an_incomplete_report_is_not_published(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stub: str
) -> None:
    """An expected file missing and another empty: exit 1 naming both, nothing published."""
    monkeypatch.setitem(exports.EXPORTS, "findings.json", lambda design, path: path.touch())
    monkeypatch.setattr(report_module, "write_ipynb", lambda nb, path: None)
    out = tmp_path / "reports"
    assert failed_line(report_cli(out, stub)) == (
        "the report was incomplete, so it was not published: stub.ipynb was not written; "
        "findings.json is empty (nothing of it was kept)"
    )
    assert leftovers(out) == []


# --- a full disk ----------------------------------------------------------------------------


@renders
def test_a_full_tmpfs_says_which_file_and_leaves_nothing(tmpfs: Any, stub: str) -> None:
    """A 2 MB tmpfs as the output folder's file system (the example's 5 MB measurement cannot
    be copied): one plain line naming the file system and the file, and no staging folder."""
    disk = tmpfs("disk", "size=2m")
    out = disk / "reports"
    line = failed_line(report_cli(out, stub))
    shown = out.joinpath(*FOLDER, "measured", "EXMBX01.csv")
    assert line == f"no space left on {disk} while writing {shown}; nothing of it was kept"
    assert leftovers(disk) == []


@renders
def test_a_full_disk_as_chromium_writes_the_pdf(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stub: str
) -> None:
    """ENOSPC as the browser's thread writes the PDF (injected where Playwright writes it): the
    plain line names the PDF where it was to land, and nothing is left."""

    class FullDiskPrinter:
        def __init__(self, folder: Path) -> None:
            self.folder = folder

        def render(self, html: str, pdf: Path | None, *args: Any) -> Future[None]:
            assert pdf is not None
            assert pdf.parent.name.startswith(STAGING_PREFIX)
            future: Future[None] = Future()
            future.set_exception(OSError(errno.ENOSPC, os.strerror(errno.ENOSPC)))
            return future

        def close(self) -> None:
            pass

    monkeypatch.setattr(report_module, "Printer", FullDiskPrinter)
    monkeypatch.setattr(report_module, "find_browser", lambda: Path("chromium"))
    out = tmp_path / "reports"
    result = report_cli(out, stub, "--to", "html,pdf")
    assert len(result.stderr.splitlines()) == 1  # the error's traceback only with --verbose
    line = failed_line(result)
    shown = out.joinpath(*FOLDER, "stub.pdf")
    assert (
        line
        == f"no space left on {mount_point(tmp_path)} while writing {shown}; nothing of it was kept"
    )
    assert leftovers(out) == []


@renders
def test_a_full_disk_under_pandoc_hides_its_backtrace_but_for_verbose(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stub: str
) -> None:
    """pandoc's Haskell backtrace of a full disk (what a run once printed as its reason): the
    failure is one plain line naming the Word document; ``--verbose`` adds pandoc's whole output
    below it."""
    import pypandoc

    def convert_text(*args: Any, outputfile: str, **kwargs: Any) -> str:
        raise RuntimeError(PANDOC_FULL_DISK.format(path=outputfile))

    class PandocPrinter:
        def __init__(self, folder: Path) -> None:
            self.folder = folder

        def render(self, html: str, pdf: Path | None, docx: Path | None, *args: Any) -> Any:
            future: Future[None] = Future()
            try:
                assert docx is not None
                write_docx("<p>The stub</p>", docx)
            except Exception as exc:
                future.set_exception(exc)
            return future

        def close(self) -> None:
            pass

    monkeypatch.setattr(pypandoc, "convert_text", convert_text)
    monkeypatch.setattr(report_module, "Printer", PandocPrinter)
    monkeypatch.setattr(report_module, "find_browser", lambda: Path("chromium"))
    out = tmp_path / "reports"
    shown = out.joinpath(*FOLDER, "stub.docx")
    plain = (
        f"no space left on {mount_point(tmp_path)} while writing {shown}; nothing of it was kept"
    )
    result = report_cli(out, stub, "--to", "html,docx")
    assert result.stderr.splitlines() == [f"failed: {EXAMPLE}: {plain}"]
    result = report_cli(out, stub, "--to", "html,docx", "--verbose")
    assert failed_line(result) == plain
    lines = result.stderr.splitlines()
    assert lines[0] == f"failed: {EXAMPLE}: {plain}"
    assert lines[2] == "  HasCallStack backtrace:"  # pandoc's own words, under --verbose only
    assert all(line.startswith("  ") or not line for line in lines[1:])
    assert leftovers(out) == []


def test_pandoc_failures_are_one_line_with_the_whole_output_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """write_docx: pandoc's full disk is a NoSpaceError naming the document, any other failure
    one line of what pandoc said first; its whole output is the error's detail. A full disk as
    the document is finished (a plain OSError) is a NoSpaceError too."""
    import pypandoc

    from srmkit import word

    said = {"text": ""}

    def convert_text(*args: Any, outputfile: str, **kwargs: Any) -> str:
        raise RuntimeError(said["text"].format(path=outputfile))

    monkeypatch.setattr(pypandoc, "convert_text", convert_text)
    docx = tmp_path / "a.docx"
    said["text"] = PANDOC_FULL_DISK
    with pytest.raises(NoSpaceError) as full:
        write_docx("<p>x</p>", docx)
    assert str(full.value) == (
        f"no space left on {mount_point(tmp_path)} while writing {docx}; nothing of it was kept"
    )
    assert full.value.errno == errno.ENOSPC
    assert "ghc-internal" in full.value.detail
    said["text"] = (
        'Pandoc died with exitcode "64" during conversion: [WARNING] Could not fetch x.png\n'
        "pandoc: Unknown option --tocc.\nTry pandoc --help for more information.\n"
    )
    with pytest.raises(ReportError) as other:
        write_docx("<p>x</p>", docx)
    assert str(other.value) == "pandoc could not write the Word document: Unknown option --tocc."
    assert "Try pandoc --help" in other.value.detail

    monkeypatch.setattr(pypandoc, "convert_text", lambda *args, **kwargs: "")

    def no_room(path: Path, properties: Any = None) -> None:
        raise OSError(errno.EDQUOT, os.strerror(errno.EDQUOT))

    monkeypatch.setattr(word, "finish_docx", no_room)
    with pytest.raises(NoSpaceError) as quota:
        write_docx("<p>x</p>", docx)
    assert quota.value.errno == errno.EDQUOT
    assert f"while writing {docx};" in str(quota.value)


@renders
def test_a_full_disk_while_an_export_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stub: str
) -> None:
    """ENOSPC injected as a file beside the documents is written (in the exports' thread): the
    file is named where it was to land, and nothing is left."""

    def full(design: Any, path: Path) -> None:
        path.write_text("{", encoding="utf-8")
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setitem(exports.EXPORTS, "findings.json", full)
    out = tmp_path / "reports"
    shown = out.joinpath(*FOLDER, "findings.json")
    assert failed_line(report_cli(out, stub)) == (
        f"no space left on {mount_point(tmp_path)} while writing {shown}; nothing of it was kept"
    )
    assert leftovers(out) == []


def test_the_mount_point_of_a_file(tmpfs: Any) -> None:
    """The file system of a file, or of its nearest existing folder, is named by its mount
    point."""
    disk = tmpfs("disk", "size=64k")
    assert mount_point(disk / "no" / "such" / "file") == disk
    (disk / "sub").mkdir()
    assert mount_point(disk / "sub" / "file.html") == disk
    assert mount_point(disk.parent) == mount_point(disk.parent.parent)


# --- output folders that cannot be used -------------------------------------------------------


def test_output_folders_that_cannot_be_written_are_named(tmp_path: Path) -> None:
    """A file where the output folder should be, a read-only output folder and a folder that
    cannot be made in one: exit 2, the folder named, nothing rendered and nothing changed."""
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    result = run_cli("report", str(EXAMPLE), "--out", str(blocker), "--to", "html")
    assert result.returncode == 2
    assert f"error: the output folder {blocker} is a file, not a folder" in result.stderr
    assert "nothing was rendered" in result.stderr

    locked = tmp_path / "locked"
    locked.mkdir()
    if os.geteuid() == 0:  # root writes in any folder: a read-only file system instead
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", str(locked)],
            capture_output=True,
            check=False,
        )
        if done.returncode != 0:
            pytest.skip("root here cannot mount a read-only tmpfs")
        why = "is on a read-only file system"
    else:
        locked.chmod(0o555)
        why = "is read-only: no permission to write in it"
    try:
        result = run_cli("report", str(EXAMPLE), "--out", str(locked), "--to", "html")
        assert result.returncode == 2
        assert f"error: the output folder {locked} {why}" in result.stderr
        inside = locked / "reports"
        result = run_cli("report", str(EXAMPLE), "--out", str(inside), "--to", "html")
        assert result.returncode == 2
        [line] = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
        assert line.startswith(f"error: cannot create the output folder {inside}: ")
        assert line.endswith((f"{locked} is on a read-only file system", f"write in {locked}"))
        assert not inside.exists()
    finally:
        if os.geteuid() == 0:
            subprocess.run(["umount", str(locked)], check=True)
        else:
            locked.chmod(0o755)
