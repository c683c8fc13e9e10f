"""The replication link (Method §3)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]


def effective_rate_mbps(
    link_mbps: npt.ArrayLike, efficiency_fraction: npt.ArrayLike, share_fraction: npt.ArrayLike
) -> FloatArray:
    """Rate available to replication: ``link × efficiency × share``. [Mbit/s]

    Links are full duplex: this rate is available in each direction (Method §3).

    >>> float(effective_rate_mbps(1000, 0.85, 1.0))
    850.0
    """
    return np.multiply(np.multiply(link_mbps, efficiency_fraction), share_fraction)


def utilization_fraction(
    rate_mbps: npt.ArrayLike, effective_rate_mbps_: npt.ArrayLike
) -> FloatArray:
    """Link utilisation ρ = rate ÷ effective rate; ≥ 1 means the link cannot carry it. [fraction]

    >>> float(utilization_fraction(425, 850))
    0.5
    """
    return np.divide(rate_mbps, effective_rate_mbps_)
