"""Every command at the accepted limits (issue 21): 1,000, 3,000 and 10,000 servers, each
setting every optional field (six findings a server, growth over three years).

Each command runs as a process of its own, once per size; its wall time, CPU time and peak
memory are printed with the ratio to the same command on 1,000 servers, the baseline of this run
(linear work gives about 3 and 10). The budgets of the issue: ``check``, ``size`` and ``plan`` at
most 30 s and 2 GB, ``simulate`` 60 s, ``report --to html,pdf`` 10 min, on an idle 2-core machine.
``report`` runs only at 10,000 servers, against its own 1,000-server run.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import PARAMS, servers_scenario

SIZES = (1_000, 3_000, 10_000)
COMMANDS: tuple[tuple[str, ...], ...] = (
    ("check",),
    ("size", "--format", "json"),
    ("plan", "--format", "json"),
    ("simulate",),
)
BUDGET_S = {"check": 30.0, "size": 30.0, "plan": 30.0, "simulate": 60.0, "report": 600.0}
BUDGET_MIB = 2_048
HTML_PDF = ("--to", "html,pdf", "--quiet")


def _run(folder: Path, *args: str) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds and peak MiB of one srmkit command as its own process."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    code = (
        "import resource, sys\n"
        "from srmkit.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "r = resource.getrusage(resource.RUSAGE_SELF)\n"
        "print(f'{r.ru_utime + r.ru_stime} {r.ru_maxrss}', file=sys.stderr)\n"
    )
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", code, *args], cwd=folder, capture_output=True, text=True, env=env
    )
    wall = time.perf_counter() - started
    cpu, rss_kib = done.stderr.strip().splitlines()[-1].split()
    return wall, float(cpu), float(rss_kib) / 1024


def main() -> None:
    """One line per command and size."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        shutil.copytree(PARAMS / "measured", folder / "measured")
        for n in SIZES:
            (folder / f"s{n}.yaml").write_text(servers_scenario(n, every_field=True), "utf-8")
        for command in COMMANDS:
            base = None
            for n in SIZES:
                wall, cpu, mib = _run(folder, command[0], f"s{n}.yaml", *command[1:])
                base = base or wall
                within = wall <= BUDGET_S[command[0]] and mib <= BUDGET_MIB
                print(
                    f"{command[0]} on {n:,} servers with every field: {wall:.1f} s "
                    f"({cpu:.1f} s CPU), {mib:,.0f} MiB; {wall / base:.1f}x the 1,000-server run "
                    f"(budget {BUDGET_S[command[0]]:g} s, {BUDGET_MIB:,} MiB: "
                    f"{'within' if within else 'OVER'})"
                )
        reports, failed = [], []
        for n in (SIZES[0], SIZES[-1]):
            started = time.perf_counter()
            done = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "srmkit",
                    "report",
                    f"s{n}.yaml",
                    "--out",
                    f"r{n}",
                    *HTML_PDF,
                ],
                cwd=folder,
                capture_output=True,
                text=True,
                check=False,
            )
            reports.append(time.perf_counter() - started)
            if done.returncode not in (0,):
                failed.append(
                    f"{n:,} servers: exit {done.returncode}: {done.stderr.strip()[-300:]}"
                )
        print(
            f"report --to html,pdf on {SIZES[-1]:,} servers with every field: {reports[1]:.0f} s; "
            f"{reports[1] / reports[0]:.1f}x the 1,000-server report "
            f"(budget {BUDGET_S['report']:g} s: "
            f"{'within' if reports[1] <= BUDGET_S['report'] and not failed else 'OVER'})"
        )
        for line in failed:
            print(f"report FAILED on {line}")
