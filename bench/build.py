"""The build book's files (``srmkit build``): the example, and 2,000 servers.

Each is timed against its baseline in the same run: loading and checking the same design, which
every build starts from. The build adds the LUN allocation, the bill of materials, the scripts
(every line checked for harmless characters), the SRM workbook and the writing of the files.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from bench.common import EXAMPLE, median_s, servers_scenario
from srmkit import load_scenario
from srmkit.build import write_build
from srmkit.design import Design


def _servers(folder: Path, count: int) -> Path:
    path = folder / f"servers-{count}.yaml"
    path.write_text(servers_scenario(count), encoding="utf-8")
    return path


def _one(label: str, params: Path, repeat: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "build"

        def design() -> Design:
            d = Design(load_scenario(params))
            _ = d.findings
            return d

        def build() -> None:
            shutil.rmtree(out, ignore_errors=True)
            write_build(design(), out)

        build_s = median_s(build, repeat)
        design_s = median_s(design, repeat)
        luns = sum(1 for _ in (out / "luns.csv").open(encoding="utf-8")) - 1
        print(
            f"srmkit build, {label}: {build_s * 1e3:,.0f} ms for {luns:,} LUNs and their "
            f"scripts; baseline: loading and checking the design {design_s * 1e3:,.0f} ms, "
            f"ratio {build_s / design_s:.1f}"
        )


def main() -> None:
    _one("the example", EXAMPLE, 5)
    with tempfile.TemporaryDirectory() as tmp:
        _one("2,000 servers", _servers(Path(tmp), 2_000), 1)
