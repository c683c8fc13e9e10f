"""Plan exports beside every rendered report: ``plan.csv`` and ``plan.xlsx`` (openpyxl)."""

from __future__ import annotations

import csv
from pathlib import Path

from srmkit.planner import Plan

COLUMNS = (
    "server",
    "storage_group",
    "lun_role",
    "capacity_gib",
    "cg",
    "source_array",
    "target_array",
    "mode",
)


def plan_rows(plan: Plan) -> list[dict[str, object]]:
    """One row per mirror: server, storage group, LUN role, capacity, CG, arrays, mode."""
    return [
        {
            "server": m.server,
            "storage_group": m.storage_group if m.storage_group else "",
            "lun_role": m.role,
            "capacity_gib": round(m.capacity_gib, 3),
            "cg": m.cg,
            "source_array": m.source_array,
            "target_array": m.target_array,
            "mode": m.mode,
        }
        for m in plan.mirrors
    ]


def write_csv(plan: Plan, path: Path) -> None:
    """``plan.csv``: one row per mirror."""
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(plan_rows(plan))


def write_xlsx(plan: Plan, path: Path) -> None:
    """``plan.xlsx``: the mirror sheet plus a summary sheet per array."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    sheet = wb.active
    assert sheet is not None
    sheet.title = "mirrors"
    sheet.append(list(COLUMNS))
    for row in plan_rows(plan):
        sheet.append([_cell(row[c]) for c in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for load in plan.arrays:
        summary = wb.create_sheet(title=load.array[:31])
        summary.append(["measure", "used", "limit", "headroom"])
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
        summary.append(["model", load.model])
        summary.append(["mode", load.mode])
        for cell in summary[1]:
            cell.font = Font(bold=True)
    wb.save(path)


def _cell(value: object) -> object:
    """Text cells that a spreadsheet could read as a formula are written as plain text."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value
