"""The hostile and odd scenario corpus: every file gets a clean answer within the time budget.

``tests/corpus/cases.csv`` lists each file of ``tests/corpus/`` with the exit code of
``srmkit check`` (2: invalid input; 0 or 1: valid, clean or with an error finding; empty: valid,
either verdict) and fragments its message must hold (``|`` between them). Every file also goes
through ``size`` and ``plan`` (strict JSON when valid, the same refusal when not) and, when it is
refused, ``report`` (nothing may be written). Files too large to keep in the repository are made
by the tests at the end of this module.
"""

from __future__ import annotations

import csv
import json
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import EXAMPLE
from typer.testing import CliRunner

from bench.common import servers_scenario
from srmkit.cli import app

CORPUS = Path(__file__).parent / "corpus"
BUDGET_S = 5.0
"""CPU seconds any one command may take on any one file (the issue: "a few seconds"). CPU time of
this process, not wall time: a loaded machine slows the clock, not the work."""
LARGEST_BUDGET_S = 30.0
"""CPU seconds for the largest accepted design (10,000 servers), the issue's budget for check,
size and plan: 6 s for check here; 17 s with every optional field on every server (make bench)."""


@dataclass(frozen=True)
class Case:
    file: str
    exit: int | None
    says: tuple[str, ...]
    probe: str


def cases() -> list[Case]:
    with (CORPUS / "cases.csv").open(encoding="utf-8") as f:
        return [
            Case(
                row["file"],
                int(row["exit"]) if row["exit"] else None,
                tuple(s for s in row["says"].split("|") if s),
                row["probe"],
            )
            for row in csv.DictReader(f)
        ]


CASES = cases()


def strict_json(text: str) -> object:
    """Parse JSON as a strict parser does: NaN and Infinity are errors."""

    def refuse(constant: str) -> object:
        raise ValueError(f"not JSON: {constant}")

    return json.loads(text, parse_constant=refuse)


@dataclass
class Run:
    code: int
    out: str
    err: str
    seconds: float
    """CPU time of the command. [s]"""


def run(*args: str) -> Run:
    """Run srmkit in this process; any exception other than an exit is a crash."""
    runner = CliRunner()
    start = time.process_time()
    result = runner.invoke(app, list(args), catch_exceptions=True)
    seconds = time.process_time() - start
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"srmkit {' '.join(args)} crashed") from result.exception
    assert "Traceback" not in result.output
    return Run(result.exit_code, result.stdout, result.stderr, seconds)


def test_the_corpus_is_large_and_listed() -> None:
    """At least 100 files, each listed once, each list entry a file."""
    files = {p.name for p in CORPUS.glob("*.yaml")}
    listed = [c.file for c in CASES]
    assert len(listed) >= 100
    assert len(set(listed)) == len(listed)
    assert set(listed) == files


@pytest.mark.parametrize("case", CASES, ids=[c.file for c in CASES])
def test_corpus_file(case: Case, tmp_path: Path) -> None:
    path = str(CORPUS / case.file)
    check = run("check", path)
    size = run("size", path, "--format", "json")
    plan = run("plan", path, "--format", "json")
    for r in (check, size, plan):
        assert r.seconds < BUDGET_S, f"{case.probe}: {r.seconds:.1f} s"
    if case.exit == 2:
        for r in (check, size, plan):
            assert r.code == 2
        assert check.err.startswith(f"error: {path}")
        for fragment in case.says:
            assert fragment in check.err, f"{case.probe}: {fragment!r} not in {check.err!r}"
        problems = strict_json(size.out)
        assert isinstance(problems, dict)
        assert problems["valid"] is False
        out = tmp_path / "reports"
        rendered = run("report", path, "--out", str(out), "--to", "html")
        assert rendered.code == 2
        assert not out.exists()
        return
    assert check.code in ((0, 1) if case.exit is None else (case.exit,)), check.out + check.err
    for fragment in case.says:
        assert fragment in check.out
    assert size.code == 0
    sized = strict_json(size.out)
    planned = strict_json(plan.out)
    assert isinstance(sized, dict)
    assert isinstance(planned, dict)
    assert plan.code == (1 if sized["verdict"] == "does_not_fit" else 0)


# --- files made by the tests ------------------------------------------------------------------


def test_an_oversized_file_is_refused_unread(tmp_path: Path) -> None:
    """A 5 MB file is refused by its size, with the limit stated."""
    big = tmp_path / "big.yaml"
    big.write_text(EXAMPLE.read_text() + "#" * 5_000_000 + "\n", encoding="utf-8")
    r = run("check", str(big))
    assert r.code == 2
    assert "at most 4,000,000 bytes" in r.err
    assert r.seconds < BUDGET_S


def test_too_many_values_are_refused(tmp_path: Path) -> None:
    """A list of 600,000 numbers (no aliases) is refused by the value limit."""
    many = tmp_path / "many.yaml"
    many.write_text("x: [" + ", ".join(["1"] * 600_000) + "]\n", encoding="utf-8")
    r = run("check", str(many))
    assert r.code == 2
    assert "more than 500,000 values" in r.err
    assert r.seconds < BUDGET_S


@pytest.mark.slow
def test_ten_thousand_servers_answer_within_budget(tmp_path: Path) -> None:
    """The largest accepted design, the issue's case (explicit storage groups and guest-OS LUNs,
    three years of growth; 10,000 servers ran out of memory after 13 GB), is checked within the
    budget in strict JSON, each finding's remedy verified. The case of every optional field on
    every server (five findings a server, a Performance Monitor log each) is in test_scale at
    3,000 servers and in ``make bench`` (group scale) at 10,000."""
    fields = "guest_os: windows-2008-x64, exchange_version: 2007"
    text = servers_scenario(10_000).replace(fields, f"{fields}, storage_groups: 1, gos_luns: 1")
    (tmp_path / "largest.yaml").write_text(text, "utf-8")
    r = run("check", str(tmp_path / "largest.yaml"), "--format", "json")
    assert r.code == 1, r.err
    review = strict_json(r.out)
    [findings] = review["files"].values()  # type: ignore[index]
    per_server = [f for f in findings if f["id"] == "DB-PER-SG"]
    assert len(per_server) == 10_000
    assert all(f["remedy_verified"] for f in per_server)
    assert r.seconds < LARGEST_BUDGET_S, f"check: {r.seconds:.1f} s"


def test_more_than_ten_thousand_servers_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "too-many.yaml"
    path.write_text(servers_scenario(10_001), encoding="utf-8")
    r = run("check", str(path))
    assert r.code == 2
    assert "servers" in r.err
    assert "10,000" in r.err
