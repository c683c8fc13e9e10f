"""What each event does to a run: the scenario file's events (link, sites, storage processors,
administrator, SRM) and the steps they queue (final update, quiesce, promote, plan done)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from srmkit import states
from srmkit.glossary import possessive
from srmkit.schema import EventKind, SimEvent
from srmkit.simulation import faults
from srmkit.simulation.results import PROTECTED_PLAN_STATES
from srmkit.simulation.state import EventHandlers, _constant, _Direction
from srmkit.units import MIN_PER_DAY, min_to_h

if TYPE_CHECKING:
    from srmkit.simulation.run import _Run


def on_link_down(run: _Run, ev: SimEvent) -> None:
    """The link is lost. MirrorView/S holds every host write until the secondary acknowledges
    it: for at most the fracture timeout, then the mirrors system-fracture and writes complete
    locally; the secondaries hold the data of this moment (Method §4)."""
    if run.machine_step("link", "link", run.link, "link_down").ok:
        run.link = "down"
        run.link_down_t = run.t
        run.outage_token += 1
        run.fracture_after_timeout("link")


def on_link_up(run: _Run, ev: SimEvent) -> None:
    """The link returns. Shorter than the fracture timeout, nothing fractured: MirrorView/S
    writes stalled for the outage's length (Method §4)."""
    if not run.machine_step("link", "link", run.link, "link_up").ok:
        return
    run.link = "up"
    down = run.link_down_t
    run.outage_token += 1
    if down is not None and run.t - down < run.m.fracture_timeout_min:
        seconds = (run.t - down) * 60
        timeout = f"{run.m.fracture_timeout_s:g} s"
        if run.m.mode == "sync":
            run.stall(
                seconds,
                f"the link was down for {seconds:,.1f} s, less than the "
                f"fracture timeout ({timeout}): the mirrors were not fractured",
            )
        else:
            run.warnings.append(
                f"The link was down for {seconds:,.1f} s, less than the fracture timeout "
                f"({timeout}): the mirrors were not fractured; MirrorView/A carried on [S0]."
            )
    run.link_down_t = None
    run.regain_reach(range(len(run.cgs)))


def on_auto_fracture(
    run: _Run, token: int, cause: str, cgs: Sequence[int] | None = None, since: float | None = None
) -> None:
    """The fracture timeout has passed since the link or a site was lost (``since``): the mirrors
    that still cannot reach their other side system-fracture. MirrorView/S held the writes until
    now; its secondaries hold the data of ``since`` (Method §4)."""
    if cause == "link" and (token != run.outage_token or run.link != "down"):
        return
    indexes = list(range(len(run.cgs))) if cgs is None else list(cgs)
    indexes = [i for i in indexes if not run.reachable(run.m.cgs[i], run.cgs[i])]
    lost_at = run.t if since is None else since
    writing = [
        i
        for i in indexes
        if run.cgs[i].state != "primary/local_only"
        and run.dirs[run.m.cgs[i].from_site].running
        and not run.cgs[i].primary_lost
    ]
    if run.m.mode == "sync" and writing:
        what = "the link" if cause == "link" else "the secondary images"
        run.stall(
            (run.t - lost_at) * 60,
            f"{what} could not be reached; after the fracture timeout "
            f"({run.m.fracture_timeout_s:g} s) the mirrors were system-fractured and writes "
            "completed locally",
        )
    run.lose_reach(indexes, lost_at)


def on_site_failure(run: _Run, ev: SimEvent) -> None:
    site = ev.site
    assert site is not None
    if not run.machine_step("site", f"site {site}", run.sites[site], "site_failure").ok:
        return
    run.sites[site] = "down"
    # VMs running at the site stop: their secondaries hold what they had at this moment.
    for psite, d in run.dirs.items():
        if d.running and d.running_at == site:
            d.running = False
            d.disaster_t = run.t
            members = [
                i
                for i in run.m.directions[psite].cgs
                if run.flow(run.m.cgs[i], run.cgs[i])[0] == site
            ]
            for i in members:
                cg = run.cgs[i]
                cg.primary_lost = True
                if run.m.mode == "sync" and cg.state in (
                    "consistent/normal",
                    "synchronized/normal",
                ):
                    run.freeze(i, run.t)
            cut = [
                i
                for i in members
                if run.cgs[i].state in ("synchronizing/normal", "synchronizing/synchronizing")
            ]
            if cut:
                run.lose_reach(cut, run.t)
    # Secondaries at the site cannot be reached: the primaries fracture them in time.
    remote = [i for i, info in enumerate(run.m.cgs) if run.flow(info, run.cgs[i])[1] == site]
    if remote:
        run.fracture_after_timeout("site", remote)


def on_site_restore(run: _Run, ev: SimEvent) -> None:
    _site_up(run, ev, "site_restore")


def on_rebuild_site(run: _Run, ev: SimEvent) -> None:
    _site_up(run, ev, "rebuild_site")


def _site_up(run: _Run, ev: SimEvent, action: str) -> None:
    site = ev.site
    assert site is not None
    if not run.machine_step("site", f"site {site}", run.sites[site], action).ok:
        return
    run.sites[site] = "up"
    for psite, d in run.dirs.items():
        if (
            psite == site
            and not d.running
            and d.plan in PROTECTED_PLAN_STATES
            and action == "site_restore"
        ):
            d.running = True  # the VMs restart where they ran
            d.disaster_t = None
            for i in run.m.directions[psite].cgs:
                run.cgs[i].primary_lost = False
        if action == "site_restore" and psite == site and d.plan in ("recovering", "recovered"):
            run.warnings.append(
                f"{site} came back after its VMs were recovered at the other site: its arrays "
                "still hold the old primary images, which are stale and still consider "
                "themselves primary. Do not restart those VMs; clean up the old mirrors before "
                "failing back [S0]."
            )
    if action == "site_restore":
        run.regain_reach(range(len(run.cgs)))
    else:
        # Mirrors whose secondaries were on the lost arrays get new ones: a full sync each.
        lost = [
            i
            for i, info in enumerate(run.m.cgs)
            if run.flow(info, run.cgs[i])[1] == site and run.cgs[i].state != "primary/local_only"
        ]

        cut_off: dict[int, float] = {}

        def ok(i: int, out: states.Outcome, before: str) -> None:
            since = run.cgs[i].fractured_at
            cut_off[i] = run.t if since is None else since
            run.cgs[i].fractured_at = run.t

        done = run.image_step(lost, "recreate_secondary", record_refusals=False, on_ok=ok)
        if done:
            gib = sum(run.m.cgs[i].capacity_gib for i in done)
            run.warnings.append(
                f"{site} was rebuilt at {run.clock(run.t)}: the secondary images of "
                f"{len(done):,} consistency groups were created again on its arrays and need a "
                f"full synchronisation of {gib:,.0f} GiB; until it ends the VMs they protect "
                "have no remote copy [S0]."
            )
        run.start_syncs()
        for psite in sorted({run.m.cgs[i].from_site for i in done}):
            members = tuple(i for i in done if run.m.cgs[i].from_site == psite)
            since = min(cut_off[i] for i in members)
            _watch_rebuilt(run, psite, site, members, since)


def _watch_rebuilt(
    run: _Run, site: str, rebuilt: str, indexes: Sequence[int], since: float
) -> None:
    """Look again when the full synchronisation of the secondaries re-created on ``rebuilt``
    should end (its direction's batch, Method §6): :func:`on_rebuilt_synced` then says how long
    ``site``'s VMs ran without a remote copy. A synchronisation that never starts (the other
    side unreachable) is not watched."""
    ends = [
        b.since + b.remaining_gib * run.m.min_per_gib()
        for flow in {run.flow(run.m.cgs[i], run.cgs[i]) for i in indexes}
        if (b := run.sync_batches.get(flow)) is not None
    ]
    if ends:
        run.push(
            max(ends), "rebuilt_synced", site=site, rebuilt=rebuilt, indexes=indexes, since=since
        )


def on_rebuilt_synced(
    run: _Run, site: str, rebuilt: str, indexes: Sequence[int], since: float
) -> None:
    """The secondaries re-created on ``rebuilt`` should be synchronised now. A synchronisation
    that another one joined later (it shares the direction's rate) is looked at again at its new
    end; once every group is protected again, a warning says how long ``site``'s VMs ran
    without a remote copy: from ``since``, when the secondaries were cut off, until now."""
    if any(run.cgs[i].state.endswith(("/synchronizing", "/queued_to_sync")) for i in indexes):
        _watch_rebuilt(run, site, rebuilt, indexes, since)
        return
    table = states.image_states()
    if not all(table[run.cgs[i].state].protected for i in indexes):
        return  # fractured again before it ended: no remote copy yet
    without_min = run.t - since
    run.warnings.append(
        f"{possessive(site)} VMs ran without a remote copy for {min_to_h(without_min):,.1f} h "
        f"({without_min / MIN_PER_DAY:,.1f} days): from {run.clock(since)} until the full "
        f"synchronisation to the rebuilt {rebuilt} ended at {run.clock(run.t)} [S0]."
    )


def on_sp_failure(run: _Run, ev: SimEvent) -> None:
    assert ev.array is not None
    assert ev.sp is not None
    key = (ev.array, ev.sp)
    state = run.sps.get(key, "ok")
    if not run.machine_step("sp", f"SP {ev.sp} of {ev.array}", state, "sp_failure").ok:
        return
    run.sps[key] = "failed"
    peer = (ev.array, "B" if ev.sp == "A" else "A")
    if run.sps.get(peer) == "failed":
        run.warnings.append(
            f"Both storage processors of {ev.array} have failed: the array serves no I/O "
            "(the simulator does not play this further)."
        )
    sources = [
        i
        for i, info in enumerate(run.m.cgs)
        if (info.target_array if run.cgs[i].reversed else info.source_array) == ev.array
    ]

    def ok(i: int, out: states.Outcome, before: str) -> None:
        if out.state.startswith("out_of_sync"):
            run.cgs[i].fractured_at = run.t

    run.image_step(sources, "sp_failure", record_refusals=False, on_ok=ok)
    if run.m.array_family.get(ev.array) in ("CX3", "AX4"):
        run.warnings.append(
            f"{ev.array} is a {run.m.array_family[ev.array]} array: its write cache is "
            f"disabled while SP {ev.sp} is down, so write latency rises until the SP is "
            "restored [S0]."
        )
    if not run.m.wil and run.m.mode == "sync" and sources:
        run.warnings.append(
            f"The mirrors on {ev.array} have no write intent log: losing SP {ev.sp} needs a "
            "full synchronisation of their LUNs; enable the write intent log [S0]."
        )
    run.start_syncs()


def on_sp_restore(run: _Run, ev: SimEvent) -> None:
    assert ev.array is not None
    assert ev.sp is not None
    key = (ev.array, ev.sp)
    if run.machine_step("sp", f"SP {ev.sp} of {ev.array}", run.sps.get(key, "ok"), "sp_restore").ok:
        run.sps[key] = "ok"


def on_admin_fracture(run: _Run, ev: SimEvent) -> None:
    rolled: list[int] = []

    def ok(i: int, out: states.Outcome, before: str) -> None:
        cg = run.cgs[i]
        if run.m.mode == "sync":
            run.freeze(i, run.t)
        if cg.fractured_at is None:
            cg.fractured_at = run.t
        if out.effect == "rollback":
            rolled.append(i)

    interrupted = {site: run.interrupted_mib(site) for site in run.dirs}
    run.image_step(run.cgs_of(ev.cg), "admin_fracture", on_ok=ok)
    if rolled:  # rolled back together, complete together: one timeline row
        run.roll_back(rolled, interrupted)


def on_admin_sync(run: _Run, ev: SimEvent) -> None:
    indexes = run.cgs_of(ev.cg)
    no_clone = [
        i
        for i in indexes
        if run.cgs[i].clone_t is None
        and run.cgs[i].state.startswith("consistent/")
        and run.cgs[i].state.endswith(("fractured", "waiting_on_admin"))
    ]
    resumed: list[int] = []

    def ok(i: int, out: states.Outcome, before: str) -> None:
        if out.effect == "resume_updates":
            resumed.append(i)
            run.cgs[i].fractured_at = None

    def extra(i: int) -> set[str]:
        return {"reachable" if run.reachable(run.m.cgs[i], run.cgs[i]) else "unreachable"}

    done = run.image_step(indexes, "admin_sync", extra=extra, on_ok=ok)
    if run.m.mode == "sync" and [i for i in done if i in no_clone]:
        run.warnings.append(
            f"At {run.clock(run.t)} the mirrors were synchronised without a clone of the "
            "secondaries: until the resynchronisation ended the recovery site held no usable "
            "copy. Clone the secondaries first [S0]."
        )
    run.start_syncs()
    for site in {run.m.cgs[i].from_site for i in resumed}:
        run.kick_updates(site)


def on_clone_secondaries(run: _Run, ev: SimEvent) -> None:
    """The protective copy of the secondaries (Method §6): SnapView sessions started, or clones
    fractured, one LUN after another on each recovery array; it holds its data when done.
    MirrorView/A keeps a gold copy and has no such step; a design without one cannot take it."""
    indexes = run.cgs_of(ev.cg)
    action = states.ACTION_NAMES["clone"]
    if run.m.mode == "async" or run.m.protective_copy == "none":
        run.refuse(
            "consistency groups" if ev.cg is None else ev.cg,
            action,
            "",
            "MirrorView/A keeps a gold copy of its secondaries: it needs no protective copy"
            if run.m.mode == "async"
            else "The design has no protective copy (protective copy: none)",
        )
        return
    take = max((c.take_min for c in run.m.copies.values()), default=0.0)
    run.push(run.t + take, "copy_done", indexes=tuple(indexes))


def on_copy_done(run: _Run, indexes: Sequence[int]) -> None:
    """The protective copy is taken: it holds the secondary's data of now, or of its fracture."""

    def ok(i: int, out: states.Outcome, before: str) -> None:
        run.cgs[i].clone_t = copy_time(run, i)

    run.image_step(list(indexes), "clone", on_ok=ok)


def _plan_site(run: _Run, ev: SimEvent, want: Callable[[_Direction], bool]) -> str | None:
    if ev.site is not None:
        return _protected_site(run, ev)
    for site, d in run.dirs.items():
        if want(d):
            return site
    return next(iter(run.dirs), None)


def _plan_action(run: _Run, ev: SimEvent, want: Callable[[_Direction], bool]) -> str | None:
    """Run the event's SRM action on the protection group it names, or on the first one
    ``want`` accepts; the site whose plan moved, or None when the table refused it."""
    site = _plan_site(run, ev, want)
    if site is None:
        return None
    d = run.dirs[site]
    out = run.machine_step("plan", f"protection group {site}", d.plan, ev.event)
    if not out.ok:
        return None
    d.plan = out.state
    return site


def on_srm_test_start(run: _Run, ev: SimEvent) -> None:
    """An SRM test: MirrorView/A first waits for the update in progress; the SRA snaps and
    presents every secondary LUN in one command, which SRM stops at its timeout (Method §8)."""
    site = _plan_action(run, ev, lambda d: d.plan == "protected")
    if site is None:
        return
    d = run.dirs[site]
    info = run.m.directions[site]
    wait = 0.0
    if run.m.mode == "async" and d.in_flight is not None:
        wait = max(0.0, d.in_flight[1] - run.t)
        run.warnings.append(
            f"The test of {possessive(site)} protection group waited {wait:,.1f} min for the "
            "MirrorView/A update in progress before its snapshots (Method §8)."
        )
    d.test_started_t = run.t
    d.test_ready_t = run.t + wait + info.test_after_start_min
    prepare_s = info.test_prepare_s
    if prepare_s > run.m.sra_timeout_s:
        run.warnings.append(
            f"The test's storage step snaps {run.m.directions[site].luns:,} LUNs in one SRA "
            f"command ({prepare_s:,.0f} s), longer than SRM's SRA timeout "
            f"({run.m.sra_timeout_s:,.0f} s): SRM stops it and the test fails unless the timeout "
            "is raised [S7]."
        )
    hours = {
        int((run.clock0 + run.t + k) // 60) % 24 for k in range(0, int(run.m.test_duration_min), 30)
    }
    busy = sorted(hours & run.m.busy_hours)
    if busy:
        run.warnings.append(
            f"The test of {possessive(site)} protection group runs during busy hours "
            f"({', '.join(f'{h:02d}:00' for h in busy)}): SnapView snapshots add "
            "copy-on-first-write load to mirroring; run tests off-hours [S0]."
        )


def on_srm_test_continue(run: _Run, ev: SimEvent) -> None:
    _plan_action(run, ev, lambda d: d.plan == "testing")


def on_run_recovery_plan(run: _Run, ev: SimEvent) -> None:
    """SRM 1.0/4.x runs the plan as it finds the storage (Method §8): with the protected site
    reachable it shuts down VMs still running and promotes normally at once. A Synchronized image
    (the operators unmounted the datastores, and MirrorView/A ran a final update, first) reverses
    with no resynchronisation; an image only Consistent reverses with a full synchronisation, and
    MirrorView/A loses what its last completed update did not carry."""
    site = _plan_action(
        run, ev, lambda d: d.plan in PROTECTED_PLAN_STATES and (not d.running or d.planned)
    )
    if site is None:
        return
    d = run.dirs[site]
    d.plan_started_t = run.t
    members = list(run.m.directions[site].cgs)
    if run.sites[site] == "up":
        d.planned = True
        if d.running:
            d.running = False
            d.shutdown_t = run.t
            run.warnings.append(
                f"The recovery plan shut {possessive(site)} VMs down itself at {run.clock(run.t)}: "
                "their datastores stayed mounted, so the secondaries were only Consistent when "
                "promoted and a full synchronisation follows. Before a planned failover shut the "
                "VMs down, unmount their datastores"
                + ("" if run.m.mode == "sync" else " and run a final MirrorView/A update")
                + " (SRM 1.0/4.x, Method §8)."
            )
        if d.writes_stopped_t is None:
            d.writes_stopped_t = run.t
    run.push(run.t, "promote_all", site=site, members=members)


def _protected_site(run: _Run, ev: SimEvent) -> str | None:
    """The protection group an operator's step names, or None (refused) when it has none."""
    if ev.site is None or ev.site not in run.dirs:
        run.refuse(
            f"site {ev.site}",
            states.ACTION_NAMES[ev.event],
            "",
            f"{ev.site} runs no protected VMs",
        )
        return None
    return ev.site


def on_shutdown_vms(run: _Run, ev: SimEvent) -> None:
    """The operators shut the protected VMs down before a planned failover; ESX still writes to
    their mounted datastores (Method §8)."""
    site = _protected_site(run, ev)
    if site is None:
        return
    d = run.dirs[site]
    if not d.running or run.sites[d.running_at] != "up":
        run.refuse(f"VMs of {site}", states.ACTION_NAMES[ev.event], "", "The VMs are not running")
        return
    d.running = False
    d.planned = True
    d.shutdown_t = run.t
    run.record_step(
        f"VMs of {site}",
        "vm",
        "Running",
        "Shut down",
        ev.event,
        "The operators shut the VMs down: SRM 1.0/4.x has no planned-migration mode; their "
        "datastores are still mounted",
        "Method §8",
    )


def on_unmount_datastores(run: _Run, ev: SimEvent) -> None:
    """No write reaches the mirrored LUNs any more: MirrorView/S secondaries become Synchronized
    after the quiesce threshold; MirrorView/A ones after a final update (Method §8)."""
    site = _protected_site(run, ev)
    if site is None:
        return
    d = run.dirs[site]
    if d.running:
        run.refuse(
            f"datastores of {site}",
            states.ACTION_NAMES[ev.event],
            "Mounted",
            "The VMs still run on them: shut the VMs down first",
        )
        return
    d.writes_stopped_t = run.t
    run.record_step(
        f"Datastores of {site}",
        "vm",
        "Mounted",
        "Unmounted",
        ev.event,
        "The protected datastores are unmounted (or the hosts' access removed): no write "
        "reaches the mirrored LUNs",
        "Method §8",
    )
    if run.m.mode == "sync":
        run.push(run.t + run.m.quiesce_min, "quiesce", site=site)


def on_final_update_event(run: _Run, ev: SimEvent) -> None:
    """The operators run a final MirrorView/A update (``mirror -async -syncgroup``): after the
    update in flight, one more carries every change up to the unmount (Method §8)."""
    site = _protected_site(run, ev)
    if site is None:
        return
    if run.m.mode == "sync":
        run.refuse(
            f"protection group {site}",
            states.ACTION_NAMES[ev.event],
            "",
            "MirrorView/S sends every write at once: there is no update to run",
        )
        return
    d = run.dirs[site]
    _final_update_warning(run, site)
    d.final_pending = True
    if d.in_flight is None:
        run.mva_start_update(site)
        if d.in_flight is None:  # nothing to send, or no group can take an update
            d.final_pending = False
            run.push(run.t, "final_update_done", site=site)


def _final_update_warning(run: _Run, site: str) -> None:
    """An unbounded MirrorView/A secondary is far behind when the VMs shut down: the update in
    flight must end and a final one send every change up to the shutdown, which takes hours or
    days, and longer for every day the design has run (Method §8)."""
    if site not in run.m.lags:
        return
    d = run.dirs[site]
    behind = run.t - d.last_completed_start
    per_mib = run.m.min_per_mib_update()
    if d.in_flight is None:
        final = run.volume_mib(site, d.last_completed_start, run.t) * per_mib
    else:
        start, end = d.in_flight
        final = (end - run.t) + run.volume_mib(site, start, run.t) * per_mib
    final += run.m.overhead_min
    growth = run.m.lags[site].drain_growth_h_per_day
    run.warnings.append(
        f"At the shutdown ({run.clock(run.t)}) the secondaries of {possessive(site)} VMs are at "
        f"least {behind / 60:,.1f} h behind (MirrorView/A never catches up). The final update "
        f"cannot complete in a maintenance window: it needs at least {final / 60:,.1f} h at the "
        f"link's effective rate, about {growth:,.1f} h more for every further day in service, "
        "and the VMs stay down until it ends (Method §8)."
    )


def on_final_update_done(run: _Run, site: str) -> None:
    """The final update completed: with no write since it started the secondaries are
    Synchronized; a failback plan waiting for it promotes now."""
    d = run.dirs[site]
    if d.writes_stopped_t is not None:
        run.push(run.t, "quiesce", site=site)


def on_quiesce(run: _Run, site: str) -> None:
    """No write for the quiesce threshold (MirrorView/S) or after the final update (MirrorView/A):
    the secondaries are Synchronized; a failback plan waiting for it promotes now."""
    d = run.dirs[site]
    members = list(run.m.directions[site].cgs)
    run.image_step(members, "quiesce", record_refusals=False)
    if d.awaiting_final:
        d.awaiting_final = False
        run.push(run.t, "promote_all", site=site, members=members)


def on_promote_all(run: _Run, site: str, members: Sequence[int]) -> None:
    """The recovery plan's storage step: every CG of the protection group is promoted (the
    plan then rescans, powers on, starts services and customises IPs); it finishes after
    the sum of its steps (Method §8)."""
    d = run.dirs[site]
    interrupted = run.interrupted_mib(site)
    # A rollback to the gold copy still running finishes before its groups promote (§8).
    wait = max([0.0, *(run.cgs[i].rollback_until - run.t for i in members)])
    by_guard: dict[str, list[int]] = {}
    for i in members:
        info, cg = run.m.cgs[i], run.cgs[i]
        up = run.sites[run.flow(info, cg)[0]] == "up" and run.reachable(info, cg)
        by_guard.setdefault("primary_reachable" if up else "primary_lost", []).append(i)

    rolled: list[int] = []

    def ok(i: int, out: states.Outcome, before: str) -> None:
        c = run.cgs[i]
        if out.effect == "rollback":
            rolled.append(i)
        if out.effect in ("reverse", "reverse_full"):
            # MirrorView/A promoted while only Consistent: its last completed update is the data.
            behind = out.effect == "reverse_full" and run.m.mode == "async"
            copy_t = copy_time(run, i) if behind else None
            c.reversed = not c.reversed
            c.data_t = None if run.m.mode == "sync" else run.t
            c.fractured_at = run.t if out.effect == "reverse_full" else None
            account(run, site, i, copy_t)
        else:
            account(run, site, i, copy_time(run, i))

    refused: list[int] = []
    for guard, group in by_guard.items():
        done = set(run.image_step(group, "promote", extra=_constant({guard}), on_ok=ok))
        refused += [i for i in group if i not in done]

    # A secondary that is not usable: the clone, if any, is what the recovery can use.
    def from_clone(i: int, out: states.Outcome, before: str) -> None:
        account(run, site, i, run.cgs[i].clone_t, from_clone=True)

    def has(i: int) -> set[str]:
        return {"has_clone" if run.cgs[i].clone_t is not None else "no_clone"}

    recovered = set(run.image_step(refused, "recover_from_clone", extra=has, on_ok=from_clone))
    if any(i not in recovered for i in refused):
        d.unrecoverable = True
    run.start_syncs()
    # A promote that interrupts an update rolls its secondaries back first (Method §8, v3).
    if rolled:
        wait = max(wait, run.m.rollback_min(interrupted))
    lost = "primary_lost" in by_guard
    duration = wait + run.m.directions[site].recovery_min[lost]
    run.push(run.t + duration, "plan_done", site=site)


def copy_time(run: _Run, i: int) -> float:
    """The point in time of the data CG i's secondary (or a clone of it) would give."""
    cg = run.cgs[i]
    if run.m.mode == "async" and cg.data_t is None:
        return run.dirs[run.m.cgs[i].from_site].last_completed_start
    return run.data_time(i)


def account(run: _Run, site: str, i: int, copy_t: float | None, from_clone: bool = False) -> None:
    """Record the data CG i's recovery loses: from its copy's time to the disaster."""
    d = run.dirs[site]
    if copy_t is None:
        loss_min, loss_mib = 0.0, 0.0
    else:
        # A disaster loses what was written after the copy's time; a planned failover what was
        # written after it until the writes stopped (nothing, when the images were Synchronized).
        stops = (d.disaster_t, d.writes_stopped_t, d.shutdown_t, run.t)
        end = next(t for t in stops if t is not None)
        loss_min = max(0.0, end - copy_t)
        loss_mib = run.volume_mib(site, copy_t, end) * run.m.cgs[i].share
    d.loss_min = max(d.loss_min or 0.0, loss_min)
    d.loss_mib = (d.loss_mib or 0.0) + loss_mib
    source = "clone" if from_clone else "secondary"
    if d.recovered_from != "clone":
        d.recovered_from = source


def on_plan_done(run: _Run, site: str) -> None:
    d = run.dirs[site]
    if d.unrecoverable:
        run.refuse(
            f"protection group {site}",
            states.ACTION_NAMES["plan_done"],
            states.state_label("plan", d.plan),
            "Some consistency groups have no usable copy: their VMs cannot start",
        )
        return
    out = run.machine_step("plan", f"protection group {site}", d.plan, "plan_done")
    if not out.ok:
        return
    d.plan = out.state
    if d.plan == "recovered":
        d.running = True
        d.running_at = run.m.directions[site].to_site
        if d.plan_done_t is None:
            d.plan_done_t = run.t
    elif d.plan == "failed_back":
        d.running = True
        d.running_at = site
    if run.m.mode == "async":
        run.kick_updates(site)


def on_reverse_mirrors(run: _Run, ev: SimEvent) -> None:
    site = _plan_site(run, ev, lambda d: d.plan == "recovered")
    if site is None:
        return
    members = list(run.m.directions[site].cgs)

    def extra(i: int) -> set[str]:
        return {"peer_up" if run.sites[site] == "up" else "peer_down"}

    def ok(i: int, out: states.Outcome, before: str) -> None:
        c = run.cgs[i]
        c.reversed = True
        c.primary_lost = False
        c.fractured_at = run.t
        c.data_t = None if run.m.mode == "sync" else run.t

    done = run.image_step(members, "reverse_mirrors", extra=extra, on_ok=ok)
    if done:
        d = run.dirs[site]
        d.failback_sync_gib = sum(run.m.cgs[i].capacity_gib for i in done)
        d.failback_sync_start = run.t
    run.start_syncs()


def on_run_failback_plan(run: _Run, ev: SimEvent) -> None:
    site = _plan_site(run, ev, lambda d: d.plan == "recovered")
    if site is None:
        return
    d = run.dirs[site]
    members = list(run.m.directions[site].cgs)
    in_sync = all(
        run.cgs[i].reversed and states.image_states()[run.cgs[i].state].protected for i in members
    ) and all(run.reachable(run.m.cgs[i], run.cgs[i]) for i in members)
    out = run.machine_step(
        "plan",
        f"protection group {site}",
        d.plan,
        "run_failback_plan",
        frozenset({"mirrors_in_sync" if in_sync else "mirrors_not_in_sync"}),
    )
    if not out.ok:
        return
    d.plan = out.state
    d.planned = True
    d.running = False
    d.shutdown_t = run.t
    d.writes_stopped_t = run.t
    d.plan_started_t = run.t
    d.awaiting_final = True
    # The reverse plan after the operators' own steps (shut down, unmount, final update), as the
    # runbook's failback procedure has them.
    if run.m.mode == "sync":
        run.push(run.t + run.m.quiesce_min, "quiesce", site=site)
    else:
        _final_update_warning(run, site)
        d.final_pending = True
        if d.in_flight is None:
            run.mva_start_update(site)
            if d.in_flight is None:
                d.final_pending = False
                run.push(run.t, "final_update_done", site=site)


def on_reprotect(run: _Run, ev: SimEvent) -> None:
    _plan_action(run, ev, lambda d: d.plan == "failed_back")


UserHandler = Callable[["_Run", SimEvent], None]

USER_EVENTS: dict[EventKind, UserHandler] = {
    "link_down": on_link_down,
    "link_up": on_link_up,
    "site_failure": on_site_failure,
    "site_restore": on_site_restore,
    "rebuild_site": on_rebuild_site,
    "sp_failure": on_sp_failure,
    "sp_restore": on_sp_restore,
    "admin_fracture": on_admin_fracture,
    "admin_sync": on_admin_sync,
    "clone_secondaries": on_clone_secondaries,
    "srm_test_start": on_srm_test_start,
    "srm_test_continue": on_srm_test_continue,
    "run_recovery_plan": on_run_recovery_plan,
    "reverse_mirrors": on_reverse_mirrors,
    "run_failback_plan": on_run_failback_plan,
    "reprotect": on_reprotect,
    "shutdown_vms": on_shutdown_vms,
    "unmount_datastores": on_unmount_datastores,
    "final_update": on_final_update_event,
    "sp_path_failure": faults.on_sp_path_failure,
    "sp_path_restore": faults.on_sp_path_restore,
    "rlp_full": faults.on_rlp_full,
}
"""The handler of every event a scenario file may name (``SimEvent.event``), built once."""

INTERNAL_EVENTS: dict[str, Callable[..., None]] = {
    "auto_fracture": on_auto_fracture,
    "final_update_done": on_final_update_done,
    "copy_done": on_copy_done,
    "quiesce": on_quiesce,
    "promote_all": on_promote_all,
    "plan_done": on_plan_done,
    "rebuilt_synced": on_rebuilt_synced,
}
"""The steps a run queues for itself while it plays an SRM plan, by the name it queues them with
(the MirrorView/A updates, rollbacks and resynchronisations have handlers of the run's own)."""

HANDLERS = EventHandlers(USER_EVENTS, INTERNAL_EVENTS)
"""The table every run dispatches through."""
