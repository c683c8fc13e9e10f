"""Exchange 2007 mailbox-server workload (Method §2). Pure, numpy-vectorised functions.

Every argument may be a scalar or an array; arrays broadcast. Hourly results have a trailing axis
of 24 hours.

References
----------
Method §2; profile table [S19] ([S19]); daily profile Method §2 (synthetic default).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from srmkit.units import SECONDS_PER_H, kib_to_mib, mib_to_gib

ArrayLike = npt.ArrayLike
FloatArray = npt.NDArray[np.float64]


def db_iops_peak(
    users: ArrayLike, db_iops_per_mailbox: ArrayLike, iops_headroom_fraction: ArrayLike
) -> FloatArray:
    """Design (peak-hour) database IOPS: ``users × iops_per_mailbox × (1 + headroom)``. [IOPS]

    >>> float(db_iops_peak(3000, 0.32, 0.20))
    1152.0
    """
    return np.multiply(np.multiply(users, db_iops_per_mailbox), np.add(1.0, iops_headroom_fraction))


def db_write_iops_peak(db_iops_peak_: ArrayLike, db_write_fraction: ArrayLike) -> FloatArray:
    """Peak database write IOPS: ``db_iops_peak × db_write_fraction``. [IOPS]"""
    return np.multiply(db_iops_peak_, db_write_fraction)


def log_mib_per_day(
    users: ArrayLike, logs_per_mailbox_per_day: ArrayLike, log_file_mib: ArrayLike
) -> FloatArray:
    """Transaction log volume per day: ``users × logs_per_mailbox_per_day × 1 MiB``. [MiB/day]

    >>> float(log_mib_per_day(3000, 24, 1.0))
    72000.0
    """
    return np.multiply(np.multiply(users, logs_per_mailbox_per_day), log_file_mib)


def hourly_log_mib(log_mib_per_day_: ArrayLike, daily_profile_fraction: ArrayLike) -> FloatArray:
    """Log volume in each hour: ``log_mib_per_day × p[h]``. [MiB per hour, trailing axis 24]"""
    profile = np.asarray(daily_profile_fraction, dtype=float)
    return np.asarray(np.multiply(np.asarray(log_mib_per_day_, dtype=float)[..., None], profile))


def hourly_db_write_mib(
    db_write_iops_peak_: ArrayLike, daily_profile_fraction: ArrayLike, db_page_kib: ArrayLike
) -> FloatArray:
    """Database writes in each hour: ``write_iops_peak × 3600 × p[h] / max(p) × 8 KiB``.

    The published IOPS are peak figures; other hours scale with the daily profile. [MiB per hour]
    """
    profile = np.asarray(daily_profile_fraction, dtype=float)
    scale = profile / profile.max()
    page_mib = kib_to_mib(np.asarray(db_page_kib, dtype=float))
    per_hour = np.multiply(np.multiply(db_write_iops_peak_, SECONDS_PER_H), page_mib)
    return np.asarray(np.multiply(np.asarray(per_hour, dtype=float)[..., None], scale))


def db_gib(
    users_per_sg: ArrayLike, mailbox_quota_gib: ArrayLike, db_overhead_fraction: ArrayLike
) -> FloatArray:
    """Database size: ``users_per_sg × quota × (1 + whitespace and dumpster)``. [GiB]

    >>> round(float(db_gib(3000 / 18, 0.5, 0.20)), 6)
    100.0
    """
    return np.multiply(
        np.multiply(users_per_sg, mailbox_quota_gib), np.add(1.0, db_overhead_fraction)
    )


def db_lun_gib(
    db_gib_: ArrayLike, content_index_fraction: ArrayLike, lun_free_space_fraction: ArrayLike
) -> FloatArray:
    """Database LUN: ``database × (1 + content index) / (1 − LUN free space)``. [GiB]

    >>> float(db_lun_gib(100, 0.05, 0.20))
    131.25
    """
    return np.divide(
        np.multiply(db_gib_, np.add(1.0, content_index_fraction)),
        np.subtract(1.0, lun_free_space_fraction),
    )


def log_lun_gib(
    users_per_sg: ArrayLike,
    logs_per_mailbox_per_day: ArrayLike,
    log_retention_days: ArrayLike,
    log_overhead_fraction: ArrayLike,
    log_file_mib: ArrayLike,
    lun_free_space_fraction: ArrayLike,
) -> FloatArray:
    """Log LUN: ``users_per_sg × logs/day × days × 1 MiB × (1 + headroom) / (1 − free)``. [GiB]

    >>> round(float(log_lun_gib(3000 / 18, 24, 3, 0.2, 1.0, 0.2)), 4)
    17.5781
    """
    mib = np.multiply(
        np.multiply(np.multiply(users_per_sg, logs_per_mailbox_per_day), log_retention_days),
        log_file_mib,
    )
    lun_mib = np.divide(
        np.multiply(mib, np.add(1.0, log_overhead_fraction)),
        np.subtract(1.0, lun_free_space_fraction),
    )
    return mib_to_gib(np.asarray(lun_mib, dtype=float))


def storage_groups_count(
    users: ArrayLike,
    mailbox_quota_gib: ArrayLike,
    db_overhead_fraction: ArrayLike,
    max_db_gib: ArrayLike,
) -> npt.NDArray[np.int64]:
    """Derived storage groups: ``ceil(users × quota × (1 + overhead) / max_db_gib)``, at least 1.

    >>> int(storage_groups_count(3000, 0.5, 0.20, 100))
    18
    """
    gib = np.multiply(np.multiply(users, mailbox_quota_gib), np.add(1.0, db_overhead_fraction))
    # A database exactly at the maximum needs no extra storage group (float round-off aside).
    return np.maximum(1, np.ceil(np.divide(gib, max_db_gib) - 1e-9)).astype(np.int64)


def hub_write_mib_per_day(
    messages_per_day: ArrayLike, message_kib: ArrayLike, hub_write_factor: ArrayLike
) -> FloatArray:
    """A protected Hub Transport's queue database and log writes in a day: the messages of the
    mailboxes it serves × message size × write factor (Method §2, v3). [MiB/day]

    Spread over the day by the activity profile, as logs are (``hourly_log_mib``).
    Hand-worked: 12,000 mailboxes × 100 messages a day × 50 KiB ÷ 1,024 × 1.0 = 58,593.75 MiB.

    >>> float(hub_write_mib_per_day(12_000 * 100, 50, 1.0))
    58593.75
    """
    return np.asarray(
        kib_to_mib(np.multiply(messages_per_day, message_kib)) * np.asarray(hub_write_factor)
    )


def db_to_log_volume_ratio(
    db_iops_per_mailbox: ArrayLike,
    db_write_fraction: ArrayLike,
    db_page_kib: ArrayLike,
    logs_per_mailbox_per_day: ArrayLike,
    log_file_mib: ArrayLike,
    daily_profile_fraction: ArrayLike,
) -> FloatArray:
    """A profile's daily database write volume ÷ its daily log volume, without IOPS headroom:
    ``iops × write fraction × 3600 × 8 KiB × Σp / max(p)`` ÷ ``logs × 1 MiB`` (Method §2). A
    server measured by its hourly log counts writes its database in this ratio. [factor]

    Hand-worked, heavy (0.32 IOPS, 24 logs) with the default profile (peak 11 %): 0.32 × 0.5 ×
    3,600 × 8 ÷ 1,024 = 4.5 MiB in the peak hour, × 1 ÷ 0.11 = 40.909 MiB a day; ÷ 24 MiB of logs
    = 1.7045.

    >>> from srmkit.assumptions import default_daily_profile
    >>> round(float(db_to_log_volume_ratio(0.32, 0.5, 8, 24, 1.0, default_daily_profile())), 4)
    1.7045
    """
    profile = np.asarray(daily_profile_fraction, dtype=float)
    peak_hours = profile.sum() / profile.max()
    peak_mib = np.multiply(
        np.multiply(db_iops_per_mailbox, db_write_fraction) * SECONDS_PER_H,
        kib_to_mib(np.asarray(db_page_kib, dtype=float)),
    )
    log_mib = np.multiply(logs_per_mailbox_per_day, log_file_mib)
    return np.asarray(np.divide(np.multiply(peak_mib, peak_hours), log_mib))
