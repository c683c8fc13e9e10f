"""Plotly figures of the documents. Each figure names the assumptions it rests on; where its
texts go is the house style of :mod:`srmkit.figure_style`."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import Literal

import numpy as np
import plotly.graph_objects as go

from srmkit import glossary, states
from srmkit.design import Design
from srmkit.figure_style import (
    AXIS_TITLE_CHARS,
    FIGURE_MAX_HEIGHT_PX,
    LAYOUT,
    LIMIT_COLOUR,
    TITLE_CHARS,
    TITLE_LINE_PX,
    TITLE_TOP_PX,
    WARNING_COLOUR,
    limit_line,
    marker_line,
    note,
    turned_labels,
    turned_labels_px,
    wrap,
)
from srmkit.figure_style import hover_with_units as hover_with_units  # documents.blocks uses it
from srmkit.glossary import MODE_NAME, or_unbounded
from srmkit.mvs import distance_axis_km
from srmkit.options import (
    METRIC_WORDS,
    Comparison,
    Option,
    Sweep,
    Thresholds,
    Tornado,
)
from srmkit.risk import MonteCarloResult
from srmkit.simulation import ScenarioResult
from srmkit.units import MIN_PER_DAY, MIN_PER_H


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


DESIGN_COLOUR = "#333"
"""The design's own point: a dark diamond in every figure."""


def latency_vs_distance(design: Design) -> go.Figure:
    """MV/S log write latency against distance: Microsoft limits, EMC's 100 km, the design point."""
    a, link = design.a, design.scenario.link
    top_km = distance_axis_km(link.distance_km, a.sync_distance_limit_km, link.route_factor)
    km = np.linspace(0, top_km, 200)
    latency = a.local_log_write_ms + np.asarray(design.added_latency_ms(km))
    fig = go.Figure()
    fig.add_scatter(x=km, y=latency, name="log write latency", mode="lines")
    limit_line(
        fig, a.log_write_avg_limit_ms, f"Microsoft average limit {a.log_write_avg_limit_ms:g} ms"
    )
    route_limit_km = a.sync_distance_limit_km / link.route_factor
    marker_line(
        fig, route_limit_km, f"EMC {a.sync_distance_limit_km:g} km fibre route", "dot", "#555"
    )
    fig.add_scatter(
        x=[link.distance_km],
        y=[design.log_write_latency_ms],
        name="this design",
        mode="markers",
        marker={"size": 12, "symbol": "diamond", "color": DESIGN_COLOUR},
    )
    fig.update_layout(
        title="MirrorView/S log write latency by distance",
        xaxis_title="site distance [km]",
        yaxis_title="log write latency [ms]",
        yaxis={"rangemode": "tozero"},
        **LAYOUT,
    )
    note(
        fig,
        f"Assumes local log write {a.local_log_write_ms:g} ms, {link.round_trips} round "
        f"trips, route factor {link.route_factor:g}, {a.log_write_kib:g} KiB writes, "
        f"overhead {a.mirror_overhead_ms:g} ms, peak link utilisation "
        f"{design.peak_utilization_fraction:,.0%} (Method §4).",
    )
    return fig


def utilization_by_hour(design: Design) -> go.Figure:
    """Replication traffic by hour of the day in each direction, against the effective rate."""
    hours = list(range(24))
    fig = go.Figure()
    for direction in design.directions:
        fig.add_bar(x=hours, y=direction.hourly_rate_mbps, name=direction.label)
    warn = design.a.link_utilization_warn_fraction
    limit_line(
        fig, design.effective_rate_mbps, f"effective rate {design.effective_rate_mbps:,.0f} Mbit/s"
    )
    limit_line(
        fig,
        design.effective_rate_mbps * warn,
        f"{warn:,.0%} warning level",
        dash="dot",
        colour=WARNING_COLOUR,
    )
    fig.update_layout(
        title="Replication traffic by hour of the day",
        xaxis_title="hour",
        yaxis_title="rate [Mbit/s]",
        barmode="group",
        **LAYOUT,
    )
    note(
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
    limit_line(
        fig, design.scenario.targets.rpo_min, f"target {design.scenario.targets.rpo_min:g} min"
    )
    fig.update_layout(
        title="MirrorView/A recovery point over the day",
        xaxis={"title": "hour of day", "range": [0, MIN_PER_DAY / MIN_PER_H]},
        yaxis={"title": "RPO [min]", "rangemode": "tozero"},
        **LAYOUT,
    )
    r = design.scenario.replication
    note(
        fig,
        f"Updates timed from the {glossary.label(glossary.UPDATE_TYPE, r.update_type)}, "
        f"interval {r.update_interval_min or '-'} min, "
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
    limit_line(
        fig, design.scenario.targets.rpo_min, f"target {design.scenario.targets.rpo_min:g} min"
    )
    here = design.async_cycle.worst_rpo_min
    if here is not None:
        fig.add_scatter(
            x=[base],
            y=[here],
            name="this design",
            mode="markers",
            marker={"size": 12, "symbol": "diamond", "color": DESIGN_COLOUR},
        )
    if all(w is None for w in worst):
        fig.add_annotation(
            text="unbounded at every rate shown:<br>a day's writes exceed the link",
            xref="paper", yref="paper", x=0.5, y=0.5, showarrow=False,
        )  # fmt: skip
    ticks = log_ticks(float(rates.min()), float(rates.max()))
    fig.update_layout(
        title="MirrorView/A worst RPO against link rate",
        xaxis={
            "title": "effective link rate [Mbit/s]",
            "type": "log",
            **(
                {"tickvals": ticks, "ticktext": [f"{v:,g}" for v in ticks]}
                if len(ticks) > 1
                else {}
            ),
        },
        yaxis={"title": "worst RPO [min]", "rangemode": "tozero"},
        **LAYOUT,
    )
    note(
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
    limit_line(fig, limit, f"largest CG allowed: {limit} LUNs")
    fig.update_layout(
        barmode="stack",
        title="LUNs per consistency group",
        xaxis={"title": "consistency group", "type": "category", **turned_labels(names)},
        yaxis={"title": "LUNs", "rangemode": "tozero"},
        **{**LAYOUT, "height": LAYOUT["height"] + turned_labels_px(names)},
    )
    shown = (
        f"The {MAX_BARS} largest of {len(plan.cgs):,} consistency groups. "
        if len(plan.cgs) > MAX_BARS
        else ""
    )
    note(
        fig,
        f"{shown}Consistency groups {glossary.label(glossary.CG_POLICY, plan.policy)}; a storage "
        "group's database and log LUN always share a group; "
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
    limit_line(fig)
    fig.update_layout(
        title="Limit usage over the years (busiest array)",
        xaxis={"title": "year", "dtick": 1},
        yaxis={"title": "share of limit", "tickformat": ".0%", "rangemode": "tozero"},
        **LAYOUT,
    )
    g = design.scenario.growth
    note(
        fig,
        f"Users grow {g.users_per_year_fraction:,.0%} a year; storage groups are re-derived "
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
    limit_line(fig)
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
    note(
        fig,
        "Bars show each object's state; the colours say whether a usable remote copy "
        "exists (Method §8).",
    )
    return fig


STATE_BOX_WIDTH = 0.9
"""A state's box in the state diagram, in grid units (the states sit on a 6 × 6 grid). [unit]"""
STATE_BOX_HEIGHT = 0.62
STATE_GRID_RANGE = (-0.5, 5.5)
"""The diagram's axes, in grid units: the outer boxes' edges 0.05 units inside them. [unit]"""
STATE_MARGIN = {"l": 16, "r": 16, "t": 50, "b": 16}
STATE_HEIGHT_PX = 500
STATE_MIN_WIDTH_PX = 540
"""The narrowest the diagram is drawn at and still fits its labels: the documents give it a
680 px column. [px]"""
STATE_FONT_PX = 8
STATE_CHAR_PX = 0.62 * STATE_FONT_PX
"""The widest average character of the labels (Arial's capitals and digits). [px]"""
STATE_LINE_PX = 1.3 * STATE_FONT_PX
STATE_PAD_PX = 5
"""Clear space between a label and its box's edge, on each side. [px]"""


def state_box_px(width_px: float = STATE_MIN_WIDTH_PX) -> tuple[float, float]:
    """A state's box in pixels, width and height, when the diagram is ``width_px`` wide."""
    units = STATE_GRID_RANGE[1] - STATE_GRID_RANGE[0]
    plot_w = width_px - STATE_MARGIN["l"] - STATE_MARGIN["r"]
    plot_h = STATE_HEIGHT_PX - STATE_MARGIN["t"] - STATE_MARGIN["b"]
    return STATE_BOX_WIDTH * plot_w / units, STATE_BOX_HEIGHT * plot_h / units


def state_label_chars(width_px: float = STATE_MIN_WIDTH_PX) -> int:
    """The most characters a label line may have to fit its box, less the padding."""
    return int((state_box_px(width_px)[0] - 2 * STATE_PAD_PX) // STATE_CHAR_PX)


def state_label_lines(state: str, condition: str, chars: int | None = None) -> list[str]:
    """A state's label as the lines drawn in its box: the state, then the condition wrapped at
    word boundaries to the box's width (:func:`state_label_chars`).

    >>> state_label_lines("Consistent", "Queued to be synchronized", 14)
    ['Consistent', 'Queued to be', 'synchronized']
    """
    chars = chars or state_label_chars()
    if len(condition) > chars:
        condition = condition.replace("Administratively ", "Admin. ")
    wrap = textwrap.TextWrapper(chars, break_long_words=False, break_on_hyphens=False).wrap
    return [*wrap(state), *wrap(condition)]


def _box_edge(cx: float, cy: float, dx: float, dy: float) -> tuple[float, float]:
    """Where the ray from a box's centre (cx, cy) along (dx, dy) leaves the box, a little out."""
    hw, hh = STATE_BOX_WIDTH / 2 + 0.04, STATE_BOX_HEIGHT / 2 + 0.04
    s = min(hw / abs(dx) if dx else np.inf, hh / abs(dy) if dy else np.inf)
    return cx + s * dx, cy + s * dy


def state_diagram() -> go.Figure:
    """The states of a consistency group's secondary image and the transitions between them:
    one box per state, its label wrapped to fit, arrows from box edge to box edge."""
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
        dx, dy = pb.x - pa.x, pa.y - pb.y
        x0, y0 = _box_edge(pa.x, -pa.y, dx, dy)
        x1, y1 = _box_edge(pb.x, -pb.y, -dx, -dy)
        fig.add_annotation(
            x=x1, y=y1, ax=x0, ay=y0, xref="x", yref="y", axref="x", ayref="y",
            showarrow=True, arrowhead=2, arrowsize=1.2, arrowwidth=1, arrowcolor="#8a96a3",
            text="",
        )  # fmt: skip
    half_w, half_h = STATE_BOX_WIDTH / 2, STATE_BOX_HEIGHT / 2
    for n in table.values():
        fill = "#5b7db1" if n.key == "primary/local_only" else colour[n.usable][n.protected]
        fig.add_shape(
            type="rect", x0=n.x - half_w, x1=n.x + half_w, y0=-n.y - half_h, y1=-n.y + half_h,
            fillcolor=fill, line={"width": 0}, layer="above",
        )  # fmt: skip
        fig.add_annotation(  # its background hides the arrows that cross the box
            x=n.x, y=-n.y, xref="x", yref="y", showarrow=False, bgcolor=fill, borderpad=2,
            text="<br>".join(state_label_lines(n.state, n.condition)),
            font={"size": STATE_FONT_PX, "color": "white"}, hovertext=n.meaning,
        )  # fmt: skip
    fig.update_layout(
        title={"text": "States of a consistency group's secondary image", "font": {"size": 15}},
        xaxis={"visible": False, "range": list(STATE_GRID_RANGE)},
        yaxis={"visible": False, "range": [-STATE_GRID_RANGE[1], -STATE_GRID_RANGE[0]]},
        **{**LAYOUT, "height": STATE_HEIGHT_PX, "margin": STATE_MARGIN},
    )
    note(
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
    marker_line(fig, target_rpo_min, f"target RPO {target_rpo_min:g} min", "dash", LIMIT_COLOUR)
    fig.update_layout(
        title="Data lost by random disasters over a year",
        xaxis={
            "title": "data lost (minutes of writes)"
            + (", at least" if mc.data_loss_unbounded else ""),
            "rangemode": "tozero",
        },
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
    bound = (
        f" MirrorView/A never catches up: each loss is a lower bound after "
        f"{glossary.days(mc.days_in_service)} in service, "
        f"{mc.lag_growth_h_per_day or 0:,.1f} h "
        "more every further day."
        if mc.data_loss_unbounded
        else ""
    )
    note(
        fig,
        f"{mc.runs:,} disasters at random times (seed {mc.seed}){outages}; "
        f"{mc.unrecoverable_fraction:.2%} left no usable copy.{none}{bound} (Method §8)",
    )
    return fig


# --- sizing study: options side by side, sweeps, tornado -------------------------------------
# Figures of the sizing study document; each presents what srmkit.options assembled.

OPTION_COLOURS = {"worst": "#a4161a", "mean": "#5b7db1"}
OPTION_ROW_PX = 56
"""Height of an option's row in the options' figure: its three-line name and two bars. [px]"""


def _option_name(o: Option) -> str:
    """An option's name on a category axis (two short lines)."""
    if o.kind == "model":
        name = o.arrays[0].model if o.arrays else o.label
    elif o.mode == "sync":
        name = "MirrorView/S"
    elif o.update_interval_min is None:
        name = "MirrorView/A<br>at set times"
    else:
        name = f"MirrorView/A<br>{o.update_interval_min:g} min, {o.update_type}"
    return name + ("<br>(this design)" if o.is_design else "")


def options_rpo(comparison: Comparison) -> go.Figure:
    """Worst and mean recovery point of each mirroring option, against the target: one row
    per option, its name beside it (legible at any width), its values at the bars' ends."""
    group = comparison.mode_options
    names = [_option_name(o) for o in group]
    fig = go.Figure()
    target = comparison.thresholds.rpo_target_min
    marker_line(fig, target, f"target RPO {target:g} min", "dash", "#333", layer="below")
    for label, values, colour, say in (
        ("mean RPO", [o.mean_rpo_min for o in group], OPTION_COLOURS["mean"], False),
        ("worst RPO", [o.worst_rpo_min for o in group], OPTION_COLOURS["worst"], True),
    ):
        fig.add_bar(
            orientation="h",
            y=names,
            # An unbounded option has no bar, only its worst-RPO label (one per option).
            x=[0.0 if v is None else v for v in values],
            name=label,
            marker={"color": colour},
            text=[or_unbounded(v, digits=0) if v is not None or say else "" for v in values],
            textposition="outside",
            constraintext="inside",  # a label beside its bar keeps its size, however thin the bar
            cliponaxis=False,
            customdata=[or_unbounded(v, "min") for v in values],
            hovertemplate="%{y}: %{customdata}<extra>" + label + "</extra>",
        )
    fig.update_layout(
        barmode="group",
        title="Recovery point of each mirroring option",
        xaxis={"title": "recovery point [min]", "rangemode": "tozero"},
        yaxis={"type": "category", "categoryorder": "array", "categoryarray": names[::-1]},
        legend_traceorder="reversed",  # worst, mean, target: as each row shows them
        **{**LAYOUT, "height": 150 + OPTION_ROW_PX * len(names)},
    )
    note(
        fig,
        "MirrorView/S loses no committed write (RPO 0). MirrorView/A from the simulated update "
        "cycle over the repeated daily profile; 'start' counts the interval from the start of "
        "the last update, 'end' from its end (Method §5).",
    )
    return fig


def model_headroom(comparison: Comparison) -> go.Figure:
    """Mirrors still free on the fullest array for each model, now and at the horizon
    (below zero: over the model's limit)."""
    group = comparison.model_options
    names = [_option_name(o) for o in group]
    years = comparison.horizon_years
    fig = go.Figure()
    for label, values in (
        ("now", [o.mirrors_headroom_now for o in group]),
        (f"year {years}", [o.mirrors_headroom_at_horizon for o in group]),
    ):
        fig.add_bar(x=names, y=[np.nan if v is None else v for v in values], name=label)
    limit_line(fig, 0, "model limit")
    fig.update_layout(
        barmode="group",
        title="Mirrors free on the fullest array, by model",
        xaxis={"title": "model on every array", "type": "category", "tickangle": 0},
        yaxis={"title": "mirrors free [count]"},
        **LAYOUT,
    )
    note(
        fig,
        f"Limits of the white paper's Tables 2 and 3 for {MODE_NAME[comparison.mode]}; every "
        "mirror counts on the array of its primary and of its secondary image (Method §7).",
    )
    return fig


def _panels(s: Sweep) -> list[str]:
    """The outputs a sweep's figure shows: the mode's headline, what varies, and the link."""
    panels = ["added_latency_ms"] if s.mode == "sync" else ["worst_rpo_min"]
    for name in ("required_rate_mbps", "rto_min", "mirrors_usage_fraction"):
        values = s.values(name)
        known = values[np.isfinite(values)]
        if known.size and float(known.max() - known.min()) > 1e-9:
            panels.append(name)
    panels.append("peak_utilization_fraction")
    return panels


def _panel_line(name: str, t: Thresholds) -> tuple[float, str] | None:
    """The target or limit line of a panel."""
    return {
        "worst_rpo_min": (t.rpo_target_min, f"target {t.rpo_target_min:g} min"),
        "added_latency_ms": (
            t.added_latency_limit_ms,
            f"log writes reach {t.log_write_limit_ms:g} ms",
        ),
        "rto_min": (t.rto_target_min, f"target {t.rto_target_min:g} min"),
        "required_rate_mbps": (
            t.effective_rate_mbps,
            f"this link gives {t.effective_rate_mbps:,.0f} Mbit/s",
        ),
        "peak_utilization_fraction": (
            t.utilization_warn_fraction,
            f"{t.utilization_warn_fraction:,.0%} warning level",
        ),
        "mirrors_usage_fraction": (1.0, "model limit"),
    }.get(name)


PANEL_HEIGHT_PX = 190
"""Height of one panel of a sweep's figure, with its share of the gaps between panels, while
the figure fits a page (:data:`FIGURE_MAX_HEIGHT_PX`). [px]"""
PANEL_GAP_PX = 54
"""Gap between two panels of a sweep's figure, which holds the lower panel's title. [px]"""
PANEL_TITLE_FONT_PX = 13


def _panel_title(name: str, t: Thresholds) -> str:
    """A sweep panel's title: what it shows and its unit, and below it, smaller, what the
    panel's dashed line marks (the line has no label of its own that could cover the data)."""
    words, unit = METRIC_WORDS[name]
    title = words + ("" if "fraction" in name else f" [{unit}]")
    line = _panel_line(name, t)
    return (
        title
        if line is None
        else f'{title}<br><span style="font-size: 11px">dashed: {line[1]}</span>'
    )


def log_ticks(low: float, high: float) -> list[float]:
    """Tick values 1, 2 and 5 times a power of ten from ``low`` to ``high``.

    >>> log_ticks(250, 4000)
    [500.0, 1000.0, 2000.0]
    """
    out: list[float] = []
    for power in range(int(np.floor(np.log10(low))), int(np.ceil(np.log10(high))) + 1):
        out += [m * 10.0**power for m in (1, 2, 5) if low <= m * 10.0**power <= high]
    return out


def sweep_figure(s: Sweep, thresholds: Thresholds) -> go.Figure:
    """The figures of a sweep, one panel each, with the design's point and the targets."""
    from plotly.subplots import make_subplots

    panels = _panels(s)
    titles = [_panel_title(p, thresholds) for p in panels]
    panel_px = min(PANEL_HEIGHT_PX, (FIGURE_MAX_HEIGHT_PX - 130) / len(panels))
    fig = make_subplots(
        rows=len(panels),
        cols=1,
        shared_xaxes=True,
        vertical_spacing=PANEL_GAP_PX / (panel_px * len(panels)),
        subplot_titles=titles,
    )
    fig.update_annotations(font_size=PANEL_TITLE_FONT_PX)
    x = s.x_array
    in_legend = False
    for row, name in enumerate(panels, start=1):
        fig.add_scatter(
            x=x,
            y=s.values(name),
            mode="lines+markers",
            name=METRIC_WORDS[name][0],
            marker={"size": 4},
            showlegend=False,
            row=row,
            col=1,
        )
        line = _panel_line(name, thresholds)
        if line is not None:  # named in the panel's title
            limit_line(fig, line[0], None, row=row, col=1)
        here = s.design_point
        if here is not None and s.design_x is not None:
            value = getattr(here, name)
            if value is not None:
                fig.add_scatter(
                    x=[s.design_x],
                    y=[value],
                    mode="markers",
                    name="this design",
                    marker={"size": 11, "symbol": "diamond", "color": DESIGN_COLOUR},
                    showlegend=not in_legend,  # once, from the first panel that has it
                    row=row,
                    col=1,
                )
                in_legend = True
        if "fraction" in name:
            fig.update_yaxes(tickformat=".0%", row=row, col=1)
        fig.update_yaxes(rangemode="tozero", row=row, col=1)
    if s.design_x is not None:
        fig.add_vline(x=s.design_x, line_dash="dot", line_color="#555", row="all", col=1)
    if s.key in ("link_rate", "update_interval"):
        ticks = log_ticks(float(x.min()), float(x.max()))
        fig.update_xaxes(type="log", tickvals=ticks, ticktext=[f"{v:,g}" for v in ticks])
    if s.key == "growth":
        fig.update_xaxes(tickformat=".0%")
    unit = "" if s.unit in ("fraction", "factor") else f" [{s.unit}]"
    fig.update_xaxes(title_text=f"{glossary.in_sentence(s.label)}{unit}", row=len(panels), col=1)
    when = f" at year {s.year}" if s.year else ""
    title = f"{s.label}: what changes{when}"
    if len(title) > TITLE_CHARS:
        title = f"{s.label}:<br>what changes{when}"
    fig.update_layout(
        title=title,
        **{
            **LAYOUT,
            "height": 130 + panel_px * len(panels),
            # room for the title's lines above the first panel's title
            "margin": {
                **LAYOUT["margin"],
                "t": PANEL_GAP_PX + TITLE_TOP_PX + TITLE_LINE_PX * (title.count("<br>") + 1),
            },
        },
    )
    note(fig, s.note + " Blank where a figure is unbounded.")
    return fig


TORNADO_LABEL_CHARS = 26
"""The longest line of an input's name beside its tornado bar. [characters]"""


def tornado_figure(t: Tornado) -> go.Figure:
    """How far the headline figure moves when each input moves down and up by the same step."""
    label, unit = METRIC_WORDS[t.metric]
    step = f"{t.step_fraction:,.0%}"
    sides: tuple[tuple[Literal["low", "high"], str, str], ...] = (
        ("low", "−", "#5b7db1"),
        ("high", "+", "#a4161a"),
    )
    names = []
    for r in t.rows:
        flags = [
            f"unbounded at {sign}{step}"
            for side, sign, _ in sides
            if r.change(t.metric, side) is None and r.base.value(t.metric) is not None
        ]
        year = f" (at year {r.year})" if r.year else ""
        name = r.label + year + (f" ({'; '.join(flags)})" if flags else "")
        names.append(wrap(name, TORNADO_LABEL_CHARS))
    fig = go.Figure()
    for side, sign, colour in sides:
        changes = [r.change(t.metric, side) for r in t.rows]
        fig.add_bar(
            orientation="h",
            y=names,
            x=[np.nan if c is None else c for c in changes],
            name=f"input {sign}{step}",
            marker={"color": colour},
            opacity=0.85,
            hovertemplate="%{y}: %{x:+.3g} " + unit + "<extra></extra>",
        )
    fig.add_vline(x=0, line_color="#333")
    fig.update_layout(
        barmode="overlay",
        title=wrap(f"What moves the {label} most", TITLE_CHARS),
        xaxis={
            "title": wrap(f"change of the {label} [{unit}]", AXIS_TITLE_CHARS),
            "zeroline": True,
        },
        yaxis={"categoryorder": "array", "categoryarray": names[::-1], "automargin": True},
        **{**LAYOUT, "height": 160 + 60 * max(len(names), 1)},
    )
    note(
        fig,
        f"Each input moved {step} down and up from the design's value, one at a time, the "
        "others held; sorted by the swing, largest first. Growth changes only later years: its "
        "bars compare the figures at the end of the horizon.",
    )
    return fig


def sp_balance(design: Design) -> go.Figure:
    """Capacity each storage processor owns on each array, by kind of LUN, as the build book
    allocates it (Method §10)."""
    from srmkit.luns import IMAGE_TEXT, Image

    allocation = design.build.allocation
    arrays = [a.name for a in design.scenario.arrays if allocation.counts(a.name)]
    x = [[a for a in arrays for _ in "AB"], [f"SP {sp}" for _ in arrays for sp in "AB"]]
    fig = go.Figure()
    kinds: list[Image] = list(IMAGE_TEXT)  # type: ignore[arg-type]
    for kind in kinds:
        label = IMAGE_TEXT[kind]
        gib = [
            sum(v.capacity_gib for v in allocation.of(a, kind) if v.sp == sp)
            for a in arrays
            for sp in ("A", "B")
        ]
        if any(gib):
            fig.add_bar(
                x=x,
                y=gib,
                name=label,
                hovertemplate="%{x}: %{y:,.0f} GiB<extra>" + label + "</extra>",
            )
    fig.update_layout(
        barmode="stack",
        title="Capacity owned by each storage processor",
        xaxis={"title": "array and storage processor"},
        yaxis={"title": "GiB", "rangemode": "tozero", "tickformat": ",.0f"},
        **LAYOUT,
    )
    note(
        fig,
        "Each consistency group is owned by one SP on both its arrays (MirrorView paths join SP A "
        "to SP A and SP B to SP B), given in turn to the SP with less capacity; reserved and "
        "write intent log LUNs alternate between the SPs (Method §10).",
    )
    return fig
