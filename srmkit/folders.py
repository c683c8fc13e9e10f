"""Report folders: readable names, atomic reservation, staging, and clean-up of killed runs.

A report is built in a hidden staging folder beside its destination and moved into place only when
complete, so ``reports/`` never holds a half-written report. Its final name is reserved at the
start with an exclusive create, so runs on the same scenario at the same time each land in their
own folder and never replace each other's. Staging and reserved folders carry the host and process
id of their run: a later run removes those whose process is gone (a run killed with SIGKILL), and
leaves those of live runs alone.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import re
import shutil
import socket
import stat
import tempfile
import unicodedata
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from srmkit.errors import EXIT_INVALID, NO_SPACE, NoSpaceError, SrmkitError

RESERVED_MARK = ".srmkit-reserved"
STAGING_PREFIX = ".tmp-"
WORK_PREFIX = "srmkit-"
WINDOWS_RESERVED = {
    "CON",
    "PRN",
    "AUX",
    "NUL",
    *(f"COM{i}" for i in range(1, 10)),
    *(f"LPT{i}" for i in range(1, 10)),
}
MAX_NAME = 80


def slug(text: str) -> str:
    """A folder name that keeps a customer readable on every file system.

    Letters of any script and digits are kept (lower-cased, accents kept), and dots between
    them (``1.0``); everything else becomes ``-``;
    the name never starts or ends with a dot or hyphen and is never a name Windows reserves; a
    name with no letters or digits becomes ``customer-<hash>``, different for different text.

    >>> slug("Northwind Traders, Inc.")
    'northwind-traders-inc'
    >>> slug("Ñørðwïñd"), slug("株式会社"), slug("CON"), slug("v1.0 draft"), slug("con.txt")
    ('ñørðwïñd', '株式会社', 'con-', 'v1.0-draft', 'con-.txt')
    >>> slug("..") == slug("..") != slug("...")
    True
    """
    normal = unicodedata.normalize("NFC", text)
    cleaned = "".join(ch if ch.isalnum() or ch == "." else "-" for ch in normal.lower())
    cleaned = re.sub(r"[-.]*-[-.]*", "-", cleaned)  # a run with a hyphen is one hyphen
    cleaned = re.sub(r"\.{2,}", ".", cleaned).strip("-.")[:MAX_NAME].strip("-.")
    if not cleaned:
        return "customer-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:10]
    head, dot, tail = cleaned.partition(".")
    if head.upper() in WINDOWS_RESERVED:  # CON and CON.txt alike
        cleaned = f"{head}-{dot}{tail}"
    return cleaned


def _owner() -> str:
    host = re.sub(r"[^A-Za-z0-9]", "", socket.gethostname())[:20] or "host"
    return f"{host}-{os.getpid()}"


def _alive(owner: str) -> bool:
    """Whether the run that owns a folder (``<host>-<pid>``) may still be running."""
    host, _, pid = owner.rpartition("-")
    if host != _owner().rpartition("-")[0] or not pid.isdigit():
        return True  # another machine's run: not ours to judge
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def timestamp() -> str:
    """The current UTC time as a folder suffix: ``20261124T101500Z``."""
    return dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def reserve(customer_dir: Path, name: str, overwrite: bool) -> tuple[Path, bool]:
    """Reserve ``customer_dir/name`` (or, when it exists and ``overwrite`` is off, the first free
    ``name-<timestamp>[-n]``) with an exclusive create; return it and whether it replaces an
    existing report (``overwrite`` and the name was taken). The folder that holds
    ``customer_dir`` must be there: an output folder removed during a run is never made again
    (:class:`FileNotFoundError`)."""
    customer_dir.mkdir(exist_ok=True)
    candidates = [name, f"{name}-{timestamp()}"]
    n = 2
    while True:
        for candidate in candidates:
            folder = customer_dir / candidate
            try:
                folder.mkdir()
            except FileExistsError:
                if overwrite and candidate == name:
                    return folder, True
                continue
            (folder / f"{RESERVED_MARK}-{_owner()}").touch()
            return folder, False
        candidates = [f"{name}-{timestamp()}-{n}"]
        n += 1


def staging_dir(customer_dir: Path) -> Path:
    """A new hidden folder beside the destination, owned by this run."""
    path = customer_dir / f"{STAGING_PREFIX}{_owner()}-{uuid.uuid4().hex[:8]}"
    path.mkdir()
    return path


def publish(staging: Path, folder: Path, replaces: bool) -> None:
    """Move a finished report into its reserved folder (or over the old report, in one step)."""
    if replaces:
        trash = folder.parent / f"{STAGING_PREFIX}{_owner()}-old-{uuid.uuid4().hex[:8]}"
        folder.rename(trash)
        staging.rename(folder)
        shutil.rmtree(trash, ignore_errors=True)
        return
    for mark in folder.glob(f"{RESERVED_MARK}-*"):
        mark.unlink()
    staging.rename(folder)  # onto the reserved, now empty, folder: atomic


def abandon(staging: Path | None, folder: Path | None, replaces: bool) -> None:
    """Remove what a failed or interrupted render made: its staging and its reservation."""
    if staging is not None:
        shutil.rmtree(staging, ignore_errors=True)
    if folder is not None and not replaces and folder.is_dir():
        marks = list(folder.glob(f"{RESERVED_MARK}-*"))
        if marks and len(list(folder.iterdir())) == len(marks):
            shutil.rmtree(folder, ignore_errors=True)
    if folder is not None and folder.parent.is_dir() and not any(folder.parent.iterdir()):
        folder.parent.rmdir()


Identity = tuple[int, int]
"""A folder's device and inode: the same path made again is another folder."""


def identity(path: Path) -> Identity | None:
    """``path``'s :data:`Identity` when it is a folder, else None."""
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_dev, st.st_ino) if stat.S_ISDIR(st.st_mode) else None


@dataclass
class Reservation:
    """A report's reserved folder and the folders it lands in, as they were when it was reserved:
    the report is published only into them, and a folder removed meanwhile is never made again
    (a run once made the removed output folder again, put part of a report there and said it had
    rendered).

    Each folder is held open until the report is published or abandoned (where the system
    allows it), so that a folder removed and made again, even under the same name, never passes
    for the one reserved: its inode cannot be reused meanwhile. :meth:`publish` and
    :meth:`abandon` let them go.
    """

    out_root: Path
    folder: Path
    replaces: bool
    staging: Path | None = None
    seen: dict[Path, Identity | None] = field(default_factory=dict)
    held: list[int] = field(default_factory=list, repr=False)

    @classmethod
    def take(cls, out_root: Path, customer_dir: Path, name: str, overwrite: bool) -> Reservation:
        """Reserve ``customer_dir/name`` (:func:`reserve`) and remember the folders."""
        folder, replaces = reserve(customer_dir, name, overwrite)
        reservation = cls(out_root, folder, replaces)
        for path in (out_root, customer_dir, folder):
            reservation._remember(path)
        return reservation

    def _remember(self, path: Path) -> None:
        self.seen[path] = identity(path)
        with contextlib.suppress(OSError):  # Windows opens no folder: the identity alone
            self.held.append(os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0)))

    def stage(self) -> Path:
        """The hidden folder the report is assembled in (:func:`staging_dir`)."""
        self.staging = staging_dir(self.folder.parent)
        self._remember(self.staging)
        return self.staging

    def shown(self, path: Path) -> Path:
        """Where a file of the staging folder is to land (the path a user is told)."""
        if self.staging is not None and path.is_relative_to(self.staging):
            return self.folder / path.relative_to(self.staging)
        return path

    def lost(self) -> str | None:
        """Why the report may no longer land where it was reserved (one line), or None: a
        folder removed since (made again or not), or the reservation's mark gone."""
        what = {
            self.out_root: "the output folder",
            self.folder.parent: "the customer's folder",
            self.folder: "the report it replaces" if self.replaces else "the reserved folder",
        }
        for path, was in self.seen.items():
            if identity(path) != was:
                name = what.get(path, "the folder the report was assembled in")
                return (
                    f"{name} {path} was removed during the run: the report was not published "
                    "and no folder was made again"
                )
        mark = self.folder / f"{RESERVED_MARK}-{_owner()}"
        if not self.replaces and not mark.is_file():
            return (
                f"the reservation of {self.folder} was taken away during the run ({mark.name} "
                "is gone): the report was not published"
            )
        return None

    def publish(self) -> None:
        """Move the finished report into place (:func:`publish`)."""
        if self.staging is None:
            raise FileNotFoundError("no staging folder to publish")
        publish(self.staging, self.folder, self.replaces)
        self._let_go()

    def abandon(self) -> None:
        """Remove the staging folder and the reservation (:func:`abandon`), and the customer's
        and output folders when something made them again during the run (Chromium makes the
        folder of the PDF it writes) and they are empty."""
        try:
            abandon(self.staging, self.folder, self.replaces)
            for path in (self.folder.parent, self.out_root):
                with contextlib.suppress(OSError):
                    if identity(path) not in (None, self.seen[path]) and not any(path.iterdir()):
                        path.rmdir()
        finally:
            self._let_go()

    def _let_go(self) -> None:
        while self.held:
            os.close(self.held.pop())


def _mount_points() -> list[Path]:
    """The mount points listed in /proc/mounts (none where there is no such file)."""
    try:
        text = Path("/proc/mounts").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    octal = re.compile(r"\\([0-7]{3})")  # a space is \040
    return [
        Path(octal.sub(lambda m: chr(int(m.group(1), 8)), fields[1]))
        for fields in (line.split() for line in text.splitlines())
        if len(fields) > 1
    ]


def mount_point(path: Path) -> Path:
    """The mount point of the file system that holds ``path`` (or its nearest existing folder):
    the longest mount point of /proc/mounts above it on the same device (bind mounts too), else
    the nearest folder above it that is a mount point."""
    here = Path(os.path.abspath(path))
    while not here.exists() and here != here.parent:
        here = here.parent
    here = here.resolve()
    try:
        device = here.stat().st_dev
    except OSError:
        return here
    best: Path | None = None
    for point in _mount_points():
        if point == here or point in here.parents:
            with contextlib.suppress(OSError):
                if point.stat().st_dev == device and (
                    best is None or len(point.parts) > len(best.parts)
                ):
                    best = point
    if best is not None:
        return best
    while not os.path.ismount(here) and here != here.parent:
        here = here.parent
    return here


@contextlib.contextmanager
def no_space(file: Path, where: Path | None = None) -> Iterator[None]:
    """Turn a full file system's error while ``file`` is written into :class:`NoSpaceError`,
    naming ``file`` and the mount point of the file the error names (the second, written, file
    of a copy), else of ``where`` (a folder on the file system written to), else of ``file``."""
    try:
        yield
    except NoSpaceError:
        raise
    except OSError as exc:
        if exc.errno not in NO_SPACE:
            raise
        # A copy's error names its source first and the file it wrote second.
        named = next((n for n in (exc.filename2, exc.filename) if isinstance(n, str)), None)
        on = Path(named) if named is not None else (where or file)
        raise NoSpaceError(file, mount_point(on), exc.errno) from exc


def clean_debris(out_root: Path) -> list[Path]:
    """Remove what killed runs left: staging folders, empty reservations and run folders in the
    temporary folder (:func:`work_dir`) whose process is gone. Returns what was removed."""
    removed: list[Path] = []
    if out_root.is_dir():
        for customer in (p for p in out_root.iterdir() if p.is_dir()):
            for entry in customer.iterdir():
                owner = None
                if entry.name.startswith(STAGING_PREFIX):
                    owner = entry.name[len(STAGING_PREFIX) :].rsplit("-", 1)[0]
                    owner = owner.removesuffix("-old")
                else:
                    marks = list(entry.glob(f"{RESERVED_MARK}-*")) if entry.is_dir() else []
                    if marks and len(list(entry.iterdir())) == len(marks):
                        owner = marks[0].name[len(RESERVED_MARK) + 1 :]
                if owner and not _alive(owner):
                    shutil.rmtree(entry, ignore_errors=True)
                    removed.append(entry)
            if not any(customer.iterdir()):
                customer.rmdir()
    removed += _clean_work_dirs()
    return removed


TEMP_VARIABLES = ("TMPDIR", "TEMP", "TMP")
"""The environment variables that name the temporary folder, in the order Python reads them."""


class TempFolderError(SrmkitError, OSError):
    """The temporary folder the environment names (``$TMPDIR``) is missing or cannot be written:
    a run's kernels and browser work there."""

    exit_code = EXIT_INVALID

    def __init__(self, folder: Path, variable: str, problem: str) -> None:
        super().__init__(
            f"the temporary folder {folder} (set by {variable}) {problem}: srmkit's kernels and "
            f"browser work there. Create it, or set {variable} to a folder you can write to"
        )
        self.folder = folder
        self.variable = variable
        self.problem = problem

    def __reduce__(self) -> tuple[type[TempFolderError], tuple[Path, str, str]]:
        return type(self), (self.folder, self.variable, self.problem)


def _temp_setting() -> tuple[Path, str | None]:
    """The temporary folder and the variable that names it (None: Python's default)."""
    for variable in TEMP_VARIABLES:
        value = os.environ.get(variable)
        if value:
            return Path(value), variable
    return Path(tempfile.gettempdir()), None


def work_dir() -> Path:
    """The run folder: a private folder in the temporary folder (``$TMPDIR``) that holds
    everything temporary of this run (the kernels' connection files and sockets, the browser's
    profile and Playwright's artefacts, the pages it prints) and goes with the run. Named
    ``srmkit-<host>-<pid>-…``: :func:`clean_debris` removes it once its process is gone.

    A temporary folder the environment names but that is missing or cannot be written is
    :class:`TempFolderError` (Python would fall back to another folder silently, and the
    browser, which does not, would fail to start)."""
    root, variable = _temp_setting()
    if variable is not None and not root.is_dir():
        problem = "is not a folder" if root.exists() else "does not exist"
        raise TempFolderError(root, variable, problem)
    try:
        return Path(tempfile.mkdtemp(prefix=f"{WORK_PREFIX}{_owner()}-", dir=root))
    except OSError as exc:
        if variable is None:
            raise
        raise TempFolderError(root, variable, f"cannot be written ({exc.strerror})") from None


def _clean_work_dirs() -> list[Path]:
    """Remove the run folders of runs on this machine whose process is gone (killed), never a
    live run's: a folder's owner is alive while its PID runs a process that started before the
    folder was made (a PID used again since by another process does not keep it)."""
    removed: list[Path] = []
    root, _ = _temp_setting()
    try:
        works = [p for p in root.glob(f"{WORK_PREFIX}*") if p.is_dir()]
    except OSError:
        return removed
    for work in works:
        owner = work.name[len(WORK_PREFIX) :].rsplit("-", 1)[0]
        if owner.count("-") >= 1 and owner != _owner() and _gone(owner, work):
            shutil.rmtree(work, ignore_errors=True)
            removed.append(work)
    return removed


PID_AGAIN_S = 60
"""How much younger than a run folder's last change the process with its PID must be to be
another program (the PID used again): a margin for the clocks, never a live run's folder. [s]"""


def _gone(owner: str, work: Path) -> bool:
    """Whether the run ``owner`` (``<host>-<pid>``) that made ``work`` has ended."""
    if not _alive(owner):
        return True
    if owner.rpartition("-")[0] != _owner().rpartition("-")[0]:
        return False  # another machine's run: not ours to judge
    try:
        import psutil  # type: ignore[import-untyped]  # installed with ipykernel; no stubs

        started = float(psutil.Process(int(owner.rpartition("-")[2])).create_time())
        made = work.stat().st_mtime
    except Exception:  # no psutil, no such process, no access: keep the folder
        return False
    return started > made + PID_AGAIN_S  # the PID now runs a process younger than the folder


class FilesInTheWayError(SrmkitError, FileExistsError):
    """A folder already holds files a command would write, and overwriting was not asked for."""

    exit_code = EXIT_INVALID

    def __init__(self, folder: Path, names: list[str], elsewhere: str) -> None:
        self.names = names
        super().__init__(
            f"{folder} already holds {', '.join(names)}: give {elsewhere}, or --overwrite to "
            "replace them"
        )


def write_files(
    folder: Path,
    names: Sequence[str],
    write: Callable[[Path], None],
    overwrite: bool = False,
    elsewhere: str = "another folder",
) -> list[Path]:
    """Write the files (or folders) ``names`` (paths relative to it) into ``folder``, created
    when missing, with nothing half-written: ``write(staging)`` makes them in a hidden staging
    folder inside it, and they are moved into place only when all are made; on any failure the
    staging folder (and a folder or sub-folder created for them) is removed. Files already there
    are replaced only with ``overwrite``: otherwise :class:`FilesInTheWayError` names them
    (``elsewhere``: what to give instead) and nothing is written."""
    taken = [name for name in names if (folder / name).exists()]
    if taken and not overwrite:
        raise FilesInTheWayError(folder, taken, elsewhere)
    created = not folder.exists()
    folder.mkdir(parents=True, exist_ok=True)
    staging = folder / f"{STAGING_PREFIX}{_owner()}-{uuid.uuid4().hex[:8]}"
    made: list[Path] = []  # sub-folders made for names such as ``measured/EXMBX01.csv``
    try:
        staging.mkdir()
        write(staging)
        for name in names:
            target = folder / name
            for parent in reversed(target.relative_to(folder).parents[:-1]):
                if not (folder / parent).exists():
                    (folder / parent).mkdir()
                    made.append(folder / parent)
            if target.is_dir() and not target.is_symlink():
                shutil.rmtree(target)
            (staging / name).replace(target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        if created:
            shutil.rmtree(folder, ignore_errors=True)
        for sub in reversed(made):
            shutil.rmtree(sub, ignore_errors=True)
        raise
    shutil.rmtree(staging)  # emptied: its sub-folders only are left
    return [folder / name for name in names]
