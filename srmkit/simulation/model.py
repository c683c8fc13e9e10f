"""The design as the simulator sees it: consistency groups, directions and timings, computed
once per design."""

from __future__ import annotations

from dataclasses import dataclass

from srmkit.caching import per_object
from srmkit.design import Design
from srmkit.mva import Volume
from srmkit.simulation.results import ScenarioResult
from srmkit.units import (
    gib_to_mbit,
    h_to_min,
    mib_to_mbit,
    s_to_min,
)

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
        self.fracture_timeout_min = float(s_to_min(a.mvs_fracture_timeout_s))
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


@per_object
def _model(design: Design) -> _Model:
    """The simulator's view of a design (computed once per design)."""
    return _Model(design)
