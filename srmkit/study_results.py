"""What a :class:`srmkit.study.Study` computes, as plain frozen records: each server's sizing, each
direction's load, each consistency group's synchronisation, each array's reserved LUN pool, the
recovery plan's steps, and why a model does not fit or which one replaces it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from srmkit import link as link_calc
from srmkit import planner
from srmkit.planner import ServerLuns

FloatArray = npt.NDArray[np.float64]
VmKind = Literal["mailbox", "hub"]
NEXT_MODEL_YEARS = 15
"""How far past the horizon srmkit looks for the year the next model up becomes necessary."""


@dataclass(frozen=True)
class MeasuredWrites:
    """A measured server's writes in each clock hour 0–23, scaled to the mailboxes of the year
    (Method §2, a measured profile): they replace the profile's for the link, the MV/A delta
    sets and the resyncs."""

    source: str
    """The measurement file as the scenario names it."""
    kind: Literal["perfmon", "log_counts"]
    log_mib_h: tuple[float, ...]
    """Transaction log writes in each hour. [MiB]"""
    db_write_mib_h: tuple[float, ...]
    """Database page writes in each hour (log counts: the profile's ratio of database to log
    volume). [MiB]"""
    gos_write_mib_h: tuple[float, ...] | None
    """Guest-OS volume writes in each hour; None: the ``gos_write_mib_per_h`` assumption. [MiB]"""
    profile_log_mib_h: tuple[float, ...] = ()
    """What the server's mailbox profile gives for its logs in each hour, for comparison. [MiB]"""
    profile_db_write_mib_h: tuple[float, ...] = ()
    """What the profile gives for its database writes in each hour (with the IOPS headroom),
    for comparison. [MiB]"""


@dataclass(frozen=True)
class ServerSizing:
    """Workload and capacity of one protected VM at one year of the horizon (Method §2).

    A protected Hub Transport VM (``kind == "hub"``) has no mailboxes and no storage groups: its
    guest-OS LUN and transport queue LUN are mirrored in a consistency group of its own (§7).
    """

    name: str
    site: str
    kind: VmKind
    year: int
    users: float
    """Mailboxes after growth. [users]"""
    profile: str
    storage_groups: int
    users_per_sg: float
    db_iops_peak: float
    db_write_iops_peak: float
    log_mib_per_day: float
    db_gib: float
    """One database (whitespace and dumpster included). [GiB]"""
    db_lun_gib: float
    log_lun_gib: float
    gos_luns: int
    gos_lun_gib: float
    queue_luns: int
    queue_lun_gib: float
    source_array: str
    target_array: str
    hub_write_mib_per_day: float = 0.0
    """A protected Hub Transport's queue writes: the messages of its site's mailboxes (Method §2,
    v3); 0 for a mailbox server. [MiB/day]"""
    measured: MeasuredWrites | None = None
    """The server's measured writes; None: its profile's. A measured server's
    ``db_write_iops_peak`` and ``log_mib_per_day`` are the measurement's (no IOPS headroom);
    ``db_iops_peak`` and the LUN sizes stay the profile's (Method §2)."""

    @property
    def luns(self) -> int:
        """Mirrored LUNs, each a virtual disk of the VM: DB + log per storage group, singles."""
        return (
            planner.LUNS_PER_STORAGE_GROUP * self.storage_groups + self.gos_luns + self.queue_luns
        )

    @property
    def capacity_gib(self) -> float:
        """Mirrored capacity of the VM. [GiB]"""
        return (
            self.storage_groups * (self.db_lun_gib + self.log_lun_gib)
            + self.gos_luns * self.gos_lun_gib
            + self.queue_luns * self.queue_lun_gib
        )

    def as_luns(self) -> ServerLuns:
        """The planner's view of this VM."""
        return ServerLuns(
            name=self.name,
            source_array=self.source_array,
            target_array=self.target_array,
            storage_groups=self.storage_groups,
            gos_luns=self.gos_luns,
            db_lun_gib=self.db_lun_gib,
            log_lun_gib=self.log_lun_gib,
            gos_lun_gib=self.gos_lun_gib,
            queue_luns=self.queue_luns,
            queue_lun_gib=self.queue_lun_gib,
        )


@dataclass(frozen=True)
class DirectionLoad:
    """Replication from one site to the other in one year (Method §3–§5)."""

    from_site: str
    to_site: str
    vms: tuple[str, ...]
    """Protected VMs whose primary images are at ``from_site``."""
    capacity_gib: float
    hourly_mib: FloatArray
    """Replicated volume in each hour 0–23, for the mode. [MiB/h]"""
    hourly_rate_mbps: FloatArray
    """Replication rate in each hour, with the burst factor. [Mbit/s]"""
    effective_rate_mbps: float

    @property
    def peak_mbps(self) -> float:
        """Peak-hour replication rate. [Mbit/s]"""
        return float(self.hourly_rate_mbps.max()) if self.vms else 0.0

    @property
    def peak_utilization_fraction(self) -> float:
        """Peak rate ÷ effective rate; ≥ 1: the link cannot carry this direction. [fraction]"""
        return float(link_calc.utilization_fraction(self.peak_mbps, self.effective_rate_mbps))

    @property
    def label(self) -> str:
        """``Amsterdam → Utrecht``."""
        return f"{self.from_site} → {self.to_site}"


@dataclass(frozen=True)
class LunCount:
    """The LUNs one array holds for the design in one year (Method §7, v3). [count]"""

    images: int
    """Primary and secondary mirror images."""
    reserved: int
    """Reserved LUNs: MirrorView/A delta sets and gold copies, SRM test snapshots."""
    write_intent_log: int
    """The two write intent log LUNs of MirrorView/S (one per SP)."""
    clones: int = 0
    """Clone and clone private LUNs of protective clones."""

    @property
    def total(self) -> int:
        return self.images + self.reserved + self.write_intent_log + self.clones

    @property
    def text(self) -> str:
        """``398 mirror images, 796 reserved, 2 write intent log``."""
        parts = [f"{self.images:,} mirror images", f"{self.reserved:,} reserved"]
        if self.write_intent_log:
            parts.append(f"{self.write_intent_log} write intent log")
        if self.clones:
            parts.append(f"{self.clones:,} clone")
        return ", ".join(parts)


@dataclass(frozen=True)
class CgSizing:
    """One consistency group with its capacity and full-sync time alone on its direction."""

    name: str
    servers: tuple[str, ...]
    luns: int
    capacity_gib: float
    sync_time_h: float


@dataclass(frozen=True)
class RlpNeed:
    """Reserved LUN pool to configure on one array (Method §5, §5a)."""

    array: str
    mva_gib: float
    """MirrorView/A delta sets and gold copies: max(share of capacity, safety × delta). [GiB]"""
    test_gib: float
    """SRM test-failover snapshots of the secondary LUNs on this array. [GiB]"""
    reserved_luns: int
    replicated_gib: float = 0.0
    """MV/A: capacity of the mirrors touching this array (source or target). [GiB]"""
    largest_delta_gib: float = 0.0
    """MV/A: the largest delta set of a consistency group touching this array. [GiB]"""
    snapped_gib: float = 0.0
    """Capacity of the secondary LUNs a test failover snaps on this array. [GiB]"""
    test_window_gib: float = 0.0
    """Volume replicated to those LUNs during a test from the busiest hour. [GiB]"""
    protect_gib: float = 0.0
    """MirrorView/S: the protective snapshots of the secondaries during a link outage. [GiB]"""

    @property
    def rlp_gib(self) -> float:
        """The pool to configure. [GiB]"""
        return self.mva_gib + self.test_gib + self.protect_gib


@dataclass(frozen=True)
class RecoveryStep:
    """One term of the recovery time with its estimate and how it is made up (Method §8)."""

    step: str
    """What happens, for readers: ``storage``, ``mount``, ``power on, normal priority``."""
    count: int
    """How many objects the term counts (consistency groups, datastores, VMs, …)."""
    minutes: float
    detail: str
    """The arithmetic in words: ``60 s + 13 consistency groups × 60 s + 224 LUNs × 5 s``."""
    measured: bool = False
    """Timed in the customer's rehearsal (the scenario's ``measured:`` section)."""


@dataclass(frozen=True)
class Recovery:
    """Recovering one site's protected VMs at the other site, term by term (Method §8)."""

    from_site: str
    to_site: str
    vms: tuple[str, ...]
    cgs: int
    luns: int
    site_lost: bool
    """The protected site cannot be reached (a disaster): force promotes and SRM's attempt to
    reach it; False for a planned failover."""
    steps: tuple[RecoveryStep, ...]
    declare_min: float
    client_reconnect_min: float
    storage_s: float
    """The storage step in seconds: one SRA command, held against ``sra_timeout_s``. [s]"""

    @property
    def after_decision_min(self) -> float:
        """The recovery plan's run time after the decision, the sum of its terms. [min]"""
        return sum(s.minutes for s in self.steps)

    @property
    def rto_min(self) -> float:
        """From the disaster to the VMs serving users: declaration + plan. [min]"""
        return self.declare_min + self.after_decision_min

    @property
    def users_back_min(self) -> float:
        """From the disaster to users working again (DNS, AD, Outlook reconnect). [min]"""
        return self.rto_min + self.client_reconnect_min

    def minutes_of(self, step: str) -> float:
        """The minutes of one term (0 when the design has none of it). [min]"""
        return sum(s.minutes for s in self.steps if s.step == step)


@dataclass(frozen=True)
class TestRecovery:
    """An SRM test of one site's recovery plan: snapshots, not promotes (Method §8)."""

    from_site: str
    to_site: str
    luns: int
    prepare_storage_s: float
    """Snapshot, start, activate and present every secondary LUN: one SRA command. [s]"""
    steps: tuple[RecoveryStep, ...]

    @property
    def after_start_min(self) -> float:
        """From clicking Test to the test VMs running Exchange. [min]"""
        return sum(s.minutes for s in self.steps)


@dataclass(frozen=True)
class FitProblem:
    """Why a model assignment does not fit: a rule id, the array, the year and what broke."""

    rule_id: str
    array: str
    year: int
    detail: str


@dataclass(frozen=True)
class Recommendation:
    """A replacement model for an array that breaks a limit, connectivity or FLARE rule."""

    array: str
    current_model: str
    recommended_model: str | None
    reason: str
    replaces: tuple[str, ...]
    """The arrays the recommended model replaces: this one, or the pair if one is not enough."""
    details: tuple[str, ...] = ()
    """What the array breaks, in words (``reason`` without the rule identifiers)."""
    in_place: bool = False
    """The installed array is of the previous generation: upgraded in place to the recommended
    model (EMC's data-in-place conversion), not replaced."""
    current_models: tuple[str, ...] = ()
    """The installed model of each array in ``replaces``."""
    next_model: str | None = None
    """The next current model above the recommended one."""
    next_model_year: int | None = None
    """The first year the recommended model breaks a limit at the scenario's growth; None when
    it does not within 15 years past the horizon."""

    @property
    def action(self) -> str:
        """``upgrade in place`` or ``replace``."""
        return "upgrade in place" if self.in_place else "replace"

    @property
    def text(self) -> str:
        """A model recommendation in words, the same in every document and command (Method §7):
        ``upgrade ZRH-CX3 (CX3-40c) in place to a CX4-240 (EMC's data-in-place conversion)``,
        ``replace VIE-CX4 (CX4-120) by a CX4-480, and …``; or that no catalogue model fits."""
        first = self.replaces[0]
        model = self.recommended_model
        if model is None:
            return (
                f"no CLARiiON model in the catalogue carries {first} ({self.current_model}) with "
                "the headroom srmkit keeps: see the findings for what would"
            )
        if self.in_place:
            text = (
                f"upgrade {first} ({self.current_model}) in place to a {model} (EMC's "
                "data-in-place conversion)"
            )
        else:
            text = f"replace {first} ({self.current_model}) by a {model}"
        others = [
            f"{n} ({m})" for n, m in zip(self.replaces[1:], self.current_models[1:], strict=False)
        ]
        if others:
            text += (
                f", and {' and '.join(others)} by the same model (after a failover it runs "
                "production)"
            )
        if self.next_model and self.next_model_year:
            text += f"; a {self.next_model} becomes necessary in year {self.next_model_year}"
        elif self.next_model:
            text += (
                f"; the next model up, a {self.next_model}, is not needed within "
                f"{NEXT_MODEL_YEARS} years after the horizon at this growth"
            )
        return text
