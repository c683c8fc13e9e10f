"""SRM 1.0/4.x as the simulator plays it (Method §8, v3): planned failovers with the operators'
own steps, promotes by image state, tests that wait and time out, protective copies and
rollbacks that take their time."""

from __future__ import annotations

import pytest

from srmkit.simulation import planned_times, simulate_all
from srmkit.simulation.model import _model
from tests.test_simulation import design_of, play, small


def test_a_plan_run_without_the_manual_steps_promotes_consistent_images() -> None:
    """MirrorView/S: SRM shuts the VMs down itself; the datastores stay mounted, the images are
    only Consistent, and the promote is followed by a full synchronisation (nothing lost)."""
    design = design_of(small())
    r = play(design, "22:00", {"at": "0s", "event": "run_recovery_plan", "site": "Amsterdam"})
    assert r.data_loss_min == 0
    assert any("datastores stayed mounted" in w for w in r.warnings)
    full = [x for x in r.resyncs if x.kind == "full"]
    assert full
    assert full[0].resync_gib == pytest.approx(sum(cg.capacity_gib for cg in design.plan.cgs))
    assert not r.srm_protected_at_end


def test_with_the_manual_steps_the_images_are_synchronized() -> None:
    """Shut down, unmount, wait the quiesce threshold (60 s): normal promotes of Synchronized
    images, the mirrors reverse with no resynchronisation; SRM protects nothing afterwards."""
    design = design_of(small())
    r = play(
        design,
        "22:00",
        {"at": "0s", "event": "shutdown_vms", "site": "Amsterdam"},
        {"at": "5m", "event": "unmount_datastores", "site": "Amsterdam"},
        {"at": "7m", "event": "run_recovery_plan", "site": "Amsterdam"},
    )
    assert r.data_loss_min == 0
    assert not r.resyncs
    assert [row.to_state for row in r.timeline if row.machine == "vm"] == ["Shut down", "Unmounted"]
    assert any(row.to_state.startswith("Synchronized") for row in r.timeline)
    assert not r.srm_protected_at_end
    planned = design.recovery_of("Amsterdam", site_lost=False).after_decision_min
    assert r.rto_min == pytest.approx(7 + planned)


def test_mirrorview_a_without_a_final_update_loses_the_last_changes() -> None:
    """MirrorView/A promoted while only Consistent: the new primary holds the start of its last
    completed update, so the writes after it, up to the shutdown, are lost."""
    design = design_of(small("async"))
    r = play(design, "22:00", {"at": "0s", "event": "run_recovery_plan", "site": "Amsterdam"})
    assert r.data_loss_min is not None
    assert r.data_loss_min > 0
    assert r.data_loss_min <= design.worst_rpo_min


def test_mirrorview_a_final_update_then_plan_loses_nothing() -> None:
    design = design_of(small("async"))
    [r] = simulate_all(design, ["planned-failover"])
    assert r.data_loss_min == 0
    assert not [x for x in r.resyncs if x.kind == "full"]
    # The plan runs a minute after the final update ends (planned_times), then takes the planned
    # recovery's minutes: the RTO from the shutdown.
    times = planned_times(_model(design), "Amsterdam", 22 * 60)
    assert times.final_min == 6
    assert times.final_duration_min > 0
    after = design.recovery_of("Amsterdam", site_lost=False).after_decision_min
    # (the built-in scenario writes its event times to the tenth of a second)
    assert r.rto_min == pytest.approx(times.plan_min + after, abs=0.1 / 60)
    assert times.plan_min == pytest.approx(6 + times.final_duration_min + 1)


def test_final_update_is_refused_for_mirrorview_s() -> None:
    design = design_of(small())
    r = play(design, "22:00", {"at": "0s", "event": "final_update", "site": "Amsterdam"})
    assert r.refused[0].reason.startswith("MirrorView/S sends every write")


def test_a_mirrorview_a_test_waits_for_the_update_in_progress() -> None:
    """A test started during an update waits for it, then snaps the LUNs (Method §8)."""
    design = design_of(small("async"))
    test = design.test_of("Amsterdam")
    cycle = design.cycles[design.directions[0].label]
    first = cycle.updates[0]
    # Start the scenario one minute into that update: the test waits for the rest of it.
    start_min = first.start_min + 1
    start = f"{int(start_min // 60) % 24:02d}:{int(start_min % 60):02d}"
    r = play(design, start, {"at": "0s", "event": "srm_test_start"})
    wait = first.start_min + first.duration_min - (int(start_min // 1))
    assert r.test_ready_min == pytest.approx(wait + test.after_start_min, abs=1)
    assert any("waited" in w for w in r.warnings)


def test_the_example_test_breaks_the_sra_timeout() -> None:
    from srmkit import Design, load_scenario
    from tests.conftest import EXAMPLE

    [r] = simulate_all(Design(load_scenario(EXAMPLE)), ["test-failover"])
    assert any("3,360 s" in w and "SRA timeout" in w for w in r.warnings)


def test_the_protective_copy_takes_its_time_and_mirrorview_a_has_none() -> None:
    """A snapshot session per secondary LUN at 15 s each (74 LUNs: 18.5 min); MirrorView/A
    refuses the step (its gold copy protects the secondary)."""
    design = design_of(small())
    r = play(
        design,
        "09:00",
        {"at": "1h", "event": "link_down"},
        {"at": "1h1m", "event": "clone_secondaries"},
    )
    [row] = [x for x in r.timeline if x.cause == "clone the secondary"]
    take = design.protective_copies["UTR-CX4"].take_min
    assert take == pytest.approx(design.protective_copies["UTR-CX4"].luns * 15 / 60)
    assert row.t_min == pytest.approx(61 + take)
    a = play(design_of(small("async")), "09:00", {"at": "1h", "event": "clone_secondaries"})
    assert "gold copy" in a.refused[0].reason


def test_a_rollback_takes_the_interrupted_update_at_200_mib_per_s() -> None:
    """The link is lost mid-update: the secondaries roll back to the gold copy, taking what the
    update had sent ÷ 200 MiB/s."""
    design = design_of(small("async"))
    cycle = design.cycles[design.directions[0].label]
    first = cycle.updates[0]
    half = first.duration_min / 2
    start_min = first.start_min
    start = f"{int(start_min // 60) % 24:02d}:{int(start_min % 60):02d}"
    offset = start_min - int(start_min)
    r = play(design, start, {"at": f"{round((half - offset) * 60)}s", "event": "link_down"})
    rows = [x for x in r.timeline if "rollback" in x.cause and "completes" in x.cause]
    fractured = [x for x in r.timeline if "rolled back" in x.cause or "Rolling" in x.to_state]
    assert rows
    assert fractured
    took = rows[0].t_min - fractured[0].t_min
    assert took > 0
    assert took == pytest.approx(first.volume_mib * 0.5 / 200 / 60, rel=0.1)


def test_runbook_and_simulator_agree_on_the_planned_failover() -> None:
    """The runbook's planned failover adds up to the simulated one's recovery time (from the
    shutdown to the plan's end) for every example, MirrorView/S and /A alike."""
    from srmkit import Design, load_scenario
    from srmkit.runbook import procedures
    from tests.conftest import EXAMPLES

    for path in EXAMPLES:
        design = Design(load_scenario(path))
        site = design.directions[0].from_site
        [r] = simulate_all(design, ["planned-failover"])
        planned = next(
            p
            for p in procedures(design)
            if p.key == "planned_failover" and p.protection_group == f"{site} Exchange"
        )
        assert planned.total_min == pytest.approx(r.rto_min, abs=0.01), path.name


def test_runbook_test_failover_adds_up_to_the_test_time() -> None:
    """The test procedure's timed steps add up to the design's test time, which the simulator
    reports as test_ready_min (plus any wait for a MirrorView/A update in progress)."""
    from srmkit import Design, load_scenario
    from srmkit.runbook import procedures
    from tests.conftest import EXAMPLE

    design = Design(load_scenario(EXAMPLE))
    test = next(p for p in procedures(design) if p.key == "test_failover")
    expected = design.test_of("Amsterdam").after_start_min
    assert test.total_min == pytest.approx(expected)
    [r] = simulate_all(design, ["test-failover"])
    assert r.test_ready_min == pytest.approx(expected)
