"""Golden outputs: the JSON of every computing command on every example, kept under tests/golden/.

A refactor must leave these unchanged (floats within a relative 1e-9); a change to them is a
decision, made with ``make golden`` and named in the commit.

Neither pytest-regressions (``data_regression`` compares exactly, ``num_regression`` only flat
columns) nor syrupy (exact snapshots) compares nested JSON with a float tolerance out of the box;
the comparison below is twenty lines and reports the first differing path.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any

import pytest
from conftest import EXAMPLES, ROOT
from typer.testing import CliRunner

from srmkit.cli import app

GOLDEN = Path(__file__).parent / "golden"
REL_TOL = 1e-9
ABS_TOL = 1e-9

# (name, arguments after the params file); each command's JSON output.
COMMANDS: list[tuple[str, list[str]]] = [
    ("size", ["size", "{params}", "--format", "json"]),
    ("plan", ["plan", "{params}", "--format", "json"]),
    ("check", ["check", "{params}", "--format", "json"]),
    ("simulate", ["simulate", "{params}", "--format", "json"]),
    ("monte-carlo", ["simulate", "{params}", "--monte-carlo", "2000", "--format", "json"]),
    ("compare", ["compare", "{params}", "--format", "json"]),
    ("runbook", ["runbook", "{params}", "--format", "json"]),
]

CASES = [(params, name, args) for params in EXAMPLES for name, args in COMMANDS]


def _differences(golden: Any, actual: Any, path: str = "$") -> list[str]:
    """Every path where ``actual`` differs from ``golden``; floats within the tolerance."""
    if isinstance(golden, dict) and isinstance(actual, dict):
        out = []
        if golden.keys() != actual.keys():
            out.append(f"{path}: keys {sorted(set(golden) ^ set(actual))}")
        for key in golden.keys() & actual.keys():
            out += _differences(golden[key], actual[key], f"{path}.{key}")
        return out
    if isinstance(golden, list) and isinstance(actual, list):
        if len(golden) != len(actual):
            return [f"{path}: {len(golden)} items, now {len(actual)}"]
        return [
            d
            for i, (g, a) in enumerate(zip(golden, actual, strict=True))
            for d in _differences(g, a, f"{path}[{i}]")
        ]
    numbers = (int, float)
    if (
        isinstance(golden, numbers)
        and isinstance(actual, numbers)
        and not isinstance(golden, bool)
        and not isinstance(actual, bool)
    ):
        if math.isclose(golden, actual, rel_tol=REL_TOL, abs_tol=ABS_TOL):
            return []
        return [f"{path}: {golden!r}, now {actual!r}"]
    return (
        []
        if golden == actual and type(golden) is type(actual)
        else [f"{path}: {golden!r}, now {actual!r}"]
    )


@pytest.mark.parametrize(
    ("params", "name", "args"), CASES, ids=[f"{p.stem}-{n}" for p, n, _ in CASES]
)
def test_golden_output(params: Path, name: str, args: list[str]) -> None:
    """The command's JSON on the example equals its golden file (floats within 1e-9)."""
    argv = [a.replace("{params}", str(params.relative_to(ROOT))) for a in args]
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        result = CliRunner().invoke(app, argv, catch_exceptions=False)
    finally:
        os.chdir(cwd)
    assert result.exit_code in (0, 1), result.output
    actual = json.loads(result.stdout)
    golden_file = GOLDEN / f"{params.stem}.{name}.json"
    if os.environ.get("SRMKIT_UPDATE_GOLDEN"):
        golden_file.write_text(json.dumps(actual, indent=1, ensure_ascii=False) + "\n", "utf-8")
    assert golden_file.exists(), f"no golden file {golden_file.name}: run `make golden`"
    golden = json.loads(golden_file.read_text("utf-8"))
    differences = _differences(golden, actual)
    assert not differences, "\n".join(differences[:20])


BUILD_FILES = ("luns.csv", "bom.csv")
"""The build book's tables, kept as text: a LUN number, name, SP or block count that moves is a
decision."""


@pytest.mark.parametrize("params", EXAMPLES, ids=lambda p: p.stem)
def test_golden_build_tables(params: Path, tmp_path: Path) -> None:
    """``srmkit build``'s luns.csv and bom.csv of each example equal their golden copies."""
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        argv = ["build", str(params.relative_to(ROOT)), "--out", str(tmp_path / "b")]
        result = CliRunner().invoke(app, argv, catch_exceptions=False)
    finally:
        os.chdir(cwd)
    assert result.exit_code in (0, 1), result.output
    for name in BUILD_FILES:
        actual = (tmp_path / "b" / name).read_text("utf-8")
        golden_file = GOLDEN / f"{params.stem}.{name}"
        if os.environ.get("SRMKIT_UPDATE_GOLDEN"):
            golden_file.write_text(actual, "utf-8")
        assert golden_file.exists(), f"no golden file {golden_file.name}: run `make golden`"
        golden = golden_file.read_text("utf-8").splitlines()
        lines = actual.splitlines()
        assert len(golden) == len(lines), f"{name}: {len(golden)} lines, now {len(lines)}"
        pairs = enumerate(zip(golden, lines, strict=True), 1)
        changed = [f"line {i}: {g!r}, now {a!r}" for i, (g, a) in pairs if g != a]
        assert not changed, f"{name}: " + "\n".join(changed[:10])


def test_golden_files_are_all_used() -> None:
    """Every golden file belongs to an example and a command (none left from a removed one)."""
    expected = {f"{p.stem}.{n}.json" for p, n, _ in CASES}
    assert {f.name for f in GOLDEN.glob("*.json")} == expected
    tables = {f"{p.stem}.{n}" for p in EXAMPLES for n in BUILD_FILES}
    assert {f.name for f in GOLDEN.glob("*.csv")} == tables


def test_differences_reports_a_changed_number() -> None:
    """The comparison sees a change beyond the tolerance, a type change and a missing key."""
    assert _differences({"a": [1.0, 2.0]}, {"a": [1.0, 2.0 * (1 + 1e-12)]}) == []
    assert _differences({"a": [1.0, 2.0]}, {"a": [1.0, 2.001]}) == ["$.a[1]: 2.0, now 2.001"]
    assert _differences({"a": True}, {"a": 1}) == ["$.a: True, now 1"]
    assert _differences({"a": 1, "b": 2}, {"a": 1}) == ["$: keys ['b']"]
