"""The Word documents at the printed document's standard, read back as Word and LibreOffice do.

- python-docx: the cover in Word's Title and Subtitle styles; a running header and footer with
  the document's title, version, customer, classification and "Page x of y" fields, none on the
  cover; captions in the Caption style, kept with their table or figure; every table as wide as
  the text, its columns sized from their content and none narrower than its longest word in the
  documents' font (measured from Liberation Sans, Arial's metric twin); Arial named everywhere;
- a customer's Word template (from the scenario or --word-template) gives its styles, and a bad
  one is refused before anything is rendered;
- LibreOffice: the design document converted to PDF has the running text from page 2 on, none on
  the cover, no word broken inside a table cell, and no blank page.
"""

from __future__ import annotations

import itertools
import os
import re
import shutil
import struct
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import example_data, run_cli

from srmkit import load_scenario
from srmkit.report import Report

pytestmark = [
    pytest.mark.notebook,
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.timeout(600),
    pytest.mark.usefixtures("need_browser"),
]
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
TWIPS_PER_PT = 20
CELL_MARGINS_TWIPS = 2 * 108  # the Table style's left and right cell margins
TABLE_TEXT_PT = 9  # the Compact style
LIBERATION = Path("/usr/share/fonts/truetype/liberation")


@cache
def advance_widths(path: Path) -> tuple[dict[int, int], int]:
    """Each character's advance width in a TrueType font, from its cmap (format 4) and hmtx
    tables, and the font's units per em."""
    data = path.read_bytes()
    count = struct.unpack(">H", data[4:6])[0]
    tables = {
        data[12 + 16 * i : 16 + 16 * i].decode("latin-1"): struct.unpack(
            ">II", data[20 + 16 * i : 28 + 16 * i]
        )
        for i in range(count)
    }
    units = struct.unpack(">H", data[tables["head"][0] + 18 : tables["head"][0] + 20])[0]
    metrics = struct.unpack(">H", data[tables["hhea"][0] + 34 : tables["hhea"][0] + 36])[0]
    hmtx = tables["hmtx"][0]
    advance = [
        struct.unpack(">H", data[hmtx + 4 * i : hmtx + 4 * i + 2])[0] for i in range(metrics)
    ]
    cmap = tables["cmap"][0]
    glyphs: dict[int, int] = {}
    for i in range(struct.unpack(">H", data[cmap + 2 : cmap + 4])[0]):
        platform, encoding, offset = struct.unpack(
            ">HHI", data[cmap + 4 + 8 * i : cmap + 12 + 8 * i]
        )
        sub = cmap + offset
        if (platform, encoding) != (3, 1) or struct.unpack(">H", data[sub : sub + 2])[0] != 4:
            continue
        segments = struct.unpack(">H", data[sub + 6 : sub + 8])[0] // 2
        ends, starts = sub + 14, sub + 16 + 2 * segments
        deltas, ranges = starts + 2 * segments, starts + 4 * segments

        def word(at: int) -> int:
            return int(struct.unpack(">H", data[at : at + 2])[0])

        for s in range(segments):
            end, start = word(ends + 2 * s), word(starts + 2 * s)
            delta, rng = word(deltas + 2 * s), word(ranges + 2 * s)
            for char in range(start, min(end, 0xFFFE) + 1):
                if rng == 0:
                    glyph = (char + delta) & 0xFFFF
                else:
                    at = ranges + 2 * s + rng + 2 * (char - start)
                    glyph = word(at)
                    glyph = (glyph + delta) & 0xFFFF if glyph else 0
                glyphs[char] = advance[min(glyph, metrics - 1)]
    return glyphs, units


def text_width_twips(text: str, bold: bool = False, size_pt: float = TABLE_TEXT_PT) -> float:
    """The width of ``text`` set in Liberation Sans (Arial's metrics) at ``size_pt``. [twip]"""
    name = "LiberationSans-Bold.ttf" if bold else "LiberationSans-Regular.ttf"
    widths, units = advance_widths(LIBERATION / name)
    default = widths.get(ord("M"), units)
    return sum(widths.get(ord(c), default) for c in text) * size_pt * TWIPS_PER_PT / units


@pytest.fixture
def need_libreoffice() -> str:
    """LibreOffice's soffice; skip without it unless the run demands it (``make test`` does)."""
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found is None or shutil.which("pdftoppm") is None:
        if os.environ.get("SRMKIT_REQUIRE_LIBREOFFICE"):
            pytest.fail("no LibreOffice (or pdftoppm), but SRMKIT_REQUIRE_LIBREOFFICE is set")
        pytest.skip("no LibreOffice or pdftoppm on this machine")
    return found


def _docx(report: Report, name: str) -> Any:
    from docx import Document

    return Document(str(report.files[f"{name}.docx"]))


def _text(element: Any) -> str:
    return "".join(t.text or "" for t in element.iter(f"{W}t"))


def _style(element: Any) -> str:
    found = element.find(f"{W}pPr/{W}pStyle")
    return "" if found is None else str(found.get(f"{W}val"))


def test_cover_in_title_and_subtitle(example_report: Report) -> None:
    """The cover's title and customer are Word's Title and Subtitle, the rest of the cover no."""
    front = load_scenario(example_report.params).document
    for name, title in (("design_document", "Disaster recovery design"), ("dr_runbook", None)):
        doc = _docx(example_report, name)
        titles = [p.text for p in doc.paragraphs if p.style.name == "Title"]
        subtitles = [p.text for p in doc.paragraphs if p.style.name == "Subtitle"]
        assert len(titles) == 1, (name, titles)
        assert subtitles == [front.customer], (name, subtitles)
        assert title is None or titles == [title]
        first = [p for p in doc.paragraphs if p.text.strip()][:3]
        assert [p.style.name for p in first] == ["Cover Label", "Title", "Subtitle"]


def test_running_header_and_footer(example_report: Report) -> None:
    """From page 2 on: title, version and date above; customer, classification and Page x of
    y (Word's PAGE and NUMPAGES fields) below; nothing on the cover."""
    front = load_scenario(example_report.params).document
    for name in ("design_document", "sizing_study"):
        doc = _docx(example_report, name)
        [section] = doc.sections
        header = " ".join(p.text for p in section.header.paragraphs)
        footer_xml = section.footer._element.xml
        footer = " ".join(p.text for p in section.footer.paragraphs)
        assert f"version {front.version}, {front.date.isoformat()}" in header
        assert header.split(" · ")[0] in doc.core_properties.title
        assert f"{front.customer} · {front.confidentiality.capitalize()}" in footer
        assert re.search(r"Page .*PAGE .*of .*NUMPAGES ", footer_xml, re.S)
        assert "{" not in header + footer, "a placeholder left unfilled"
        assert section.different_first_page_header_footer
        cover = section.first_page_header.paragraphs + section.first_page_footer.paragraphs
        assert all(not p.text.strip() for p in cover)
        assert "PAGE" not in section.first_page_footer._element.xml


def test_captions_kept_with_their_table_or_figure(example_report: Report) -> None:
    """Every "Table n." and "Figure n." line is in the Caption style; a table's caption (above)
    and a figure (above its caption) keep with what follows."""
    for name in ("design_document", "dr_runbook"):
        body = list(_docx(example_report, name).element.body.iterchildren())
        blocks = [e for e in body if e.tag in (f"{W}p", f"{W}tbl")]
        captions = 0
        for before, element, after in zip(blocks, blocks[1:], blocks[2:], strict=False):
            text = _text(element)
            if not re.match(r"(Table|Figure) \d+\. ", text) or element.tag != f"{W}p":
                continue
            captions += 1
            assert _style(element) == "Caption", (name, text)
            if text.startswith("Table"):
                assert after.tag == f"{W}tbl", (name, text)
                assert element.find(f"{W}pPr/{W}keepNext") is not None, (name, text)
            else:
                assert before.find(f".//{W}drawing") is not None, (name, text)
                assert before.find(f"{W}pPr/{W}keepNext") is not None, (name, text)
        assert captions >= 5, name


def _grid_widths(table: Any) -> list[int]:
    return [int(c.get(f"{W}w")) for c in table.findall(f"{W}tblGrid/{W}gridCol")]


def test_tables_span_the_text_and_fit_their_longest_words(example_report: Report) -> None:
    """Every table is 100 % wide, its grid fills the text column in unequal proportions, and
    no column is narrower than its longest word (Liberation Sans at the table's 9 pt)."""
    for name in ("design_document", "dr_runbook", "sizing_study", "build_book"):
        doc = _docx(example_report, name)
        section = doc.sections[0]
        text_twips = (section.page_width - section.left_margin - section.right_margin) / 635
        for t, table in enumerate(doc.element.body.iter(f"{W}tbl")):
            width = table.find(f"{W}tblPr/{W}tblW")
            assert (width.get(f"{W}type"), width.get(f"{W}w")) == ("pct", "5000"), (name, t)
            grid = _grid_widths(table)
            assert abs(sum(grid) - text_twips) <= len(grid), (name, t, grid)
            if len(grid) > 1:
                assert len(set(grid)) > 1, (name, t, grid)
            need = [0.0] * len(grid)
            for row in table.findall(f"{W}tr"):
                header = row.find(f"{W}trPr/{W}tblHeader") is not None
                column = 0
                for cell in row.findall(f"{W}tc"):
                    span = cell.find(f"{W}tcPr/{W}gridSpan")
                    spans = int(span.get(f"{W}val")) if span is not None else 1
                    if spans == 1 and cell.find(f".//{W}rStyle") is None:  # code has its font
                        # An address breaks anywhere, in the PDF too.
                        for word in (w for w in _text(cell).split() if "://" not in w):
                            width = text_width_twips(word, bold=header) + CELL_MARGINS_TWIPS
                            need[column] = max(need[column], width)
                    column += spans
            # When the longest words of all columns together are wider than the text, some
            # must break: then each column is at least 90 % of what its longest word needs.
            share = 1.0 if sum(need) <= text_twips else 0.9
            for column, (have, wants) in enumerate(zip(grid, need, strict=True)):
                assert have >= share * wants, f"{name} table {t} column {column}: {grid} {need}"


def test_runbook_checklist_columns_from_their_content(example_report: Report) -> None:
    """In the runbook's checklists the Step column is the widest and Done one of the narrowest."""
    doc = _docx(example_report, "dr_runbook")
    checklists = [
        t
        for t in doc.tables
        if [c.text for c in t.rows[0].cells]
        == ["No.", "Who", "Step", "Duration", "Done", "Initials"]
    ]
    assert checklists
    for table in checklists:
        grid = _grid_widths(table._tbl)
        assert max(grid) == grid[2], grid
        assert grid[2] > 0.4 * sum(grid), grid
        assert grid[4] < grid[1], grid
        assert grid[4] < grid[2] / 4, grid


def test_font_is_arial_with_its_linux_twin(example_report: Report) -> None:
    """Arial in the document defaults and every style that names a font, no theme font; the
    font table names Liberation Sans as Arial's alternative."""
    doc = _docx(example_report, "design_document")
    styles = doc.styles.element
    defaults = styles.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr/{W}rFonts")
    assert defaults.get(f"{W}ascii") == defaults.get(f"{W}hAnsi") == "Arial"
    fonts = {
        f.get(f"{W}ascii") for f in styles.iter(f"{W}rFonts") if f.get(f"{W}ascii") is not None
    }
    assert fonts <= {"Arial", "Courier New"}, fonts
    assert not any(f.get(f"{W}asciiTheme") for f in styles.iter(f"{W}rFonts"))
    table = doc.part.part_related_by(
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships/fontTable"
    ).blob.decode("utf-8")
    assert re.search(r'<w:font w:name="Arial"><w:altName w:val="Liberation Sans"/>', table)


# A customer's Word template -------------------------------------------------------------------


def _template(path: Path, colour: str, font: str) -> Path:
    """A Word document with a distinctive Heading 1 (and no header or footer)."""
    from docx import Document
    from docx.shared import RGBColor

    doc = Document()
    heading = doc.styles["Heading 1"]
    heading.font.color.rgb = RGBColor.from_string(colour)
    heading.font.name = font
    doc.add_paragraph("Template", style="Heading 1")
    doc.save(str(path))
    return path


def _scenario(folder: Path, **document: str) -> Path:
    data = example_data()  # in a temporary folder, without EXMBX01's log: sized by its profile
    data["document"].update(document)
    path = folder / "scenario.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    return path


def _heading_1(docx: Path) -> tuple[str, str]:
    from docx import Document

    style = Document(str(docx)).styles["Heading 1"]
    return str(style.font.color.rgb), str(style.font.name)


def test_word_template_from_the_scenario_and_the_command_line(tmp_path: Path) -> None:
    """The scenario's document.word_template styles the Word documents; --word-template wins
    over it; a template without a header or footer still gets srmkit's, filled in (hostile
    customer text stays text)."""
    from docx import Document

    _template(tmp_path / "house.docx", "AA0066", "Georgia")
    _template(tmp_path / "cli.docx", "00AA33", "Verdana")
    customer = 'Smith & <Sons> "Ltd" — Zürich'
    params = _scenario(tmp_path, word_template="house.docx", customer=customer)
    cases = [((), ("AA0066", "Georgia")), (("--word-template", "cli.docx"), ("00AA33", "Verdana"))]
    for flag, expected in cases:
        out = tmp_path / f"out{len(flag)}"
        done = run_cli(
            "report", str(params), "--out", str(out), "--to", "docx", "--only", "build",
            "--quiet", *flag, cwd=tmp_path,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        [docx] = out.rglob("build_book.docx")  # the quickest document; any takes the template
        assert _heading_1(docx) == expected
        doc = Document(str(docx))
        footer = " ".join(p.text for p in doc.sections[0].footer.paragraphs)
        assert f"{customer} · Confidential" in footer
        assert doc.sections[0].different_first_page_header_footer


def test_a_bad_word_template_is_refused(tmp_path: Path) -> None:
    """A missing template, one that is no .docx, and one that is no zip: exit 2 naming the
    file, line and field (or the option), nothing rendered."""
    (tmp_path / "notes.txt").write_text("x", "utf-8")
    (tmp_path / "fake.docx").write_text("not a zip", "utf-8")
    for value, message in (
        ("missing.docx", "no such file beside the scenario file (missing.docx)"),
        ("fake.docx", "not a Word document"),
    ):
        params = _scenario(tmp_path, word_template=value)
        done = run_cli("report", str(params), "--out", str(tmp_path / "out"), "--to", "html")
        assert done.returncode == 2
        line = next(
            i
            for i, text in enumerate(params.read_text("utf-8").splitlines(), 1)
            if "word_template" in text
        )
        assert f"scenario.yaml:{line}: document.word_template = {value!r}: {message}" in done.stderr
    done = run_cli("check", str(_scenario(tmp_path, word_template="notes.txt")))
    assert done.returncode == 2
    assert "a Word template is a .docx file" in done.stderr
    params = _scenario(tmp_path)
    for flag in ("fake.docx", "nowhere.docx"):
        done = run_cli(
            "report", str(params), "--out", str(tmp_path / "out"), "--word-template", flag,
            cwd=tmp_path,
        )  # fmt: skip
        assert done.returncode == 2, done.stderr
        assert f"{flag}: --word-template:" in done.stderr, done.stderr
    assert not (tmp_path / "out").exists()


# LibreOffice ----------------------------------------------------------------------------------


def _gray_pages(pdf: Path, folder: Path) -> list[Any]:
    """Each page drawn at 60 dpi in grey (pdftoppm), as arrays."""
    import numpy as np

    subprocess.run(["pdftoppm", "-r", "60", "-gray", str(pdf), str(folder / "p")], check=True)
    pages = []
    for path in sorted(folder.glob("p-*.pgm")):
        data = path.read_bytes()
        _, w, h, _, pixels = data.split(maxsplit=4)
        size = int(w) * int(h)
        pages.append(np.frombuffer(pixels[-size:], np.uint8).reshape(int(h), int(w)))
    return pages


def test_libreoffice_prints_the_design_document(
    example_report: Report, tmp_path: Path, need_libreoffice: str
) -> None:
    """Opened in LibreOffice (a fresh profile) and printed to PDF: about as many pages as the
    PDF; "Page x of y", title and classification on every page but the cover; no word of a
    table cell broken across lines (a break after a hyphen or slash is a line break, not a
    broken word); no blank page."""
    from docx import Document
    from test_documents import page_texts

    docx = example_report.files["design_document.docx"]
    profile = (tmp_path / "profile").as_uri()
    subprocess.run(
        [need_libreoffice, f"-env:UserInstallation={profile}", "--headless",
         "--convert-to", "pdf", "--outdir", str(tmp_path), str(docx)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    texts = page_texts(tmp_path / "design_document.pdf")
    printed = len(page_texts(example_report.files["design_document.pdf"]))
    assert 0.6 * printed <= len(texts) <= 1.6 * printed, (len(texts), printed)
    assert "Page" not in texts[0]
    assert "Disaster recovery design" in texts[0]
    for n, text in enumerate(texts[1:], 2):
        flat = " ".join(text.split())
        assert f"Page {n} of {len(texts)}" in flat, n
        assert "Disaster recovery design · version" in flat, n
        assert "Northwind Traders · Confidential" in flat, n
    words = {
        w.strip(".,;:()[]")
        for table in Document(str(docx)).tables
        for row in table.rows
        for cell in row.cells
        for w in cell.text.split()
    }
    for n, text in enumerate(texts, 1):
        lines = [line.split() for line in text.splitlines() if line.split()]
        for line, following in itertools.pairwise(lines):
            joined = (line[-1] + following[0]).strip(".,;:()[]")
            hyphen = line[-1].endswith(("-", "/"))  # a break after them is no broken word
            if len(joined) > 3 and joined in words and line[-1] not in words and not hyphen:
                pytest.fail(f"page {n}: {joined!r} broken as {line[-1]!r} / {following[0]!r}")
    for n, page in enumerate(_gray_pages(tmp_path / "design_document.pdf", tmp_path), 1):
        assert (page < 200).mean() > 0.003, f"page {n} is blank"
