"""The ``srmkit`` command line: the same work as the notebooks, with machine-readable output.

Exit codes: 0 success, 1 a failure while rendering (or a design that does not fit, for
``check`` and ``plan``), 2 invalid input (a params file, a model name, an option), 130 interrupted
(Ctrl-C or SIGTERM).
"""

from __future__ import annotations

import csv
import io
import signal
import sys
import textwrap
import time
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, Optional

import typer
import typer.core
import typer.main

from srmkit.cli_text import (
    build_lines,
    check_lines,
    compare_lines,
    limit_lines,
    limit_rows,
    monte_carlo_lines,
    plan_lines,
    scenario_lines,
    size_lines,
)
from srmkit.documents.registry import DOCUMENTS, FORMATS
from srmkit.errors import EXIT_FAILED, EXIT_INVALID, SrmkitError
from srmkit.glossary import plural
from srmkit.interrupts import interrupt
from srmkit.limits import MODES, Mode, catalogue, get_model
from srmkit.version import __version__

if TYPE_CHECKING:
    from srmkit.design import Design
    from srmkit.params import ScenarioError
    from srmkit.report import Event

# The commands import what they need when they run (Design, the simulator, the report machinery):
# ``srmkit --help`` and ``srmkit limits`` stay quick because nothing numeric is imported for them.

EXIT_INTERRUPTED = 130  # as a shell reports Ctrl-C


class _LazyGroup(typer.core.TyperGroup):
    """A group of subcommands whose module is imported only when one of them is asked for (or
    the group's help): its name and help are known without it, so ``srmkit --help`` stays quick.
    """

    def __init__(self, name: str, help: str, load: Callable[[], typer.Typer]) -> None:
        super().__init__(name=name, help=help, no_args_is_help=True, rich_markup_mode=None)
        self._load = load
        self._real: Any = None

    def _group(self) -> Any:
        if self._real is None:
            self._real = typer.main.get_group(self._load())
        return self._real

    def list_commands(self, ctx: Any) -> list[str]:
        return list(self._group().list_commands(ctx))

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        return self._group().get_command(ctx, cmd_name)


def _calc_app() -> typer.Typer:
    from srmkit.calc_cli import calc_app

    return calc_app


class _Commands(typer.core.TyperGroup):
    """The command group: any srmkit error, from any command, becomes ``error: …`` (and its notes)
    on standard error and the error's exit status; no traceback. ``calc`` is loaded lazily."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.add_command(
            _LazyGroup(
                "calc",
                "Quick what-if calculations (no scenario file); the method's defaults.",
                _calc_app,
            )
        )

    def invoke(self, ctx: Any) -> Any:  # typer.Context is not the vendored click Context
        try:
            return super().invoke(ctx)
        except SrmkitError as exc:
            typer.echo(f"error: {exc}", err=True)
            for note in getattr(exc, "__notes__", ()):
                typer.echo(note, err=True)
            raise typer.Exit(exc.exit_code) from None


app = typer.Typer(
    cls=_Commands,
    help="srmkit: disaster-recovery design for Exchange 2007 on VMware SRM with CLARiiON "
    "MirrorView.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain help: option names are never cut to fit the terminal
)


class TableFormat(StrEnum):
    """Output formats for tabular data."""

    table = "table"
    json = "json"
    csv = "csv"


class TextFormat(StrEnum):
    """Output formats for results."""

    text = "text"
    json = "json"


def _version(value: bool) -> None:
    if value:
        typer.echo(f"srmkit {__version__}")
        raise typer.Exit()


@app.callback()
def main_callback(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """srmkit: disaster-recovery design for Exchange 2007 on VMware SRM with CLARiiON MirrorView."""


def _fail(problems: ScenarioError, fmt: TextFormat) -> NoReturn:
    from srmkit.output import dumps, problems_dict

    if fmt is TextFormat.json:
        typer.echo(dumps(problems_dict(problems.problems)))
    else:
        for p in problems.problems:
            typer.echo(f"error: {p}", err=True)
    raise typer.Exit(EXIT_INVALID)


def _echo_csv(rows: list[dict[str, object]]) -> None:
    """Print rows as CSV with a header line."""
    from srmkit.names import csv_safe

    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows({k: csv_safe(v) for k, v in row.items()} for row in rows)
    typer.echo(out.getvalue(), nl=False)


def _validate_all(params: list[Path], fmt: TextFormat) -> list[Design]:
    """Validate every file before any work (the failure scenarios against the plan too); on
    problems print them all and exit 2."""
    from srmkit.design import Design
    from srmkit.params import ScenarioError, load_scenario

    problems = []
    designs = []
    for path in params:
        try:
            design = Design(load_scenario(path))
        except ScenarioError as exc:
            problems.extend(exc.problems)
            continue
        if design.scenario.scenarios:
            from srmkit import simulation

            problems.extend(simulation.validate(design))
        designs.append(design)
    if problems:
        _fail(ScenarioError(problems), fmt)
    return designs


@app.command()
def check(
    params: Annotated[list[Path], typer.Argument(help="Scenario YAML files.")],
    fmt: Annotated[TextFormat, typer.Option("--format", help="Output format.")] = TextFormat.text,
) -> None:
    """Validate and run every design rule: exit 0 clean, 1 on an error finding, 2 invalid input."""
    designs = {str(p): d for p, d in zip(params, _validate_all(params, fmt), strict=True)}
    failed = any(d.errors for d in designs.values())
    if fmt is TextFormat.json:
        from srmkit.output import dumps, finding_dict

        typer.echo(
            dumps(
                {
                    "valid": True,
                    "passed": not failed,
                    "files": {k: [finding_dict(f) for f in d.findings] for k, d in designs.items()},
                    "verdicts": {k: d.verdict for k, d in designs.items()},
                }
            )
        )
    else:
        for path, design in designs.items():
            typer.echo("\n".join(check_lines(path, design)))
    if failed:
        raise typer.Exit(EXIT_FAILED)


@app.command()
def plan(
    params: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
    fmt: Annotated[
        TableFormat, typer.Option("--format", help="Output format.")
    ] = TableFormat.table,
) -> None:
    """The consistency-group plan: mirrors, CGs, array limits with headroom, growth, model."""
    [design] = _validate_all(
        [params], TextFormat.json if fmt is TableFormat.json else TextFormat.text
    )
    if fmt is TableFormat.csv:
        from srmkit.output import mirror_rows

        _echo_csv(mirror_rows(design))
        return
    if fmt is TableFormat.json:
        from srmkit.output import dumps, plan_dict

        typer.echo(dumps(plan_dict(design)))
    else:
        typer.echo("\n".join(plan_lines(design)))
    if design.verdict == "does_not_fit":
        raise typer.Exit(EXIT_FAILED)


@app.command()
def limits(
    model: Annotated[Optional[str], typer.Argument(help="One model, e.g. CX4-480.")] = None,  # noqa: UP045  typer needs Optional
    mode: Annotated[
        Optional[str],  # noqa: UP045  typer needs Optional
        typer.Option(help="Only this mode: sync (MirrorView/S) or async (MirrorView/A)."),
    ] = None,
    fmt: Annotated[
        TableFormat, typer.Option("--format", help="Output format.")
    ] = TableFormat.table,
) -> None:
    """Model limits from the white paper's Tables 2 (MirrorView/S) and 3 (MirrorView/A)."""
    if mode is not None and mode not in MODES:
        typer.echo(f"error: --mode must be sync or async, not {mode!r}", err=True)
        raise typer.Exit(EXIT_INVALID)
    chosen: Mode | None = mode  # narrowed by the check above
    if model is not None:
        found = get_model(model)
        models = [found]
        rows = [r for r in limit_rows(chosen) if r["model"] == found.model]
    else:
        models = list(catalogue())
        rows = limit_rows(chosen)
    if fmt is TableFormat.json:
        from srmkit.output import dumps

        data = [m.as_dict() for m in models]
        if chosen is not None:
            for d in data:
                d.pop("async" if chosen == "sync" else "sync")
        typer.echo(dumps(data[0] if model is not None else data))
    elif fmt is TableFormat.csv:
        _echo_csv(rows)
    else:
        typer.echo("\n".join(limit_lines(rows)))


@app.command()
def size(
    params: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
    fmt: Annotated[TextFormat, typer.Option("--format", help="Output format.")] = TextFormat.text,
) -> None:
    """Size a scenario: workload, link load, MV/S latency or MV/A RPO, sync times (Method)."""
    [design] = _validate_all([params], fmt)
    if fmt is TextFormat.json:
        from srmkit.output import dumps, size_dict

        typer.echo(dumps(size_dict(design)))
        return
    typer.echo("\n".join(size_lines(design)))


class CompareFormat(StrEnum):
    """Output formats of the options side by side."""

    text = "text"
    json = "json"
    csv = "csv"


@app.command()
def compare(
    params: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
    fmt: Annotated[
        CompareFormat, typer.Option("--format", help="Output format.")
    ] = CompareFormat.text,
) -> None:
    """The options side by side: MirrorView/S, MirrorView/A every 15, 30 and 60 min from the
    start or the end of the last update, and every array model that mirrors in the design's
    mode; each with its RPO, RTO, added latency, link use, reserved LUN pool, sync times,
    headroom and verdict."""
    [design] = _validate_all(
        [params], TextFormat.json if fmt is CompareFormat.json else TextFormat.text
    )
    from srmkit import options
    from srmkit.output import dumps, option_rows, options_dict

    comparison = options.compare(design)
    if fmt is CompareFormat.json:
        typer.echo(dumps(options_dict(comparison)))
        return
    if fmt is CompareFormat.csv:
        _echo_csv(option_rows(comparison))
        return
    typer.echo("\n".join(compare_lines(comparison)))


class StatesFormat(StrEnum):
    """Output formats of the state table."""

    markdown = "markdown"
    mermaid = "mermaid"


@app.command()
def states(
    fmt: Annotated[
        StatesFormat, typer.Option("--format", help="markdown (a table) or mermaid (diagrams).")
    ] = StatesFormat.markdown,
) -> None:
    """The failover state model: every transition of mirror images, link, sites, storage
    processors and SRM plans, with its reason and source."""
    from srmkit import states as state_table

    typer.echo(state_table.mermaid() if fmt is StatesFormat.mermaid else state_table.markdown())


@app.command()
def simulate(
    params: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
    scenario: Annotated[
        Optional[list[str]],  # noqa: UP045  typer needs Optional
        typer.Option(help="Play only this scenario (repeat for more); default: all of them."),
    ] = None,
    monte_carlo_runs: Annotated[
        Optional[int],  # noqa: UP045  typer needs Optional
        typer.Option(
            "--monte-carlo", min=1, max=10_000_000, help="Random disasters over a year, instead."
        ),
    ] = None,
    seed: Annotated[
        Optional[int],  # noqa: UP045  typer needs Optional
        typer.Option(min=0, help="Seed of the Monte Carlo runs (default: the assumption's)."),
    ] = None,
    outages_per_year: Annotated[
        Optional[float],  # noqa: UP045  typer needs Optional
        typer.Option(
            min=0, max=365, help="Random link outages a year (default: the assumption's)."
        ),
    ] = None,
    outage_mean_h: Annotated[
        Optional[float],  # noqa: UP045  typer needs Optional
        typer.Option(
            min=0.01, max=720, help="Their mean duration (default: the assumption's). [h]"
        ),
    ] = None,
    fmt: Annotated[TextFormat, typer.Option("--format", help="Output format.")] = TextFormat.text,
) -> None:
    """Play failure scenarios on the design: the built-in ones and the file's own (timeline,
    data lost, RTO, time without a remote copy, warnings), or Monte Carlo disasters."""
    [design] = _validate_all([params], fmt)
    from srmkit.output import dumps, monte_carlo_dict, scenario_dict

    if monte_carlo_runs is not None:
        from srmkit.risk import monte_carlo

        a = design.a
        mc = monte_carlo(
            design,
            monte_carlo_runs,
            a.risk_seed if seed is None else seed,
            a.link_outages_per_year if outages_per_year is None else outages_per_year,
            a.link_outage_mean_h if outage_mean_h is None else outage_mean_h,
        )
        if fmt is TextFormat.json:
            typer.echo(dumps(monte_carlo_dict(mc)))
        else:
            typer.echo("\n".join(monte_carlo_lines(mc)))
        return
    from srmkit import simulation

    try:
        results = simulation.simulate_all(design, scenario or None)
    except KeyError as exc:
        typer.echo(f"error: {exc.args[0]}", err=True)
        raise typer.Exit(EXIT_INVALID) from None
    if fmt is TextFormat.json:
        typer.echo(dumps({"scenarios": [scenario_dict(r) for r in results]}))
        return
    for r in results:
        typer.echo("\n".join(scenario_lines(r)))
        typer.echo("")


class RunbookFormat(StrEnum):
    """Output formats of the runbook."""

    markdown = "markdown"
    json = "json"


@app.command()
def runbook(
    params: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
    fmt: Annotated[
        RunbookFormat, typer.Option("--format", help="Output format.")
    ] = RunbookFormat.markdown,
) -> None:
    """Operations procedures with the design's names: test failover, failover, planned
    failover, failback, link loss, SP failure, each with its steps and minutes."""
    [design] = _validate_all(
        [params], TextFormat.json if fmt is RunbookFormat.json else TextFormat.text
    )
    from srmkit import runbook as runbook_module

    if fmt is RunbookFormat.json:
        from srmkit.output import dumps, runbook_dict

        typer.echo(dumps(runbook_dict(runbook_module.procedures(design))))
        return
    typer.echo(runbook_module.markdown(design))


@app.command()
def build(
    params: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
    out: Annotated[Path, typer.Option(help="Folder for the build book's files.")],
    overwrite: Annotated[
        bool, typer.Option(help="Replace the files of an earlier build in that folder.")
    ] = False,
    fmt: Annotated[TextFormat, typer.Option("--format", help="Output format.")] = TextFormat.text,
) -> None:
    """The build book's files: luns.csv, naviseccli scripts per array (.sh and .cmd), srm.xlsx
    and bom.csv. srmkit runs none of them. Exit 0 written, 1 when the design has an error (the
    files are written, marked not for implementation), 2 invalid input or files in the way."""
    [design] = _validate_all([params], fmt)
    from srmkit.build import build_dict, write_build

    files = write_build(design, out, overwrite)
    if fmt is TextFormat.json:
        from srmkit.output import dumps

        typer.echo(dumps(build_dict(design, files)))
    else:
        typer.echo("\n".join(build_lines(design, files)))
    if design.errors:
        raise typer.Exit(EXIT_FAILED)


@app.command()
def init(
    folder: Annotated[Path, typer.Argument(help="Folder to write (created when missing).")],
    overwrite: Annotated[
        bool, typer.Option(help="Replace the files an earlier srmkit init wrote there.")
    ] = False,
) -> None:
    """A working folder: scenario.yaml (the example, to edit), the notebooks reading it, a
    README and nbstripout for git. Exit 0 written, 2 files in the way (named; nothing written)."""
    from srmkit.workfolder import init_folder

    typer.echo("\n".join(init_folder(folder, overwrite).lines()))


@app.command()
def schema() -> None:
    """Print the JSON Schema of scenario files."""
    from srmkit.schema import json_schema_text

    typer.echo(json_schema_text(), nl=False)


class _Progress:
    """What a report run says while it works: plain lines, and a progress bar over files and
    documents on a terminal (standard error; the lines stay on standard output)."""

    def __init__(self, files: int, documents: int, text: bool, bar: bool) -> None:
        self.text = text
        self.documents = documents
        self.done: dict[Path, int] = {}
        self.landed: list[str] = []
        self.bar: Any = None
        if bar:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

            self.bar = Progress(
                "{task.description}",
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=Console(stderr=True),
                transient=True,
            )
            self.task = self.bar.add_task("rendering", total=files * documents)
            self.bar.start()

    def _say(self, line: str, err: bool = False) -> None:
        if self.bar is not None:
            self.bar.console.print(line, markup=False, highlight=False)
        elif self.text or err:
            typer.echo(line, err=err)

    def __call__(self, event: Event) -> None:
        if event.kind == "scenario":
            if self.text:
                self._say(f"{event.params}: the design {event.detail}")
                for line in event.errors:
                    self._say(f"  error {line}")
        elif event.kind == "document":
            self.done[event.params] = self.done.get(event.params, 0) + 1
            if self.bar is not None:
                self.bar.update(self.task, advance=1, description=f"{event.params.name}")
        elif event.kind == "landed":
            self.landed.append(event.detail)
        elif event.kind == "failed" and self.bar is not None:
            left = self.documents - self.done.get(event.params, 0)
            self.bar.update(self.task, advance=left)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()


@app.command()
def report(
    params: Annotated[list[Path], typer.Argument(help="Scenario YAML files.")],
    out: Annotated[Path, typer.Option(help="Folder for the reports.")] = Path("reports"),
    to: Annotated[
        Optional[str],  # noqa: UP045  typer needs Optional
        typer.Option(
            help="Formats, comma-separated: html, pdf, docx. Default: all three when a Chrome, "
            "Chromium or Edge is found (PDF and Word need one), else HTML with a warning."
        ),
    ] = None,
    only: Annotated[
        Optional[str],  # noqa: UP045  typer needs Optional
        typer.Option(help=f"Only these documents, comma-separated: {','.join(DOCUMENTS)}."),
    ] = None,
    jobs: Annotated[int, typer.Option(min=1, max=16, help="Render this many files at once.")] = 1,
    overwrite: Annotated[
        bool, typer.Option(help="Replace an existing report of the same version.")
    ] = False,
    quiet: Annotated[bool, typer.Option(help="No progress bar: plain lines only.")] = False,
    verbose: Annotated[
        bool,
        typer.Option(
            help="With a failure's reason, what the failing tool said in full (pandoc's "
            "output, a traceback)."
        ),
    ] = False,
    fmt: Annotated[TextFormat, typer.Option("--format", help="Output format.")] = TextFormat.text,
    word_template: Annotated[
        Optional[Path],  # noqa: UP045  typer needs Optional
        typer.Option(
            metavar="PATH",
            help="A Word document (.docx) whose styles the Word documents take, instead of "
            "the scenario's document.word_template or srmkit's own.",
        ),
    ] = None,
) -> None:
    """Validate every params file, then render each document (HTML, PDF, DOCX) for each, the
    machine-readable results beside them and an index of every report.

    Exit 0 when every file rendered, 1 when one failed (the others still land; each failure in
    one line, in full with --verbose), 2 for invalid input or an output folder that cannot be
    written (nothing is rendered)."""
    formats = _choices("--to", to, FORMATS) if to is not None else _formats_we_can_make()
    keys = _choices("--only", only, tuple(DOCUMENTS)) if only is not None else None
    from srmkit.browser import BrowserNotFoundError
    from srmkit.folders import TempFolderError
    from srmkit.output import dumps
    from srmkit.report import OutputError, render, report_dict

    if word_template is not None:
        _check_word_template(word_template, fmt)
    _validate_all(params, fmt)
    text = fmt is TextFormat.text
    start = time.perf_counter()
    progress = _Progress(
        len(params), len(keys or DOCUMENTS), text, bar=not quiet and sys.stderr.isatty()
    )
    try:
        result = render(params, out, formats, overwrite, keys, progress, jobs, word_template)  # type: ignore[arg-type]  # checked by _choices
    except (BrowserNotFoundError, OutputError, TempFolderError) as exc:
        exc.add_note("nothing was rendered")
        raise
    except KeyboardInterrupt:
        progress.close()
        typer.echo("interrupted: the reports being written were removed", err=True)
        for folder in progress.landed:
            typer.echo(f"  finished before the interrupt: {folder}", err=True)
        raise typer.Exit(EXIT_INTERRUPTED) from None
    finally:
        progress.close()
    if fmt is TextFormat.json:
        typer.echo(dumps(report_dict(result)))
    else:
        for rep in result.reports:
            typer.echo(f"{rep.params} -> {rep.folder}: {', '.join(rep.files)}")
        if result.index is not None:
            typer.echo(f"index of every report: {result.index}")
        took = f"{time.perf_counter() - start:.1f} s"
        if result.reports:
            typer.echo(
                f"{plural(len(result.reports), 'file')} rendered in {took}"
                + (f"; {len(result.failures):,} failed" if result.failures else "")
            )
        else:
            typer.echo(f"nothing rendered ({took}); {plural(len(result.failures), 'file')} failed")
    for failure in result.failures:
        kept = (
            "" if failure.reason.endswith("nothing of it was kept") else " (nothing of it was kept)"
        )
        typer.echo(f"failed: {failure.params}: {failure.reason}{kept}", err=True)
        if verbose and failure.detail:
            typer.echo(textwrap.indent(failure.detail.rstrip("\n"), "  "), err=True)
    if result.failures:
        raise typer.Exit(EXIT_FAILED)


def _check_word_template(path: Path, fmt: TextFormat) -> None:
    """--word-template names a Word document; else exit 2 saying what is wrong."""
    from srmkit.params import Problem, ScenarioError, word_template_problem

    problem = word_template_problem(path)
    if problem is not None:
        _fail(ScenarioError([Problem(str(path), None, "--word-template", "", problem)]), fmt)


def _formats_we_can_make() -> list[str]:
    """Without --to: every format when a browser is found, else HTML, said once on stderr."""
    from srmkit.browser import INSTALL_HINT, find_browser

    if find_browser() is not None:
        return list(FORMATS)
    typer.echo(
        "warning: no Chrome, Chromium or Edge found: writing HTML only (PDF and Word need "
        f"one). {INSTALL_HINT}",
        err=True,
    )
    return ["html"]


def _choices(option: str, value: str, allowed: tuple[str, ...]) -> list[str]:
    """The comma-separated choices of an option; exit 2 naming what is allowed."""
    chosen = list(dict.fromkeys(v.strip() for v in value.split(",") if v.strip()))
    bad = [v for v in chosen if v not in allowed]
    if bad or not chosen:
        typer.echo(
            f"error: {option} takes {', '.join(allowed)} (comma-separated), "
            f"not {','.join(bad) or repr(value)}",
            err=True,
        )
        raise typer.Exit(EXIT_INVALID)
    return chosen


def main() -> None:
    """Console entry point."""
    signal.signal(signal.SIGTERM, interrupt)  # ends a run as Ctrl-C does
    signal.signal(signal.SIGINT, interrupt)
    app(prog_name="srmkit")


if __name__ == "__main__":
    main()
    sys.exit(0)
