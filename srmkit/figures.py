"""Plotly figures of the sizing study. Each figure names the assumptions it rests on."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from srmkit.design import Design
from srmkit.units import MIN_PER_DAY, MIN_PER_H

LAYOUT = {
    "template": "plotly_white",
    "height": 380,
    "margin": {"l": 60, "r": 20, "t": 60, "b": 60},
    "legend": {"orientation": "h", "y": -0.25},
}


def prepare() -> None:
    """Load plotly's validators for every trace type and layout feature the figures use.

    plotly imports them on first use (about 0.15 s); a report kernel calls this as it starts,
    before its notebook runs, so the first figure of a document does not wait for them.
    """
    fig = go.Figure()
    fig.add_scatter(x=[0, 1], y=[0, 1], mode="lines+markers", marker={"symbol": "diamond"})
    fig.add_bar(x=["a"], y=[1])
    fig.add_hline(y=1, line_dash="dash", annotation_text="a", annotation_position="top left")
    fig.add_vline(x=1, line_dash="dot", annotation_text="b", annotation_position="top right")
    fig.update_layout(meta={"note": ""}, **LAYOUT)
    fig.to_html(include_plotlyjs=False, full_html=False)


def _note(fig: go.Figure, text: str) -> None:
    """Attach the assumptions a figure rests on; documents print them under the figure."""
    fig.update_layout(meta={"note": text})


def _limit_line(fig: go.Figure) -> None:
    """The dashed 100 % line of a limit-usage figure."""
    fig.add_hline(
        y=1.0,
        line_dash="dash",
        line_color="#a4161a",
        annotation_text="model limit",
        annotation_position="top left",
    )


def latency_vs_distance(design: Design) -> go.Figure:
    """MV/S log write latency against distance: Microsoft limits, EMC's 100 km, the design point."""
    a, link = design.a, design.scenario.link
    top_km = max(2 * link.distance_km, 1.2 * a.sync_distance_limit_km / link.route_factor, 50.0)
    km = np.linspace(0, top_km, 200)
    latency = a.local_log_write_ms + np.asarray(design.added_latency_ms(km))
    fig = go.Figure()
    fig.add_scatter(x=km, y=latency, name="log write latency", mode="lines")
    fig.add_hline(
        y=a.log_write_avg_limit_ms,
        line_dash="dash",
        line_color="#a4161a",
        annotation_text=f"Microsoft average limit {a.log_write_avg_limit_ms:g} ms",
        annotation_position="top left",
    )
    route_limit_km = a.sync_distance_limit_km / link.route_factor
    fig.add_vline(
        x=route_limit_km,
        line_dash="dot",
        line_color="#555",
        annotation_text=f"EMC {a.sync_distance_limit_km:g} km fibre route",
        annotation_position="top right",
    )
    fig.add_scatter(
        x=[link.distance_km],
        y=[design.log_write_latency_ms],
        name="this design",
        mode="markers",
        marker={"size": 12, "symbol": "diamond"},
    )
    fig.update_layout(
        title="MirrorView/S log write latency against distance",
        xaxis_title="site distance [km]",
        yaxis_title="log write latency [ms]",
        yaxis={"rangemode": "tozero"},
        **LAYOUT,
    )
    _note(
        fig,
        f"Assumes local log write {a.local_log_write_ms:g} ms, {link.round_trips} round "
        f"trips, route factor {link.route_factor:g}, {a.log_write_kib:g} KiB writes, "
        f"overhead {a.mirror_overhead_ms:g} ms, peak link utilisation "
        f"{design.peak_utilization_fraction:.0%} (Method §4).",
    )
    return fig


def utilization_by_hour(design: Design) -> go.Figure:
    """Replication traffic by hour of the day in each direction, against the effective rate."""
    hours = list(range(24))
    fig = go.Figure()
    for direction in design.directions:
        fig.add_bar(x=hours, y=direction.hourly_rate_mbps, name=direction.label)
    warn = design.a.link_utilization_warn_fraction
    fig.add_hline(
        y=design.effective_rate_mbps,
        line_dash="dash",
        line_color="#a4161a",
        annotation_text=f"effective rate {design.effective_rate_mbps:,.0f} Mbit/s",
        annotation_position="top left",
    )
    fig.add_hline(
        y=design.effective_rate_mbps * warn,
        line_dash="dot",
        line_color="#b5651d",
        annotation_text=f"{warn:.0%} warning level",
        annotation_position="bottom left",
    )
    fig.update_layout(
        title="Replication traffic by hour of the day",
        xaxis_title="hour",
        yaxis_title="rate [Mbit/s]",
        barmode="group",
        **LAYOUT,
    )
    _note(
        fig,
        "Hourly database writes and logs of the protected VMs from the daily activity profile "
        "(Method §2, synthetic default unless measured); the link is full duplex, so each "
        "direction has the whole effective rate = link × efficiency × share (Method §3).",
    )
    return fig


def rpo_over_day(design: Design) -> go.Figure:
    """MV/A RPO over the representative day (the sawtooth), with the target."""
    c = design.async_cycle
    fig = go.Figure()
    fig.add_scatter(
        x=np.asarray(c.rpo_times_min) / MIN_PER_H, y=c.rpo_values_min, mode="lines", name="RPO"
    )
    fig.add_hline(
        y=design.scenario.targets.rpo_min,
        line_dash="dash",
        line_color="#a4161a",
        annotation_text=f"target {design.scenario.targets.rpo_min:g} min",
        annotation_position="top left",
    )
    fig.update_layout(
        title="MirrorView/A recovery point over the day",
        xaxis={"title": "hour of day", "range": [0, MIN_PER_DAY / MIN_PER_H]},
        yaxis={"title": "RPO [min]", "rangemode": "tozero"},
        **LAYOUT,
    )
    r = design.scenario.replication
    _note(
        fig,
        f"Update type {r.update_type}, interval {r.update_interval_min or '-'} min, "
        f"effective rate {design.effective_rate_mbps:g} Mbit/s; simulated over the "
        f"repeated daily profile until periodic (Method §5).",
    )
    return fig


def rpo_vs_rate(design: Design, points: int = 40) -> go.Figure:
    """MV/A worst RPO against effective link rate, with the target and the design's rate."""
    base = design.effective_rate_mbps
    rates, worst = design.rpo_against_rate(points)
    fig = go.Figure()
    fig.add_scatter(
        x=rates, y=[np.nan if w is None else w for w in worst], mode="lines", name="worst RPO"
    )
    fig.add_hline(
        y=design.scenario.targets.rpo_min,
        line_dash="dash",
        line_color="#a4161a",
        annotation_text=f"target {design.scenario.targets.rpo_min:g} min",
        annotation_position="top left",
    )
    here = design.async_cycle.worst_rpo_min
    if here is not None:
        fig.add_scatter(
            x=[base],
            y=[here],
            name="this design",
            mode="markers",
            marker={"size": 12, "symbol": "diamond"},
        )
    fig.update_layout(
        title="MirrorView/A worst RPO against link rate",
        xaxis={"title": "effective link rate [Mbit/s]", "type": "log"},
        yaxis={"title": "worst RPO [min]", "rangemode": "tozero"},
        **LAYOUT,
    )
    _note(
        fig,
        "Rates where the RPO is unbounded (a day's writes exceed the link) are left blank. "
        "Method §5.",
    )
    return fig


TRACE_TYPES = frozenset({"scatter", "bar", "pie"})
"""Trace types of the plotly.js bundle the documents embed (srmkit/data/plotly/README.md)."""

ROLE_NAMES = {
    "db": "database LUNs",
    "log": "log LUNs",
    "gos": "guest-OS LUNs",
    "queue": "transport queue LUNs",
}


MAX_BARS = 64
"""Consistency groups drawn at most in one figure (the largest; the rest are listed in tables)."""


def cg_layout(design: Design) -> go.Figure:
    """LUNs in each consistency group by role, against the largest CG the arrays allow (the
    :data:`MAX_BARS` largest groups when there are more)."""
    plan = design.plan
    cgs = list(plan.cgs)
    if len(cgs) > MAX_BARS:
        cgs = sorted(cgs, key=lambda cg: -cg.luns)[:MAX_BARS]
    names = [cg.name for cg in cgs]
    fig = go.Figure()
    for role, label in ROLE_NAMES.items():
        counts = [sum(1 for m in cg.mirrors if m.role == role) for cg in cgs]
        if any(counts):
            fig.add_bar(x=names, y=counts, name=label)
    limit = min((a.max_luns_per_cg for a in plan.arrays), default=0)
    fig.add_hline(
        y=limit,
        line_dash="dash",
        line_color="#a4161a",
        annotation_text=f"largest CG allowed: {limit} LUNs",
        annotation_position="top left",
    )
    fig.update_layout(
        barmode="stack",
        title="LUNs per consistency group",
        xaxis={"title": "consistency group", "type": "category"},
        yaxis={"title": "LUNs", "rangemode": "tozero"},
        **LAYOUT,
    )
    shown = (
        f"The {MAX_BARS} largest of {len(plan.cgs):,} consistency groups. "
        if len(plan.cgs) > MAX_BARS
        else ""
    )
    _note(
        fig,
        f"{shown}Policy {plan.policy}; a storage group's database and log LUN always share a CG; "
        "mirrors count against both arrays they touch (Method §7).",
    )
    return fig


def growth_vs_limits(design: Design) -> go.Figure:
    """Mirrors and CGs on the busiest array over the growth horizon, against its limits."""
    years = list(design.years)
    loads = [design.loads_at(y) for y in years]
    fig = go.Figure()
    for measure, limit, label in (
        ("mirrors", "max_mirrors", "mirrors"),
        ("cgs", "max_cgs", "consistency groups"),
    ):
        share = [max(getattr(a, measure) / getattr(a, limit) for a in year) for year in loads]
        fig.add_scatter(x=years, y=share, mode="lines+markers", name=label)
    _limit_line(fig)
    fig.update_layout(
        title="Limit usage over the growth horizon (busiest array)",
        xaxis={"title": "year", "dtick": 1},
        yaxis={"title": "share of limit", "tickformat": ".0%", "rangemode": "tozero"},
        **LAYOUT,
    )
    g = design.scenario.growth
    _note(
        fig,
        f"Users grow {g.users_per_year_fraction:.0%} a year; storage groups are re-derived "
        "from the grown mailbox count each year (Method §2, §7).",
    )
    return fig


def limit_usage(design: Design) -> go.Figure:
    """Share of each array limit the design uses (100 % = the limit of seed Table 2 or 3)."""
    usage = design.plan.arrays
    fig = go.Figure()
    measures: Sequence[tuple[str, str, str]] = (
        ("Mirrors", "mirrors", "max_mirrors"),
        ("Consistency groups", "cgs", "max_cgs"),
        ("LUNs in largest CG", "largest_cg_luns", "max_luns_per_cg"),
    )
    for label, used, limit in measures:
        fig.add_bar(
            name=label,
            x=[f"{u.array} ({u.model})" for u in usage],
            y=[getattr(u, used) / getattr(u, limit) for u in usage],
            customdata=[[getattr(u, used), getattr(u, limit)] for u in usage],
            hovertemplate="%{customdata[0]} of %{customdata[1]}<extra>" + label + "</extra>",
        )
    _limit_line(fig)
    fig.update_layout(
        barmode="group",
        title="Array limit usage (used ÷ limit)",
        yaxis={"tickformat": ".0%", "title": "share of limit", "rangemode": "tozero"},
        **LAYOUT,
    )
    return fig
