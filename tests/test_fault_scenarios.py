"""The built-in fault scenarios beyond a site or the link: one SP's mirror path, the recovery
site, a full reserved LUN pool (issue: recovery an operations team can execute)."""

from __future__ import annotations

from pathlib import Path

import pytest

from srmkit import Design, load_scenario
from srmkit.simulation import simulate_all
from srmkit.simulation.model import _model
from tests.conftest import EXAMPLE, PARAMS

ASYNC = PARAMS / "async-long-distance.yaml"


def test_sp_path_loss_fractures_only_the_groups_sp_a_owns() -> None:
    """Groups alternate SP A / SP B in plan order on AMS-CX4: the 13 groups give 7 on SP A
    (1st, 3rd, …, 13th); they fracture after the 5 s timeout and the 6 others keep mirroring.
    Exchange's writes to those groups wait the timeout (5 s); unprotected until the repair at
    4 h (minus the 5 s before the fracture)."""
    design = Design(load_scenario(EXAMPLE))
    [r] = simulate_all(design, ["sp-path-loss"])
    names = [c.name for c in design.plan.cgs]
    owned = tuple(names[0::2])
    [fractured] = [row for row in r.timeline if row.to_state.endswith("System fractured")]
    assert fractured.objects == owned
    assert len(owned) == 7
    assert r.write_stall_s == pytest.approx(5)
    assert r.unprotected_min == pytest.approx(240 - 5 / 60)
    assert r.recoverable
    assert r.rto_min is None


def test_recovery_site_loss_runs_production_unprotected_until_a_full_sync() -> None:
    """Utrecht lost at 10:00 and rebuilt 3 days later; then a full synchronisation of every
    mirror (16,513.44 GiB at the sync rate): production runs without a remote copy from the
    loss to the end of that synchronisation; nothing fails over."""
    design = Design(load_scenario(EXAMPLE))
    [r] = simulate_all(design, ["recovery-site-loss"])
    capacity = sum(c.capacity_gib for c in design.plan.cgs)
    sync_min = design.sync_time_h(capacity) * 60
    assert r.rto_min is None
    assert r.data_loss_min == 0
    assert r.recoverable
    [full] = r.resyncs
    assert full.kind == "full"
    assert full.resync_gib == pytest.approx(capacity)
    assert r.unprotected_min == pytest.approx(3 * 1440 + sync_min, rel=1e-6)
    assert any("full synchronisation of 16,513 GiB" in w for w in r.warnings)
    assert r.protected_at_end


def test_reserved_pool_full_fails_the_test_and_fractures_mirrorview_a() -> None:
    design = Design(load_scenario(ASYNC))
    [r] = simulate_all(design, ["reserved-pool-full"])
    plan_rows = [row.to_state for row in r.timeline if row.machine == "plan"]
    assert plan_rows == ["Test running", "Protected"]  # the test failed and was cleaned up
    fractured = [row for row in r.timeline if row.cause == "reserved LUN pool full"]
    assert any(row.to_state.endswith("Administratively fractured") for row in fractured)
    need = design.rlp["MAD-CX4"].rlp_gib
    assert any(f"{need:,.0f} GiB" in w and "MAD-CX4" in w for w in r.warnings)
    # The administrator's synchronisation an hour later resumes mirroring.
    resumed = [row for row in r.timeline if row.cause == "administrative synchronisation"]
    assert resumed
    assert resumed[0].to_state == "Consistent · Normal"


def test_reserved_pool_full_leaves_mirrorview_s_mirroring() -> None:
    design = Design(load_scenario(EXAMPLE))
    [r] = simulate_all(design, ["reserved-pool-full"])
    assert not [row for row in r.timeline if row.machine == "image"]
    assert r.unprotected_min == 0
    assert any("MirrorView/S mirrors do not use the pool" in w for w in r.warnings)


def test_owners_alternate_per_source_array() -> None:
    design = Design(load_scenario(PARAMS / "bidirectional.yaml"))
    m = _model(design)
    for array in {c.source_array for c in m.cgs}:
        mine = [c.owner_sp for c in m.cgs if c.source_array == array]
        assert mine == ["AB"[k % 2] for k in range(len(mine))]


def test_a_scenario_file_may_use_the_new_events(tmp_path: Path) -> None:
    text = EXAMPLE.read_text(encoding="utf-8") + (
        "scenarios:\n"
        "  - name: path-drill\n"
        "    events:\n"
        "      - {at: 0s, event: sp_path_failure, array: AMS-CX4, sp: B}\n"
        "      - {at: 1h, event: sp_path_restore, array: AMS-CX4, sp: B}\n"
        "      - {at: 2h, event: rlp_full, array: UTR-CX4}\n"
    )
    path = tmp_path / "s.yaml"
    path.write_text(text, encoding="utf-8")
    design = Design(load_scenario(path))
    [r] = simulate_all(design, ["path-drill"])
    [fractured] = [row for row in r.timeline if row.to_state.endswith("System fractured")]
    assert len(fractured.objects) == 6  # SP B owns the 2nd, 4th, …, 12th group
