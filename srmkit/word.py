"""Word: a run's HTML document as DOCX, at the printed document's standard.

The page is laid out in Chromium as printed (:mod:`srmkit.printing`); there the figures become
images, every table gets the column widths it shows on paper (no narrower than its longest word
in Word's font), and the cover and captions are marked with Word's styles. pandoc writes the
DOCX with srmkit's styles (``srmkit/data/reference.docx``, made by
``tools/make_reference_docx.py``) or a customer's template; :func:`finish_docx` then does what
pandoc cannot: the contents after the cover, the running header and footer filled in for the
document, captions kept with their table or figure, tables as wide as the text.
"""

from __future__ import annotations

import base64
import errno
import re
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape as xml_escape

from srmkit.documents.finish import CONTENT_WIDTH_PX
from srmkit.errors import NoSpaceError, SrmkitError
from srmkit.execution import ReportError
from srmkit.folders import mount_point, no_space

if TYPE_CHECKING:
    from playwright.sync_api import Page

FONT = "Arial"
"""The documents' font: every Windows has it, and LibreOffice on Linux shows the metric-compatible
Liberation Sans in its place (the PDF's and HTML's font), so lines break alike."""
MONO_FONT = "Courier New"
"""Code (commands in the runbook): Liberation Mono on Linux, metric-compatible."""
FONT_TABLE_ENTRIES = (
    f'<w:font w:name="{FONT}"><w:altName w:val="Liberation Sans"/>'
    '<w:panose1 w:val="020B0604020202020204"/><w:charset w:val="00"/>'
    '<w:family w:val="swiss"/><w:pitch w:val="variable"/></w:font>',
    f'<w:font w:name="{MONO_FONT}"><w:altName w:val="Liberation Mono"/>'
    '<w:panose1 w:val="02070309020205020404"/><w:charset w:val="00"/>'
    '<w:family w:val="modern"/><w:pitch w:val="fixed"/></w:font>',
)
"""The font table's entries of srmkit's fonts (panose and alternative name, as Word writes them)."""

WORD_LAYOUT = {
    "textWidthPx": CONTENT_WIDTH_PX,  # the text column of the Word pages, as of the printed ones
    "fontPx": 12,  # table text: 9 pt ("Compact")
    "fonts": f"'{FONT}', 'Liberation Sans', sans-serif",
    "paddingPx": 17,  # 2 × 0.19 cm, Word's cell margins, and 2.5 px to spare
}
"""What the browser needs to size the tables' columns for Word."""

WORD_BODY_JS = """async (w) => {
    for (const div of [...document.querySelectorAll('.plotly-graph-div')]) {
        const width = Math.round(div.offsetWidth || 680);
        const height = Math.round(div.offsetHeight || 380);
        const url = await Plotly.toImage(div, {format: 'png', width, height, scale: 1.5});
        const img = document.createElement('img');
        img.src = url; img.alt = 'figure'; img.style.width = (width * 0.75) + 'pt';
        (div.parentElement || div).replaceWith(img);
    }
    const ctx = document.createElement('canvas').getContext('2d');
    const widthOf = (text, bold) => {
        ctx.font = (bold ? 'bold ' : '') + w.fontPx + 'px ' + w.fonts;
        return ctx.measureText(text).width;
    };
    // Each column: as wide as printed, never narrower than its longest word in Word's font.
    for (const table of document.querySelectorAll('table')) {
        const n = Math.max(0, ...[...table.rows].map(
            r => [...r.cells].reduce((sum, c) => sum + c.colSpan, 0)));
        if (!n) continue;
        const shown = new Array(n).fill(1), least = new Array(n).fill(w.paddingPx);
        for (const row of table.rows) {
            let col = 0;
            for (const cell of row.cells) {
                if (cell.colSpan === 1 && col < n) {
                    const style = getComputedStyle(cell);
                    const bold = cell.tagName === 'TH' || Number(style.fontWeight) >= 600;
                    const text = cell.innerText.trim();
                    const words = style.whiteSpace.startsWith('nowrap')
                        ? text.split(/\\n+/) : text.split(/\\s+/);
                    const longest = Math.max(0, ...words.map(t => widthOf(t, bold)));
                    shown[col] = Math.max(shown[col], cell.getBoundingClientRect().width);
                    least[col] = Math.max(least[col], Math.ceil(longest) + w.paddingPx);
                }
                col += cell.colSpan;
            }
        }
        const widths = shown.map((s, i) => Math.max(s, least[i]));
        for (let round = 0; round < n; round++) {
            const fixed = widths.map((x, i) => x <= least[i]);
            const free = widths.reduce((s, x, i) => s + (fixed[i] ? 0 : x), 0);
            const room = w.textWidthPx - widths.reduce((s, x, i) => s + (fixed[i] ? x : 0), 0);
            if (free <= 0 || room <= 0) break;
            let changed = false;
            widths.forEach((x, i) => {
                if (fixed[i]) return;
                widths[i] = Math.max(least[i], x * room / free);
                changed = changed || widths[i] === least[i];
            });
            if (!changed) break;
        }
        const total = widths.reduce((s, x) => s + x, 0);
        table.querySelectorAll('colgroup').forEach(g => g.remove());
        const group = document.createElement('colgroup');
        for (const x of widths) {
            const col = document.createElement('col');
            col.style.width = (100 * x / total).toFixed(2) + '%';
            group.appendChild(col);
        }
        table.prepend(group);
        table.style.width = '100%';
    }
    // Word's styles for the cover and the captions (pandoc's custom styles).
    const styled = {'.srm-cover .srm-class': 'Cover Label', '.srm-cover .srm-title': 'Title',
                    '.srm-cover .srm-customer': 'Subtitle', '.srm-caption': 'Caption'};
    for (const [selector, name] of Object.entries(styled)) {
        for (const el of document.querySelectorAll(selector)) {
            const div = document.createElement('div');
            div.setAttribute('data-custom-style', name);
            el.replaceWith(div);
            div.appendChild(el);
        }
    }
    for (const el of document.querySelectorAll('script, style, .srm-contents')) el.remove();
    return document.body.innerHTML;
}"""
"""In the browser, with the page laid out as printed: the document's body for pandoc."""


def docx_body(page: Page) -> str:
    """The body of the document open in ``page`` (laid out as printed) for :func:`write_docx`."""
    return str(page.evaluate(WORD_BODY_JS, WORD_LAYOUT))


@dataclass(frozen=True)
class DocxProperties:
    """What Word shows under File > Info (the title, subject, author and keywords) and on every
    page but the cover (the document's title, its version and date, the customer and the
    classification)."""

    title: str
    subject: str
    author: str
    keywords: str = "disaster recovery, VMware SRM, MirrorView, Exchange 2007"
    document: str = ""  # the document's title, without the customer
    version: str = ""  # "version 1.0, 2026-11-24", or the date alone
    customer: str = ""
    classification: str = ""

    def running(self) -> dict[str, str]:
        """The placeholders of the running header and footer and their text."""
        return {
            "{title}": self.document or self.title,
            "{version}": self.version,
            "{customer}": self.customer,
            "{classification}": self.classification,
        }


DATA_PNG = re.compile(r'src="data:image/png;base64,([^"]+)"')


def reference_docx() -> Any:
    """srmkit's own Word styles (a context manager giving the file's path)."""
    return resources.as_file(resources.files("srmkit.data").joinpath("reference.docx"))


def write_docx(
    body_html: str,
    output: Path,
    properties: DocxProperties | None = None,
    template: Path | None = None,
) -> None:
    """A document body (figures already images) as DOCX through pandoc, with srmkit's Word
    styles or those of ``template`` (a customer's .docx): headings become Word's heading
    styles, so Word builds its own contents, and Word fills the contents' page numbers when
    the file is opened.

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

        with no_space(output, images):  # the figures are written in the temporary folder
            body = DATA_PNG.sub(to_file, body_html)
        with reference_docx() as ours:
            try:
                pypandoc.convert_text(
                    f"<html><body>{body}</body></html>",
                    "docx",
                    format="html",
                    outputfile=str(output),
                    extra_args=[
                        f"--reference-doc={template or ours}",
                        f"--resource-path={images}",
                        "--toc",
                        "--toc-depth=2",
                        "--metadata=toc-title:Contents",
                    ],
                )
            except RuntimeError as exc:
                raise pandoc_error(str(exc), output) from None
        with no_space(output):
            finish_docx(output, properties)


PANDOC_DIED = re.compile(r'^Pandoc died with exitcode "-?\d+" [a-z ]+: ')
"""How pypandoc starts its error before pandoc's own output."""
PANDOC_NO_SPACE = re.compile(r"no space left|quota exceeded", re.I)
"""pandoc's words (GHC's) for a full disk: ``resource exhausted (No space left on device)``."""


def pandoc_error(text: str, output: Path) -> SrmkitError:
    """pandoc's failure (pypandoc's error ``text``) in one line: a full disk as
    :class:`~srmkit.errors.NoSpaceError`, else what pandoc said first; its whole output (GHC's
    backtrace too) is the error's ``detail``, shown only by ``srmkit report --verbose``.

    >>> said = 'Pandoc died with exitcode "1" during conversion: pandoc: x.png: openBinaryFile: '
    >>> print(pandoc_error(said + "does not exist\\nHasCallStack backtrace:\\n  …", Path("a.docx")))
    pandoc could not write the Word document: x.png: openBinaryFile: does not exist
    """
    said = PANDOC_DIED.sub("", text, count=1)
    error: SrmkitError
    if PANDOC_NO_SPACE.search(said):
        code = errno.EDQUOT if "quota" in said.lower() else errno.ENOSPC
        error = NoSpaceError(output, mount_point(output), code)
    else:
        lines = [line.strip() for line in said.splitlines() if line.strip()]
        first = next((line for line in lines if not line.startswith("[")), None)
        first = first or (lines[0] if lines else "it stopped without saying why")
        error = ReportError(
            f"pandoc could not write the Word document: {first.removeprefix('pandoc: ')}"
        )
    error.detail = text
    return error


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


def fill_running(xml: str, properties: DocxProperties) -> str:
    """A header's or footer's placeholders (``{title}``, ``{version}``, ``{customer}``,
    ``{classification}``, each within one run's text) replaced by the document's text,
    XML-escaped.

    >>> fill_running("<w:t>{customer}</w:t>", DocxProperties("T", "S", "A", customer="A&B"))
    '<w:t>A&amp;B</w:t>'
    """
    for placeholder, text in properties.running().items():
        xml = xml.replace(placeholder, xml_escape(text, {'"': "&quot;"}))
    return xml


RUNNING_PART = re.compile(r"word/(?:srmkit-)?(?:header|footer)[-\w]*\.xml")
UPDATE_FIELDS = '<w:updateFields w:val="true" />'
"""Word fills the fields (the contents' page numbers) when the document is opened."""
CAPTION = '<w:pStyle w:val="Caption" />'
NEXT_BLOCK = re.compile(r"\s*(?:<w:bookmark(?:Start|End)\b[^>]*/>\s*)*<w:(p|tbl)\b")


def keep_captions(xml: str) -> str:
    """A table's caption (above it) and a figure (above its caption) kept on the page of what
    follows them (Word's keep-with-next)."""
    out: list[str] = []
    last = 0
    for match in re.finditer(r"<w:p>.*?</w:p>", xml, re.S):
        paragraph = match.group(0)
        follows = NEXT_BLOCK.match(xml, match.end())
        after = xml[follows.start() : follows.start() + 400] if follows else ""
        keep = (CAPTION in paragraph and follows is not None and follows.group(1) == "tbl") or (
            "<w:drawing>" in paragraph and CAPTION in after.split("</w:p>", 1)[0]
        )
        if keep and "<w:keepNext" not in paragraph:
            if "<w:pPr>" in paragraph:
                paragraph = paragraph.replace("<w:pPr>", "<w:pPr><w:keepNext />", 1)
            else:
                paragraph = paragraph.replace("<w:p>", "<w:p><w:pPr><w:keepNext /></w:pPr>", 1)
        out.append(xml[last : match.start()] + paragraph)
        last = match.end()
    return "".join(out) + xml[last:]


def _text_width_twips(xml: str) -> int:
    """The width of the text column of the document's last section. [twip]"""
    size = re.search(r'<w:pgSz\b[^>]*w:w="(\d+)"', xml)
    left = re.search(r'<w:pgMar\b[^>]*w:left="(\d+)"', xml)
    right = re.search(r'<w:pgMar\b[^>]*w:right="(\d+)"', xml)
    if size is None or left is None or right is None:
        return 10206  # A4 less 15 mm margins
    return int(size.group(1)) - int(left.group(1)) - int(right.group(1))


def full_width_tables(xml: str) -> str:
    """Every table as wide as the text (100 %), its grid columns in their proportions summing
    to the text column's width."""
    width = _text_width_twips(xml)

    def grid(match: re.Match[str]) -> str:
        columns = [int(w) for w in re.findall(r'w:w="(\d+)"', match.group(0))]
        total = sum(columns) or 1
        scaled = [round(width * w / total) for w in columns]
        return "<w:tblGrid>" + "".join(f'<w:gridCol w:w="{w}" />' for w in scaled) + "</w:tblGrid>"

    xml = re.sub(r"<w:tblGrid>.*?</w:tblGrid>", grid, xml, flags=re.S)
    return re.sub(r"<w:tblW\b[^>]*/>", '<w:tblW w:type="pct" w:w="5000" />', xml)


HEADING = re.compile(
    r'<w:bookmarkStart w:id="\d+" w:name="([^"]+)" />\s*'
    r'<w:p><w:pPr><w:pStyle w:val="Heading([12])" ?/>.*?</w:p>',
    re.S,
)
TOC_FIELD_END = (
    '<w:fldChar w:fldCharType="separate" /><w:fldChar w:fldCharType="end" /></w:r></w:p>'
)


def _page_ref(anchor: str) -> str:
    """Word's PAGEREF field: the page of a bookmark (LibreOffice computes it as it lays out)."""
    runs = (
        '<w:fldChar w:fldCharType="begin" />',
        f'<w:instrText xml:space="preserve"> PAGEREF {anchor} \\h </w:instrText>',
        '<w:fldChar w:fldCharType="separate" />',
        "<w:t></w:t>",
        '<w:fldChar w:fldCharType="end" />',
    )
    return "".join(f"<w:r>{run}</w:r>" for run in runs)


def fill_contents(xml: str) -> str:
    """The contents field's entries written out (each heading linked, its page a PAGEREF field),
    so that a reader that does not rebuild the contents (LibreOffice) shows them; Word rebuilds
    them on opening."""
    entries = []
    for match in HEADING.finditer(xml):
        anchor, level = match.group(1), match.group(2)
        text = "".join(re.findall(r"<w:t[^>]*>([^<]*)</w:t>", match.group(0)))
        entries.append(
            f'<w:p><w:pPr><w:pStyle w:val="TOC{level}" /></w:pPr>'
            f'<w:hyperlink w:anchor="{anchor}" w:history="1"><w:r><w:t xml:space="preserve">'
            f"{text}</w:t></w:r><w:r><w:tab /></w:r>{_page_ref(anchor)}</w:hyperlink></w:p>"
        )
    if not entries or TOC_FIELD_END not in xml:
        return xml
    filled = (
        '<w:fldChar w:fldCharType="separate" /></w:r></w:p>'
        + "".join(entries)
        + '<w:p><w:r><w:fldChar w:fldCharType="end" /></w:r></w:p>'
    )
    return xml.replace(TOC_FIELD_END, filled, 1)


def _move_contents(xml: str) -> str:
    """The contents pandoc puts at the very start moved after the cover, on a page of its own."""
    toc = WORD_TOC.search(xml)
    if toc is None:
        return xml
    rest = xml[: toc.start()] + xml[toc.end() :]
    first = WORD_FIRST_HEADING.search(rest)
    if first is None:
        return xml
    moved = WORD_PAGE_BREAK + toc.group(0) + WORD_PAGE_BREAK
    return rest[: first.start()] + moved + rest[first.start() :]


def finish_docx(docx: Path, properties: DocxProperties | None = None) -> None:
    """What pandoc cannot write: the contents after the cover (each on a page of its own, before
    the first section), filled in by Word on opening; the core properties; the running header
    and footer filled in (srmkit's own when the Word template has none); captions kept with
    their table or figure; tables as wide as the text."""
    with zipfile.ZipFile(docx) as z:
        entries = {info.filename: (info, z.read(info)) for info in z.infolist()}
    edits: dict[str, Callable[[str], str]] = {
        "word/settings.xml": _update_fields,
        "word/document.xml": lambda xml: full_width_tables(
            keep_captions(_move_contents(fill_contents(xml)))
        ),
    }
    if properties is not None:
        edits["docProps/core.xml"] = lambda xml: _core_properties(xml, properties)
        if not _has_running_text(entries["word/document.xml"][1].decode("utf-8")):
            _add_running_parts(entries)
        for name in entries:
            if RUNNING_PART.fullmatch(name):
                edits[name] = lambda xml: fill_running(xml, properties)
    with zipfile.ZipFile(docx, "w", zipfile.ZIP_DEFLATED) as z:
        for name, (info, data) in entries.items():
            if name in edits:
                data = edits[name](data.decode("utf-8")).encode("utf-8")
            z.writestr(info, data)


def _update_fields(xml: str) -> str:
    if "updateFields" in xml:
        return xml
    start = xml.index(">", xml.index("<w:settings")) + 1
    return xml[:start] + UPDATE_FIELDS + xml[start:]


def _has_running_text(document_xml: str) -> bool:
    """Whether the document's last section has a header or a footer of its own."""
    section = document_xml[document_xml.rfind("<w:sectPr") :]
    return "<w:headerReference" in section or "<w:footerReference" in section


RELATIONSHIP = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
PART_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml."


def _add_running_parts(entries: dict[str, tuple[zipfile.ZipInfo, bytes]]) -> None:
    """srmkit's running header and footer (and the cover's empty ones) added to a document whose
    Word template has none."""
    with reference_docx() as ours, zipfile.ZipFile(ours) as ref:
        ref_doc = ref.read("word/document.xml").decode("utf-8")
        ref_rels = ref.read("word/_rels/document.xml.rels").decode("utf-8")
        section = ref_doc[ref_doc.rfind("<w:sectPr") :]
        references = re.findall(
            r'<w:(header|footer)Reference w:type="(\w+)" r:id="(\w+)"/>', section
        )
        targets = dict(re.findall(r'Id="(\w+)"[^>]*Target="([^"]+)"', ref_rels))
        targets |= {k: v for v, k in re.findall(r'Target="([^"]+)"[^>]*Id="(\w+)"', ref_rels)}
        parts = {rid: ref.read(f"word/{targets[rid]}") for _, _, rid in references}
    rels_name, types_name = "word/_rels/document.xml.rels", "[Content_Types].xml"
    rels = entries[rels_name][1].decode("utf-8")
    types = entries[types_name][1].decode("utf-8")
    document = entries["word/document.xml"][1].decode("utf-8")
    tags = []
    for kind, where, rid in references:
        name = f"srmkit-{kind}-{where}.xml"
        new_id = f"rIdSrmkit{kind.capitalize()}{where.capitalize()}"
        entries[f"word/{name}"] = (zipfile.ZipInfo(f"word/{name}"), parts[rid])
        rels = rels.replace(
            "</Relationships>",
            f'<Relationship Id="{new_id}" Type="{RELATIONSHIP}{kind}" Target="{name}"/>'
            "</Relationships>",
        )
        types = types.replace(
            "</Types>",
            f'<Override PartName="/word/{name}" ContentType="{PART_TYPE}{kind}+xml"/></Types>',
        )
        tags.append(f'<w:{kind}Reference w:type="{where}" r:id="{new_id}" />')
    tags.sort(key=lambda tag: "footer" in tag)  # headers first, as Word's schema orders them
    start = document.rfind("<w:sectPr")
    open_end = document.index(">", start) + 1
    document = document[:open_end] + "".join(tags) + document[open_end:]
    if "<w:titlePg" not in document[start:]:
        document = re.sub(
            r"(<w:textDirection|<w:bidi|<w:rtlGutter|<w:docGrid|</w:sectPr>)",
            r"<w:titlePg />\1",
            document[start:],
            count=1,
        ).join((document[:start], ""))
    if "xmlns:r=" not in document[:500]:
        document = document.replace(
            "<w:document ", f'<w:document xmlns:r="{RELATIONSHIP[:-1]}" ', 1
        )
    for name, text in ((rels_name, rels), (types_name, types), ("word/document.xml", document)):
        entries[name] = (entries[name][0], text.encode("utf-8"))
