"""PDF and Word: the run's HTML documents printed to A4 by one headless Chromium, and written as
DOCX by pandoc with the figures as images drawn by the same browser.

Pages load plotly.js from one local file beside them, which Chromium compiles once per run; the
browser starts in the background and warms itself while the first notebook executes.
"""

from __future__ import annotations

import base64
import io
import re
import tempfile
import uuid
from collections.abc import Iterator
from concurrent.futures import Future
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape as xml_escape

from srmkit.browser import Chromium, wait_for_figures
from srmkit.documents.finish import CONTENT_WIDTH_PX
from srmkit.execution import inline_script, plotly_js

if TYPE_CHECKING:
    from playwright.sync_api import Page

PLOTLY_FILE = "plotly.min.js"
PRINT_VIEWPORT_HEIGHT_PX = 1000
PDF_OPTIONS: dict[str, Any] = {
    "prefer_css_page_size": True,  # A4 and margins from the document's @page rules
    "print_background": True,
    "outline": True,  # PDF bookmarks from the headings
    "tagged": True,
}
HEADINGS_JS = """() => [...document.querySelectorAll('h1.srm-h, h2.srm-h')]
    .map(h => [h.id, h.textContent.replace(/\\s+/g, ' ').trim()])"""
WORD_BODY_JS = """async () => {
    for (const div of [...document.querySelectorAll('.plotly-graph-div')]) {
        const width = Math.round(div.offsetWidth || 680);
        const height = Math.round(div.offsetHeight || 380);
        const url = await Plotly.toImage(div, {format: 'png', width, height, scale: 1.5});
        const img = document.createElement('img');
        img.src = url; img.alt = 'figure'; img.style.width = (width * 0.75) + 'pt';
        (div.parentElement || div).replaceWith(img);
    }
    for (const el of document.querySelectorAll('script, style, .srm-contents')) el.remove();
    return document.body.innerHTML;
}"""
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


DATA_PNG = re.compile(r'src="data:image/png;base64,([^"]+)"')


@dataclass(frozen=True)
class DocxProperties:
    """What Word shows under File > Info: the document's title, subject, author and keywords."""

    title: str
    subject: str
    author: str
    keywords: str = "disaster recovery, VMware SRM, MirrorView, Exchange 2007"


def write_docx(body_html: str, output: Path, properties: DocxProperties | None = None) -> None:
    """A document body (figures already images) as DOCX through pandoc, with srmkit's Word
    styles: headings become Word's heading styles, so Word builds its own contents, and Word
    fills the contents' page numbers when the file is opened.

    The figures go to pandoc as image files, not inline data (pandoc reads them twice as fast).
    """
    import pypandoc

    with tempfile.TemporaryDirectory(prefix="srmkit-docx-") as tmp:
        images = Path(tmp)
        count = 0

        def to_file(match: re.Match[str]) -> str:
            nonlocal count
            count += 1
            name = f"figure-{count}.png"
            (images / name).write_bytes(base64.b64decode(match.group(1)))
            return f'src="{name}"'

        body = DATA_PNG.sub(to_file, body_html)
        with resources.as_file(resources.files("srmkit.data").joinpath("reference.docx")) as ref:
            pypandoc.convert_text(
                f"<html><body>{body}</body></html>",
                "docx",
                format="html",
                outputfile=str(output),
                extra_args=[
                    f"--reference-doc={ref}",
                    f"--resource-path={images}",
                    "--toc",
                    "--toc-depth=2",
                    "--metadata=toc-title:Contents",
                ],
            )
        finish_docx(output, properties)


WORD_TOC = re.compile(
    r"<w:sdt><w:sdtPr><w:docPartObj><w:docPartGallery w:val=\"Table of Contents\".*?</w:sdt>", re.S
)
WORD_FIRST_HEADING = re.compile(r'<w:p><w:pPr><w:pStyle w:val="Heading1" ?/>')
WORD_PAGE_BREAK = '<w:p><w:r><w:br w:type="page"/></w:r></w:p>'


def _core_properties(xml: str, properties: DocxProperties) -> str:
    """pandoc's core properties with the title, subject, author and keywords filled in (text
    from the scenario: XML-escaped).

    >>> xml = "<cp:coreProperties><dc:title></dc:title></cp:coreProperties>"
    >>> out = _core_properties(xml, DocxProperties("A <b>", "S", "Me & co", "k"))
    >>> print(out.replace("><", ">\\n<"))
    <cp:coreProperties>
    <dc:title>A &lt;b&gt;</dc:title>
    <dc:creator>Me &amp; co</dc:creator>
    <dc:subject>S</dc:subject>
    <cp:keywords>k</cp:keywords>
    </cp:coreProperties>
    """
    values = {
        "dc:title": properties.title,
        "dc:creator": properties.author,
        "dc:subject": properties.subject,
        "cp:keywords": properties.keywords,
    }
    for tag, value in values.items():
        xml = re.sub(rf"<{tag}\s*/>|<{tag}>.*?</{tag}>", "", xml, flags=re.S)
        element = f"<{tag}>{xml_escape(value)}</{tag}>"
        xml = xml.replace("</cp:coreProperties>", element + "</cp:coreProperties>", 1)
    return xml


UPDATE_FIELDS = '<w:updateFields w:val="true" />'
"""Word fills the fields (the contents' page numbers) when the document is opened."""


def finish_docx(docx: Path, properties: DocxProperties | None = None) -> None:
    """Move the contents pandoc puts at the very start of a Word document to where the printed
    document has it (after the cover, each on a page of its own, before the first section);
    have Word fill its page numbers on opening; set the document's core properties."""
    import zipfile

    with zipfile.ZipFile(docx) as z:
        entries = [(info, z.read(info)) for info in z.infolist()]
    fixed = []
    for info, data in entries:
        if info.filename == "docProps/core.xml" and properties is not None:
            data = _core_properties(data.decode("utf-8"), properties).encode("utf-8")
        if info.filename == "word/settings.xml" and b"updateFields" not in data:
            text = data.decode("utf-8")
            start = text.index(">", text.index("<w:settings")) + 1
            data = (text[:start] + UPDATE_FIELDS + text[start:]).encode("utf-8")
        if info.filename == "word/document.xml":
            xml = data.decode("utf-8")
            toc = WORD_TOC.search(xml)
            if toc is not None:
                rest = xml[: toc.start()] + xml[toc.end() :]
                first = WORD_FIRST_HEADING.search(rest)
                if first is not None:
                    moved = WORD_PAGE_BREAK + toc.group(0) + WORD_PAGE_BREAK
                    xml = rest[: first.start()] + moved + rest[first.start() :]
            data = xml.encode("utf-8")
        fixed.append((info, data))
    with zipfile.ZipFile(docx, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in fixed:
            z.writestr(info, data)


class Printer:
    """Prints the run's HTML documents to PDF, and writes them as DOCX, with one background
    browser (working in ``folder``)."""

    def __init__(self, folder: Path) -> None:
        self.js = plotly_js()
        self.chromium = Chromium(
            folder,
            assets={PLOTLY_FILE: self.js},
            warm_html=warm_page,
            # Laid out as printed: figures are drawn once, as wide as the page's content.
            viewport_px=(CONTENT_WIDTH_PX, PRINT_VIEWPORT_HEIGHT_PX),
        )

    def render(
        self,
        document_html: str,
        pdf: Path | None,
        docx: Path | None,
        properties: DocxProperties | None = None,
    ) -> Future[None]:
        """Queue one document for printing to A4 PDF and/or writing as DOCX (figures as
        images); the browser's thread does it while the caller goes on (the next notebook
        executes meanwhile). The future holds the outcome.

        The page loads plotly.js from the browser's folder. Loading and drawing may take 30 s
        plus 10 s per MB of HTML before the document fails.
        """
        timeout_s = 30 + 10 * len(document_html) / 1e6
        page_file = self.chromium.folder / f"print-{uuid.uuid4().hex}.html"
        page_file.write_text(
            document_html.replace(inline_script(self.js), _script_src(PLOTLY_FILE), 1),
            encoding="utf-8",
        )

        def in_browser(page: Page) -> None:
            try:
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
                    write_docx(page.evaluate(WORD_BODY_JS), docx, properties)
            finally:
                page_file.unlink(missing_ok=True)

        return self.chromium.submit(in_browser)

    def close(self) -> None:
        """Stop the browser."""
        self.chromium.close()
