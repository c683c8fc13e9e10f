"""One run of one scenario: the event loop, the state machines' steps and the result."""

from __future__ import annotations

import heapq
from collections.abc import Callable, Sequence
from typing import Any

from srmkit import states
from srmkit.glossary import days as glossary_days
from srmkit.glossary import possessive
from srmkit.schema import SimEvent, SimScenario
from srmkit.simulation.model import _CgInfo, _Model
from srmkit.simulation.results import (
    ALL,
    EFFECT_NOTES,
    Refusal,
    Resync,
    ScenarioResult,
    Span,
    TimelineRow,
)
from srmkit.simulation.state import EventHandlers, SyncBatch, _Cg, _Direction, _Queued
from srmkit.units import (
    MIN_PER_DAY,
    clock_text,
    mib_to_gib,
)


class _Run:
    def __init__(
        self, model: _Model, sim: SimScenario, builtin: bool, handlers: EventHandlers
    ) -> None:
        self.handlers = handlers
        self.m = model
        self.sim = sim
        self.builtin = builtin
        self.clock0 = sim.start_min
        self.policy = sim.recovery_policy or model.policy
        self.guards_base = {
            model.mode,
            f"policy_{self.policy}",
            "wil_on" if model.wil else "wil_off",
        }
        # MirrorView/S images of a running Exchange are Consistent (it writes all the time), as
        # MirrorView/A images between updates are.
        self.cgs = [_Cg("consistent/normal") for _ in model.cgs]
        self.link = "up"
        self.sites = dict.fromkeys(model.site_names, "up")
        self.sps: dict[tuple[str, str], str] = {}
        self.failed_paths: set[tuple[str, str]] = set()
        """(array, SP) whose MirrorView path is down."""
        self.dirs = {s: _Direction(running_at=s) for s in model.directions}
        self.queue: list[_Queued] = []
        self.seq = 0
        self.t = 0.0
        self.timeline: list[TimelineRow] = []
        self.refused: list[Refusal] = []
        self.warnings: list[str] = []
        self.outage_token = 0
        self.link_down_t: float | None = None
        self.sync_batches: dict[tuple[str, str], SyncBatch] = {}
        self.snapshots: list[tuple[float, dict[str, tuple[str, str]]]] = []
        self.unprotected = 0.0
        self.last_eval_t = 0.0
        self.last_protected = True
        self.end_t = 0.0
        self.auto_resync_windows: list[tuple[str, float]] = []
        self.resyncs: list[Resync] = []
        self.write_stall_s = 0.0
        """The longest time MirrorView/S held Exchange's writes for the link. [s]"""

    # --- helpers ----------------------------------------------------------------------------
    def push(self, t: float, kind: str, routine: bool = False, **args: Any) -> None:
        self.seq += 1
        heapq.heappush(self.queue, _Queued(t, self.seq, kind, args, routine))

    def clock(self, t: float) -> str:
        return clock_text(self.clock0 + t)

    def volume_mib(self, from_site: str, a: float, b: float) -> float:
        """Volume the VMs of ``from_site`` wrote between scenario times a and b. [MiB]"""
        d = self.m.directions.get(from_site)
        if d is None or b <= a:
            return 0.0
        return d.volume.between(self.clock0 + a, self.clock0 + b)

    def reachable(self, info: _CgInfo, cg: _Cg) -> bool:
        """Whether the CG's two arrays can talk: the link and both sites are up, and the
        MirrorView path of the storage processor that owns it works on both arrays."""
        return (
            self.link == "up"
            and self.sites[info.from_site] == "up"
            and self.sites[info.to_site] == "up"
            and (info.source_array, info.owner_sp) not in self.failed_paths
            and (info.target_array, info.owner_sp) not in self.failed_paths
        )

    def flow(self, info: _CgInfo, cg: _Cg) -> tuple[str, str]:
        return (info.to_site, info.from_site) if cg.reversed else (info.from_site, info.to_site)

    def record(self, row: TimelineRow) -> None:
        self.timeline.append(row)

    def record_step(
        self, obj: str, machine: str, before: str, after: str, action: str, why: str, source: str
    ) -> None:
        """A timeline row for an object outside the state table: the operators' VMs and
        datastores, a storage processor's mirror path, a reserved LUN pool."""
        self.record(
            TimelineRow(
                self.t,
                self.clock(self.t),
                obj,
                (obj,),
                machine,
                before,
                after,
                states.ACTION_NAMES[action],
                why,
                source,
            )
        )

    def fracture_after_timeout(self, cause: str, cgs: Sequence[int] | None = None) -> None:
        """The other side of ``cgs`` (every group: None) stopped answering now: they fracture
        after the fracture timeout unless it answers again meanwhile (Method §4)."""
        self.push(
            self.t + self.m.fracture_timeout_min,
            "auto_fracture",
            token=self.outage_token,
            cause=cause,
            cgs=None if cgs is None else tuple(cgs),
            since=self.t,
        )

    # --- machines other than images -----------------------------------------------------------
    def refuse(
        self, obj: str, action: str, state: str, reason: str, allowed: Sequence[str] = ()
    ) -> None:
        """Record an action the state table does not allow now, with the actions it allows."""
        self.refused.append(
            Refusal(
                self.t,
                self.clock(self.t),
                obj,
                action,
                state,
                reason,
                tuple(states.ACTION_NAMES.get(a, a) for a in allowed),
            )
        )

    def machine_step(
        self,
        machine: str,
        obj: str,
        state: str,
        action: str,
        guards: frozenset[str] = frozenset(),
        cause: str | None = None,
    ) -> states.Outcome:
        out = states.step(machine, state, action, guards)
        name = states.ACTION_NAMES.get(action, action)
        if not out.ok:
            self.refuse(obj, name, states.state_label(machine, state), out.reason, out.allowed)
        elif out.state != state:
            self.record(
                TimelineRow(
                    self.t,
                    self.clock(self.t),
                    obj,
                    (obj,),
                    machine,
                    states.state_label(machine, state),
                    states.state_label(machine, out.state),
                    cause or name,
                    out.reason,
                    out.source,
                )
            )
        return out

    # --- images -------------------------------------------------------------------------------
    def image_step(
        self,
        indexes: Sequence[int],
        action: str,
        extra: Callable[[int], set[str]] | None = None,
        routine: bool = False,
        record_refusals: bool = True,
        on_ok: Callable[[int, states.Outcome, str], None] | None = None,
    ) -> list[int]:
        """Apply an action to CGs; group identical changes into one timeline row each.
        Returns the CGs for which it succeeded."""
        groups: dict[tuple[str, str, str, str], list[int]] = {}
        reasons: dict[tuple[str, str, str, str], states.Outcome] = {}
        refusals: dict[tuple[str, str], list[int]] = {}
        refusal_outcome: dict[tuple[str, str], states.Outcome] = {}
        done = []
        for i in indexes:
            cg = self.cgs[i]
            guards = set(self.guards_base)
            if extra is not None:
                guards |= extra(i)
            out = states.step("image", cg.state, action, frozenset(guards))
            if not out.ok:
                if record_refusals:
                    refused_key = (cg.state, out.reason)
                    refusals.setdefault(refused_key, []).append(i)
                    refusal_outcome[refused_key] = out
                continue
            before = cg.state
            cg.state = out.state
            done.append(i)
            if on_ok is not None:
                on_ok(i, out, before)
            if out.state != before or out.effect in ("clone", "reverse", "trespass", "from_clone"):
                info = self.m.cgs[i]
                f, t = self.flow(info, cg)
                key = (before, out.state, f"{f} → {t}", out.effect)
                groups.setdefault(key, []).append(i)
                reasons[key] = out
        name = states.ACTION_NAMES.get(action, action)
        for (before, after, label, _effect), members in groups.items():
            out = reasons[(before, after, label, _effect)]
            cause = f"{name}: {EFFECT_NOTES[_effect]}" if _effect in EFFECT_NOTES else name
            names = tuple(self.m.cgs[i].name for i in members)
            obj = names[0] if len(names) == 1 else f"{len(names)} consistency groups ({label})"
            self.record(
                TimelineRow(
                    self.t,
                    self.clock(self.t),
                    obj,
                    names,
                    "image",
                    states.state_label("image", before),
                    states.state_label("image", after),
                    cause,
                    out.reason,
                    out.source,
                    routine,
                )
            )
        for (state, _reason), members in refusals.items():
            out = refusal_outcome[(state, _reason)]
            names = tuple(self.m.cgs[i].name for i in members)
            obj = names[0] if len(names) == 1 else f"{len(names)} consistency groups"
            self.refuse(obj, name, states.state_label("image", state), out.reason, out.allowed)
        return done

    def cgs_of(self, selector: str | None) -> list[int]:
        if selector is None or selector == ALL:
            return list(range(len(self.cgs)))
        return [self.m.cg_index[selector]]

    def data_time(self, i: int) -> float:
        """The point in time of CG i's secondary data (its data_t, or now when current)."""
        cg = self.cgs[i]
        if cg.data_t is not None:
            return cg.data_t
        return self.t

    def freeze(self, i: int, at: float) -> None:
        """CG i's secondary stops receiving writes: it holds the data of ``at``."""
        cg = self.cgs[i]
        if cg.data_t is None:
            cg.data_t = at

    # --- MirrorView/A updates -----------------------------------------------------------------
    def start_cycles(self) -> None:
        """Place every direction's MV/A cycle at the scenario's start: from the periodic day, or
        after the days in service when the cycle never catches up (Method §5, §8)."""
        if self.m.mode != "async":
            return
        for site, d in self.dirs.items():
            info = self.m.directions[site]
            c0 = self.clock0
            last_start, in_flight, nxt = self.m.cycle_at(site, c0)
            d.last_completed_start = last_start - c0
            d.update_token += 1
            if in_flight is not None:
                d.in_flight = (in_flight[0] - c0, in_flight[1] - c0)
                for i in info.cgs:
                    self.cgs[i].state = "synchronizing/normal"
                self.push(in_flight[1] - c0, "update_end", True, site=site, token=d.update_token)
            else:
                self.push(nxt - c0, "update_start", True, site=site, token=d.update_token)
            for i in info.cgs:
                self.cgs[i].data_t = d.last_completed_start

    def mva_start_update(self, site: str) -> None:
        """Start an update of protection group ``site`` now: it sends every change since the
        start of its last completed update."""
        d = self.dirs[site]
        members = [
            i
            for i in self.m.directions[site].cgs
            if self.cgs[i].state == "consistent/normal"
            and self.reachable(self.m.cgs[i], self.cgs[i])
        ]
        if not members or (not d.running and not self.pending_final(site)):
            d.in_flight = None
            return
        # Nothing is written once the datastores are unmounted: an update carries the changes up
        # to then.
        until = self.t if d.writes_stopped_t is None else min(self.t, d.writes_stopped_t)
        volume = self.volume_mib(site, d.last_completed_start, until)
        if d.final_pending and d.final_start_t is None:
            d.final_start_t = self.t
        duration = volume * self.m.min_per_mib_update() + self.m.overhead_min
        d.update_token += 1
        d.in_flight = (self.t, self.t + duration)
        self.image_step(members, "update_start", routine=True, record_refusals=False)
        self.push(self.t + duration, "update_end", True, site=site, token=d.update_token)

    def pending_final(self, site: str) -> bool:
        """A final MV/A update was asked for (by the operators or a failback plan) and has not
        completed."""
        return self.dirs[site].final_pending

    def mva_end_update(self, site: str) -> None:
        d = self.dirs[site]
        if d.in_flight is None:
            return
        start, _end = d.in_flight
        members = [
            i for i in self.m.directions[site].cgs if self.cgs[i].state == "synchronizing/normal"
        ]
        d.last_completed_start = start
        d.in_flight = None

        def ok(i: int, out: states.Outcome, before: str) -> None:
            self.cgs[i].data_t = start

        self.image_step(members, "update_end", routine=True, record_refusals=False, on_ok=ok)
        if self.pending_final(site):
            if d.final_start_t is None or start < d.final_start_t:
                self.mva_start_update(site)  # the update in flight ended: the final one starts
                if d.in_flight is not None:
                    return
            d.final_pending = False
            d.final_start_t = None
            self.push(self.t, "final_update_done", site=site)
            return
        if not d.running:
            return
        duration = self.t - start
        if self.m.update_type == "start":
            nxt = start + max(self.m.interval_min or 0.0, duration)
        elif self.m.update_type == "end":
            nxt = self.t + (self.m.interval_min or 0.0)
        else:
            nxt = self._next_manual(self.t)
        d.update_token += 1
        self.push(max(nxt, self.t), "update_start", True, site=site, token=d.update_token)

    def _next_manual(self, t: float) -> float:
        times = sorted(self.m.manual_times) or [0.0]
        absolute = self.clock0 + t
        day = int(absolute // MIN_PER_DAY)
        for k in range(day, day + 2):
            for m in times:
                candidate = k * MIN_PER_DAY + m
                if candidate > absolute:
                    return candidate - self.clock0
        return t + MIN_PER_DAY

    # --- synchronisation ----------------------------------------------------------------------
    def start_syncs(self) -> None:
        """Start every queued synchronisation whose two sides can talk; CGs of one direction
        share its rate and finish together."""
        queued = [
            i
            for i, cg in enumerate(self.cgs)
            if cg.state.endswith("/queued_to_sync") and self.reachable(self.m.cgs[i], cg)
        ]
        if not queued:
            return
        by_flow: dict[tuple[str, str], list[int]] = {}
        for i in queued:
            by_flow.setdefault(self.flow(self.m.cgs[i], self.cgs[i]), []).append(i)
        for flow, members in by_flow.items():
            volumes = {i: self.sync_gib(i) for i in members}
            self.record_resyncs(flow, members, volumes)
            for i in members:
                if self.cgs[i].clone_t is None:
                    self.cgs[i].overwritten_without_clone = True
            self.image_step(members, "sync_start")
            batch = self.sync_batches.get(flow)
            rate = self.m.min_per_gib()
            if batch is not None:
                elapsed = self.t - batch.since
                batch.remaining_gib = max(0.0, batch.remaining_gib - elapsed / rate)
                batch.members += members
            else:
                batch = self.sync_batches[flow] = SyncBatch(members=list(members))
            batch.remaining_gib += sum(volumes.values())
            batch.since = self.t
            batch.token += 1
            self.push(
                self.t + batch.remaining_gib * rate, "sync_done", flow=flow, token=batch.token
            )
            if self.policy == "auto" and any(self.cgs[i].clone_t is None for i in members):
                self.auto_resync_windows.append((f"{flow[0]} → {flow[1]}", self.t))

    def sync_gib(self, i: int) -> float:
        """What CG i's synchronisation sends: its whole capacity when its secondary is out of
        sync, else the extents its primary marked dirty since the secondary stopped receiving
        writes: MirrorView/S, its own LUNs' dirty extents (``Study.cg_resync_gib``); MirrorView/A,
        its share of the direction's delta (``Study.resync_gib``), at most its capacity (Method
        §6). [GiB]"""
        info, cg = self.m.cgs[i], self.cgs[i]
        if cg.state.startswith("out_of_sync"):
            return info.capacity_gib
        since = cg.fractured_at if cg.fractured_at is not None else self.t
        if self.t <= since:
            return 0.0
        # The VMs of the CG's protection group write it, wherever they run now.
        if self.m.design.is_sync:  # its own LUNs' dirty extents (Method §6, v3)
            return self.m.cg_resync_gib(i, self.clock0 + since, self.t - since)
        direction = self.m.resync_gib(info.from_site, self.clock0 + since, self.t - since)
        return min(info.capacity_gib, direction * info.share)

    def record_resyncs(
        self, flow: tuple[str, str], members: Sequence[int], volumes: dict[int, float]
    ) -> None:
        """Record the synchronisations that start now over one direction of the link: the
        partial ones (from the fracture log) and the full ones, each with its volume."""
        for kind in ("partial", "full"):
            group = [
                i
                for i in members
                if self.cgs[i].state.startswith("out_of_sync") == (kind == "full")
            ]
            if not group:
                continue
            since = [t for i in group if (t := self.cgs[i].fractured_at) is not None]
            self.resyncs.append(
                Resync(
                    self.t,
                    self.clock(self.t),
                    f"{flow[0]} → {flow[1]}",
                    len(group),
                    kind,
                    sum(volumes[i] for i in group),
                    min(since) if since and kind == "partial" else None,
                )
            )

    def stall(self, seconds: float, what: str) -> None:
        """MirrorView/S held Exchange's writes for ``seconds`` (Method §4): the longest stall is
        the scenario's; above ``write_stall_warn_s`` it is a warning."""
        self.write_stall_s = max(self.write_stall_s, seconds)
        if seconds > self.m.write_stall_warn_s:
            self.warnings.append(
                f"At {self.clock(self.t - seconds / 60)} Exchange's writes to the mirrored LUNs "
                f"stalled for {seconds:,.1f} s, more than {self.m.write_stall_warn_s:g} s: "
                f"{what}. MirrorView/S acknowledges a write only when the secondary has it [S0]."
            )

    def sync_done(self, flow: tuple[str, str], token: int) -> None:
        batch = self.sync_batches.get(flow)
        if batch is None or batch.token != token:
            return
        members = [i for i in batch.members if self.cgs[i].state == "synchronizing/synchronizing"]
        del self.sync_batches[flow]

        def ok(i: int, out: states.Outcome, before: str) -> None:
            cg = self.cgs[i]
            cg.data_t = None if self.m.mode == "sync" else cg.data_t
            cg.fractured_at = None
            cg.overwritten_without_clone = False
            if self.m.mode == "async":
                cg.data_t = self.t

        self.image_step(members, "sync_done", on_ok=ok)
        for site in {self.m.cgs[i].from_site for i in members}:
            d = self.dirs[site]
            if d.failback_sync_start is not None and d.failback_sync_end is None:
                d.failback_sync_end = self.t
                gone = self.t - (
                    d.disaster_t if d.disaster_t is not None else d.failback_sync_start
                )
                self.warnings.append(
                    f"The failback's full synchronisation of {d.failback_sync_gib:,.0f} GiB back "
                    f"to {site} took {(self.t - d.failback_sync_start) / 60:,.1f} h; "
                    f"{possessive(site)} VMs "
                    f"had no remote copy for {gone / MIN_PER_DAY:,.1f} days, from the disaster "
                    "until it ended [S0]."
                )
        if self.m.mode == "async":
            for site in {self.m.cgs[i].from_site for i in members}:
                self.dirs[site].last_completed_start = self.t
                self.kick_updates(site)

    def kick_updates(self, site: str) -> None:
        """Resume a direction's MV/A updates now (after a fracture ends)."""
        if self.m.mode != "async" or site not in self.dirs:
            return
        d = self.dirs[site]
        if d.in_flight is None:
            d.update_token += 1
            self.push(self.t, "update_start", True, site=site, token=d.update_token)

    # --- reachability -------------------------------------------------------------------------
    def lose_reach(self, indexes: Sequence[int], lost_at: float) -> None:
        """CGs whose sides cannot talk past the fracture timeout: fracture (or roll back). A
        MirrorView/S secondary holds the data of ``lost_at``, when it stopped receiving writes
        (the link or the site lost, Method §4 and §8); the primary tracks changes from then."""

        rolled: list[int] = []

        def ok(i: int, out: states.Outcome, before: str) -> None:
            cg = self.cgs[i]
            if self.m.mode == "sync":
                self.freeze(i, lost_at)
            if cg.fractured_at is None:
                cg.fractured_at = lost_at
            if out.effect == "rollback":
                rolled.append(i)

        affected = [i for i in indexes if self.cgs[i].state != "primary/local_only"]
        interrupted = {site: self.interrupted_mib(site) for site in self.dirs}
        self.image_step(affected, "unreachable", record_refusals=False, on_ok=ok)
        if rolled:  # the groups rolled back together complete together: one timeline row
            self.roll_back(rolled, interrupted)
        for batch_flow, batch in list(self.sync_batches.items()):
            if not any(self.cgs[i].state == "synchronizing/synchronizing" for i in batch.members):
                del self.sync_batches[batch_flow]
        if self.m.mode == "async":
            for site, d in self.dirs.items():
                members = self.m.directions[site].cgs
                if all(self.cgs[i].state != "synchronizing/normal" for i in members):
                    d.in_flight = None
                    d.update_token += 1

    def interrupted_mib(self, site: str) -> float:
        """What the update in flight of ``site``'s direction has written to the secondaries so
        far: what a rollback to the gold copy restores (Method §8, v3). [MiB]"""
        d = self.dirs[site]
        if d.in_flight is None:
            return 0.0
        start, end = d.in_flight
        volume = self.volume_mib(site, d.last_completed_start, start)
        return volume * min(1.0, (self.t - start) / (end - start)) if end > start else volume

    def roll_back(self, rolled: Sequence[int], interrupted: dict[str, float]) -> None:
        """CGs roll back to their gold copies together: done after the interrupted update's data
        is restored at ``rollback_mib_per_s`` (Method §8, v3)."""
        sites = {self.m.cgs[i].from_site for i in rolled}
        wait = max(self.m.rollback_min(interrupted.get(s, 0.0)) for s in sites)
        for i in rolled:
            self.cgs[i].rollback_until = self.t + wait
        self.push(self.t + wait, "rollback_done", indexes=tuple(rolled))

    def regain_reach(self, indexes: Sequence[int]) -> None:
        def ok(i: int, out: states.Outcome, before: str) -> None:
            if out.effect == "resume_updates":
                self.cgs[i].fractured_at = None

        candidates = [
            i
            for i in indexes
            if self.reachable(self.m.cgs[i], self.cgs[i]) and ("fractured" in self.cgs[i].state)
        ]
        self.image_step(candidates, "reachable", record_refusals=False, on_ok=ok)
        self.start_syncs()
        for site in self.dirs:
            self.kick_updates(site)

    # --- events -----------------------------------------------------------------------------
    def event(self, ev: SimEvent) -> None:
        """A scenario's own event, through the handler of its kind (one per kind, built once)."""
        self.handlers.user[ev.event](self, ev)

    # --- protection and the Gantt snapshot ----------------------------------------------------
    def protected_now(self) -> bool:
        """Whether every protection group's running VMs have a current consistent remote copy
        (a link loss shorter than the fracture timeout leaves it current: writes wait)."""
        table = states.image_states()
        for site, d in self.dirs.items():
            if not d.running:
                return False
            for i in self.m.directions[site].cgs:
                cg, info = self.cgs[i], self.m.cgs[i]
                if cg.primary_lost or not table[cg.state].protected:
                    return False
                if self.sites[self.flow(info, cg)[1]] != "up":
                    return False
        return True

    def account_time(self, now: float) -> None:
        if not self.last_protected:
            self.unprotected += now - self.last_eval_t
        self.last_eval_t = now

    def snapshot(self) -> None:
        table = states.image_states()
        snap: dict[str, tuple[str, str]] = {
            "Link": (self.link, "protected" if self.link == "up" else "down")
        }
        for s, st in self.sites.items():
            snap[f"Site {s}"] = (st, "protected" if st == "up" else "down")
        for site, d in self.dirs.items():
            info = self.m.directions[site]
            worst = None
            order = ["exposed", "unprotected", "fractured", "protected"]
            labels = []
            for i in info.cgs:
                cg = self.cgs[i]
                entry = table[cg.state]
                if cg.state == "primary/local_only":
                    cat = "unprotected"
                elif not entry.usable:
                    cat = "exposed"
                elif not entry.protected or self.sites[self.flow(self.m.cgs[i], cg)[1]] != "up":
                    cat = "fractured"
                else:
                    cat = "protected"
                if worst is None or order.index(cat) < order.index(worst):
                    worst = cat
                labels.append(entry.label)
            common = max(set(labels), key=labels.count) if labels else ""
            snap[f"Mirrors {info.label}"] = (common, worst or "protected")
            plan_cat = {"testing": "test", "recovering": "down", "failing_back": "down"}.get(
                d.plan, "protected" if d.running else "down"
            )
            if d.plan == "recovered":
                plan_cat = "unprotected"
            snap[f"Protection group {site}"] = (states.state_label("plan", d.plan), plan_cat)
        if not self.snapshots or self.snapshots[-1][1] != snap:
            self.snapshots.append((self.t, snap))

    # --- the loop -----------------------------------------------------------------------------
    def run(self) -> ScenarioResult:
        for n, ev in enumerate(sorted(self.sim.events, key=lambda e: e.at_min)):
            self.push(ev.at_min, "user", event=ev, n=n)
        self.start_cycles()
        self.last_protected = self.protected_now()
        self.snapshot()
        last_user = max(e.at_min for e in self.sim.events)
        while self.queue:
            item = self.queue[0]
            if (
                item.routine
                and item.t > last_user
                and all(q.routine for q in self.queue)
                and not any(self.pending_final(s) for s in self.dirs)
            ):
                break
            heapq.heappop(self.queue)
            self.account_time(item.t)
            self.t = item.t
            if item.kind == "user":
                self.event(item.args["event"])
            elif item.kind == "update_start":
                d = self.dirs[item.args["site"]]
                if item.args["token"] == d.update_token:
                    self.mva_start_update(item.args["site"])
            elif item.kind == "update_end":
                d = self.dirs[item.args["site"]]
                if item.args["token"] == d.update_token:
                    self.mva_end_update(item.args["site"])
            elif item.kind == "rollback_done":
                self.image_step(list(item.args["indexes"]), "rollback_done", record_refusals=False)
            elif item.kind == "sync_done":
                self.sync_done(item.args["flow"], item.args["token"])
            else:
                self.handlers.internal[item.kind](self, **item.args)
            if not item.routine:
                self.end_t = max(self.end_t, self.t)
            self.last_protected = self.protected_now()
            self.snapshot()
        self.end_t = max(self.end_t, last_user)
        self.account_time(self.end_t)
        return self.result()

    def result(self) -> ScenarioResult:
        disasters = [d for d in self.dirs.values() if d.disaster_t is not None]
        recovered = [d for d in self.dirs.values() if d.plan_done_t is not None]
        unrecoverable = any(d.unrecoverable for d in self.dirs.values())
        loss_min: float | None = 0.0
        loss_mib: float | None = 0.0
        for d in disasters:
            if d.loss_min is not None:
                loss_min = max(loss_min or 0.0, d.loss_min)
                loss_mib = (loss_mib or 0.0) + (d.loss_mib or 0.0)
        for d in self.dirs.values():
            if d.planned and d.loss_min is not None:
                loss_min = max(loss_min or 0.0, d.loss_min)
        if unrecoverable:
            loss_min = loss_mib = None
        rto = None
        for d in recovered:
            begin = d.disaster_t if d.disaster_t is not None else d.shutdown_t
            if begin is not None and d.plan_done_t is not None:
                took = d.plan_done_t - begin
                rto = took if rto is None else max(rto, took)
        if unrecoverable:
            rto = None
        self.final_warnings(disasters, unrecoverable)
        source = None
        for d in self.dirs.values():
            if d.recovered_from:
                source = d.recovered_from if source != "clone" else source
        return ScenarioResult(
            name=self.sim.name,
            description=self.sim.description or "",
            builtin=self.builtin,
            start_clock=self.sim.start,
            data_loss_min=loss_min,
            data_loss_mib=loss_mib,
            recoverable=not unrecoverable,
            rto_min=rto,
            unprotected_min=self.unprotected,
            protected_at_end=self.last_protected,
            end_min=self.end_t,
            recovered_from=source,
            warnings=tuple(dict.fromkeys(self.warnings)),
            timeline=tuple(self.timeline),
            refused=tuple(self.refused),
            spans=tuple(self.spans()),
            data_loss_unbounded=self.m.unbounded,
            lag_growth_h_per_day=self.m.lag_growth_h_per_day,
            days_in_service=self.m.days_in_service if self.m.unbounded else None,
            write_stall_s=self.write_stall_s,
            resync_gib=sum(x.resync_gib for x in self.resyncs if x.kind == "partial"),
            resyncs=tuple(self.resyncs),
            srm_protected_at_end=all(d.plan == "protected" for d in self.dirs.values()),
            test_ready_min=max(
                (
                    d.test_ready_t - t0
                    for d in self.dirs.values()
                    if (t0 := d.test_started_t) is not None and d.test_ready_t is not None
                ),
                default=None,
            ),
            declared_min=max(
                (
                    d.plan_started_t - d.disaster_t
                    for d in recovered
                    if d.disaster_t is not None and d.plan_started_t is not None
                ),
                default=None,
            ),
            after_decision_min=None
            if rto is None
            else max(
                (
                    d.plan_done_t - d.plan_started_t
                    for d in recovered
                    if d.plan_done_t is not None and d.plan_started_t is not None
                ),
                default=None,
            ),
        )

    def unbounded_warnings(self) -> None:
        """Say, for every MirrorView/A direction that never catches up, that the scenario's
        losses and final updates are lower bounds that grow every day (Method §8)."""
        days = self.m.days_in_service
        for site, lag in self.m.lags.items():
            carried_gib = float(mib_to_gib(lag.carried_mib_per_day))
            self.warnings.append(
                f"MirrorView/A {self.m.directions[site].label} never catches up: a day's writes "
                f"({float(mib_to_gib(lag.daily_mib)):,.0f} GiB) exceed what the link carries in a "
                f"day ({carried_gib:,.0f} GiB), so the secondary falls "
                f"{lag.growth_h_per_day:,.1f} h further behind every day. This scenario starts "
                f"after {glossary_days(days)} in service: every loss and final "
                "update in it is a lower bound, larger the longer the design has run (Method §8)."
            )

    def final_warnings(self, disasters: list[_Direction], unrecoverable: bool) -> None:
        self.unbounded_warnings()
        for site, d in self.dirs.items():
            if d.disaster_t is not None and d.plan_started_t is None:
                self.warnings.append(
                    f"No recovery plan was run after {site} was lost: its VMs stay down."
                )
        if unrecoverable:
            lost = sorted(
                {
                    self.m.cgs[i].name
                    for i, cg in enumerate(self.cgs)
                    if cg.overwritten_without_clone
                }
            )
            self.warnings.append(
                "The recovery site held no usable copy"
                + (
                    f" of {', '.join(lost[:3])}{' and others' if len(lost) > 3 else ''}"
                    if lost
                    else ""
                )
                + ": an automatic resynchronisation had overwritten the only consistent copy. Set "
                "the recovery policy to Manual and clone the secondaries before synchronising [S0]."
            )
        elif self.auto_resync_windows and self.m.mode == "sync":
            label, start = self.auto_resync_windows[0]
            self.warnings.append(
                f"From {self.clock(start)} an automatic resynchronisation ({label}) overwrote the "
                "secondaries with no clone taken first: until it ended a site loss would have "
                "left no usable copy. Set the recovery policy to Manual and clone the secondaries "
                "first [S0]."
            )
        if not self.last_protected and not unrecoverable:
            for site, d in self.dirs.items():
                if d.plan == "recovered" and d.running:
                    self.warnings.append(
                        f"At the end, {possessive(site)} VMs run at {d.running_at} with no remote "
                        "copy "
                        "until the original site is rebuilt, the mirrors reversed and fully "
                        "synchronised (failback) [S0]."
                    )

    def spans(self) -> list[Span]:
        out: list[Span] = []
        if not self.snapshots:
            return out
        rows = list(self.snapshots[0][1])
        for row in rows:
            start, current = None, None
            for t, snap in self.snapshots:
                value = snap.get(row)
                if value != current:
                    if current is not None and start is not None and t > start:
                        out.append(Span(row, current[0], current[1], start, t))
                    start, current = t, value
            if current is not None and start is not None:
                end = max(self.end_t, start)
                out.append(Span(row, current[0], current[1], start, end))
        return out
