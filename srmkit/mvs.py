"""MirrorView/S: link load and added write latency (Method §4). Pure, numpy-vectorised.

Every host write to a mirrored LUN crosses the link before the host is acknowledged [S0].

References
----------
Method §4; 1 ms round trip per 100 km of fibre [S16]; 2 round trips per FCP write without write
acceleration, 1 with [S13]; Microsoft latency guidance quoted by [S0].
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from srmkit.units import (
    gib_to_kib,
    kib_to_mbit,
    kib_to_mib,
    mib_per_h_to_mbps,
    mib_to_gib,
    mib_to_kib,
    s_to_ms,
)

ArrayLike = npt.ArrayLike
FloatArray = npt.NDArray[np.float64]


def peak_mbps(max_hourly_mib: ArrayLike, burst_factor: ArrayLike) -> FloatArray:
    """Peak replication rate: ``max_h(repl_mib[h]) × 2^20 × 8 / 3600 / 10^6 × burst``. [Mbit/s]

    >>> round(float(peak_mbps(3600 * 100 / 8.388608, 1.0)), 6)
    100.0
    """
    rate = mib_per_h_to_mbps(np.asarray(max_hourly_mib, dtype=float))
    return np.multiply(rate, burst_factor)


def propagation_ms(
    distance_km: ArrayLike,
    round_trips: ArrayLike,
    route_factor: ArrayLike,
    fibre_one_way_ms_per_km: ArrayLike,
) -> FloatArray:
    """Propagation delay per write: ``round_trips × 2 × distance × route_factor × 0.005``. [ms]

    >>> float(propagation_ms(100, 2, 1.0, 0.005))
    2.0
    """
    one_way = np.multiply(np.multiply(distance_km, route_factor), fibre_one_way_ms_per_km)
    return np.multiply(np.multiply(round_trips, 2.0), one_way)


def serialization_ms(write_kib: ArrayLike, link_mbps: ArrayLike) -> FloatArray:
    """Time to put one write on the link: ``write_kib × 1024 × 8 / (link_mbps × 10^6) × 1000``. [ms]

    >>> round(float(serialization_ms(16, 100)), 5)
    1.31072
    """
    megabits = kib_to_mbit(np.asarray(write_kib, dtype=float))
    return np.asarray(s_to_ms(np.divide(megabits, link_mbps)))


def queued_serialization_ms(serialization_ms_: ArrayLike, utilization: ArrayLike) -> FloatArray:
    """Serialisation with M/M/1 queueing: ``ser / (1 − ρ)``; infinite when ρ ≥ 1. [ms]"""
    rho = np.asarray(utilization, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.divide(serialization_ms_, 1.0 - rho)
    return np.where(rho >= 1.0, np.inf, out)


def added_latency_ms(
    distance_km: ArrayLike,
    round_trips: ArrayLike,
    route_factor: ArrayLike,
    write_kib: ArrayLike,
    link_mbps: ArrayLike,
    utilization: ArrayLike,
    mirror_overhead_ms: ArrayLike,
    fibre_one_way_ms_per_km: ArrayLike,
) -> FloatArray:
    """Write latency MirrorView/S adds (Method §4). [ms]

    ``round_trips × 2 × distance × route_factor × 0.005 + serialization / (1 − ρ) + overhead``.

    Parameters
    ----------
    distance_km : site distance [km]
    round_trips : protocol round trips per write [count]
    route_factor : fibre route length ÷ site distance [factor]
    write_kib : write size [KiB]
    link_mbps : link rate (as sold) used for serialisation [Mbit/s]
    utilization : peak link utilisation ρ [fraction]
    mirror_overhead_ms : MirrorView processing overhead [ms]
    fibre_one_way_ms_per_km : propagation in fibre [ms/km]

    >>> round(float(added_latency_ms(100, 2, 1.0, 16, 1000, 0.0, 0.1, 0.005)), 6)
    2.231072
    """
    return np.asarray(
        propagation_ms(distance_km, round_trips, route_factor, fibre_one_way_ms_per_km)
        + queued_serialization_ms(serialization_ms(write_kib, link_mbps), utilization)
        + np.asarray(mirror_overhead_ms, dtype=float)
    )


def max_distance_km(
    threshold_ms: ArrayLike,
    local_ms: ArrayLike,
    round_trips: ArrayLike,
    route_factor: ArrayLike,
    write_kib: ArrayLike,
    link_mbps: ArrayLike,
    utilization: ArrayLike,
    mirror_overhead_ms: ArrayLike,
    fibre_one_way_ms_per_km: ArrayLike,
) -> FloatArray:
    """Largest distance at which ``local + added_latency`` stays at the threshold; 0 if none. [km]

    Closed form of :func:`added_latency_ms` solved for distance (Method §4).

    >>> round(float(max_distance_km(10, 2.0, 2, 1.0, 16, 1000, 0.0, 0.1, 0.005)), 2)
    388.45
    """
    fixed = (
        np.asarray(local_ms, dtype=float)
        + queued_serialization_ms(serialization_ms(write_kib, link_mbps), utilization)
        + np.asarray(mirror_overhead_ms, dtype=float)
    )
    per_km = np.multiply(
        np.multiply(np.multiply(round_trips, 2.0), route_factor), fibre_one_way_ms_per_km
    )
    with np.errstate(invalid="ignore"):
        distance = np.divide(np.subtract(threshold_ms, fixed), per_km)
    return np.where(np.isfinite(distance), np.maximum(distance, 0.0), 0.0)


def distance_axis_km(distance_km: float, route_limit_km: float, route_factor: float) -> float:
    """The far end of a distance axis for MirrorView/S figures and sweeps: twice the design's
    site distance, 20 % past the site distance at which the fibre route reaches EMC's limit, and
    at least 50 km. [km]

    >>> distance_axis_km(40.0, 100.0, 1.0), distance_axis_km(10.0, 100.0, 1.5)
    (120.0, 80.0)
    """
    return max(2 * distance_km, 1.2 * route_limit_km / route_factor, 50.0)


def random_resync_gib(
    capacity_gib: ArrayLike,
    written_mib: ArrayLike,
    page_kib: ArrayLike,
    extent_kib: ArrayLike,
    locality: ArrayLike = 1.0,
) -> FloatArray:
    """Partial resync of a randomly written LUN (a database) after a fracture: the fracture log
    marks whole extents dirty, ``capacity × (1 − exp(−n / E))`` with ``E = capacity ÷ extent``
    extents and ``n = written ÷ page ÷ locality`` distinct page writes (Method §6, v3). [GiB]

    Each of n uniformly random writes misses a given extent with probability ``1 − 1/E``, so an
    extent stays clean with probability ``(1 − 1/E)^n ≈ exp(−n/E)``.
    Hand-worked: a 131.25 GiB database LUN (E = 268,800 extents of 512 KiB) that received
    3,027.27 MiB in 8 KiB pages (n = 387,491) resyncs 131.25 × (1 − e^−1.44157) = 100.20 GiB.

    >>> round(float(random_resync_gib(131.25, 3027.2727, 8, 512)), 2)
    100.2
    """
    extents = gib_to_kib(np.asarray(capacity_gib, float)) / np.asarray(extent_kib, float)
    writes = (
        mib_to_kib(np.asarray(written_mib, float))
        / np.asarray(page_kib, float)
        / np.asarray(locality, float)
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        dirty = np.where(extents > 0, -np.expm1(-writes / np.where(extents > 0, extents, 1.0)), 0.0)
    return np.asarray(np.asarray(capacity_gib, float) * dirty)


def sequential_resync_gib(
    capacity_gib: ArrayLike, written_mib: ArrayLike, extent_kib: ArrayLike
) -> FloatArray:
    """Partial resync of a sequentially written LUN (logs, transport queue): the volume written,
    rounded up to whole extents, at most the LUN (Method §6, v3). [GiB]

    >>> float(sequential_resync_gib(17.58, 1480.0, 512)), float(sequential_resync_gib(1, 0.1, 512))
    (1.4453125, 0.00048828125)
    """
    extent_mib = kib_to_mib(np.asarray(extent_kib, float))
    whole = np.ceil(np.asarray(written_mib, float) / extent_mib - 1e-9) * extent_mib
    return np.asarray(np.minimum(np.asarray(capacity_gib, float), mib_to_gib(whole)))
