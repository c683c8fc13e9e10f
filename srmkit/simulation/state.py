"""The state of one run: consistency groups, directions and queued events."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from srmkit.schema import EventKind, SimEvent

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
    rollback_until: float = 0.0
    """When a MirrorView/A rollback to the gold copy of this CG ends. [min]"""


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
    writes_stopped_t: float | None = None
    """When the protected datastores were unmounted (or the VMs shut down by a plan): no write
    reaches the mirrored LUNs from then on."""
    final_pending: bool = False
    """A final MirrorView/A update was asked for and has not completed yet."""
    final_start_t: float | None = None
    """When that final update started."""
    awaiting_final: bool = False
    """A failback plan waits for the final update (or the quiesce threshold) to promote."""
    test_started_t: float | None = None
    test_ready_t: float | None = None
    """When a test's VMs run Exchange on the test network."""


@dataclass(order=True)
class _Queued:
    t: float
    seq: int
    kind: str = field(compare=False)
    args: dict[str, Any] = field(compare=False)
    routine: bool = field(compare=False, default=False)


@dataclass
class SyncBatch:
    """The consistency groups synchronising together over one direction of the link: they share
    its rate, so a group that joins later lengthens the batch (Method §6)."""

    members: list[int]
    """The consistency groups in the batch (indexes)."""
    remaining_gib: float = 0.0
    """What is left to send, as of ``since``. [GiB]"""
    since: float = 0.0
    """When ``remaining_gib`` was last counted, in scenario time. [min]"""
    token: int = 0
    """Bumped whenever the batch changes: a queued end of an older batch is ignored."""


@dataclass(frozen=True)
class EventHandlers:
    """What each event does to a run, by the event's name: the scenario file's events
    (``SimEvent.event``) and the steps a run queues for itself. Built once, in
    :mod:`srmkit.simulation.handlers`; a run is given it, so the dispatch is a table look-up that
    readers and type checkers can follow, never a method found by name."""

    user: Mapping[EventKind, Callable[[Any, SimEvent], None]]
    internal: Mapping[str, Callable[..., None]]
