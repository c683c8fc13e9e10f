"""``Design``: the whole sizing study of one scenario, chained from the calculators.

The CLI (`srmkit size`), the notebooks and later checks read their numbers from here and never do
their own arithmetic. Every number follows MODEL.md §2–§6 with the scenario's assumptions.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from srmkit import link as link_calc
from srmkit import mva, mvs, sync_times, workload
from srmkit.assumptions import assumption_rows
from srmkit.params import json_ready
from srmkit.planner import plan_scenario, server_luns
from srmkit.schema import Scenario, Server
from srmkit.units import mib_to_gib


@dataclass(frozen=True)
class ServerSizing:
    """Workload and capacity of one mailbox server (MODEL.md §2)."""

    name: str
    site: str
    users: int
    profile: str
    storage_groups: int
    users_per_sg: float
    db_iops_peak: float
    db_write_iops_peak: float
    log_mib_per_day: float
    db_lun_gib: float
    log_lun_gib: float
    gos_luns_gib: float
    hourly_log_mib: tuple[float, ...]
    hourly_db_write_mib: tuple[float, ...]

    @property
    def capacity_gib(self) -> float:
        """Mirrored capacity: DB and log LUNs of every storage group plus guest-OS LUNs. [GiB]"""
        return self.storage_groups * (self.db_lun_gib + self.log_lun_gib) + self.gos_luns_gib


@dataclass(frozen=True)
class CgSizing:
    """One consistency group with its capacity and full-sync time."""

    name: str
    server: str
    luns: int
    capacity_gib: float
    sync_time_h: float


class Design:
    """The sizing study of a validated scenario."""

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self.a = scenario.assumptions

    # --- workload ------------------------------------------------------------------------
    def _size_server(self, server: Server) -> ServerSizing:
        a = self.a
        p = a.exchange_profiles[server.profile]
        sgs = server_luns(self.scenario, server).storage_groups
        iops = float(
            workload.db_iops_peak(server.users, p.db_iops_per_mailbox, a.iops_headroom_fraction)
        )
        write_iops = float(workload.db_write_iops_peak(iops, a.db_write_fraction))
        logs = float(
            workload.log_mib_per_day(server.users, p.logs_per_mailbox_per_day_count, a.log_file_mib)
        )
        users_per_sg = server.users / sgs
        return ServerSizing(
            name=server.name,
            site=server.site,
            users=server.users,
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
            gos_luns_gib=server.gos_luns * a.gos_lun_gib,
            hourly_log_mib=tuple(workload.hourly_log_mib(logs, a.daily_profile_fraction).tolist()),
            hourly_db_write_mib=tuple(
                workload.hourly_db_write_mib(
                    write_iops, a.daily_profile_fraction, a.db_page_kib
                ).tolist()
            ),
        )

    @cached_property
    def servers(self) -> list[ServerSizing]:
        """Per-server sizing, in scenario order."""
        return [self._size_server(s) for s in self.scenario.servers]

    @cached_property
    def hourly_sync_mib(self) -> np.ndarray:
        """MV/S replicated volume per hour on the link, all servers and directions. [MiB/h]"""
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
    def hourly_async_mib(self) -> np.ndarray:
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
    def hourly_replicated_mib(self) -> np.ndarray:
        """Replicated volume per hour for the scenario's mode. [MiB/h]"""
        return self.hourly_sync_mib if self.is_sync else self.hourly_async_mib

    @property
    def is_sync(self) -> bool:
        """MirrorView/S design."""
        return self.scenario.replication.mode == "sync"

    # --- link ----------------------------------------------------------------------------
    @cached_property
    def effective_rate_mbps(self) -> float:
        """Rate available to replication (MODEL.md §3). [Mbit/s]"""
        link = self.scenario.link
        return float(
            link_calc.effective_rate_mbps(
                link.bandwidth_mbps, link.efficiency_fraction, link.share_fraction
            )
        )

    @cached_property
    def peak_mbps(self) -> float:
        """Peak-hour replication rate (MODEL.md §4). [Mbit/s]"""
        return float(mvs.peak_mbps(self.hourly_replicated_mib.max(), self.a.burst_factor))

    @property
    def peak_utilization_fraction(self) -> float:
        """Peak rate ÷ effective rate; ≥ 1 means the link cannot carry the writes. [fraction]"""
        return self.peak_mbps / self.effective_rate_mbps

    def hourly_utilization_fraction(self) -> np.ndarray:
        """Link utilisation in each hour of the day. [fraction]"""
        rates = mvs.peak_mbps(self.hourly_replicated_mib, self.a.burst_factor)
        return np.asarray(rates) / self.effective_rate_mbps

    # --- MirrorView/S --------------------------------------------------------------------
    def added_latency_ms(self, distance_km: Any = None) -> Any:
        """Write latency MV/S adds at the design's (or given) distance. [ms]"""
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

    @property
    def log_write_latency_ms(self) -> float:
        """Local log write + added MV/S latency; inf when the link is saturated. [ms]"""
        return float(self.a.local_log_write_ms + self.added_latency_ms())

    def max_distance_km(self, threshold_ms: float | None = None) -> float:
        """Largest distance keeping log writes at the threshold (default: average limit). [km]"""
        link, a = self.scenario.link, self.a
        return float(
            mvs.max_distance_km(
                a.log_write_avg_limit_ms if threshold_ms is None else threshold_ms,
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

    # --- MirrorView/A --------------------------------------------------------------------
    def _manual_times_min(self) -> list[float]:
        times = self.scenario.replication.manual_update_times or []
        return [t.hour * 60 + t.minute + t.second / 60 for t in times]

    def cycle(self, effective_rate_mbps: float | None = None) -> mva.CycleResult:
        """The MV/A update cycle at the design's (or a given) effective rate (MODEL.md §5)."""
        r = self.scenario.replication
        return mva.simulate(
            self.hourly_async_mib.tolist(),
            self.effective_rate_mbps if effective_rate_mbps is None else effective_rate_mbps,
            r.update_type,
            r.update_interval_min,
            self._manual_times_min(),
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
            self._manual_times_min(),
            self.a.update_overhead_s,
            self.a.max_simulation_days,
        )

    # --- synchronisation and RLP ---------------------------------------------------------
    @property
    def sync_rate_mbps(self) -> float:
        """Rate of a full synchronisation at the scenario's rate setting (MODEL.md §6). [Mbit/s]"""
        fraction = getattr(self.a, f"sync_rate_{self.scenario.replication.sync_rate}_fraction")
        return float(
            sync_times.sync_rate_mbps(
                self.effective_rate_mbps, fraction, self.a.array_sync_cap_mbps
            )
        )

    @cached_property
    def consistency_groups(self) -> list[CgSizing]:
        """Per-server CG layout with capacities and full-sync times (each CG alone on the link)."""
        return [
            CgSizing(
                cg.name,
                ", ".join(cg.servers),
                cg.luns,
                cg.capacity_gib,
                float(sync_times.sync_time_h(cg.capacity_gib, self.sync_rate_mbps)),
            )
            for cg in plan_scenario(self.scenario).cgs
        ]

    @property
    def capacity_gib(self) -> float:
        """All mirrored capacity. [GiB]"""
        return sum(s.capacity_gib for s in self.servers)

    @property
    def initial_sync_h(self) -> float:
        """Initial full synchronisation of every mirror, CGs sharing the link. [h]"""
        return float(sync_times.sync_time_h(self.capacity_gib, self.sync_rate_mbps))

    @property
    def failback_sync_h(self) -> float:
        """Full synchronisation back to the original site on failback (same volume). [h]"""
        return self.initial_sync_h

    @property
    def rlp_gib(self) -> float | None:
        """Reserved LUN pool per array for MV/A: max(20 % of capacity, 1.5 × largest CG delta).

        None for MV/S designs (no RLP needed). [GiB]
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
        largest_cg_delta_gib = 0.0
        for cg in plan_scenario(self.scenario).cgs:
            share = 0.0
            for name in cg.servers:
                held = sum(1 for m in cg.mirrors if m.server == name and m.role == "db")
                share += written[name] / total * held / sgs[name]
            delta = mib_to_gib(self.async_cycle.largest_delta_mib * share)
            largest_cg_delta_gib = max(largest_cg_delta_gib, delta)
        return max(
            self.a.rlp_capacity_fraction * self.capacity_gib,
            self.a.rlp_delta_safety_factor * largest_cg_delta_gib,
        )

    # --- output --------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """The study as JSON-ready data (``srmkit size --format json``); keys carry units."""

        def num(x: float | None) -> float | None:
            return None if x is None or not math.isfinite(x) else round(x, 6)

        per_server = {
            s.name: {
                "users": s.users,
                "profile": s.profile,
                "storage_groups": s.storage_groups,
                "db_iops_peak": num(s.db_iops_peak),
                "db_write_iops_peak": num(s.db_write_iops_peak),
                "log_mib_per_day": num(s.log_mib_per_day),
                "db_lun_gib": num(s.db_lun_gib),
                "log_lun_gib": num(s.log_lun_gib),
                "capacity_gib": num(s.capacity_gib),
            }
            for s in self.servers
        }
        per_server["total"] = {
            "users": sum(s.users for s in self.servers),
            "storage_groups": sum(s.storage_groups for s in self.servers),
            "db_iops_peak": num(sum(s.db_iops_peak for s in self.servers)),
            "db_write_iops_peak": num(sum(s.db_write_iops_peak for s in self.servers)),
            "log_mib_per_day": num(sum(s.log_mib_per_day for s in self.servers)),
            "capacity_gib": num(self.capacity_gib),
        }
        out: dict[str, Any] = {
            "workload": per_server,
            "link": {
                "effective_rate_mbps": num(self.effective_rate_mbps),
                "peak_mbps": num(self.peak_mbps),
                "peak_utilization_fraction": num(self.peak_utilization_fraction),
            },
        }
        if self.is_sync:
            out["sync"] = {
                "added_latency_ms": num(float(self.added_latency_ms())),
                "log_write_latency_ms": num(self.log_write_latency_ms),
                "db_read_latency_ms": num(self.a.local_db_read_ms),
                "max_distance_km": num(self.max_distance_km()),
                "link_saturated": self.peak_utilization_fraction >= 1.0,
                "rpo_min": 0,
            }
        else:
            c = self.async_cycle
            out["async"] = {
                "worst_rpo_min": num(c.worst_rpo_min),
                "mean_rpo_min": num(c.mean_rpo_min),
                "update_overrun": c.update_overrun,
                "unbounded": c.unbounded,
                "periodic": c.periodic,
                "required_rate_mbps_for_target_rpo": num(self.required_rate_mbps_for_target_rpo),
                "updates": [
                    {
                        "start_min": num(u.start_min),
                        "volume_mib": num(u.volume_mib),
                        "duration_min": num(u.duration_min),
                    }
                    for u in c.updates
                ],
            }
        out["sync_times"] = {
            "sync_rate_mbps": num(self.sync_rate_mbps),
            "initial_sync_h": num(self.initial_sync_h),
            "failback_sync_h": num(self.failback_sync_h),
            "consistency_groups": [
                {
                    "name": cg.name,
                    "luns": cg.luns,
                    "capacity_gib": num(cg.capacity_gib),
                    "sync_time_h": num(cg.sync_time_h),
                }
                for cg in self.consistency_groups
            ],
        }
        out["rlp_gib"] = num(self.rlp_gib)
        out["assumptions"] = {
            r.name: {
                "value": json_ready(r.value),
                "unit": r.unit,
                "source": r.source,
                "overridden": r.overridden,
            }
            for r in assumption_rows(self.a)
        }
        return out
