"""Machine-readable files written beside the documents, each from a ``Design``.

``EXPORTS`` maps a file name to its writer; the document registry names which files each
document brings (:mod:`srmkit.documents.registry`).
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

from srmkit.design import Design
from srmkit.output import mirror_rows

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


def write_plan_csv(design: Design, path: Path) -> None:
    """``plan.csv``: one row per mirror."""
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(mirror_rows(design))


def write_plan_xlsx(design: Design, path: Path) -> None:
    """``plan.xlsx``: the mirror sheet plus a summary sheet per array."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    sheet = wb.active
    assert sheet is not None
    sheet.title = "mirrors"
    sheet.append(list(COLUMNS))
    for row in mirror_rows(design):
        sheet.append([_cell(row[c]) for c in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for load in design.plan.arrays:
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


EXPORTS: dict[str, Callable[[Design, Path], None]] = {
    "plan.csv": write_plan_csv,
    "plan.xlsx": write_plan_xlsx,
}
