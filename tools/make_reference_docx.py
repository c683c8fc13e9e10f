"""Development only: write srmkit/data/reference.docx, the Word styles of srmkit's DOCX documents.

Starts from pandoc's own reference document and sets srmkit's look: Liberation Sans (Arial on
machines without it), dark blue headings, a compact table text, A4 pages with 15 mm side margins,
and a footer with "Page x of y". Run with ``make reference-docx`` after changing it.
"""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pypandoc
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

OUT = Path(__file__).resolve().parent.parent / "srmkit" / "data" / "reference.docx"
INK, ACCENT = RGBColor(0x1B, 0x2A, 0x3A), RGBColor(0x0B, 0x5C, 0x8A)
FONT = "Liberation Sans"


def _field(paragraph: object, code: str) -> None:
    """A Word field (PAGE, NUMPAGES) in a paragraph."""
    run = paragraph.add_run()  # type: ignore[attr-defined]
    for kind, text in (("begin", None), (None, code), ("separate", None), (None, "1"), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
            run._r.append(el)
        elif text == code:
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = f" {code} "
            run._r.append(instr)
        else:
            t = OxmlElement("w:t")
            t.text = text
            run._r.append(t)


def main() -> None:
    data = subprocess.run(
        [pypandoc.get_pandoc_path(), "--print-default-data-file", "reference.docx"],
        capture_output=True,
        check=True,
    ).stdout
    doc = Document(io.BytesIO(data))
    for style in doc.styles:
        if style.type != 1:  # paragraph styles only
            continue
        font = style.font
        font.name = FONT
        font.color.rgb = INK
        if style.name.startswith("Heading") or style.name in ("Title", "Subtitle"):
            font.color.rgb = ACCENT
    for name, size in (("Normal", 10), ("Body Text", 10), ("First Paragraph", 10), ("Compact", 9)):
        if name in [s.name for s in doc.styles]:
            doc.styles[name].font.size = Pt(size)
    for name, size in (("Heading 1", 16), ("Heading 2", 12.5), ("Heading 3", 11), ("Title", 24)):
        if name in [s.name for s in doc.styles]:
            doc.styles[name].font.size = Pt(size)
            doc.styles[name].font.bold = True
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(15)
    section.top_margin, section.bottom_margin = Mm(18), Mm(20)
    footer = section.footer.paragraphs[0]
    footer.text = "Page "
    _field(footer, "PAGE")
    footer.add_run(" of ")
    _field(footer, "NUMPAGES")
    for run in footer.runs:
        run.font.size = Pt(8)
        run.font.name = FONT
    doc.save(OUT)
    print(f"wrote {OUT.relative_to(Path.cwd()) if OUT.is_relative_to(Path.cwd()) else OUT}")


if __name__ == "__main__":
    sys.exit(main())
