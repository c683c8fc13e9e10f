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
import time
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from srmkit import options, simulation
from srmkit import runbook as runbook_module
from srmkit import states as state_table
from srmkit.browser import BrowserNotFoundError
from srmkit.design import VERDICT_TEXT, Design
from srmkit.documents.registry import DOCUMENTS
from srmkit.exports import csv_safe
from srmkit.limits import MODES, Mode, UnknownModelError, catalogue, get_model
from srmkit.output import (
    dumps,
    finding_dict,
    mirror_rows,
    monte_carlo_dict,
    option_rows,
    options_dict,
    plan_dict,
    problems_dict,
    runbook_dict,
    scenario_dict,
    size_dict,
)
from srmkit.params import ScenarioError, load_scenario
from srmkit.report import FORMATS, Event, OutputError, interrupt, render, report_dict
from srmkit.risk import monte_carlo
from srmkit.schema import json_schema_text
from srmkit.version import __version__

EXIT_INVALID = 2
EXIT_FAILED = 1
EXIT_INTERRUPTED = 130  # as a shell reports Ctrl-C

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
    writer.writerows({k: csv_safe(v) for k, v in row.items()} for row in rows)
    typer.echo(out.getvalue(), nl=False)


def _validate_all(params: list[Path], fmt: TextFormat) -> list[Design]:
    """Validate every file before any work (the failure scenarios against the plan too); on
    problems print them all and exit 2."""
    problems = []
    designs = []
    for path in params:
        try:
            design = Design(load_scenario(path))
        except ScenarioError as exc:
            problems.extend(exc.problems)
            continue
        if design.scenario.scenarios:
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
    [design] = _validate_all(
        [params], TextFormat.json if fmt is TableFormat.json else TextFormat.text
    )
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
    """Model limits from the white paper's Tables 2 (MirrorView/S) and 3 (MirrorView/A)."""
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
    typer.echo("source: the white paper [S0], Tables 2 and 3 (srmkit/data/model_limits.csv)")


@app.command()
def size(
    params: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
    fmt: Annotated[TextFormat, typer.Option("--format", help="Output format.")] = TextFormat.text,
) -> None:
    """Size a scenario: workload, link load, MV/S latency or MV/A RPO, sync times (Method)."""
    [design] = _validate_all([params], fmt)
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
    comparison = options.compare(design)
    if fmt is CompareFormat.json:
        typer.echo(dumps(options_dict(comparison)))
        return
    if fmt is CompareFormat.csv:
        _echo_csv(option_rows(comparison))
        return
    typer.echo("\n".join(compare_lines(comparison)))


def _option_name(o: options.Option) -> str:
    """``MirrorView/S``, ``MirrorView/A 30 min end``, ``CX4-240``; ``*`` marks the design's own."""
    if o.kind == "model":
        name = o.arrays[0].model if o.arrays else o.key
    elif o.mode == "sync":
        name = "MirrorView/S"
    elif o.update_interval_min is None:
        name = "MirrorView/A manual"
    else:
        name = f"MirrorView/A {o.update_interval_min:g} min {o.update_type}"
    return name + (" *" if o.is_design else "")


def _table(header: list[str], rows: list[list[str]], numeric: set[int]) -> list[str]:
    """Aligned columns: text left, numbers right."""
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]

    def line(cells: list[str]) -> str:
        return "  ".join(
            c.rjust(w) if i in numeric else c.ljust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    return [line(header), *(line(r) for r in rows)]


def compare_lines(c: options.Comparison) -> list[str]:
    """The options side by side as aligned tables of text."""

    def short(value: float | None, unit: str, digits: int = 1) -> str:
        return "unbounded" if value is None else f"{value:,.{digits}f} {unit}"

    def headroom(now: int | None, end: int | None) -> str:
        return f"{'-' if now is None else f'{now:,}'}/{'-' if end is None else f'{end:,}'}"

    t = c.thresholds
    directions = c.options[0].link_use if c.options else ()
    header = [
        "option",
        "verdict",
        "worst RPO",
        "mean RPO",
        "RTO",
        "added latency",
        "peak link use",
        "LUN pool",
        "initial sync",
        "failback sync",
        f"mirrors free now/year {c.horizon_years}",
        f"CGs free now/year {c.horizon_years}",
    ]
    lines = [
        f"options side by side ({options.MODE_WORDS[c.mode]} design; * = what the design has "
        f"now; target RPO {t.rpo_target_min:g} min, RTO {t.rto_target_min:g} min)"
    ]
    for title, group in (
        ("mirroring mode and update schedule", c.mode_options),
        (f"array models ({options.MODE_WORDS[c.mode]}, on every array)", c.model_options),
    ):
        rows = [
            [
                _option_name(o),
                VERDICT_TEXT[o.verdict],
                short(o.worst_rpo_min, "min"),
                short(o.mean_rpo_min, "min"),
                short(o.rto_min, "min", 0),
                (
                    "unbounded"
                    if o.link_saturated and o.mode == "sync"
                    else "-"
                    if o.added_latency_ms is None
                    else f"+{o.added_latency_ms:.2f} ms"
                ),
                " / ".join(f"{u.peak_utilization_fraction:.0%}" for u in o.link_use),
                short(o.rlp_gib, "GiB", 0),
                short(o.initial_sync_h, "h"),
                short(o.failback_sync_h, "h"),
                headroom(o.mirrors_headroom_now, o.mirrors_headroom_at_horizon),
                headroom(o.cgs_headroom_now, o.cgs_headroom_at_horizon),
            ]
            for o in group
        ]
        if rows:
            lines += ["", f"{title}:"]
            lines += _table(header, rows, numeric=set(range(2, len(header))) - {6})
        failing: dict[tuple[str, ...], list[str]] = {}
        for o in group:
            if o.error_rules:
                failing.setdefault(o.error_rules, []).append(_option_name(o).removesuffix(" *"))
        for rules, names in failing.items():
            lines.append(f"  does not fit ({', '.join(rules)}): {', '.join(names)}")
    lines += [
        "",
        "peak link use: " + " / ".join(u.direction for u in directions) + " (busiest hour); "
        "LUN pool: reserved LUN pool of the array that needs the most",
        f"added latency: MirrorView/S only; log writes stay under "
        f"{t.log_write_limit_ms:g} ms while it is at most {t.added_latency_limit_ms:g} ms",
    ]
    return lines


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
    typer.echo(state_table.mermaid() if fmt is StatesFormat.mermaid else state_table.markdown())


def _minutes(value: float | None) -> str:
    if value is None:
        return "–"
    if value >= 24 * 60:
        return f"{value:,.0f} min ({value / 60 / 24:,.1f} days)"
    return f"{value:,.0f} min"


def _scenario_lines(r: simulation.ScenarioResult) -> list[str]:
    head = f"{r.name} (from {r.start_clock}): {r.description}" if r.description else r.name
    loss = (
        "no usable copy: UNRECOVERABLE"
        if not r.recoverable
        else f"data lost {_minutes(r.data_loss_min)} ({(r.data_loss_mib or 0):,.0f} MiB)"
        + (f", recovered from the {r.recovered_from}" if r.recovered_from else "")
    )
    lines = [
        head,
        f"  {loss}; RTO {_minutes(r.rto_min)}; without a remote copy "
        f"{_minutes(r.unprotected_min)}; "
        + ("protected at the end" if r.protected_at_end else "NOT protected at the end"),
    ]
    routine = 0
    for row in r.timeline:
        if row.routine:
            routine += 1
            continue
        lines.append(
            f"  {row.clock:>10}  {row.object}: {row.from_state} → {row.to_state} ({row.cause})"
        )
    if routine:
        lines.append(
            f"  ({routine:,} routine MirrorView/A update steps not shown; --format json lists them)"
        )
    seen: set[tuple[str, str]] = set()
    for x in r.refused:
        if (x.action, x.reason) in seen:
            continue
        seen.add((x.action, x.reason))
        same = sum(1 for y in r.refused if (y.action, y.reason) == (x.action, x.reason))
        what = x.object if same == 1 else f"{x.object} and {same - 1:,} more"
        lines.append(
            f"  refused at {x.clock}: {x.action} of {what} in {x.state}: {x.reason}"
            + (f" (allowed: {', '.join(x.allowed)})" if x.allowed else "")
        )
    lines += [f"  warning: {w}" for w in r.warnings]
    return lines


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
    if monte_carlo_runs is not None:
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
            return
        loss, rto = mc.data_loss_min, mc.rto_min
        typer.echo(
            f"{mc.runs:,} disasters at random times (seed {mc.seed}"
            + (
                f", {mc.outages_per_year:g} link outages a year of {mc.outage_mean_h:g} h on "
                "average"
                if mc.outages_per_year
                else ""
            )
            + ")"
        )
        for name, d in (("data lost", loss), ("RTO", rto)):
            typer.echo(
                f"  {name}: mean {_minutes(d.mean)}, p50 {_minutes(d.p50)}, p95 "
                f"{_minutes(d.p95)}, p99 {_minutes(d.p99)}, max {_minutes(d.max)}"
            )
        typer.echo(f"  unrecoverable: {mc.unrecoverable_fraction:.3%} of the disasters")
        return
    try:
        results = simulation.simulate_all(design, scenario or None)
    except KeyError as exc:
        typer.echo(f"error: {exc.args[0]}", err=True)
        raise typer.Exit(EXIT_INVALID) from None
    if fmt is TextFormat.json:
        typer.echo(dumps({"scenarios": [scenario_dict(r) for r in results]}))
        return
    for r in results:
        typer.echo("\n".join(_scenario_lines(r)))
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
    if fmt is RunbookFormat.json:
        typer.echo(dumps(runbook_dict(runbook_module.procedures(design))))
        return
    typer.echo(runbook_module.markdown(design))


@app.command()
def schema() -> None:
    """Print the JSON Schema of scenario files."""
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
        str, typer.Option(help="Formats, comma-separated: html, pdf, docx.")
    ] = "html,pdf,docx",
    only: Annotated[
        Optional[str],  # noqa: UP045  typer needs Optional
        typer.Option(help=f"Only these documents, comma-separated: {','.join(DOCUMENTS)}."),
    ] = None,
    jobs: Annotated[int, typer.Option(min=1, max=16, help="Render this many files at once.")] = 1,
    overwrite: Annotated[
        bool, typer.Option(help="Replace an existing report of the same version.")
    ] = False,
    quiet: Annotated[bool, typer.Option(help="No progress bar: plain lines only.")] = False,
    fmt: Annotated[TextFormat, typer.Option("--format", help="Output format.")] = TextFormat.text,
) -> None:
    """Validate every params file, then render each document (HTML, PDF, DOCX) for each, the
    machine-readable results beside them and an index of every report.

    Exit 0 when every file rendered, 1 when one failed (the others still land), 2 for invalid
    input (nothing is rendered)."""
    formats = _choices("--to", to, FORMATS)
    keys = _choices("--only", only, tuple(DOCUMENTS)) if only is not None else None
    _validate_all(params, fmt)
    text = fmt is TextFormat.text
    start = time.perf_counter()
    progress = _Progress(
        len(params), len(keys or DOCUMENTS), text, bar=not quiet and sys.stderr.isatty()
    )
    try:
        result = render(params, out, formats, overwrite, keys, progress, jobs)  # type: ignore[arg-type]  # checked by _choices
    except (BrowserNotFoundError, OutputError) as exc:
        typer.echo(f"error: {exc}", err=True)
        typer.echo("nothing was rendered", err=True)
        raise typer.Exit(EXIT_INVALID) from None
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
        typer.echo(f"failed: {failure.params}: {failure.reason} (nothing of it was kept)", err=True)
    if result.failures:
        raise typer.Exit(EXIT_FAILED)


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
