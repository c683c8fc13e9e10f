"""Shared helpers: paths, timing by median, running a command as a whole process."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PARAMS = ROOT / "params"
EXAMPLE = PARAMS / "example.yaml"
BIN = Path(sys.executable).parent
SRMKIT = str(BIN / "srmkit")


EVERY_FIELD = (
    "storage_groups: 1, gos_luns: 4, guest_os: windows-2003, exchange_version: 2003, "
    "clustered: true, uses_rdm: true, array: AMS-CX4, target_array: UTR-CX4, "
    'measured: {perfmon: measured/EXMBX01.csv, gos_volumes: ["C:"]}'
)
"""Every optional field of a server, each set (the example's log for every server): each server
then breaks six rules of its own, the case that made remedy verification quadratic."""


def servers_scenario(count: int, every_field: bool = False) -> str:
    """The example scenario with ``count`` mailbox servers of 500 light mailboxes (the large
    designs of the benchmarks and the tests); with ``every_field``, each server sets every
    optional field (:data:`EVERY_FIELD`: write the file beside a copy of ``params/measured``)."""
    text = EXAMPLE.read_text(encoding="utf-8")
    head, tail = text.split("\nservers:")[0], "targets:" + text.split("targets:")[1]
    fields = EVERY_FIELD if every_field else "guest_os: windows-2008-x64, exchange_version: 2007"
    rows = "".join(
        f"  - {{name: MBX{i:05d}, site: Amsterdam, users: 500, profile: light, "
        f"mailbox_quota_gib: 0.25, {fields}}}\n"
        for i in range(count)
    )
    return f"{head}\nservers:\n{rows}\n{tail}"


def median_s(fn: Callable[[], object], repeat: int) -> float:
    """Median wall time of ``repeat`` calls. [s]"""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def process(*args: str, cwd: Path | None = None) -> Callable[[], object]:
    """A callable that runs a command to completion (and fails loudly if it fails).

    Python writes and reuses its bytecode caches, as on an installed package (pip compiles them
    at install): a machine that sets ``PYTHONDONTWRITEBYTECODE`` would otherwise measure
    compiling srmkit's sources at every start.
    """
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return lambda: subprocess.run(args, check=True, capture_output=True, cwd=cwd, env=env)
