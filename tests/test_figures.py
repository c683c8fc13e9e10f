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
    totals = [sum(t.y[i] for t in fig.data) for i in range(len(design.plan.cgs))]
    assert totals == [cg.luns for cg in design.plan.cgs]
    assert fig.layout.shapes[0].y0 == 32  # CX4-480, MirrorView/S: 32 LUNs per CG


def test_rpo_figures_show_the_simulated_cycle() -> None:
    """The RPO sawtooth and the RPO-against-rate curve come from Design's simulation."""
    design = Design(load_scenario(PARAMS / "async-long-distance.yaml"))
    day = figures.rpo_over_day(design)
    assert max(day.data[0].y) == pytest.approx(design.async_cycle.worst_rpo_min)
    rate = figures.rpo_vs_rate(design)
    here = next(t for t in rate.data if t.name == "this design")
    assert here.x[0] == pytest.approx(design.effective_rate_mbps)


def test_state_diagram_labels_fit_their_boxes() -> None:
    """Every label line of the state diagram fits its box: at most STATE_LABEL_CHARS characters,
    and the box is wide enough for them at the documents' width (a 170 mm column, 640 px, less
    the 80 px margins; 8 pt text, at most 5.5 px a character) and tall enough for its lines
    (11 px each)."""
    from srmkit import states
    from srmkit.figures import (
        STATE_BOX_HEIGHT,
        STATE_BOX_WIDTH,
        STATE_LABEL_CHARS,
        state_diagram,
        state_label_lines,
    )

    fig = state_diagram()
    x_units = fig.layout.xaxis.range[1] - fig.layout.xaxis.range[0]
    y_units = fig.layout.yaxis.range[1] - fig.layout.yaxis.range[0]
    px_per_x = (640 - 80) / x_units
    px_per_y = (fig.layout.height - 120) / y_units
    assert STATE_BOX_WIDTH * px_per_x >= STATE_LABEL_CHARS * 5.5
    labels = {a.text for a in fig.layout.annotations if a.text}
    for n in states.image_states().values():
        lines = state_label_lines(n.state, n.condition)
        assert "<br>".join(lines) in labels
        assert all(len(line) <= STATE_LABEL_CHARS for line in lines), lines
        assert len(lines) * 11 <= STATE_BOX_HEIGHT * px_per_y, lines
