"""The ``srmkit`` command line: the same work as the notebooks, with machine-readable output.

Exit codes: 0 success, 1 a failure while rendering, 2 invalid input (a params file, a model
name, an option).
"""

from __future__ import annotations

import csv
import io
import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Optional

import typer

from srmkit import __version__
from srmkit.limits import MODES, Mode, UnknownModelError, catalogue, get_model
from srmkit.params import ScenarioError, load_scenario

EXIT_INVALID = 2
EXIT_FAILED = 1

app = typer.Typer(
    help="srmkit: disaster-recovery design for Exchange 2007 on VMware SRM with CLARiiON "
    "MirrorView.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
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


def _fail(problems: ScenarioError, fmt: TextFormat) -> None:
    if fmt is TextFormat.json:
        typer.echo(
            json.dumps(
                {"valid": False, "problems": [p.as_dict() for p in problems.problems]}, indent=2
            )
        )
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
    from srmkit.checks import run

    _validate_all(params, fmt)
    results = {str(p): run(load_scenario(p)) for p in params}
    failed = any(f.severity == "error" for fs in results.values() for f in fs)
    if fmt is TextFormat.json:
        typer.echo(
            json.dumps(
                {
                    "valid": True,
                    "passed": not failed,
                    "files": {k: [f.as_dict() for f in v] for k, v in results.items()},
                },
                indent=2,
            )
        )
    else:
        for path, findings in results.items():
            counts = {
                sev: sum(1 for f in findings if f.severity == sev and not f.accepted)
                for sev in ("error", "warning", "info")
            }
            accepted = sum(1 for f in findings if f.accepted)
            typer.echo(
                f"{path}: {counts['error']} errors, {counts['warning']} warnings, "
                f"{accepted} accepted risks, {counts['info']} info"
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
    from srmkit.exports import plan_rows
    from srmkit.planner import first_break_year, plan_scenario, recommended_model

    _validate_all([params], TextFormat.json if fmt is TableFormat.json else TextFormat.text)
    scenario = load_scenario(params)
    p = plan_scenario(scenario)
    rows = plan_rows(p)
    if fmt is TableFormat.csv:
        _echo_csv(rows)
        return
    summary = {
        "mode": p.mode,
        "policy": p.policy,
        "explicit_layout": p.explicit,
        "feasible": p.feasible,
        "blocking": p.blocking,
        "remedies": p.remedies,
        "cgs": len(p.cgs),
        "lower_bound_cgs": p.lower_bound_cgs,
        "mirrors": len(p.mirrors),
        "first_break_year": first_break_year(scenario),
        "growth_years": scenario.growth.years,
        "recommended_model": recommended_model(scenario),
        "arrays": [
            {
                "array": a.array,
                "model": a.model,
                "mirrors": a.mirrors,
                "max_mirrors": a.max_mirrors,
                "mirrors_headroom": a.mirrors_headroom,
                "cgs": a.cgs,
                "max_cgs": a.max_cgs,
                "cgs_headroom": a.cgs_headroom,
                "largest_cg_luns": a.largest_cg_luns,
                "max_luns_per_cg": a.max_luns_per_cg,
                "fits": a.fits,
            }
            for a in p.arrays
        ],
        "consistency_groups": [
            {
                "name": cg.name,
                "servers": list(cg.servers),
                "luns": cg.luns,
                "capacity_gib": round(cg.capacity_gib, 3),
                "source_array": cg.source_array,
                "target_array": cg.target_array,
            }
            for cg in p.cgs
        ],
    }
    if fmt is TableFormat.json:
        summary["mirrors_list"] = rows
        typer.echo(json.dumps(summary, indent=2))
        return
    typer.echo(
        f"{len(p.mirrors)} mirrors in {len(p.cgs)} consistency groups "
        f"({p.policy}; lower bound {p.lower_bound_cgs}); "
        f"{'fits' if p.feasible else 'DOES NOT FIT: ' + ', '.join(p.blocking)}"
    )
    for a in summary["arrays"]:  # type: ignore[attr-defined]
        typer.echo(
            f"  {a['array']} ({a['model']}): mirrors {a['mirrors']}/{a['max_mirrors']}, "
            f"CGs {a['cgs']}/{a['max_cgs']}, largest CG "
            f"{a['largest_cg_luns']}/{a['max_luns_per_cg']}"
        )
    for cg in p.cgs:
        typer.echo(
            f"  {cg.name}: {cg.luns} LUNs, {cg.capacity_gib:,.1f} GiB, "
            f"{cg.source_array} -> {cg.target_array}"
        )
    year = summary["first_break_year"]
    typer.echo(
        f"growth: {'no limit breaks' if year is None else f'a limit breaks in year {year}'}"
        f" within {scenario.growth.years} years"
    )
    typer.echo(f"recommended model: {summary['recommended_model'] or 'no model fits'}")
    for fix in p.remedies:
        typer.echo(f"  fix: {fix}")


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
            typer.echo(json.dumps(data, indent=2))
            return
    else:
        rows = _limit_rows(chosen)
        if fmt is TableFormat.json:
            data_all = [m.as_dict() for m in catalogue()]
            if chosen is not None:
                for d in data_all:
                    d.pop("async" if chosen == "sync" else "sync")
            typer.echo(json.dumps(data_all, indent=2))
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
    """Size a scenario: workload, link load, MV/S latency or MV/A RPO, sync times (MODEL.md)."""
    from srmkit.design import Design

    _validate_all([params], fmt)
    data = Design(load_scenario(params)).to_dict()
    if fmt is TextFormat.json:
        typer.echo(json.dumps(data, indent=2))
        return
    total = data["workload"]["total"]
    lines = [
        f"workload: {total['users']:,} users, {total['storage_groups']} storage groups, "
        f"{total['db_iops_peak']:,.0f} DB IOPS at peak, "
        f"{total['log_mib_per_day']:,.0f} MiB logs/day, "
        f"{total['capacity_gib']:,.1f} GiB mirrored",
        f"link: {data['link']['effective_rate_mbps']:g} Mbit/s effective, peak "
        f"{data['link']['peak_mbps']:.1f} Mbit/s ({data['link']['peak_utilization_fraction']:.0%})",
    ]
    if "sync" in data:
        s = data["sync"]
        latency = (
            "unbounded (link saturated)"
            if s["log_write_latency_ms"] is None
            else (f"{s['log_write_latency_ms']:.2f} ms (+{s['added_latency_ms']:.2f} ms)")
        )
        lines.append(
            f"MirrorView/S: log write latency {latency}; "
            f"max distance {s['max_distance_km']:.0f} km; RPO 0"
        )
    else:
        a = data["async"]
        if a["unbounded"]:
            lines.append("MirrorView/A: RPO unbounded (a day's writes exceed the link's capacity)")
        else:
            need = a["required_rate_mbps_for_target_rpo"]
            lines.append(
                f"MirrorView/A: worst RPO {a['worst_rpo_min']:.1f} min, mean "
                f"{a['mean_rpo_min']:.1f} min, {len(a['updates'])} updates/day"
                + (", updates overrun the interval" if a["update_overrun"] else "")
                + (
                    f"; target RPO needs {need:g} Mbit/s effective"
                    if need
                    else "; no link rate meets the target RPO"
                )
            )
    st = data["sync_times"]
    lines.append(
        f"synchronisation at {st['sync_rate_mbps']:g} Mbit/s: initial "
        f"{st['initial_sync_h']:.1f} h, failback {st['failback_sync_h']:.1f} h"
    )
    if data["rlp_gib"] is not None:
        lines.append(f"reserved LUN pool per array: {data['rlp_gib']:,.0f} GiB")
    typer.echo("\n".join(lines))


@app.command()
def schema() -> None:
    """Print the JSON Schema of scenario files."""
    from srmkit.schema import json_schema_text

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
    """Validate every params file, then render each design document (HTML and PDF)."""
    from srmkit.report import FORMATS, ReportError, render

    formats = [f.strip() for f in to.split(",") if f.strip()]
    bad = [f for f in formats if f not in FORMATS]
    if bad or not formats:
        typer.echo(f"error: --to takes html and/or pdf, not {','.join(bad) or to!r}", err=True)
        raise typer.Exit(EXIT_INVALID)
    _validate_all(params, fmt)
    results = []
    for path in params:
        try:
            rep = render(path, out, formats, overwrite)  # type: ignore[arg-type]  # checked above
        except ReportError as exc:
            typer.echo(f"error: {path}: {exc}", err=True)
            raise typer.Exit(EXIT_FAILED) from None
        for warning in rep.warnings:
            typer.echo(f"warning: {path}: {warning}", err=True)
        results.append(rep)
        if fmt is TextFormat.text:
            typer.echo(f"{path} -> {rep.folder}")
            for kind, file in rep.files.items():
                typer.echo(f"  {kind}: {file}")
    if fmt is TextFormat.json:
        typer.echo(
            json.dumps(
                [
                    {
                        "params": str(r.params),
                        "folder": str(r.folder),
                        "files": {k: str(v) for k, v in r.files.items()},
                        "warnings": r.warnings,
                    }
                    for r in results
                ],
                indent=2,
            )
        )


def main() -> None:
    """Console entry point."""
    app(prog_name="srmkit")


if __name__ == "__main__":
    main()
    sys.exit(0)
