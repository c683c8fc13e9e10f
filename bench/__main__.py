"""Benchmarks of the live-session paths, each printed with a baseline measured in the same run.

- validating a scenario file, against parsing the same YAML with no validation;
- `srmkit limits MODEL --format json` and `srmkit check` as whole processes, against starting the
  same Python interpreter that does nothing (the floor any CLI call pays).

Figures are medians of repeated runs; nothing here asserts a goal, it reports.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from ruamel.yaml import YAML

from srmkit import load_scenario

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "params" / "example.yaml"
SRMKIT = str(Path(sys.executable).with_name("srmkit"))


def median_s(fn: Callable[[], object], repeat: int) -> float:
    """Median wall time of ``repeat`` calls. [s]"""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def process(*args: str) -> Callable[[], object]:
    """A callable that runs a command to completion."""
    return lambda: subprocess.run(args, check=True, capture_output=True)


def main() -> None:
    """Run every benchmark and print one line each."""
    text = EXAMPLE.read_text(encoding="utf-8")
    load_scenario(EXAMPLE)  # warm caches (catalogue, profile table) as a running session has them
    parse_s = median_s(lambda: YAML(typ="rt").load(text), 50)
    validate_s = median_s(lambda: load_scenario(EXAMPLE), 50)
    print(
        f"validate params/example.yaml: {validate_s * 1e3:.2f} ms "
        f"(YAML parse alone {parse_s * 1e3:.2f} ms; ratio {validate_s / parse_s:.2f}x)"
    )
    python_s = median_s(process(sys.executable, "-c", "pass"), 10)
    for label, args in (
        ("srmkit limits CX4-480 --format json", ("limits", "CX4-480", "--format", "json")),
        ("srmkit check params/example.yaml", ("check", str(EXAMPLE))),
    ):
        cli_s = median_s(process(SRMKIT, *args), 10)
        print(
            f"{label}: {cli_s * 1e3:.0f} ms as a process "
            f"(bare interpreter start {python_s * 1e3:.0f} ms; ratio {cli_s / python_s:.1f}x)"
        )


if __name__ == "__main__":
    main()
