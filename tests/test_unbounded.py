"""MirrorView/A with an unbounded RPO (Model v3 §5, §8): every command answers, and no figure
pretends to be exact.

The customer's design (``tests/data/hamburg-vienna-unbounded.yaml``): MirrorView/A from a
CX4-480 in Hamburg to a CX4-120 in Vienna, 500 km (route factor 1.22), a 34 Mbit/s link of which
replication gets 0.6, updates every 15 min (start type), 8 servers of 1,500 users (4 heavy, 4
very heavy). Its RPO is unbounded: the logs alone are 4 × 1,500 × 24 + 4 × 1,500 × 36 = 360,000
MiB a day (Model v3 §2), while the link carries 34 × 0.85 × 0.6 = 17.34 Mbit/s = 2.067 MiB/s,
178,600 MiB a day (§3): less than half.

Hand-derived floors (§8). The secondary cannot hold data the link has not carried: by a time t
after midnight of the first day in service it holds at most the writes up to the moment p at
which the day's cumulative writes reach ``C × t / 24 h``. Every component of the writes (logs,
database pages, Hub Transport queue) follows the same daily profile, so with C / V < 0.5 (logs
alone) the share of a day's writes carried by 10:00 after one day in service (t = 34 h) is below
0.5 × 34 / 24 = 0.708; the default profile's cumulative share reaches 68 % at 14:00 and 77 % at
15:00, so p is before 14:15 of the first day, and a site lost at 10:00 of the second day loses
more than 34 h − 14.25 h = 19.75 h. At midnight after one day (t = 24 h) the carried share is
below 0.5, reached at 11:46 (42 % by 11:00, 52 % by 12:00): whatever the time of day, at least
24 h − 11.77 h = 12.2 h is lost. The lag grows by 24 h × (1 − C / V) > 12 h a day.
"""

from __future__ import annotations

import json
import re

import pytest
from conftest import ROOT, example_data, run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from srmkit import states
from srmkit.design import Design
from srmkit.params import load_scenario, validate_data
from srmkit.risk import design_risk, monte_carlo
from srmkit.runbook import procedures
from srmkit.schema import BUILTIN_SCENARIOS, SimScenario
from srmkit.simulation import service_lags, simulate, simulate_all

CUSTOMER = ROOT / "tests" / "data" / "hamburg-vienna-unbounded.yaml"
SITE_LOST_AT_10_MIN = 19.75 * 60
"""A site lost at 10:00 after a day in service loses more than this (module docstring). [min]"""
ANY_TIME_MIN = 12.2 * 60
"""A site lost at any time after a day in service loses more than this. [min]"""
ZERO_LOSS = re.compile(r"(?<![\d,.])0(?:\.0)? min")
"""A bare "0 min" or "0.0 min" (not the end of 1,320 min)."""


@pytest.fixture(scope="module")
def design() -> Design:
    return Design(load_scenario(CUSTOMER))


def test_the_customer_is_unbounded(design: Design) -> None:
    """The design's MirrorView/A cycle never catches up and its lag grows more than 12 h a day."""
    assert design.async_cycle.unbounded
    assert design.worst_rpo_min is None
    [lag] = service_lags(design).values()
    assert lag.daily_mib > 2 * lag.carried_mib_per_day  # the logs alone are twice the link
    assert 12 < lag.growth_h_per_day < 24
    assert 19.75 * 60 < float(lag.loss_min(600)) < 48 * 60
    assert float(lag.loss_min(range(0, 1440, 10)).min()) > ANY_TIME_MIN


def test_simulate_says_at_least(design: Design) -> None:
    """``srmkit simulate``: every scenario of the design answers; the losses are lower bounds,
    said as "at least … (unbounded: grows … a day)"; no loss of "0 min". It exits 0, as
    ``simulate`` does for every valid design, fitting or not (``check`` fails it)."""
    assert run_cli("check", str(CUSTOMER)).returncode == 1  # the design does not fit
    r = run_cli("simulate", str(CUSTOMER))
    assert r.returncode == 0, r.stderr
    summaries = [line for line in r.stdout.splitlines() if "RTO" in line and "lost" in line]
    assert len(summaries) == len(BUILTIN_SCENARIOS)
    for line in summaries:
        assert "data lost at least" in line or "no data lost" in line, line
        assert "data lost 0" not in line
        assert "up to 0" not in line
        assert "(unbounded: grows" in line or "MirrorView/A unbounded" in line, line
    disaster = next(line for line in summaries if "at least" in line)
    assert not ZERO_LOSS.search(disaster.split(";")[0])
    assert "never catches up" in r.stdout
    assert "final update cannot complete" in r.stdout


def test_simulate_json_flags_every_scenario(design: Design) -> None:
    """``simulate --format json``: ``data_loss_unbounded`` on every scenario, the site disaster's
    ``data_loss_min`` above the hand-derived floor, the growth above 12 h a day."""
    r = run_cli("simulate", str(CUSTOMER), "--format", "json")
    assert r.returncode == 0, r.stderr
    by_name = {s["name"]: s for s in json.loads(r.stdout)["scenarios"]}
    assert tuple(by_name) == BUILTIN_SCENARIOS
    for s in by_name.values():
        assert s["data_loss_unbounded"] is True
        assert s["lag_growth_h_per_day"] > 12
        assert s["days_in_service"] == 1
    disaster = by_name["site-disaster"]  # Hamburg lost at 10:00
    assert disaster["data_loss_min"] > SITE_LOST_AT_10_MIN
    assert disaster["data_loss_mib"] > 0
    assert by_name["link-loss-then-site-loss"]["data_loss_min"] > SITE_LOST_AT_10_MIN
    planned = by_name["planned-failover"]
    assert planned["data_loss_min"] == 0  # the final update carried everything …
    assert planned["rto_min"] > 24 * 60  # … after days


def test_monte_carlo_completes_with_lower_bounds(design: Design) -> None:
    """``simulate --monte-carlo 200``: completes, flags the distribution as unbounded, and every
    disaster loses more than the any-time floor."""
    r = run_cli("simulate", str(CUSTOMER), "--monte-carlo", "200", "--format", "json")
    assert r.returncode == 0, r.stderr
    mc = json.loads(r.stdout)["monte_carlo"]
    assert mc["runs"] == 200
    assert mc["data_loss_unbounded"] is True
    assert mc["data_loss_min"]["p50"] > ANY_TIME_MIN
    assert mc["data_loss_min"]["mean"] > ANY_TIME_MIN
    text = run_cli("simulate", str(CUSTOMER), "--monte-carlo", "200")
    assert text.returncode == 0, text.stderr
    assert "mean at least" in text.stdout
    assert "(unbounded: grows" in text.stdout
    result = monte_carlo(design, 2000, seed=1)
    assert result.loss_samples_min.min() > ANY_TIME_MIN
    assert result.data_loss_unbounded


def test_the_design_documents_risk_figures_do_not_crash(design: Design) -> None:
    """The Monte Carlo of the design document (``design_risk``) runs on the unbounded design."""
    risk = design_risk(design)
    assert risk.data_loss_unbounded
    assert risk.data_loss_min.mean is not None


def test_runbook_promises_no_bounded_loss(design: Design) -> None:
    """``srmkit runbook``: no "up to 0 min" loss, no final update of "0.0 min"; the final update
    says it cannot complete in any fixed time, with a lower bound; users are told that at least
    the any-time floor of mail is missing."""
    r = run_cli("runbook", str(CUSTOMER))
    assert r.returncode == 0, r.stderr
    text = r.stdout
    assert "up to 0 min" not in text
    assert "takes 0.0 min" not in text
    for line in text.splitlines():
        if "final" in line.lower() or "missing" in line:
            assert not ZERO_LOSS.search(line), line
    assert "cannot complete in any fixed time" in text
    assert "Estimated total: at least" in text
    data = json.loads(run_cli("runbook", str(CUSTOMER), "--format", "json").stdout)
    planned = next(p for p in data["procedures"] if p["key"] == "planned_failover")
    [final] = [s for s in planned["steps"] if "final MirrorView/A update" in s["text"]]
    assert final["at_least"] is True
    assert final["minutes"] > 24 * 60
    failover = next(p for p in procedures(design) if p.key == "failover")
    told = next(s.text for s in failover.steps if s.text.startswith("Tell users"))
    hours = float(re.search(r"at least the last ([\d.,]+) h", told).group(1))  # type: ignore[union-attr]
    assert hours * 60 > ANY_TIME_MIN


# --- random events on a small unbounded design ---------------------------------------------


def _small_unbounded() -> Design:
    """Two mailbox VMs of the example over a 2 Mbit/s link: MirrorView/A never catches up."""
    data = example_data()  # EXMBX01 sized from its profile: validated without its folder
    data["servers"] = data["servers"][:2]
    data["sites"][0]["hub_transport_protected"] = False
    data["replication"] = {
        "mode": "async",
        "recovery_policy": "manual",
        "update_type": "start",
        "update_interval_min": 30,
    }
    data["link"] = {"bandwidth_mbps": 2, "distance_km": 500, "route_factor": 1.2}
    data["targets"]["rpo_min"] = 120
    return Design(validate_data(data, "small-unbounded.yaml"))


SMALL = _small_unbounded()
EVENTS = st.sampled_from(
    [
        {"event": "link_down"},
        {"event": "link_up"},
        {"event": "site_failure", "site": "Amsterdam"},
        {"event": "site_restore", "site": "Amsterdam"},
        {"event": "admin_fracture"},
        {"event": "admin_sync"},
        {"event": "clone_secondaries"},
        {"event": "srm_test_start"},
        {"event": "srm_test_continue"},
        {"event": "run_recovery_plan"},
        {"event": "reverse_mirrors"},
        {"event": "run_failback_plan"},
    ]
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    start=st.integers(0, 1439),
    events=st.lists(st.tuples(st.integers(0, 2 * 1440), EVENTS), min_size=1, max_size=8),
)
def test_random_events_on_an_unbounded_design(
    start: int, events: list[tuple[int, dict[str, str]]]
) -> None:
    """Any sequence of events on an unbounded design: no exception, states from the table, the
    result flagged unbounded, and a loss that is a number exactly when recoverable."""
    assert SMALL.async_cycle.unbounded
    h, m = divmod(start, 60)
    sim = SimScenario.model_validate(
        {
            "name": "t",
            "start": f"{h:02d}:{m:02d}",
            "events": [{"at": f"{t}m", **e} for t, e in events],
        }
    )
    r = simulate(SMALL, sim)
    assert r.data_loss_unbounded
    for row in r.timeline:
        assert row.to_state in {
            states.state_label(row.machine, s) for s in states.states(row.machine)
        }
    if r.recoverable:
        assert r.data_loss_min is not None
        assert r.data_loss_min >= 0
    else:
        assert r.data_loss_min is None


def test_every_builtin_scenario_on_the_small_unbounded_design() -> None:
    """The built-in scenarios play on a second unbounded design, each flagged unbounded."""
    results = simulate_all(SMALL)
    assert all(r.data_loss_unbounded for r in results)
    disaster = next(r for r in results if r.name == "site-disaster")
    assert disaster.data_loss_min is not None
    assert disaster.data_loss_min > 60


def test_a_bounded_design_is_not_flagged() -> None:
    """A MirrorView/A design whose link keeps up carries ``data_loss_unbounded: false``."""
    r = run_cli("simulate", str(ROOT / "params" / "async-long-distance.yaml"), "--format", "json")
    assert r.returncode == 0, r.stderr
    assert all(s["data_loss_unbounded"] is False for s in json.loads(r.stdout)["scenarios"])
