"""The house style of srmkit's figures: where titles, legends and labels go so that no text
covers another or the data, at the printed width (680 px) as on a phone (390 px).

- the legend runs along the figure's bottom edge, below the x axis's labels and title, which
  push the margins out as far as they reach (plotly's automargin);
- a limit or target line is named in the legend (or in its panel's title), never by a label on
  the plot, where it would cover bars or markers;
- titles and long axis titles are broken into lines that fit a phone's screen;
- every point and bar shows its value with its axis title, which names the unit, on hover.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import Any

import plotly.graph_objects as go


def house_template() -> go.layout.Template:
    """plotly_white, with room for every text: each axis pushes the figure's margins out as
    far as its tick labels and title reach (however long or turned the labels), and the y tick
    labels stand a little off the axis, clear of the x axis's first label at the origin."""
    import plotly.io as pio

    template = go.layout.Template(pio.templates["plotly_white"])
    template.layout.xaxis.automargin = True
    template.layout.yaxis.automargin = True
    template.layout.yaxis.ticklabelstandoff = TICK_STANDOFF_PX
    # The title hangs from the top edge, where a second line pushes nothing else out.
    template.layout.title.update(y=1, yref="container", yanchor="top", pad_t=TITLE_TOP_PX)
    return template


TITLE_TOP_PX = 20
"""Space above a figure's title. [px]"""
TICK_STANDOFF_PX = 5
"""Space between the y axis and its tick labels, beyond plotly's own. [px]"""
LEGEND = {
    "orientation": "h",
    "x": 0,
    "xanchor": "left",
    "y": 0,
    "yanchor": "bottom",
    "yref": "container",
}
"""The legend along the figure's bottom edge: plotly reserves its rows there, and the x axis's
labels and title sit above it (never under it, however many rows either takes)."""
LAYOUT: dict[str, Any] = {
    "template": house_template(),
    "height": 380,
    "margin": {"l": 60, "r": 20, "t": 60, "b": 30},
    "legend": LEGEND,
    "showlegend": True,
}


FIGURE_MAX_HEIGHT_PX = 880
"""The tallest figure that prints on one A4 page with its caption and note: 259 mm of text
height at 96 px per inch is 979 px. [px]"""
TITLE_CHARS = 44
"""The longest line of a figure's title: it fits a phone's screen (390 px). [characters]"""
TITLE_LINE_PX = 24
"""Height of a line of a figure's title. [px]"""
AXIS_TITLE_CHARS = 36
"""The longest line of an axis title. [characters]"""


def wrap(text: str, chars: int) -> str:
    """Text broken into lines of at most ``chars`` characters at spaces, for a figure's title,
    axis title or category label (plotly breaks lines only where told: ``<br>``).

    >>> wrap("change of the write latency MirrorView/S adds [ms]", 36)
    'change of the write latency<br>MirrorView/S adds [ms]'
    """
    return "<br>".join(textwrap.wrap(text, chars, break_long_words=False, break_on_hyphens=False))


def note(fig: go.Figure, text: str) -> None:
    """Attach the assumptions a figure rests on; documents print them under the figure."""
    fig.update_layout(meta={"note": text})


LIMIT_COLOUR = "#a4161a"
"""Dashed red: a limit or target the design is held against."""
WARNING_COLOUR = "#b5651d"
"""Dotted amber: a warning level below a limit."""


def legend_line(fig: go.Figure, text: str, dash: str, colour: str) -> None:
    """A legend entry for a line drawn across the plot (a limit, a target): its label sits in
    the legend, where it never covers a bar, a marker or another label."""
    fig.add_scatter(
        x=[None],
        y=[None],
        mode="lines",
        line={"dash": dash, "color": colour},
        name=text,
        hoverinfo="skip",
    )


def limit_line(
    fig: go.Figure,
    y: float = 1.0,
    text: str | None = "model limit",
    dash: str = "dash",
    colour: str = LIMIT_COLOUR,
    **where: Any,
) -> None:
    """A dashed red line at a limit or target (by default the 100 % of a limit-usage figure),
    named in the legend; ``where`` places it in one panel of a figure with subplots (``row``,
    ``col``), whose title then names it (``text=None``)."""
    fig.add_hline(y=y, line_dash=dash, line_color=colour, **where)
    if text is not None:
        legend_line(fig, text, dash, colour)


def marker_line(
    fig: go.Figure, x: float, text: str, dash: str, colour: str, layer: str = "above"
) -> None:
    """A vertical line at a limit or target on the x axis, named in the legend; drawn above the
    data, or below it (``layer="below"``) where it would cross the bars' labels."""
    fig.add_vline(x=x, line_dash=dash, line_color=colour, layer=layer)
    legend_line(fig, text, dash, colour)


PLOT_WIDTH_PX = 600
"""The plot area of a figure in the documents' 680 px text column, less the y axis. [px]"""
TICK_CHAR_PX = 7.0
"""The widest average character of a 12 px tick label (Arial's capitals and digits). [px]"""


def _labels_lie_flat(labels: Sequence[str]) -> tuple[bool, float]:
    """Whether category labels fit side by side across the plot with two characters between
    them, and the longest one's length. [px]"""
    longest_px = max((len(label) for label in labels), default=0) * TICK_CHAR_PX
    return len(labels) * (longest_px + 2 * TICK_CHAR_PX) <= PLOT_WIDTH_PX, longest_px


def turned_labels(labels: Sequence[str]) -> dict[str, Any]:
    """The x axis's settings for category labels: flat where they fit with room between them,
    else upright, reading upwards. (Turned part-way, plotly lets neighbours come closer than
    a line's height: it judges overlap by the letters, not by their lines.)"""
    flat, _ = _labels_lie_flat(labels)
    return {} if flat else {"tickangle": -90}


def turned_labels_px(labels: Sequence[str]) -> float:
    """The height to add to a figure whose category labels are turned
    (:func:`turned_labels`), so that its bars keep their height. [px]"""
    flat, longest_px = _labels_lie_flat(labels)
    return 0.0 if flat else longest_px


def _axis_title(fig: go.Figure, axis: str) -> str:
    """An axis's title (which names its unit), or its letter when it has none."""
    layout_axis = fig.layout[f"{axis[0]}axis{axis[1:]}"]
    text = layout_axis.title.text if layout_axis is not None else None
    return str(text) if text else axis[0]


def _hover_value(fig: go.Figure, axis: str, values: Any) -> str:
    """A value placeholder for a hover label: text as it is, numbers as the axis shows them."""
    layout_axis = fig.layout[f"{axis[0]}axis{axis[1:]}"]
    first = next(iter(values), None) if values is not None else None
    if isinstance(first, str) or (layout_axis is not None and layout_axis.type == "category"):
        return f"%{{{axis[0]}}}"
    fmt = (layout_axis.tickformat if layout_axis is not None else None) or ",.4~g"
    return f"%{{{axis[0]}:{fmt}}}"


def hover_with_units(fig: go.Figure) -> go.Figure:
    """Give every scatter and bar trace without a hover label of its own one that shows each
    value with its axis's title, which names the unit (``worst RPO [min]: 47.8``)."""
    for trace in fig.data:
        if trace.type not in ("scatter", "bar") or trace.hovertemplate:
            continue
        if trace.hoverinfo in ("skip", "none"):
            continue
        x_axis, y_axis = trace.xaxis or "x", trace.yaxis or "y"
        x = _hover_value(fig, x_axis, trace.x)
        y = _hover_value(fig, y_axis, trace.y)
        trace.hovertemplate = f"{_axis_title(fig, x_axis)}: {x}<br>{_axis_title(fig, y_axis)}: {y}"
    return fig
