"""The design as the simulator sees it: consistency groups, directions and timings, computed
once per design."""

from __future__ import annotations

from dataclasses import dataclass

from srmkit.caching import per_object
from srmkit.design import Design
from srmkit.luns import owner_sps
from srmkit.mva import ServiceLag, Volume, service_lag
from srmkit.simulation.results import ScenarioResult
from srmkit.study_results import DirectionLoad, Recovery
from srmkit.units import (
    MIN_PER_DAY,
    gib_to_mbit,
    h_to_min,
    mib_to_mbit,
    s_to_min,
)


@per_object
def service_lags(design: Design) -> dict[str, ServiceLag]:
    """The MirrorView/A directions whose RPO is unbounded, by protected site: their updates from
    the start of service, to tell how far behind the secondary is at a disaster after
    ``days_in_service`` days (Method §8; computed once per design). Empty for MirrorView/S and
    for directions whose link keeps up.
    """
    if design.is_sync:
        return {}
    r = design.scenario.replication
    lags = {}
    for d in design.directions:
        cycle = design.cycles.get(d.label)
        if cycle is None or not cycle.unbounded:
            continue
        lags[d.from_site] = service_lag(
            d.hourly_mib.tolist(),
            design.effective_rate_mbps,
            r.update_type,
            r.update_interval_min,
            design.manual_times_min,
            design.a.update_overhead_s,
            design.a.days_in_service,
        )
    return lags


# --- the design as the simulator sees it -------------------------------------------------------


def _without_rollback(recovery: Recovery) -> float:
    """The plan's minutes after the decision, less the worst-case MirrorView/A rollback: the
    simulator times the rollback of the update actually interrupted. [min]"""
    return recovery.after_decision_min - recovery.minutes_of("rollback")


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
    owner_sp: str = "A"
    """The storage processor (``A`` or ``B``) that owns its LUNs on both arrays and carries its
    mirror over its MirrorView path, as the build book allocates it
    (:func:`srmkit.luns.owner_sps`: balanced by capacity). A group's secondary LUNs belong to
    the SP of the same letter on the other array (MirrorView paths connect SP A to SP A and SP B
    to SP B), so a failed path of SP A on either array cuts off exactly the groups given SP A."""


@dataclass(frozen=True)
class _DirectionInfo:
    label: str
    from_site: str
    to_site: str
    volume: Volume
    cgs: tuple[int, ...]
    """Indexes into the CG list."""
    recovery_min: dict[bool, float]
    """The recovery plan's run time after the decision (Method §8), by whether the protected
    site is lost (force promotes, SRM's attempt to reach it) or not (a planned failover). [min]"""
    test_prepare_s: float
    """An SRM test's storage step: every secondary LUN snapped and presented. [s]"""
    test_after_start_min: float
    """From clicking Test to the test VMs running Exchange (Method §8). [min]"""
    luns: int
    """The protection group's mirrored LUNs. [count]"""


class _Model:
    """Per-design facts the simulator uses: built once per design (cached)."""

    def __init__(self, design: Design) -> None:
        self.design = design
        a = design.a
        scenario = design.scenario
        self.mode = design.mode
        self.policy = scenario.replication.recovery_policy
        self.wil = scenario.replication.write_intent_log
        self.fracture_timeout_s = a.mvs_fracture_timeout_s
        self.fracture_timeout_min = float(s_to_min(a.mvs_fracture_timeout_s))
        self.write_stall_warn_s = a.write_stall_warn_s
        self.quiesce_min = float(s_to_min(a.quiesce_threshold_s))
        self.declare_min = a.declare_min
        self.rollback_mib_per_s = a.rollback_mib_per_s
        self.sra_timeout_s = a.sra_timeout_s
        self.protective_copy = scenario.replication.protective_copy if design.is_sync else "none"
        self.copies = design.protective_copies
        self.sync_rate_mbps = design.sync_rate_mbps
        self.site_names = tuple(s.name for s in scenario.sites)
        site_of = {arr.name: arr.site for arr in scenario.arrays}
        self.array_family = {arr.name: design.models[arr.name].family for arr in scenario.arrays}
        self.cgs: list[_CgInfo] = []
        owner = owner_sps(design.plan.cgs)
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
                    owner[cg.name],
                )
            )
        self.cg_index = {c.name: i for i, c in enumerate(self.cgs)}
        self.directions: dict[str, _DirectionInfo] = {}
        for d in design.directions:
            self.directions[d.from_site] = _DirectionInfo(
                d.label,
                d.from_site,
                d.to_site,
                Volume(d.hourly_mib.tolist()),
                tuple(i for i, c in enumerate(self.cgs) if c.from_site == d.from_site),
                {
                    lost: _without_rollback(design.recovery_of(d.from_site, lost))
                    for lost in (True, False)
                },
                design.test_of(d.from_site).prepare_storage_s,
                design.test_of(d.from_site).after_start_min,
                design.recovery_of(d.from_site).luns,
            )
        r = scenario.replication
        self.update_type = r.update_type
        self.interval_min = r.update_interval_min
        self.manual_times = design.manual_times_min
        self.overhead_min = float(s_to_min(a.update_overhead_s))
        self.cycles = design.cycles if self.mode == "async" else {}
        self.loads: dict[str, DirectionLoad] = {d.from_site: d for d in design.directions}
        self.lags = service_lags(design)
        """The unbounded MirrorView/A directions, by protected site (Method §8)."""
        self.days_in_service = a.days_in_service
        self._resync: dict[tuple[str, float, float], float] = {}
        busiest = design.busiest_direction.hourly_mib if design.directions else None
        self.busy_hours = (
            {h for h, v in enumerate(busiest) if v > float(busiest.mean())}
            if busiest is not None
            else set()
        )
        self.test_duration_min = float(h_to_min(a.test_duration_h))
        self.rlp = design.rlp
        self._plan_cgs = {cg.name: cg for cg in design.plan.cgs}
        self.results: dict[str, ScenarioResult] = {}
        """Results of the built-in and the file's scenarios, played once per design."""

    def rollback_min(self, mib: float) -> float:
        """A MirrorView/A rollback of ``mib`` to the gold copy (Method §8, v3). [min]"""
        return float(s_to_min(mib / self.rollback_mib_per_s))

    def min_per_gib(self) -> float:
        """Minutes to synchronise one GiB at the synchronisation rate. [min/GiB]"""
        return float(s_to_min(gib_to_mbit(1.0) / self.sync_rate_mbps))

    def min_per_mib_update(self) -> float:
        """Minutes to send one MiB in an MV/A update at the effective rate. [min/MiB]"""
        return float(s_to_min(mib_to_mbit(1.0) / self.design.effective_rate_mbps))

    def resync_gib(self, site: str, start_clock_min: float, outage_min: float) -> float:
        """The partial resynchronisation of the protection group ``site``'s direction after an
        outage starting at the clock time ``start_clock_min`` and lasting ``outage_min``: the
        study's figure (``Study.resync_gib``, Method §6), computed once per window. [GiB]"""
        key = (site, round(start_clock_min % MIN_PER_DAY, 9), round(outage_min, 9))
        if key not in self._resync:
            self._resync[key] = self.design.resync_gib(self.loads[site], key[1], key[2])
        return self._resync[key]

    def cg_resync_gib(self, i: int, start_clock_min: float, outage_min: float) -> float:
        """MirrorView/S: consistency group i's partial resynchronisation after the outage, its
        own LUNs' dirty extents (``Study.cg_resync_gib``, Method §6). [GiB]"""
        cg = self._plan_cgs[self.cgs[i].name]
        return self.design.cg_resync_gib(cg, start_clock_min, outage_min)

    @property
    def unbounded(self) -> bool:
        """Some MirrorView/A direction never catches up: its losses are lower bounds (§8)."""
        return bool(self.lags)

    @property
    def lag_growth_h_per_day(self) -> float | None:
        """How much further behind the worst unbounded secondary falls every day; None when
        every direction keeps up. [h/day]"""
        return max((lag.growth_h_per_day for lag in self.lags.values()), default=None)

    def cycle_at(self, site: str, clock0: float) -> tuple[float, tuple[float, float] | None, float]:
        """A direction's MirrorView/A cycle at the clock time ``clock0`` (minutes after
        midnight): the start of its last completed update, the update in flight (start, end) or
        None, and the next start when none is in flight; in minutes after that midnight.

        A cycle that keeps up repeats every day (the periodic day of Method §5). An unbounded one
        is taken after ``days_in_service`` days of operation (Method §8): its secondary is that
        far behind, so the scenario's losses are lower bounds.
        """
        lag = self.lags.get(site)
        if lag is not None:
            at = float(lag.disaster_min(clock0))
            last, flying, nxt = lag.state_at(at)
            shift = clock0 - at  # service time → the scenario's clock
            return (
                last + shift,
                None if flying is None else (flying[0] + shift, flying[1] + shift),
                nxt + shift,
            )
        cycle = self.cycles.get(self.directions[site].label)
        if cycle is None or not cycle.updates:
            return clock0 - (self.interval_min or 60.0), None, clock0
        ups = [(u.start_min, u.start_min + u.duration_min) for u in cycle.updates]
        ups = (
            [(s - MIN_PER_DAY, e - MIN_PER_DAY) for s, e in ups]
            + ups
            + [(s + MIN_PER_DAY, e + MIN_PER_DAY) for s, e in ups]
        )
        completed = [s for s, e in ups if e <= clock0]
        last_start = max(completed) if completed else clock0 - MIN_PER_DAY
        flying_now = [(s, e) for s, e in ups if s <= clock0 < e]
        later = [s for s, _ in ups if s > clock0]
        nxt = min(later) if later else clock0 + (self.interval_min or 60.0)
        return last_start, (flying_now[0] if flying_now else None), nxt


@per_object
def _model(design: Design) -> _Model:
    """The simulator's view of a design (computed once per design)."""
    return _Model(design)
