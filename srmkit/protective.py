"""Protective copies of the MirrorView/S secondaries (Method §6, v3).

Before a resynchronisation overwrites a fractured secondary, the recovery site must keep a
consistent copy of it: the secondary is unusable until the resynchronisation ends [S0]. The
scenario's ``replication.protective_copy`` chooses how, and each way costs something:

- ``snapshot`` (the default): a SnapView session on every secondary LUN, started when the link is
  lost; copy-on-first-write fills the recovery array's reserved LUN pool, sized
  ``cofw_amplification × resync_gib`` for an outage of ``protective_outage_h`` from the busiest
  hour, with one reserved LUN per secondary LUN;
- ``clone``: SnapView clones of every secondary, kept synchronised and fractured when the link is
  lost: the full mirrored capacity again, two clone private LUNs per array, a clone
  synchronisation at go-live and double writes on the recovery array;
- ``none``: nothing protects the secondaries (the design warns).

MirrorView/A keeps a gold copy of its secondaries itself: it needs no protective copy.
"""

from __future__ import annotations

from dataclasses import dataclass

from srmkit.assumptions import Assumptions
from srmkit.units import gib_to_mib, s_to_h, s_to_min

CLONE_PRIVATE_LUNS = 2
"""SnapView clone private LUNs per array (one per SP) [S0]."""


@dataclass(frozen=True)
class ProtectiveCopy:
    """The protective copy of the secondaries on one recovery array."""

    kind: str
    """``snapshot`` or ``clone``."""
    array: str
    luns: int
    """Secondary LUNs it protects (one session or clone each). [count]"""
    secondary_gib: float
    """Their capacity. [GiB]"""
    capacity_gib: float
    """Storage it takes: clones and clone private LUNs; 0 for snapshots (in the pool). [GiB]"""
    rlp_gib: float
    """Reserved LUN pool for the snapshots' copy-on-first-write; 0 for clones. [GiB]"""
    reserved_luns: int
    private_luns: int
    take_min: float
    """Starting the sessions, or fracturing the clones, of every LUN when the link is lost. [min]"""
    go_live_sync_h: float
    """Clones: their first full synchronisation before go-live; 0 for snapshots. [h]"""

    @property
    def added_luns(self) -> int:
        """LUNs the array holds for it: clones and clone private LUNs. [count]"""
        return (self.luns if self.kind == "clone" else 0) + self.private_luns


def protective_copy(
    a: Assumptions, kind: str, array: str, luns: int, secondary_gib: float, resync_gib: float
) -> ProtectiveCopy | None:
    """The protective copy on ``array`` of ``luns`` secondary LUNs holding ``secondary_gib``;
    ``resync_gib``: what a link outage of ``protective_outage_h`` marks dirty on them. None for
    ``none`` or an array with no secondaries."""
    if kind == "none" or not luns:
        return None
    if kind == "snapshot":
        return ProtectiveCopy(
            kind,
            array,
            luns,
            secondary_gib,
            0.0,
            a.cofw_amplification * resync_gib,
            luns,
            0,
            float(s_to_min(luns * a.test_snap_s)),
            0.0,
        )
    private_gib = CLONE_PRIVATE_LUNS * a.clone_private_lun_gib
    sync_s = float(gib_to_mib(secondary_gib)) / a.clone_sync_mib_per_s
    return ProtectiveCopy(
        kind,
        array,
        luns,
        secondary_gib,
        secondary_gib + private_gib,
        0.0,
        0,
        CLONE_PRIVATE_LUNS,
        float(s_to_min(luns * a.clone_fracture_s)),
        float(s_to_h(sync_s)),
    )
