"""Runbooks: the procedures an operations team follows, written with the design's own names.

For each protection group (the VMs of one production site) srmkit writes the SRM 1.0/4.x
procedures: test failover, failover after a disaster, planned failover (with the manual steps SRM
1.0/4.x leaves to the operators) and the white paper's manual failback; and the operational ones
of :mod:`srmkit.runbook_operations`: recovery without SRM, recovery from the protective copy,
link loss, storage-processor failure, monitoring, adding a storage group, go-live and initial
seeding. Each step says who acts, names every object, gives the commands (from
:mod:`srmkit.commands`), the expected result and, where the model estimates it, the minutes
(the recovery terms of Method §8, synchronisation times of Method §6, the MV/A cycle of Method
§5) [S0].

When a day's writes exceed what the link carries in a day (MirrorView/A with an unbounded RPO,
Method §8) no step promises a bounded loss or a timed final update: the secondary is at least some
hours behind after ``days_in_service`` days and falls further behind every day.

SRM object names are srmkit's: protection group ``<site> Exchange`` and recovery plan
``Recover <site> Exchange at <other site>``.
"""

from __future__ import annotations

from srmkit import runbook_operations as operations
from srmkit.commands import command, sp
from srmkit.design import Design
from srmkit.glossary import names
from srmkit.runbook_core import (
    Backlog,
    Group,
    Procedure,
    Step,
    Writer,
    backlog,
    group,
    protection_group,
    recovery_plan,
    reverse_plan,
)
from srmkit.simulation import PLANNED_START, planned_times
from srmkit.simulation.model import _model
from srmkit.units import MIN_PER_H, clock_text_to_min, h_to_min, min_to_s, s_to_min

__all__ = [
    "Backlog",
    "Procedure",
    "Step",
    "backlog",
    "markdown",
    "planned_final_update_min",
    "procedures",
    "protection_group",
    "recovery_plan",
    "reverse_plan",
]


def planned_final_update_min(design: Design, site: str) -> float:
    """The final MirrorView/A update of ``site``'s planned failover in the maintenance window,
    from asking for it to its end, as the simulator plays it (one number in ``simulate``, the
    runbook and the documents). [min]"""
    start = clock_text_to_min(PLANNED_START) or 0.0
    return planned_times(_model(design), site, start).final_duration_min


def _final_update(c: Group, w: Writer, service: str = "in service") -> None:
    """The final MirrorView/A update before a planned failover or failback, run by hand with
    ``mirror -async -syncgroup`` on every consistency group. A planned failover's is timed as the
    simulator plays it in the maintenance window (with a minute's check before and after, so
    the procedure adds up to the simulated recovery time); a failback's by the longest update of
    the day; when the secondary never catches up, a lower bound (Method §8)."""
    forward = service == "in service"
    run = [
        command(
            "mirror_async_syncgroup",
            sp=sp(cg.source_array if forward else cg.target_array),
            cg=cg.name,
        )
        for cg in c.cgs
    ]
    times = planned_times(_model(c.design), c.site, clock_text_to_min(PLANNED_START) or 0.0)
    window = times.plan_min - times.unmount_min  # check, the final update, check
    u = c.backlog
    if u is None:
        longest = max(
            (x.duration_min for cy in c.design.cycles.values() for x in cy.updates), default=0.0
        )
        when = (
            f"{times.final_duration_min:,.1f} min when the VMs shut down at {PLANNED_START}, as "
            "simulated, with a minute's check before and after"
            if forward
            else f"the longest update of the day takes {longest:,.1f} min"
        )
        w.add(
            f"Run a final MirrorView/A update of every consistency group ({names(c.cg_names)}) "
            f"and wait until each shows its update completed ({when}).",
            window if forward else longest,
            "array",
            run,
        )
        return
    final_min = times.final_duration_min if forward else u.final_update_min
    w.add(
        f"Run a final MirrorView/A update of every consistency group ({names(c.cg_names)}) and "
        "wait until it completes. It cannot complete in any fixed time: a day's writes exceed "
        f"what the link carries in a day, so the secondaries are {u.behind_text(service)}. It "
        f"needs at least {final_min / MIN_PER_H:,.1f} h after {u.days} {service}, about "
        f"{u.final_growth_h_per_day:,.1f} h more every further day, and the VMs stay down until "
        "it ends: raise the link's rate before relying on a planned move (Method §8).",
        window if forward else final_min,
        "array",
        run,
        at_least=True,
    )


def _plan_steps(c: Group, w: Writer, recovery_site: str, lost: bool) -> None:
    """The recovery plan's own steps, each term of Method §8 with the checks that prove it."""
    rec = c.recovery if lost else c.planned
    by = {s.step: s for s in rec.steps}
    promote = "force / local-only" if lost else "normal"
    w.add(
        f"SRM starts the plan{' and first tries to shut down the VMs at ' + c.site if lost else ''}"
        f" ({by['plan start'].detail}).",
        by["plan start"].minutes,
        "srm",
    )
    w.add(
        f"SRM's storage step: the MirrorView SRA promotes ({promote}) {names(c.cg_names)} on "
        f"{names(c.targets)} and presents their {c.luns:,} LUNs ({by['storage'].detail}); it must "
        f"finish within SRM's SRA timeout ({c.a.sra_timeout_s:,.0f} s). Check each group:",
        by["storage"].minutes,
        "srm",
        c.check_groups(),
        expected=(
            "Each group's images at the recovery site are Primary; with the other site lost, "
            "the group is Local Only."
            if lost
            else "Each group is Primary at the recovery site and its secondary at the other "
            "site is Synchronized (or, if it was only Consistent, Out-of-Sync: a full "
            "synchronisation follows)."
        ),
    )
    if "rollback" in by:
        w.add(
            "MirrorView/A rolls the secondaries of an interrupted update back to their gold "
            f"copies first ({by['rollback'].detail}).",
            by["rollback"].minutes,
            "array",
        )
    hosts = c.design.recovery_hosts(recovery_site)
    w.add(
        f"SRM rescans the ESX hosts at {recovery_site} ({by['rescan'].detail}).",
        by["rescan"].minutes,
        "srm",
        [command("esx_volume_list")],
    )
    w.add(
        f"SRM resignatures and mounts the {c.luns:,} VMFS datastores ({by['mount'].detail}).",
        by["mount"].minutes,
        "srm",
        expected="Every datastore of the protection group is mounted on the recovery hosts.",
    )
    for label in ("high", "normal"):
        step = by.get(f"power on, {label} priority")
        if step is None:
            continue
        vms = [v for v in c.vms if (v in c.mailbox_vms) == (label == "normal")]
        w.add(
            f"SRM powers on the {label}-priority VMs {names(vms)} over {hosts:,} recovery hosts "
            f"({step.detail}).",
            step.minutes,
            "srm",
            expected="Each VM is powered on, its VMware Tools run and it answers on its network.",
        )
    w.add(
        f"The Exchange services start and every storage group mounts ({by['Exchange'].detail}); "
        "check each mailbox server:",
        by["Exchange"].minutes,
        "windows",
        [command("exchange_database_status", server=v) for v in c.mailbox_vms],
        expected="Every database shows Mounted: True. Mount any that does not with Mount-Database.",
    )


def _clients(c: Group, w: Writer, where: str) -> None:
    """The Exchange client steps after the VMs run at ``where`` (Method §8: users back)."""
    subnet = c.target_site.recovery_subnet_differs and where == c.to_site
    if subnet:
        w.add(
            f"Update the DNS A record of {names(c.mailbox_vms)} in {c.domain} to its address at "
            f"{where} (time to live {c.a.client_reconnect_min:g} min or less, set before the "
            "failover), and flush the resolver caches:",
            None,
            "network",
            [
                command(
                    "dns_update_a",
                    dns_server=f"<DNS server at {where}>",
                    zone=c.domain,
                    host=v,
                    ttl=int(min_to_s(c.a.client_reconnect_min)),
                    ip=f"<{v} address at {where}>",
                )
                for v in c.mailbox_vms
            ],
        )
    w.add(
        f"Check that each mailbox server finds its Active Directory site at {where} (the "
        f"recovery subnet is in that site in Active Directory Sites and Services):",
        None,
        "windows",
        [command("ad_site", server=v, host=v) for v in c.mailbox_vms],
        expected=f"The site of {where} is returned.",
    )
    w.add(
        "Check MAPI connectivity to every database; Autodiscover and Outlook Anywhere point to "
        f"a Client Access server at {where}; Outlook clients reconnect by themselves (users "
        f"back about {c.a.client_reconnect_min:g} min after the VMs, Method §8):",
        None,
        "windows",
        [command("exchange_mapi_test", server=v) for v in c.mailbox_vms],
    )


def _test_failover(c: Group) -> Procedure:
    """Test failover: SRM snaps the secondaries and starts the VMs on an isolated network."""
    a = c.a
    test = c.design.test_of(c.site)
    by = {s.step: s for s in test.steps}
    w = Writer()
    w.add(
        f"At {c.to_site}, start a global catalog server for {c.domain} on the test network "
        "(bubble), cloned or restored from a recent backup and never connected to production: "
        "Exchange mounts no database without one [S28].",
        None,
        "windows",
    )
    w.add(
        f"In SRM at {c.to_site}, select the recovery plan “{c.plan}” and click Test.", None, "srm"
    )
    if not c.sync:
        w.add(
            "The MirrorView SRA first waits for a MirrorView/A update in progress to complete "
            f"(Method §8); check the updates of {names(c.cg_names)}:",
            None,
            "array",
            c.check_groups(),
        )
    w.add(
        f"SRM's prepare-storage step snaps the {c.luns:,} secondary LUNs of {names(c.cg_names)} "
        f"on {names(c.targets)} one after another ({by['prepare storage'].detail}), presents "
        "them, rescans and mounts; mirroring continues [S0]. "
        + (
            f"It must finish within SRM's SRA timeout ({a.sra_timeout_s:,.0f} s)."
            if test.prepare_storage_s <= a.sra_timeout_s
            else f"It takes {test.prepare_storage_s:,.0f} s, longer than SRM's SRA timeout "
            f"({a.sra_timeout_s:,.0f} s): raise the timeout first or the test fails here [S7]."
        ),
        by["prepare storage"].minutes + by["rescan"].minutes + by["mount"].minutes,
        "srm",
    )
    power = sum(s.minutes for s in test.steps if s.step.startswith("power on"))
    w.add(
        f"SRM powers on {names(c.vms)} on the isolated test network (they keep their addresses).",
        power,
        "srm",
    )
    w.add(
        "Validate on each mailbox server's console: the databases are mounted and MAPI answers "
        "(both work in the bubble, with its global catalog); optionally run eseutil on a "
        "snapshot during low activity [S0].",
        by["Exchange"].minutes,
        "windows",
        [command("exchange_database_status", server=v) for v in c.mailbox_vms]
        + [command("exchange_mapi_test", server=v) for v in c.mailbox_vms],
    )
    w.add(
        "Record the time of each step above for the design's measured: section; then click "
        "Continue: SRM powers the test VMs off and removes the snapshots and sessions [S0].",
        None,
        "srm",
    )
    rlp = [c.design.rlp[t] for t in c.targets if t in c.design.rlp]
    return Procedure(
        "test_failover",
        "Test failover",
        c.pg,
        (
            "Run the test off-hours: the snapshots add copy-on-first-write load to mirroring [S0].",
            "The reserved LUN pool holds the snapshots: "
            + "; ".join(
                f"{n.array}: {n.rlp_gib:,.0f} GiB in {n.reserved_luns:,} reserved LUNs" for n in rlp
            )
            + " [S10].",
            f"SRM's SRA command timeout is at least {test.prepare_storage_s:,.0f} s (the "
            f"snapshots of {test.luns:,} LUNs) [S7].",
            f"The test window is {a.test_duration_h:g} h; production at {c.site} is not affected.",
            *(
                [
                    "MirrorView/A never catches up on this design: the secondaries are "
                    f"{c.backlog.behind}; the test VMs show mail that old (Method §8)."
                ]
                if c.backlog
                else []
            ),
        ),
        tuple(w.steps),
    )


def _failover(c: Group) -> Procedure:
    """Failover after a disaster: the protected site is lost."""
    w = Writer()
    w.add(
        f"Declare the disaster: decide that {c.site} is lost and that {c.to_site} takes over "
        f"(the design allows {c.a.declare_min:g} min for this decision).",
        c.a.declare_min,
    )
    w.add(
        f"In SRM at {c.to_site}, run the recovery plan “{c.plan}” (recovery, not test). If a "
        "consistency group was Synchronizing when the site was lost, stop: follow “Recovery "
        "from the protective copy” for it.",
        None,
        "srm",
    )
    _plan_steps(c, w, c.to_site, lost=True)
    _clients(c, w, c.to_site)
    if c.backlog is not None:
        told = (
            f"mail written in at least the last {c.backlog.behind_min / MIN_PER_H:,.1f} h is "
            f"missing (the secondaries were {c.backlog.behind}; Method §8)."
        )
    elif c.sync:
        told = "mail written after the mirrors last held the primary's data is missing (none if "
        told += "they were in sync)."
    else:
        told = (
            "mail written after the last completed update (up to "
            f"{c.design.worst_rpo_min or 0:,.0f} min) is missing."
        )
    w.add(f"Tell users that the service is back at {c.to_site} and that {told}", None)
    w.add(
        f"SRM protects nothing now: {c.pg} is recovered and the plan cannot run again. "
        "Production runs without a remote copy until the failback procedure has run.",
        None,
        "srm",
    )
    return Procedure(
        "failover",
        "Failover after a disaster",
        c.pg,
        (
            f"Recovery time: {c.recovery.rto_min:,.0f} min from the disaster "
            f"({c.a.declare_min:g} min to decide + {c.recovery.after_decision_min:,.0f} min "
            f"after the decision); users back after {c.recovery.users_back_min:,.0f} min.",
            "The recovery policy of every consistency group is Manual [S0]"
            + (
                " (it is Automatic in this design: change it)."
                if c.r.recovery_policy == "auto"
                else "."
            ),
            f"SRM's SRA command timeout is at least {c.recovery.storage_s:,.0f} s [S7].",
        ),
        tuple(w.steps),
    )


def _planned_failover(c: Group) -> Procedure:
    """Planned failover, SRM 1.0/4.x: the operators stop every write first, then run the plan;
    a Synchronized image is promoted with no resynchronisation (Method §8)."""
    times = planned_times(_model(c.design), c.site, clock_text_to_min(PLANNED_START) or 0.0)
    w = Writer()
    w.add(
        f"In the maintenance window ({PLANNED_START}), shut down {names(c.vms)} at {c.site} "
        "(guest shutdown).",
        times.unmount_min,
        "esx",
    )
    w.add(
        f"Unmount the {c.luns:,} protected datastores at {c.site}, or remove the protected "
        f"hosts from the storage groups on {names(c.sources)}, so that no write reaches the "
        "mirrored LUNs (a datastore left mounted keeps writing: its image stays Consistent and "
        "its promote is followed by a full synchronisation).",
        None,
        "esx",
    )
    if c.sync:
        w.add(
            f"Wait for the quiesce threshold ({c.a.quiesce_threshold_s:g} s) and check that "
            f"{names(c.cg_names)} are Synchronized [S3]:",
            times.plan_min - times.unmount_min,
            "array",
            c.check_groups(on_target=False),
            expected="Every group shows State: Synchronized, Condition: Normal.",
        )
    else:
        _final_update(c, w)
    w.add(f"In SRM at {c.to_site}, run the recovery plan “{c.plan}”.", None, "srm")
    _plan_steps(c, w, c.to_site, lost=False)
    _clients(c, w, c.to_site)
    w.add(
        f"SRM protects nothing now: the mirrors run {c.to_site} → {c.site}, but protection "
        f"needs a reverse protection group and the plan “{reverse_plan(c.site, c.to_site)}” "
        f"in SRM at {c.site}: create them before the window ends.",
        None,
        "srm",
    )
    return Procedure(
        "planned_failover",
        "Planned failover",
        c.pg,
        (
            f"Every consistency group of {c.pg} is Consistent or Synchronized with condition "
            "Normal (not fractured, not synchronising).",
            "SRM 1.0/4.x has no planned-migration mode: the shutdown, the unmount"
            + ("" if c.sync else " and the final update")
            + " are done by hand before the plan runs (Method §8).",
        ),
        tuple(w.steps),
    )


def _failback(c: Group) -> Procedure:
    """Failback: the white paper's manual procedure, with a full synchronisation back."""
    design = c.design
    sync_h = design.sync_time_h(c.capacity)
    w = Writer()
    w.add(
        f"Rebuild {c.site}: {names(c.sources)}, the ESX hosts, the MirrorView paths and the "
        "link [S0].",
        None,
        "array",
    )
    w.add(
        f"On the rebuilt {names(c.sources)}, the old primary images of {names(c.cg_names)} are "
        "stale and still consider themselves primary: destroy those groups and their mirrors "
        "there (never start their VMs) [S0].",
        None,
        "array",
        c.per_cg("destroygroup", on_target=False),
    )
    w.add(
        f"On {names(c.targets)}, remove the remains of the old mirrors of the promoted groups "
        f"and create the groups again with secondary images on {names(c.sources)}, in the "
        f"reverse direction {c.to_site} → {c.site} [S0]:",
        None,
        "array",
        c.per_cg("creategroup"),
    )
    w.add(
        f"Full synchronisation of {c.capacity:,.0f} GiB back to {c.site} at "
        f"{design.sync_rate_mbps:,.0f} Mbit/s ({sync_h:,.1f} h): until it ends, the VMs have no "
        f"remote copy [S0]. Check the progress of {names(c.cg_names)}:",
        float(h_to_min(sync_h)),
        "array",
        c.check_groups(),
    )
    w.add(
        f"In SRM, delete the recovery plan “{c.plan}” and create a protection group for the "
        f"VMs at {c.to_site} and the plan “{reverse_plan(c.site, c.to_site)}” at {c.site} [S0].",
        None,
        "srm",
    )
    w.add(f"In a maintenance window, shut down {names(c.vms)} at {c.to_site}.", None, "esx")
    if c.sync:
        w.add(
            "Unmount their datastores; wait for the quiesce threshold and check that "
            f"{names(c.cg_names)} are Synchronized [S3]:",
            float(s_to_min(c.a.quiesce_threshold_s)),
            "array",
            c.check_groups(),
        )
    else:
        _final_update(c, w, "of mirroring back")
    w.add(
        f"Run the plan “{reverse_plan(c.site, c.to_site)}”: normal promotes with nothing to "
        "resynchronise [S0].",
        c.planned.after_decision_min,
        "srm",
    )
    _clients(c, w, c.site)
    w.add(
        f"Reverse the mirrors again ({c.site} → {c.to_site}: a normal promote of Synchronized "
        "images needs no resynchronisation), re-create the protection group "
        f"{c.pg} and the plan “{c.plan}”, then run a test failover [S0].",
        None,
        "srm",
    )
    return Procedure(
        "failback",
        "Failback",
        c.pg,
        (
            f"The VMs of {c.pg} run at {c.to_site} after a failover.",
            f"{c.site} is rebuilt or repaired, and the link is up.",
            f"Plan for {sync_h / 24:,.1f} days without a remote copy while the full "
            "synchronisation runs [S0].",
            "SRM 1.0/4.x has no reprotect: every step below is manual (Method §8).",
        ),
        tuple(w.steps),
    )


_SRM_PROCEDURES = (_test_failover, _failover, _planned_failover, _failback)


def procedures(design: Design) -> list[Procedure]:
    """Every procedure: each protection group's, then go-live and monitoring for the design."""
    out: list[Procedure] = []
    for d in design.directions:
        c = group(design, d.from_site)
        out += [p(c) for p in _SRM_PROCEDURES]
        out += operations.for_group(c)
    if design.directions:
        out += operations.for_design(
            design, [group(design, d.from_site) for d in design.directions]
        )
    return out


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
            lines.append(f"{s.n}. **{s.who}**: {s.text}{when}")
            lines += [f"   - `{cmd}`" for cmd in s.commands]
            if s.expected:
                lines.append(f"   - Expect: {s.expected}")
            lines.append("   - Done: ☐  Initials: ____")
        timed = any(s.minutes is not None for s in p.steps)
        total = (
            f"{'at least ' if p.total_at_least else ''}{p.total_min:,.1f} min"
            if timed
            else "not estimated (no step is timed)"
        )
        lines += ["", f"Estimated total: {total}", ""]
    return "\n".join(lines)
