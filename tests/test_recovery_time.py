"""The recovery time object by object (Method §8, v3), worked by hand."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from srmkit import Design, load_scenario
from srmkit.params import ScenarioError
from tests.conftest import EXAMPLE, profile_only, run_cli

# Copies of the example in a temporary folder, without EXMBX01's Performance Monitor log beside
# them: EXMBX01 sized from its profile (the recovery time does not depend on the writes).
BASE = profile_only(EXAMPLE.read_text(encoding="utf-8"))

WORKED = {
    # MODEL.md v3 §8 worked example (example.yaml: 13 CGs, 224 LUNs/datastores, 7 VMs on 2 hosts,
    # 18 storage groups per server, subnet differs, site lost).
    "plan start": (1, 7.0),  # 2 + 5 trying to reach the lost site
    "storage": (13, 1960 / 60),  # 60 s + 13 × 60 s + 224 × 5 s = 1,960 s ≈ 32.7 min
    "rescan": (2, 2.0),  # 2 × 60 s
    "mount": (224, 224 * 10 / 60),  # 224 × 10 s ≈ 37.3 min
    "power on, high priority": (1, 5.0),  # the Hub Transport: 3 boot + 2 IP customisation
    "power on, normal priority": (6, 15.0),  # 6 VMs over 2 hosts: 3 rounds × 5 min
    "Exchange": (18, 6.0),  # 3 min services + 18 × 10 s
}


def _design(tmp_path: Path, extra: str = "") -> Design:
    path = tmp_path / "s.yaml"
    path.write_text(BASE + extra, encoding="utf-8")
    return Design(load_scenario(path))


def test_the_worked_example_of_method_8(tmp_path: Path) -> None:
    """Method §8 worked example, on 2 recovery hosts (the example's two clusters with one host
    each): ≈ 105 min after the decision; + 30 min declaration = 135 min; users back ≈ 150 min;
    the storage step (1,960 s) is above the 300 s SRA timeout."""
    d = _design(tmp_path, "assumptions:\n  recovery_esx_hosts_per_cluster: 1\n")
    r = d.recovery
    got = {s.step: (s.count, s.minutes) for s in r.steps}
    assert got.keys() == WORKED.keys()
    for step, (count, minutes) in WORKED.items():
        assert got[step][0] == count, step
        assert got[step][1] == pytest.approx(minutes), step
    assert r.after_decision_min == pytest.approx(105.0)
    assert r.rto_min == pytest.approx(135.0)
    assert r.users_back_min == pytest.approx(150.0)
    assert r.storage_s == 1960
    hit = next(f for f in d.findings if f.id == "SRA-TIMEOUT")
    # Test: 224 LUNs × 15 s = 3,360 s; × 1.5 = 5,040 s (84 min).
    assert "3,360 s" in hit.message
    assert "5,040 s" in hit.message


def test_the_example_on_four_hosts_and_its_target() -> None:
    """The example itself: two clusters × 2 hosts = 4, so 6 mailbox VMs take 2 rounds (10 min):
    100 min after the decision, 130 min RTO against the 150 min target (met)."""
    d = Design(load_scenario(EXAMPLE))
    assert d.recovery.after_decision_min == pytest.approx(100.0)
    assert d.recovery.rto_min == pytest.approx(130.0)
    assert not any(f.id == "RTO-TARGET" for f in d.findings)


def test_rto_target_counts_the_declaration(tmp_path: Path) -> None:
    """A 120 min target: 130 min (30 to decide + 100) misses it; the remedies are proven."""
    text = BASE.replace("rto_min: 150", "rto_min: 120")
    path = tmp_path / "t.yaml"
    path.write_text(text, encoding="utf-8")
    d2 = Design(load_scenario(path))
    hit = next(f for f in d2.findings if f.id == "RTO-TARGET")
    assert "130 min (30 min to decide + 100 min after the decision) > target 120 min" in hit.message
    assert d2.verdict == "does_not_fit"


def test_measured_timings_replace_the_assumptions(tmp_path: Path) -> None:
    """A rehearsal's promote and mount times replace the defaults and are flagged measured:
    storage 60 + 13 × 30 + 224 × 5 = 1,570 s; mount 224 × 4 s = 14.93 min."""
    d = _design(
        tmp_path,
        "measured:\n  rehearsed_on: 2026-10-14\n  promote_force_s: 30\n  mount_s: 4\n",
    )
    steps = {s.step: s for s in d.recovery.steps}
    assert d.recovery.storage_s == 1570
    assert steps["storage"].measured
    assert steps["mount"].measured
    assert not steps["rescan"].measured
    assert steps["mount"].minutes == pytest.approx(224 * 4 / 60)
    data = json.loads(run_cli("size", str(tmp_path / "s.yaml"), "--format", "json").stdout)
    assert data["assumptions"]["mount_s"]["measured"] is True
    assert data["recovery"]["steps"][3]["measured"] is True


def test_measured_and_assumed_at_once_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(
        BASE + "assumptions:\n  mount_s: 8\nmeasured:\n  mount_s: 4\n",
        encoding="utf-8",
    )
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    text = str(info.value)
    assert "measured.mount_s" in text
    assert "also set under assumptions" in text


def test_protective_copies_cost_something(tmp_path: Path) -> None:
    """Snapshot (default): reserved LUNs for every secondary and a pool of 2 × the extents a
    4-hour outage from the busiest hour dirties; clone: the mirrored capacity again, 2 private
    LUNs, a go-live synchronisation at 100 MiB/s; none: a warning."""
    snap = Design(load_scenario(EXAMPLE)).protective_copies["UTR-CX4"]
    assert snap.kind == "snapshot"
    assert snap.reserved_luns == 224
    assert snap.rlp_gib > 0
    text = BASE.replace(
        "write_intent_log: true", "write_intent_log: true\n  protective_copy: clone"
    )
    path = tmp_path / "c.yaml"
    path.write_text(text, encoding="utf-8")
    d = Design(load_scenario(path))
    c = d.protective_copies["UTR-CX4"]
    assert c.capacity_gib == pytest.approx(16_513.4375 + 2)
    # 16,513.4375 GiB × 1,024 MiB/GiB ÷ 100 MiB/s ÷ 3,600 s/h = 46.97 h
    assert c.go_live_sync_h == pytest.approx(16_513.4375 * 1024 / 100 / 3600)
    assert d.array_luns_at(0)["UTR-CX4"].clones == 224 + 2
    path.write_text(text.replace("protective_copy: clone", "protective_copy: none"), "utf-8")
    assert any(f.id == "PROTECTIVE-COPY-NONE" for f in Design(load_scenario(path)).findings)
