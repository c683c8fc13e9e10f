"""``Study``: every derived number of one scenario, each computed once and cached.

The calculators (:mod:`workload`, :mod:`link`, :mod:`mvs`, :mod:`mva`, :mod:`sync_times`) and the
consistency-group :mod:`planner` are pure functions; a ``Study`` chains them for one scenario with
its assumptions (Method §2–§8). It sizes and plans each growth year once, and builds each what-if
variant (another array model, another mirroring mode) once, as a ``Study`` of its own.

Links are full duplex (Method §3): every per-link figure is computed per direction, from the
protected VMs whose primary images are on the sending side; the design's figure is the worse
direction.

:class:`srmkit.design.Design` adds the review (findings of every rule, remedies, verdict) on top;
it is the object documents, figures, exports and the CLI read from.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from functools import cached_property

import numpy as np
import numpy.typing as npt

from srmkit import link as link_calc
from srmkit import mva, mvs, planner, protective, server_sizing, sync_times, workload
from srmkit import recovery as recovery_time
from srmkit.limits import ArrayModel, Mode, get_model
from srmkit.perfmon import Measurement
from srmkit.planner import ArrayLoad, ConsistencyGroup, Plan
from srmkit.resync import PartialResync, window_mib
from srmkit.schema import BurstOrigin, Scenario, Site
from srmkit.study_results import (
    CgSizing,
    DirectionLoad,
    LunCount,
    Recovery,
    RlpNeed,
    ServerSizing,
    TestRecovery,
)
from srmkit.units import H_PER_DAY, MIN_PER_H, SECONDS_PER_MIN, mib_to_gib

FloatArray = npt.NDArray[np.float64]
COUNTED_LUNS = 20_000
"""Work limit: a growth year with more LUNs than this (40 times what the largest array mirrors)
is counted, not laid out in consistency groups: no array can hold it either way."""


class Study:
    """The derived numbers of a validated scenario.

    ``models`` replaces array models (array name → catalogue model) for a what-if; an array whose
    model is replaced is assumed to run a FLARE release its new model supports.
    """

    def __init__(
        self,
        scenario: Scenario,
        models: Mapping[str, ArrayModel] | None = None,
        sizing: dict[tuple[object, ...], object] | None = None,
    ) -> None:
        self.scenario = scenario
        measured = scenario.measured.values() if scenario.measured else {}
        self.measured = frozenset(measured)
        """The assumptions a timed rehearsal replaced (the scenario's ``measured:``, Method §8)."""
        self.a = (
            dataclasses.replace(scenario.assumptions, **measured)
            if measured
            else scenario.assumptions
        )
        own = {a.name: get_model(a.model).with_limits(a.limit_changes()) for a in scenario.arrays}
        self.models: dict[str, ArrayModel] = {**own, **(models or {})}
        self.replaced = frozenset(n for n in self.models if self.models[n] != own[n])
        # Server sizings shared with every variant and what-if of the same design: a server,
        # a year, the growth, the assumptions and the arrays it uses decide its sizing.
        self._sizing: dict[tuple[object, ...], object] = {} if sizing is None else sizing
        self._servers: dict[int, list[ServerSizing]] = {}
        self._hubs: dict[int, list[ServerSizing]] = {}
        self._recoveries: dict[tuple[str, bool], Recovery] = {}
        self._cycles: dict[int, dict[str, mva.CycleResult]] = {}
        self._required_rates: dict[int, float | None] = {}
        self._directions: dict[int, list[DirectionLoad]] = {}
        self._loads: dict[int, tuple[ArrayLoad, ...]] = {}
        self._variants: dict[tuple[object, ...], Study] = {}

    # --- identity ----------------------------------------------------------------------------
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

    @property
    def horizon(self) -> int:
        """The last year of the growth horizon."""
        return self.scenario.growth.years

    # --- protected VMs (Method §2, §7) -------------------------------------------------------
    def growth_factor(self, year: int) -> float:
        """Users at ``year`` ÷ users today: ``(1 + g)^year``. [factor]"""
        return float((1.0 + self.scenario.growth.users_per_year_fraction) ** year)

    def _other_site(self, site: str) -> str:
        return next(s.name for s in self.scenario.sites if s.name != site)

    def _first_array(self, site: str) -> str:
        return next(a.name for a in self.scenario.arrays if a.site == site)

    def _size_servers(self, year: int) -> list[ServerSizing]:
        """Size every mailbox server at ``year`` in one vectorised pass (Method §2)."""
        return server_sizing.size_servers(self.scenario, self.a, year, self.growth_factor(year))

    def _size_hub(self, site: Site, year: int) -> ServerSizing:
        """A protected Hub Transport VM at ``year``: its LUNs do not grow, its queue writes grow
        with the messages of the mailboxes at its site (Method §2, v3)."""
        a = self.a
        messages = sum(
            v.users * a.exchange_profiles[v.profile].messages_per_day_count
            for v in self.servers_at(year)
            if v.site == site.name
        )
        return ServerSizing(
            name=site.hub_vm_name,
            site=site.name,
            kind="hub",
            year=year,
            users=0.0,
            profile="",
            storage_groups=0,
            users_per_sg=0.0,
            db_iops_peak=0.0,
            db_write_iops_peak=0.0,
            log_mib_per_day=0.0,
            db_gib=0.0,
            db_lun_gib=0.0,
            log_lun_gib=0.0,
            gos_luns=1,
            gos_lun_gib=a.gos_lun_gib,
            queue_luns=1,
            queue_lun_gib=a.hub_queue_lun_gib,
            source_array=self._first_array(site.name),
            target_array=self._first_array(self._other_site(site.name)),
            hub_write_mib_per_day=float(
                workload.hub_write_mib_per_day(messages, a.message_kib, a.hub_write_factor)
            ),
        )

    def servers_at(self, year: int) -> list[ServerSizing]:
        """Mailbox servers after ``year`` years of growth, in scenario order."""
        if year not in self._servers:
            s = self.scenario
            # A what-if that keeps the servers, growth and assumptions (the same objects) and the
            # arrays' and sites' names keeps their sizing: a family of designs sizes each
            # server-year once.
            same = (
                year,
                id(s.servers),
                id(s.growth),
                id(s.assumptions),
                tuple((a.name, a.site) for a in s.arrays),
                tuple(x.name for x in s.sites),
            )
            cached = self._sizing.get(same)
            if cached is None:
                sized = self._size_servers(year)
                # The objects whose ids the key holds stay alive with it, so no id is reused.
                self._sizing[same] = (sized, (s.servers, s.growth, s.assumptions))
            else:
                sized = cached[0]  # type: ignore[index]
            self._servers[year] = sized
        return self._servers[year]

    @property
    def servers(self) -> list[ServerSizing]:
        """Mailbox servers today, in scenario order."""
        return self.servers_at(0)

    def hubs_at(self, year: int) -> list[ServerSizing]:
        """Protected Hub Transport VMs at ``year`` (their queue writes grow with the mailboxes)."""
        if year not in self._hubs:
            self._hubs[year] = [
                self._size_hub(s, year) for s in self.scenario.sites if s.hub_transport_protected
            ]
        return self._hubs[year]

    @property
    def hubs(self) -> list[ServerSizing]:
        """Protected Hub Transport VMs today."""
        return self.hubs_at(0)

    def vms_at(self, year: int) -> list[ServerSizing]:
        """Every protected VM after ``year`` years: mailbox servers, then Hub Transport VMs."""
        return [*self.servers_at(year), *self.hubs_at(year)]

    @property
    def vms(self) -> list[ServerSizing]:
        """Every protected VM today."""
        return self.vms_at(0)

    @cached_property
    def measurements(self) -> dict[str, Measurement]:
        """Each measured mailbox server's measurement, by server name (Method §2)."""
        return {
            s.name: s.measurement[0] for s in self.scenario.servers if s.measurement is not None
        }

    @property
    def burst_origin(self) -> BurstOrigin:
        """Where the burst factor comes from: the summed measured servers' Performance Monitor
        logs, unless the scenario sets one (Method §2, §4)."""
        return self.scenario._burst

    @cached_property
    def capacity_gib(self) -> float:
        """All mirrored capacity today. [GiB]"""
        return sum(v.capacity_gib for v in self.vms)

    # --- replicated volume and the link (Method §3–§5) ---------------------------------------
    @cached_property
    def line_rate_mbps(self) -> float:
        """Link × efficiency × share, before any TCP window cap (Method §3). [Mbit/s]"""
        link = self.scenario.link
        return float(
            link_calc.effective_rate_mbps(
                link.bandwidth_mbps, link.efficiency_fraction, link.share_fraction
            )
        )

    @property
    def iscsi_mirroring(self) -> bool:
        """Mirrors run over iSCSI ports, so over TCP (Method §3)."""
        return any(a.connectivity == "iscsi" for a in self.scenario.arrays)

    @cached_property
    def rtt_ms(self) -> float:
        """Round trip between the sites, fibre route and network equipment (Method §3). [ms]"""
        link = self.scenario.link
        return float(
            link_calc.rtt_ms(
                link.distance_km,
                link.route_factor,
                self.a.fibre_one_way_ms_per_km,
                link.network_rtt_ms,
            )
        )

    @cached_property
    def tcp_cap_mbps(self) -> float | None:
        """What a direction's TCP connections carry at this round trip: iSCSI mirroring without
        a WAN optimiser; None where no window caps the link (Fibre Channel, WAN optimised)
        (Method §3, v3). [Mbit/s]"""
        link = self.scenario.link
        if not self.iscsi_mirroring or link.wan_optimised:
            return None
        return float(link_calc.tcp_cap_mbps(link.tcp_sessions, link.tcp_window_kib, self.rtt_ms))

    @property
    def tcp_window_binds(self) -> bool:
        """The TCP window, not the line, limits the rate (Method §3)."""
        return self.tcp_cap_mbps is not None and self.tcp_cap_mbps < self.line_rate_mbps

    @property
    def window_to_lift_kib(self) -> float:
        """The TCP window per connection that lets the line rate through (Method §3). [KiB]"""
        link = self.scenario.link
        return float(
            link_calc.window_for_rate_kib(self.line_rate_mbps, self.rtt_ms, link.tcp_sessions)
        )

    @cached_property
    def effective_rate_mbps(self) -> float:
        """Rate available to replication in each direction: the line's, capped by the TCP window
        on iSCSI mirroring (Method §3). [Mbit/s]"""
        cap = self.tcp_cap_mbps
        return self.line_rate_mbps if cap is None else min(self.line_rate_mbps, cap)

    def hourly_mib(self, vms: Sequence[ServerSizing]) -> FloatArray:
        """VMs' replicated volume in each hour for the mode (Method §2, §4, §5;
        :func:`srmkit.server_sizing.replicated_hourly_mib`). [MiB/h]"""
        return server_sizing.replicated_hourly_mib(vms, self.a, self.is_sync)

    def directions_at(self, year: int) -> list[DirectionLoad]:
        """Each direction of the link that carries protected VMs, in site order."""
        if year not in self._directions:
            out = []
            for site in self.scenario.sites:
                vms = [v for v in self.vms_at(year) if v.site == site.name]
                if not vms:
                    continue
                hourly = self.hourly_mib(vms)
                out.append(
                    DirectionLoad(
                        from_site=site.name,
                        to_site=self._other_site(site.name),
                        vms=tuple(v.name for v in vms),
                        capacity_gib=sum(v.capacity_gib for v in vms),
                        hourly_mib=np.asarray(hourly, dtype=float),
                        hourly_rate_mbps=np.asarray(
                            mvs.peak_mbps(np.asarray(hourly, dtype=float), self.a.burst_factor)
                        ),
                        effective_rate_mbps=self.effective_rate_mbps,
                    )
                )
            self._directions[year] = out
        return self._directions[year]

    @property
    def directions(self) -> list[DirectionLoad]:
        """The link's directions today."""
        return self.directions_at(0)

    @cached_property
    def busiest_direction(self) -> DirectionLoad:
        """The direction with the highest peak utilisation today (the design's link figure)."""
        return max(self.directions, key=lambda d: d.peak_utilization_fraction)

    @property
    def peak_mbps(self) -> float:
        """Peak-hour replication rate of the busiest direction. [Mbit/s]"""
        return self.busiest_direction.peak_mbps

    @property
    def peak_utilization_fraction(self) -> float:
        """Peak utilisation of the busiest direction; ≥ 1: it cannot carry the writes. [fraction]"""
        return self.busiest_direction.peak_utilization_fraction

    @property
    def link_saturated(self) -> bool:
        """A direction of the link cannot carry its peak-hour writes (utilisation ≥ 1)."""
        return self.peak_utilization_fraction >= 1.0

    # --- MirrorView/S (Method §4) ------------------------------------------------------------
    @property
    def route_km(self) -> float:
        """Fibre route length: site distance × route factor (held against EMC's 100 km). [km]"""
        return self.scenario.link.distance_km * self.scenario.link.route_factor

    def added_latency_ms(
        self, distance_km: npt.ArrayLike | None = None, direction: DirectionLoad | None = None
    ) -> FloatArray:
        """Write latency MV/S adds at the design's (or a given) site distance, in a direction
        (default: the busiest). [ms]"""
        link, a = self.scenario.link, self.a
        rho = (direction or self.busiest_direction).peak_utilization_fraction
        return mvs.added_latency_ms(
            link.distance_km if distance_km is None else distance_km,
            link.round_trips,
            link.route_factor,
            a.log_write_kib,
            link.bandwidth_mbps,
            min(rho, 1.0),
            a.mirror_overhead_ms,
            a.fibre_one_way_ms_per_km,
        )

    @cached_property
    def log_write_latency_ms(self) -> float:
        """Local log write + added MV/S latency (busiest direction); inf when saturated. [ms]"""
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

    # --- MirrorView/A (Method §5) ------------------------------------------------------------
    @cached_property
    def manual_times_min(self) -> tuple[float, ...]:
        """Start times of manual MV/A updates, minutes after midnight. [min]"""
        times = self.scenario.replication.manual_update_times or []
        return tuple(t.hour * MIN_PER_H + t.minute + t.second / SECONDS_PER_MIN for t in times)

    def cycle(
        self, effective_rate_mbps: float | None = None, direction: DirectionLoad | None = None
    ) -> mva.CycleResult:
        """The MV/A update cycle of a direction (default: the busiest) at the design's (or a
        given) effective rate (Method §5)."""
        r = self.scenario.replication
        return mva.simulate(
            (direction or self.busiest_direction).hourly_mib.tolist(),
            self.effective_rate_mbps if effective_rate_mbps is None else effective_rate_mbps,
            r.update_type,
            r.update_interval_min,
            self.manual_times_min,
            self.a.update_overhead_s,
            self.a.max_simulation_days,
        )

    def cycles_at(self, year: int) -> dict[str, mva.CycleResult]:
        """The MV/A cycle of each direction after ``year`` years, by direction label (Method §7:
        the RPO is checked at every year of the horizon)."""
        memo = self._cycles
        if year not in memo:
            memo[year] = {d.label: self.cycle(direction=d) for d in self.directions_at(year)}
        return memo[year]

    def async_cycle_at(self, year: int) -> mva.CycleResult:
        """The MV/A cycle of the direction with the worst RPO after ``year`` years (unbounded
        first) (Method §7: RPO over the horizon)."""
        return max(
            self.cycles_at(year).values(),
            key=lambda c: math.inf if c.worst_rpo_min is None else c.worst_rpo_min,
        )

    @property
    def cycles(self) -> dict[str, mva.CycleResult]:
        """The MV/A cycle of each direction today, by direction label."""
        return self.cycles_at(0)

    @cached_property
    def async_cycle(self) -> mva.CycleResult:
        """The MV/A cycle of the direction with the worst RPO today (unbounded first)."""
        return self.async_cycle_at(0)

    @cached_property
    def required_rate_mbps_for_target_rpo(self) -> float | None:
        """Smallest effective rate that meets the target RPO in every direction today. [Mbit/s]"""
        return self.required_rate_mbps_for_rpo_at(0)

    def required_rate_mbps_for_rpo_at(self, year: int) -> float | None:
        """Smallest effective rate that meets the target RPO in every direction after ``year``
        years; None when no rate does. [Mbit/s]"""
        memo = self._required_rates
        if year not in memo:
            memo[year] = self._required_rate(year)
        return memo[year]

    def _required_rate(self, year: int) -> float | None:
        r = self.scenario.replication
        rates = [
            mva.required_rate_mbps_for_rpo(
                self.scenario.targets.rpo_min,
                d.hourly_mib.tolist(),
                r.update_type,
                r.update_interval_min,
                self.manual_times_min,
                self.a.update_overhead_s,
                self.a.max_simulation_days,
            )
            for d in self.directions_at(year)
        ]
        return None if any(x is None for x in rates) else max(x for x in rates if x is not None)

    def rpo_against_rate(self, points: int) -> tuple[FloatArray, list[float | None]]:
        """Worst MV/A RPO of the busiest direction at effective rates from ⅛ to 4× the
        design's (log-spaced); None where unbounded. [Mbit/s, min]"""
        rates = np.geomspace(self.effective_rate_mbps / 8, self.effective_rate_mbps * 4, points)
        return rates, [self.cycle(float(r)).worst_rpo_min for r in rates]

    @cached_property
    def worst_rpo_min(self) -> float | None:
        """Worst recovery point: 0 for MV/S in sync; None when MV/A is unbounded. [min]"""
        return 0.0 if self.is_sync else self.async_cycle.worst_rpo_min

    @cached_property
    def mean_rpo_min(self) -> float | None:
        """Time-average recovery point (worst direction): 0 for MV/S in sync. [min]"""
        return 0.0 if self.is_sync else self.async_cycle.mean_rpo_min

    # --- consistency-group plans (Method §7) -------------------------------------------------
    @cached_property
    def plan(self) -> Plan:
        """Today's CG plan with every mirror (an explicit layout, when given, is checked as is)."""
        r = self.scenario.replication
        return planner.plan(
            [v.as_luns() for v in self.vms],
            self.models,
            self.mode,
            r.cg_policy,
            r.consistency_groups,
        )

    def loads_at(self, year: int) -> tuple[ArrayLoad, ...]:
        """Each array's mirrors and CGs against its limits after ``year`` years (counted from the
        CG layout; today's from the plan itself)."""
        if year == 0 and self.scenario.replication.consistency_groups:
            return self.plan.arrays
        if year == 0:
            return tuple(planner.array_loads(self.shapes, list(self.models.items()), self.mode))
        if year not in self._loads:
            vms = [v.as_luns() for v in self.vms_at(year)]
            policy = self.scenario.replication.cg_policy
            # What-ifs of one design that keep its servers, models and mode (another link, an
            # assumption) share the plan: the family plans each (servers, models, mode) once.
            key = ("loads", tuple(vms), tuple(self.models.items()), self.mode, policy)
            shared = self._sizing.get(key)
            if shared is None:
                if sum(v.luns for v in vms) > COUNTED_LUNS:
                    # Far beyond any array: count without laying CGs out (a work limit, §7).
                    shared = planner.counted_loads(vms, self.models, self.mode, policy)
                else:
                    shared = planner.loads(vms, self.models, self.mode, policy)
                self._sizing[key] = shared
            self._loads[year] = shared  # type: ignore[assignment]
        return self._loads[year]

    @cached_property
    def first_break_year(self) -> int | None:
        """The first year of the horizon in which an array limit breaks; None if none does."""
        return next(
            (y for y in self.years if not all(load.fits for load in self.loads_at(y))), None
        )

    def mirrors_at(self, year: int) -> dict[str, int]:
        """Mirrors each array carries after ``year`` years: every LUN of every protected VM
        counts on its source and its target array (Method §7). [count]"""
        memo: dict[int, dict[str, int]] = self.__dict__.setdefault("_mirrors_memo", {})
        if year not in memo:
            out = {a.name: 0 for a in self.scenario.arrays}
            for v in self.vms_at(year):
                luns = v.luns
                out[v.source_array] += luns
                out[v.target_array] += luns
            memo[year] = out
        return dict(memo[year])

    def array_luns_at(self, year: int) -> dict[str, LunCount]:
        """Every array's LUNs after ``year`` years: mirror images (primary and secondary),
        reserved LUNs (one per MirrorView/A image, one per secondary snapped in an SRM test, one
        per secondary under a protective snapshot), protective clones with their two private
        LUNs, and the two MirrorView/S write intent log LUNs (Method §6, §7, v3). [count]"""
        images = self.mirrors_at(year)
        secondaries = dict.fromkeys(images, 0)
        for v in self.vms_at(year):
            secondaries[v.target_array] += v.luns
        wil = 2 if self.is_sync and self.scenario.replication.write_intent_log else 0
        kind = self.scenario.replication.protective_copy if self.is_sync else "none"
        return {
            array: LunCount(
                images=n,
                reserved=(0 if self.is_sync else n)
                + secondaries[array] * (2 if kind == "snapshot" else 1),
                write_intent_log=wil if n else 0,
                clones=(secondaries[array] + protective.CLONE_PRIVATE_LUNS)
                if kind == "clone" and secondaries[array]
                else 0,
            )
            for array, n in images.items()
        }

    @cached_property
    def protective_copies(self) -> dict[str, protective.ProtectiveCopy]:
        """MirrorView/S: the protective copy of the secondaries on each recovery array, sized for
        an outage of ``protective_outage_h`` from the busiest hour (Method §6, v3)."""
        kind = self.scenario.replication.protective_copy if self.is_sync else "none"
        out: dict[str, protective.ProtectiveCopy] = {}
        if kind == "none":
            return out
        for d in self.directions:
            start_min = float(np.argmax(d.hourly_mib)) * MIN_PER_H
            outage_min = self.a.protective_outage_h * MIN_PER_H
            names = set(d.vms)
            mine = [cg for cg in self.shapes if cg.servers and cg.servers[0] in names]
            dirty_gib = self.resync_gib(d, start_min, outage_min)
            for array in sorted({cg.target_array for cg in mine}):
                cgs = [cg for cg in mine if cg.target_array == array]
                share = sum(c.capacity_gib for c in cgs) / max(d.capacity_gib, 1e-9)
                copy = protective.protective_copy(
                    self.a,
                    kind,
                    array,
                    sum(c.luns for c in cgs),
                    sum(c.capacity_gib for c in cgs),
                    dirty_gib * min(share, 1.0),
                )
                if copy is not None:
                    out[array] = copy
        return out

    @cached_property
    def shapes(self) -> list[planner.CgShape] | tuple[ConsistencyGroup, ...]:
        """Today's consistency groups, counted without their mirrors (the explicit layout, when
        given, with them)."""
        r = self.scenario.replication
        if r.consistency_groups:
            return self.plan.cgs
        return planner.shapes([v.as_luns() for v in self.vms], self.models, self.mode, r.cg_policy)

    def recovered_luns_at(self, year: int) -> dict[str, int]:
        """LUNs the busiest recovery ESX cluster of each site must see after ``year`` years.

        VMs recovered to a site are spread over its ``recovery_esx_clusters`` (largest first,
        each to the least loaded cluster); every host of a cluster sees all of its LUNs. [count]
        """
        out: dict[str, int] = {}
        for site in self.scenario.sites:
            vms = sorted((v.luns for v in self.vms_at(year) if v.site != site.name), reverse=True)
            if not vms:
                continue
            clusters = [0] * site.recovery_esx_clusters
            for luns in vms:
                clusters[clusters.index(min(clusters))] += luns
            out[site.name] = max(clusters)
        return out

    # --- synchronisation (Method §6) ---------------------------------------------------------
    @cached_property
    def sync_rate_mbps(self) -> float:
        """Rate of a full synchronisation at the scenario's rate setting (Method §6). [Mbit/s]"""
        fraction = self.a.sync_rate_fraction(self.scenario.replication.sync_rate)
        return float(
            sync_times.sync_rate_mbps(
                self.effective_rate_mbps, fraction, self.a.array_sync_cap_mbps
            )
        )

    def sync_time_h(self, capacity_gib: float) -> float:
        """A full synchronisation of ``capacity_gib`` alone on one direction. [h]"""
        return float(sync_times.sync_time_h(capacity_gib, self.sync_rate_mbps))

    @cached_property
    def initial_sync_by_direction_h(self) -> dict[str, float]:
        """Initial full synchronisation of each direction (CGs share its rate). [h]"""
        return {d.label: self.sync_time_h(d.capacity_gib) for d in self.directions}

    @property
    def initial_sync_h(self) -> float:
        """Initial synchronisation: the directions run in parallel, the longer one ends it. [h]"""
        return max(self.initial_sync_by_direction_h.values(), default=0.0)

    @cached_property
    def failback_sync_by_site_h(self) -> dict[str, float]:
        """Failback after a site's disaster: a full sync back of only that site's VMs. [h]"""
        return {d.from_site: self.sync_time_h(d.capacity_gib) for d in self.directions}

    @property
    def failback_sync_h(self) -> float:
        """The longest failback synchronisation of any site. [h]"""
        return max(self.failback_sync_by_site_h.values(), default=0.0)

    def resync_gib(self, direction: DirectionLoad, start_min: float, outage_min: float) -> float:
        """Partial resync of a direction after a link outage starting at ``start_min`` (time of
        day) and lasting ``outage_min`` (Method §6, v3). [GiB]

        MirrorView/S: the fracture log marks whole extents dirty (:mod:`srmkit.resync`).
        MirrorView/A: the delta set of the outage (its 16 KiB extents follow §5 unchanged), at
        most the mirrored capacity.
        """
        if not self.is_sync:
            hours = outage_min / MIN_PER_H
            start_h = int(start_min // MIN_PER_H) % H_PER_DAY
            written = window_mib(direction.hourly_mib, start_h, hours)
            return float(min(direction.capacity_gib, mib_to_gib(written)))
        return self.partial_resync.direction_gib(direction.vms, start_min, outage_min)

    def cg_resync_gib(self, cg: ConsistencyGroup, start_min: float, outage_min: float) -> float:
        """MirrorView/S: a consistency group's partial resync, its own LUNs' dirty extents
        (Method §6, v3); the direction's figure is the sum over its groups. [GiB]"""
        return self.partial_resync.cg_gib(cg, start_min, outage_min)

    def resync_gib_many(
        self, direction: DirectionLoad, start_min: FloatArray, outage_min: FloatArray
    ) -> FloatArray:
        """:meth:`resync_gib` for many outages at once (the Monte Carlo runs). [GiB]"""
        if not self.is_sync:
            pairs = zip(np.asarray(start_min), np.asarray(outage_min), strict=True)
            return np.array([self.resync_gib(direction, float(s), float(o)) for s, o in pairs])
        return self.partial_resync.many_gib(direction.vms, start_min, outage_min)

    @cached_property
    def partial_resync(self) -> PartialResync:
        """MirrorView/S partial resyncs of today's protected VMs (Method §6, v3)."""
        return PartialResync(self.vms, self.a)

    @cached_property
    def consistency_groups(self) -> list[CgSizing]:
        """Today's CGs with capacities and full-sync times (each CG alone on its direction)."""
        return [
            CgSizing(
                cg.name, cg.servers, cg.luns, cg.capacity_gib, self.sync_time_h(cg.capacity_gib)
            )
            for cg in self.plan.cgs
        ]

    # --- reserved LUN pool (Method §5, §5a) --------------------------------------------------
    @cached_property
    def _written_share(self) -> dict[str, tuple[str, float]]:
        """Each VM's direction and its share of the volume written in that direction."""
        out = {}
        for d in self.directions:
            vms = [v for v in self.vms if v.site == d.from_site]
            written = {v.name: float(self.hourly_mib([v]).sum()) for v in vms}
            total = sum(written.values()) or 1.0
            out.update({name: (d.label, w / total) for name, w in written.items()})
        return out

    def cg_write_share(self, cg: planner.CgShape | ConsistencyGroup) -> tuple[str, float]:
        """A CG's direction and its share of the volume written in that direction: each member
        VM's share, times the share of its storage groups the CG holds. [fraction]"""
        share, label = 0.0, ""
        vms = self._vms_by_name
        for name in cg.servers:
            label, written = self._written_share[name]
            vm = vms[name]
            units = cg.storage_groups_of(name) if vm.storage_groups else 1
            share += written * units / max(vm.storage_groups, 1)
        return label, share

    def _cg_delta_gib(self, cg: planner.CgShape | ConsistencyGroup) -> float:
        """A CG's share of its direction's largest MV/A delta set (:meth:`cg_write_share`). [GiB]"""
        label, share = self.cg_write_share(cg)
        cycle = self.cycles.get(label)
        if cycle is None or cycle.unbounded:
            return 0.0
        return float(mib_to_gib(cycle.largest_delta_mib * share))

    @cached_property
    def _vms_by_name(self) -> dict[str, ServerSizing]:
        return {v.name: v for v in self.vms}

    def _test_window_gib(self, vms: Sequence[ServerSizing]) -> float:
        """Volume replicated to these VMs' LUNs during a test from the busiest hour. [GiB]"""
        if not vms:
            return 0.0
        hourly = self.hourly_mib(vms)
        start = int(np.argmax(hourly))
        return float(mib_to_gib(window_mib(np.asarray(hourly), start, self.a.test_duration_h)))

    @cached_property
    def rlp(self) -> dict[str, RlpNeed]:
        """The reserved LUN pool each array needs, in GiB and reserved LUNs (Method §5, §5a)."""
        a = self.a
        out = {}
        vms = self._vms_by_name
        for array in (x.name for x in self.scenario.arrays):
            touching = [cg for cg in self.shapes if array in (cg.source_array, cg.target_array)]
            mva_gib, luns, capacity, delta = 0.0, 0, 0.0, 0.0
            if not self.is_sync and touching:
                capacity = sum(cg.capacity_gib for cg in touching)
                delta = max(self._cg_delta_gib(cg) for cg in touching)
                mva_gib = max(a.rlp_fraction * capacity, a.rlp_delta_safety_factor * delta)
                luns += sum(cg.luns for cg in touching)
            secondaries = [cg for cg in self.shapes if cg.target_array == array]
            test_gib, snapped, w_test = 0.0, 0.0, 0.0
            if secondaries:
                snapped = sum(cg.capacity_gib for cg in secondaries)
                names = dict.fromkeys(n for cg in secondaries for n in cg.servers)
                w_test = self._test_window_gib([vms[n] for n in names])
                test_gib = max(a.rlp_fraction * snapped, a.cofw_amplification * w_test)
                luns += sum(cg.luns for cg in secondaries)
            copy = self.protective_copies.get(array)
            luns += copy.reserved_luns if copy else 0
            out[array] = RlpNeed(
                array,
                mva_gib,
                test_gib,
                luns,
                capacity,
                delta,
                snapped,
                w_test,
                copy.rlp_gib if copy else 0.0,
            )
        return out

    # --- recovery time (Method §8) -----------------------------------------------------------
    def recovery_of(self, site: str, site_lost: bool = True) -> Recovery:
        """Running the recovery plan for ``site``'s protected VMs at the other site, term by
        term: after the loss of ``site`` (the design's RTO) or, ``site_lost=False``, as a
        planned failover (Method §8)."""
        key = (site, site_lost)
        if key not in self._recoveries:
            to_site = self._other_site(site)
            vms = [v for v in self.vms if v.site == site]
            names = {v.name for v in vms}
            mine = [cg for cg in self.shapes if cg.servers and cg.servers[0] in names]
            target = next(s for s in self.scenario.sites if s.name == to_site)
            self._recoveries[key] = recovery_time.recovery(
                self.a,
                site,
                to_site,
                vms,
                len(mine),
                sum(cg.luns for cg in mine),
                self.recovery_hosts(to_site),
                target.recovery_subnet_differs,
                site_lost,
                self._rollback_mib(site) if site_lost else 0.0,
                self.measured,
            )
        return self._recoveries[key]

    def recovery_hosts(self, site: str) -> int:
        """The ESX hosts at ``site`` that start recovered VMs: its recovery clusters × hosts per
        cluster (Method §8). [count]"""
        clusters = next(s for s in self.scenario.sites if s.name == site).recovery_esx_clusters
        return clusters * self.a.recovery_esx_hosts_per_cluster

    def _rollback_mib(self, site: str) -> float:
        """MirrorView/A: the largest update of ``site``'s direction, the most a promote can find
        in flight and roll back to the gold copy (Method §8); 0 for MirrorView/S. [MiB]"""
        if self.is_sync:
            return 0.0
        label = next((d.label for d in self.directions if d.from_site == site), None)
        cycle = self.cycles.get(label) if label else None
        return max((u.volume_mib for u in cycle.updates), default=0.0) if cycle else 0.0

    def test_of(self, site: str) -> TestRecovery:
        """An SRM test of ``site``'s recovery plan: snapshots presented in one SRA command, then
        the VMs on the test network (Method §8)."""
        rec = self.recovery_of(site)
        vms = [v for v in self.vms if v.site == site]
        return recovery_time.failover_test_time(
            self.a,
            site,
            rec.to_site,
            vms,
            rec.luns,
            self.recovery_hosts(rec.to_site),
            self.measured,
        )

    @cached_property
    def sra_steps_s(self) -> dict[tuple[str, str], float]:
        """Every SRA storage command of the design, by protected site and ``recovery`` or
        ``test``: each must finish within SRM's SRA timeout (Method §8). [s]"""
        out = {}
        for r in self.recoveries:
            out[(r.from_site, "recovery")] = r.storage_s
            out[(r.from_site, "test")] = self.test_of(r.from_site).prepare_storage_s
        return out

    @property
    def sra_timeout_to_set_s(self) -> float:
        """The SRA timeout the design needs: the one configured, or srmkit's advice when a
        storage command runs longer (Method §8). [s]"""
        longest = max(self.sra_steps_s.values(), default=0.0)
        if longest <= self.a.sra_timeout_s:
            return self.a.sra_timeout_s
        return recovery_time.sra_timeout_to_set_s(self.a, longest)

    @cached_property
    def recoveries(self) -> list[Recovery]:
        """The recovery of each site that runs protected VMs."""
        return [self.recovery_of(d.from_site) for d in self.directions]

    @cached_property
    def recovery(self) -> Recovery:
        """The recovery with the longest RTO (the design's RTO)."""
        return max(self.recoveries, key=lambda r: r.rto_min)

    # --- what-if variants, model fit and recommendations (Method §7) -------------------------
    def variant(
        self, models: Mapping[str, ArrayModel] | None = None, mode: Mode | None = None
    ) -> Study:
        """The same scenario with other array models and/or mirroring mode, built once."""
        models = {**self.models, **(models or {})}
        mode = mode or self.mode
        if models == self.models and mode == self.mode:
            return self
        key = (mode, *(m.model for m in models.values()))
        if key not in self._variants:
            scenario = self.scenario
            if mode != self.mode:
                replication = scenario.replication.model_copy(update={"mode": mode})
                scenario = scenario.model_copy(update={"replication": replication})
            own = {
                a.name: get_model(a.model).with_limits(a.limit_changes())
                for a in self.scenario.arrays
            }
            changed = {n: m for n, m in models.items() if m != own[n]}
            self._variants[key] = Study(scenario, changed, self._sizing)
        return self._variants[key]

    def uniform_variant(self, model: ArrayModel) -> Study:
        """The design with every array replaced by one model."""
        return self.variant(dict.fromkeys(self.models, model))
