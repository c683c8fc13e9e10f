"""Runbooks: the procedures an operations team follows, written with the design's own names.

Six procedures for each protection group (the VMs of one production site): test failover,
failover after a disaster, planned failover, failback, link loss and storage-processor failure.
Each has its preconditions and numbered steps with their estimated minutes from the design's
numbers (the recovery plan's steps of Method §8, synchronisation times of Method §6, the MV/A
cycle of Method §5) and the checks the white paper asks for [S0]. A step whose duration the model
does not estimate (a decision, a validation by people) has no minutes and says so.

When a day's writes exceed what the link carries in a day (MirrorView/A with an unbounded RPO,
Method §8) no step promises a bounded loss or a timed final update: the secondary is at least some
hours behind after ``days_in_service`` days and falls further behind every day, so the data lost
is said as a lower bound and a final update's duration as "at least" (:attr:`Step.at_least`).

SRM object names are srmkit's: protection group ``<site> Exchange`` and recovery plan
``Recover <site> Exchange at <other site>``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from srmkit.design import Design
from srmkit.glossary import MODE_NAME
from srmkit.glossary import days as glossary_days
from srmkit.mva import CLOCK_TIMES_MIN
from srmkit.simulation import (
    LONG_OUTAGE_H,
    LONG_OUTAGE_START_MIN,
    PLANNED_START,
    planned_failover,
    service_lags,
    simulate,
)
from srmkit.units import MIN_PER_H, clock_text, h_to_min, s_to_min

if TYPE_CHECKING:
    from srmkit.assumptions import Assumptions
    from srmkit.planner import ConsistencyGroup
    from srmkit.schema import Replication
    from srmkit.study_results import RecoveryStep


@dataclass(frozen=True)
class Step:
    """One numbered step: what to do and, where the model estimates it, how long it takes."""

    n: int
    text: str
    minutes: float | None
    at_least: bool = False
    """The minutes are a lower bound (a final update of an unbounded MirrorView/A design)."""


@dataclass(frozen=True)
class Procedure:
    """A procedure for one protection group."""

    key: str
    name: str
    protection_group: str
    preconditions: tuple[str, ...]
    steps: tuple[Step, ...]

    @property
    def total_min(self) -> float:
        """The sum of the estimated steps. [min]"""
        return sum(s.minutes for s in self.steps if s.minutes is not None)

    @property
    def total_at_least(self) -> bool:
        """The total is a lower bound: some step's minutes are."""
        return any(s.at_least for s in self.steps)


def protection_group(site: str) -> str:
    """The SRM protection group of a site's protected VMs."""
    return f"{site} Exchange"


def recovery_plan(site: str, to_site: str) -> str:
    """The SRM recovery plan that recovers a site's VMs at the other site."""
    return f"Recover {site} Exchange at {to_site}"


def failback_plan(site: str, to_site: str) -> str:
    """The SRM plan that brings a site's VMs back from the recovery site."""
    return f"Fail back {site} Exchange from {to_site}"


def _names(items: list[str], limit: int = 6) -> str:
    """``a, b and c``; long lists end with ``and N more``."""
    if not items:
        return "none"
    if len(items) > limit:
        return f"{', '.join(items[:limit])} and {len(items) - limit:,} more"
    if len(items) == 1:
        return items[0]
    return f"{', '.join(items[:-1])} and {items[-1]}"


class _Writer:
    """Builds numbered steps."""

    def __init__(self) -> None:
        self.steps: list[Step] = []

    def add(self, text: str, minutes: float | None = None, at_least: bool = False) -> None:
        self.steps.append(Step(len(self.steps) + 1, text, minutes, at_least))


def procedures(design: Design) -> list[Procedure]:
    """Every procedure for every protection group of the design."""
    out: list[Procedure] = []
    for d in design.directions:
        out += _for_site(design, d.from_site)
    return out


@dataclass(frozen=True)
class Backlog:
    """How far an unbounded MirrorView/A secondary is behind, at least, whatever the time of day
    (Method §8): the least over the day after ``days_in_service`` days of operation."""

    days_in_service: float
    """Days of operation the figures assume. [day]"""
    behind_min: float
    """The secondary's lag, at least. [min]"""
    growth_h_per_day: float
    """How much further behind it falls every day. [h/day]"""
    final_update_min: float
    """How long a final update after a shutdown takes, at least. [min]"""
    final_growth_h_per_day: float
    """How much longer that takes every day. [h/day]"""

    @property
    def days(self) -> str:
        """``1 day``, ``2.5 days``."""
        return glossary_days(self.days_in_service)

    @property
    def behind(self) -> str:
        """``at least 15.9 h behind after 1 day in service and 20.1 h further behind every
        day``."""
        return self.behind_text("in service")

    def behind_text(self, service: str) -> str:
        """:attr:`behind`, with what the days count (``in service``, ``of mirroring back``)."""
        return (
            f"at least {self.behind_min / MIN_PER_H:,.1f} h behind after {self.days} {service} "
            f"and {self.growth_h_per_day:,.1f} h further behind every day"
        )


def backlog(design: Design, site: str) -> Backlog | None:
    """The least lag of the day of a site's unbounded MirrorView/A secondary and the least final
    update (Method §8); None when its direction keeps up or the design is MirrorView/S."""
    lag = service_lags(design).get(site)
    if lag is None:
        return None
    return Backlog(
        days_in_service=lag.days_in_service,
        behind_min=float(lag.day_losses_min().min()),
        growth_h_per_day=lag.growth_h_per_day,
        final_update_min=min(lag.final_update_min(float(t)) for t in CLOCK_TIMES_MIN),
        final_growth_h_per_day=lag.drain_growth_h_per_day,
    )


def planned_final_update_min(design: Design, site: str) -> float:
    """The final MirrorView/A update of ``site``'s planned failover in the maintenance window,
    as the simulator plays it: its recovery time less the recovery plan's steps (one number in
    ``simulate``, the runbook and the documents). [min]"""
    result = simulate(design, planned_failover(site))
    plan = design.recovery_of(site).plan_duration_min
    return max(0.0, (result.rto_min or 0.0) - plan)


def _final_update(c: _Site, w: _Writer, service: str = "in service") -> None:
    """The final MirrorView/A update of a planned failover or failback: timed by the longest
    update of the day, or, when the secondary never catches up, a lower bound that says why no
    fixed time holds it (Method §8). ``service``: what the days count (``in service``, or
    ``of mirroring back`` for the failback)."""
    u = c.backlog
    if u is None:
        longest = max(
            (u.duration_min for cy in c.design.cycles.values() for u in cy.updates), default=0.0
        )
        if service != "in service":  # the failback's: no window is simulated for it
            w.add(
                "Run a final MirrorView/A update of every consistency group and wait until it "
                f"completes (the longest update of the day takes {longest:,.1f} min).",
                longest,
            )
            return
        planned = planned_final_update_min(c.design, c.site)
        w.add(
            "Run a final MirrorView/A update of every consistency group and wait until it "
            f"completes: {planned:,.1f} min when the VMs shut down at {PLANNED_START}, as in the "
            f"simulated planned failover (up to {longest:,.1f} min at the busiest time of day).",
            planned,
        )
        return
    final_min = u.final_update_min
    when = ""
    if service == "in service":  # the planned failover: the simulated maintenance window
        final_min = planned_final_update_min(c.design, c.site)
        when = f" when the VMs shut down at {PLANNED_START}"
    w.add(
        "Run a final MirrorView/A update of every consistency group and wait until it completes. "
        "It cannot complete in any fixed time: a day's writes exceed what the link carries in a "
        f"day, so the secondaries are {u.behind_text(service)}. The final update must send every "
        f"change since their last completed update: at least "
        f"{final_min / MIN_PER_H:,.1f} h at the link's rate{when} after {u.days} {service}, "
        f"about {u.final_growth_h_per_day:,.1f} h "
        "more for every further day, and the VMs stay down until it ends. No maintenance window "
        "holds it: raise the link's rate before relying on a planned move (Method §8).",
        final_min,
        at_least=True,
    )


@dataclass(frozen=True)
class _Site:
    """What every procedure of one protection group needs: the design, the two sites, the VMs,
    their consistency groups and arrays, the recovery plan's steps and the shared sentences."""

    design: Design
    site: str
    to_site: str
    pg: str
    plan: str
    vms: list[str]
    cgs: list[ConsistencyGroup]
    cg_names: list[str]
    sources: list[str]
    targets: list[str]
    steps: dict[str, RecoveryStep]
    quiet: str
    policy_check: str
    subnet: str
    services: str
    backlog: Backlog | None = None
    """The unbounded MirrorView/A secondary's lag (Method §8); None when it keeps up."""

    @property
    def a(self) -> Assumptions:
        return self.design.a

    @property
    def r(self) -> Replication:
        return self.design.scenario.replication

    @property
    def sync(self) -> bool:
        return self.design.is_sync

    @property
    def mode(self) -> str:
        return MODE_NAME["sync" if self.sync else "async"]

    @property
    def capacity(self) -> float:
        """The mirrored capacity of the group's consistency groups. [GiB]"""
        return sum(cg.capacity_gib for cg in self.cgs)

    @property
    def promote_min(self) -> float:
        return self.steps["promote"].minutes

    @property
    def power_min(self) -> float:
        return self.steps["power on"].minutes


def _site(design: Design, site: str) -> _Site:
    """The context of the procedures of one site's protection group."""
    scenario = design.scenario
    r = scenario.replication
    rec = design.recovery_of(site)
    to_site = rec.to_site
    pg, plan = protection_group(site), recovery_plan(site, to_site)
    target = next(s for s in scenario.sites if s.name == to_site)
    vms = list(rec.vms)
    cgs = [cg for cg in design.plan.cgs if cg.servers and cg.servers[0] in set(vms)]
    cg_names = [cg.name for cg in cgs]
    sources = sorted({cg.source_array for cg in cgs})
    targets = sorted({cg.target_array for cg in cgs})
    steps = {s.step: s for s in rec.steps}
    busy = design.busiest_direction.hourly_mib
    busy_hours = [h for h, v in enumerate(busy) if v > float(busy.mean())]
    quiet = (
        f"outside {busy_hours[0]:02d}:00–{(busy_hours[-1] + 1) % 24:02d}:00, the busy hours"
        if busy_hours
        else "off-hours"
    )
    policy_check = (
        "The recovery policy of every consistency group is Manual (it is Automatic in this "
        "design: change it first), so that no resynchronisation overwrites the secondaries "
        "before they are cloned [S0]."
        if r.recovery_policy == "auto"
        else "The recovery policy of every consistency group is Manual, as designed [S0]."
    )
    subnet = (
        f"An SRM IP customisation specification exists for the {len(vms):,} VMs recovered at "
        f"{to_site} (its subnet differs) [S0]."
        if target.recovery_subnet_differs
        else f"The VMs keep their IP addresses at {to_site} (same subnet)."
    )
    present = [
        f"{target.ad_gc_servers:,} Active Directory global catalog server"
        f"{'s' if target.ad_gc_servers != 1 else ''}"
    ] * (target.ad_gc_servers > 0)
    present += ["a Client Access server"] * target.cas_present
    present += ["a Hub Transport server"] * (target.hub_transport_present or bool(design.hubs))
    missing = [
        x
        for x, ok in (
            ("an Active Directory global catalog server", target.ad_gc_servers > 0),
            ("a Client Access server", target.cas_present),
            ("a Hub Transport server", target.hub_transport_present or bool(design.hubs)),
        )
        if not ok
    ]
    services = (
        f"{_names(present).capitalize()} run at {to_site} [S0]."
        if not missing
        else f"Bring up {_names(missing)} at {to_site} first: the design has none there [S0]."
    )

    return _Site(
        design,
        site,
        to_site,
        pg,
        plan,
        vms,
        cgs,
        cg_names,
        sources,
        targets,
        steps,
        quiet,
        policy_check,
        subnet,
        services,
        backlog(design, site),
    )


def _plan_steps(c: _Site, w: _Writer, where: str, arrays: list[str], promote_kind: str) -> None:
    """The recovery plan's own steps: promote, present and mount, power on, services, IP."""
    a = c.a
    vms = c.vms
    cgs = c.cgs
    cg_names = c.cg_names
    steps = c.steps
    promote_min = c.promote_min
    power_min = c.power_min
    w.add(
        f"SRM promotes the {len(cgs):,} consistency groups ({_names(cg_names)}) on "
        f"{_names(arrays)}: {promote_kind}.",
        promote_min,
    )
    w.add(
        "SRM presents the LUNs to the ESX hosts at " + where + ", rescans and mounts the "
        "VMFS datastores.",
        steps["rescan and mount"].minutes,
    )
    w.add(
        f"SRM powers on {_names(vms)} in {a.priority_groups_count:,} priority group"
        f"{'s' if a.priority_groups_count != 1 else ''}.",
        power_min,
    )
    w.add("The Exchange services start on each VM.", steps["Exchange services"].minutes)
    if steps["IP customisation"].count:
        w.add(
            f"SRM applies the IP customisation to {steps['IP customisation'].count:,} VMs.",
            steps["IP customisation"].minutes,
        )


def _test_failover(c: _Site) -> Procedure:
    """Test failover: SRM snaps the secondaries and starts the VMs on an isolated network."""
    design = c.design
    a = c.a
    site = c.site
    to_site = c.to_site
    pg = c.pg
    plan = c.plan
    vms = c.vms
    cg_names = c.cg_names
    targets = c.targets
    steps = c.steps
    quiet = c.quiet
    power_min = c.power_min
    w = _Writer()
    rlp_targets = [design.rlp[t] for t in targets if t in design.rlp]
    w.add(f"In SRM at {to_site}, select the recovery plan “{plan}” and click Test.", None)
    w.add(
        f"SRM snaps each secondary LUN of {_names(cg_names)} on {_names(targets)} (SnapView), "
        "presents the snapshots to the ESX hosts, rescans and mounts them; mirroring continues "
        "[S0].",
        steps["rescan and mount"].minutes,
    )
    w.add(f"SRM powers on {_names(vms)} on the isolated test network.", power_min)
    w.add("The Exchange services start on each VM.", steps["Exchange services"].minutes)
    w.add(
        "Validate: log on to each VM's console, check that every storage group's database is "
        "mounted; optionally run eseutil on a snapshot during low activity [S0].",
        float(h_to_min(a.test_duration_h)),
    )
    w.add(
        "Click Continue: SRM powers the test VMs off and removes the snapshots and sessions [S0].",
        None,
    )
    return Procedure(
        "test_failover",
        "Test failover",
        pg,
        (
            f"Run the test {quiet}: the snapshots add copy-on-first-write load to mirroring [S0].",
            "The reserved LUN pool holds the snapshots: "
            + "; ".join(
                f"{n.array}: {n.rlp_gib:,.0f} GiB in at least {n.reserved_luns:,} reserved LUNs"
                for n in rlp_targets
            )
            + " [S10].",
            f"A test network (bubble) exists at {to_site}, so the test VMs keep their "
            "addresses without touching production [S28].",
            f"The test window is {a.test_duration_h:g} h; production at {site} is not affected.",
            *(
                [
                    "MirrorView/A never catches up on this design: the secondaries are "
                    f"{c.backlog.behind}. The test VMs show mail that old, and SRM first waits "
                    "for the update in progress to complete, which can take hours or days "
                    "(Method §8)."
                ]
                if c.backlog
                else []
            ),
        ),
        tuple(w.steps),
    )


def _failover(c: _Site) -> Procedure:
    """Failover after a disaster: the protected site is lost."""
    design = c.design
    a = c.a
    site = c.site
    to_site = c.to_site
    pg = c.pg
    plan = c.plan
    sources = c.sources
    targets = c.targets
    sync = c.sync
    policy_check = c.policy_check
    subnet = c.subnet
    services = c.services
    w = _Writer()
    w.add(
        f"Declare the disaster: decide that {site} is lost and that {to_site} takes over "
        f"(the design allows {a.declare_min:g} min for this decision).",
        a.declare_min,
    )
    w.add(f"In SRM at {to_site}, run the recovery plan “{plan}” (recovery, not test).", None)
    _plan_steps(
        c,
        w,
        to_site,
        targets,
        f"{_names(sources)} cannot be reached, so each is promoted locally (force / local "
        "only); a consistency group whose secondary is Synchronizing or Out-of-Sync cannot be "
        "promoted: present its clone instead [S0]",
    )
    if c.backlog is not None:
        told = (
            f"mail written in at least the last {c.backlog.behind_min / MIN_PER_H:,.1f} h is "
            "missing, more the longer the design has run: MirrorView/A never caught up (the "
            f"secondaries were {c.backlog.behind}; Method §8)."
        )
    elif sync:
        told = "mail written after the last consistent point may be missing."
    else:
        told = (
            f"mail written after the last completed update (up to "
            f"{design.worst_rpo_min or 0:,.0f} min) is missing."
        )
    w.add(f"Check mail flow and client access at {to_site}; tell users that {told}", None)
    return Procedure(
        "failover",
        "Failover after a disaster",
        pg,
        (
            policy_check,
            subnet,
            services,
            "If the mirrors were fractured before the disaster and a resynchronisation was "
            "running, recover from the clones taken before it [S0].",
        ),
        tuple(w.steps),
    )


def _planned_failover(c: _Site) -> Procedure:
    """Planned failover: both sites are up; the mirrors reverse with no resynchronisation."""
    a = c.a
    site = c.site
    to_site = c.to_site
    pg = c.pg
    plan = c.plan
    vms = c.vms
    targets = c.targets
    sync = c.sync
    subnet = c.subnet
    services = c.services
    w = _Writer()
    w.add(f"In SRM at {to_site}, run the recovery plan “{plan}” in the maintenance window.", None)
    w.add(f"SRM shuts down {_names(vms)} at {site}.", None)
    if sync:
        w.add(
            f"Wait until the secondaries are Synchronized: no writes for the quiesce threshold "
            f"({a.quiesce_threshold_s:g} s) [S3].",
            float(s_to_min(a.quiesce_threshold_s)),
        )
    else:
        _final_update(c, w)
    _plan_steps(
        c,
        w,
        to_site,
        targets,
        "normal promotes; the mirrors reverse direction with no resynchronisation [S0]",
    )
    w.add(f"Check mail flow and client access at {to_site}.", None)
    return Procedure(
        "planned_failover",
        "Planned failover",
        pg,
        (
            f"Every consistency group of {pg} is Consistent or Synchronized with condition "
            "Normal (not fractured, not synchronising).",
            subnet,
            services,
        ),
        tuple(w.steps),
    )


def _failback(c: _Site) -> Procedure:
    """Failback: the white paper's manual procedure, with a full synchronisation back."""
    design = c.design
    a = c.a
    site = c.site
    to_site = c.to_site
    pg = c.pg
    plan = c.plan
    cgs = c.cgs
    sources = c.sources
    targets = c.targets
    sync = c.sync
    capacity = c.capacity
    w = _Writer()
    sync_h = design.sync_time_h(capacity)
    w.add(
        f"Rebuild {site}: {_names(sources)}, the ESX hosts, the MirrorView configuration and "
        "the links [S0].",
        None,
    )
    w.add(f"Clean up the promoted mirrors and consistency groups on {_names(targets)} [S0].", None)
    w.add(
        f"Delete the recovery plan “{plan}” and create the reverse plan “"
        f"{failback_plan(site, to_site)}” [S0].",
        None,
    )
    w.add(
        f"Configure the mirrors and the {len(cgs):,} consistency groups in the reverse "
        f"direction, {to_site} → {site} [S0].",
        None,
    )
    w.add(
        f"Full synchronisation of {capacity:,.0f} GiB back to {site} at "
        f"{design.sync_rate_mbps:,.0f} Mbit/s ({sync_h:,.1f} h): until it ends, the VMs have no "
        "remote copy [S0].",
        float(h_to_min(sync_h)),
    )
    w.add(
        f"Run the reverse plan in a maintenance window: SRM shuts down the VMs at {to_site}.", None
    )
    if sync:
        w.add(
            "Wait for the quiesce threshold so that the secondaries are Synchronized [S3].",
            float(s_to_min(a.quiesce_threshold_s)),
        )
    else:
        _final_update(c, w, "of mirroring back")
    _plan_steps(c, w, site, sources, "normal promotes with nothing to resynchronise [S0]")
    w.add(
        f"Re-create the forward mirrors ({site} → {to_site}) and the recovery plan “{plan}”; "
        "reversing the mirrors needs no resynchronisation [S0].",
        None,
    )
    return Procedure(
        "failback",
        "Failback",
        pg,
        (
            f"The VMs of {pg} run at {to_site} after a failover.",
            f"{site} is rebuilt or repaired, and the link is up.",
            f"Plan for {sync_h / 24:,.1f} days without a remote copy while the full "
            "synchronisation runs [S0].",
        ),
        tuple(w.steps),
    )


def _link_loss(c: _Site) -> Procedure:
    """Link loss: the mirrors fracture; clone the secondaries before any resynchronisation."""
    design = c.design
    a = c.a
    site = c.site
    to_site = c.to_site
    pg = c.pg
    cg_names = c.cg_names
    sources = c.sources
    targets = c.targets
    sync = c.sync
    policy_check = c.policy_check
    w = _Writer()
    direction = next(x for x in design.directions if x.from_site == site)
    # The simulated long link loss (10:00 to 14:00): whole extents, not the bytes (Method §6).
    outage_gib = design.resync_gib(direction, LONG_OUTAGE_START_MIN, h_to_min(LONG_OUTAGE_H))
    w.add(
        f"After {a.mvs_fracture_timeout_s:g} s without the link the mirrors of {pg} are System "
        "fractured; the primaries on "
        f"{_names(sources)} track their changes [S0]. Check in Navisphere that no image is "
        "Synchronizing.",
        float(s_to_min(a.mvs_fracture_timeout_s)),
    )
    w.add(
        f"While the link is down, clone the secondaries of {_names(cg_names)} on "
        f"{_names(targets)} (SnapView clones): the only consistent copy at {to_site} "
        "[S0].",
        None,
    )
    if sync:
        w.add(
            "When the link returns the consistency groups wait for the administrator "
            "(Waiting on admin, recovery policy Manual) [S2].",
            None,
        )
        hours = design.sync_time_h(outage_gib)
        w.add(
            "Synchronise each consistency group: the fracture log sends every 512 KiB extent "
            f"written during the outage; a {LONG_OUTAGE_H:g}-hour outage from "
            f"{clock_text(LONG_OUTAGE_START_MIN)}, as simulated, marks {outage_gib:,.0f} GiB, "
            f"{hours:,.1f} h of resynchronisation (Method §6) [S0].",
            float(h_to_min(hours)),
        )
        w.add("When every group is Consistent with condition Normal, remove the clones.", None)
    else:
        w.add(
            "When the link returns, resume the updates (recovery policy Manual); the first "
            "update carries every change since the last completed one [S0].",
            None,
        )
        w.add(
            "When the updates run on schedule again, remove the clones."
            if c.backlog is None
            else "The updates never run on schedule with this link: the secondaries are "
            f"{c.backlog.behind} (Method §8). Remove the clones when the first update after "
            "the outage has completed; until the link's rate is raised, every disaster loses "
            "at least that much.",
            None,
        )
    return Procedure(
        "link_loss",
        "Link loss",
        pg,
        (policy_check,),
        tuple(w.steps),
    )


def _sp_failure(c: _Site) -> Procedure:
    """Storage processor failure on a production array."""
    design = c.design
    r = c.r
    pg = c.pg
    sources = c.sources
    sync = c.sync
    mode = c.mode
    capacity = c.capacity
    w = _Writer()
    families = {design.models[x].family for x in sources}
    w.add(
        f"The LUNs owned by the failed SP of {_names(sources)} trespass to its peer; SRM is "
        "not affected [S0].",
        None,
    )
    if families & {"CX3", "AX4"}:
        w.add(
            f"{_names(sources)} disables its write cache while one SP is down: expect higher "
            "write latency for Exchange until the SP is back [S0].",
            None,
        )
    else:
        w.add("The CX4 keeps its write cache enabled with one SP [S0].", None)
    if sync and r.write_intent_log:
        w.add(
            "The write intent log limits the resynchronisation to the writes in flight; check "
            "that every consistency group returns to Consistent/Normal [S8].",
            None,
        )
    elif sync:
        full_h = design.sync_time_h(capacity)
        w.add(
            "Without the write intent log the mirrors need a full synchronisation "
            f"({capacity:,.0f} GiB, {full_h:,.1f} h); clone the secondaries first [S0].",
            float(h_to_min(full_h)),
        )
    w.add("Replace the SP, then trespass its LUNs back to their default owner.", None)
    return Procedure(
        "sp_failure",
        "Storage processor failure",
        pg,
        (f"{mode} mirrors of {pg} on {_names(sources)}.",),
        tuple(w.steps),
    )


_PROCEDURES = (_test_failover, _failover, _planned_failover, _failback, _link_loss, _sp_failure)


def _for_site(design: Design, site: str) -> list[Procedure]:
    """The six procedures of one site's protection group, in the order an operator reads them."""
    c = _site(design, site)
    return [procedure(c) for procedure in _PROCEDURES]


def markdown(design: Design) -> str:
    """Every procedure as Markdown."""
    doc = design.scenario.document
    lines = [f"# Runbook: {doc.customer}", ""]
    for p in procedures(design):
        lines += [f"## {p.name}: {p.protection_group}", "", "Before you start:", ""]
        lines += [f"- {c}" for c in p.preconditions]
        lines += [""]
        for s in p.steps:
            bound = "at least " if s.at_least else ""
            when = f" ({bound}{s.minutes:,.1f} min)" if s.minutes is not None else ""
            lines.append(f"{s.n}. {s.text}{when}")
        timed = any(s.minutes is not None for s in p.steps)
        total = (
            f"{'at least ' if p.total_at_least else ''}{p.total_min:,.1f} min"
            if timed
            else "not estimated (no step is timed)"
        )
        lines += ["", f"Estimated total: {total}", ""]
    return "\n".join(lines)
