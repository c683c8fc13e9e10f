"""The replication link (Method §3)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from srmkit.units import MS_PER_S, kib_to_mbit, mbit_to_kib

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


def rtt_ms(
    distance_km: npt.ArrayLike,
    route_factor: npt.ArrayLike,
    fibre_one_way_ms_per_km: npt.ArrayLike,
    network_rtt_ms: npt.ArrayLike = 0.0,
) -> FloatArray:
    """Round trip between the sites: ``2 × distance × route factor × 0.005 + network_rtt_ms``
    (Method §3, v3). [ms]

    Hand-worked: 900 km at route factor 1.4 → 2 × 1,260 × 0.005 = 12.6 ms.

    >>> round(float(rtt_ms(900, 1.4, 0.005)), 9)
    12.6
    """
    return np.asarray(
        2.0 * np.multiply(np.multiply(distance_km, route_factor), fibre_one_way_ms_per_km)
        + np.asarray(network_rtt_ms)
    )


def tcp_cap_mbps(
    tcp_sessions: npt.ArrayLike, tcp_window_kib: npt.ArrayLike, rtt_ms_: npt.ArrayLike
) -> FloatArray:
    """Most a direction's MirrorView TCP connections carry: one window per round trip each,
    ``sessions × window × 1,024 × 8 ÷ (rtt / 1,000) ÷ 10^6`` (Method §3, v3); unlimited at a
    zero round trip. [Mbit/s]

    Hand-worked: one 64 KiB window over 12.6 ms → 524,288 bit ÷ 0.0126 s = 41.61 Mbit/s; two
    sessions 83.22 Mbit/s.

    >>> round(float(tcp_cap_mbps(1, 64, 12.6)), 2), round(float(tcp_cap_mbps(2, 64, 12.6)), 2)
    (41.61, 83.22)
    """
    bits = np.multiply(tcp_sessions, kib_to_mbit(np.asarray(tcp_window_kib, float)))
    with np.errstate(divide="ignore"):
        return np.asarray(np.divide(bits, np.asarray(rtt_ms_, float) / MS_PER_S))


def window_for_rate_kib(
    rate_mbps: npt.ArrayLike, rtt_ms_: npt.ArrayLike, tcp_sessions: npt.ArrayLike
) -> FloatArray:
    """The TCP window that lifts the cap to ``rate_mbps``: ``rate × rtt ÷ 8 ÷ sessions``
    (Method §3, v3; bandwidth-delay product per connection). [KiB]

    Hand-worked: 124 Mbit/s over 12.6 ms with 2 sessions → 124 × 10^6 × 0.0126 ÷ 8 ÷ 2 =
    97,650 bytes = 95.36 KiB.

    >>> round(float(window_for_rate_kib(124, 12.6, 2)), 2)
    95.36
    """
    bits = np.multiply(rate_mbps, np.asarray(rtt_ms_, float) / MS_PER_S)
    return np.asarray(np.divide(mbit_to_kib(bits), tcp_sessions))
