"""PDF and Word: the run's HTML documents printed to A4 by one headless Chromium, and written as
DOCX (:mod:`srmkit.word`) by pandoc from the same page, laid out as printed.

Pages load plotly.js from one local file beside them, which Chromium compiles once per run; the
browser starts in the background and warms itself while the first notebook executes.
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterator
from concurrent.futures import Future
from pathlib import Path
from typing import TYPE_CHECKING, Any

from srmkit.browser import Chromium, wait_for_figures
from srmkit.documents.finish import CONTENT_WIDTH_PX
from srmkit.execution import ReportError, inline_script, plotly_js
from srmkit.word import DocxProperties, docx_body, write_docx

if TYPE_CHECKING:
    from playwright.sync_api import Page

PLOTLY_FILE = "plotly.min.js"
PAGE_BASE_S = 10.0
PAGE_PER_MB_S = 40.0
"""The watchdog's time for a document: :data:`PAGE_BASE_S` plus :data:`PAGE_PER_MB_S` per MB
of its page (:func:`page_time_s`). Measured on 2 cores busy with the next notebook: the example's
four documents (pages of 0.17 to 0.39 MB) load, draw, print twice and go through pandoc in 3 to
9 s (pandoc 0.4 to 3.2 s of it), given 25 to 38 s; the 10,000-server build book (3.8 MB) in 33 s,
given 242 s.
A browser that stopped answering no longer holds a document 44 s (the page timeout): a process
that ends or stays stopped is seen within 2 s (:data:`srmkit.browser.STOPPED_S`)."""
PRINT_VIEWPORT_HEIGHT_PX = 1000
PDF_OPTIONS: dict[str, Any] = {
    "prefer_css_page_size": True,  # A4 and margins from the document's @page rules
    "print_background": True,
    "outline": True,  # PDF bookmarks from the headings
    "tagged": True,
}
HEADINGS_JS = """() => [...document.querySelectorAll('h1.srm-h, h2.srm-h')]
    .map(h => [h.id, h.textContent.replace(/\\s+/g, ' ').trim()])"""
FILL_TOC_JS = """(pages) => { for (const slot of document.querySelectorAll('.srm-toc-page')) {
    const page = pages[slot.dataset.for]; if (page) slot.textContent = String(page); } }"""


def _outline_titles(reader: Any, items: Any) -> Iterator[tuple[str, int]]:
    for item in items:
        if isinstance(item, list):
            yield from _outline_titles(reader, item)
        else:
            yield " ".join(str(item.title).split()), reader.get_destination_page_number(item) + 1


def heading_pages(pdf: bytes, headings: list[list[str]]) -> dict[str, int]:
    """Each heading's printed page (1-based), by heading id, read from the PDF's outline."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    by_title: dict[str, int] = {}
    for title, page in _outline_titles(reader, reader.outline):
        by_title.setdefault(title, page)
    return {ident: by_title[text] for ident, text in headings if text in by_title}


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
    """Prints the run's HTML documents to PDF, and writes them as DOCX, with one background
    browser (working in ``folder``; its temporary files, too)."""

    def __init__(self, folder: Path) -> None:
        self.js = plotly_js()
        self.chromium = Chromium(
            folder,
            assets={PLOTLY_FILE: self.js},
            warm_html=warm_page,
            # Laid out as printed: figures are drawn once, as wide as the page's content.
            viewport_px=(CONTENT_WIDTH_PX, PRINT_VIEWPORT_HEIGHT_PX),
            error=ReportError,
        )

    @property
    def pid(self) -> int | None:
        """The process id of the browser now (it changes when the browser is started again)."""
        return self.chromium.pid

    def render(
        self,
        document_html: str,
        pdf: Path | None,
        docx: Path | None,
        properties: DocxProperties | None = None,
        word_template: Path | None = None,
    ) -> Future[None]:
        """Queue one document for printing to A4 PDF and/or writing as DOCX (figures as
        images); the browser's thread does it while the caller goes on (the next notebook
        executes meanwhile). The future holds the outcome.

        The page loads plotly.js from the browser's folder. A watchdog gives the document
        :func:`page_time_s` for its size: a browser that dies or stops answering is started
        again and the document printed again, once; a second failure fails it in one line
        (:class:`ReportError`).
        """
        page_html = document_html.replace(inline_script(self.js), _script_src(PLOTLY_FILE), 1)
        timeout_s = page_time_s(len(page_html), docx is not None)
        page_file = self.chromium.folder / f"print-{uuid.uuid4().hex}.html"
        page_file.write_text(page_html, encoding="utf-8")

        def in_browser(page: Page) -> None:  # may run twice: see Chromium.submit
            page.emulate_media(media="print")
            page.goto(page_file.as_uri(), wait_until="load", timeout=timeout_s * 1000)
            wait_for_figures(page, timeout_s * 1000)
            if pdf is not None:
                # Pass 1: print, and read from the PDF outline on which page each heading is.
                first = page.pdf(**PDF_OPTIONS)
                pages = heading_pages(first, page.evaluate(HEADINGS_JS))
                if pages:
                    # Pass 2: the contents with page numbers (a fixed-width slot).
                    page.evaluate(FILL_TOC_JS, pages)
                page.pdf(path=str(pdf), **PDF_OPTIONS)
            if docx is not None:
                write_docx(docx_body(page), docx, properties, word_template)

        what = " and ".join(p.name for p in (pdf, docx) if p is not None)
        future = self.chromium.submit(in_browser, timeout_s, f"writing {what}")
        future.add_done_callback(lambda _: page_file.unlink(missing_ok=True))
        return future

    def close(self) -> None:
        """Stop the browser."""
        self.chromium.close()


def page_time_s(page_chars: int, docx: bool) -> float:
    """The watchdog's time for one document [s]: :data:`PAGE_BASE_S` plus
    :data:`PAGE_PER_MB_S` per MB of its page (plotly.js left out), half as much again with a
    Word document (pandoc runs in the same job).

    >>> page_time_s(250_000, False), page_time_s(250_000, True)
    (20.0, 30.0)
    """
    seconds = PAGE_BASE_S + PAGE_PER_MB_S * page_chars / 1e6
    return seconds * (1.5 if docx else 1)
