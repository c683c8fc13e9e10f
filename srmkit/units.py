"""Unit conversions, the only place where one unit becomes another (MODEL.md §1).

Network rates are decimal (10^6 bit/s, as links are sold); data sizes are binary (KiB, MiB, GiB,
as arrays report capacity). Every function works on scalars and numpy arrays alike.
"""

from __future__ import annotations

from typing import TypeVar

import numpy as np
import numpy.typing as npt

Number = TypeVar("Number", float, npt.NDArray[np.float64])

BITS_PER_BYTE = 8
BITS_PER_MEGABIT = 10**6
BYTES_PER_KIB = 2**10
BYTES_PER_MIB = 2**20
BYTES_PER_GIB = 2**30
SECONDS_PER_MIN = 60
SECONDS_PER_H = 3600
MIN_PER_H = 60
H_PER_DAY = 24


def mbps_to_mib_per_s(rate_mbps: Number) -> Number:
    """Convert a network rate to a data rate. [Mbit/s → MiB/s]

    >>> round(mbps_to_mib_per_s(100.0), 4)
    11.9209
    """
    return rate_mbps * BITS_PER_MEGABIT / BITS_PER_BYTE / BYTES_PER_MIB


def mib_per_s_to_mbps(rate_mib_per_s: Number) -> Number:
    """Convert a data rate to a network rate. [MiB/s → Mbit/s]

    >>> mib_per_s_to_mbps(1.0)
    8.388608
    """
    return rate_mib_per_s * BYTES_PER_MIB * BITS_PER_BYTE / BITS_PER_MEGABIT


def mib_per_h_to_mbps(rate_mib_per_h: Number) -> Number:
    """Convert an hourly data volume to the mean network rate over that hour. [MiB/h → Mbit/s]"""
    return mib_per_s_to_mbps(rate_mib_per_h / SECONDS_PER_H)


def gib_to_mib(size_gib: Number) -> Number:
    """Convert binary gigabytes to binary megabytes. [GiB → MiB]"""
    return size_gib * (BYTES_PER_GIB / BYTES_PER_MIB)


def mib_to_gib(size_mib: Number) -> Number:
    """Convert binary megabytes to binary gigabytes. [MiB → GiB]"""
    return size_mib / (BYTES_PER_GIB / BYTES_PER_MIB)


def kib_to_mib(size_kib: Number) -> Number:
    """Convert binary kilobytes to binary megabytes. [KiB → MiB]"""
    return size_kib / (BYTES_PER_MIB / BYTES_PER_KIB)
