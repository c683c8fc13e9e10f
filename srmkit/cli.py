"""The ``srmkit`` command line: the same work as the notebooks, with machine-readable output.

Exit codes: 0 success, 1 a failure while rendering, 2 invalid input (a params file, a model
name, an option).
"""

from __future__ import annotations

import csv
import io
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Optional

import typer

from srmkit.design import Design
from srmkit.limits import MODES, Mode, UnknownModelError, catalogue, get_model
from srmkit.output import dumps, finding_dict, mirror_rows, plan_dict, problems_dict, size_dict
from srmkit.params import ScenarioError, load_scenario
from srmkit.report import FORMATS, ReportError, render
from srmkit.schema import json_schema_text
from srmkit.version import __version__

EXIT_INVALID = 2
EXIT_FAILED = 1

app = typer.Typer(
    help="srmkit: disaster-recovery design for Exchange 2007 on VMware SRM with CLARiiON "
    "MirrorView.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain help: option names are never cut to fit the terminal
)


from srmkit.calc_cli import calc_app  # noqa: E402  registered on the app defined above

app.add_typer(calc_app, name="calc")


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


def plural(count: int, word: str, words: str | None = None) -> str:
    """``1 error``, ``2 errors``, ``1 CG``, ``3 CGs``."""
    return f"{count:,} {word if count == 1 else (words or word + 's')}"


def _fail(problems: ScenarioError, fmt: TextFormat) -> None:
    if fmt is TextFormat.json:
        typer.echo(dumps(problems_dict(problems.problems)))
    else:
        for p in problems.problems:
            typer.echo(f"error: {p}", err=True)
    raise typer.Exit(EXIT_INVALID)


def _echo_csv(rows: list[dict[str, object]]) -> None:
    """Print rows as CSV with a header line."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    typer.echo(out.getvalue(), nl=False)


def _validate_all(params: list[Path], fmt: TextFormat) -> None:
    """Validate every file before any work; on problems print them all and exit 2."""
    problems = []
    for path in params:
        try:
            load_scenario(path)
        except ScenarioError as exc:
            problems.extend(exc.problems)
    if problems:
        _fail(ScenarioError(problems), fmt)


@app.command()
def check(
    params: Annotated[list[Path], typer.Argument(help="Scenario YAML files.")],
    fmt: Annotated[TextFormat, typer.Option("--format", help="Output format.")] = TextFormat.text,
) -> None:
    """Validate and run every design rule: exit 0 clean, 1 on an error finding, 2 invalid input."""
    _validate_all(params, fmt)
    designs = {str(p): Design(load_scenario(p)) for p in params}
    failed = any(d.errors for d in designs.values())
    if fmt is TextFormat.json:
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
            findings = design.findings
            counts = {
                sev: sum(1 for f in findings if f.severity == sev and not f.accepted)
                for sev in ("error", "warning", "info")
            }
            accepted = sum(1 for f in findings if f.accepted)
            typer.echo(
                f"{path}: {plural(counts['error'], 'error')}, "
                f"{plural(counts['warning'], 'warning')}, "
                f"{plural(accepted, 'accepted risk')}, {counts['info']:,} info"
            )
            for f in findings:
                label = "accepted" if f.accepted else f.severity
                typer.echo(f"  {label:8} {f.id}: {f.message}")
                if f.accepted:
                    typer.echo(f"           accepted because: {f.accepted_reason}")
                elif f.severity != "info":
                    typer.echo(f"           remedy: {f.remedy} ({f.reference})")
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
    _validate_all([params], TextFormat.json if fmt is TableFormat.json else TextFormat.text)
    design = Design(load_scenario(params))
    if fmt is TableFormat.csv:
        _echo_csv(mirror_rows(design))
        return
    if fmt is TableFormat.json:
        typer.echo(dumps(plan_dict(design)))
        if design.verdict == "does_not_fit":
            raise typer.Exit(EXIT_FAILED)
        return
    p = design.plan
    typer.echo(
        f"{plural(len(p.mirrors), 'mirror')} in {plural(len(p.cgs), 'consistency group')} "
        f"({p.policy}; lower bound {p.lower_bound_cgs:,}); "
        f"{'fits' if p.feasible else 'DOES NOT FIT: ' + ', '.join(p.blocking)}"
    )
    for a in p.arrays:
        typer.echo(
            f"  {a.array} ({a.model}): mirrors {a.mirrors:,}/{a.max_mirrors:,}, "
            f"CGs {a.cgs:,}/{a.max_cgs:,}, largest CG {a.largest_cg_luns}/{a.max_luns_per_cg}"
        )
    for cg in p.cgs:
        typer.echo(
            f"  {cg.name}: {plural(cg.luns, 'LUN')}, {cg.capacity_gib:,.1f} GiB, "
            f"{cg.source_array} -> {cg.target_array}"
        )
    year = design.first_break_year
    horizon = plural(design.scenario.growth.years, "year")
    typer.echo(
        f"growth: no array limit breaks within {horizon}"
        if year is None
        else "growth: an array limit breaks today"
        if year == 0
        else f"growth: an array limit first breaks in year {year} of {horizon}"
    )
    for rec in design.recommendations:
        typer.echo(
            f"recommendation: replace {' and '.join(rec.replaces)} ({rec.current_model}) by "
            f"{rec.recommended_model or 'no catalogue model'}: {rec.reason}"
        )
    typer.echo(f"first model that fits on every array: {design.recommended_model or 'none'}")
    typer.echo(f"verdict: {design.verdict_text}")
    if design.verdict == "does_not_fit":
        raise typer.Exit(EXIT_FAILED)


def _limit_rows(mode: Mode | None) -> list[dict[str, object]]:
    rows = []
    for m in catalogue():
        row: dict[str, object] = {"model": m.model, "mirrorview": m.mirrorview_supported}
        for each in (mode,) if mode else MODES:
            lim = m.limits(each)
            row[f"{each}_max_mirrors"] = lim.max_mirrors if lim else None
            row[f"{each}_max_luns_per_cg"] = lim.max_luns_per_cg if lim else None
            row[f"{each}_max_cgs"] = lim.max_cgs if lim else None
        row["connectivity"] = "+".join(c for c in ("fc", "iscsi") if m.supports(c))
        row["min_flare"] = m.min_flare_release
        rows.append(row)
    return rows


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
    """Model limits from seed Tables 2 (MirrorView/S) and 3 (MirrorView/A)."""
    if mode is not None and mode not in MODES:
        typer.echo(f"error: --mode must be sync or async, not {mode!r}", err=True)
        raise typer.Exit(EXIT_INVALID)
    chosen: Mode | None = mode  # narrowed by the check above
    if model is not None:
        try:
            found = get_model(model)
        except UnknownModelError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(EXIT_INVALID) from None
        rows = [r for r in _limit_rows(chosen) if r["model"] == found.model]
        if fmt is TableFormat.json:
            data = found.as_dict()
            if chosen is not None:
                data.pop("async" if chosen == "sync" else "sync")
            typer.echo(dumps(data))
            return
    else:
        rows = _limit_rows(chosen)
        if fmt is TableFormat.json:
            data_all = [m.as_dict() for m in catalogue()]
            if chosen is not None:
                for d in data_all:
                    d.pop("async" if chosen == "sync" else "sync")
            typer.echo(dumps(data_all))
            return
    if fmt is TableFormat.csv:
        _echo_csv(rows)
        return
    columns = list(rows[0])
    cells = [[("-" if r[c] is None else str(r[c])) for c in columns] for r in rows]
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(columns)]
    typer.echo("  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)))
    for row in cells:
        typer.echo("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)))
    typer.echo("source: seed white paper [S0] Tables 2 and 3 (srmkit/data/model_limits.csv)")


@app.command()
def size(
    params: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
    fmt: Annotated[TextFormat, typer.Option("--format", help="Output format.")] = TextFormat.text,
) -> None:
    """Size a scenario: workload, link load, MV/S latency or MV/A RPO, sync times (Method)."""
    _validate_all([params], fmt)
    design = Design(load_scenario(params))
    if fmt is TextFormat.json:
        typer.echo(dumps(size_dict(design)))
        return
    typer.echo("\n".join(size_lines(design)))


def _num(value: float | None, unit: str, digits: int = 1) -> str:
    """``12,678.8 GiB``; an unbounded (None or infinite) value says so."""
    if value is None or value != value or value in (float("inf"), float("-inf")):
        return "unbounded"
    return f"{value:,.{digits}f} {unit}"


def size_lines(design: Design) -> list[str]:
    """The sizing study as lines of text."""
    d = design
    servers = d.servers
    lines = [
        f"workload: {sum(s.users for s in servers):,.0f} users on "
        f"{plural(len(servers), 'server')}, "
        f"{plural(sum(s.storage_groups for s in servers), 'storage group')}, "
        f"{sum(s.db_iops_peak for s in servers):,.0f} DB IOPS at peak, "
        f"{sum(s.log_mib_per_day for s in servers):,.0f} MiB logs a day; "
        f"{plural(sum(v.luns for v in d.vms), 'LUN')}, {_num(d.capacity_gib, 'GiB')} mirrored",
    ]
    for x in d.directions:
        lines.append(
            f"link {x.label}: peak {_num(x.peak_mbps, 'Mbit/s')} of "
            f"{_num(x.effective_rate_mbps, 'Mbit/s')} effective "
            f"({x.peak_utilization_fraction:.0%})"
        )
    if d.is_sync:
        latency = (
            "unbounded (the link cannot carry the writes)"
            if d.link_saturated
            else f"{_num(d.log_write_latency_ms, 'ms', 2)} "
            f"(+{_num(float(d.added_latency_ms()), 'ms', 2)})"
        )
        lines.append(
            f"MirrorView/S: log write latency {latency}; fibre route "
            f"{_num(d.route_km, 'km')} (EMC: < {d.a.sync_distance_limit_km:g} km); the latency "
            f"limit allows {_num(d.max_distance_km, 'km', 0)} between the sites; RPO 0"
        )
    else:
        c = d.async_cycle
        if c.unbounded:
            lines.append("MirrorView/A: RPO unbounded (a day's writes exceed the link's capacity)")
        else:
            need = d.required_rate_mbps_for_target_rpo
            lines.append(
                f"MirrorView/A: worst RPO {_num(c.worst_rpo_min, 'min')}, mean "
                f"{_num(c.mean_rpo_min, 'min')}, {len(c.updates)} updates a day"
                + (", updates overrun the interval" if c.update_overrun else "")
                + (
                    f"; the target RPO needs {_num(need, 'Mbit/s')} effective"
                    if need
                    else "; no link rate meets the target RPO"
                )
            )
    lines.append(
        f"synchronisation at {_num(d.sync_rate_mbps, 'Mbit/s')}: initial "
        f"{_num(d.initial_sync_h, 'h')}, failback {_num(d.failback_sync_h, 'h')}"
    )
    for pool in d.rlp.values():
        if pool.rlp_gib:
            lines.append(
                f"reserved LUN pool on {pool.array}: {_num(pool.rlp_gib, 'GiB', 0)} in "
                f"{plural(pool.reserved_luns, 'reserved LUN')}"
            )
    r = d.recovery
    steps = " + ".join(f"{x.minutes:g}" for x in r.steps)
    lines.append(
        f"recovery of {r.from_site} at {r.to_site}: RTO {_num(r.rto_min, 'min', 0)} "
        f"(declare {r.declare_min:g} + plan {steps}) against a target of "
        f"{d.scenario.targets.rto_min:g} min"
    )
    lines.append(f"verdict: {d.verdict_text}")
    return lines


@app.command()
def schema() -> None:
    """Print the JSON Schema of scenario files."""
    typer.echo(json_schema_text(), nl=False)


@app.command()
def report(
    params: Annotated[list[Path], typer.Argument(help="Scenario YAML files.")],
    out: Annotated[Path, typer.Option(help="Folder for the reports.")] = Path("reports"),
    to: Annotated[str, typer.Option(help="Formats, comma-separated: html,pdf.")] = "html,pdf",
    overwrite: Annotated[
        bool, typer.Option(help="Replace an existing report of the same version.")
    ] = False,
    fmt: Annotated[TextFormat, typer.Option("--format", help="Output format.")] = TextFormat.text,
) -> None:
    """Validate every params file, then render each document (HTML and PDF) for each."""
    formats = [f.strip() for f in to.split(",") if f.strip()]
    bad = [f for f in formats if f not in FORMATS]
    if bad or not formats:
        typer.echo(f"error: --to takes html and/or pdf, not {','.join(bad) or to!r}", err=True)
        raise typer.Exit(EXIT_INVALID)
    _validate_all(params, fmt)

    def announce(path: Path, design: Design) -> None:
        if fmt is TextFormat.text:
            typer.echo(f"{path}: the design {design.verdict_text}")
            for f in design.errors:
                when = f" (year {f.year})" if f.year else ""
                typer.echo(f"  error {f.id}{when}: {f.message}")

    try:
        results = render(params, out, formats, overwrite, on_start=announce)  # type: ignore[arg-type]  # checked above
    except ReportError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(EXIT_FAILED) from None
    for rep in results:
        for warning in rep.warnings:
            typer.echo(f"warning: {rep.params}: {warning}", err=True)
    if fmt is TextFormat.json:
        typer.echo(
            dumps(
                [
                    {
                        "params": str(r.params),
                        "folder": str(r.folder),
                        "verdict": r.design.verdict,
                        "files": {k: str(v) for k, v in r.files.items()},
                        "warnings": r.warnings,
                    }
                    for r in results
                ]
            )
        )
        return
    for rep in results:
        typer.echo(f"{rep.params} -> {rep.folder} ({rep.design.verdict_text})")
        for name in rep.files:
            typer.echo(f"  {name}")


def main() -> None:
    """Console entry point."""
    app(prog_name="srmkit")


if __name__ == "__main__":
    main()
    sys.exit(0)
