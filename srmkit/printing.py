"""PDF printing: the run's HTML documents printed to A4 by one headless Chromium.

Pages load plotly.js from one local file beside them, which Chromium compiles once per run; the
browser starts in the background and warms itself while the first notebook executes.
"""

from __future__ import annotations

import html
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

from srmkit.browser import Chromium, wait_for_figures
from srmkit.execution import inline_script, plotly_js
from srmkit.schema import Scenario

if TYPE_CHECKING:
    from playwright.sync_api import Page

PLOTLY_FILE = "plotly.min.js"


def _footer(scenario: Scenario) -> str:
    doc = scenario.document
    return (
        '<div style="font-size:7pt;width:100%;padding:0 12mm;color:#555;display:flex;'
        'justify-content:space-between;font-family:sans-serif">'
        f"<span>{html.escape(doc.customer)} · {html.escape(doc.confidentiality.upper())}</span>"
        '<span>page <span class="pageNumber"></span> of <span class="totalPages"></span></span>'
        "</div>"
    )


def _script_src(name: str) -> str:
    # The charset matters: Chromium reuses its compiled plotly.js only for the same decoded text.
    return f'<script charset="utf-8" src="{name}"></script>'


def warm_page() -> str:
    """A small page whose load makes Chromium compile plotly.js before the first document."""
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8">{_script_src(PLOTLY_FILE)}</head>'
        '<body><p>srmkit</p><div id="f"></div>'
        "<script>Plotly.newPlot('f', [{x: [1, 2], y: [1, 2]}])</script></body></html>"
    )


class Printer:
    """Prints the run's HTML documents to PDF in one background browser (working in ``folder``)."""

    def __init__(self, folder: Path) -> None:
        self.js = plotly_js()
        self.chromium = Chromium(folder, assets={PLOTLY_FILE: self.js}, warm_html=warm_page)

    def pdf(self, document_html: str, output: Path, scenario: Scenario) -> None:
        """Print one document (its plotly.js loaded from the browser's folder) to A4 PDF.

        Loading and drawing may take 30 s plus 10 s per MB of HTML before the print fails.
        """
        timeout_s = 30 + 10 * len(document_html) / 1e6
        page_file = self.chromium.folder / f"print-{uuid.uuid4().hex}.html"
        page_file.write_text(
            document_html.replace(inline_script(self.js), _script_src(PLOTLY_FILE), 1),
            encoding="utf-8",
        )
        footer = _footer(scenario)

        def print_page(page: Page) -> None:
            page.goto(page_file.as_uri(), wait_until="load", timeout=timeout_s * 1000)
            wait_for_figures(page, timeout_s * 1000)
            page.emulate_media(media="print")
            page.pdf(
                path=str(output),
                format="A4",
                print_background=True,
                display_header_footer=True,
                header_template="<span></span>",
                footer_template=footer,
                margin={"top": "15mm", "bottom": "18mm", "left": "12mm", "right": "12mm"},
            )

        try:
            self.chromium.call(print_page)
        finally:
            page_file.unlink(missing_ok=True)

    def close(self) -> None:
        """Stop the browser."""
        self.chromium.close()
