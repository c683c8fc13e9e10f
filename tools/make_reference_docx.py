"""Development only: write srmkit/data/reference.docx, the Word styles of srmkit's DOCX documents.

Starts from pandoc's own reference document and sets srmkit's look, as the PDF has it:

- Arial everywhere (every Windows has it; LibreOffice on Linux shows the metric-compatible
  Liberation Sans, named as its alternative in the font table), Courier New for code (Liberation
  Mono); no theme fonts, which pandoc's reference takes from a recent Office (Aptos);
- dark blue headings kept with their next paragraph; the cover's Title, Subtitle and "Cover
  Label" styles; the Caption style of table and figure captions; a compact table text with a
  shaded, bold header row and thin rules;
- A4 pages with 15 mm side margins; a running header (the document's title, version and date)
  and footer (customer, classification, "Page x of y" from Word's PAGE and NUMPAGES fields), none
  on the cover page. Their text is written as placeholders (``{title}``, ``{version}``,
  ``{customer}``, ``{classification}``) that srmkit.word fills for each document.

Run with ``make reference-docx`` after changing it.
"""

from __future__ import annotations

import io
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pypandoc
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT, WD_TAB_LEADER
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from srmkit.documents.finish import CONTENT_WIDTH_MM, PAGE_HEIGHT_MM, PAGE_MARGINS_MM, PAGE_WIDTH_MM
from srmkit.word import FONT, FONT_TABLE_ENTRIES, MONO_FONT

OUT = Path(__file__).resolve().parent.parent / "srmkit" / "data" / "reference.docx"
INK, ACCENT, MUTED = (
    RGBColor(0x1B, 0x2A, 0x3A),
    RGBColor(0x0B, 0x5C, 0x8A),
    RGBColor(0x5A, 0x69, 0x77),
)
RULE, HEADER_FILL = "C9D3DD", "E3EBF2"
TEXT_WIDTH = Mm(CONTENT_WIDTH_MM)
THEME_ATTRIBUTES = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")


def _field(paragraph: object, code: str) -> None:
    """A Word field (PAGE, NUMPAGES) in a paragraph, in Word's own form: begin, instruction,
    separator, the last value shown, end, each in a run of its own."""
    for kind in ("begin", "instr", "separate", "value", "end"):
        run = paragraph.add_run()._r  # type: ignore[attr-defined]
        if kind == "instr":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = f" {code} "
            run.append(instr)
        elif kind == "value":
            text = OxmlElement("w:t")
            text.text = "1"
            run.append(text)
        else:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run.append(char)


def _set_fonts(element: object, name: str) -> None:
    """An element's rPr fonts: ``name`` for every script, no theme font."""
    rpr = element.get_or_add_rPr()  # type: ignore[attr-defined]
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attribute in THEME_ATTRIBUTES:
        fonts.attrib.pop(qn(attribute), None)
    for attribute in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attribute), name)


def _fonts(doc: object) -> None:
    """Arial in the document defaults and every style that names a font; Courier New for code."""
    styles = doc.styles.element  # type: ignore[attr-defined]
    defaults = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    fonts = defaults.find(qn("w:rFonts"))
    for attribute in THEME_ATTRIBUTES:
        fonts.attrib.pop(qn(attribute), None)
    for attribute in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attribute), FONT)
    for style in doc.styles:  # type: ignore[attr-defined]
        if style.type in (WD_STYLE_TYPE.PARAGRAPH, WD_STYLE_TYPE.CHARACTER):
            code = style.name in ("Verbatim Char", "Source Code")
            if code or (style.element.rPr is not None and style.element.rPr.rFonts is not None):
                _set_fonts(style.element, MONO_FONT if code else FONT)
    doc.styles["Verbatim Char"].font.size = Pt(8)  # type: ignore[attr-defined]


def _table_style(doc: object) -> None:
    """pandoc's "Table" style as the PDF's tables: thin rules, a shaded bold header row."""
    style = doc.styles["Table"].element  # type: ignore[attr-defined]
    tblpr = style.find(qn("w:tblPr"))
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "bottom", "insideH"):
        line = OxmlElement(f"w:{edge}")
        for key, value in (("w:val", "single"), ("w:sz", "4"), ("w:space", "0"), ("w:color", RULE)):
            line.set(qn(key), value)
        borders.append(line)
    tblpr.append(borders)
    first = style.find(qn("w:tblStylePr"))
    rpr = OxmlElement("w:rPr")
    rpr.append(OxmlElement("w:b"))
    first.insert(0, rpr)
    shading = OxmlElement("w:shd")
    for key, value in (("w:val", "clear"), ("w:color", "auto"), ("w:fill", HEADER_FILL)):
        shading.set(qn(key), value)
    first.find(qn("w:tcPr")).append(shading)


def _paragraph_styles(doc: object) -> None:
    """Sizes, colours and spacing of the body, headings, cover, captions and running text."""
    styles = doc.styles  # type: ignore[attr-defined]
    for style in styles:
        if style.type == WD_STYLE_TYPE.PARAGRAPH:
            style.font.color.rgb = ACCENT if style.name.startswith("Heading") else INK
    for name, size in (("Normal", 10), ("Body Text", 10), ("First Paragraph", 10), ("Compact", 9)):
        styles[name].font.size = Pt(size)
    for name, size in (("Heading 1", 16), ("Heading 2", 12.5), ("Heading 3", 11)):
        styles[name].font.size = Pt(size)
        styles[name].font.bold = True
        styles[name].paragraph_format.keep_with_next = True
    title, subtitle = styles["Title"], styles["Subtitle"]
    title.font.size, title.font.bold = Pt(26), True
    subtitle.font.size, subtitle.font.bold, subtitle.font.color.rgb = Pt(18), False, ACCENT
    subtitle.paragraph_format.space_after = Pt(40)
    for style in (title, subtitle):
        style.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT
        style.paragraph_format.keep_with_next = True
    numbering = subtitle.element.pPr.find(qn("w:numPr"))
    if numbering is not None:
        subtitle.element.pPr.remove(numbering)
    label = styles.add_style("Cover Label", WD_STYLE_TYPE.PARAGRAPH)
    label.base_style = styles["Normal"]
    label.font.bold, label.font.all_caps, label.font.color.rgb = True, True, MUTED
    label.paragraph_format.space_before = Pt(160)  # the cover's text stands low on the page
    label.paragraph_format.keep_with_next = True
    caption = next(s for s in styles if s.style_id == "Caption")  # its name is not lower case
    caption.font.size, caption.font.italic, caption.font.color.rgb = Pt(9), False, MUTED
    caption.paragraph_format.space_before, caption.paragraph_format.space_after = Pt(8), Pt(2)
    for level, indent in ((1, 0), (2, 6)):  # the contents' entries (Word's "toc 1", "toc 2")
        entry = styles.add_style(f"TOC{level}", WD_STYLE_TYPE.PARAGRAPH)
        entry.element.set(qn("w:styleId"), f"TOC{level}")
        entry.element.find(qn("w:name")).set(qn("w:val"), f"toc {level}")
        entry.base_style = styles["Normal"]
        entry.font.bold = level == 1
        entry.paragraph_format.left_indent = Mm(indent)
        entry.paragraph_format.space_before = Pt(5 if level == 1 else 1)
        entry.paragraph_format.space_after = Pt(0)
        entry.paragraph_format.tab_stops.add_tab_stop(
            TEXT_WIDTH, WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS
        )
    for name in ("Header", "Footer"):
        running = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        running.element.set(qn("w:styleId"), name)  # Word's id; its name is lower case
        running.base_style = styles["Normal"]
        running.font.size, running.font.color.rgb = Pt(8), MUTED
        running.paragraph_format.space_after = Pt(0)
        running.paragraph_format.tab_stops.add_tab_stop(TEXT_WIDTH, WD_TAB_ALIGNMENT.RIGHT)


def _running_text(section: object) -> None:
    """Header: title and version on the right; footer: customer and classification on the left,
    "Page x of y" on the right; the cover page has neither (a different first page)."""
    section.different_first_page_header_footer = True  # type: ignore[attr-defined]
    header = section.header.paragraphs[0]  # type: ignore[attr-defined]
    header.style = "Header"
    header.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    for text in ("{title}", " · ", "{version}"):
        header.add_run(text)
    footer = section.footer.paragraphs[0]  # type: ignore[attr-defined]
    footer.style = "Footer"
    for text in ("{customer}", " · ", "{classification}", "\tPage "):
        footer.add_run(text)
    _field(footer, "PAGE")
    footer.add_run(" of ")
    _field(footer, "NUMPAGES")
    for part in (section.first_page_header, section.first_page_footer):  # type: ignore[attr-defined]
        part.is_linked_to_previous = False  # empty on the cover


def _font_table(xml: str) -> str:
    """pandoc's font table with Arial and Courier New named, with their Linux alternatives."""
    xml = re.sub(r'<w:font w:name="(Arial|Courier New)">.*?</w:font>\s*', "", xml, flags=re.S)
    return xml.replace("</w:fonts>", "".join(FONT_TABLE_ENTRIES) + "</w:fonts>")


def _theme(xml: str) -> str:
    """The theme's heading and body fonts: Arial (a template's own theme may name others)."""
    return re.sub(r'<a:latin typeface="[^"]*"[^>]*/>', f'<a:latin typeface="{FONT}"/>', xml)


def main() -> None:
    data = subprocess.run(
        [pypandoc.get_pandoc_path(), "--print-default-data-file", "reference.docx"],
        capture_output=True,
        check=True,
    ).stdout
    doc = Document(io.BytesIO(data))
    _paragraph_styles(doc)
    _fonts(doc)
    _table_style(doc)
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(PAGE_WIDTH_MM), Mm(PAGE_HEIGHT_MM)
    top, right, bottom, left = PAGE_MARGINS_MM  # as the printed pages
    section.top_margin, section.right_margin = Mm(top), Mm(right)
    section.bottom_margin, section.left_margin = Mm(bottom), Mm(left)
    section.header_distance = section.footer_distance = Mm(8)
    _running_text(section)
    saved = io.BytesIO()
    doc.save(saved)
    with zipfile.ZipFile(saved) as z:
        entries = [(info, z.read(info)) for info in z.infolist()]
    with zipfile.ZipFile(OUT, "w", zipfile.ZIP_DEFLATED) as z:
        for info, blob in entries:
            if info.filename == "word/fontTable.xml":
                blob = _font_table(blob.decode("utf-8")).encode("utf-8")
            elif info.filename == "word/theme/theme1.xml":
                blob = _theme(blob.decode("utf-8")).encode("utf-8")
            z.writestr(info, blob)
    print(f"wrote {OUT.relative_to(Path.cwd()) if OUT.is_relative_to(Path.cwd()) else OUT}")


if __name__ == "__main__":
    sys.exit(main())
