"""Figures present Design's numbers, use only the embedded plotly.js bundle's trace types, and
state the assumptions they rest on."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import plotly.graph_objects as go
import pytest
from conftest import EXAMPLE, EXAMPLES, PARAMS

from srmkit import figures, load_scenario
from srmkit.design import Design

FIGURES: dict[str, Callable[[Design], go.Figure]] = {
    "latency_vs_distance": figures.latency_vs_distance,
    "utilization_by_hour": figures.utilization_by_hour,
    "cg_layout": figures.cg_layout,
    "growth_vs_limits": figures.growth_vs_limits,
    "limit_usage": figures.limit_usage,
}
ASYNC_FIGURES: dict[str, Callable[[Design], go.Figure]] = {
    "rpo_over_day": figures.rpo_over_day,
    "rpo_vs_rate": figures.rpo_vs_rate,
}


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_every_figure_uses_the_bundles_trace_types(example: Path) -> None:
    """Each figure of each example uses only scatter, bar and pie (the embedded bundle)."""
    design = Design(load_scenario(example))
    makers = dict(FIGURES)
    if not design.is_sync:
        makers.update(ASYNC_FIGURES)
    for name, make in makers.items():
        fig = make(design)
        assert {t.type for t in fig.data} <= figures.TRACE_TYPES, name
        assert fig.layout.title.text, name


def test_latency_figure_marks_the_designs_point() -> None:
    """The design point is at the site distance and Design's log write latency."""
    design = Design(load_scenario(EXAMPLE))
    fig = figures.latency_vs_distance(design)
    point = next(t for t in fig.data if t.name == "this design")
    assert point.x[0] == design.scenario.link.distance_km
    assert point.y[0] == pytest.approx(design.log_write_latency_ms)
    assert "route factor 1.3" in fig.layout.meta["note"]


def test_cg_layout_stacks_every_lun() -> None:
    """Stacked bars add up to each CG's LUN count; the limit line is the pair's CG size."""
    design = Design(load_scenario(EXAMPLE))
    fig = figures.cg_layout(design)
    bars = [t for t in fig.data if t.type == "bar"]
    totals = [sum(t.y[i] for t in bars) for i in range(len(design.plan.cgs))]
    assert totals == [cg.luns for cg in design.plan.cgs]
    assert fig.layout.shapes[0].y0 == 32  # CX4-480, MirrorView/S: 32 LUNs per CG
    assert [t.name for t in fig.data if t.type == "scatter"] == ["largest CG allowed: 32 LUNs"]


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_texts_stay_off_the_plot_and_fit_a_phone(example: Path) -> None:
    """No figure labels its limit or target lines on the plot, where a label covers bars or
    markers: the legend names them (a sweep's panel title, for its panels); the only texts
    placed on the plot are the state diagram's boxes and a notice that every rate is unbounded.
    Every line of a title has at most TITLE_CHARS characters (it fits a 390 px phone)."""
    from srmkit.figure_style import TITLE_CHARS

    design = Design(load_scenario(example))
    makers = dict(FIGURES)
    if not design.is_sync:
        makers.update(ASYNC_FIGURES)
    made = [make(design) for make in makers.values()] + [figures.sp_balance(design)]
    for fig in made:
        title = fig.layout.title.text
        assert all(len(line) <= TITLE_CHARS for line in title.split("<br>")), title
        on_plot = [a.text for a in fig.layout.annotations if "paper" not in (a.xref, a.yref)]
        assert on_plot == [], title
        unbounded = [a.text for a in fig.layout.annotations if "unbounded" in a.text]
        assert len(fig.layout.annotations) == len(unbounded), title
        in_legend = {(t.line.dash, t.line.color) for t in fig.data if t.hoverinfo == "skip"}
        for shape in fig.layout.shapes:
            assert (shape.line.dash, shape.line.color) in in_legend, title


def test_rpo_figures_show_the_simulated_cycle() -> None:
    """The RPO sawtooth and the RPO-against-rate curve come from Design's simulation."""
    design = Design(load_scenario(PARAMS / "async-long-distance.yaml"))
    day = figures.rpo_over_day(design)
    assert max(day.data[0].y) == pytest.approx(design.async_cycle.worst_rpo_min)
    rate = figures.rpo_vs_rate(design)
    here = next(t for t in rate.data if t.name == "this design")
    assert here.x[0] == pytest.approx(design.effective_rate_mbps)


def test_state_diagram_labels_fit_their_boxes() -> None:
    """Every line of every state label fits its box, with its padding, at the documents' width
    (680 px), at 700 px and at the narrowest width the diagram is drawn at: the box measured from
    the figure's own shapes, axes and margins, each character at its widest estimate; boxes do not
    overlap, and every arrow runs inside the axes and ends outside the boxes (not on a label)."""
    from srmkit.documents.finish import CONTENT_WIDTH_PX
    from srmkit.figures import STATE_CHAR_PX, STATE_LINE_PX, STATE_MIN_WIDTH_PX, STATE_PAD_PX

    fig = figures.state_diagram()
    lay = fig.layout
    (x_lo, x_hi), (y_lo, y_hi) = lay.xaxis.range, lay.yaxis.range
    boxes = [(s.x0, s.x1, s.y0, s.y1) for s in lay.shapes]
    labels = [a for a in lay.annotations if not a.showarrow]
    arrows = [a for a in lay.annotations if a.showarrow]
    assert len(boxes) == len(labels) == 15
    assert arrows
    assert STATE_MIN_WIDTH_PX <= CONTENT_WIDTH_PX
    for width in (STATE_MIN_WIDTH_PX, CONTENT_WIDTH_PX, 700):
        px_x = (width - lay.margin.l - lay.margin.r) / (x_hi - x_lo)
        px_y = (lay.height - lay.margin.t - lay.margin.b) / (y_hi - y_lo)
        for a in labels:
            x0, x1, y0, y1 = next(b for b in boxes if b[0] < a.x < b[1] and b[2] < a.y < b[3])
            lines = a.text.split("<br>")
            for line in lines:
                assert len(line) * STATE_CHAR_PX + 2 * STATE_PAD_PX <= (x1 - x0) * px_x, (
                    width,
                    line,
                )
            assert len(lines) * STATE_LINE_PX + 2 * STATE_PAD_PX <= (y1 - y0) * px_y, lines
    for i, (a0, a1, b0, b1) in enumerate(boxes):
        assert x_lo <= a0 < a1 <= x_hi, "box outside the axes"
        assert y_lo <= b0 < b1 <= y_hi, "box outside the axes"
        for c0, c1, d0, d1 in boxes[i + 1 :]:
            assert a1 <= c0 or c1 <= a0 or b1 <= d0 or d1 <= b0, "boxes overlap"
    for a in arrows:
        for x, y in ((a.x, a.y), (a.ax, a.ay)):
            assert x_lo <= x <= x_hi
            assert y_lo <= y <= y_hi
            assert not any(b[0] < x < b[1] and b[2] < y < b[3] for b in boxes), (x, y)


@pytest.mark.parametrize(
    "path", [EXAMPLE, PARAMS / "async-long-distance.yaml"], ids=lambda p: p.stem
)
def test_every_hover_label_names_its_unit(path: Path) -> None:
    """In the documents every point and bar shows its value with a unit: a figure's own hover
    label, or its axis title (which names the unit) through the document's figure block."""
    from srmkit.documents.blocks import Book
    from srmkit.documents.registry import get_document

    design = Design(load_scenario(path))
    book = Book(get_document("design"), design.scenario)
    made = [
        figures.latency_vs_distance(design),
        figures.utilization_by_hour(design),
        figures.cg_layout(design),
        figures.growth_vs_limits(design),
        figures.limit_usage(design),
        figures.sp_balance(design),
    ]
    if not design.is_sync:  # the MirrorView/A figures
        made += [figures.rpo_over_day(design), figures.rpo_vs_rate(design)]
    for fig in made:
        markup = book.figure(fig, "caption").markup
        for trace in fig.data:
            if trace.type in ("scatter", "bar") and trace.hoverinfo not in ("skip", "none"):
                assert trace.hovertemplate, fig.layout.title.text
                assert "hovertemplate" in markup
    by_hand = figures.hover_with_units(figures.cg_layout(design))
    assert by_hand.data[0].hovertemplate == "consistency group: %{x}<br>LUNs: %{y:,.4~g}"
