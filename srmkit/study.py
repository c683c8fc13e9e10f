"""``Study``: every derived number of one scenario, each computed once and cached.

The calculators (:mod:`workload`, :mod:`link`, :mod:`mvs`, :mod:`mva`, :mod:`sync_times`) and the
consistency-group :mod:`planner` are pure functions; a ``Study`` chains them for one scenario with
its assumptions (Method §2–§7). It plans each growth year once, and builds each what-if variant
(another array model, another mirroring mode) once, as a ``Study`` of its own.

:class:`srmkit.design.Design` adds the review (findings of every rule and the verdict) on top; it
is the object documents, figures, exports and the CLI read from.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import numpy.typing as npt

from srmkit import link as link_calc
from srmkit import mva, mvs, planner, sync_times, workload
from srmkit.limits import ArrayModel, Mode, catalogue, get_model
from srmkit.planner import Plan, ServerLuns
from srmkit.schema import Scenario, Server
from srmkit.units import MIN_PER_H, SECONDS_PER_MIN, mib_to_gib

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class ServerSizing:
    """Workload and capacity of one mailbox server at one year of the horizon (Method §2)."""

    name: str
    site: str
    year: int
    users: float
    """Mailboxes after growth. [users]"""
    profile: str
    storage_groups: int
    users_per_sg: float
    db_iops_peak: float
    db_write_iops_peak: float
    log_mib_per_day: float
    db_lun_gib: float
    log_lun_gib: float
    gos_luns: int
    gos_lun_gib: float
    source_array: str
    target_array: str
    hourly_log_mib: tuple[float, ...]
    hourly_db_write_mib: tuple[float, ...]

    @property
    def gos_luns_gib(self) -> float:
        """Capacity of the guest-OS LUNs. [GiB]"""
        return self.gos_luns * self.gos_lun_gib

    @property
    def luns(self) -> int:
        """Mirrored LUNs: a DB and a log LUN per storage group, and the guest-OS LUNs. [count]"""
        return planner.LUNS_PER_STORAGE_GROUP * self.storage_groups + self.gos_luns

    @property
    def capacity_gib(self) -> float:
        """Mirrored capacity: DB and log LUNs of every storage group plus guest-OS LUNs. [GiB]"""
        return self.storage_groups * (self.db_lun_gib + self.log_lun_gib) + self.gos_luns_gib

    def as_luns(self) -> ServerLuns:
        """The planner's view of this server."""
        return ServerLuns(
            name=self.name,
            source_array=self.source_array,
            target_array=self.target_array,
            storage_groups=self.storage_groups,
            gos_luns=self.gos_luns,
            db_lun_gib=self.db_lun_gib,
            log_lun_gib=self.log_lun_gib,
            gos_lun_gib=self.gos_lun_gib,
        )


@dataclass(frozen=True)
class CgSizing:
    """One consistency group with its capacity and full-sync time."""

    name: str
    servers: tuple[str, ...]
    luns: int
    capacity_gib: float
    sync_time_h: float


@dataclass(frozen=True)
class FitProblem:
    """Why a model assignment does not fit: a rule id, the array and the year it breaks."""

    rule_id: str
    array: str
    year: int


class Study:
    """The derived numbers of a validated scenario.

    ``models`` replaces the scenario's array models (array name → catalogue model) for a what-if;
    by default each array has the model the scenario names.
    """

    def __init__(self, scenario: Scenario, models: Mapping[str, ArrayModel] | None = None) -> None:
        self.scenario = scenario
        self.a = scenario.assumptions
        self.models: dict[str, ArrayModel] = (
            dict(models) if models else {a.name: get_model(a.model) for a in scenario.arrays}
        )
        self._servers: dict[int, list[ServerSizing]] = {}
        self._plans: dict[int, Plan] = {}
        self._variants: dict[tuple[object, ...], Study] = {}

    # --- identity --------------------------------------------------------------------------
    @property
    def mode(self) -> Mode:
        """sync (MirrorView/S) or async (MirrorView/A)."""
        return self.scenario.replication.mode

    @property
    def is_sync(self) -> bool:
        """MirrorView/S design."""
        return self.mode == "sync"

    @property
    def years(self) -> range:
        """Years of the growth horizon, today (0) included."""
        return range(self.scenario.growth.years + 1)

    # --- workload (Method §2) --------------------------------------------------------------
    def growth_factor(self, year: int) -> float:
        """Users at ``year`` ÷ users today: ``(1 + g)^year``. [factor]"""
        return float((1.0 + self.scenario.growth.users_per_year_fraction) ** year)

    def _arrays_of(self, server: Server) -> tuple[str, str]:
        """(source, target) arrays of a server: as named, else the one array at each site."""
        scenario = self.scenario

        def at(site: str, named: str | None) -> str:
            return named or next(a.name for a in scenario.arrays if a.site == site)

        other = next(s.name for s in scenario.sites if s.name != server.site)
        return at(server.site, server.array), at(other, server.target_array)

    def _size_server(self, server: Server, year: int) -> ServerSizing:
        a = self.a
        p = a.exchange_profiles[server.profile]
        growth = self.growth_factor(year)
        users = server.users * growth
        if server.storage_groups is not None:
            sgs = math.ceil(server.storage_groups * growth - 1e-9)
        else:
            sgs = int(
                workload.storage_groups_count(
                    users, server.mailbox_quota_gib, a.db_overhead_fraction, a.max_db_gib
                )
            )
        iops = float(workload.db_iops_peak(users, p.db_iops_per_mailbox, a.iops_headroom_fraction))
        write_iops = float(workload.db_write_iops_peak(iops, a.db_write_fraction))
        logs = float(
            workload.log_mib_per_day(users, p.logs_per_mailbox_per_day_count, a.log_file_mib)
        )
        users_per_sg = users / sgs
        source, target = self._arrays_of(server)
        return ServerSizing(
            name=server.name,
            site=server.site,
            year=year,
            users=users,
            profile=server.profile,
            storage_groups=sgs,
            users_per_sg=users_per_sg,
            db_iops_peak=iops,
            db_write_iops_peak=write_iops,
            log_mib_per_day=logs,
            db_lun_gib=float(
                workload.db_lun_gib(users_per_sg, server.mailbox_quota_gib, a.db_overhead_fraction)
            ),
            log_lun_gib=float(
                workload.log_lun_gib(
                    users_per_sg,
                    p.logs_per_mailbox_per_day_count,
                    a.log_retention_days,
                    a.log_overhead_fraction,
                    a.log_file_mib,
                )
            ),
            gos_luns=server.gos_luns,
            gos_lun_gib=a.gos_lun_gib,
            source_array=source,
            target_array=target,
            hourly_log_mib=tuple(workload.hourly_log_mib(logs, a.daily_profile_fraction).tolist()),
            hourly_db_write_mib=tuple(
                workload.hourly_db_write_mib(
                    write_iops, a.daily_profile_fraction, a.db_page_kib
                ).tolist()
            ),
        )

    def servers_at(self, year: int) -> list[ServerSizing]:
        """Per-server sizing after ``year`` years of growth, in scenario order."""
        if year not in self._servers:
            self._servers[year] = [self._size_server(s, year) for s in self.scenario.servers]
        return self._servers[year]

    @property
    def servers(self) -> list[ServerSizing]:
        """Per-server sizing today, in scenario order."""
        return self.servers_at(0)

    @cached_property
    def capacity_gib(self) -> float:
        """All mirrored capacity today. [GiB]"""
        return sum(s.capacity_gib for s in self.servers)

    # --- replicated volume and the link (Method §3–§5) -------------------------------------
    @cached_property
    def hourly_sync_mib(self) -> FloatArray:
        """MV/S replicated volume per hour: DB writes + logs + guest-OS writes. [MiB/h]"""
        gos = self.a.gos_write_mib_per_h
        return np.asarray(
            np.sum(
                [
                    np.add(np.add(s.hourly_db_write_mib, s.hourly_log_mib), gos)
                    for s in self.servers
                ],
                axis=0,
            )
        )

    @cached_property
    def hourly_async_mib(self) -> FloatArray:
        """MV/A replicated volume per hour (DB writes × transfer factor + logs + GOS). [MiB/h]"""
        a = self.a
        return np.asarray(
            np.sum(
                [
                    np.asarray(s.hourly_db_write_mib) * a.async_db_transfer_factor
                    + np.asarray(s.hourly_log_mib)
                    + a.gos_write_mib_per_h
                    for s in self.servers
                ],
                axis=0,
            )
        )

    @property
    def hourly_replicated_mib(self) -> FloatArray:
        """Replicated volume per hour for the scenario's mode. [MiB/h]"""
        return self.hourly_sync_mib if self.is_sync else self.hourly_async_mib

    @cached_property
    def effective_rate_mbps(self) -> float:
        """Rate available to replication (Method §3). [Mbit/s]"""
        link = self.scenario.link
        return float(
            link_calc.effective_rate_mbps(
                link.bandwidth_mbps, link.efficiency_fraction, link.share_fraction
            )
        )

    @cached_property
    def hourly_rate_mbps(self) -> FloatArray:
        """Replication rate in each hour of the day, with the burst factor. [Mbit/s]"""
        return np.asarray(mvs.peak_mbps(self.hourly_replicated_mib, self.a.burst_factor))

    @cached_property
    def peak_mbps(self) -> float:
        """Peak-hour replication rate (Method §4). [Mbit/s]"""
        return float(self.hourly_rate_mbps.max())

    @cached_property
    def peak_utilization_fraction(self) -> float:
        """Peak rate ÷ effective rate; ≥ 1 means the link cannot carry the writes. [fraction]"""
        return float(link_calc.utilization_fraction(self.peak_mbps, self.effective_rate_mbps))

    @property
    def link_saturated(self) -> bool:
        """The link cannot carry the peak-hour writes (utilisation ≥ 1)."""
        return self.peak_utilization_fraction >= 1.0

    # --- MirrorView/S (Method §4) ----------------------------------------------------------
    def added_latency_ms(self, distance_km: npt.ArrayLike | None = None) -> FloatArray:
        """Write latency MV/S adds at the design's (or given) site distance. [ms]"""
        link, a = self.scenario.link, self.a
        return mvs.added_latency_ms(
            link.distance_km if distance_km is None else distance_km,
            link.round_trips,
            link.route_factor,
            a.log_write_kib,
            link.bandwidth_mbps,
            min(self.peak_utilization_fraction, 1.0),
            a.mirror_overhead_ms,
            a.fibre_one_way_ms_per_km,
        )

    @cached_property
    def log_write_latency_ms(self) -> float:
        """Local log write + added MV/S latency; inf when the link is saturated. [ms]"""
        return float(self.a.local_log_write_ms + self.added_latency_ms())

    @property
    def log_write_within_limit(self) -> bool:
        """Log writes stay under Microsoft's average limit (never when the link is saturated)."""
        return not self.link_saturated and self.log_write_latency_ms < self.a.log_write_avg_limit_ms

    @cached_property
    def max_distance_km(self) -> float:
        """Largest site distance keeping log writes at Microsoft's average limit. [km]"""
        link, a = self.scenario.link, self.a
        return float(
            mvs.max_distance_km(
                a.log_write_avg_limit_ms,
                a.local_log_write_ms,
                link.round_trips,
                link.route_factor,
                a.log_write_kib,
                link.bandwidth_mbps,
                min(self.peak_utilization_fraction, 1.0),
                a.mirror_overhead_ms,
                a.fibre_one_way_ms_per_km,
            )
        )

    # --- MirrorView/A (Method §5) ----------------------------------------------------------
    @cached_property
    def manual_times_min(self) -> tuple[float, ...]:
        """Start times of manual MV/A updates, minutes after midnight. [min]"""
        times = self.scenario.replication.manual_update_times or []
        return tuple(t.hour * MIN_PER_H + t.minute + t.second / SECONDS_PER_MIN for t in times)

    def cycle(self, effective_rate_mbps: float | None = None) -> mva.CycleResult:
        """The MV/A update cycle at the design's (or a given) effective rate (Method §5)."""
        r = self.scenario.replication
        return mva.simulate(
            self.hourly_async_mib.tolist(),
            self.effective_rate_mbps if effective_rate_mbps is None else effective_rate_mbps,
            r.update_type,
            r.update_interval_min,
            self.manual_times_min,
            self.a.update_overhead_s,
            self.a.max_simulation_days,
        )

    @cached_property
    def async_cycle(self) -> mva.CycleResult:
        """The MV/A cycle at the design's effective rate."""
        return self.cycle()

    @cached_property
    def required_rate_mbps_for_target_rpo(self) -> float | None:
        """Smallest effective rate meeting the target RPO (bisection on the simulation). [Mbit/s]"""
        r = self.scenario.replication
        return mva.required_rate_mbps_for_rpo(
            self.scenario.targets.rpo_min,
            self.hourly_async_mib.tolist(),
            r.update_type,
            r.update_interval_min,
            self.manual_times_min,
            self.a.update_overhead_s,
            self.a.max_simulation_days,
        )

    def rpo_against_rate(self, points: int) -> tuple[FloatArray, list[float | None]]:
        """Worst MV/A RPO at effective rates from ⅛ to 4× the design's (log-spaced). [Mbit/s, min]

        None where the RPO is unbounded.
        """
        rates = np.geomspace(self.effective_rate_mbps / 8, self.effective_rate_mbps * 4, points)
        return rates, [self.cycle(float(r)).worst_rpo_min for r in rates]

    @cached_property
    def worst_rpo_min(self) -> float | None:
        """Worst recovery point: 0 for MV/S in sync; None when MV/A is unbounded. [min]"""
        return 0.0 if self.is_sync else self.async_cycle.worst_rpo_min

    # --- consistency-group plans (Method §7) -----------------------------------------------
    def plan_at(self, year: int) -> Plan:
        """The CG plan after ``year`` years of growth; an explicit layout applies today only."""
        if year not in self._plans:
            r = self.scenario.replication
            explicit = r.consistency_groups if year == 0 else None
            self._plans[year] = planner.plan(
                [s.as_luns() for s in self.servers_at(year)],
                self.models,
                self.mode,
                r.cg_policy,
                explicit,
            )
        return self._plans[year]

    @property
    def plan(self) -> Plan:
        """The CG plan today."""
        return self.plan_at(0)

    @cached_property
    def first_break_year(self) -> int | None:
        """The first year of the horizon in which an array limit breaks; None if none does."""
        return next((y for y in self.years if not self.plan_at(y).feasible), None)

    @cached_property
    def consistency_groups(self) -> list[CgSizing]:
        """Today's CGs with capacities and full-sync times (each CG alone on the link)."""
        return [
            CgSizing(
                cg.name,
                cg.servers,
                cg.luns,
                cg.capacity_gib,
                float(sync_times.sync_time_h(cg.capacity_gib, self.sync_rate_mbps)),
            )
            for cg in self.plan.cgs
        ]

    # --- what-if variants and model fit ----------------------------------------------------
    def variant(
        self, models: Mapping[str, ArrayModel] | None = None, mode: Mode | None = None
    ) -> Study:
        """The same scenario with other array models and/or mirroring mode, built once."""
        models = dict(models) if models else self.models
        mode = mode or self.mode
        if models == self.models and mode == self.mode:
            return self
        key = (mode, *(m.model for m in models.values()))
        if key not in self._variants:
            scenario = self.scenario
            if mode != self.mode:
                replication = scenario.replication.model_copy(update={"mode": mode})
                scenario = scenario.model_copy(update={"replication": replication})
            self._variants[key] = Study(scenario, models)
        return self._variants[key]

    @cached_property
    def fit_problems(self) -> list[FitProblem]:
        """Model, connectivity, FLARE and array-limit problems, now and at the horizon."""
        out: list[FitProblem] = []
        for a in self.scenario.arrays:
            model = self.models[a.name]
            if not model.mirrorview_supported:
                out.append(FitProblem("MODEL-NO-MIRRORVIEW", a.name, 0))
            elif not model.supports(a.connectivity):
                out.append(FitProblem("ISCSI-NEEDS-C-MODEL", a.name, 0))
            elif model.min_flare_release is not None and a.flare < model.min_flare_release:
                out.append(FitProblem("FLARE-TOO-OLD", a.name, 0))
        if out:
            return out
        for year in sorted({0, self.scenario.growth.years}):
            for load in self.plan_at(year).arrays:
                out += [FitProblem(limit, load.array, year) for limit in load.broken]
        return out

    @property
    def fits(self) -> bool:
        """Every array can mirror this design, now and at the horizon."""
        return not self.fit_problems

    def uniform_variant(self, model: ArrayModel) -> Study:
        """The design with every array replaced by one model."""
        return self.variant(dict.fromkeys(self.models, model))

    @cached_property
    def recommended_model(self) -> str | None:
        """The first catalogue model that fits on every array now and at the horizon (Method §7)."""
        return next((m.model for m in catalogue() if self.uniform_variant(m).fits), None)

    @cached_property
    def plan_remedies(self) -> list[str]:
        """What would fix the broken limits of today's plan; empty when it fits."""
        plan = self.plan
        if plan.feasible:
            return []
        out = []
        if self.recommended_model:
            out.append(
                f"use {self.recommended_model} arrays (the first model that fits now and at the "
                "horizon)"
            )
        if not self.is_sync:
            sync = next(
                (
                    m.model
                    for m in catalogue()
                    if m.mirrorview_supported
                    and self.variant(dict.fromkeys(self.models, m), "sync").plan.feasible
                ),
                None,
            )
            if sync:
                out.append(
                    f"use MirrorView/S instead of MirrorView/A (fits on {sync}) if the distance "
                    "allows"
                )
        out.append("add another array pair and split the servers between the pairs")
        if "LIMIT-CG-COUNT" in plan.blocking and plan.policy == "per_server":
            out.append(
                "use cg_policy: packed to share CGs between servers (they then fail over together)"
            )
        return out

    # --- synchronisation and reserved LUN pool (Method §5, §6) -----------------------------
    @cached_property
    def sync_rate_mbps(self) -> float:
        """Rate of a full synchronisation at the scenario's rate setting (Method §6). [Mbit/s]"""
        fraction = self.a.sync_rate_fraction(self.scenario.replication.sync_rate)
        return float(
            sync_times.sync_rate_mbps(
                self.effective_rate_mbps, fraction, self.a.array_sync_cap_mbps
            )
        )

    @cached_property
    def initial_sync_h(self) -> float:
        """Initial full synchronisation of every mirror, CGs sharing the link. [h]"""
        return float(sync_times.sync_time_h(self.capacity_gib, self.sync_rate_mbps))

    @property
    def failback_sync_h(self) -> float:
        """Full synchronisation back to the original site on failback (same volume). [h]"""
        return self.initial_sync_h

    @cached_property
    def rlp_gib(self) -> float | None:
        """Reserved LUN pool per array for MV/A: max(20 % of capacity, 1.5 × largest CG delta).

        None for MV/S designs. [GiB]
        """
        if self.is_sync:
            return None
        if self.async_cycle.unbounded:  # no delta set to size from: the capacity rule alone
            return self.a.rlp_capacity_fraction * self.capacity_gib
        # A CG's delta set: each member server's share of the written volume, times the share
        # of that server's storage groups the CG holds (DB and log writes follow the groups).
        written = {s.name: sum(s.hourly_log_mib) + sum(s.hourly_db_write_mib) for s in self.servers}
        sgs = {s.name: s.storage_groups for s in self.servers}
        total = sum(written.values())
        shares = [
            sum(
                written[name] / total * cg.storage_groups_of(name) / sgs[name]
                for name in cg.servers
            )
            for cg in self.plan.cgs
        ]
        largest_cg_delta_gib = float(
            mib_to_gib(self.async_cycle.largest_delta_mib * max(shares, default=0.0))
        )
        return max(
            self.a.rlp_capacity_fraction * self.capacity_gib,
            self.a.rlp_delta_safety_factor * largest_cg_delta_gib,
        )
