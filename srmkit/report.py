"""Render the registered documents of many scenarios: papermill executes each notebook, nbconvert
writes HTML without code, an installed Chromium prints the PDF; the machine-readable results and
an index of every report land beside them.

Nothing is ever half-written or lost (:mod:`srmkit.folders`): each report is built in a hidden
staging folder and moved into a folder reserved for it at the start, so a failure, an interrupt
(SIGINT or SIGTERM) or a concurrent run on the same scenario leaves every other report intact;
what a killed run left is cleaned up by the next one. A report is published only when every file
it should hold is there and not empty, and its folders are still the ones reserved (an output
folder removed during the run is never made again). A failure in one scenario does not stop the
others: the run says which failed and why, in one line (a full disk as "no space left on DEVICE
while writing FILE"; a tool's own output only with ``srmkit report --verbose``).

Speed, measured on the example (see ``bench/``): the notebook is executed in memory and written
once; plotly.js is inlined once by the template (the notebook's own compressed copy, for
JupyterLab and stock nbconvert, is left out); one browser serves the whole run and kernels start
one document ahead.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import html
import json
import multiprocessing
import os
import queue
import shutil
import signal
import tempfile
import traceback
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import (
    CancelledError,
    Future,
    ProcessPoolExecutor,
    ThreadPoolExecutor,
)
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from srmkit.browser import BrowserNotFoundError, BrowserStartError, find_browser
from srmkit.design import Design
from srmkit.documents.finish import finish
from srmkit.documents.registry import DOCUMENTS, FORMATS, DocumentSpec, Format
from srmkit.errors import EXIT_INVALID, NO_SPACE, NoSpaceError, SrmkitError
from srmkit.execution import (
    Kernels,
    ReportError,
    execute,
    prepare_html,
    to_html,
    write_ipynb,
)
from srmkit.exports import EXPORTS
from srmkit.folders import (
    Reservation,
    clean_debris,
    identity,
    mount_point,
    no_space,
    slug,
    timestamp,
    work_dir,
)
from srmkit.interrupts import INTERRUPTED, interrupt
from srmkit.params import read_params
from srmkit.printing import Printer
from srmkit.schema import Scenario
from srmkit.word import DocxProperties

BROWSER_FORMATS = ("pdf", "docx")  # printed, or drawn as images, by Chromium
INDEX = "index.html"
EventKind = Literal["scenario", "document", "landed", "failed"]

__all__ = [
    "FORMATS",
    "BrowserNotFoundError",
    "Event",
    "OutputError",
    "ReportError",
    "RunResult",
    "render",
    "report_dict",
]


class OutputError(SrmkitError, OSError):
    """The output folder cannot be created or written."""

    exit_code = EXIT_INVALID


@dataclass
class Report:
    """Where one scenario's documents landed and what the folder holds."""

    params: Path
    folder: Path
    verdict: str
    files: dict[str, Path] = field(default_factory=dict)


@dataclass(frozen=True)
class Failure:
    """A scenario whose documents could not be rendered: nothing of it was left behind."""

    params: Path
    reason: str
    """Why, in one line."""
    detail: str = ""
    """What the failing tool said in full (a traceback, pandoc's output), for ``--verbose``."""


@dataclass(frozen=True)
class Event:
    """Progress of a run, for a progress bar or a log."""

    kind: EventKind
    params: Path
    detail: str = ""
    """scenario: the verdict; document (one is written): its title; landed: the folder;
    failed: the reason."""
    errors: tuple[str, ...] = ()
    """scenario: the error findings, one line each."""


Listener = Callable[[Event], None]


@dataclass
class RunResult:
    """What a run produced."""

    reports: list[Report]
    failures: list[Failure]
    index: Path | None


def _quiet(event: Event) -> None:
    """The default listener: says nothing."""


ERRORS_SHOWN_PER_RULE = 3
"""Errors of one rule the run prints (a 10,000-server design can break a rule on each server);
findings.json has every one."""


def _scenario_event(params: Path, design: Design) -> Event:
    """The verdict and the errors, at most :data:`ERRORS_SHOWN_PER_RULE` of each rule."""
    per_rule = Counter(f.id for f in design.errors)
    errors: list[str] = []
    shown: Counter[str] = Counter()
    for f in design.errors:
        shown[f.id] += 1
        if shown[f.id] <= ERRORS_SHOWN_PER_RULE:
            errors.append(f"{f.id}{f' (year {f.year})' if f.year else ''}: {f.message}")
        if shown[f.id] == ERRORS_SHOWN_PER_RULE < per_rule[f.id]:
            more = per_rule[f.id] - ERRORS_SHOWN_PER_RULE
            errors.append(f"{f.id}: and {more:,} more (every finding is in findings.json)")
    return Event("scenario", params, design.verdict_text, tuple(errors))


def _documents(only: Sequence[str] | None) -> list[DocumentSpec]:
    return [DOCUMENTS[key] for key in (only or DOCUMENTS)]


def _docx_properties(spec: DocumentSpec, scenario: Scenario) -> DocxProperties:
    """File > Info and the running header and footer of a document's DOCX (as the PDF's)."""
    doc = scenario.document
    date = doc.date.isoformat()
    return DocxProperties(
        f"{spec.title} — {doc.customer}",
        doc.project,
        doc.author,
        document=spec.title,
        version=f"version {doc.version}, {date}" if doc.version else date,
        customer=doc.customer,
        classification=doc.confidentiality.capitalize(),
    )


def render_scenario(
    params: Path,
    out_root: Path,
    formats: Sequence[Format],
    overwrite: bool,
    documents: Sequence[DocumentSpec],
    kernels: Kernels,
    printer: Printer | None,
    listener: Listener,
    last: bool = True,
    word_template: Path | None = None,
) -> Report:
    """Render one params file's documents into its own reserved folder under ``out_root``;
    the Word documents with the styles of ``word_template``, else of the scenario's
    ``document.word_template``, else srmkit's own.

    Raises
    ------
    srmkit.ScenarioError
        When the params file is invalid (nothing is written).
    ReportError
        When execution or rendering fails (nothing is left under ``out_root``).
    """
    scenario, sections = read_params(params)
    design = Design(scenario)
    listener(_scenario_event(params, design))
    doc = scenario.document
    customer_dir = out_root / slug(doc.customer)
    try:
        held = Reservation.take(
            out_root, customer_dir, slug(doc.version) if doc.version else timestamp(), overwrite
        )
    except OSError as exc:
        plain = _plain_reservation_error(exc, out_root, customer_dir)
        if plain is exc:
            raise
        raise plain from exc
    pending: list[Future[None]] = []
    printed: dict[Future[None], Path] = {}  # a print job and the first file it writes
    try:
        staging = held.stage()
        # While the first kernel starts: the scenario copy, the exports and nbconvert's set-up.
        with no_space(staging / "scenario.yaml"):
            shutil.copyfile(params, staging / "scenario.yaml")
        copied = _copy_measurements(scenario, params.parent, staging)
        # The exports are written in a thread while the notebooks execute (their kernels wait
        # on messages, not on this process), and each document is printed by the browser's
        # thread while the next notebook executes.
        with ThreadPoolExecutor(1, thread_name_prefix="srmkit-exports") as writer:
            for name in dict.fromkeys(n for spec in documents for n in spec.exports):
                pending.append(writer.submit(_write_export, name, design, staging / name))
            prepare_html()
            cells = 60 + len(design.plan.mirrors) // 100  # seconds a cell may run
            for n, spec in enumerate(documents, 1):
                km = kernels.take(more=not last or n < len(documents))
                try:
                    nb = execute(spec, params, sections, km, cells)
                finally:
                    kernels.stop(km)
                with no_space(staging / f"{spec.basename}.ipynb"):
                    write_ipynb(nb, staging / f"{spec.basename}.ipynb")
                document_html = finish(
                    to_html(nb, f"{spec.title} — {doc.customer}"), spec.title, scenario
                )
                if "html" in formats:
                    with no_space(staging / f"{spec.basename}.html"):
                        (staging / f"{spec.basename}.html").write_text(document_html, "utf-8")
                if printer is not None:
                    pdf = staging / f"{spec.basename}.pdf" if "pdf" in formats else None
                    docx = staging / f"{spec.basename}.docx" if "docx" in formats else None
                    # The page the browser loads is written in the temporary folder first.
                    with no_space(pdf or docx or staging, Path(tempfile.gettempdir())):
                        job = printer.render(
                            document_html,
                            pdf,
                            docx,
                            _docx_properties(spec, scenario),
                            word_template
                            or (params.parent / doc.word_template if doc.word_template else None),
                        )
                    pending.append(job)
                    printed[job] = pdf or docx or staging
                listener(Event("document", params, spec.title))
            for future in pending:
                with no_space(printed.get(future, staging)):
                    future.result()
        _check_complete(held, _expected(documents, formats, printer is not None, copied))
        held.publish()
    except BaseException as exc:
        settle(pending)
        failed = _plain_failure(exc, held)
        held.abandon()
        if failed is not exc:
            raise failed from exc
        raise
    folder = held.folder
    listener(Event("landed", params, str(folder)))
    return Report(
        params=params,
        folder=folder,
        verdict=design.verdict,
        files={p.name: p for p in sorted(folder.iterdir())},
    )


def _write_export(name: str, design: Design, path: Path) -> None:
    """Write one of the files beside the documents (:data:`srmkit.exports.EXPORTS`)."""
    with no_space(path):
        EXPORTS[name](design, path)


def _copy_measurements(scenario: Scenario, source: Path, staging: Path) -> list[str]:
    """The measurement files the scenario names, beside its copy under the same relative paths,
    so that the report's ``scenario.yaml`` checks and renders again from its folder (a file
    named outside the scenario's folder is not copied). Returns their paths (POSIX, relative).
    Their sub-folders are made inside ``staging`` only: a staging folder removed meanwhile is
    not made again."""
    copied = []
    for server in scenario.servers:
        if server.measured is None:
            continue
        relative = Path(server.measured.file)
        if relative.is_absolute() or ".." in relative.parts:
            continue
        for parent in reversed(relative.parents[:-1]):
            (staging / parent).mkdir(exist_ok=True)
        with no_space(staging / relative):
            shutil.copyfile(source / relative, staging / relative)
        copied.append(relative.as_posix())
    return copied


def _expected(
    documents: Sequence[DocumentSpec], formats: Sequence[Format], printed: bool, copied: list[str]
) -> list[str]:
    """The files (and folders) a complete report holds: the scenario and its measurements, the
    exports, and each document's notebook and formats (PDF and Word when ``printed``)."""
    names = ["scenario.yaml", *copied]
    names += dict.fromkeys(n for spec in documents for n in spec.exports)
    for spec in documents:
        names.append(f"{spec.basename}.ipynb")
        names += [
            f"{spec.basename}.{ext}"
            for ext in FORMATS
            if ext in formats and (ext == "html" or printed)
        ]
    return names


def _empty(path: Path) -> bool:
    """A file of no bytes, or a folder with no file or with an empty one."""
    if path.is_dir():
        files = [p for p in path.rglob("*") if p.is_file()]
        return not files or any(p.stat().st_size == 0 for p in files)
    return path.stat().st_size == 0


def _check_complete(held: Reservation, expected: Sequence[str]) -> None:
    """Before a report is published: its staging folder is still the one reserved (nothing was
    removed or made again under the output folder) and every expected file is there, not empty.

    Raises
    ------
    ReportError
        Saying, in one line, which folder went or which files are missing or empty.
    """
    lost = held.lost()
    if lost is not None:
        raise ReportError(lost)
    assert held.staging is not None
    missing = [name for name in expected if not (held.staging / name).exists()]
    empty = [name for name in expected if name not in missing and _empty(held.staging / name)]
    parts = []
    if missing:
        parts.append(f"{', '.join(missing)} {'was' if len(missing) == 1 else 'were'} not written")
    if empty:
        parts.append(f"{', '.join(empty)} {'is' if len(empty) == 1 else 'are'} empty")
    if parts:
        raise ReportError(f"the report was incomplete, so it was not published: {'; '.join(parts)}")


CANNOT_WRITE = frozenset({errno.EACCES, errno.EPERM, errno.EROFS})


def _plain_failure(exc: BaseException, held: Reservation) -> BaseException:
    """A failed report's error in one plain line, said before its staging folder is removed: the
    folder that went when the reservation was lost, the file being written and its file system
    when the disk filled (the path where the file was to land), the folder that cannot be
    written. Any other error (an interrupt too) is returned as it is."""
    if not isinstance(exc, Exception):
        return exc
    plain: SrmkitError | None = None
    lost = held.lost()
    if lost is not None:
        plain = ReportError(lost)
    elif isinstance(exc, NoSpaceError):
        plain = NoSpaceError(held.shown(exc.file), exc.device, exc.errno)
    elif isinstance(exc, OSError) and exc.errno in NO_SPACE:
        named = next((n for n in (exc.filename2, exc.filename) if isinstance(n, str)), None)
        file = Path(named) if named is not None else held.folder
        plain = NoSpaceError(held.shown(file), mount_point(file), exc.errno)
    elif (
        isinstance(exc, OSError)
        and exc.errno in CANNOT_WRITE
        and isinstance(exc.filename, str)
        and Path(os.path.abspath(exc.filename)).is_relative_to(os.path.abspath(held.out_root))
    ):  # a file of the report (not one it reads) that cannot be written
        where = held.shown(Path(exc.filename).parent)
        plain = ReportError(f"cannot write in {where}: {_lower(exc.strerror)}")
    if plain is None:
        return exc
    plain.detail = getattr(exc, "detail", "") or "".join(traceback.format_exception(exc))
    return plain


def _plain_reservation_error(exc: OSError, out_root: Path, customer_dir: Path) -> Exception:
    """A report's folder that could not be reserved, in one line naming the folder."""
    if identity(out_root) is None:
        plain: SrmkitError = ReportError(
            f"the output folder {out_root} was removed during the run: the report was not "
            "published and no folder was made again"
        )
    elif exc.errno in NO_SPACE:
        plain = NoSpaceError(customer_dir, mount_point(customer_dir), exc.errno)
    elif exc.errno in CANNOT_WRITE:
        where = Path(exc.filename).parent if isinstance(exc.filename, str) else customer_dir
        plain = ReportError(f"cannot write in {where}: {_lower(exc.strerror)}")
    elif exc.errno in (errno.EEXIST, errno.ENOTDIR):
        plain = ReportError(f"{customer_dir} cannot be made: a file is in the way")
    else:
        return exc
    plain.detail = "".join(traceback.format_exception(exc))
    return plain


def _lower(text: str | None) -> str:
    """An error's text as part of a sentence: ``Permission denied`` → ``permission denied``."""
    return (text or "error")[:1].lower() + (text or "error")[1:]


def _render_group(
    params: Sequence[Path],
    out_root: Path,
    formats: Sequence[Format],
    overwrite: bool,
    only: Sequence[str] | None,
    listener: Listener,
    word_template: Path | None = None,
) -> tuple[list[Report], list[Failure]]:
    """Render files one after another with one browser and kernels started ahead."""
    documents = _documents(only)
    reports: list[Report] = []
    failures: list[Failure] = []
    work = work_dir()
    try:
        kernels = Kernels(work, [spec.module for spec in documents])
        kernels.start_ahead()
        printer = Printer(work / "browser") if set(formats) & set(BROWSER_FORMATS) else None
        try:
            for i, path in enumerate(params, 1):
                try:
                    reports.append(
                        render_scenario(
                            path,
                            out_root,
                            formats,
                            overwrite,
                            documents,
                            kernels,
                            printer,
                            listener,
                            i == len(params),
                            word_template,
                        )
                    )
                except BrowserStartError as exc:
                    if INTERRUPTED.is_set():
                        raise KeyboardInterrupt from None
                    # No PDF can be printed in this run: every file left fails for this reason.
                    for rest in params[i - 1 :]:
                        failures.append(Failure(rest, str(exc)))
                        listener(Event("failed", rest, str(exc)))
                    break
                except Exception as exc:  # one file's failure never stops the others
                    if INTERRUPTED.is_set():
                        raise KeyboardInterrupt from None
                    failure = _failure(path, exc)
                    failures.append(failure)
                    listener(Event("failed", path, failure.reason))
        finally:
            kernels.close()
            if printer is not None:
                printer.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return reports, failures


def _failure(params: Path, exc: Exception) -> Failure:
    """A file's failure: srmkit's own message (a report error, a full disk, …), else the first
    line of the unexpected error; in full, with its traceback, as the detail."""
    if isinstance(exc, SrmkitError):
        return Failure(params, str(exc), exc.detail)
    lines = f"{type(exc).__name__}: {exc}".strip().splitlines()
    return Failure(params, lines[0], "".join(traceback.format_exception(exc)))


def settle(pending: Sequence[Future[None]], timeout_s: float = 60) -> None:
    """Cancel queued work of an abandoned report and wait for what already runs, so that
    nothing writes into its staging folder once it is removed."""
    for future in pending:
        future.cancel()
    for future in pending:
        if not future.cancelled():
            with contextlib.suppress(TimeoutError, CancelledError):
                future.exception(timeout=timeout_s)


class _QueueListener:
    """Forwards a worker process's events to the parent (a picklable listener)."""

    def __init__(self, queue: Any) -> None:
        self.queue = queue

    def __call__(self, event: Event) -> None:
        self.queue.put(event)


def _worker_signals() -> None:
    """A worker ends on SIGTERM as on Ctrl-C, removing what it was writing."""
    signal.signal(signal.SIGTERM, interrupt)
    signal.signal(signal.SIGINT, interrupt)


def _worker(
    params: Sequence[Path],
    out_root: Path,
    formats: Sequence[Format],
    overwrite: bool,
    only: Sequence[str] | None,
    queue: Any,
    word_template: Path | None,
) -> tuple[list[Report], list[Failure]]:
    return _render_group(
        params, out_root, formats, overwrite, only, _QueueListener(queue), word_template
    )


def _parallel(
    params: Sequence[Path],
    out_root: Path,
    formats: Sequence[Format],
    overwrite: bool,
    only: Sequence[str] | None,
    listener: Listener,
    jobs: int,
    word_template: Path | None = None,
) -> tuple[list[Report], list[Failure]]:
    """Spread files over ``jobs`` worker processes, each with its own browser and kernels."""
    context = multiprocessing.get_context("spawn")
    groups = [list(params[i::jobs]) for i in range(jobs) if params[i::jobs]]
    reports: list[Report] = []
    failures: list[Failure] = []
    with context.Manager() as manager:
        pool = ProcessPoolExecutor(len(groups), mp_context=context, initializer=_worker_signals)
        try:
            events = manager.Queue()
            futures = [
                pool.submit(
                    _worker, group, out_root, formats, overwrite, only, events, word_template
                )
                for group in groups
            ]
            while not all(f.done() for f in futures) or not events.empty():
                try:
                    listener(events.get(timeout=0.2))
                except queue.Empty:
                    continue
            for future in futures:
                got, failed = future.result()
                reports += got
                failures += failed
        except BaseException:
            # Interrupted: each worker removes what it was writing (SIGTERM ends it as Ctrl-C).
            for process in list(getattr(pool, "_processes", {}).values()):
                process.terminate()
            pool.shutdown(wait=True, cancel_futures=True)
            raise
        pool.shutdown(wait=True)
    order = {p: i for i, p in enumerate(params)}
    reports.sort(key=lambda r: order[r.params])
    failures.sort(key=lambda f: order[f.params])
    return reports, failures


def render(
    params: Sequence[Path],
    out_root: Path = Path("reports"),
    formats: Sequence[Format] = FORMATS,
    overwrite: bool = False,
    only: Sequence[str] | None = None,
    listener: Listener = _quiet,
    jobs: int = 1,
    word_template: Path | None = None,
) -> RunResult:
    """Render every registered document (or ``only`` those keys) for every params file; the
    Word documents with the styles of ``word_template`` (a .docx) when given, else of each
    scenario's ``document.word_template``, else srmkit's own.

    Raises
    ------
    BrowserNotFoundError
        PDF or DOCX was asked for and no Chrome/Chromium is installed (before anything is
        rendered).
    OutputError
        ``out_root`` cannot be created or written (before anything is rendered).
    NoSpaceError
        The disk filled while the index was written (the reports that landed stay).
    """
    needs = tuple(f for f in formats if f in BROWSER_FORMATS)
    if needs and find_browser() is None:
        raise BrowserNotFoundError(needs)
    existed = _make_output(out_root)
    clean_debris(out_root)
    index = None
    try:
        if jobs > 1 and len(params) > 1:
            reports, failures = _parallel(
                params, out_root, formats, overwrite, only, listener, jobs, word_template
            )
        else:
            reports, failures = _render_group(
                params, out_root, formats, overwrite, only, listener, word_template
            )
        index = write_index(out_root)
    finally:
        if index is None and not existed and out_root.is_dir() and not any(out_root.iterdir()):
            out_root.rmdir()  # a run that rendered nothing leaves no trace
    return RunResult(reports, failures, index)


def _read_only(folder: Path) -> bool:
    """Whether ``folder`` is on a file system mounted read-only."""
    try:
        return bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    except (OSError, AttributeError):  # no statvfs on Windows
        return False


def _there(path: Path) -> bool:
    """Whether ``path`` exists (or cannot be looked at: the folder to name, then)."""
    try:
        return path.exists()
    except OSError:
        return True


def _make_output(out_root: Path) -> bool:
    """Make the output folder when missing and check that it can be written; return whether it
    was there.

    Raises
    ------
    OutputError
        Naming the folder and why: a file in its place or in its path, a read-only file system,
        no permission.
    """
    try:
        existed = out_root.exists()
        if existed and not out_root.is_dir():
            raise OutputError(f"the output folder {out_root} is a file, not a folder")
        out_root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        if isinstance(exc, OutputError):
            raise
        above = next((p for p in out_root.parents if _there(p)), out_root.anchor)
        if not Path(above).is_dir():
            why = f"{above} is a file, not a folder"
        elif exc.errno == errno.EROFS or _read_only(Path(above)):
            why = f"{above} is on a read-only file system"
        elif exc.errno in (errno.EACCES, errno.EPERM):
            why = f"no permission to write in {above}"
        else:
            why = _lower(exc.strerror or str(exc))
        raise OutputError(f"cannot create the output folder {out_root}: {why}") from None
    if _read_only(out_root):
        raise OutputError(f"the output folder {out_root} is on a read-only file system")
    if not os.access(out_root, os.W_OK):
        raise OutputError(
            f"the output folder {out_root} is read-only: no permission to write in it"
        )
    return existed


def report_dict(result: RunResult) -> dict[str, Any]:
    """A run's result for ``--format json``: each report with its files, each failure."""
    return {
        "reports": [
            {
                "params": str(r.params),
                "folder": str(r.folder),
                "verdict": r.verdict,
                "files": {k: str(v) for k, v in r.files.items()},
            }
            for r in result.reports
        ],
        "failures": [{"params": str(f.params), "reason": f.reason} for f in result.failures],
        "index": None if result.index is None else str(result.index),
    }


# --- the index of every report ---------------------------------------------------------------

VERDICT_CLASS = {"fits": "ok", "fits_with_warnings": "warn", "does_not_fit": "bad"}
VERDICT_WORDS = {
    "fits": "fits",
    "fits_with_warnings": "fits with warnings",
    "does_not_fit": "does not fit",
}


def _entries(out_root: Path) -> list[dict[str, Any]]:
    """Every report folder under ``out_root`` with its customer, version, verdict, documents."""
    entries = []
    for summary in sorted(out_root.glob("*/*/findings.json")):
        folder = summary.parent
        try:
            data = json.loads(summary.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        documents = [
            (
                spec.title,
                [
                    f"{spec.basename}.{ext}"
                    for ext in FORMATS
                    if (folder / f"{spec.basename}.{ext}").exists()
                ],
            )
            for spec in DOCUMENTS.values()
        ]
        shown = {name for _, files in documents for name in files}
        others = sorted(
            p.relative_to(folder).as_posix()
            for p in folder.rglob("*")
            if p.is_file() and not p.name.startswith(".") and p.name not in shown
        )
        entries.append(
            {
                "folder": folder.relative_to(out_root).as_posix(),
                "files": others,
                "customer": str(data.get("customer", "")),
                "project": str(data.get("project", "")),
                "version": str(data.get("version") or folder.name),
                "verdict": str(data.get("verdict", "")),
                "documents": [(title, files) for title, files in documents if files],
            }
        )
    return entries


MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
"""Month names in English whatever the machine's locale (the documents are in English)."""


def updated_words(now: dt.datetime | None = None) -> str:
    """When the index was written, in words (UTC).

    >>> updated_words(dt.datetime(2026, 12, 4, 7, 5, tzinfo=dt.UTC))
    '4 December 2026 at 07:05 UTC'
    """
    now = now or dt.datetime.now(dt.UTC)
    return f"{now.day} {MONTHS[now.month - 1]} {now.year} at {now:%H:%M} UTC"


def _link(href: str, text: str) -> str:
    return f'<a href="{html.escape(href)}">{html.escape(text)}</a>'


def write_index(out_root: Path) -> Path | None:
    """``index.html``: every customer, version and document under ``out_root`` with its verdict
    (relative links; text escaped; written whole, then moved into place). None when there is no
    report to list."""
    rows = []
    entries = _entries(out_root)
    if not entries:
        return None
    for e in entries:
        links = "<br>".join(
            f"{html.escape(title)}: "
            + " · ".join(
                _link(e["folder"] + "/" + name, name.rsplit(".", 1)[1].upper()) for name in files
            )
            for title, files in e["documents"]
        )
        files = " · ".join(_link(e["folder"] + "/" + name, name) for name in e["files"])
        verdict = e["verdict"]
        words = html.escape(VERDICT_WORDS.get(verdict, verdict))
        rows.append(
            "<tr>"
            f"<td>{html.escape(e['customer'])}</td><td>{html.escape(e['project'])}</td>"
            f"<td>{html.escape(e['version'])}</td>"
            f'<td class="{VERDICT_CLASS.get(verdict, "")}">{words}</td>'
            f'<td>{links}</td><td class="files">{files}</td></tr>'
        )
    page = (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>srmkit reports</title>"
        "<style>body{font-family:'Liberation Sans','DejaVu Sans',Arial,sans-serif;color:#1b2a3a;"
        "margin:2em}@media (max-width:600px){body{margin:0.8em}}.scroll{overflow-x:auto}"
        "table{border-collapse:collapse}th,td{padding:4px 10px;border-bottom:1px solid"
        " #c9d3dd;text-align:left;vertical-align:top}th{background:#e8eef4}.ok{color:#1e7b34}"
        ".warn{color:#8a5a00}.bad{color:#a4161a;font-weight:bold}.files{font-size:90%;"
        "max-width:28em;overflow-wrap:anywhere}</style></head><body>"
        f"<h1>srmkit reports</h1><p>Updated {html.escape(updated_words())}.</p>"
        '<div class="scroll"><table><thead><tr><th>Customer</th><th>Project</th><th>Version</th>'
        "<th>Verdict</th><th>Documents</th><th>Files beside them</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table></div></body></html>"
    )
    index = out_root / INDEX
    partial = out_root / f".{INDEX}.{os.getpid()}.tmp"
    try:
        with no_space(index):
            partial.write_text(page, encoding="utf-8")
            partial.replace(index)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return index
