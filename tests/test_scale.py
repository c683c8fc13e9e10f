"""Bounded, linear work up to the accepted limits (issue 21): remedies of per-server findings
are verified together (srmkit.remedy_batch), so a design of thousands of servers that each
break rules of their own is reviewed in one pass per rule, not one design per finding."""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import copy_measured, example_data

from bench.common import servers_scenario
from srmkit import remedy_batch
from srmkit.design import Design
from srmkit.params import validate_data

CHECK_CPU_S = 20.0
"""CPU time `srmkit check` may take on 3,000 servers with every optional field (about 5 s on
the development machine; it took 123 s and 4.7 GB before the remedies were verified together,
with fewer fields)."""
CHECK_RSS_KIB = 1_500_000


def _design(servers: list[dict[str, Any]], **arrays: str) -> Design:
    data = example_data()
    data["servers"] = servers
    data["growth"] = {"users_per_year_fraction": 0.0, "years": 0}
    for array in data["arrays"]:
        array["model"] = arrays.get("model", array["model"])
    return Design(validate_data(data, "scale.yaml"))


def _server(i: int, users: int, **fields: Any) -> dict[str, Any]:
    return {
        "name": f"MBX{i:03d}",
        "site": "Amsterdam",
        "users": users,
        "profile": "light",
        "mailbox_quota_gib": 0.5,
        "guest_os": "windows-2008-x64",
        "exchange_version": 2007,
    } | fields


def _review(d: Design) -> list[tuple[Any, ...]]:
    return [(f.id, f.subject, f.remedy, f.remedy_verified) for f in d.findings]


def test_remedies_verified_together_equal_one_by_one(monkeypatch: pytest.MonkeyPatch) -> None:
    """Twelve servers, each with too many mailboxes for a VM (a split) and one storage group
    for them all (derived groups): the remedies verified together are those verified one by
    one, with the same words."""
    servers = [_server(i, 4_500, storage_groups=1, mailbox_quota_gib=0.1) for i in range(12)]
    together = _design(servers)
    ids = {f.id for f in together.findings}
    assert {"USERS-PER-VM", "DB-PER-SG"} <= ids
    assert sum(f.id == "DB-PER-SG" for f in together.findings) >= remedy_batch.BATCH_FROM
    monkeypatch.setattr(remedy_batch, "BATCH_FROM", 10**9)
    alone = _design(servers)
    assert _review(together) == _review(alone)
    split = next(f for f in together.findings if f.id == "USERS-PER-VM")
    assert split.remedy_verified
    assert "spread MBX000's mailboxes over 2 server VMs" in split.remedy
    derive = next(f for f in together.findings if f.id == "DB-PER-SG")
    assert derive.remedy_verified


def test_remedies_that_break_a_limit_together_are_not_offered() -> None:
    """Forty servers on CX4-240s (256 mirrors), each with one storage group for 2,000
    mailboxes: deriving one server's groups adds 22 mirrors and fits, deriving all forty's
    (1,002 mirrors) breaks the limit. Verified together, none is offered as verified, and the
    finding says why."""
    servers = [_server(i, 2_000, storage_groups=1) for i in range(40)]
    d = _design(servers, model="CX4-240")
    findings = [f for f in d.findings if f.id == "DB-PER-SG"]
    assert len(findings) == 40
    assert not any(f.remedy_verified for f in findings)
    assert "together they add an error" in findings[0].remedy


def _measured_run(folder: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], float, int]:
    """A command as a process of its own: its result, CPU seconds and peak memory (KiB)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(
        [sys.executable, "-m", "srmkit", *args], cwd=folder, capture_output=True, text=True
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu_s = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return done, cpu_s, after.ru_maxrss


def test_three_thousand_servers_with_every_field_check_in_linear_time(tmp_path: Path) -> None:
    """3,000 servers, each setting every optional field (six findings a server, with growth
    over three years): `srmkit check` reviews them within a CPU-time and memory budget, and
    offers each server's remedies as verified."""
    copy_measured(tmp_path)
    (tmp_path / "big.yaml").write_text(servers_scenario(3_000, every_field=True), "utf-8")
    started = time.perf_counter()
    done, cpu_s, rss_kib = _measured_run(tmp_path, "check", "big.yaml", "--format", "json")
    assert done.returncode == 1, done.stderr[-2000:]
    [findings] = json.loads(done.stdout)["files"].values()
    db = [f for f in findings if f["id"] == "DB-PER-SG"]
    assert len(db) == 3_000
    assert all(f["remedy_verified"] for f in db)
    assert cpu_s < CHECK_CPU_S, f"{cpu_s:.1f} s CPU ({time.perf_counter() - started:.1f} s)"
    assert rss_kib < CHECK_RSS_KIB, f"{rss_kib:,} KiB"
