"""Building blocks of every customer document: escaped HTML, numbered headings, tables, figures.

Everything that comes from a params file is text to show, never markup: it passes through
:func:`html.escape` (or pandas' escaping) before it reaches a document. A :class:`Book` numbers
sections, tables and figures as a notebook emits them, so inserting a section renumbers the rest.
Notebooks display the objects returned here; they hold no formatting code of their own.
"""

from __future__ import annotations

import base64
import html
import mimetypes
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import plotly.graph_objects as go

from srmkit.documents.registry import DocumentSpec
from srmkit.figures import hover_with_units
from srmkit.schema import Scenario
from srmkit.version import __version__

MAX_TABLE_ROWS = 40
"""Rows a long table shows in a document; the accompanying spreadsheet lists them all."""
MAX_STEP_COMMANDS = 100
"""Commands a checklist's step shows whole (one a VM, for instance); a step of more shows its
first :data:`FIRST_STEP_COMMANDS`, and the accompanying file lists all."""
FIRST_STEP_COMMANDS = 12


@dataclass(frozen=True, repr=False)
class Html:
    """A fragment of HTML that notebooks display as is."""

    markup: str

    def _repr_html_(self) -> str:
        return self.markup

    def __repr__(self) -> str:
        # The text/plain copy every output carries beside its HTML: short, not the markup
        # again (which doubled the executed notebooks' size).
        return f"<HTML, {len(self.markup):,} characters>"

    def __add__(self, other: Html) -> Html:
        return Html(self.markup + other.markup)


def esc(value: object) -> str:
    """Text from a params file, escaped for HTML."""
    return html.escape(str(value), quote=True)


def join(*parts: Html | None) -> Html:
    """Several fragments as one (None parts are skipped)."""
    return Html("".join(p.markup for p in parts if p is not None))


def paragraph(text: str) -> Html:
    """A paragraph of escaped text."""
    return Html(f"<p>{esc(text)}</p>")


def bullets(items: Sequence[str]) -> Html:
    """A bulleted list of escaped text."""
    return Html("<ul>" + "".join(f"<li>{esc(i)}</li>" for i in items) + "</ul>")


def note(text: str) -> Html:
    """Small print under a table or figure: what it rests on."""
    return Html(f'<p class="srm-note">{esc(text)}</p>')


@dataclass(frozen=True)
class Col:
    """A table column: its heading and how its values are shown.

    ``digits`` None shows text; a number of digits shows numbers right-aligned with thousands
    separators and that many decimals.
    """

    title: str
    digits: int | None = None


def cell(value: object, digits: int | None) -> tuple[str, bool]:
    """A value as escaped cell text, and whether it is a number (right-aligned).

    >>> cell(12678.75, 1)
    ('12,678.8', True)
    >>> cell(None, 1)
    ('–', False)
    """
    if value is None:
        return "–", False
    if isinstance(value, bool):
        return ("yes" if value else "no"), False
    if isinstance(value, int | float) and digits is not None:
        return f"{value:,.{digits}f}", True
    return esc(value), False


TOKEN_MAX_CHARS = 16


def is_token(value: object) -> bool:
    """Whether a text cell is one short word, kept on one line: ``CX4-480`` never splits at its
    hyphen, while ``CX4-480 (this design)`` still wraps at the space.

    >>> is_token("CX4-480"), is_token("CX4-480 (this design)"), is_token("x" * 40)
    (True, False, False)
    """
    text = str(value)
    return 0 < len(text) <= TOKEN_MAX_CHARS and not any(ch.isspace() for ch in text)


QUANTITY = re.compile(r"[<>≤≥~−–-]?\s?\d[\d,.]*\s?[^\s\d]{1,10}")
"""A number and its unit: ``83 min``, ``160 Mbit/s``, ``12,000 users``, ``8095 TCP``."""


def is_quantity(value: object) -> bool:
    """Whether a text cell is a number with its unit, kept on one line (a narrow column must
    never print ``83`` above ``min``).

    >>> is_quantity("83 min"), is_quantity("1,000 Mbit/s"), is_quantity("83 min (to decide)")
    (True, True, False)
    """
    return QUANTITY.fullmatch(str(value).strip()) is not None


HEADER_MAX_LINES = (2, 3)
"""Lines a column heading may take: a short one (up to :data:`HEADER_SHORT_CHARS`), a long one."""
HEADER_SHORT_CHARS = 16
DENSE_COLUMNS = 9
"""Columns from which a table is set smaller (``srm-dense``) to fit the printed page."""


def text_em(text: str) -> float:
    """The width of a line of bold Liberation Sans (Arial's metrics), near enough to size a
    column heading: capitals are wider than small letters, ``i`` and ``l`` narrower. [em]

    >>> text_em("RPO"), text_em("ill")
    (2.16, 0.9)
    """
    width = 0.0
    for ch in text:
        if ch.isupper():
            width += 0.72
        elif ch in "fijlrt":
            width += 0.3
        elif ch.isalnum():
            width += 0.6
        elif ch == " ":
            width += 0.28
        else:
            width += 0.4
    return round(width, 2)


def header_min_em(title: str) -> float | None:
    """The narrowest width of a column heading that still fits it on its lines
    (:data:`HEADER_MAX_LINES`), or None when its words alone never make more lines (the
    browser's own minimum suffices). [em]

    A column whose values are short ("yes", "no") would otherwise shrink its heading to its
    longest word, one word a line: "Fits / in / year / 3".

    >>> header_min_em("Fits in year 3")  # "Fits in" / "year 3"
    3.4
    >>> header_min_em("Consistency groups free in year 3")  # on three lines
    6.42
    >>> header_min_em("RTO [min]") is None
    True
    """
    short, long = HEADER_MAX_LINES
    lines = short if len(title) <= HEADER_SHORT_CHARS else long
    words = title.split()
    if len(words) <= lines:
        return None

    def widest(first: int, count: int) -> float:
        """The widest line when words[first:] are set on ``count`` lines at best."""
        if count == 1:
            return text_em(" ".join(words[first:]))
        return min(
            max(text_em(" ".join(words[first:cut])), widest(cut, count - 1))
            for cut in range(first + 1, len(words) - count + 2)
        )

    return round(widest(0, lines) + HEADER_SPARE_EM, 2)


HEADER_SPARE_EM = 0.3
"""Room left beside a heading's widest line, for the estimate's error. [em]"""


def header_cell(title: str, css: str) -> str:
    """A column heading, with its minimum width when it has many words."""
    em = header_min_em(title)
    style = f' style="min-width: {em}em"' if em is not None else ""
    return f'<th class="{css}"{style}>{esc(title)}</th>'


def scroll_box(table: str) -> str:
    """A table in a box of its own that scrolls sideways on a narrow screen (the page never
    does); in print the box is a plain block, so the table's header still repeats."""
    return f'<div class="srm-scroll">{table}</div>'


def anchor(text: str) -> str:
    """An id for a heading: ``"2.1 Sites and arrays"`` → ``sites-and-arrays``."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "section"


def _logo(scenario: Scenario, base_dir: Path | None) -> str:
    logo = scenario.document.logo
    if not logo or base_dir is None:
        return ""
    path = (base_dir / logo).resolve()
    kind = mimetypes.guess_type(path.name)[0]
    if kind not in ("image/png", "image/jpeg", "image/svg+xml") or not path.is_file():
        return ""
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return f'<img class="srm-logo" alt="logo" src="data:{kind};base64,{data}">'


@dataclass
class Book:
    """One document being built: its registry entry, its scenario, and its running numbers."""

    spec: DocumentSpec
    scenario: Scenario
    base_dir: Path | None = None
    sections: list[int] = field(default_factory=lambda: [0, 0])
    tables: int = 0
    figures: int = 0
    appendix: int = 0
    """Appendices started so far (A, B, …); after the first, h1 headings are appendices."""

    def cover(self) -> Html:
        """The cover page: document title, project, customer, author, version, date, class."""
        d = self.scenario.document
        rows = [
            ("Customer", d.customer),
            ("Project", d.project),
            ("Author", d.author),
            ("Version", d.version or "draft"),
            ("Date", d.date.isoformat()),
            ("Classification", d.confidentiality.capitalize()),
            ("Generated by", f"srmkit {__version__}"),
        ]
        cells = "".join(f"<tr><td>{esc(k)}</td><td>{esc(v)}</td></tr>" for k, v in rows)
        return Html(
            '<div class="srm-cover">'
            f"{_logo(self.scenario, self.base_dir)}"
            f'<p class="srm-class">{esc(self.spec.subtitle)}</p>'
            f'<p class="srm-title">{esc(self.spec.title)}</p>'
            f'<p class="srm-customer">{esc(d.customer)}</p>'
            f"<table>{cells}</table></div>"
        )

    def contents(self) -> Html:
        """The table of contents: filled with every numbered heading when the document is
        finished (:mod:`srmkit.documents.finish`); page numbers are added when it is printed."""
        return Html(
            '<div class="srm-contents"><p class="srm-contents-title">Contents</p>'
            '<nav class="srm-toc"></nav></div>'
        )

    def _number(self) -> str:
        if self.appendix:
            return chr(ord("A") + self.appendix - 1)
        return str(self.sections[0])

    def h1(self, title: str, appendix: bool = False, new_page: bool = False) -> Html:
        """A numbered top-level section heading; ``appendix`` starts (or continues) the
        appendices, lettered A, B, …; ``new_page`` starts it on a new printed page."""
        if appendix:
            self.appendix += 1
            self.sections = [self.sections[0], 0]
        else:
            self.sections = [self.sections[0] + 1, 0]
        number = self._number()
        label = f"Appendix {number}" if appendix else number
        css = "srm-h srm-new-page" if new_page or (appendix and self.appendix == 1) else "srm-h"
        return Html(
            f'<h1 id="{anchor(label + " " + title)}" class="{css}"><span class="srm-num">'
            f"{label}</span> {esc(title)}</h1>"
        )

    def h2(self, title: str) -> Html:
        """A numbered subsection heading."""
        self.sections[1] += 1
        number = f"{self._number()}.{self.sections[1]}"
        return Html(
            f'<h2 id="{anchor(number + " " + title)}" class="srm-h"><span class="srm-num">'
            f"{number}</span> {esc(title)}</h2>"
        )

    def references(self) -> Html:
        """The references appendix: every source the document cites, filled when the document
        is finished (:mod:`srmkit.documents.finish`)."""
        return join(
            self.h1("References", appendix=True),
            Html('<div class="srm-references"></div>'),
        )

    def checklist(
        self,
        caption: str,
        steps: Sequence[tuple[int, str, str, str, Sequence[str], str]],
        total: str | None = None,
        complete_in: str | None = None,
    ) -> Html:
        """A numbered checklist: each step with who acts, what to do, the commands to run and the
        result to expect, its duration, a box to tick and room for the initials of whoever did
        it.

        With ``complete_in`` (the accompanying file that lists every command), a step of more
        than :data:`MAX_STEP_COMMANDS` commands shows its first :data:`FIRST_STEP_COMMANDS` and
        says where the rest are.
        """
        self.tables += 1
        rows = []
        for n, who, text, minutes, commands, expected in steps:
            rows.append(
                f'<tr><td class="num">{n}</td><td class="txt srm-nowrap">{esc(who)}</td>'
                f'<td class="txt">{esc(text)}</td><td class="num srm-nowrap">{esc(minutes)}</td>'
                '<td class="srm-box">☐</td><td class="srm-sign"></td></tr>'
            )
            # Each command across the table on a row of its own (a page may break between
            # them), then what the operator should see.
            long = complete_in is not None and len(commands) > MAX_STEP_COMMANDS
            shown = commands[:FIRST_STEP_COMMANDS] if long else commands
            rows += [
                f'<tr class="srm-cmds"><td></td><td colspan="5"><code class="srm-cmd">{esc(c)}'
                "</code></td></tr>"
                for c in shown
            ]
            if len(shown) < len(commands):
                rows.append(
                    '<tr class="srm-cmds"><td></td><td colspan="5" class="txt">'
                    f"and {len(commands) - len(shown):,} more of this step's commands, the same "
                    f"for each of its other objects: every command is in the accompanying "
                    f"{esc(complete_in)}.</td></tr>"
                )
            if expected:
                rows.append(
                    '<tr class="srm-cmds"><td></td><td colspan="5" class="txt">'
                    f'<span class="srm-expect">Expect: {esc(expected)}</span></td></tr>'
                )
        body = "".join(rows)
        if total is not None:
            body += (
                '<tr class="srm-total"><td></td><td></td><td class="txt">Estimated total</td>'
                f'<td class="num srm-nowrap">{esc(total)}</td><td></td><td></td></tr>'
            )
        cap = f'<p class="srm-caption">Table {self.tables}. {esc(caption)}</p>'
        table = (
            '<table class="srm-table srm-checklist"><thead><tr>'
            '<th class="num">No.</th><th class="txt">Who</th><th class="txt">Step</th>'
            '<th class="num">Duration</th><th class="txt">Done</th><th class="txt">Initials</th>'
            f"</tr></thead><tbody>{body}</tbody></table>"
        )
        return Html(f'<div class="srm-block">{cap}{scroll_box(table)}</div>')

    def table(
        self,
        caption: str,
        columns: Sequence[Col],
        rows: Sequence[Sequence[object]],
        total: Sequence[object] | None = None,
        source: str | None = None,
        complete_in: str | None = None,
    ) -> Html:
        """A numbered, captioned table; every cell escaped, numbers right-aligned.

        With ``complete_in`` (the accompanying file that lists every row), a table longer than
        :data:`MAX_TABLE_ROWS` shows its first rows and says where the rest are; a total row
        still counts every row.
        """
        self.tables += 1
        shown_note = ""
        if complete_in is not None and len(rows) > MAX_TABLE_ROWS:
            shown_note = (
                f"The first {MAX_TABLE_ROWS:,} of {len(rows):,} rows are shown; every row is in "
                f"the accompanying {complete_in}."
            )
            rows = rows[:MAX_TABLE_ROWS]
        head = "".join(
            header_cell(c.title, "num" if c.digits is not None else "txt") for c in columns
        )

        def tr(values: Sequence[object], css: str = "") -> str:
            cells = []
            for value, col in zip(values, columns, strict=True):
                text, number = cell(value, col.digits)
                one_line = is_token(value) or is_quantity(value)
                # A missing number ("–") stands where the column's numbers stand: on the right.
                number = number or (value is None and col.digits is not None)
                kind = "num" if number else ("txt srm-nowrap" if one_line else "txt")
                cells.append(f'<td class="{kind}">{text}</td>')
            return (
                f'<tr class="{css}">' + "".join(cells) + "</tr>"
                if css
                else ("<tr>" + "".join(cells) + "</tr>")
            )

        body = "".join(tr(r) for r in rows) + (tr(total, "srm-total") if total else "")
        cap = f'<p class="srm-caption">Table {self.tables}. {esc(caption)}</p>'
        css = "srm-table srm-dense" if len(columns) >= DENSE_COLUMNS else "srm-table"
        table = f'<table class="{css}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
        return Html(
            f'<div class="srm-block">{cap}{scroll_box(table)}'
            + (note(shown_note).markup if shown_note else "")
            + (note(source).markup if source else "")
            + "</div>"
        )

    def figure(self, fig: go.Figure, caption: str) -> Html:
        """A numbered, captioned plotly figure; relies on plotly.js from the document template."""
        self.figures += 1
        hover_with_units(fig)
        markup = fig.to_html(
            include_plotlyjs=False,
            full_html=False,
            config={"displaylogo": False, "responsive": True, "staticPlot": False},
            default_width="100%",
        )
        meta = fig.layout.meta
        note_text = meta.get("note") if isinstance(meta, dict) else None
        cap = f'<p class="srm-caption">Figure {self.figures}. {esc(caption)}</p>'
        return Html(
            f'<div class="srm-figure">{markup}{cap}'
            f"{note(note_text).markup if note_text else ''}</div>"
        )
