"""The built-in scenarios recovery-site-loss, sp-path-loss and reserved-pool-full on a
MirrorView/S design (params/example.yaml) and a MirrorView/A one (params/async-long-distance.yaml),
each figure checked against a hand computation from the design's own numbers; and the events
sp_path_failure, sp_path_restore and rlp_full in a scenario file."""

from __future__ import annotations

from pathlib import Path

import pytest

from srmkit import Design, load_scenario
from srmkit.luns import allocate, owner_sps
from srmkit.params import ScenarioError
from srmkit.schema import BUILTIN_SCENARIOS, SimEvent, SimScenario
from srmkit.simulation import TITLES, simulate, simulate_all
from srmkit.simulation.model import _model
from srmkit.simulation.results import ScenarioResult, TimelineRow
from tests.conftest import EXAMPLE, PARAMS, profile_only

ASYNC = PARAMS / "async-long-distance.yaml"
NEW = ("sp-path-loss", "recovery-site-loss", "reserved-pool-full")
MIN_PER_DAY = 24 * 60
REBUILD_AFTER_MIN = 3 * MIN_PER_DAY
"""The built-in recovery-site-loss rebuilds the site three days after its loss. [min]"""
PATH_DOWN_MIN = 240
"""The built-in sp-path-loss repairs the path four hours after it fails. [min]"""

# Consistency groups alternate SP A / SP B in plan order on each source array: SP A owns the
# 1st, 3rd, 5th, … group of the plan.
# The groups SP A owns: balanced by capacity on both arrays (srmkit.luns.owner_sps). Each
# mailbox server's two groups differ in size (16 and 13 storage groups' LUNs), so the pattern
# is A, B / B, A / …: SP A holds 8,297 GiB of AMS-CX4's 16,514 GiB.
EXAMPLE_SP_A = (
    "CG_EXMBX01_1",
    "CG_EXMBX02_2",
    "CG_EXMBX03_1",
    "CG_EXMBX04_2",
    "CG_EXMBX05_1",
    "CG_EXMBX06_2",
    "CG_Amsterdam-HT_1",
)
ASYNC_SP_A = ("CG_LYS-MBX1_1", "CG_LYS-MBX2_2", "CG_LYS-MBX3_1")


def _design(path: Path) -> Design:
    return Design(load_scenario(path))


def _play(path: Path, name: str) -> tuple[Design, ScenarioResult]:
    design = _design(path)
    [result] = simulate_all(design, [name])
    return design, result


def _image_rows(r: ScenarioResult, to_state_end: str) -> list[TimelineRow]:
    return [
        row for row in r.timeline if row.machine == "image" and row.to_state.endswith(to_state_end)
    ]


def _full_sync_min(design: Design, capacity_gib: float) -> float:
    """Method §6 by hand: capacity × 2^30 × 8 bit / (sync rate in Mbit/s × 10^6), in minutes."""
    return capacity_gib * 2**30 * 8 / (design.sync_rate_mbps * 1e6) / 60


def test_the_three_scenarios_are_built_in_with_titles() -> None:
    for name in NEW:
        assert name in BUILTIN_SCENARIOS
        assert name in TITLES
    assert BUILTIN_SCENARIOS[-1] == "failback"


# --- recovery-site-loss ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "lost", "gib_text"),
    [(EXAMPLE, "Utrecht", "16,513"), (ASYNC, "Madrid", "4,762")],
)
def test_recovery_site_loss(path: Path, lost: str, gib_text: str) -> None:
    """The recovery site is lost at 10:00 and rebuilt three days later: every mirror fractures,
    nothing fails over, and production runs without a remote copy from the loss to the end of
    the full synchronisation of every secondary (all the plan's groups replicate to that site).
    By hand: unprotected = 3 days + Σ capacity × 2^30 × 8 / (sync_rate_mbps × 10^6) s; the
    example: 4,320 + 16,513.44 GiB at 850 Mbit/s (2,781.4 min) = 7,101.4 min; the MirrorView/A
    example: 4,320 + 4,761.74 GiB at 41.6 Mbit/s (16,383.4 min) = 20,703.4 min."""
    design, r = _play(path, "recovery-site-loss")
    names = tuple(c.name for c in design.plan.cgs)
    capacity = sum(c.capacity_gib for c in design.plan.cgs)
    assert r.recoverable
    assert r.rto_min is None
    assert r.data_loss_min == 0
    [site_down] = [row for row in r.timeline if row.machine == "site" and row.to_state == "down"]
    assert site_down.object == f"site {lost}"
    assert site_down.clock == "10:00"
    # Every group's secondary is at the lost site: all of them fracture (MirrorView/A: the
    # update in flight rolls back first) and all are re-created for a full synchronisation.
    [fractured] = [row for row in _image_rows(r, "System fractured") if "Normal" in row.from_state]
    assert fractured.objects == names
    [recreated] = _image_rows(r, "Queued to be synchronized")
    assert recreated.objects == names
    [full] = r.resyncs
    assert full.kind == "full"
    assert full.resync_gib == pytest.approx(capacity)
    assert r.unprotected_min == pytest.approx(
        REBUILD_AFTER_MIN + _full_sync_min(design, capacity), rel=1e-9
    )
    [rebuilt] = [w for w in r.warnings if "was rebuilt" in w]
    assert f"need a full synchronisation of {gib_text} GiB" in rebuilt
    [synced] = _image_rows(r, "Consistent · Normal")
    [without] = [w for w in r.warnings if "ran without a remote copy" in w]
    hours = r.unprotected_min / 60
    assert f"for {hours:,.1f} h" in without
    assert f"from 10:00 until the full synchronisation to the rebuilt {lost} ended at " in without
    assert without.endswith(f"{synced.clock} [S0].")
    assert r.protected_at_end
    assert r.srm_protected_at_end


def test_recovery_site_loss_figures_of_the_examples() -> None:
    """The hand figures of the docstring above, written out."""
    _, mvs = _play(EXAMPLE, "recovery-site-loss")
    _, mva = _play(ASYNC, "recovery-site-loss")
    assert mvs.unprotected_min == pytest.approx(7101.36, abs=0.01)
    assert mva.unprotected_min == pytest.approx(20703.43, abs=0.01)


def test_the_time_without_a_copy_follows_a_synchronisation_that_grows() -> None:
    """Bidirectional failback: Manchester's secondaries re-created on the rebuilt Leeds start
    their full synchronisation, and an hour later the reversed mirrors of Leeds' VMs join the
    same direction; the batch ends later, and so does Manchester's time without a copy."""
    _, r = _play(PARAMS / "bidirectional.yaml", "failback")
    [synced] = [
        row for row in _image_rows(r, "Consistent · Normal") if "Synchronizing" in row.from_state
    ]
    [without] = [w for w in r.warnings if "ran without a remote copy" in w]
    assert without.startswith("Manchester's VMs")
    assert without.endswith(f"ended at {synced.clock} [S0].")


def test_recovery_site_loss_mirrorview_s_stalls_then_fractures() -> None:
    """MirrorView/S holds the writes for the fracture timeout (5 s), then writes go on locally."""
    design, r = _play(EXAMPLE, "recovery-site-loss")
    assert r.write_stall_s == pytest.approx(design.a.mvs_fracture_timeout_s)


def test_recovery_site_loss_mirrorview_a_rolls_back_the_update_in_flight() -> None:
    _, r = _play(ASYNC, "recovery-site-loss")
    [rolling] = _image_rows(r, "Rolling back · System fractured")
    assert rolling.from_state == "Synchronizing · Normal"
    assert r.write_stall_s == 0


# --- sp-path-loss ----------------------------------------------------------------------------


@pytest.mark.parametrize(("path", "owned"), [(EXAMPLE, EXAMPLE_SP_A), (ASYNC, ASYNC_SP_A)])
def test_sp_path_loss_fractures_exactly_the_groups_sp_a_owns(
    path: Path, owned: tuple[str, ...]
) -> None:
    """SP A's path fails at 10:00 and is repaired at 14:00. The groups SP A owns fracture after
    the fracture timeout; the others never change state. Both examples use the recovery policy
    Manual: on the repair the fractured groups wait for the administrator. By hand: unprotected
    from the fracture (timeout 5 s after the loss) to the end at the repair, 240 − 5/60 min."""
    design, r = _play(path, "sp-path-loss")
    assert design.scenario.replication.recovery_policy == "manual"
    others = {c.name for c in design.plan.cgs} - set(owned)
    # MirrorView/A's routine updates go on for the others; nothing else changes them.
    touched = {
        name
        for row in r.timeline
        if row.machine == "image" and not row.routine
        for name in row.objects
    }
    assert touched == set(owned)
    assert not touched & others
    [fractured] = [row for row in _image_rows(r, "System fractured") if "Normal" in row.from_state]
    assert fractured.objects == owned
    assert fractured.clock == "10:00"
    [waiting] = _image_rows(r, "Waiting on admin")
    assert waiting.objects == owned
    assert waiting.clock == "14:00"
    timeout_min = design.a.mvs_fracture_timeout_s / 60
    assert r.unprotected_min == pytest.approx(PATH_DOWN_MIN - timeout_min)
    assert r.recoverable
    assert r.rto_min is None
    assert r.data_loss_min == 0
    assert not r.protected_at_end  # Manual: still waiting for the administrator
    path_rows = [(row.from_state, row.to_state) for row in r.timeline if row.machine == "path"]
    assert path_rows == [("Up", "Down"), ("Down", "Up")]


def test_sp_path_loss_stalls_mirrorview_s_writes_for_the_timeout() -> None:
    design, r = _play(EXAMPLE, "sp-path-loss")
    assert r.write_stall_s == pytest.approx(design.a.mvs_fracture_timeout_s)
    assert any("stalled for 5.0 s" in w for w in r.warnings)


def test_sp_path_loss_mirrorview_a_keeps_updating_the_groups_of_sp_b() -> None:
    """While SP A's path is down, the MirrorView/A updates of SP B's groups go on."""
    design, r = _play(ASYNC, "sp-path-loss")
    sp_b = {c.name for c in design.plan.cgs} - set(ASYNC_SP_A)
    during = [row for row in r.timeline if row.routine and 0 < row.t_min < PATH_DOWN_MIN]
    assert any(row.to_state == "Consistent · Normal" for row in during)
    assert {name for row in during for name in row.objects} == sp_b


def test_sp_path_loss_with_automatic_policy_resyncs_only_the_owned_groups() -> None:
    """With the recovery policy Automatic the owned groups resynchronise (partially, from the
    fracture log) as soon as the path is back; the others need nothing."""
    design = _design(EXAMPLE)
    array = design.scenario.arrays[0].name
    sim = SimScenario(
        name="path-auto",
        start="10:00",
        recovery_policy="auto",
        events=[
            SimEvent(at="0s", event="sp_path_failure", array=array, sp="A"),
            SimEvent(at="4h", event="sp_path_restore", array=array, sp="A"),
        ],
    )
    r = simulate(design, sim)
    [resync] = r.resyncs
    assert resync.kind == "partial"
    assert resync.consistency_groups == len(EXAMPLE_SP_A)
    [synced] = _image_rows(r, "Consistent · Normal")
    assert synced.objects == EXAMPLE_SP_A
    assert r.protected_at_end


def test_the_simulator_uses_the_build_books_sp_owners_which_balance_every_array() -> None:
    """One source for who owns what: the simulator's SP of each group is the build book's, and
    on every array the two SPs' capacities differ by less than the largest group's."""
    for path in (EXAMPLE, ASYNC, PARAMS / "bidirectional.yaml"):
        design = _design(path)
        m = _model(design)
        allocation = allocate(design)
        assert {c.name: c.owner_sp for c in m.cgs} == owner_sps(design.plan.cgs)
        largest = max(cg.capacity_gib for cg in design.plan.cgs)
        for array in (a.name for a in design.scenario.arrays):
            sps = allocation.sp_capacity_gib(array)
            assert abs(sps["A"] - sps["B"]) < largest


# --- reserved-pool-full ----------------------------------------------------------------------


def _busiest_hour(design: Design) -> int:
    return int(design.directions[0].hourly_mib.argmax())


@pytest.mark.parametrize(("path", "array"), [(EXAMPLE, "UTR-CX4"), (ASYNC, "MAD-CX4")])
def test_reserved_pool_full_fails_the_test_and_names_the_pool(path: Path, array: str) -> None:
    """The test starts at the busiest hour; an hour later the recovery array's reserved LUN pool
    is full: the test fails (the plan is back to Protected) and a warning names the array and
    the pool size srmkit recommends for it."""
    design, r = _play(path, "reserved-pool-full")
    busiest = _busiest_hour(design)
    assert r.start_clock == f"{busiest:02d}:00"
    plan = [(row.clock, row.to_state, row.cause) for row in r.timeline if row.machine == "plan"]
    assert plan == [
        (f"{busiest:02d}:00", "Test running", "SRM test starts"),
        (f"{busiest + 1:02d}:00", "Protected", "reserved LUN pool full"),
    ]
    [pool] = [row for row in r.timeline if row.machine == "pool"]
    assert pool.object == f"reserved LUN pool of {array}"
    assert pool.to_state == "Full"
    assert "estimate" in pool.source
    need = design.rlp[array].rlp_gib
    [warning] = [w for w in r.warnings if "reserved LUN pool of" in w]
    assert array in warning
    assert f"{need:,.0f} GiB" in warning
    assert r.recoverable
    assert r.rto_min is None
    assert r.data_loss_min == 0


def test_reserved_pool_full_leaves_mirrorview_s_mirroring() -> None:
    """MirrorView/S does not use the pool: no mirror changes, nothing unprotected."""
    _, r = _play(EXAMPLE, "reserved-pool-full")
    assert not [row for row in r.timeline if row.machine == "image"]
    assert r.unprotected_min == 0
    assert any("MirrorView/S mirrors do not use the pool and carry on" in w for w in r.warnings)


def test_reserved_pool_full_fractures_mirrorview_a_until_the_administrator_synchronises() -> None:
    """Every group replicates to MAD-CX4: all fracture administratively when its pool fills
    (the test had waited for the update in flight, so none rolls back), and the administrator's
    synchronisation an hour later resumes the updates. By hand: unprotected from the pool full
    (busiest hour + 1 h) to the synchronisation (+ 1 h) = 60 min."""
    design, r = _play(ASYNC, "reserved-pool-full")
    names = tuple(c.name for c in design.plan.cgs)
    [fractured] = _image_rows(r, "Administratively fractured")
    assert fractured.objects == names
    assert fractured.from_state == "Consistent · Normal"
    assert "Assumed" in fractured.reason
    resumed = [row for row in r.timeline if row.cause == "administrative synchronisation"]
    assert resumed[0].objects == names
    assert resumed[0].to_state == "Consistent · Normal"
    assert r.unprotected_min == pytest.approx(60)
    assert not _image_rows(r, "Rolling back · Administratively fractured")


# --- the events in a scenario file -----------------------------------------------------------


def _with_scenarios(tmp_path: Path, events: str) -> Path:
    # In a temporary folder, without EXMBX01's Performance Monitor log: sized by its profile.
    text = profile_only(EXAMPLE.read_text(encoding="utf-8")) + (
        f"scenarios:\n  - name: path-drill\n    events:\n{events}"
    )
    path = tmp_path / "drill.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_scenario_file_may_use_sp_path_failure(tmp_path: Path) -> None:
    """SP B's path of AMS-CX4 in a scenario file: it validates and fractures SP B's groups."""
    path = _with_scenarios(
        tmp_path,
        "      - {at: 0s, event: sp_path_failure, array: AMS-CX4, sp: B}\n"
        "      - {at: 1h, event: sp_path_restore, array: AMS-CX4, sp: B}\n"
        "      - {at: 2h, event: rlp_full, array: UTR-CX4}\n",
    )
    design = Design(load_scenario(path))
    [r] = simulate_all(design, ["path-drill"])
    sp_b = tuple(c.name for c in design.plan.cgs if c.name not in EXAMPLE_SP_A)
    [fractured] = _image_rows(r, "System fractured")
    assert fractured.objects == sp_b


def test_sp_path_failure_needs_an_array_and_an_sp(tmp_path: Path) -> None:
    path = _with_scenarios(tmp_path, "      - {at: 0s, event: sp_path_failure, array: AMS-CX4}\n")
    with pytest.raises(ScenarioError, match="sp"):
        load_scenario(path)
    path = _with_scenarios(
        tmp_path, "      - {at: 0s, event: sp_path_failure, array: NOPE-CX4, sp: A}\n"
    )
    with pytest.raises(ScenarioError, match="NOPE-CX4"):
        load_scenario(path)
