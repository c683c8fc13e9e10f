"""No text of a figure overlaps another, leaves its figure, or covers the bars it labels.

Every HTML document of every example is opened in headless Chromium at the printed width with
print media emulated (as :mod:`srmkit.printing` prints them); for every plotly figure the browser
measures each visible text of its SVG (tick labels, legend entries, annotations, titles, axis
titles, bar labels): the box of its glyphs (``getBBox``) carried to the page by the element's
transform (``getScreenCTM``), so a tick label turned 30° is the turned rectangle it covers, not
the wider upright box around it. The lines of a multi-line text are one box. Two texts may touch
but not overlap by more than :data:`TOLERANCE_PX`; each text lies inside its figure; an
annotation (a limit line's label, a subplot title) covers no bar and no marker.

The probes and the checks are here; :mod:`test_documents_opened` runs them on every document of
every example, as printed and then on a phone's 390 px screen, in the one load a document it
shares with the other layout checks.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    pass

pytestmark = [
    pytest.mark.notebook,
    pytest.mark.browser,
    pytest.mark.timeout(900),
    pytest.mark.usefixtures("need_browser"),
]

TOLERANCE_PX = 1.0
"""How far two texts, or a text and its figure's edge, may overlap (antialiasing). [px]"""
PHONE_WIDTH_PX = 390
"""A phone's screen width (iPhone 12 to 15) at which the documents may be read. [px]"""
VIEWPORT_HEIGHT_PX = 1000

Point = tuple[float, float]
Quad = list[Point]

FIGURE_TEXT_JS = r"""() => {
  const shown = el => {
    for (let e = el; e && e.nodeType === 1; e = e.parentElement) {
      const s = getComputedStyle(e);
      if (s.display === 'none' || s.visibility === 'hidden' || parseFloat(s.opacity) === 0)
        return false;
    }
    return true;
  };
  const KINDS = [['.legendtext', 'legend entry'], ['.legendtitletext', 'legend title'],
                 ['.annotation', 'annotation'], ['.gtitle', 'title'],
                 ['.bartext', 'bar label'], ['.textpoint', 'point label']];
  const kind = t => {  // an axis's tick labels sit in a group classed xtick, x2tick, y3tick ...
    const tick = /(?:^|\s)([xy])\d*tick(?:\s|$)/.exec(t.parentElement.getAttribute('class') || '');
    if (tick) return tick[1] + ' tick label';
    const title = /^([xy])\d*title$/.exec(t.getAttribute('class') || '');  // xtitle, y2title ...
    if (title) return title[1] + ' axis title';
    return (KINDS.find(([sel]) => t.closest(sel)) || [0, 'text'])[1];
  };
  const words = t => {  // the lines of a multi-line text, joined by spaces
    const lines = [...t.querySelectorAll('tspan.line')].map(l => l.textContent.trim());
    return (lines.length ? lines.join(' ') : t.textContent).trim();
  };
  const quad = el => {
    const b = el.getBBox(), m = el.getScreenCTM(), p = el.ownerSVGElement.createSVGPoint();
    const corners = [[b.x, b.y], [b.x + b.width, b.y], [b.x + b.width, b.y + b.height],
                     [b.x, b.y + b.height]];
    return corners.map(([x, y]) => {
      p.x = x; p.y = y; const q = p.matrixTransform(m); return [q.x, q.y];
    });
  };
  const rect = el => { const r = el.getBoundingClientRect();
    return [[r.left, r.top], [r.right, r.top], [r.right, r.bottom], [r.left, r.bottom]]; };
  const solid = el => {
    const r = el.getBoundingClientRect(); return r.width > 0.5 && r.height > 0.5;
  };
  return [...document.querySelectorAll('.plotly-graph-div')].map(div => {
    const texts = [];
    for (const t of div.querySelectorAll('.main-svg text')) {
      if (t.closest('.hoverlayer')) continue;
      if (!words(t) || !shown(t) || !solid(t)) continue;
      texts.push({kind: kind(t), text: words(t), quad: quad(t)});
    }
    const title = div.querySelector('.gtitle');
    const marks = sel => [...div.querySelectorAll(sel)].filter(p => shown(p) && solid(p)).map(rect);
    return {
      title: title ? words(title) : '(untitled figure)',
      frame: rect(div.querySelector('.main-svg')),
      texts,
      bars: marks('.barlayer .point path'),
      markers: marks('.scatterlayer .points path.point'),
    };
  });
}"""
"""Each figure of the page: its title, its SVG's box, its visible texts (kind, words, the four
corners of the box their glyphs cover, in page pixels), and the boxes of its bars and markers."""
WIDTH_JS = """() => Math.max(0, ...[...document.querySelectorAll('.plotly-graph-div')]
    .map(d => d.getBoundingClientRect().width))"""
"""The widest figure of the page. [px]"""
REDRAWN_JS = """() => [...document.querySelectorAll('.plotly-graph-div')].every(div => Math.abs(
    div.querySelector('.main-svg').getBoundingClientRect().width - div.clientWidth) <= 1)"""
"""Every figure drawn as wide as its box (plotly redraws a responsive figure on a resize)."""


@dataclass(frozen=True)
class Text:
    """A text of a figure: what it is, its words, and the corners of its box. [px]"""

    kind: str
    words: str
    quad: Quad

    def __str__(self) -> str:
        return f"{self.kind} {self.words[:50]!r}"


def _axes(quad: Quad) -> Iterator[Point]:
    """The normals of a quadrilateral's edges (the axes that may separate it from another)."""
    for (x0, y0), (x1, y1) in zip(quad, quad[1:] + quad[:1], strict=True):
        if (x1 - x0) or (y1 - y0):
            length = ((x1 - x0) ** 2 + (y1 - y0) ** 2) ** 0.5
            yield (y0 - y1) / length, (x1 - x0) / length


def overlap_px(a: Quad, b: Quad) -> float:
    """How deep two convex quadrilaterals overlap: the least overlap of their projections on
    their edges' normals (separating axes); zero or less when they are apart. [px]

    >>> square = [(0, 0), (10, 0), (10, 10), (0, 10)]
    >>> overlap_px(square, [(8, 5), (20, 5), (20, 15), (8, 15)])
    2.0
    >>> overlap_px(square, [(10, 0), (20, 0), (20, 10), (10, 10)])
    0.0
    >>> diamond = [(15, 5), (20, 10), (15, 15), (10, 10)]  # touching the square's corner area
    >>> overlap_px(square, diamond) <= 0
    True
    """
    depth = float("inf")
    for nx, ny in [*_axes(a), *_axes(b)]:
        pa = [x * nx + y * ny for x, y in a]
        pb = [x * nx + y * ny for x, y in b]
        depth = min(depth, min(max(pa), max(pb)) - max(min(pa), min(pb)))
    return depth


def outside_px(quad: Quad, frame: Quad) -> float:
    """How far a box reaches outside an upright frame (its SVG). [px]"""
    (left, top), (right, bottom) = frame[0], frame[2]
    xs, ys = [x for x, _ in quad], [y for _, y in quad]
    return max(left - min(xs), top - min(ys), max(xs) - right, max(ys) - bottom, 0.0)


def figure_problems(figure: dict[str, Any]) -> list[str]:
    """What is wrong with the texts of one measured figure (:data:`FIGURE_TEXT_JS`)."""
    texts = [Text(t["kind"], t["text"], [tuple(p) for p in t["quad"]]) for t in figure["texts"]]
    frame = [tuple(p) for p in figure["frame"]]
    problems = []
    for i, a in enumerate(texts):
        out = outside_px(a.quad, frame)
        if out > TOLERANCE_PX:
            problems.append(f"{a} is cut off: {out:.0f} px outside the figure")
        for b in texts[i + 1 :]:
            depth = overlap_px(a.quad, b.quad)
            if depth > TOLERANCE_PX:
                problems.append(f"{a} overlaps {b} by {depth:.0f} px")
    for a in texts:
        if a.kind != "annotation":
            continue
        for what, marks in (("a bar", figure["bars"]), ("a marker", figure["markers"])):
            depth = max((overlap_px(a.quad, m) for m in marks), default=0.0)
            if depth > TOLERANCE_PX:
                problems.append(f"{a} covers {what} by {depth:.0f} px")
    return problems


def document_problems(figures: Sequence[dict[str, Any]], where: str) -> list[str]:
    """Every problem of a document's figures, each naming the document and the figure."""
    return [
        f"{where}, figure {n} {fig['title']!r}: {problem}"
        for n, fig in enumerate(figures, start=1)
        for problem in figure_problems(fig)
    ]


def test_problems_are_found() -> None:
    """The checker sees an overlap, a text cut off at the figure's edge and an annotation on a
    bar (the documents' figures are checked by test_documents_opened, one load a document)."""
    frame = [[0, 0], [100, 0], [100, 50], [0, 50]]

    def box(x: float, y: float, w: float, h: float) -> list[list[float]]:
        return [[x, y], [x + w, y], [x + w, y + h], [x, y + h]]

    figure = {
        "title": "t",
        "frame": frame,
        "texts": [
            {"kind": "legend", "text": "log LUNs", "quad": box(10, 40, 30, 8)},
            {"kind": "xtick", "text": "CG_1", "quad": box(35, 42, 20, 8)},
            {"kind": "gtitle", "text": "LUNs per consistency group", "quad": box(80, 2, 40, 8)},
            {"kind": "annotation", "text": "model limit", "quad": box(60, 20, 20, 8)},
        ],
        "bars": [box(65, 10, 10, 30)],
        "markers": [],
    }
    found = document_problems([figure], "example")
    assert any("'log LUNs' overlaps xtick 'CG_1' by 5 px" in p for p in found), found
    assert any("is cut off: 20 px outside" in p for p in found), found
    assert any("'model limit' covers a bar" in p for p in found), found
    assert len(found) == 3, found
