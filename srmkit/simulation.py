"""The failover state simulator: failure scenarios played out on a design (Method §8).

A scenario is a list of events at times after its start (a link lost, a site lost, an SRM test,
a recovery plan run, the failback steps, …). The simulator plays them on the design's own
consistency groups, arrays, sites and protection groups with the state table of
:mod:`srmkit.states`, and times what follows from the design's numbers: automatic fracture after
``auto_fracture_s``, resynchronisation and full synchronisation at the design's synchronisation
rate (Method §6) from the volume the daily profile writes at the scenario's clock time,
MirrorView/A updates by the cycle model (Method §5), and the recovery plan's steps (Method §8).

Each scenario's result holds every state change (timeline), the data lost at a disaster
measured from the copy the recovery actually used (the secondary when usable, else the latest
protective clone; nothing usable: unrecoverable, no number), the RTO, the time without a current
remote copy, and warnings citing the white paper. Actions the table refuses are listed with
their reason and the actions allowed at that moment.

Model choices (each follows a row of the state table; see ``docs/method.md`` §8):

- all members of a consistency group share its image state (they fracture and synchronise
  together [S0]); CGs whose states change alike at one moment are one timeline row;
- consistency groups synchronising in one direction of the link share its synchronisation rate
  and finish together; the two directions run in parallel;
- a MirrorView/S secondary that stops receiving writes holds the data of that moment: the
  fracture (link or secondary lost past the auto-fracture time) or the primary's loss;
- a MirrorView/A secondary holds the start of its last completed update; an update interrupted
  by a fracture or a promote is rolled back to the gold copy (instantly: it is pointer-based);
- a planned failover (the recovery plan run while the protected site is up) shuts the VMs down,
  waits for the quiesce threshold (MirrorView/S) or a final update (MirrorView/A) and promotes
  normally: the mirrors reverse with nothing lost and no resynchronisation [S0].
"""

from __future__ import annotations

import heapq
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from srmkit import states
from srmkit.design import Design
from srmkit.glossary import possessive
from srmkit.mva import Volume
from srmkit.params import Problem, ScenarioError, problem_at
from srmkit.schema import BUILTIN_SCENARIOS, MAX_SCENARIO_MIN, SimEvent, SimScenario
from srmkit.units import (
    MIN_PER_DAY,
    clock_text,
    gib_to_mbit,
    h_to_min,
    mib_to_gib,
    mib_to_mbit,
    s_to_min,
)

ALL = "all"
EFFECT_NOTES = {
    "reverse": "roles swapped, mirrors reversed",
    "reverse_full": "roles swapped; the new secondary needs a full synchronisation",
    "local_only": "force / local only",
    "rollback": "rolled back to the gold copy",
    "from_clone": "the clone runs as the primary",
    "trespass": "LUNs trespassed to the peer SP",
    "full_sync": "full synchronisation",
}
PROTECTED_PLAN_STATES = ("protected", "testing")


# --- results ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineRow:
    """One state change: when, of what, from which state to which, and why."""

    t_min: float
    clock: str
    object: str
    """What changed: ``link``, ``site Utrecht``, ``CG_EXMBX01_1`` or ``12 consistency groups
    (Amsterdam → Utrecht)``."""
    objects: tuple[str, ...]
    machine: str
    from_state: str
    to_state: str
    cause: str
    """The action, in words."""
    reason: str
    source: str
    routine: bool = False
    """A MirrorView/A update of the normal cycle (documents leave these out)."""


@dataclass(frozen=True)
class Refusal:
    """An action the state table refused, with its reason and the actions allowed then."""

    t_min: float
    clock: str
    object: str
    action: str
    state: str
    reason: str
    allowed: tuple[str, ...]


@dataclass(frozen=True)
class Span:
    """One bar of the Gantt figure: an object in a state from ``start_min`` to ``end_min``."""

    row: str
    label: str
    category: str
    """``protected``, ``exposed`` (no usable copy), ``fractured``, ``down``, ``test`` or
    ``unprotected``."""
    start_min: float
    end_min: float


@dataclass(frozen=True)
class ScenarioResult:
    """A scenario played out on the design."""

    name: str
    description: str
    builtin: bool
    start_clock: str
    data_loss_min: float | None
    """Minutes of writes lost at the disaster (0 with no disaster); None if unrecoverable."""
    data_loss_mib: float | None
    """Replicated volume written in those minutes. [MiB]"""
    recoverable: bool
    rto_min: float | None
    """From the disaster (or the planned shutdown) to the VMs serving users; None when no
    recovery plan finished."""
    unprotected_min: float
    """Time during which some protected VMs had no current consistent remote copy. [min]"""
    protected_at_end: bool
    end_min: float
    recovered_from: str | None
    """``secondary``, ``clone`` or None (no recovery)."""
    warnings: tuple[str, ...]
    timeline: tuple[TimelineRow, ...]
    refused: tuple[Refusal, ...]
    spans: tuple[Span, ...]


# --- the design as the simulator sees it -------------------------------------------------------


@dataclass(frozen=True)
class _CgInfo:
    name: str
    servers: tuple[str, ...]
    luns: int
    capacity_gib: float
    source_array: str
    target_array: str
    from_site: str
    to_site: str
    share: float
    """Share of its direction's written volume. [fraction]"""


@dataclass(frozen=True)
class _DirectionInfo:
    label: str
    from_site: str
    to_site: str
    volume: Volume
    cgs: tuple[int, ...]
    """Indexes into the CG list."""
    recovery_steps: tuple[tuple[str, float, int], ...]
    """(step, minutes, count) of the recovery plan of this direction's VMs."""


class _Model:
    """Per-design facts the simulator uses: built once per design (cached)."""

    def __init__(self, design: Design) -> None:
        self.design = design
        a = design.a
        scenario = design.scenario
        self.mode = design.mode
        self.policy = scenario.replication.recovery_policy
        self.wil = scenario.replication.write_intent_log
        self.auto_fracture_min = float(s_to_min(a.auto_fracture_s))
        self.quiesce_min = float(s_to_min(a.quiesce_threshold_s))
        self.declare_min = a.declare_min
        self.sync_rate_mbps = design.sync_rate_mbps
        self.site_names = tuple(s.name for s in scenario.sites)
        site_of = {arr.name: arr.site for arr in scenario.arrays}
        self.array_family = {arr.name: design.models[arr.name].family for arr in scenario.arrays}
        self.cgs: list[_CgInfo] = []
        for cg in design.plan.cgs:
            _label, share = design.cg_write_share(cg)
            self.cgs.append(
                _CgInfo(
                    cg.name,
                    cg.servers,
                    cg.luns,
                    cg.capacity_gib,
                    cg.source_array,
                    cg.target_array,
                    site_of[cg.source_array],
                    site_of[cg.target_array],
                    share,
                )
            )
        self.cg_index = {c.name: i for i, c in enumerate(self.cgs)}
        self.directions: dict[str, _DirectionInfo] = {}
        for d in design.directions:
            recovery = design.recovery_of(d.from_site)
            self.directions[d.from_site] = _DirectionInfo(
                d.label,
                d.from_site,
                d.to_site,
                Volume(d.hourly_mib.tolist()),
                tuple(i for i, c in enumerate(self.cgs) if c.from_site == d.from_site),
                tuple((s.step, s.minutes, s.count) for s in recovery.steps),
            )
        r = scenario.replication
        self.update_type = r.update_type
        self.interval_min = r.update_interval_min
        self.manual_times = design.manual_times_min
        self.overhead_min = float(s_to_min(a.update_overhead_s))
        self.cycles = design.cycles if self.mode == "async" else {}
        busiest = design.busiest_direction.hourly_mib if design.directions else None
        self.busy_hours = (
            {h for h, v in enumerate(busiest) if v > float(busiest.mean())}
            if busiest is not None
            else set()
        )
        self.test_duration_min = float(h_to_min(a.test_duration_h))
        self.rlp = design.rlp
        self.results: dict[str, ScenarioResult] = {}
        """Results of the built-in and the file's scenarios, played once per design."""

    def min_per_gib(self) -> float:
        """Minutes to synchronise one GiB at the synchronisation rate. [min/GiB]"""
        return float(s_to_min(gib_to_mbit(1.0) / self.sync_rate_mbps))

    def min_per_mib_update(self) -> float:
        """Minutes to send one MiB in an MV/A update at the effective rate. [min/MiB]"""
        return float(s_to_min(mib_to_mbit(1.0) / self.design.effective_rate_mbps))


_MODELS: weakref.WeakKeyDictionary[Design, _Model] = weakref.WeakKeyDictionary()


def _model(design: Design) -> _Model:
    model = _MODELS.get(design)
    if model is None:
        model = _MODELS[design] = _Model(design)
    return model


# --- one run ----------------------------------------------------------------------------------


def _constant(guards: set[str]) -> Callable[[int], set[str]]:
    """Extra guards that are the same for every CG."""

    def extra(_i: int) -> set[str]:
        return guards

    return extra


@dataclass
class _Cg:
    state: str
    data_t: float | None = None
    """The point in time of the secondary's data; None while it receives every write."""
    clone_t: float | None = None
    """The point in time of the latest protective clone's data; None: no clone."""
    reversed: bool = False
    """Mirroring from the recovery site back to the original site (after a promote)."""
    primary_lost: bool = False
    overwritten_without_clone: bool = False
    fractured_at: float | None = None


@dataclass
class _Direction:
    """One protection group: where its VMs run and how its MirrorView/A cycle stands."""

    running_at: str
    running: bool = True
    disaster_t: float | None = None
    shutdown_t: float | None = None
    plan: str = "protected"
    last_completed_start: float = 0.0
    in_flight: tuple[float, float] | None = None
    update_token: int = 0
    recovered_from: str | None = None
    loss_min: float | None = None
    loss_mib: float | None = None
    unrecoverable: bool = False
    plan_done_t: float | None = None
    """When the recovery plan finished (the VMs serve users at the recovery site)."""
    plan_started_t: float | None = None
    failback_sync_gib: float = 0.0
    failback_sync_start: float | None = None
    failback_sync_end: float | None = None
    planned: bool = False


@dataclass(order=True)
class _Queued:
    t: float
    seq: int
    kind: str = field(compare=False)
    args: dict[str, Any] = field(compare=False)
    routine: bool = field(compare=False, default=False)


class _Run:
    def __init__(self, model: _Model, sim: SimScenario, builtin: bool) -> None:
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
        self.cgs = [
            _Cg("synchronized/normal" if model.mode == "sync" else "consistent/normal")
            for _ in model.cgs
        ]
        if model.mode == "sync":
            for cg in self.cgs:
                cg.state = "consistent/normal"  # Exchange writes all the time
        self.link = "up"
        self.sites = dict.fromkeys(model.site_names, "up")
        self.sps: dict[tuple[str, str], str] = {}
        self.dirs = {s: _Direction(running_at=s) for s in model.directions}
        self.queue: list[_Queued] = []
        self.seq = 0
        self.t = 0.0
        self.timeline: list[TimelineRow] = []
        self.refused: list[Refusal] = []
        self.warnings: list[str] = []
        self.outage_token = 0
        self.link_down_t: float | None = None
        self.sync_batches: dict[tuple[str, str], dict[str, Any]] = {}
        self.snapshots: list[tuple[float, dict[str, tuple[str, str]]]] = []
        self.unprotected = 0.0
        self.last_eval_t = 0.0
        self.last_protected = True
        self.end_t = 0.0
        self.auto_resync_windows: list[tuple[str, float]] = []

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
        """Whether the CG's two arrays can talk: the link and both sites are up."""
        return (
            self.link == "up"
            and self.sites[info.from_site] == "up"
            and self.sites[info.to_site] == "up"
        )

    def flow(self, info: _CgInfo, cg: _Cg) -> tuple[str, str]:
        return (info.to_site, info.from_site) if cg.reversed else (info.from_site, info.to_site)

    def record(self, row: TimelineRow) -> None:
        self.timeline.append(row)

    # --- machines other than images -----------------------------------------------------------
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
            self.refused.append(
                Refusal(
                    self.t,
                    self.clock(self.t),
                    obj,
                    name,
                    states.state_label(machine, state),
                    out.reason,
                    tuple(states.ACTION_NAMES.get(a, a) for a in out.allowed),
                )
            )
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
            self.refused.append(
                Refusal(
                    self.t,
                    self.clock(self.t),
                    obj,
                    name,
                    states.state_label("image", state),
                    out.reason,
                    tuple(states.ACTION_NAMES.get(a, a) for a in out.allowed),
                )
            )
        return done

    def cgs_of(self, selector: str | None) -> list[int]:
        if selector is None or selector == ALL:
            return list(range(len(self.cgs)))
        return [self.m.cg_index[selector]]

    def cgs_flowing(self, from_site: str) -> list[int]:
        """CGs whose primary images are at ``from_site`` now."""
        return [
            i for i, info in enumerate(self.m.cgs) if self.flow(info, self.cgs[i])[0] == from_site
        ]

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
        """Place every direction's MV/A cycle at the scenario's start, from the periodic day."""
        if self.m.mode != "async":
            return
        for site, d in self.dirs.items():
            info = self.m.directions[site]
            cycle = self.m.cycles.get(info.label)
            c0 = self.clock0
            last_start, in_flight, nxt = c0 - (self.m.interval_min or 60.0), None, c0
            if cycle is not None and cycle.updates:
                ups = [(u.start_min, u.start_min + u.duration_min) for u in cycle.updates]
                ups = (
                    [(s - MIN_PER_DAY, e - MIN_PER_DAY) for s, e in ups]
                    + ups
                    + [(s + MIN_PER_DAY, e + MIN_PER_DAY) for s, e in ups]
                )
                completed = [s for s, e in ups if e <= c0]
                last_start = max(completed) if completed else c0 - MIN_PER_DAY
                flying = [(s, e) for s, e in ups if s <= c0 < e]
                in_flight = flying[0] if flying else None
                later = [s for s, _ in ups if s > c0]
                nxt = min(later) if later else c0 + (self.m.interval_min or 60.0)
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
        volume = self.volume_mib(site, d.last_completed_start, self.t)
        duration = volume * self.m.min_per_mib_update() + self.m.overhead_min
        d.update_token += 1
        d.in_flight = (self.t, self.t + duration)
        self.image_step(members, "update_start", routine=True, record_refusals=False)
        self.push(self.t + duration, "update_end", True, site=site, token=d.update_token)

    def pending_final(self, site: str) -> bool:
        """A planned failover or failback waits for the final MV/A update."""
        d = self.dirs[site]
        return d.planned and not d.running and d.plan in ("recovering", "failing_back")

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
            if d.shutdown_t is not None and start < d.shutdown_t:
                self.mva_start_update(site)  # the final update: every change to the shutdown
                if d.in_flight is not None:
                    return
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
            volumes = {}
            for i in members:
                info, cg = self.m.cgs[i], self.cgs[i]
                if cg.state.startswith("out_of_sync"):
                    volumes[i] = info.capacity_gib
                else:
                    since = cg.fractured_at if cg.fractured_at is not None else self.t
                    written = mib_to_gib(self.volume_mib(flow[0], since, self.t)) * info.share
                    volumes[i] = min(info.capacity_gib, float(written))
            for i in members:
                if self.cgs[i].clone_t is None:
                    self.cgs[i].overwritten_without_clone = True
            self.image_step(members, "sync_start")
            batch = self.sync_batches.get(flow)
            rate = self.m.min_per_gib()
            if batch is not None:
                elapsed = self.t - batch["since"]
                batch["remaining_gib"] = max(0.0, batch["remaining_gib"] - elapsed / rate)
                batch["members"] += members
            else:
                batch = {"remaining_gib": 0.0, "members": list(members), "token": 0}
                self.sync_batches[flow] = batch
            batch["remaining_gib"] += sum(volumes.values())
            batch["since"] = self.t
            batch["token"] += 1
            self.push(
                self.t + batch["remaining_gib"] * rate, "sync_done", flow=flow, token=batch["token"]
            )
            if self.policy == "auto" and any(self.cgs[i].clone_t is None for i in members):
                self.auto_resync_windows.append((f"{flow[0]} → {flow[1]}", self.t))

    def sync_done(self, flow: tuple[str, str], token: int) -> None:
        batch = self.sync_batches.get(flow)
        if batch is None or batch["token"] != token:
            return
        members = [
            i for i in batch["members"] if self.cgs[i].state == "synchronizing/synchronizing"
        ]
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
    def lose_reach(self, indexes: Sequence[int], at_fracture: float) -> None:
        """CGs whose sides cannot talk past the auto-fracture time: fracture (or roll back)."""

        def ok(i: int, out: states.Outcome, before: str) -> None:
            cg = self.cgs[i]
            if self.m.mode == "sync":
                self.freeze(i, at_fracture)
            if cg.fractured_at is None:
                cg.fractured_at = at_fracture
            if out.effect == "rollback":
                self.push(self.t, "rollback_done", index=i)

        affected = [i for i in indexes if self.cgs[i].state != "primary/local_only"]
        self.image_step(affected, "unreachable", record_refusals=False, on_ok=ok)
        for batch_flow, batch in list(self.sync_batches.items()):
            if not any(
                self.cgs[i].state == "synchronizing/synchronizing" for i in batch["members"]
            ):
                del self.sync_batches[batch_flow]
        if self.m.mode == "async":
            for site, d in self.dirs.items():
                members = self.m.directions[site].cgs
                if all(self.cgs[i].state != "synchronizing/normal" for i in members):
                    d.in_flight = None
                    d.update_token += 1

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
        if self.policy == "manual" and any(
            self.cgs[i].state.endswith("waiting_on_admin") for i in candidates
        ):
            pass
        self.start_syncs()
        for site in self.dirs:
            self.kick_updates(site)

    # --- user events --------------------------------------------------------------------------
    def event(self, ev: SimEvent) -> None:
        kind = ev.event
        handler = getattr(self, f"on_{kind}")
        handler(ev)

    def on_link_down(self, ev: SimEvent) -> None:
        if self.machine_step("link", "link", self.link, "link_down").ok:
            self.link = "down"
            self.link_down_t = self.t
            self.outage_token += 1
            self.push(
                self.t + self.m.auto_fracture_min,
                "auto_fracture",
                token=self.outage_token,
                cause="link",
            )

    def on_link_up(self, ev: SimEvent) -> None:
        if not self.machine_step("link", "link", self.link, "link_up").ok:
            return
        self.link = "up"
        down = self.link_down_t
        self.outage_token += 1
        if down is not None and self.t - down < self.m.auto_fracture_min:
            seconds = (self.t - down) * 60
            self.warnings.append(
                f"The link was down for {seconds:,.0f} s, less than the auto-fracture time "
                f"({self.m.auto_fracture_min * 60:,.0f} s): the mirrors were not fractured"
                + (
                    "; MirrorView/S writes waited for the link meanwhile [S0]."
                    if self.m.mode == "sync"
                    else "; MirrorView/A carried on [S0]."
                )
            )
        self.link_down_t = None
        self.regain_reach(range(len(self.cgs)))

    def on_auto_fracture(
        self, token: int, cause: str, cgs: Sequence[int] | None = None, since: float | None = None
    ) -> None:
        if cause == "link" and (token != self.outage_token or self.link != "down"):
            return
        indexes = list(range(len(self.cgs))) if cgs is None else list(cgs)
        indexes = [i for i in indexes if not self.reachable(self.m.cgs[i], self.cgs[i])]
        self.lose_reach(indexes, self.t)

    def on_site_failure(self, ev: SimEvent) -> None:
        site = ev.site
        assert site is not None
        if not self.machine_step("site", f"site {site}", self.sites[site], "site_failure").ok:
            return
        self.sites[site] = "down"
        # VMs running at the site stop: their secondaries hold what they had at this moment.
        for psite, d in self.dirs.items():
            if d.running and d.running_at == site:
                d.running = False
                d.disaster_t = self.t
                members = [
                    i
                    for i in self.m.directions[psite].cgs
                    if self.flow(self.m.cgs[i], self.cgs[i])[0] == site
                ]
                for i in members:
                    cg = self.cgs[i]
                    cg.primary_lost = True
                    if self.m.mode == "sync" and cg.state in (
                        "consistent/normal",
                        "synchronized/normal",
                    ):
                        self.freeze(i, self.t)
                cut = [
                    i
                    for i in members
                    if self.cgs[i].state in ("synchronizing/normal", "synchronizing/synchronizing")
                ]
                if cut:
                    self.lose_reach(cut, self.t)
        # Secondaries at the site cannot be reached: the primaries fracture them in time.
        remote = [i for i, info in enumerate(self.m.cgs) if self.flow(info, self.cgs[i])[1] == site]
        if remote:
            self.push(
                self.t + self.m.auto_fracture_min,
                "auto_fracture",
                token=self.outage_token,
                cause="site",
                cgs=remote,
            )

    def on_site_restore(self, ev: SimEvent) -> None:
        self._site_up(ev, "site_restore")

    def on_rebuild_site(self, ev: SimEvent) -> None:
        self._site_up(ev, "rebuild_site")

    def _site_up(self, ev: SimEvent, action: str) -> None:
        site = ev.site
        assert site is not None
        if not self.machine_step("site", f"site {site}", self.sites[site], action).ok:
            return
        self.sites[site] = "up"
        for psite, d in self.dirs.items():
            if (
                psite == site
                and not d.running
                and d.plan in PROTECTED_PLAN_STATES
                and action == "site_restore"
            ):
                d.running = True  # the VMs restart where they ran
                d.disaster_t = None
                for i in self.m.directions[psite].cgs:
                    self.cgs[i].primary_lost = False
            if action == "site_restore" and psite == site and d.plan in ("recovering", "recovered"):
                self.warnings.append(
                    f"{site} came back after its VMs were recovered at the other site: its arrays "
                    "still hold the old primary images, which are stale and still consider "
                    "themselves primary. Do not restart those VMs; clean up the old mirrors before "
                    "failing back [S0]."
                )
        if action == "site_restore":
            self.regain_reach(range(len(self.cgs)))
        else:
            # Mirrors whose secondaries were on the lost arrays get new ones: a full sync each.
            lost = [
                i
                for i, info in enumerate(self.m.cgs)
                if self.flow(info, self.cgs[i])[1] == site
                and self.cgs[i].state != "primary/local_only"
            ]

            def ok(i: int, out: states.Outcome, before: str) -> None:
                self.cgs[i].fractured_at = self.t

            self.image_step(lost, "recreate_secondary", record_refusals=False, on_ok=ok)
            self.start_syncs()

    def on_sp_failure(self, ev: SimEvent) -> None:
        assert ev.array is not None
        assert ev.sp is not None
        key = (ev.array, ev.sp)
        state = self.sps.get(key, "ok")
        if not self.machine_step("sp", f"SP {ev.sp} of {ev.array}", state, "sp_failure").ok:
            return
        self.sps[key] = "failed"
        peer = (ev.array, "B" if ev.sp == "A" else "A")
        if self.sps.get(peer) == "failed":
            self.warnings.append(
                f"Both storage processors of {ev.array} have failed: the array serves no I/O "
                "(the simulator does not play this further)."
            )
        sources = [
            i
            for i, info in enumerate(self.m.cgs)
            if (info.target_array if self.cgs[i].reversed else info.source_array) == ev.array
        ]

        def ok(i: int, out: states.Outcome, before: str) -> None:
            if out.state.startswith("out_of_sync"):
                self.cgs[i].fractured_at = self.t

        self.image_step(sources, "sp_failure", record_refusals=False, on_ok=ok)
        if self.m.array_family.get(ev.array) in ("CX3", "AX4"):
            self.warnings.append(
                f"{ev.array} is a {self.m.array_family[ev.array]} array: its write cache is "
                f"disabled while SP {ev.sp} is down, so write latency rises until the SP is "
                "restored [S0]."
            )
        if not self.m.wil and self.m.mode == "sync" and sources:
            self.warnings.append(
                f"The mirrors on {ev.array} have no write intent log: losing SP {ev.sp} needs a "
                "full synchronisation of their LUNs; enable the write intent log [S0]."
            )
        self.start_syncs()

    def on_sp_restore(self, ev: SimEvent) -> None:
        assert ev.array is not None
        assert ev.sp is not None
        key = (ev.array, ev.sp)
        if self.machine_step(
            "sp", f"SP {ev.sp} of {ev.array}", self.sps.get(key, "ok"), "sp_restore"
        ).ok:
            self.sps[key] = "ok"

    def on_admin_fracture(self, ev: SimEvent) -> None:
        def ok(i: int, out: states.Outcome, before: str) -> None:
            cg = self.cgs[i]
            if self.m.mode == "sync":
                self.freeze(i, self.t)
            if cg.fractured_at is None:
                cg.fractured_at = self.t
            if out.effect == "rollback":
                self.push(self.t, "rollback_done", index=i)

        self.image_step(self.cgs_of(ev.cg), "admin_fracture", on_ok=ok)

    def on_admin_sync(self, ev: SimEvent) -> None:
        indexes = self.cgs_of(ev.cg)
        no_clone = [
            i
            for i in indexes
            if self.cgs[i].clone_t is None
            and self.cgs[i].state.startswith("consistent/")
            and self.cgs[i].state.endswith(("fractured", "waiting_on_admin"))
        ]
        resumed: list[int] = []

        def ok(i: int, out: states.Outcome, before: str) -> None:
            if out.effect == "resume_updates":
                resumed.append(i)
                self.cgs[i].fractured_at = None

        def extra(i: int) -> set[str]:
            return {"reachable" if self.reachable(self.m.cgs[i], self.cgs[i]) else "unreachable"}

        done = self.image_step(indexes, "admin_sync", extra=extra, on_ok=ok)
        if self.m.mode == "sync" and [i for i in done if i in no_clone]:
            self.warnings.append(
                f"At {self.clock(self.t)} the mirrors were synchronised without a clone of the "
                "secondaries: until the resynchronisation ended the recovery site held no usable "
                "copy. Clone the secondaries first [S0]."
            )
        self.start_syncs()
        for site in {self.m.cgs[i].from_site for i in resumed}:
            self.kick_updates(site)

    def on_clone_secondaries(self, ev: SimEvent) -> None:
        def ok(i: int, out: states.Outcome, before: str) -> None:
            self.cgs[i].clone_t = self.copy_time(i)

        self.image_step(self.cgs_of(ev.cg), "clone", on_ok=ok)

    def _plan_site(self, ev: SimEvent, want: Callable[[_Direction], bool]) -> str | None:
        if ev.site is not None:
            if ev.site not in self.dirs:
                self.refused.append(
                    Refusal(
                        self.t,
                        self.clock(self.t),
                        f"site {ev.site}",
                        states.ACTION_NAMES[ev.event],
                        "",
                        f"{ev.site} runs no protected VMs",
                        (),
                    )
                )
                return None
            return ev.site
        for site, d in self.dirs.items():
            if want(d):
                return site
        return next(iter(self.dirs), None)

    def _plan_action(self, ev: SimEvent, want: Callable[[_Direction], bool]) -> str | None:
        """Run the event's SRM action on the protection group it names, or on the first one
        ``want`` accepts; the site whose plan moved, or None when the table refused it."""
        site = self._plan_site(ev, want)
        if site is None:
            return None
        d = self.dirs[site]
        out = self.machine_step("plan", f"protection group {site}", d.plan, ev.event)
        if not out.ok:
            return None
        d.plan = out.state
        return site

    def on_srm_test_start(self, ev: SimEvent) -> None:
        site = self._plan_action(ev, lambda d: d.plan == "protected")
        if site is None:
            return
        hours = {
            int((self.clock0 + self.t + k) // 60) % 24
            for k in range(0, int(self.m.test_duration_min), 30)
        }
        busy = sorted(hours & self.m.busy_hours)
        if busy:
            self.warnings.append(
                f"The test of {possessive(site)} protection group runs during busy hours "
                f"({', '.join(f'{h:02d}:00' for h in busy)}): SnapView snapshots add "
                "copy-on-first-write load to mirroring; run tests off-hours [S0]."
            )

    def on_srm_test_continue(self, ev: SimEvent) -> None:
        self._plan_action(ev, lambda d: d.plan == "testing")

    def on_run_recovery_plan(self, ev: SimEvent) -> None:
        site = self._plan_action(ev, lambda d: not d.running and d.plan in PROTECTED_PLAN_STATES)
        if site is None:
            return
        d = self.dirs[site]
        d.plan_started_t = self.t
        members = list(self.m.directions[site].cgs)
        if self.sites[site] == "up" and d.running:
            # Planned: shut the VMs down, let the secondaries catch up, promote normally.
            d.planned = True
            d.running = False
            d.shutdown_t = self.t
            if self.m.mode == "sync":
                self.push(self.t + self.m.quiesce_min, "quiesce", site=site)
            else:
                if d.in_flight is None:
                    self.push(self.t, "final_update", site=site)
            return
        self.push(self.t, "promote_all", site=site, members=members)

    def on_final_update(self, site: str) -> None:
        d = self.dirs[site]
        if d.in_flight is None:  # else the update in flight ends and the final one follows
            self.mva_start_update(site)
            if d.in_flight is None:
                self.push(self.t, "final_update_done", site=site)

    def on_final_update_done(self, site: str) -> None:
        self.push(self.t, "quiesce", site=site)

    def on_quiesce(self, site: str) -> None:
        members = list(self.m.directions[site].cgs)
        self.image_step(members, "quiesce", record_refusals=False)
        self.push(self.t, "promote_all", site=site, members=members)

    def on_promote_all(self, site: str, members: Sequence[int]) -> None:
        """The recovery plan's storage step: every CG of the protection group is promoted (the
        plan then rescans, powers on, starts services and customises IPs); it finishes after
        the sum of its steps (Method §8)."""
        d = self.dirs[site]
        by_guard: dict[str, list[int]] = {}
        for i in members:
            info, cg = self.m.cgs[i], self.cgs[i]
            up = self.sites[self.flow(info, cg)[0]] == "up" and self.reachable(info, cg)
            by_guard.setdefault("primary_reachable" if up else "primary_lost", []).append(i)

        def ok(i: int, out: states.Outcome, before: str) -> None:
            c = self.cgs[i]
            if out.effect in ("reverse", "reverse_full"):
                c.reversed = not c.reversed
                c.data_t = None if self.m.mode == "sync" else self.t
                c.fractured_at = self.t if out.effect == "reverse_full" else None
                self.account(site, i, None)
            else:
                self.account(site, i, self.copy_time(i))

        refused: list[int] = []
        for guard, group in by_guard.items():
            done = set(self.image_step(group, "promote", extra=_constant({guard}), on_ok=ok))
            refused += [i for i in group if i not in done]

        # A secondary that is not usable: the clone, if any, is what the recovery can use.
        def from_clone(i: int, out: states.Outcome, before: str) -> None:
            self.account(site, i, self.cgs[i].clone_t, from_clone=True)

        def has(i: int) -> set[str]:
            return {"has_clone" if self.cgs[i].clone_t is not None else "no_clone"}

        recovered = set(self.image_step(refused, "recover_from_clone", extra=has, on_ok=from_clone))
        if any(i not in recovered for i in refused):
            d.unrecoverable = True
        self.start_syncs()
        duration = sum(m for _s, m, _n in self.m.directions[site].recovery_steps)
        self.push(self.t + duration, "plan_done", site=site)

    def copy_time(self, i: int) -> float:
        """The point in time of the data CG i's secondary (or a clone of it) would give."""
        cg = self.cgs[i]
        if self.m.mode == "async" and cg.data_t is None:
            return self.dirs[self.m.cgs[i].from_site].last_completed_start
        return self.data_time(i)

    def account(self, site: str, i: int, copy_t: float | None, from_clone: bool = False) -> None:
        """Record the data CG i's recovery loses: from its copy's time to the disaster."""
        d = self.dirs[site]
        if copy_t is None or d.planned:
            loss_min, loss_mib = 0.0, 0.0
        else:
            end = d.disaster_t if d.disaster_t is not None else self.t
            loss_min = max(0.0, end - copy_t)
            loss_mib = self.volume_mib(site, copy_t, end) * self.m.cgs[i].share
        d.loss_min = max(d.loss_min or 0.0, loss_min)
        d.loss_mib = (d.loss_mib or 0.0) + loss_mib
        source = "clone" if from_clone else "secondary"
        if d.recovered_from != "clone":
            d.recovered_from = source

    def on_plan_done(self, site: str) -> None:
        d = self.dirs[site]
        if d.unrecoverable:
            self.refused.append(
                Refusal(
                    self.t,
                    self.clock(self.t),
                    f"protection group {site}",
                    states.ACTION_NAMES["plan_done"],
                    states.state_label("plan", d.plan),
                    "Some consistency groups have no usable copy: their VMs cannot start",
                    (),
                )
            )
            return
        out = self.machine_step("plan", f"protection group {site}", d.plan, "plan_done")
        if not out.ok:
            return
        d.plan = out.state
        if d.plan == "recovered":
            d.running = True
            d.running_at = self.m.directions[site].to_site
            if d.plan_done_t is None:
                d.plan_done_t = self.t
        elif d.plan == "failed_back":
            d.running = True
            d.running_at = site
        if self.m.mode == "async":
            self.kick_updates(site)

    def on_reverse_mirrors(self, ev: SimEvent) -> None:
        site = self._plan_site(ev, lambda d: d.plan == "recovered")
        if site is None:
            return
        members = list(self.m.directions[site].cgs)

        def extra(i: int) -> set[str]:
            return {"peer_up" if self.sites[site] == "up" else "peer_down"}

        def ok(i: int, out: states.Outcome, before: str) -> None:
            c = self.cgs[i]
            c.reversed = True
            c.primary_lost = False
            c.fractured_at = self.t
            c.data_t = None if self.m.mode == "sync" else self.t

        done = self.image_step(members, "reverse_mirrors", extra=extra, on_ok=ok)
        if done:
            d = self.dirs[site]
            d.failback_sync_gib = sum(self.m.cgs[i].capacity_gib for i in done)
            d.failback_sync_start = self.t
        self.start_syncs()

    def on_run_failback_plan(self, ev: SimEvent) -> None:
        site = self._plan_site(ev, lambda d: d.plan == "recovered")
        if site is None:
            return
        d = self.dirs[site]
        members = list(self.m.directions[site].cgs)
        in_sync = all(
            self.cgs[i].reversed and states.image_states()[self.cgs[i].state].protected
            for i in members
        ) and all(self.reachable(self.m.cgs[i], self.cgs[i]) for i in members)
        out = self.machine_step(
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
        d.shutdown_t = self.t
        d.plan_started_t = self.t
        if self.m.mode == "sync":
            self.push(self.t + self.m.quiesce_min, "quiesce", site=site)
        else:
            self.push(self.t, "final_update", site=site)

    def on_reprotect(self, ev: SimEvent) -> None:
        self._plan_action(ev, lambda d: d.plan == "failed_back")

    # --- protection and the Gantt snapshot ----------------------------------------------------
    def protected_now(self) -> bool:
        """Whether every protection group's running VMs have a current consistent remote copy
        (a link loss shorter than the auto-fracture time leaves it current: writes wait)."""
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
                self.image_step([item.args["index"]], "rollback_done", record_refusals=False)
            elif item.kind == "sync_done":
                self.sync_done(item.args["flow"], item.args["token"])
            elif item.kind == "auto_fracture":
                self.on_auto_fracture(item.args["token"], item.args["cause"], item.args.get("cgs"))
            else:
                getattr(self, f"on_{item.kind}")(**item.args)
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
        )

    def final_warnings(self, disasters: list[_Direction], unrecoverable: bool) -> None:
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
    "failback": "Disaster and failback",
}


def title(result: ScenarioResult) -> str:
    """A scenario's title for readers: the built-in ones in words, the file's own by name."""
    return TITLES.get(result.name, result.name) if result.builtin else result.name


def _event(at_min: float, event: str, **fields: Any) -> SimEvent:
    total_s = round(at_min * 60)
    d, rest = divmod(total_s, 86_400)
    h, rest = divmod(rest, 3600)
    m, s = divmod(rest, 60)
    text = "".join(f"{v}{u}" for v, u in ((d, "d"), (h, "h"), (m, "m"), (s, "s")) if v) or "0s"
    return SimEvent(at=text, event=event, **fields)  # type: ignore[arg-type]  # literal checked


def builtin_scenarios(design: Design) -> list[SimScenario]:
    """The scenarios srmkit plays on every design, timed from the design where it matters."""
    m = _model(design)
    if not m.directions:
        return []
    site = next(iter(m.directions))
    other = m.directions[site].to_site
    sources = [a for a in design.scenario.arrays if a.site == site]
    array = sources[0].name
    declare = m.declare_min
    rate = m.min_per_gib()
    # The resynchronisation after a 4-hour outage from 09:00 (the busiest part of the day).
    outage_start, outage_h = 60.0, 4.0
    written_gib = sum(
        float(
            mib_to_gib(
                m.directions[s].volume.between(
                    9 * 60 + outage_start, 9 * 60 + outage_start + h_to_min(outage_h)
                )
            )
        )
        for s in m.directions
    )
    capacity = sum(c.capacity_gib for c in m.cgs)
    resync_min = max(min(written_gib, capacity) * rate, 1.0)
    # After the rebuild every mirror touching the site needs a full synchronisation towards it.
    failback_min = sum(c.capacity_gib for c in m.cgs if site in (c.from_site, c.to_site)) * rate
    # A scenario spans at most 30 days: a longer synchronisation is cut short there, and the
    # failback plan, run at the end, is refused (the mirrors are not synchronised yet).
    failback_min = min(failback_min, MAX_SCENARIO_MIN - 3 * MIN_PER_DAY - 240)
    link_back = outage_start + h_to_min(outage_h)
    defs: list[tuple[str, str, str, str | None, list[SimEvent]]] = [
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
            f"A planned failover of {possessive(site)} VMs to {other} in a maintenance "
            "window: the VMs shut down, the secondaries catch up and are promoted normally.",
            "22:00",
            None,
            [_event(0, "run_recovery_plan", site=site)],
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
            "The link is lost for less than the auto-fracture time.",
            "10:00",
            None,
            [_event(0, "link_down"), _event(m.auto_fracture_min / 2, "link_up")],
        ),
        (
            "long-link-loss-manual",
            "The link is lost for four hours with the recovery policy "
            "Manual: the administrator clones the secondaries, then synchronises.",
            "09:00",
            "manual",
            [
                _event(outage_start, "link_down"),
                _event(link_back, "link_up"),
                _event(link_back + 5, "clone_secondaries"),
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
            "As resync-then-site-loss, but the secondaries were cloned while the link was down.",
            "09:00",
            "auto",
            [
                _event(outage_start, "link_down"),
                _event(link_back - 30, "clone_secondaries"),
                _event(link_back, "link_up"),
                _event(link_back + resync_min / 2, "site_failure", site=site),
                _event(link_back + resync_min / 2 + declare, "run_recovery_plan", site=site),
            ],
        ),
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


# --- the API ----------------------------------------------------------------------------------


def validate(design: Design) -> list[Problem]:
    """Problems of the scenario file's own scenarios that need the plan: unknown CG names, SP
    events on arrays, SRM events for sites that run no protected VMs."""
    m = _model(design)
    problems = []
    for i, sim in enumerate(design.scenario.scenarios):
        for j, ev in enumerate(sim.events):
            if ev.cg is not None and ev.cg != ALL and ev.cg not in m.cg_index:
                names = ", ".join(c.name for c in m.cgs[:8]) + (" …" if len(m.cgs) > 8 else "")
                problems.append(
                    problem_at(
                        design.scenario,
                        ("scenarios", i, "events", j, "cg"),
                        ev.cg,
                        f"no such consistency group; the plan has {names}",
                    )
                )
            if (
                ev.site is not None
                and ev.event.startswith(("srm_", "run_", "reverse", "reprotect"))
                and ev.site not in m.directions
            ):
                problems.append(
                    problem_at(
                        design.scenario,
                        ("scenarios", i, "events", j, "site"),
                        ev.site,
                        "this site runs no protected VMs",
                    )
                )
    return problems


def scenarios(design: Design, names: Sequence[str] | None = None) -> list[tuple[SimScenario, bool]]:
    """The scenarios to play: every built-in one and the file's own, or those named."""
    every = [(s, True) for s in builtin_scenarios(design)] + [
        (s, False) for s in design.scenario.scenarios
    ]
    if not names:
        return every
    by_name = {s.name: (s, b) for s, b in every}
    return [by_name[n] for n in names]


def scenario_names(design: Design) -> list[str]:
    return [*BUILTIN_SCENARIOS, *(s.name for s in design.scenario.scenarios)]


def simulate(design: Design, scenario: SimScenario, builtin: bool = False) -> ScenarioResult:
    """Play one scenario on the design."""
    return _Run(_model(design), scenario, builtin).run()


def simulate_all(design: Design, names: Sequence[str] | None = None) -> list[ScenarioResult]:
    """Play the built-in scenarios and the file's own (or only ``names``).

    Raises
    ------
    ScenarioError
        When a scenario of the file names a CG or site the design does not have.
    KeyError
        When a name is not a scenario of this design.
    """
    problems = validate(design)
    if problems:
        raise ScenarioError(problems)
    unknown = [n for n in names or () if n not in scenario_names(design)]
    if unknown:
        raise KeyError(
            f"no scenario {', '.join(unknown)}; scenarios: {', '.join(scenario_names(design))}"
        )
    model = _model(design)
    out = []
    for s, builtin in scenarios(design, names):
        if s.name not in model.results:
            model.results[s.name] = simulate(design, s, builtin)
        out.append(model.results[s.name])
    return out
