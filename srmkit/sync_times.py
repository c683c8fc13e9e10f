"""Synchronisation durations (Method §6): initial sync, full resync, failback.

``sync_rate_mbps = min(effective_rate × sync_rate_fraction, array_sync_cap)``; a full sync of a set
of LUNs takes ``Σ capacity_gib × 2^30 × 8 / (sync_rate_mbps × 10^6)``. All mirrors of a consistency
group synchronise together [S0]; CGs sharing a link share its rate, so the total is the whole
capacity over the one rate. EMC publishes no throughput per rate setting: the fractions are
assumptions and documents say so.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from srmkit.units import gib_to_mbit, s_to_h

FloatArray = npt.NDArray[np.float64]


def sync_rate_mbps(
    effective_rate_mbps: npt.ArrayLike,
    sync_rate_fraction: npt.ArrayLike,
    array_sync_cap_mbps: float | None,
) -> FloatArray:
    """Rate a full synchronisation runs at; ``None`` as the cap means no array-side cap. [Mbit/s]

    >>> float(sync_rate_mbps(850, 0.5, None))
    425.0
    >>> float(sync_rate_mbps(850, 1.0, 400))
    400.0
    """
    rate = np.multiply(effective_rate_mbps, sync_rate_fraction)
    return rate if array_sync_cap_mbps is None else np.minimum(rate, array_sync_cap_mbps)


def sync_time_h(capacity_gib: npt.ArrayLike, sync_rate_mbps_: npt.ArrayLike) -> FloatArray:
    """Full synchronisation time: ``capacity × 2^30 × 8 / (rate × 10^6)``. [h]

    >>> round(float(sync_time_h(1000, 100)), 4)
    23.8609
    """
    seconds = np.divide(gib_to_mbit(np.asarray(capacity_gib, dtype=float)), sync_rate_mbps_)
    return np.asarray(s_to_h(seconds))
