"""The replication link (MODEL.md §3)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from srmkit.units import mbps_to_mib_per_s

FloatArray = npt.NDArray[np.float64]


def effective_rate_mbps(
    link_mbps: npt.ArrayLike, efficiency_fraction: npt.ArrayLike, share_fraction: npt.ArrayLike
) -> FloatArray:
    """Rate available to replication: ``link × efficiency × share``. [Mbit/s]

    >>> float(effective_rate_mbps(1000, 0.85, 1.0))
    850.0
    """
    return np.multiply(np.multiply(link_mbps, efficiency_fraction), share_fraction)


def effective_rate_mib_per_s(effective_rate_mbps_: npt.ArrayLike) -> FloatArray:
    """The effective rate as a data rate: ``rate × 10^6 / 8 / 2^20``. [MiB/s]"""
    return np.asarray(mbps_to_mib_per_s(np.asarray(effective_rate_mbps_, dtype=float)))
