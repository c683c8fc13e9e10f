"""``srmkit calc``: quick what-ifs without a scenario file, for live sizing sessions.

Every default is Method's, read from the one place that holds it (:class:`Assumptions` and the
``link`` section of the schema); JSON keys carry their units.
"""

from __future__ import annotations

import math
from enum import StrEnum
from typing import Annotated, Any

import typer

from srmkit import mva, mvs, sync_times
from srmkit.assumptions import LINK_DEFAULTS, Assumptions
from srmkit.errors import EXIT_INVALID
from srmkit.link import effective_rate_mbps
from srmkit.output import dumps
from srmkit.units import mbit_to_mib

DEFAULTS = Assumptions()
ROUND_TRIPS = LINK_DEFAULTS.round_trips
ROUTE_FACTOR = LINK_DEFAULTS.route_factor
EFFICIENCY = LINK_DEFAULTS.efficiency_fraction
SHARE = LINK_DEFAULTS.share_fraction

# Its name and help are given where ``srmkit`` registers it (srmkit.cli), so the top-level help
# needs no import of this module.
calc_app = typer.Typer(
    no_args_is_help=True,
    rich_markup_mode=None,  # plain help: option names are never cut to fit the terminal
)


class Fmt(StrEnum):
    """Output formats."""

    text = "text"
    json = "json"


class UpdateType(StrEnum):
    """MirrorView/A update types with a closed form."""

    start = "start"
    end = "end"


class SyncRate(StrEnum):
    """Mirror synchronisation rate settings."""

    high = "high"
    medium = "medium"
    low = "low"


FmtOpt = Annotated[Fmt, typer.Option("--format", help="Output format.")]


def _num(x: float) -> float | None:
    return None if not math.isfinite(x) else round(float(x), 6)


def _emit(data: dict[str, Any], fmt: Fmt) -> None:
    if fmt is Fmt.json:
        typer.echo(dumps(data))
        return
    for key, value in data.items():
        typer.echo(f"{key}: {'unbounded' if value is None else value}")


def _positive(name: str, value: float | None, allow_zero: bool = False) -> None:
    if value is not None and (value < 0 or (value == 0 and not allow_zero) or math.isnan(value)):
        typer.echo(
            f"error: {name} must be {'0 or more' if allow_zero else 'greater than 0'}, "
            f"not {value:g}",
            err=True,
        )
        raise typer.Exit(EXIT_INVALID)


@calc_app.command()
def latency(
    distance_km: Annotated[float, typer.Option(help="Distance between the sites. [km]")],
    round_trips: Annotated[
        int,
        typer.Option(help="Round trips per write (2 plain FC, 1 with write acceleration). [count]"),
    ] = ROUND_TRIPS,
    route_factor: Annotated[
        float, typer.Option(help="Fibre route ÷ site distance. [factor]")
    ] = ROUTE_FACTOR,
    write_kib: Annotated[
        float, typer.Option(help="Log write size. [KiB]")
    ] = DEFAULTS.log_write_kib,
    link_mbps: Annotated[
        float | None,
        typer.Option(
            help="Link rate for serialisation delay; omitted: serialisation not counted. [Mbit/s]"
        ),
    ] = None,
    overhead_ms: Annotated[
        float, typer.Option(help="MirrorView overhead per write. [ms]")
    ] = DEFAULTS.mirror_overhead_ms,
    utilization: Annotated[float, typer.Option(help="Peak link utilisation ρ. [fraction]")] = 0.0,
    local_ms: Annotated[
        float, typer.Option(help="Local log write latency. [ms]")
    ] = DEFAULTS.local_log_write_ms,
    fmt: FmtOpt = Fmt.text,
) -> None:
    """MirrorView/S added write latency, log write latency, maximum distance, and the fibre route
    against EMC's 100 km (Method §4)."""
    _positive("--distance-km", distance_km, allow_zero=True)
    _positive("--round-trips", round_trips)
    _positive("--route-factor", route_factor)
    _positive("--write-kib", write_kib)
    _positive("--link-mbps", link_mbps)
    _positive("--utilization", utilization, allow_zero=True)
    line = math.inf if link_mbps is None else link_mbps  # no link given: no serialisation
    args = (round_trips, route_factor, write_kib, line, utilization, overhead_ms)
    added = float(mvs.added_latency_ms(distance_km, *args, DEFAULTS.fibre_one_way_ms_per_km))
    queued = float(mvs.queued_serialization_ms(mvs.serialization_ms(write_kib, line), utilization))
    log_write = local_ms + added
    max_km = float(
        mvs.max_distance_km(
            DEFAULTS.log_write_avg_limit_ms, local_ms, *args, DEFAULTS.fibre_one_way_ms_per_km
        )
    )
    route_km = distance_km * route_factor
    _emit(
        {
            "added_latency_ms": _num(added),
            "log_write_latency_ms": _num(log_write),
            "max_distance_km": _num(max_km),
            "serialization_ms": _num(queued),
            "log_write_avg_limit_ms": DEFAULTS.log_write_avg_limit_ms,
            "within_limit": bool(log_write < DEFAULTS.log_write_avg_limit_ms),
            "route_km": _num(route_km),
            "route_limit_km": DEFAULTS.sync_distance_limit_km,
            "within_emc_route_limit": bool(route_km < DEFAULTS.sync_distance_limit_km),
        },
        fmt,
    )


ChangeMib = Annotated[
    float | None,
    typer.Option(help="Replicated change rate as a data rate (or --change-rate-mbps). [MiB/s]"),
]
ChangeMbps = Annotated[
    float | None,
    typer.Option(
        help="Replicated change rate as a network rate, as `srmkit size` prints peaks. [Mbit/s]"
    ),
]


def _change_rate_mib_per_s(mib_per_s: float | None, mbps: float | None) -> float | None:
    """The change rate in MiB/s from whichever of the two options was given (None: neither)."""
    if mib_per_s is not None and mbps is not None:
        typer.echo("error: give --change-rate-mib-per-s or --change-rate-mbps, not both", err=True)
        raise typer.Exit(EXIT_INVALID)
    _positive("--change-rate-mib-per-s", mib_per_s, allow_zero=True)
    _positive("--change-rate-mbps", mbps, allow_zero=True)
    return float(mbit_to_mib(mbps)) if mbps is not None else mib_per_s


@calc_app.command()
def rpo(
    interval_min: Annotated[float, typer.Option(help="Update interval T. [min]")],
    update_duration_min: Annotated[
        float | None,
        typer.Option(help="Duration D of each update. [min]"),
    ] = None,
    change_rate_mib_per_s: ChangeMib = None,
    change_rate_mbps: ChangeMbps = None,
    link_mbps: Annotated[
        float | None,
        typer.Option(help="Link rate as sold, with a change rate. [Mbit/s]"),
    ] = None,
    efficiency: Annotated[float, typer.Option(help="Link efficiency. [fraction]")] = EFFICIENCY,
    share: Annotated[
        float, typer.Option(help="Share of the link for replication. [fraction]")
    ] = SHARE,
    update_type: Annotated[
        UpdateType, typer.Option(help="start or end of last update.")
    ] = UpdateType.start,
    fmt: FmtOpt = Fmt.text,
) -> None:
    """MirrorView/A worst and mean RPO (Method §5 closed forms)."""
    _positive("--interval-min", interval_min)
    _positive("--efficiency", efficiency)
    _positive("--share", share)
    change = _change_rate_mib_per_s(change_rate_mib_per_s, change_rate_mbps)
    by_duration = update_duration_min is not None
    by_rate = change is not None and link_mbps is not None
    if by_duration == by_rate:
        typer.echo(
            "error: give --update-duration-min, or a change rate (--change-rate-mib-per-s or "
            "--change-rate-mbps) with --link-mbps",
            err=True,
        )
        raise typer.Exit(EXIT_INVALID)
    kind = update_type.value
    if by_duration:
        assert update_duration_min is not None
        _positive("--update-duration-min", update_duration_min, allow_zero=True)
        d = update_duration_min
        unbounded = False
    else:
        assert change is not None
        assert link_mbps is not None
        _positive("--link-mbps", link_mbps)
        alpha = float(mva.busy_fraction(change, effective_rate_mbps(link_mbps, efficiency, share)))
        d = float(mva.steady_update_duration_min(interval_min, alpha, kind))
        unbounded = alpha >= 1.0
    _emit(
        {
            "worst_rpo_min": None
            if unbounded
            else _num(float(mva.worst_rpo_min(interval_min, d, kind))),
            "mean_rpo_min": None
            if unbounded
            else _num(float(mva.mean_rpo_min(interval_min, d, kind))),
            "update_duration_min": _num(d),
            "update_overrun": bool(d > interval_min),
            "unbounded": unbounded,
        },
        fmt,
    )


@calc_app.command()
def bandwidth(
    rpo_min: Annotated[float, typer.Option(help="Target worst RPO. [min]")],
    interval_min: Annotated[float, typer.Option(help="Update interval T. [min]")],
    change_rate_mib_per_s: ChangeMib = None,
    change_rate_mbps: ChangeMbps = None,
    efficiency: Annotated[float, typer.Option(help="Link efficiency. [fraction]")] = EFFICIENCY,
    share: Annotated[
        float, typer.Option(help="Share of the link for replication. [fraction]")
    ] = SHARE,
    update_type: Annotated[
        UpdateType, typer.Option(help="start or end of last update.")
    ] = UpdateType.start,
    fmt: FmtOpt = Fmt.text,
) -> None:
    """Smallest link whose MirrorView/A worst RPO meets a target: the effective rate replication
    needs and the line rate to buy at the given efficiency and share (Method §5)."""
    for name, value in (
        ("--rpo-min", rpo_min),
        ("--interval-min", interval_min),
        ("--efficiency", efficiency),
        ("--share", share),
    ):
        _positive(name, value)
    change = _change_rate_mib_per_s(change_rate_mib_per_s, change_rate_mbps)
    if change is None:
        typer.echo("error: give --change-rate-mib-per-s or --change-rate-mbps", err=True)
        raise typer.Exit(EXIT_INVALID)
    effective = float(mva.required_rate_mbps(rpo_min, interval_min, change, update_type.value))
    feasible = math.isfinite(effective)
    line = float(effective_rate_mbps(1.0, efficiency, share))  # effective Mbit/s per line Mbit/s
    data: dict[str, Any] = {
        "required_link_mbps": _num(effective / line) if feasible else None,
        "required_effective_rate_mbps": _num(effective) if feasible else None,
        "efficiency_fraction": efficiency,
        "share_fraction": share,
        "feasible": feasible,
    }
    if not feasible:
        data["reason"] = "the target RPO must exceed the update interval"
    _emit(data, fmt)


@calc_app.command("sync-time")
def sync_time(
    capacity_gib: Annotated[float, typer.Option(help="Capacity to synchronise. [GiB]")],
    link_mbps: Annotated[float, typer.Option(help="Link rate. [Mbit/s]")],
    efficiency: Annotated[float, typer.Option(help="Link efficiency. [fraction]")] = EFFICIENCY,
    sync_rate: Annotated[
        SyncRate, typer.Option(help="Mirror synchronisation rate setting.")
    ] = SyncRate.medium,
    fmt: FmtOpt = Fmt.text,
) -> None:
    """Full synchronisation time of a capacity over a link (Method §6)."""
    _positive("--capacity-gib", capacity_gib, allow_zero=True)
    _positive("--link-mbps", link_mbps)
    _positive("--efficiency", efficiency)
    fraction = DEFAULTS.sync_rate_fraction(sync_rate.value)
    rate = float(
        sync_times.sync_rate_mbps(
            effective_rate_mbps(link_mbps, efficiency, 1.0), fraction, DEFAULTS.array_sync_cap_mbps
        )
    )
    _emit(
        {
            "sync_time_h": _num(float(sync_times.sync_time_h(capacity_gib, rate))),
            "sync_rate_mbps": _num(rate),
        },
        fmt,
    )


class ModeOpt(StrEnum):
    """MirrorView modes."""

    sync = "sync"
    async_ = "async"


@calc_app.command()
def cgs(
    servers: Annotated[int, typer.Option(help="Mailbox servers. [count]")],
    storage_groups_per_server: Annotated[int, typer.Option(help="Storage groups each. [count]")],
    mode: Annotated[ModeOpt, typer.Option(help="sync (MirrorView/S) or async (MirrorView/A).")],
    gos_luns_per_server: Annotated[int, typer.Option(help="Guest-OS LUNs each. [count]")] = 1,
    model: Annotated[
        str | None,
        typer.Option(
            help="Count CGs per server with this model's limit (default: the recommended one)."
        ),
    ] = None,
    fmt: FmtOpt = Fmt.text,
) -> None:
    """Consistency groups and model fit for N identical servers on one array pair (Method §7)."""
    from srmkit.limits import UnknownModelError, get_model
    from srmkit.planner import what_if

    _positive("--servers", servers)
    _positive("--storage-groups-per-server", storage_groups_per_server)
    _positive("--gos-luns-per-server", gos_luns_per_server, allow_zero=True)
    chosen = None
    if model is not None:
        try:
            chosen = get_model(model).model
        except UnknownModelError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(EXIT_INVALID) from None
    data = what_if(
        servers,
        storage_groups_per_server,
        gos_luns_per_server,
        "sync" if mode is ModeOpt.sync else "async",
        chosen,
    )
    if fmt is Fmt.json:
        typer.echo(dumps(data))
        return
    typer.echo(
        f"{data['luns_per_server']} LUNs per server, {data['total_mirrors']} mirrors; "
        f"{data['cgs_per_server']} CGs per server, {data['total_cgs']} in all "
        f"(model {data['model'] or '-'})"
    )
    for row in data["models"]:  # type: ignore[attr-defined]
        verdict = "fits" if row["fits"] else f"blocked by {row['blocking_limit']}"
        typer.echo(f"  {row['model']:8} {verdict}")
    typer.echo(f"recommended: {data['recommended_model'] or 'no model fits'}")
