"""The documents' layout as a reader meets it, in headless Chromium and in the printed PDF.

- a wide screen (1,400 px): the contents stay beside the text as a sidebar, link every section
  and are still in view at the end of the document;
- a phone (390 px): the page never scrolls sideways (a wide table scrolls in its own box),
  figures fit the screen and their titles fit the figures;
- printed: no heading is the last line of a page, a number with its unit stays on one line and
  no column heading is a tower of one word a line.

One browser serves the module; the documents are those rendered once for the run (conftest). The
phone and printed-shape probes (:data:`PHONE_JS`, :data:`PRINT_SHAPES_JS`) run in
:mod:`test_documents_opened`, on the one load a document shares with the other layout checks.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from html import unescape
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from srmkit.documents.registry import DOCUMENTS
from srmkit.report import Report

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = [
    pytest.mark.notebook,
    pytest.mark.browser,
    pytest.mark.timeout(600),
    pytest.mark.usefixtures("need_browser"),
]
NAMES = [spec.basename for spec in DOCUMENTS.values()]
WIDE_PX, PHONE_PX, SCREEN_HEIGHT_PX = 1400, 390, 844

SIDEBAR_JS = """() => {
    const box = document.querySelector('.srm-contents');
    const r = box.getBoundingClientRect();
    const centre = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    return {
        inView: r.width > 150 && r.left >= 0 && r.top >= 0 && r.bottom <= innerHeight + 1
            && r.right <= innerWidth,
        onTop: box.contains(centre),
        position: getComputedStyle(box).position,
        targets: [...box.querySelectorAll('nav a')].map(a => decodeURIComponent(a.hash.slice(1))),
        current: (box.querySelector('a[aria-current]') || {hash: ''}).hash.slice(1),
    };
}"""
H1_IDS_JS = "() => [...document.querySelectorAll('h1.srm-h')].map(h => h.id)"
PHONE_JS = """(width) => {
    const out = [];
    const name = el => (el.closest('.srm-block, .srm-figure') || el).textContent.slice(0, 50);
    const sideways = document.documentElement.scrollWidth;
    if (sideways > width) out.push('page ' + sideways + ' px wide');
    const boxes = [...document.querySelectorAll('.srm-scroll, table:not(.srm-scroll table), ' +
        '.plotly-graph-div')];
    for (const el of boxes) {
        const r = el.getBoundingClientRect();
        if (r.left < -1 || r.right > width + 1) out.push('outside the screen: ' + name(el));
    }
    for (const title of document.querySelectorAll('.plotly-graph-div .gtitle')) {
        const svg = title.closest('svg').getBoundingClientRect(), t = title.getBoundingClientRect();
        if (t.left < svg.left - 1 || t.right > svg.right + 1 || t.top < svg.top - 1)
            out.push('title cut: ' + title.textContent);
    }
    return out;
}"""
# Lines of text in an element: the distinct tops of its text's boxes (spans on one line share it).
LINES_JS = """el => { const range = document.createRange(); range.selectNodeContents(el);
    const tops = [...range.getClientRects()].filter(r => r.width > 0).map(r => r.top)
        .sort((a, b) => a - b);
    return tops.filter((top, i) => i === 0 || top - tops[i - 1] > 3).length; }"""
PRINT_SHAPES_JS = f"""([quantity, shortChars, shortLines, longLines]) => {{
    const lines = {LINES_JS};
    const unit = new RegExp('^(?:' + quantity + ')$');
    const wrapped = [...document.querySelectorAll('table.srm-table td')]
        .filter(td => td.classList.contains('num') || unit.test(td.textContent.trim()))
        .filter(td => td.textContent.trim() && lines(td) > 1)
        .map(td => td.textContent.trim());
    const towers = [...document.querySelectorAll('table.srm-table th')].filter(th => {{
        const text = th.textContent.trim();
        return lines(th) > (text.length <= shortChars ? shortLines : longLines);
    }}).map(th => th.textContent.trim() + ' (' + lines(th) + ' lines)');
    return {{wrapped, towers}};
}}"""


@pytest.fixture(scope="module")
def page() -> Iterator[Page]:
    """One headless page, network closed, for the whole module (its viewport set per test)."""
    from srmkit.browser import offline_page

    with offline_page() as (page, refused):
        yield page
        assert refused == []


def _open(page: Page, path: Path, width: int) -> None:
    from srmkit.browser import wait_for_figures

    page.emulate_media(media="screen")
    page.set_viewport_size({"width": width, "height": SCREEN_HEIGHT_PX})
    page.goto(path.as_uri(), wait_until="load")
    wait_for_figures(page)
    # The template's script has fitted the figures' titles to this width.
    page.wait_for_function(f"document.documentElement.dataset.srmFitted === '{width}'")


def test_wide_screen_keeps_the_contents_beside_the_text(example_report: Report, page: Page) -> None:
    """At 1,400 px the contents are a fixed sidebar linking every section, still in view and
    marking the section being read after scrolling to the end."""
    for name in NAMES:
        path = example_report.files[f"{name}.html"]
        _open(page, path, WIDE_PX)
        sidebar = page.evaluate(SIDEBAR_JS)
        h1_ids = page.evaluate(H1_IDS_JS)
        assert sidebar["position"] == "fixed", path
        assert sidebar["inView"], path
        assert sidebar["onTop"], path
        assert len(h1_ids) >= 3, path
        assert set(h1_ids) <= set(sidebar["targets"]), path
        for ident in sidebar["targets"]:
            assert page.locator(f"[id='{ident}']").count() == 1, f"{path}: #{ident}"
        third = h1_ids[2]
        page.evaluate(f"document.getElementById('{third}').scrollIntoView()")
        page.wait_for_function(
            f"(document.querySelector('.srm-contents a[aria-current]') || {{}}).hash === '#{third}'"
        )
        page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
        page.wait_for_timeout(100)
        at_end = page.evaluate(SIDEBAR_JS)
        assert at_end["inView"], f"{path}: sidebar gone at the end"
        assert at_end["onTop"], f"{path}: sidebar covered at the end"
        assert at_end["current"] == sidebar["targets"][-1], f"{path}: {at_end['current']}"


def _headings(html_path: Path) -> set[str]:
    text = html_path.read_text(encoding="utf-8")
    found = re.findall(r'<h[12] [^>]*class="srm-h[^"]*"[^>]*>(.*?)</h[12]>', text, re.S)
    return {" ".join(unescape(re.sub(r"<[^>]+>", " ", h)).split()) for h in found}


def _body_lines(pages: list[str]) -> list[list[str]]:
    """Each page's lines of text without the running header and footer (the lines most pages
    share, and the page number)."""
    split = [
        [" ".join(line.split()) for line in page.splitlines() if line.strip()] for page in pages
    ]
    shared = Counter(line for lines in split for line in set(lines))
    running = {line for line, n in shared.items() if n > len(pages) / 2}
    return [
        [
            line
            for line in lines
            if line not in running and not re.fullmatch(r"Page \d+ of \d+", line)
        ]
        for lines in split
    ]


@pytest.mark.parametrize("name", NAMES)
def test_printed_heading_never_ends_a_page(example_report: Report, name: str) -> None:
    """In the example's PDF no heading is the last line of a page, nor followed there only by a
    line that introduces what comes next ("Before you start:")."""
    from test_documents import page_texts

    headings = _headings(example_report.files[f"{name}.html"])
    pages = _body_lines(page_texts(example_report.files[f"{name}.pdf"]))
    stranded = []
    for number, lines in enumerate(pages, start=1):
        if lines and lines[-1] in headings:
            stranded.append((number, lines[-1]))
        if len(lines) > 1 and lines[-2] in headings and lines[-1].endswith(":"):
            stranded.append((number, lines[-2]))
    assert stranded == [], f"{name}.pdf: headings at the foot of a page: {stranded}"
