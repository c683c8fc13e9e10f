"""The build book's files (Method §10, v3): what the implementation team runs and orders, written
from one design and never run by srmkit.

``srmkit build PARAMS --out DIR`` and the ``build_book`` document write the same files:

- ``luns.csv``: every LUN to bind, array by array (:mod:`srmkit.luns`);
- ``naviseccli/<array>.sh`` and ``.cmd``: the array's commands in order
  (:mod:`srmkit.build_scripts`);
- ``srm.xlsx``: the SRM configuration to enter (:mod:`srmkit.srm_config`);
- ``bom.csv``: the bill of materials (:mod:`srmkit.bom`).
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import asdict
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from srmkit.bom import BomLine, bill_of_materials
from srmkit.folders import write_files
from srmkit.luns import IMAGE_TEXT, Allocation, allocate
from srmkit.names import csv_safe

if TYPE_CHECKING:
    from srmkit.build_scripts import ArrayScript
    from srmkit.design import Design
    from srmkit.srm_config import SrmConfiguration


LUN_COLUMNS = (
    "array",
    "lun",
    "name",
    "sp",
    "blocks",
    "capacity_gib",
    "kind",
    "role",
    "server",
    "storage_group",
    "mirror",
    "cg",
    "peer_array",
)
BOM_COLUMNS = ("category", "item", "quantity", "unit", "scope", "why", "quantity_at_horizon")
SCRIPTS_DIR = "naviseccli"


class BuildBook:
    """The build book of one design (``design.build``): each part is computed once."""

    def __init__(self, design: Design) -> None:
        self.design = design

    @cached_property
    def allocation(self) -> Allocation:
        """Every LUN to bind, numbered, named and owned."""
        return allocate(self.design)

    @cached_property
    def bom(self) -> list[BomLine]:
        """The bill of materials."""
        return bill_of_materials(self.design, self.allocation)

    @cached_property
    def scripts(self) -> dict[str, ArrayScript]:
        """The naviseccli script of each array."""
        from srmkit.build_scripts import scripts

        return scripts(self.design)

    @cached_property
    def srm(self) -> SrmConfiguration:
        """The SRM configuration to enter."""
        from srmkit.srm_config import srm_configuration

        return srm_configuration(self.design)

    def lun_rows(self) -> list[dict[str, Any]]:
        """``luns.csv``'s rows: every LUN of every array, by array then LUN number."""
        rows = []
        for array in (a.name for a in self.design.scenario.arrays):
            for x in self.allocation.on(array):
                rows.append(
                    {
                        "array": x.array,
                        "lun": x.lun,
                        "name": x.name,
                        "sp": x.sp,
                        "blocks": x.blocks,
                        "capacity_gib": round(x.capacity_gib, 3),
                        "kind": IMAGE_TEXT[x.image],
                        "role": x.role,
                        "server": x.server,
                        "storage_group": x.storage_group if x.storage_group else "",
                        "mirror": x.mirror,
                        "cg": x.cg,
                        "peer_array": x.peer_array,
                    }
                )
        return rows

    def bom_rows(self) -> list[dict[str, Any]]:
        """``bom.csv``'s rows (and ``bom`` in the JSON)."""
        return [{k: asdict(line)[k] for k in BOM_COLUMNS} for line in self.bom]


def _write_csv(path: Path, columns: tuple[str, ...], rows: list[dict[str, Any]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=columns)
        writer.writeheader()
        writer.writerows({k: csv_safe(v) for k, v in row.items()} for row in rows)


def write_luns_csv(design: Design, path: Path) -> None:
    """``luns.csv``: one row per LUN to bind (no cell a spreadsheet would evaluate)."""
    _write_csv(path, LUN_COLUMNS, design.build.lun_rows())


def write_bom_csv(design: Design, path: Path) -> None:
    """``bom.csv``: the bill of materials."""
    _write_csv(path, BOM_COLUMNS, design.build.bom_rows())


def write_scripts(design: Design, path: Path) -> None:
    """``naviseccli/``: a ``.sh`` and a ``.cmd`` per array (the ``.sh`` executable)."""
    path.mkdir()
    for script in design.build.scripts.values():
        sh = path / f"{script.file_stem}.sh"
        sh.write_text(script.sh, encoding="utf-8", newline="\n")
        sh.chmod(0o755)
        (path / f"{script.file_stem}.cmd").write_text(script.cmd, encoding="utf-8", newline="")


def write_srm_xlsx(design: Design, path: Path) -> None:
    """``srm.xlsx``: the SRM configuration."""
    from srmkit.srm_config import write_srm_xlsx as write

    write(design, path)


BUILD_FILES: dict[str, Callable[[Design, Path], None]] = {
    "luns.csv": write_luns_csv,
    SCRIPTS_DIR: write_scripts,
    "srm.xlsx": write_srm_xlsx,
    "bom.csv": write_bom_csv,
}
"""The build book's files, in the order they are written."""


def write_build(design: Design, folder: Path, overwrite: bool = False) -> list[Path]:
    """Write every build-book file into ``folder`` (created when missing); nothing half-written
    (:func:`srmkit.folders.write_files`). Files of an earlier build are replaced only with
    ``overwrite``.

    Raises
    ------
    srmkit.folders.FilesInTheWayError
        When ``folder`` holds any of the files and ``overwrite`` is off (nothing is written).
    """

    def write(staging: Path) -> None:
        for name, writer in BUILD_FILES.items():
            writer(design, staging / name)

    return write_files(folder, list(BUILD_FILES), write, overwrite, "another --out folder")


def build_dict(design: Design, files: list[Path] | None = None) -> dict[str, Any]:
    """``srmkit build --format json``: the verdict, the files, LUNs per array and kind, the
    mirrors and the bill of materials."""
    book = design.build
    return {
        "verdict": design.verdict,
        "errors": len(design.errors),
        "files": [str(p) for p in files or []],
        "arrays": [
            {
                "array": array,
                "luns": sum(book.allocation.counts(array).values()),
                "by_kind": {IMAGE_TEXT[k]: n for k, n in book.allocation.counts(array).items()},
                "sp_capacity_gib": {
                    sp: round(gib, 3) for sp, gib in book.allocation.sp_capacity_gib(array).items()
                },
            }
            for array in (a.name for a in design.scenario.arrays)
        ],
        "mirrors": len(book.allocation.mirrors),
        "bom": book.bom_rows(),
    }
