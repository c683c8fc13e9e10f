"""Every document of every example opened once in headless Chromium, as printed and on a phone,
and everything the browser can tell about it checked on that one load: the probes of
:mod:`test_documents` (no error, nothing fetched, no cell overflowing, nothing wider than the
page), :mod:`test_web_layout` (no number or unit wrapped, no header tower, no sideways scroll on
a phone) and :mod:`test_figure_text` (no text of a figure overlapping another, cut off, or
covering a bar). Loading a document costs about a second (its plotly.js compiled, its figures
drawn), so one load serves all of them: one browser for the module, one test per document so
the workers share them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
from test_documents import OVERFLOW_JS, TOO_WIDE_JS
from test_figure_text import FIGURE_TEXT_JS, REDRAWN_JS, document_problems
from test_web_layout import PHONE_JS, PHONE_PX, PRINT_SHAPES_JS, SCREEN_HEIGHT_PX

from srmkit.browser import offline_page, wait_for_figures
from srmkit.documents.blocks import HEADER_MAX_LINES, HEADER_SHORT_CHARS, QUANTITY
from srmkit.documents.finish import CONTENT_WIDTH_PX
from srmkit.documents.registry import DOCUMENTS

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from srmkit.report import Report

pytestmark = [
    pytest.mark.notebook,
    pytest.mark.browser,
    pytest.mark.timeout(900),
    pytest.mark.usefixtures("need_browser"),
]

PRINT_HEIGHT_PX = 1000
SHAPES = [QUANTITY.pattern, HEADER_SHORT_CHARS, *HEADER_MAX_LINES]


class Opened:
    """One headless page for the module, network closed, recording its errors."""

    def __init__(self, page: Page, refused: list[str]) -> None:
        self.page, self.refused, self.errors = page, refused, list[str]()
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))


@pytest.fixture(scope="module")
def opened() -> Iterator[Opened]:
    with offline_page() as (page, refused):
        yield Opened(page, refused)


def _printed(page: Page, where: str) -> list[str]:
    """What is wrong with the open document laid out as printed."""
    problems = [f"{where}: a cell overflows: {c!r}" for c in page.evaluate(OVERFLOW_JS)]
    problems += [f"{where}: wider than the page: {t!r}" for t in page.evaluate(TOO_WIDE_JS)]
    shapes = page.evaluate(PRINT_SHAPES_JS, SHAPES)
    problems += [f"{where}: a number wraps: {w!r}" for w in shapes["wrapped"]]
    problems += [f"{where}: a header tower: {t!r}" for t in shapes["towers"]]
    problems += document_problems(page.evaluate(FIGURE_TEXT_JS), f"{where} (printed)")
    return problems


def _on_phone(page: Page, where: str) -> list[str]:
    """What is wrong with the open document on a 390 px phone (no reload: the page is narrowed,
    the template fits the figures' titles and plotly redraws the figures)."""
    page.emulate_media(media="screen")
    page.set_viewport_size({"width": PHONE_PX, "height": SCREEN_HEIGHT_PX})
    page.wait_for_function(f"document.documentElement.dataset.srmFitted === '{PHONE_PX}'")
    page.wait_for_function(REDRAWN_JS, timeout=10_000)
    problems = [f"{where} at {PHONE_PX} px: {p}" for p in page.evaluate(PHONE_JS, PHONE_PX)]
    where = f"{where} (at {PHONE_PX} px)"
    return problems + document_problems(page.evaluate(FIGURE_TEXT_JS), where)


@pytest.mark.parametrize("name", [spec.basename for spec in DOCUMENTS.values()])
def test_document_as_printed_and_on_a_phone(
    opened: Opened, rendered_examples: list[Report], name: str
) -> None:
    """This document of every example draws its figures offline without an error; as printed
    (the text column's width, print media) no cell overflows, nothing is wider than the page,
    no number wraps, no header is a tower and no text of a figure overlaps another; on a phone
    the page never scrolls sideways, tables and figures fit, and figure texts still don't
    overlap."""
    page = opened.page
    problems: list[str] = []
    for report in rendered_examples:
        where = f"{report.params.name} {name}"
        opened.errors.clear()
        page.emulate_media(media="print")
        page.set_viewport_size({"width": CONTENT_WIDTH_PX, "height": PRINT_HEIGHT_PX})
        page.goto(report.files[f"{name}.html"].as_uri(), wait_until="load")
        assert wait_for_figures(page) >= 1, where
        problems += _printed(page, where)
        problems += _on_phone(page, where)
        problems += [f"{where}: {e}" for e in opened.errors]
    problems += [f"fetched: {url}" for url in opened.refused]
    assert problems == [], "\n".join(problems)
