"""Document building blocks: escaping, generated numbering, table cells and the cover."""

from __future__ import annotations

import plotly.graph_objects as go
from conftest import EXAMPLE

from srmkit import load_scenario
from srmkit.documents import get_document
from srmkit.documents.blocks import Book, Col, cell, esc, paragraph


def book() -> Book:
    """A design-document book of the example."""
    return Book(get_document("design"), load_scenario(EXAMPLE))


def test_text_is_escaped() -> None:
    """Markup in params text is shown, never interpreted."""
    assert esc('<script>"x"</script>') == "&lt;script&gt;&quot;x&quot;&lt;/script&gt;"
    assert paragraph("a < b & c").markup == "<p>a &lt; b &amp; c</p>"


def test_sections_tables_and_figures_are_numbered_as_emitted() -> None:
    """h1 → 1, h2 → 1.1, 1.2, next h1 → 2 (subsections restart); tables and figures count on."""
    b = book()
    assert '<span class="srm-num">1</span> Introduction' in b.h1("Introduction").markup
    assert '<span class="srm-num">1.1</span>' in b.h2("Sites").markup
    assert '<span class="srm-num">1.2</span>' in b.h2("Arrays").markup
    assert '<span class="srm-num">2</span>' in b.h1("Workload").markup
    assert '<span class="srm-num">2.1</span>' in b.h2("Servers").markup
    first = b.table("One", [Col("A")], [["x"]]).markup
    second = b.table("Two", [Col("A")], [["y"]]).markup
    assert "Table 1. One" in first
    assert "Table 2. Two" in second
    assert "Figure 1. A figure" in b.figure(go.Figure(go.Bar(x=[1], y=[1])), "A figure").markup


def test_numbers_are_right_aligned_with_separators() -> None:
    """Numbers get thousands separators and the column's precision; text stays text."""
    assert cell(12678.75, 1) == ("12,678.8", True)
    assert cell(337.222042, 0) == ("337", True)
    assert cell(True, None) == ("yes", False)
    assert cell("<b>", None) == ("&lt;b&gt;", False)
    rows = [["EXMBX01", 3000], ["CX4-480 (this design)", 1]]
    markup = book().table("T", [Col("Name"), Col("Users", 0)], rows).markup
    assert '<tr><td class="txt srm-nowrap">EXMBX01</td><td class="num">3,000</td></tr>' in markup
    assert '<td class="txt">CX4-480 (this design)</td>' in markup  # wraps at its space


def test_cover_takes_the_documents_title() -> None:
    """The cover shows the registered document's title and the scenario's customer."""
    markup = book().cover().markup
    assert "Disaster recovery design" in markup
    assert "Northwind Traders" in markup
    assert "Confidential" in markup
