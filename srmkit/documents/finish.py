"""Finishing a rendered document: contents, references, running header and footer.

A notebook emits its sections in order; what depends on the whole document is filled in once it
is rendered to HTML:

- the contents, from every numbered heading (page numbers are added when the PDF is printed:
  :mod:`srmkit.printing` prints twice and reads each heading's page from the PDF outline);
- the references appendix, with every source the document cites (``[S0]``, ``[S10]``, …) from
  the catalogue ``srmkit/data/sources.csv``;
- the running header and footer of the printed pages (CSS ``@page`` margin boxes, none on the
  cover): document title and version above, customer, classification and "page x of y" below.
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
        '<div class="srm-references"><table class="srm-table srm-refs"><tbody>'
        + "".join(rows)
        + "</tbody></table>"
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
PAGE_WIDTH_MM = 210
PAGE_MARGINS_MM = (18, 15, 20, 15)  # top, right, bottom, left
CONTENT_WIDTH_PX = round((PAGE_WIDTH_MM - PAGE_MARGINS_MM[1] - PAGE_MARGINS_MM[3]) * CSS_PX_PER_MM)


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
    return document.replace("</head>", page_css(title, scenario) + "</head>", 1)
