"""The simulator's results: timeline rows, refusals, spans and one scenario's result."""

from __future__ import annotations

from dataclasses import dataclass

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
class Resync:
    """A synchronisation the scenario started over one direction of the link."""

    t_min: float
    clock: str
    direction: str
    """``Amsterdam → Utrecht``: the direction the data flows."""
    consistency_groups: int
    kind: str
    """``partial`` (the extents written since the secondary stopped receiving writes, from the
    fracture log, Method §6) or ``full`` (the whole capacity)."""
    resync_gib: float
    """What it sends. [GiB]"""
    since_min: float | None
    """Partial: when the secondary stopped receiving writes (the link lost). [min]"""


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
    data_loss_unbounded: bool = False
    """The design's MirrorView/A lag is unbounded (a day's writes exceed what the link carries in
    a day): ``data_loss_min`` and ``data_loss_mib`` are lower bounds, taken after
    ``days_in_service`` days of operation, and grow every further day (Method §8)."""
    lag_growth_h_per_day: float | None = None
    """How much further behind the secondary falls every day; None when bounded. [h/day]"""
    days_in_service: float | None = None
    """The days of operation the lower bounds assume; None when bounded. [day]"""
    write_stall_s: float = 0.0
    """The longest time MirrorView/S held Exchange's writes while the link or the secondary
    could not be reached: the outage's length when shorter than the fracture timeout, else the
    timeout (Method §4). [s]"""
    resync_gib: float = 0.0
    """Sum of the partial resynchronisations the scenario ran (Method §6). [GiB]"""
    resyncs: tuple[Resync, ...] = ()
    """Every synchronisation started, partial and full."""
    srm_protected_at_end: bool = True
    """Every protection group is protected by SRM at the end: False after a recovery plan ran
    (SRM 1.0/4.x protects nothing until reverse groups and plans are created, Method §8)."""
    declared_min: float | None = None
    """From the disaster to the recovery plan's start: the declaration. [min]"""
    after_decision_min: float | None = None
    """From the recovery plan's start to the VMs serving users. [min]"""
    test_ready_min: float | None = None
    """An SRM test: from clicking Test to the test VMs running Exchange, including a wait for a
    MirrorView/A update in progress. [min]"""
