"""Machine-readable files written beside the documents, each from a ``Design``.

``EXPORTS`` maps a file name to its writer; the document registry names which files each
document brings (:mod:`srmkit.documents.registry`).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from srmkit import simulation
from srmkit.build import BUILD_FILES
from srmkit.design import Design
from srmkit.frames import CG_COLUMNS, FINDING_COLUMNS, MIRROR_COLUMNS, SERVER_COLUMNS, records
from srmkit.names import csv_safe
from srmkit.options import sizing_study
from srmkit.output import (
    dumps,
    monte_carlo_dict,
    review_dict,
    scenario_dict,
    size_dict,
    sizing_study_dict,
)
from srmkit.risk import design_risk

SHEET_TITLE_MAX = 31
SHEET_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def write_plan_csv(design: Design, path: Path) -> None:
    """``plan.csv``: one row per mirror (no cell a spreadsheet would evaluate)."""
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=MIRROR_COLUMNS)
        writer.writeheader()
        writer.writerows(
            {k: csv_safe(v) for k, v in row.items()} for row in records(design.frames.mirrors)
        )


def sheet_titles(names: list[str]) -> list[str]:
    """Worksheet titles for names: without ``[]:*?/\\``, at most 31 characters, unique
    regardless of case (Excel's rules).

    >>> sheet_titles(["AMS/CX4", "a" * 40, "A" * 40])
    ['AMS-CX4', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAA 2']
    """
    titles: list[str] = []
    taken = {"mirrors", "servers", "consistency groups", "findings"}
    for name in names:
        base = SHEET_TITLE_FORBIDDEN.sub("-", name).strip("'") or "array"
        title, n = base[:SHEET_TITLE_MAX], 2
        while title.casefold() in taken:
            suffix = f" {n}"
            title, n = base[: SHEET_TITLE_MAX - len(suffix)] + suffix, n + 1
        taken.add(title.casefold())
        titles.append(title)
    return titles


def write_plan_xlsx(design: Design, path: Path) -> None:
    """``plan.xlsx``: every mirror, server, consistency group and finding (complete, however
    long the document's tables are), and a summary sheet per array."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook(write_only=True)
    bold = Font(bold=True)
    frames = design.frames
    for title, columns, rows in (
        ("mirrors", MIRROR_COLUMNS, records(frames.mirrors)),
        ("servers", SERVER_COLUMNS, records(frames.servers)),
        ("consistency groups", CG_COLUMNS, records(frames.cgs)),
        ("findings", FINDING_COLUMNS, records(frames.findings)),
    ):
        sheet = wb.create_sheet(title)
        sheet.append([_header(sheet, c, bold) for c in columns])
        for row in rows:
            sheet.append([_cell(sheet, row[c]) for c in columns])
    loads = design.plan.arrays
    for load, title in zip(loads, sheet_titles([a.array for a in loads]), strict=True):
        summary = wb.create_sheet(title=title)
        summary.append(
            [_header(summary, c, bold) for c in ("measure", "used", "limit", "headroom")]
        )
        summary.append(["mirrors", load.mirrors, load.max_mirrors, load.mirrors_headroom])
        summary.append(["consistency groups", load.cgs, load.max_cgs, load.cgs_headroom])
        summary.append(
            [
                "LUNs in largest CG",
                load.largest_cg_luns,
                load.max_luns_per_cg,
                load.max_luns_per_cg - load.largest_cg_luns,
            ]
        )
        summary.append(["model", _cell(summary, load.model)])
        summary.append(["mode", load.mode])
    wb.save(path)


def _header(sheet: Any, text: str, font: Any) -> Any:
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=text)
    cell.font = font
    return cell


def _cell(sheet: Any, value: object) -> object:
    """Text is stored as a text cell, never as a formula, whatever it starts with."""
    if not isinstance(value, str):
        return value
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"
    return cell


def _write_json(path: Path, data: Any) -> None:
    path.write_text(dumps(data) + "\n", encoding="utf-8")


def write_sizing_json(design: Design, path: Path) -> None:
    """``sizing.json``: the sizing study, as ``srmkit size --format json`` prints it."""
    _write_json(path, size_dict(design))


def write_findings_json(design: Design, path: Path) -> None:
    """``findings.json``: the verdict, every finding with its remedy, the recommendations."""
    _write_json(path, review_dict(design))


def write_simulation_json(design: Design, path: Path) -> None:
    """``simulation.json``: every failure scenario played on the design (as ``srmkit simulate
    --format json``) and the Monte Carlo risk of the documents."""
    results = simulation.simulate_all(design)
    _write_json(
        path,
        {
            "scenarios": [scenario_dict(r) for r in results],
            **monte_carlo_dict(design_risk(design)),
        },
    )


RUNBOOK_COLUMNS = ("procedure", "protection_group", "step", "who", "step_text", "command")


def write_runbook_csv(design: Design, path: Path) -> None:
    """``runbook.csv``: every step of every procedure with each of its commands, a row each, the
    step's text on its first (complete, however many VMs a step names: the runbook prints the
    first of a long step's commands)."""
    from srmkit.runbook import procedures

    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(RUNBOOK_COLUMNS)
        for p in procedures(design):
            for s in p.steps:
                # The step's text once, on its first row (a step can hold thousands of commands).
                for k, command in enumerate(s.commands or ("",)):
                    row = (p.name, p.protection_group, s.n, s.who, "" if k else s.text, command)
                    writer.writerow([csv_safe(v) for v in row])


def write_options_json(design: Design, path: Path) -> None:
    """``options.json``: the sizing study: the options side by side (as ``srmkit compare
    --format json`` prints them), every sensitivity sweep, the tornado and growth year by
    year."""
    _write_json(path, sizing_study_dict(sizing_study(design)))


EXPORTS: dict[str, Callable[[Design, Path], None]] = {
    "plan.csv": write_plan_csv,
    "plan.xlsx": write_plan_xlsx,
    "sizing.json": write_sizing_json,
    "findings.json": write_findings_json,
    "simulation.json": write_simulation_json,
    "runbook.csv": write_runbook_csv,
    "options.json": write_options_json,
    **BUILD_FILES,
}
