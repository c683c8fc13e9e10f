"""Finishing a rendered document: contents, references, running header and footer.

A notebook emits its sections in order; what depends on the whole document is filled in once it
is rendered to HTML:

- the contents, from every numbered heading (page numbers are added when the PDF is printed:
  :mod:`srmkit.printing` prints twice and reads each heading's page from the PDF outline);
- the references appendix, with every source the document cites (``[S0]``, ``[S10]``, …) from
  the catalogue ``srmkit/data/sources.csv``;
- the running header and footer of the printed pages (CSS ``@page`` margin boxes, none on the
  cover): document title and version above, customer, classification and "page x of y" below;
- each heading kept on its printed page with what follows it (:func:`keep_headings`).
"""

from __future__ import annotations

import csv
import html
import re
from functools import cache
from importlib import resources

from srmkit.documents.registry import get_document
from srmkit.schema import Scenario
from srmkit.units import CSS_PX_PER_MM

HEADING = re.compile(r'<h([12]) ([^>]*)><span class="srm-num">([^<]*)</span> (.*?)</h\1>', re.S)
ID = re.compile(r'\bid="([^"]+)"')
SRM_HEADING = re.compile(r'\bclass="srm-h\b')
CITATION = re.compile(r"\[(S\d+)\]")
TOC = '<nav class="srm-toc"></nav>'
REFERENCES = '<div class="srm-references"></div>'
METHOD_APPENDIX = 'class="srm-method"'  # the method appendix (srmkit.documents.appendix.method)


@cache
def sources() -> dict[str, tuple[str, str]]:
    """The sources catalogue: id → (title, address)."""
    with resources.files("srmkit.data").joinpath("sources.csv").open(encoding="utf-8") as f:
        return {row["id"]: (row["title"], row["url"]) for row in csv.DictReader(f)}


def contents(document: str) -> str:
    """The contents list of every numbered heading, each with an empty page-number slot."""
    items = []
    for level, attributes, number, title in HEADING.findall(document):
        found = ID.search(attributes)
        if found is None or not SRM_HEADING.search(attributes):
            continue
        ident = found.group(1)
        items.append(
            f'<li class="srm-toc-{level}"><a href="#{ident}"><span class="srm-toc-num">'
            f'{number}</span><span class="srm-toc-title">{title}</span>'
            f'<span class="srm-toc-page" data-for="{ident}"></span></a></li>'
        )
    return f'<nav class="srm-toc"><ul>{"".join(items)}</ul></nav>'


def cited(document: str) -> list[str]:
    """The source ids the document cites, in the catalogue's order."""
    body = document.split(REFERENCES, 1)[0] + document.split(REFERENCES, 1)[-1]
    found = set(CITATION.findall(body))
    return [sid for sid in sources() if sid in found] + sorted(found - set(sources()))


def references(document: str) -> str:
    """The references list: every cited source with its title and address."""
    catalogue = sources()
    rows = []
    for sid in cited(document):
        title, url = catalogue.get(sid, ("(not in the catalogue)", ""))
        link = f' <span class="srm-url">{html.escape(url)}</span>' if url else ""
        rows.append(
            f'<tr><td class="txt srm-nowrap">[{sid}]</td><td class="txt">'
            f"{html.escape(title)}{link}</td></tr>"
        )
    return (
        '<div class="srm-references"><div class="srm-scroll"><table class="srm-table srm-refs">'
        "<tbody>"
        + "".join(rows)
        + "</tbody></table></div>"
        + (f'<p class="srm-note">{method_note(document)}</p>' if "Method" in document else "")
        + "</div>"
    )


def method_note(document: str) -> str:
    """Where a reader finds "Method §n": this document's appendix, or the design document's."""
    if METHOD_APPENDIX in document:
        return '"Method §n" refers to section n of the method in the appendix.'
    return (
        '"Method §n" refers to section n of the method, an appendix of the design document '
        f"({get_document('design').title}) delivered with this document."
    )


KEEP_HEADING = re.compile(r'<h([12]) [^>]*\bclass="srm-h\b[^>]*>.*?</h\1>', re.S)
TAG = re.compile(r"<script\b.*?</script>|<!--.*?-->|<(/?)([a-zA-Z][a-zA-Z0-9]*)\b[^>]*?(/?)>", re.S)
VOID = frozenset({"br", "img", "hr", "input", "meta", "link", "wbr", "col", "source"})
LEAD_IN = re.compile(r":\s*</p>\Z")
"""A paragraph that introduces what follows it ("Before you start:")."""
KEEP_MAX_CHARS = 1500
"""Text of the longest paragraph or list kept with its heading (about a third of a page)."""
KEEP_MAX_ROWS = 12
"""Rows of the longest table kept whole with its heading."""
SPACE = re.compile(r"\s*")
KEEP_BEFORE = '<div class="srm-keep srm-heading-keep">'


def _element_end(document: str, start: int) -> int | None:
    """Where the element whose start tag is at ``start`` ends (None if it is not closed)."""
    depth = 0
    for found in TAG.finditer(document, start):
        name = found.group(2)
        if name is None:  # a script or a comment: nothing inside counts
            continue
        if name.lower() in VOID or found.group(3):
            if depth == 0:
                return found.end()
            continue
        depth += -1 if found.group(1) else 1
        if depth <= 0:
            return found.end() if depth == 0 else None
    return None


def _keeps(element: str) -> tuple[bool, bool]:
    """Whether a heading keeps ``element`` with it on its page, and whether it then keeps the
    element after it too (another heading, a lead-in paragraph)."""
    tag = re.match(r"<([a-zA-Z0-9]+)", element)
    name = tag.group(1).lower() if tag else ""
    text = len(re.sub(r"<[^>]*>", "", element))
    if name in ("h1", "h2", "h3", "h4"):
        return True, True
    if name == "p":
        return text <= KEEP_MAX_CHARS, bool(LEAD_IN.search(element))
    if name in ("ul", "ol"):
        return text <= KEEP_MAX_CHARS, False
    if name == "div" and "srm-figure" in element[:60]:
        return True, False
    if name == "div" and "srm-block" in element[:60]:
        rows = element.count("<tr")
        return rows <= KEEP_MAX_ROWS and "srm-cmds" not in element, False
    return False, False


def keep_headings(document: str) -> str:
    """Wrap each heading with what follows it (a paragraph, a list, a figure, a short table; a
    lead-in paragraph with what it introduces) in a block that never breaks across printed
    pages, so that no heading is the last line of a page: Chromium honours ``break-inside:
    avoid`` on such a block, where ``break-after: avoid`` on the heading alone lets a lead-in
    paragraph strand it."""
    out: list[str] = []
    done = 0
    for heading in KEEP_HEADING.finditer(document):
        if heading.start() < done:
            continue  # already kept with the heading before it
        end, more, kept = heading.end(), True, 0
        while more and kept < 4:
            spaces = SPACE.match(document, end)
            start = spaces.end() if spaces else end
            if not document.startswith("<", start) or document.startswith("</", start):
                break
            stop = _element_end(document, start)
            if stop is None:
                break
            keep, more = _keeps(document[start:stop])
            if not keep:
                break
            end, kept = stop, kept + 1
        if kept:
            out += [document[done : heading.start()], KEEP_BEFORE, document[heading.start() : end]]
            out.append("</div>")
            done = end
    return "".join(out) + document[done:]


def css_string(text: str) -> str:
    """Text as a CSS string literal: quotes, backslashes, line breaks and ``<`` escaped.

    >>> print(css_string('Evil "Co" </style>'))
    "Evil \\22 Co\\22  \\3C /style>"
    """
    out = []
    for ch in text:
        if ch in '"\\<' or ord(ch) < 32:
            out.append(f"\\{ord(ch):X} ")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


# The printed page: A4 with these margins (mm); the content is as wide as the page between them.
PAGE_WIDTH_MM, PAGE_HEIGHT_MM = 210, 297
PAGE_MARGINS_MM = (18, 15, 20, 15)  # top, right, bottom, left
CONTENT_WIDTH_MM = PAGE_WIDTH_MM - PAGE_MARGINS_MM[1] - PAGE_MARGINS_MM[3]
CONTENT_WIDTH_PX = round(CONTENT_WIDTH_MM * CSS_PX_PER_MM)


def page_css(title: str, scenario: Scenario) -> str:
    """The printed pages: A4, running header and footer, none on the cover (the first page)."""
    doc = scenario.document
    version = f"version {doc.version}, " if doc.version else ""
    top = css_string(f"{title} · {version}{doc.date.isoformat()}")
    bottom = css_string(f"{doc.customer} · {doc.confidentiality.capitalize()}")
    box = (
        "font-family: 'Liberation Sans', 'DejaVu Sans', Arial, sans-serif; font-size: 8pt; "
        "color: #5a6977;"
    )
    return (
        "<style>@page { size: A4; margin: "
        + " ".join(f"{margin}mm" for margin in PAGE_MARGINS_MM)
        + "; "
        f"@top-right {{ content: {top}; {box} }} "
        f"@bottom-left {{ content: {bottom}; {box} }} "
        f'@bottom-right {{ content: "Page " counter(page) " of " counter(pages); {box} }} }} '
        "@page :first { @top-right { content: none; } @bottom-left { content: none; } "
        "@bottom-right { content: none; } }</style>"
    )


def finish(document: str, title: str, scenario: Scenario) -> str:
    """Fill in the contents, the references and the printed pages' header and footer."""
    if TOC in document:
        document = document.replace(TOC, contents(document), 1)
    if REFERENCES in document:
        document = document.replace(REFERENCES, references(document), 1)
    document = keep_headings(document)
    return document.replace("</head>", page_css(title, scenario) + "</head>", 1)
