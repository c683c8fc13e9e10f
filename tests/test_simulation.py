"""The failover state simulator, Monte Carlo risk and runbooks (Method §8).

Hand-worked values use a small MirrorView/S design (``small``): one site of two mailbox VMs,
CX4-480 arrays, a flat daily profile (every hour writes the same), the fracture timeout of Model
v3 §4 (5 s: writes wait for the link that long, then the mirrors system-fracture; the secondary
holds the data of the moment the link was lost), and the recovery plan's default steps: promote
1 min per CG, rescan 2, power on 3, services 3, no IP customisation (same subnet).
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import EXAMPLE, PARAMS, example_data, profile_only, run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from srmkit import states
from srmkit.design import Design
from srmkit.params import ScenarioError, load_scenario, validate_data
from srmkit.risk import monte_carlo
from srmkit.runbook import procedures
from srmkit.schema import BUILTIN_SCENARIOS, SimScenario
from srmkit.simulation import simulate, simulate_all

FLAT = [1 / 24] * 24


def small(mode: str = "sync", **replication: Any) -> dict[str, Any]:
    """A small design as plain data (MirrorView/S unless ``mode``)."""
    data = example_data()  # EXMBX01 sized by its profile, as the hand-worked cases are
    data["servers"] = data["servers"][:2]
    data["sites"][1]["recovery_subnet_differs"] = False
    data["sites"][0]["hub_transport_protected"] = False
    data["assumptions"] = {"daily_profile_fraction": FLAT}
    data["replication"] = {"mode": mode, "recovery_policy": "manual", **replication}
    if mode == "async":
        data["replication"].setdefault("update_type", "start")
        data["replication"].setdefault("update_interval_min", 30)
        data["link"] = {"bandwidth_mbps": 1000, "distance_km": 500, "route_factor": 1.2}
        data["targets"]["rpo_min"] = 120
    return data


def design_of(data: dict[str, Any]) -> Design:
    return Design(validate_data(data, "test.yaml"))


def play(design: Design, start: str, *events: dict[str, Any], policy: str | None = None) -> Any:
    sim = SimScenario.model_validate(
        {"name": "t", "start": start, "recovery_policy": policy, "events": list(events)}
    )
    return simulate(design, sim)


# --- the state table --------------------------------------------------------------------------


def test_the_table_is_consistent() -> None:
    """Every image state in the table is described; no row is given twice; actions are named."""
    assert states.check_table() == []
    assert set(states.states("image")) == set(states.image_states())


def test_an_illegal_action_is_an_answer_not_an_exception() -> None:
    out = states.step("image", "synchronizing/synchronizing", "promote", frozenset({"sync"}))
    assert not out.ok
    assert "indeterminate" in out.reason
    assert "sync_done" in out.allowed
    unknown = states.step("link", "up", "promote", frozenset())
    assert not unknown.ok
    assert unknown.allowed == ("link_down",)


def test_states_command_draws_the_table() -> None:
    mermaid = run_cli("states", "--format", "mermaid")
    assert mermaid.returncode == 0
    assert mermaid.stdout.count("stateDiagram-v2") == len(states.MACHINES)
    assert "Synchronizing · Synchronizing" in mermaid.stdout
    table = run_cli("states")
    assert "| Consistent · System fractured |" in table.stdout


# --- closed forms -----------------------------------------------------------------------------


def test_synchronous_site_disaster_loses_nothing() -> None:
    design = Design(load_scenario(EXAMPLE))
    [r] = simulate_all(design, ["site-disaster"])
    assert r.data_loss_min == 0
    assert r.recoverable
    # 30 min to decide + 100 min for the plan (test_recovery_time.py works it term by term).
    assert r.rto_min == design.recovery.rto_min == 130
    assert r.declared_min == 30
    assert r.after_decision_min == 100
    assert not r.srm_protected_at_end


def test_link_loss_then_site_loss_loses_the_time_since_the_link_was_lost() -> None:
    """Link lost at 1 h, site at 3 h: 120 min. Model v3 §4: the primary holds writes for the
    fracture timeout (5 s) and then fractures, and the secondary holds the data of the moment
    the link was lost; §8: the loss is d − f with f the link loss, not the fracture."""
    design = design_of(small())
    r = play(
        design,
        "09:00",
        {"at": "1h", "event": "link_down"},
        {"at": "3h", "event": "site_failure", "site": "Amsterdam"},
        {"at": "3h", "event": "run_recovery_plan"},
    )
    assert r.data_loss_min == pytest.approx(120.0)
    # The flat profile writes the same every minute: 120 min of the day's volume.
    direction = design.directions[0]
    per_min = float(direction.hourly_mib.sum()) / 1440
    assert r.data_loss_mib == pytest.approx(120 * per_min)
    # Exchange's writes waited the whole fracture timeout before the mirrors fractured (§4).
    assert r.write_stall_s == pytest.approx(design.a.mvs_fracture_timeout_s)
    # The plan runs at once (no declaration in this scenario): the plan's own time.
    assert r.rto_min == design.recovery.after_decision_min


def test_asynchronous_loss_is_at_most_interval_plus_update() -> None:
    """With a flat profile every update sends the same volume in the same time D; a disaster at
    any time loses at most T + D (start type), and the Monte Carlo mean is the cycle's time-mean
    RPO T/2 + D within sampling error."""
    design = design_of(small("async"))
    cycle = design.cycles[design.directions[0].label]
    durations = {round(u.duration_min, 9) for u in cycle.updates}
    assert len(durations) == 1
    d = durations.pop()
    assert 0 < d < 30
    for minute in range(0, 24 * 60, 7):
        h, m = divmod(minute, 60)
        r = play(
            design,
            f"{h:02d}:{m:02d}",
            {"at": "0s", "event": "site_failure", "site": "Amsterdam"},
            {"at": "0s", "event": "run_recovery_plan"},
        )
        assert r.recoverable
        assert 0 <= r.data_loss_min <= 30 + d + 1e-6
    mc = monte_carlo(design, 200_000, seed=3)
    sigma = math.sqrt(((30 + d) ** 2) / 12)  # the loss is uniform over a span of T + D at most
    assert mc.data_loss_min.mean == pytest.approx(cycle.mean_rpo_min, abs=4 * sigma / 447)
    assert cycle.mean_rpo_min == pytest.approx(15 + d, rel=1e-6)
    assert mc.data_loss_min.max <= 30 + d + 1e-6


# --- hand-worked sequences --------------------------------------------------------------------


def test_manual_policy_waits_on_admin_and_keeps_the_consistent_copy() -> None:
    design = design_of(small())
    r = play(
        design,
        "09:00",
        {"at": "1h", "event": "link_down"},
        {"at": "3h", "event": "link_up"},
        {"at": "4h", "event": "site_failure", "site": "Amsterdam"},
        {"at": "4h", "event": "run_recovery_plan"},
    )
    waits = [row for row in r.timeline if row.to_state == "Consistent · Waiting on admin"]
    assert waits
    assert waits[0].clock == "12:00"
    assert r.recoverable
    assert r.recovered_from == "secondary"
    # Model v3 §4/§8: the secondary holds the data of the link loss at 10:00 (not of the
    # fracture 5 s later): lost at 13:00, 180 min.
    assert r.data_loss_min == pytest.approx(240 - 60)


def test_automatic_resync_without_a_clone_leaves_nothing_usable() -> None:
    design = design_of(small())
    [auto] = simulate_all(design, ["resync-then-site-loss"])
    assert not auto.recoverable
    assert auto.data_loss_min is None
    assert auto.data_loss_mib is None
    assert auto.rto_min is None
    assert any("overwritten the only consistent copy" in w for w in auto.warnings)
    [cloned] = simulate_all(design, ["resync-then-site-loss-cloned"])
    assert cloned.recoverable
    assert cloned.recovered_from == "clone"
    site_lost = next(row for row in cloned.timeline if row.cause == "site lost")
    # Model v3 §4/§6: the clone holds the secondary's data, that of the link loss at 10:00 (one
    # hour after the 09:00 start), not of the fracture after the 5 s timeout.
    assert cloned.data_loss_min == pytest.approx(site_lost.t_min - 60)


def test_a_recovery_on_a_synchronizing_image_is_refused_with_the_reason() -> None:
    design = design_of(small())
    [r] = simulate_all(design, ["resync-then-site-loss"])
    refused = [x for x in r.refused if x.action == "promote"]
    assert refused
    assert "cannot be promoted" in refused[0].reason
    assert refused[0].allowed


def test_each_builtin_scenario_on_the_small_design() -> None:
    design = design_of(small())
    results = {r.name: r for r in simulate_all(design)}
    assert tuple(results) == BUILTIN_SCENARIOS
    plan_min = design.recovery.after_decision_min
    assert plan_min == sum(step.minutes for step in design.recovery.steps)

    test = results["test-failover"]
    assert [row.to_state for row in test.timeline] == ["Test running", "Protected"]
    assert test.unprotected_min == 0

    planned = results["planned-failover"]
    assert planned.data_loss_min == 0
    # SRM 1.0/4.x: shut down, unmount 5 min later, the quiesce threshold (1 min) and a minute's
    # check, then the plan of a planned failover (normal promotes, no attempt to reach a lost
    # site).
    planned_min = design.recovery_of("Amsterdam", site_lost=False).after_decision_min
    assert planned.rto_min == pytest.approx(5 + 1 + 1 + planned_min)
    assert not [x for x in planned.resyncs if x.kind == "full"]
    assert not planned.srm_protected_at_end
    assert planned.protected_at_end  # the mirrors now run the other way
    assert any("mirrors reversed" in row.cause for row in planned.timeline)

    assert results["site-disaster"].rto_min == design.a.declare_min + plan_min
    assert not results["site-disaster"].protected_at_end

    short = results["short-link-loss"]
    assert short.unprotected_min == 0
    assert not any(row.to_state.endswith("fractured") for row in short.timeline)

    manual = results["long-link-loss-manual"]
    assert manual.data_loss_min == 0
    assert manual.protected_at_end
    causes = [row.cause for row in manual.timeline]
    assert causes.index("clone the secondary") < causes.index("administrative synchronisation")
    assert manual.timeline[causes.index("clone the secondary")].t_min > 60  # taken after fracture

    auto = results["long-link-loss-auto"]
    assert any("automatic resynchronisation" in w for w in auto.warnings)

    sp = results["sp-failure"]
    assert sp.unprotected_min == 0
    assert any("trespassed" in row.cause for row in sp.timeline)

    back = results["failback"]
    assert back.protected_at_end
    full_sync_min = design.sync_time_h(design.capacity_gib) * 60
    assert back.unprotected_min >= 3 * 1440 + full_sync_min
    assert any("full synchronisation" in w for w in back.warnings)


def test_a_link_blip_stalls_writes_and_fractures_nothing() -> None:
    """Model v3 §4: a link loss shorter than the fracture timeout (5 s) holds Exchange's writes
    for its length and fractures nothing; above ``write_stall_warn_s`` (1 s) it is a warning.
    The built-in blip lasts half the timeout, 2.5 s."""
    design = design_of(small())
    [blip] = simulate_all(design, ["short-link-loss"])
    assert blip.write_stall_s == pytest.approx(design.a.mvs_fracture_timeout_s / 2) == 2.5
    assert any("stalled for 2.5 s" in w for w in blip.warnings)
    assert not any(row.to_state.endswith("fractured") for row in blip.timeline)
    assert blip.unprotected_min == 0
    short = play(
        design, "10:00", {"at": "0s", "event": "link_down"}, {"at": "0.5s", "event": "link_up"}
    )
    assert short.write_stall_s == pytest.approx(0.5)
    assert not any("stalled" in w for w in short.warnings)  # under the 1 s threshold


def test_a_partial_resync_reports_the_studys_volume() -> None:
    """Model v3 §6: the resynchronisation after the four-hour outage sends the study's partial
    resync (``Study.resync_gib``) of the writes since the link was lost (10:00) until the
    administrator synchronises (14:10), shared among the CGs by their written volume."""
    design = design_of(small())
    [r] = simulate_all(design, ["long-link-loss-manual"])
    [resync] = r.resyncs
    expected = design.resync_gib(design.directions[0], 10 * 60, 250)
    assert resync.kind == "partial"
    assert resync.since_min == 60  # the link loss, one hour after the 09:00 start
    assert resync.resync_gib == pytest.approx(expected)
    assert r.resync_gib == pytest.approx(expected)
    sync_min = expected * design.sync_time_h(1.0) * 60
    done = next(row for row in r.timeline if row.cause == "synchronisation completes")
    assert done.t_min == pytest.approx(resync.t_min + sync_min)


def test_sp_failure_without_write_intent_log_needs_a_full_sync() -> None:
    design = design_of(small(write_intent_log=False, recovery_policy="auto"))
    [r] = simulate_all(design, ["sp-failure"])
    full_min = design.sync_time_h(design.capacity_gib) * 60
    assert r.unprotected_min == pytest.approx(full_min)
    assert any("no write intent log" in w for w in r.warnings)


def test_asynchronous_planned_failover_waits_for_a_final_update() -> None:
    design = design_of(small("async"))
    [r] = simulate_all(design, ["planned-failover"])
    assert r.data_loss_min == 0
    assert r.rto_min > design.recovery_of("Amsterdam", site_lost=False).after_decision_min


# --- properties -------------------------------------------------------------------------------

EVENTS = st.sampled_from(
    [
        {"event": "link_down"},
        {"event": "link_up"},
        {"event": "site_failure", "site": "Amsterdam"},
        {"event": "site_failure", "site": "Utrecht"},
        {"event": "site_restore", "site": "Amsterdam"},
        {"event": "rebuild_site", "site": "Amsterdam"},
        {"event": "sp_failure", "array": "AMS-CX4", "sp": "A"},
        {"event": "sp_restore", "array": "AMS-CX4", "sp": "A"},
        {"event": "admin_fracture"},
        {"event": "admin_sync"},
        {"event": "clone_secondaries"},
        {"event": "srm_test_start"},
        {"event": "srm_test_continue"},
        {"event": "run_recovery_plan"},
        {"event": "reverse_mirrors"},
        {"event": "run_failback_plan"},
        {"event": "reprotect"},
    ]
)
DESIGNS = {mode: design_of(small(mode)) for mode in ("sync", "async")}
LABELS = {
    machine: {states.state_label(machine, s) for s in states.states(machine)}
    for machine in states.MACHINES
}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    mode=st.sampled_from(["sync", "async"]),
    policy=st.sampled_from(["manual", "auto"]),
    start=st.integers(0, 1439),
    events=st.lists(st.tuples(st.integers(0, 3 * 1440), EVENTS), min_size=1, max_size=12),
)
def test_random_event_sequences(
    mode: str, policy: str, start: int, events: list[tuple[int, dict[str, str]]]
) -> None:
    """Any sequence of events: no exception; every state is one of the table's; data loss is
    never negative, never more than the time since the last consistent copy could be, and is
    a number exactly when the outcome is recoverable."""
    design = DESIGNS[mode]
    h, m = divmod(start, 60)
    r = play(
        design,
        f"{h:02d}:{m:02d}",
        *({"at": f"{t}m", **e} for t, e in events),
        policy=policy,
    )
    for row in r.timeline:
        assert row.from_state in LABELS[row.machine]
        assert row.to_state in LABELS[row.machine]
    worst_before = 0.0 if mode == "sync" else (design.worst_rpo_min or 0.0)
    if r.recoverable:
        assert r.data_loss_min is not None
        assert 0 <= r.data_loss_min <= max(t for t, _ in events) + worst_before + 1e-6
    else:
        assert r.data_loss_min is None
    assert 0 <= r.unprotected_min <= r.end_min + 1e-6


def test_monte_carlo_is_reproducible() -> None:
    design = design_of(small("async"))
    a = monte_carlo(design, 5000, seed=7, outages_per_year=50, outage_mean_h=6)
    b = monte_carlo(design, 5000, seed=7, outages_per_year=50, outage_mean_h=6)
    c = monte_carlo(design, 5000, seed=8, outages_per_year=50, outage_mean_h=6)
    assert a.data_loss_min == b.data_loss_min
    assert a.unrecoverable_fraction == b.unrecoverable_fraction
    assert a.data_loss_min != c.data_loss_min


def test_monte_carlo_outages_make_automatic_resync_unrecoverable_sometimes() -> None:
    """With frequent long outages some disasters fall in an automatic resynchronisation
    (unrecoverable); with Manual the clone taken first saves them."""
    design = design_of(small())
    auto = monte_carlo(design, 100_000, 1, 100, 12, recovery_policy="auto")
    manual = monte_carlo(design, 100_000, 1, 100, 12, recovery_policy="manual")
    assert auto.unrecoverable_fraction > 0
    assert manual.unrecoverable_fraction == 0
    assert manual.data_loss_min.max > 0


# --- the command line -------------------------------------------------------------------------


def test_simulate_json_lists_every_builtin_scenario() -> None:
    r = run_cli("simulate", str(EXAMPLE), "--format", "json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    by_name = {s["name"]: s for s in data["scenarios"]}
    assert tuple(by_name) == BUILTIN_SCENARIOS
    assert by_name["site-disaster"]["data_loss_min"] == 0
    assert by_name["link-loss-then-site-loss"]["data_loss_min"] > 0
    design = Design(load_scenario(EXAMPLE))
    assert by_name["site-disaster"]["rto_min"] == design.recovery.rto_min
    for s in data["scenarios"]:
        assert set(s) >= {
            "name",
            "data_loss_min",
            "data_loss_mib",
            "recoverable",
            "rto_min",
            "unprotected_min",
            "warnings",
            "timeline",
        }
        for row in s["timeline"]:
            assert set(row) >= {"t_min", "clock", "object", "from", "to", "cause"}
        assert s["data_loss_unbounded"] is False  # MirrorView/S (Model v3 §8)
    assert by_name["short-link-loss"]["write_stall_s"] == 2.5  # half the 5 s timeout (§4)
    assert by_name["long-link-loss-manual"]["resync_gib"] > 0  # §6
    assert by_name["long-link-loss-manual"]["resyncs"][0]["kind"] == "partial"


def test_simulate_monte_carlo_json() -> None:
    r = run_cli(
        "simulate", str(EXAMPLE), "--monte-carlo", "20000", "--seed", "5",
        "--outages-per-year", "6", "--outage-mean-h", "3", "--format", "json",
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    mc = json.loads(r.stdout)["monte_carlo"]
    assert mc["runs"] == 20_000
    assert mc["seed"] == 5
    assert set(mc["data_loss_min"]) == {"mean", "p50", "p95", "p99", "max"}
    assert mc["rto_min"]["mean"] == 130
    assert 0 <= mc["unrecoverable_fraction"] <= 1


def test_runbook_names_the_design() -> None:
    r = run_cli("runbook", str(EXAMPLE))
    assert r.returncode == 0, r.stderr
    for name in ("Amsterdam", "Utrecht", "AMS-CX4", "UTR-CX4", "CG_EXMBX01_1", "EXMBX01"):
        assert name in r.stdout
    data = json.loads(run_cli("runbook", str(EXAMPLE), "--format", "json").stdout)
    names = [p["name"] for p in data["procedures"]]
    assert names == [
        "Test failover",
        "Failover after a disaster",
        "Planned failover",
        "Failback",
        "Recovery without SRM",
        "Recovery from the protective copy",
        "Link loss (recovery policy Manual)",
        "Storage processor failure",
        "Go-live and initial seeding",
        "Monitoring",
        "Adding a storage group",
    ]
    failover = data["procedures"][1]
    assert failover["total_min"] == 130  # the RTO: 30 min to decide + 100 min of plan
    assert all(
        {"n", "text", "minutes", "actor", "commands", "expected"} <= set(step)
        for step in failover["steps"]
    )


def test_runbook_steps_add_up_to_the_rto_for_every_example() -> None:
    for params in sorted(PARAMS.glob("*.yaml")):
        design = Design(load_scenario(params))
        for p in procedures(design):
            if p.key == "failover":
                site = p.protection_group.removesuffix(" Exchange")
                assert p.total_min == pytest.approx(design.recovery_of(site).rto_min)


# --- scenarios in the file --------------------------------------------------------------------


def _with_scenarios(tmp_path: Path, scenarios: list[dict[str, Any]]) -> Path:
    # In a temporary folder, without EXMBX01's Performance Monitor log: sized by its profile.
    text = profile_only(EXAMPLE.read_text(encoding="utf-8"))
    path = tmp_path / "s.yaml"
    path.write_text(
        text + "\n" + yaml.safe_dump({"scenarios": scenarios}, sort_keys=False), "utf-8"
    )
    return path


def test_a_scenario_of_the_file_is_played(tmp_path: Path) -> None:
    path = _with_scenarios(
        tmp_path,
        [
            {
                "name": "fracture-one-cg",
                "description": "The administrator fractures one CG.",
                "start": "08:00",
                "events": [
                    {"at": "30m", "event": "admin_fracture", "cg": "CG_EXMBX02_1"},
                    {"at": "2h", "event": "admin_sync", "cg": "CG_EXMBX02_1"},
                ],
            }
        ],
    )
    r = run_cli("simulate", str(path), "--scenario", "fracture-one-cg", "--format", "json")
    assert r.returncode == 0, r.stderr
    [s] = json.loads(r.stdout)["scenarios"]
    assert s["builtin"] is False
    assert s["timeline"][0]["object"] == "CG_EXMBX02_1"
    assert s["timeline"][0]["clock"] == "08:30"


@pytest.mark.parametrize(
    ("event", "fragment"),
    [
        ({"at": "1h", "event": "meteor_strike"}, "scenarios[0].events[0].event"),
        ({"at": "1h", "event": "site_failure", "site": "Atlantis"}, "no such site"),
        ({"at": "1h", "event": "site_failure"}, "site_failure needs site"),
        ({"at": "1h", "event": "link_down", "cg": "CG_EXMBX01_1"}, "link_down takes"),
        ({"at": "soon", "event": "link_down"}, "a time after the start such as 90s"),
        ({"at": "31d", "event": "link_down"}, "at most 30 days"),
        ({"at": "1h", "event": "admin_fracture", "cg": "CG_NOPE"}, "no such consistency group"),
        ({"at": "1h", "event": "sp_failure", "array": "AMS-CX4", "sp": "C"}, "sp"),
    ],
)
def test_a_bad_scenario_is_refused_with_its_line(
    tmp_path: Path, event: dict[str, Any], fragment: str
) -> None:
    path = _with_scenarios(tmp_path, [{"name": "bad", "events": [event]}])
    for command in ("check", "simulate"):
        r = run_cli(command, str(path))
        assert r.returncode == 2
        assert f"{path}:" in r.stderr
        assert fragment in r.stderr
        line = int(r.stderr.split(f"{path}:")[1].split(":")[0])
        assert line > 60  # the scenarios are at the end of the file


def test_a_scenario_may_not_take_a_builtin_name(tmp_path: Path) -> None:
    path = _with_scenarios(
        tmp_path, [{"name": "site-disaster", "events": [{"at": "1h", "event": "link_down"}]}]
    )
    with pytest.raises(ScenarioError, match="built-in scenario"):
        load_scenario(path)


def test_every_event_kind_has_one_handler() -> None:
    """Every event a scenario file may name (``SimEvent.event``) has a handler in the dispatch
    table, and the table holds no handler for an event that does not exist; every step a run
    queues for itself has one too."""
    import ast
    import inspect
    from typing import get_args

    from srmkit.schema import EventKind
    from srmkit.simulation import handlers, run

    assert set(handlers.USER_EVENTS) == set(get_args(EventKind))
    assert handlers.HANDLERS.user is handlers.USER_EVENTS
    source = inspect.getsource(handlers) + inspect.getsource(run)
    queued = {
        node.args[1].value
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "push"
        and len(node.args) > 1
        and isinstance(node.args[1], ast.Constant)
    }
    own = {"user", "update_start", "update_end", "rollback_done", "sync_done"}
    assert queued - own == set(handlers.INTERNAL_EVENTS)
