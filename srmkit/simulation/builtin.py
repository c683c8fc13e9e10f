"""The scenarios srmkit plays on every design, timed from the design."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from srmkit.design import Design
from srmkit.schema import BUILTIN_SCENARIOS, MAX_SCENARIO_MIN, SimEvent, SimScenario
from srmkit.simulation.model import _Model, _model
from srmkit.simulation.results import ScenarioResult
from srmkit.units import (
    MIN_PER_DAY,
    clock_text_to_min,
    h_to_min,
)

# --- built-in scenarios -----------------------------------------------------------------------

TITLES = {
    "test-failover": "Test failover",
    "planned-failover": "Planned failover",
    "site-disaster": "Site disaster",
    "short-link-loss": "Short link loss",
    "long-link-loss-manual": "Long link loss, Manual recovery policy",
    "long-link-loss-auto": "Long link loss, Automatic recovery policy",
    "link-loss-then-site-loss": "Link loss, then site loss",
    "resync-then-site-loss": "Site loss during an automatic resynchronisation",
    "resync-then-site-loss-cloned": "Site loss during a resynchronisation, clones taken first",
    "sp-failure": "Storage processor failure",
    "sp-path-loss": "One storage processor's mirror path lost",
    "recovery-site-loss": "Recovery site lost",
    "reserved-pool-full": "Reserved LUN pool full during a test",
    "failback": "Disaster and failback",
}


def title(result: ScenarioResult) -> str:
    """A scenario's title for readers: the built-in ones in words, the file's own by name."""
    return TITLES.get(result.name, result.name) if result.builtin else result.name


LONG_OUTAGE_START_MIN = 10 * 60
"""The built-in long link loss starts at 10:00 (the scenarios start at 09:00). [min]"""
LONG_OUTAGE_H = 4.0
"""It lasts four hours; the runbook's link-loss procedure quotes its resynchronisation. [h]"""
PLANNED_START = "22:00"
"""The maintenance window of the built-in planned failover, and of the runbook's (one number)."""


UNMOUNT_AFTER_MIN = 5.0
"""The operators unmount the protected datastores this long after shutting the VMs down. [min]"""
CHECK_MIN = 1.0
"""And check the mirrors for this long before each next step. [min]"""


@dataclass(frozen=True)
class PlannedTimes:
    """The operators' steps of a planned failover under SRM 1.0/4.x (Method §8), in minutes after
    they shut the VMs down: unmount the datastores; MirrorView/A: run a final update and wait for
    it; then run the recovery plan."""

    unmount_min: float
    final_min: float | None
    """When the final MirrorView/A update is asked for; None for MirrorView/S."""
    final_duration_min: float
    """From asking for it to its end (after the update in flight, if any). [min]"""
    plan_min: float


def planned_times(m: _Model, site: str, start_clock_min: float) -> PlannedTimes:
    """When each step of a planned failover from ``start_clock_min`` (minutes after midnight)
    happens: the quiesce threshold (MirrorView/S) or the final update the simulator will play
    (MirrorView/A: the update in flight at the shutdown ends, then one more carries every change
    up to the unmount), and a minute's check before each next step."""
    unmount = UNMOUNT_AFTER_MIN
    if m.mode == "sync":
        return PlannedTimes(unmount, None, 0.0, unmount + m.quiesce_min + CHECK_MIN)
    final_at = unmount + CHECK_MIN
    last, flying, _next = m.cycle_at(site, start_clock_min)
    begin, since = final_at, last
    if flying is not None:
        begin, since = max(final_at, flying[1] - start_clock_min), flying[0]
    volume = m.directions[site].volume.between(since, start_clock_min + unmount)
    end = begin + volume * m.min_per_mib_update() + m.overhead_min
    plan = min(end + CHECK_MIN, MAX_SCENARIO_MIN - CHECK_MIN)
    return PlannedTimes(unmount, final_at, end - final_at, plan)


def planned_events(m: _Model, site: str, start_clock_min: float) -> list[SimEvent]:
    """The operators' steps and the plan of a planned failover (SRM 1.0/4.x, Method §8)."""
    times = planned_times(m, site, start_clock_min)
    events = [
        _event(0, "shutdown_vms", site=site),
        _event(times.unmount_min, "unmount_datastores", site=site),
    ]
    if times.final_min is not None:
        events.append(_event(times.final_min, "final_update", site=site))
    return [*events, _event(times.plan_min, "run_recovery_plan", site=site)]


def planned_failover(design: Design, site: str) -> SimScenario:
    """The planned failover of ``site``'s VMs in the maintenance window (the built-in scenario
    of a design's first site; the runbook times each site's procedure with it)."""
    m = _model(design)
    start = clock_text_to_min(PLANNED_START) or 0.0
    return SimScenario(
        name="planned-failover", start=PLANNED_START, events=planned_events(m, site, start)
    )


def _event(at_min: float, event: str, **fields: Any) -> SimEvent:
    """An event at ``at_min`` after the start, its time written to the tenth of a second.

    >>> _event(2.5 / 60, "link_up").at, _event(90, "link_down").at
    ('2.5s', '1h30m')
    """
    tenths = round(at_min * 600)
    d, rest = divmod(tenths, 864_000)
    h, rest = divmod(rest, 36_000)
    m, rest = divmod(rest, 600)
    s = f"{rest / 10:g}" if rest else ""
    parts = ((d, "d"), (h, "h"), (m, "m"))
    text = "".join(f"{v}{u}" for v, u in parts if v) + (f"{s}s" if s else "") or "0s"
    return SimEvent(at=text, event=event, **fields)  # type: ignore[arg-type]  # literal checked


_Row = tuple[str, str, str, str | None, list[SimEvent]]
"""A built-in scenario: name, description, start, recovery policy (None: the design's), events."""


@dataclass(frozen=True)
class _Times:
    """What the built-in scenarios are timed from."""

    m: _Model
    site: str
    """The protected site the scenarios fail."""
    other: str
    array: str
    """The first array at ``site`` (its SP fails)."""
    declare: float
    """Minutes from the disaster to the decision to fail over. [min]"""
    outage_start: float
    """When the four-hour link outages begin, after the scenario's 09:00 start. [min]"""
    link_back: float
    """When the link returns. [min]"""
    resync_min: float
    """How long the resynchronisation after that outage takes. [min]"""
    failback_min: float
    """How long the full synchronisation back to the rebuilt site takes. [min]"""
    target_array: str
    """The first recovery array of ``site``'s VMs (its reserved LUN pool fills)."""
    busiest_hour: int
    """The busiest hour of the day of ``site``'s direction. [h]"""


def _times(design: Design, m: _Model) -> _Times:
    """The sites, the array and the timings the built-in scenarios use."""
    site = next(iter(m.directions))
    other = m.directions[site].to_site
    sources = [a for a in design.scenario.arrays if a.site == site]
    array = sources[0].name
    declare = m.declare_min
    rate = m.min_per_gib()
    # The resynchronisation after a 4-hour outage from 10:00 (the busiest part of the day).
    outage_start, outage_h = LONG_OUTAGE_START_MIN - 9 * 60, LONG_OUTAGE_H
    start_min = LONG_OUTAGE_START_MIN
    resync_gib = sum(design.resync_gib(d, start_min, h_to_min(outage_h)) for d in design.directions)
    resync_min = max(resync_gib * rate, 1.0)
    # Whole-extent resyncs of a very large design can outlast a scenario: the site is then lost
    # within the scenario's span, still during the resynchronisation.
    resync_min = min(resync_min, 2 * (MAX_SCENARIO_MIN - 60 - h_to_min(LONG_OUTAGE_H) - declare))
    # After the rebuild every mirror touching the site needs a full synchronisation towards it.
    failback_min = sum(c.capacity_gib for c in m.cgs if site in (c.from_site, c.to_site)) * rate
    # A scenario spans at most 30 days: a longer synchronisation is cut short there, and the
    # failback plan, run at the end, is refused (the mirrors are not synchronised yet).
    failback_min = min(failback_min, MAX_SCENARIO_MIN - 3 * MIN_PER_DAY - 240)
    link_back = outage_start + h_to_min(outage_h)
    target = next(m.cgs[i].target_array for i in m.directions[site].cgs)
    direction = next(d for d in design.directions if d.from_site == site)
    busiest = int(direction.hourly_mib.argmax())
    return _Times(
        m,
        site,
        other,
        array,
        declare,
        outage_start,
        link_back,
        resync_min,
        failback_min,
        target,
        busiest,
    )


def _routine_rows(t: _Times) -> list[_Row]:
    """Tests, a planned failover, a disaster and a short link loss."""
    m = t.m
    site = t.site
    other = t.other
    declare = t.declare
    return [
        (
            "test-failover",
            "An SRM test of the recovery plan in the evening, cleaned up with "
            "Continue after the test window.",
            "20:00",
            None,
            [
                _event(0, "srm_test_start", site=site),
                _event(m.test_duration_min, "srm_test_continue", site=site),
            ],
        ),
        (
            "planned-failover",
            f"Planned failover to {other} in a maintenance window: shut down, unmount"
            + ("" if m.mode == "sync" else ", final MirrorView/A update")
            + ", then the recovery plan promotes normally.",
            PLANNED_START,
            None,
            planned_events(m, site, clock_text_to_min(PLANNED_START) or 0.0),
        ),
        (
            "site-disaster",
            f"{site} is lost at the busiest hour; the recovery plan runs after the "
            "declaration time.",
            "10:00",
            None,
            [_event(0, "site_failure", site=site), _event(declare, "run_recovery_plan", site=site)],
        ),
        (
            "short-link-loss",
            f"The link is lost for half the fracture timeout ({m.fracture_timeout_s / 2:g} s): "
            "nothing fractures; "
            + (
                "MirrorView/S holds Exchange's writes until the link returns."
                if m.mode == "sync"
                else "MirrorView/A carries on."
            ),
            "10:00",
            None,
            [_event(0, "link_down"), _event(m.fracture_timeout_min / 2, "link_up")],
        ),
    ]


def _outage_rows(t: _Times) -> list[_Row]:
    """Four-hour link outages, alone and followed by the loss of the site."""
    site = t.site
    declare = t.declare
    outage_start = t.outage_start
    link_back = t.link_back
    resync_min = t.resync_min
    # MirrorView/S: the protective copy is taken as soon as the mirrors fracture (Method §6);
    # MirrorView/A keeps its gold copy and has no such step.
    protect = (
        [_event(outage_start + 1, "clone_secondaries")]
        if t.m.mode == "sync" and t.m.protective_copy != "none"
        else []
    )
    return [
        (
            "long-link-loss-manual",
            "The link is lost for four hours with the recovery policy Manual: the protective "
            "copy of the secondaries is taken (MirrorView/S), then the administrator "
            "synchronises when the link is back.",
            "09:00",
            "manual",
            [
                _event(outage_start, "link_down"),
                *protect,
                _event(link_back, "link_up"),
                _event(link_back + 10, "admin_sync"),
            ],
        ),
        (
            "long-link-loss-auto",
            "The link is lost for four hours with the recovery policy "
            "Automatic: the resynchronisation starts as soon as the link is back.",
            "09:00",
            "auto",
            [_event(outage_start, "link_down"), _event(link_back, "link_up")],
        ),
        (
            "link-loss-then-site-loss",
            f"The link is lost, and two hours later {site} is lost "
            "too; the recovery plan runs after the declaration time.",
            "09:00",
            None,
            [
                _event(outage_start, "link_down"),
                _event(outage_start + 120, "site_failure", site=site),
                _event(outage_start + 120 + declare, "run_recovery_plan", site=site),
            ],
        ),
        (
            "resync-then-site-loss",
            f"After a four-hour link loss the automatic "
            f"resynchronisation runs; {site} is lost halfway through it.",
            "09:00",
            "auto",
            [
                _event(outage_start, "link_down"),
                _event(link_back, "link_up"),
                _event(link_back + resync_min / 2, "site_failure", site=site),
                _event(link_back + resync_min / 2 + declare, "run_recovery_plan", site=site),
            ],
        ),
        (
            "resync-then-site-loss-cloned",
            "As resync-then-site-loss, but the protective copy of the secondaries was taken when "
            "the mirrors fractured (MirrorView/S; MirrorView/A keeps its gold copy).",
            "09:00",
            "auto",
            [
                _event(outage_start, "link_down"),
                *protect,
                _event(link_back, "link_up"),
                _event(link_back + resync_min / 2, "site_failure", site=site),
                _event(link_back + resync_min / 2 + declare, "run_recovery_plan", site=site),
            ],
        ),
    ]


def _hardware_rows(t: _Times) -> list[_Row]:
    """A storage processor failure, and a disaster followed by the failback."""
    site = t.site
    other = t.other
    array = t.array
    declare = t.declare
    failback_min = t.failback_min
    return [
        (
            "sp-failure",
            f"Storage processor A of {array} fails and is replaced four hours later.",
            "10:00",
            None,
            [
                _event(0, "sp_failure", array=array, sp="A"),
                _event(240, "sp_restore", array=array, sp="A"),
            ],
        ),
        (
            "sp-path-loss",
            f"The MirrorView path of SP A of {array} fails and is repaired four hours later: the "
            "groups SP A owns fracture, the others keep mirroring.",
            "10:00",
            None,
            [
                _event(0, "sp_path_failure", array=array, sp="A"),
                _event(240, "sp_path_restore", array=array, sp="A"),
            ],
        ),
        (
            "recovery-site-loss",
            f"{other} is lost and rebuilt three days later: {site} runs on without a remote copy "
            "until the mirrors are re-created and fully synchronised.",
            "10:00",
            None,
            [
                _event(0, "site_failure", site=other),
                _event(3 * MIN_PER_DAY, "rebuild_site", site=other),
            ],
        ),
        (
            "reserved-pool-full",
            f"The reserved LUN pool of {t.target_array} fills an hour into an SRM test at the "
            "busiest hour"
            + (
                ": the test fails and the MirrorView/A mirrors fracture until it is enlarged."
                if t.m.mode == "async"
                else ": the test fails; the MirrorView/S mirrors carry on."
            ),
            f"{t.busiest_hour:02d}:00",
            None,
            [
                _event(0, "srm_test_start", site=site),
                _event(60, "rlp_full", array=t.target_array),
                *([_event(120, "admin_sync")] if t.m.mode == "async" else []),
            ],
        ),
        (
            "failback",
            f"After {site} is lost and recovered at {other}, {site} is rebuilt in "
            "three days, the mirrors are reversed and fully synchronised, the VMs fail back and "
            "protection is re-created.",
            "10:00",
            None,
            [
                _event(0, "site_failure", site=site),
                _event(declare, "run_recovery_plan", site=site),
                _event(3 * MIN_PER_DAY, "rebuild_site", site=site),
                _event(3 * MIN_PER_DAY + 60, "reverse_mirrors", site=site),
                _event(3 * MIN_PER_DAY + 120 + failback_min, "run_failback_plan", site=site),
                _event(3 * MIN_PER_DAY + 180 + failback_min + 60, "reprotect", site=site),
            ],
        ),
    ]


def builtin_scenarios(design: Design) -> list[SimScenario]:
    """The scenarios srmkit plays on every design, timed from the design where it matters."""
    m = _model(design)
    if not m.directions:
        return []
    t = _times(design, m)
    defs = [*_routine_rows(t), *_outage_rows(t), *_hardware_rows(t)]
    out = [
        SimScenario(
            name=n,
            description=desc,
            start=start,
            recovery_policy=policy,  # type: ignore[arg-type]
            events=events,
        )
        for n, desc, start, policy, events in defs
    ]
    assert tuple(s.name for s in out) == BUILTIN_SCENARIOS
    return out
