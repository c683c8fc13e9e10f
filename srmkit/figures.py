"""Plotly figures of the sizing study. Each figure names the assumptions it rests on."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from srmkit import states
from srmkit.design import Design
from srmkit.risk import MonteCarloResult
from srmkit.simulation import ScenarioResult
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


# --- failover simulation (Method §8) ---------------------------------------------------------

CATEGORY_COLOURS = {
    "protected": ("#2e7d4f", "protected"),
    "fractured": ("#d39b1e", "remote copy of an earlier time"),
    "exposed": ("#a4161a", "no usable remote copy"),
    "unprotected": ("#5b7db1", "running, no remote copy"),
    "test": ("#8e6bb8", "SRM test"),
    "down": ("#7a7a7a", "down or recovering"),
}


def _time_unit(end_min: float) -> tuple[float, str]:
    """Minutes per axis unit and its name, for a span of ``end_min`` minutes."""
    if end_min <= 3 * MIN_PER_H:
        return 1.0, "minutes"
    if end_min <= 3 * MIN_PER_DAY:
        return float(MIN_PER_H), "hours"
    return float(MIN_PER_DAY), "days"


def scenario_gantt(result: ScenarioResult) -> go.Figure:
    """The states of the link, the sites, the mirrors and the protection groups over a scenario."""
    fig = go.Figure()
    rows = list(dict.fromkeys(s.row for s in result.spans))
    end = max((s.end_min for s in result.spans), default=0.0)
    per, unit = _time_unit(end)
    for category, (colour, label) in CATEGORY_COLOURS.items():
        spans = [s for s in result.spans if s.category == category]
        if not spans:
            continue
        fig.add_bar(
            orientation="h",
            y=[s.row for s in spans],
            base=[s.start_min / per for s in spans],
            x=[max((s.end_min - s.start_min) / per, end / per / 400) for s in spans],
            marker={"color": colour},
            name=label,
            customdata=[[s.label] for s in spans],
            hovertemplate="%{y}: %{customdata[0]}<extra></extra>",
        )
    layout = {**LAYOUT, "height": 140 + 34 * len(rows)}
    fig.update_layout(
        barmode="overlay",
        title=f"States over time from {result.start_clock}",
        xaxis={"title": f"{unit} after {result.start_clock}", "rangemode": "tozero"},
        yaxis={"categoryorder": "array", "categoryarray": rows[::-1], "automargin": True},
        **layout,
    )
    _note(
        fig,
        "Bars show each object's state; the colours say whether a usable remote copy "
        "exists (Method §8).",
    )
    return fig


def state_diagram() -> go.Figure:
    """The states of a consistency group's secondary image and the transitions between them."""
    table = states.image_states()
    colour = {
        True: {True: "#2e7d4f", False: "#d39b1e"},
        False: {True: "#a4161a", False: "#a4161a"},
    }
    fig = go.Figure()
    edges: set[tuple[str, str]] = set()
    for t in states.transitions():
        if t.machine == "image" and t.next and t.next != t.state:
            edges.add((t.state, t.next))
    for a, b in sorted(edges):
        pa, pb = table[a], table[b]
        fig.add_annotation(
            x=pb.x, y=-pb.y, ax=pa.x, ay=-pa.y, xref="x", yref="y", axref="x", ayref="y",
            showarrow=True, arrowhead=2, arrowsize=1.2, arrowwidth=1, arrowcolor="#8a96a3",
            standoff=28, startstandoff=28, text="",
        )  # fmt: skip
    nodes = list(table.values())
    fig.add_scatter(
        x=[n.x for n in nodes],
        y=[-n.y for n in nodes],
        mode="markers+text",
        marker={
            "symbol": "square",
            "size": 58,
            "color": [
                "#5b7db1" if n.key == "primary/local_only" else colour[n.usable][n.protected]
                for n in nodes
            ],
            "opacity": 0.9,
        },
        text=[f"{n.state}<br>{n.condition}".replace("Administratively ", "Admin ") for n in nodes],
        textfont={"size": 8, "color": "white"},
        hovertext=[n.meaning for n in nodes],
        hoverinfo="text",
        showlegend=False,
    )
    fig.update_layout(
        title="States of a consistency group's secondary image",
        xaxis={"visible": False, "range": [-0.6, 5.6]},
        yaxis={"visible": False, "range": [-5.6, 0.6]},
        **{**LAYOUT, "height": 560},
    )
    _note(
        fig,
        "Green: protected; amber: usable, replication stopped; red: not usable for a "
        "recovery; blue: promoted. Arrows are the transitions of the state table (Method §8).",
    )
    return fig


def data_loss_exceedance(mc: MonteCarloResult, target_rpo_min: float) -> go.Figure:
    """Share of random disasters that lose more than a given time, with the target RPO."""
    losses = np.sort(mc.loss_samples_min)
    fig = go.Figure()
    n = mc.runs
    if losses.size and losses[-1] > 0:
        positive = losses[losses > 0]
        xs = np.unique(np.concatenate([[0.0], np.quantile(positive, np.linspace(0, 1, 400))]))
        share = 1.0 - np.searchsorted(losses, xs, side="right") / n
        keep = share > 0
        fig.add_scatter(
            x=xs[keep], y=share[keep], mode="lines", line={"shape": "hv"},
            name="share of disasters losing more",
        )  # fmt: skip
    fig.add_vline(
        x=target_rpo_min, line_dash="dash", line_color="#a4161a",
        annotation_text=f"target RPO {target_rpo_min:g} min", annotation_position="top right",
    )  # fmt: skip
    fig.update_layout(
        title="Data lost by random disasters over a year",
        xaxis={"title": "data lost (minutes of writes)", "rangemode": "tozero"},
        yaxis={
            "title": "share of disasters losing more",
            "type": "log",
            "dtick": 1,
            "tickformat": ".3~%",
            "range": [np.log10(0.5 / n), 0.05],
        },
        **LAYOUT,
    )
    outages = (
        f" and {mc.outages_per_year:g} link outages a year of {mc.outage_mean_h:g} h on average"
        if mc.outages_per_year
        else ""
    )
    none = " No disaster lost data." if not (losses.size and losses[-1] > 0) else ""
    _note(
        fig,
        f"{mc.runs:,} disasters at random times (seed {mc.seed}){outages}; "
        f"{mc.unrecoverable_fraction:.2%} left no usable copy.{none} (Method §8)",
    )
    return fig
