"""Benchmarks, each printed with a baseline measured in the same run (``make bench``).

- ``cli``: validating a scenario file against parsing the same YAML; CLI commands as whole
  processes against starting the same interpreter that does nothing;
- ``calculators``: 1,000,000 variants of the MV/S latency and MV/A RPO calculators in one
  vectorised call against a plain Python loop over the same functions; the MV/A cycle
  simulation; planning 1,000 servers against every catalogue model;
- ``simulation``: one failure scenario against loading the design; 100,000 Monte Carlo
  disasters against playing them one by one through the simulator;
- ``build``: ``srmkit build`` on the example and on 2,000 servers against loading and checking
  the same design;
- ``render``: ``srmkit report`` (HTML + PDF) against the stock chain (papermill CLI, nbconvert,
  headless Chromium) on the same document;
- ``perfmon``: reading a 1,000,000-row Performance Monitor log (srmkit.perfmon) against a plain
  ``csv.reader`` pass over the same file;
- ``scale``: every command on 1,000, 3,000 and 10,000 servers with every optional field, with
  time and peak memory against the 1,000-server run and the issue's budgets.

``python -m bench [group ...]`` runs some groups; nothing here asserts a goal, it reports.
"""

from __future__ import annotations

import sys

from bench import build, calculators, cli, perfmon, render, scale, simulation, workbook

GROUPS = {
    "cli": cli.main,
    "calculators": calculators.main,
    "simulation": simulation.main,
    "build": build.main,
    "render": render.main,
    "workbook": workbook.main,
    "scale": scale.main,
    "perfmon": perfmon.main,
}


def main() -> None:
    """Run the named groups (default: all), one line per benchmark."""
    names = sys.argv[1:] or list(GROUPS)
    unknown = [n for n in names if n not in GROUPS]
    if unknown:
        sys.exit(f"unknown benchmark group(s): {', '.join(unknown)}; groups: {', '.join(GROUPS)}")
    for name in names:
        GROUPS[name]()


if __name__ == "__main__":
    main()
