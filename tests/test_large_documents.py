"""A design of many servers gives documents a reader can use: a rule broken on every server is
one row of the review, a step of over 100 commands shows the first, and the accompanying files
hold every finding and every command (issue 21: a 10,000-server design's review listed 60,000
findings and its runbook ran to 39 MB)."""

from __future__ import annotations

import csv
import html
import re
from pathlib import Path

import pytest
from conftest import copy_measured
from openpyxl import load_workbook

from bench.common import servers_scenario
from srmkit import load_scenario
from srmkit.design import Design
from srmkit.documents import design_document, dr_runbook, get_document
from srmkit.documents.blocks import FIRST_STEP_COMMANDS, MAX_STEP_COMMANDS, MAX_TABLE_ROWS, Book
from srmkit.documents.review import GROUP_FROM
from srmkit.exports import write_plan_xlsx, write_runbook_csv
from srmkit.frames import FINDING_COLUMNS
from srmkit.runbook import procedures

SERVERS = 60


@pytest.fixture(scope="module")
def design(tmp_path_factory: pytest.TempPathFactory) -> Design:
    """60 servers, each setting every optional field: six findings a server."""
    folder = tmp_path_factory.mktemp("many")
    copy_measured(folder)
    path = folder / "many.yaml"
    path.write_text(servers_scenario(SERVERS, every_field=True), encoding="utf-8")
    return Design(load_scenario(path))


def book(design: Design, key: str = "design") -> Book:
    return Book(get_document(key), design.scenario)


def text_of(markup: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", markup)))


def test_review_lists_a_rule_found_on_many_servers_once(design: Design) -> None:
    per_rule: dict[str, int] = {}
    for f in design.findings:
        per_rule[f.id] = per_rule.get(f.id, 0) + 1
    assert len(design.findings) > MAX_TABLE_ROWS
    many = {rule: n for rule, n in per_rule.items() if n >= GROUP_FROM}
    assert many.get("RDM-NOT-PROTECTED") == SERVERS
    b = book(design)
    text = text_of(design_document.review(b, design).markup)
    assert f"{SERVERS:,} findings, on MBX00000, MBX00001, MBX00002 and {SERVERS - 3:,} more" in text
    assert "for example, MBX00000 uses raw device mappings" in text
    assert "Each verified on the design; for example, move MBX00000's raw device" in text
    assert "MBX00003 uses raw device mappings" not in text
    assert "every finding is in the accompanying spreadsheet plan.xlsx (sheet findings)" in text
    # One row a rule found that often, one a finding of the others.
    markup = design_document.review(book(design), design).markup
    body = markup.split("<tbody>")[1].split("</tbody>")[0]
    few = sum(n for n in per_rule.values() if n < GROUP_FROM)
    assert body.count("<tr") == len(many) + few


def test_executive_summary_stays_short(design: Design) -> None:
    text = text_of(design_document.executive_summary(book(design), design).markup)
    assert text.count("uses raw device mappings") == 1
    assert f"{SERVERS:,} remedies, one for each finding; for example, move MBX00000's" in text


def test_plan_xlsx_has_every_finding(design: Design, tmp_path: Path) -> None:
    write_plan_xlsx(design, tmp_path / "plan.xlsx")
    sheet = load_workbook(tmp_path / "plan.xlsx", read_only=True)["findings"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == FINDING_COLUMNS  # the names of srmkit check --format json
    assert len(rows) == 1 + len(design.findings)
    message = FINDING_COLUMNS.index("message")
    assert {r[message] for r in rows[1:]} == {f.message for f in design.findings}


def test_runbook_step_shows_its_first_commands_and_the_file_has_all(
    design: Design, tmp_path: Path
) -> None:
    steps = [s for p in procedures(design) for s in p.steps]
    longest = max(steps, key=lambda s: len(s.commands))
    assert len(longest.commands) > MAX_STEP_COMMANDS
    text = text_of(dr_runbook.procedures(book(design, "runbook"), design).markup)
    hidden = len(longest.commands) - FIRST_STEP_COMMANDS
    assert f"and {hidden:,} more of this step's commands" in text
    assert longest.commands[FIRST_STEP_COMMANDS - 1] in text
    assert longest.commands[FIRST_STEP_COMMANDS] not in text
    # A step of up to 100 commands (one a VM of these 60) is printed whole.
    whole = next(s for s in steps if FIRST_STEP_COMMANDS < len(s.commands) <= MAX_STEP_COMMANDS)
    assert whole.commands[-1] in text
    assert "every command is in the accompanying list of commands runbook.csv" in text
    write_runbook_csv(design, tmp_path / "runbook.csv")
    with (tmp_path / "runbook.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    expected = sum(max(1, len(s.commands)) for p in procedures(design) for s in p.steps)
    assert len(rows) == expected
    assert {r["command"] for r in rows} >= set(longest.commands)


def test_the_run_prints_three_errors_of_a_rule_and_how_many_more(design: Design) -> None:
    from srmkit.report import ERRORS_SHOWN_PER_RULE, _scenario_event

    errors = _scenario_event(Path("many.yaml"), design).errors
    rdm = [e for e in errors if e.startswith("RDM-NOT-PROTECTED")]
    assert len(rdm) == ERRORS_SHOWN_PER_RULE + 1
    assert rdm[-1] == (
        f"RDM-NOT-PROTECTED: and {SERVERS - ERRORS_SHOWN_PER_RULE:,} more "
        "(every finding is in findings.json)"
    )
    assert len(errors) < len(design.errors)
