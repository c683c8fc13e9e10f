"""Unit conversions, the only place where one unit becomes another (Method §1).

Network rates and volumes are decimal (10^6 bit, as links are sold); data sizes are binary (KiB,
MiB, GiB, as arrays report capacity). Every function works on scalars and numpy arrays alike.
"""

from __future__ import annotations

import re
from typing import TypeVar

import numpy as np
import numpy.typing as npt

Number = TypeVar("Number", float, npt.NDArray[np.float64])

BITS_PER_BYTE = 8
BITS_PER_MEGABIT = 10**6
BYTES_PER_KIB = 2**10
BYTES_PER_MIB = 2**20
BYTES_PER_GIB = 2**30
MS_PER_S = 1000
SECONDS_PER_MIN = 60
SECONDS_PER_H = 3600
MIN_PER_H = 60
H_PER_DAY = 24
MIN_PER_DAY = MIN_PER_H * H_PER_DAY
SECONDS_PER_DAY = SECONDS_PER_H * H_PER_DAY
BYTES_PER_BLOCK = 512  # a SCSI block as Navisphere counts LUN sizes (-sq bc) [S41]
CSS_PX_PER_MM = 96 / 25.4  # CSS defines 96 px to the inch


# --- data size → network volume ----------------------------------------------------------------


def kib_to_mbit(size_kib: Number) -> Number:
    """Binary kilobytes as decimal megabits: ``× 2^10 × 8 / 10^6``. [KiB → Mbit]

    >>> kib_to_mbit(16.0)
    0.131072
    """
    return size_kib * (BYTES_PER_KIB * BITS_PER_BYTE / BITS_PER_MEGABIT)


def mib_to_mbit(size_mib: Number) -> Number:
    """Binary megabytes as decimal megabits: ``× 2^20 × 8 / 10^6``. [MiB → Mbit]

    >>> mib_to_mbit(1.0)
    8.388608
    """
    return size_mib * (BYTES_PER_MIB * BITS_PER_BYTE / BITS_PER_MEGABIT)


def gib_to_mbit(size_gib: Number) -> Number:
    """Binary gigabytes as decimal megabits: ``× 2^30 × 8 / 10^6``. [GiB → Mbit]

    >>> gib_to_mbit(1.0)
    8589.934592
    """
    return size_gib * (BYTES_PER_GIB * BITS_PER_BYTE / BITS_PER_MEGABIT)


def mbit_to_mib(volume_mbit: Number) -> Number:
    """Decimal megabits as binary megabytes: ``× 10^6 / 8 / 2^20``. [Mbit → MiB]

    >>> round(mbit_to_mib(8.388608), 12)
    1.0
    """
    return volume_mbit * (BITS_PER_MEGABIT / BITS_PER_BYTE / BYTES_PER_MIB)


def mbit_to_kib(volume_mbit: Number) -> Number:
    """Decimal megabits as binary kilobytes: ``× 10^6 / 8 / 2^10``. [Mbit → KiB]

    >>> mbit_to_kib(0.131072)
    16.0
    """
    return volume_mbit * (BITS_PER_MEGABIT / BITS_PER_BYTE / BYTES_PER_KIB)


def mib_to_kib(size_mib: Number) -> Number:
    """Binary megabytes as binary kilobytes. [MiB → KiB]

    >>> mib_to_kib(1.5)
    1536.0
    """
    return size_mib * (BYTES_PER_MIB / BYTES_PER_KIB)


def gib_to_kib(size_gib: Number) -> Number:
    """Binary gigabytes as binary kilobytes. [GiB → KiB]

    >>> gib_to_kib(1.0)
    1048576.0
    """
    return size_gib * (BYTES_PER_GIB / BYTES_PER_KIB)


# --- rates ----------------------------------------------------------------------------------


def mib_per_s_to_mbps(rate_mib_per_s: Number) -> Number:
    """A data rate as a network rate. [MiB/s → Mbit/s]

    >>> mib_per_s_to_mbps(1.0)
    8.388608
    """
    return mib_to_mbit(rate_mib_per_s)


def mib_per_h_to_mbps(rate_mib_per_h: Number) -> Number:
    """An hourly data volume as the mean network rate over that hour. [MiB/h → Mbit/s]

    >>> round(mib_per_h_to_mbps(3600.0), 6)
    8.388608
    """
    return mib_to_mbit(rate_mib_per_h) / SECONDS_PER_H


# --- sizes ----------------------------------------------------------------------------------


def mib_to_gib(size_mib: Number) -> Number:
    """Binary megabytes as binary gigabytes. [MiB → GiB]

    >>> mib_to_gib(2048.0)
    2.0
    """
    return size_mib / (BYTES_PER_GIB / BYTES_PER_MIB)


def gib_to_mib(size_gib: Number) -> Number:
    """A size in MiB. [GiB → MiB]

    >>> gib_to_mib(1.5)
    1536.0
    """
    return size_gib * BYTES_PER_GIB / BYTES_PER_MIB


def kib_to_mib(size_kib: Number) -> Number:
    """Binary kilobytes as binary megabytes. [KiB → MiB]

    >>> kib_to_mib(8.0)
    0.0078125
    """
    return size_kib / (BYTES_PER_MIB / BYTES_PER_KIB)


def mib_to_blocks(size_mib: int) -> int:
    """Whole MiB as 512-byte blocks, the unit LUNs are bound in (Method §10). [MiB → blocks]

    >>> mib_to_blocks(134_400)
    275251200
    """
    return size_mib * (BYTES_PER_MIB // BYTES_PER_BLOCK)


def blocks_to_gib(size_blocks: int) -> float:
    """512-byte blocks as GiB. [blocks → GiB]

    >>> blocks_to_gib(275_251_200)
    131.25
    """
    return size_blocks * BYTES_PER_BLOCK / BYTES_PER_GIB


# --- measured rates (Method §2, a measured profile) ------------------------------------------


def kib_to_bytes(size_kib: Number) -> Number:
    """Binary kilobytes as bytes: ``× 2^10``. [KiB → bytes]

    >>> kib_to_bytes(8.0)
    8192.0
    """
    return size_kib * BYTES_PER_KIB


def bytes_to_mib(size_bytes: Number) -> Number:
    """Bytes as binary megabytes: ``÷ 2^20``. [bytes → MiB]

    >>> bytes_to_mib(3_145_728.0)
    3.0
    """
    return size_bytes / BYTES_PER_MIB


def bytes_per_s_to_mib_per_h(rate_bytes_per_s: Number) -> Number:
    """A mean rate over an hour as the volume written in that hour: ``× 3,600 ÷ 2^20``.
    [bytes/s → MiB/h]

    >>> bytes_per_s_to_mib_per_h(1_048_576.0)
    3600.0
    """
    return rate_bytes_per_s * SECONDS_PER_H / BYTES_PER_MIB


# --- durations ------------------------------------------------------------------------------


def s_to_ms(duration_s: Number) -> Number:
    """Seconds as milliseconds. [s → ms]"""
    return duration_s * MS_PER_S


def s_to_min(duration_s: Number) -> Number:
    """Seconds as minutes. [s → min]"""
    return duration_s / SECONDS_PER_MIN


def s_to_h(duration_s: Number) -> Number:
    """Seconds as hours. [s → h]"""
    return duration_s / SECONDS_PER_H


def h_to_min(duration_h: Number) -> Number:
    """Hours as minutes. [h → min]"""
    return duration_h * MIN_PER_H


def min_to_s(duration_min: Number) -> Number:
    """A duration in seconds. [min → s]

    >>> min_to_s(15)
    900
    """
    return duration_min * SECONDS_PER_MIN


def min_to_h(duration_min: Number) -> Number:
    """Minutes as hours. [min → h]"""
    return duration_min / MIN_PER_H


def s_to_days(duration_s: Number) -> Number:
    """Seconds as days of 86,400 s. [s → days]

    >>> s_to_days(129_600.0)
    1.5
    """
    return duration_s / SECONDS_PER_DAY


def clock_hour(time_s: Number) -> Number:
    """The clock hour, 0–23, of a time in seconds after midnight of day 0 (e.g. seconds since the
    epoch, local or UTC): ``floor(t ÷ 3,600) mod 24``. [s → hour of the day]

    >>> clock_hour(86_400.0 * 3 + 3_600.0 * 5 + 59.9), clock_hour(-1.0)
    (5.0, 23.0)
    """
    return (time_s // SECONDS_PER_H) % H_PER_DAY


# --- times of a scenario ----------------------------------------------------------------------

_DURATION = re.compile(
    r"(?:(?P<d>\d+(?:\.\d+)?)d)?(?:(?P<h>\d+(?:\.\d+)?)h)?"
    r"(?:(?P<m>\d+(?:\.\d+)?)m)?(?:(?P<s>\d+(?:\.\d+)?)s)?"
)
_CLOCK = re.compile(r"(?P<h>[01]?\d|2[0-3]):(?P<m>[0-5]\d)")


def duration_text_to_min(text: str) -> float | None:
    """A duration such as ``90s``, ``45m``, ``2h30m`` or ``1d6h`` in minutes; None if it is not
    one. [text → min]

    >>> duration_text_to_min("2h30m"), duration_text_to_min("90s"), duration_text_to_min("1d")
    (150.0, 1.5, 1440.0)
    >>> duration_text_to_min("90") is None, duration_text_to_min("") is None
    (True, True)
    """
    match = _DURATION.fullmatch(text.strip())
    if not text.strip() or match is None:
        return None
    parts = match.groupdict()
    return (
        float(parts["d"] or 0) * MIN_PER_DAY
        + float(parts["h"] or 0) * MIN_PER_H
        + float(parts["m"] or 0)
        + float(parts["s"] or 0) / SECONDS_PER_MIN
    )


def clock_text_to_min(text: str) -> float | None:
    """A time of day ``HH:MM`` in minutes after midnight; None if it is not one. [text → min]

    >>> clock_text_to_min("22:30"), clock_text_to_min("7:05"), clock_text_to_min("24:00")
    (1350.0, 425.0, None)
    """
    match = _CLOCK.fullmatch(text.strip())
    if match is None:
        return None
    return float(int(match["h"]) * MIN_PER_H + int(match["m"]))


def clock_text(minutes: float) -> str:
    """Minutes after midnight of the first day as a clock time, with the day after the first:
    ``22:30``, ``+1d 03:15``. [min → text]

    >>> clock_text(1350), clock_text(1440 + 195.4)
    ('22:30', '+1d 03:15')
    """
    day, rest = divmod(round(minutes), MIN_PER_DAY)
    h, m = divmod(int(rest), MIN_PER_H)
    return f"{'+' + str(day) + 'd ' if day else ''}{h:02d}:{m:02d}"
