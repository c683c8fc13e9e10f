"""Live-session paths: validating a file, and CLI commands as whole processes."""

from __future__ import annotations

import sys

import yaml

from bench.common import EXAMPLE, SRMKIT, median_s, process
from srmkit import load_scenario


def main() -> None:
    """Validation against the bare YAML parse; commands against a bare interpreter start."""
    text = EXAMPLE.read_text(encoding="utf-8")
    load_scenario(EXAMPLE)  # warm caches (catalogue, profile table) as a running session has them
    parse_s = median_s(lambda: yaml.load(text, Loader=yaml.CSafeLoader), 50)
    validate_s = median_s(lambda: load_scenario(EXAMPLE), 50)
    print(
        f"validate params/example.yaml: {validate_s * 1e3:.2f} ms "
        f"(YAML parse alone {parse_s * 1e3:.2f} ms; ratio {validate_s / parse_s:.2f}x)"
    )
    python_s = median_s(process(sys.executable, "-c", "pass"), 10)
    print(f"bare interpreter start (python -c pass): {python_s * 1e3:.0f} ms")
    # (label, arguments, goal: milliseconds beyond the bare interpreter or in all, or None)
    for label, args, goal in (
        ("srmkit --help", ("--help",), "goal: <= 150 ms beyond the bare interpreter"),
        ("srmkit limits", ("limits",), "goal: <= 150 ms beyond the bare interpreter"),
        ("srmkit limits CX4-480 --format json", ("limits", "CX4-480", "--format", "json"), ""),
        ("srmkit check params/example.yaml", ("check", str(EXAMPLE)), "goal: <= 400 ms"),
        ("srmkit size params/example.yaml", ("size", str(EXAMPLE)), "goal: <= 1 s"),
        ("srmkit plan params/example.yaml", ("plan", str(EXAMPLE)), ""),
    ):
        cli_s = median_s(process(SRMKIT, *args), 10)
        print(
            f"{label}: {cli_s * 1e3:.0f} ms as a process, {(cli_s - python_s) * 1e3:.0f} ms "
            f"beyond the bare interpreter (ratio {cli_s / python_s:.1f}x)"
            + (f"; {goal}" if goal else "")
        )
