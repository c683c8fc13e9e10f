"""Every document of every example, as a customer gets it: HTML in a browser, PDF, DOCX.

- HTML, opened in headless Chromium with the network closed: every figure draws, the console
  shows no error, and in the print layout no table cell's content overflows its box;
- PDF: each contents entry's page number is the page where its heading is printed; every font is
  embedded; the text holds no source code, no internal file name and no identifier of the
  scenario schema; every source cited is listed in the references;
- DOCX: the headings in order, every table with its rows, every figure as an image.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from conftest import EXAMPLES, WORD_EXAMPLES
from pypdf import PdfReader

from srmkit import load_scenario, rules
from srmkit.documents.registry import DOCUMENTS
from srmkit.report import Report, render
from srmkit.schema import json_schema

pytestmark = [
    pytest.mark.notebook,
    pytest.mark.browser,
    pytest.mark.timeout(900),
    pytest.mark.usefixtures("need_browser"),
]
A4_CONTENT_PX = 680  # 180 mm at 96 px per inch: the printed text width
OVERFLOW_JS = """() => [...document.querySelectorAll('table.srm-table td, table.srm-table th')]
    .filter(c => c.scrollWidth > c.clientWidth + 1)
    .map(c => c.textContent.trim().slice(0, 60))"""
# Tables and figures wider than the printed text column (they would be cut at the page's edge).
TOO_WIDE_JS = """() => [...document.querySelectorAll('table.srm-table, .plotly-graph-div')]
    .filter(t => t.getBoundingClientRect().width > t.parentElement.clientWidth + 1)
    .map(t => (t.querySelector('caption, th, .gtitle') || t).textContent.trim().slice(0, 60))"""
FORBIDDEN = ("MODEL.md", "FACTS", "Traceback", "import srmkit", "from srmkit", "def ", "b.cover()")


@pytest.fixture
def reports(rendered_examples: list[Report]) -> list[Report]:
    """Every example rendered to HTML, PDF and DOCX (once per session: conftest)."""
    return rendered_examples


def documents(reports: list[Report]) -> list[tuple[Report, str]]:
    return [(r, spec.basename) for r in reports for spec in DOCUMENTS.values()]


def schema_identifiers() -> set[str]:
    """Every name and value of the scenario schema written as an identifier (``snake_case`` or
    ``with-hyphens-and-digits``), which a customer document must show in words."""
    found: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "properties" and isinstance(value, dict):
                    found.update(k for k in value if "_" in k)
                if key == "enum" and isinstance(value, list):
                    found.update(v for v in value if isinstance(v, str) and re.search(r"[_]", v))
                    found.update(
                        v for v in value if isinstance(v, str) and re.fullmatch(r"windows-.*", v)
                    )
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(json_schema())
    return found


DOCUMENT_NAMES = [spec.basename for spec in DOCUMENTS.values()]


def _contents(reader: PdfReader) -> list[tuple[str, int]]:
    """(heading, page) pairs from the printed contents (the second page)."""
    text = reader.pages[1].extract_text()
    entries = []
    for line in text.splitlines():
        m = re.fullmatch(r"\s*((?:Appendix [A-Z])|\d+(?:\.\d+)?)\s+(.+?)\s+(\d+)\s*", line)
        if m:
            entries.append((f"{m.group(1)} {m.group(2)}", int(m.group(3))))
    return entries


def page_texts(path: Path) -> list[str]:
    """The text of each page of a PDF, read by PDFium (pypdf takes 18 times as long on the
    build book's script appendices)."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(path))
    try:
        return [pdf[i].get_textpage().get_text_range() for i in range(len(pdf))]
    finally:
        pdf.close()


def _flat(text: str) -> str:
    return " ".join(text.split())


def _words(words: set[str]) -> re.Pattern[str]:
    """One pattern finding any of ``words`` as a whole identifier (not inside a longer one)."""
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])")


@pytest.mark.parametrize("name", DOCUMENT_NAMES)
def test_pdf_contents_pages_fonts_and_words(reports: list[Report], name: str) -> None:
    identifiers = schema_identifiers()
    assert {"bandwidth_mbps", "per_server", "windows-2008-x64"} <= identifiers
    rule_ids = set(rules.catalogue())  # findings are shown by their titles
    any_rule_id, any_identifier = _words(rule_ids), _words(identifiers)
    for report in reports:
        path = report.files[f"{name}.pdf"]
        reader = PdfReader(path)
        pages = [_flat(p) for p in page_texts(path)]
        entries = _contents(reader)
        assert len(entries) >= 5, path
        for heading, number in entries:
            assert heading in pages[number - 1], f"{path}: {heading!r} not on page {number}"
            earlier = [i + 1 for i in range(2, number - 1) if heading in pages[i]]
            assert earlier == [], f"{path}: {heading!r} printed before page {number}"
        for page in reader.pages:
            fonts = page["/Resources"].get("/Font", {})
            for font in fonts.values():
                font = font.get_object()
                descendants = font.get("/DescendantFonts")
                target = descendants[0].get_object() if descendants else font
                descriptor = target.get("/FontDescriptor")
                assert descriptor is not None, f"{path}: font without descriptor"
                descriptor = descriptor.get_object()
                assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
        text = " ".join(pages)
        for word in FORBIDDEN:
            assert word not in text, f"{path}: {word!r}"
        raw_none = re.search(r"\bNone\b(?! of)", text)  # "None of the changes …" is English
        assert raw_none is None, f"{path}: a raw None"
        found = any_rule_id.search(text)
        assert found is None, f"{path}: rule identifier {found and found.group(0)!r}"
        found = any_identifier.search(text)
        assert found is None, f"{path}: schema identifier {found and found.group(0)!r}"
        cited = set(re.findall(r"\[(S\d+)\]", text))
        *_, references = re.split(r"Appendix [A-Z] References", text)
        listed = set(re.findall(r"\[(S\d+)\]", references.split("Provenance")[0]))
        assert cited - listed == set(), f"{path}: cited but not listed {cited - listed}"


def test_docx_headings_tables_figures(reports: list[Report]) -> None:
    from docx import Document

    worded = [r for r in reports if r.params in WORD_EXAMPLES]
    assert worded, "no example was rendered to Word"
    for report, name in documents(worded):
        html = report.files[f"{name}.html"].read_text(encoding="utf-8")
        headings = [
            _flat(re.sub(r"<[^>]+>", " ", h))
            for h in re.findall(r'<h[12] class="srm-h[^"]*"[^>]*>(.*?)</h[12]>', html, re.S)
        ]
        tables = html.count('<table class="srm-table')
        figures = html.count('class="plotly-graph-div"')
        doc = Document(str(report.files[f"{name}.docx"]))
        word_headings = [
            _flat(p.text) for p in doc.paragraphs if p.style.name in ("Heading 1", "Heading 2")
        ]
        assert word_headings == headings, name
        assert len(doc.tables) >= tables, name
        assert len(doc.inline_shapes) == figures, name
        first = doc.tables[0]
        assert len(first.rows) >= 2
        # the cover, then the contents Word fills in, then the first section, as printed
        body = [_word_kind(e) for e in doc.element.body.iterchildren()]
        cover, contents = body.index("tbl"), body.index("sdt")
        assert cover < contents < body.index("heading"), (name, body[:30])
        assert "Contents" in doc.element.body.xml
        # File > Info shows what the document is; Word fills the contents on opening
        front = load_scenario(report.params).document
        props = doc.core_properties
        assert props.title.endswith(f"— {front.customer}"), props.title
        assert (props.author, props.subject) == (front.author, front.project)
        assert props.keywords
        settings = doc.settings.element.xml
        assert re.search(r'<w:updateFields w:val="(true|1)"', settings), name


def _word_kind(element: Any) -> str:
    """A Word body element's kind: ``heading`` for a Heading 1 paragraph, else its tag."""
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    style = element.find(f"{w}pPr/{w}pStyle")
    if style is not None and style.get(f"{w}val") == "Heading1":
        return "heading"
    return str(element.tag).rsplit("}", 1)[-1]


def test_runbook_docx_keeps_the_checklists(reports: list[Report]) -> None:
    from docx import Document

    doc = Document(str(reports[0].files["dr_runbook.docx"]))
    headers = [[c.text for c in t.rows[0].cells] for t in doc.tables]
    assert ["No.", "Who", "Step", "Duration", "Done", "Initials"] in headers
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    assert any(text.startswith("naviseccli -h") for text in cells)  # a command per object


def test_exports_beside_every_document(reports: list[Report]) -> None:
    for report in reports:
        names = set(report.files)
        for spec in DOCUMENTS.values():
            word = ("docx",) if report.params in WORD_EXAMPLES else ()
            assert {f"{spec.basename}.{ext}" for ext in ("html", "pdf", *word)} <= names
            assert set(spec.exports) <= names
        json.loads(report.files["findings.json"].read_text(encoding="utf-8"))


def test_hostile_text_stays_text_in_word(tmp_path: Path) -> None:
    """Markup, quotes and code in free-text fields come out as text in the DOCX."""
    import yaml
    from docx import Document

    data = yaml.safe_load(EXAMPLES[0].read_text(encoding="utf-8"))
    payload = '<b>Evil</b> & "Co" `rm -rf` {{x}} ${y}'
    data["document"]["customer"] = payload
    data["document"]["notes"] = "# not a heading\n<script>alert(1)</script>\n=1+1"
    path = tmp_path / "hostile.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    result = render([path], tmp_path / "out", ("docx",), only=["design"])
    assert result.failures == []
    doc = Document(str(result.reports[0].files["design_document.docx"]))
    text = "\n".join(p.text for p in doc.paragraphs)
    text += "\n".join(c.text for t in doc.tables for r in t.rows for c in r.cells)
    assert payload in text
    assert "<script>alert(1)</script>" in text
    assert all(not p.text.startswith("not a heading") or p.style.name == "Body Text"
               for p in doc.paragraphs)  # fmt: skip


def test_method_citations_point_to_a_method_the_reader_has(reports: list[Report]) -> None:
    """ "Method §n" is explained where it is cited: the design document carries the method as an
    appendix; the runbook and the sizing study send the reader to the design document's."""
    for report, name in documents(reports):
        text = report.files[f"{name}.html"].read_text(encoding="utf-8")
        if "Method §" not in text:
            continue
        has_method = 'class="srm-method"' in text
        assert has_method == (name == "design_document"), name
        where = "in the appendix." if has_method else "an appendix of the design document"
        assert where in text, f"{name}: no note on where the method is"


def test_build_book_pdf_has_the_commands_and_the_test_plan(reports: list[Report]) -> None:
    """The printed build book carries each array's script (the mirror commands of its mode),
    the bill of materials and the acceptance tests with their sign-off."""
    for report in reports:
        text = _flat(" ".join(page_texts(report.files["build_book.pdf"])))
        mode = "-sync" if "MirrorView/S enabler" in text else "-async"
        for words in (
            f"mirror {mode} -create",
            f"mirror {mode} -addimage",
            "Bill of materials",
            "VMware Site Recovery Manager licence",
            "Acceptance test plan",
            "T1 Link bandwidth",
            "Jetstress",
            "Sign-off",
        ):
            assert words in text, f"{report.params.name}: {words!r} not in the build book"
        shell_scripts = [p for p in report.files["naviseccli"].iterdir() if p.suffix == ".sh"]
        appendices = re.findall(r"Appendix [A-Z] Script for (\S+)", text)
        assert len(set(appendices)) == len(shell_scripts) > 0
