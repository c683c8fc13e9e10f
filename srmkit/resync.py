"""MirrorView/S partial resynchronisation after a link outage, in whole extents (Method §6, v3).

The fracture log (or write intent log) marks whole extents (``mvs_extent_kib``, 512 KiB) dirty:
a randomly written LUN (database, guest OS) resyncs ``capacity × (1 − exp(−n / E))``, a
sequentially written one (logs, transport queue) the volume written rounded up to whole extents
(:func:`srmkit.mvs.random_resync_gib`, :func:`srmkit.mvs.sequential_resync_gib`). The volumes
written in an outage are linear in its share of a day's activity (logs and queues by the day's
profile, database writes by the peak hour's, :mod:`srmkit.workload`), so one number, that share,
decides every LUN's resync; :class:`PartialResync` works it out for every protected VM at once,
and for many outages at once (the Monte Carlo runs).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from srmkit import mvs, workload
from srmkit.assumptions import Assumptions
from srmkit.planner import ConsistencyGroup
from srmkit.study_results import ServerSizing
from srmkit.units import H_PER_DAY, MIN_PER_H

FloatArray = npt.NDArray[np.float64]
ROLES = ("db", "log", "queue", "gos")
"""The LUN roles of a protected VM, each resynchronised by its own rule (Method §6)."""
CELLS = 2_000_000
"""Work limit: outages × groups of alike VMs computed at once in :meth:`PartialResync.many_gib`."""


def window_mib(hourly: npt.ArrayLike, start_h: int, hours: float) -> float:
    """Volume in ``hours`` from the start of hour ``start_h``, wrapping past midnight. [MiB]

    >>> window_mib([1.0] * 24, 23, 2.5)
    2.5
    """
    values = np.asarray(hourly, dtype=float)
    whole, part = int(hours), hours - int(hours)
    idx = [(start_h + k) % H_PER_DAY for k in range(whole + 1)]
    return float(sum(values[i] for i in idx[:whole]) + part * values[idx[whole]])


def day_shares(
    profile: Sequence[float], start_min: npt.ArrayLike, outage_min: npt.ArrayLike
) -> FloatArray:
    """Each outage's share of a day's activity: :func:`window_mib` of the daily profile from the
    start of its hour over its hours, for many outages at once. [fraction]

    >>> round(float(day_shares([1 / 24] * 24, [600.0], [36 * 60.0])[0]), 12)
    1.5
    """
    p = np.asarray(profile, dtype=float)
    start = np.asarray(start_min, dtype=float)
    cum = np.concatenate([[0.0], np.cumsum(np.tile(p, 2))])
    start_h = (np.floor(start / MIN_PER_H) % H_PER_DAY).astype(int)
    hours = np.asarray(outage_min, dtype=float) / MIN_PER_H
    days, rest = np.divmod(hours, H_PER_DAY)
    whole = np.floor(rest).astype(int)
    part = rest - whole
    shares = days * p.sum() + cum[start_h + whole] - cum[start_h]
    return np.asarray(shares + part * p[(start_h + whole) % H_PER_DAY])


class PartialResync:
    """The partial resyncs of a set of protected VMs (Method §6, v3)."""

    def __init__(self, vms: Sequence[ServerSizing], assumptions: Assumptions) -> None:
        self.a = assumptions
        self.index = {v.name: k for k, v in enumerate(vms)}
        a = assumptions

        def column(attr: str) -> FloatArray:
            return np.array([getattr(v, attr) for v in vms], dtype=float)

        sgs = column("storage_groups")
        self.v: dict[str, npt.NDArray[Any]] = {
            "name": np.array([v.name for v in vms], dtype=object),
            "db": sgs,
            "log": sgs,
            "queue": column("queue_luns"),
            "gos": column("gos_luns"),
            "db_gib": column("db_lun_gib"),
            "log_gib": column("log_lun_gib"),
            "queue_gib": column("queue_lun_gib"),
            "gos_gib": column("gos_lun_gib"),
            # MiB written per LUN in a peak hour (databases) or a day (logs, queues)
            "db_mib": np.asarray(
                workload.hourly_db_write_mib(column("db_write_iops_peak"), (1.0,), a.db_page_kib)
            ).reshape(len(vms))
            / np.maximum(sgs, 1.0),
            "log_mib": column("log_mib_per_day") / np.maximum(sgs, 1.0),
            "queue_mib": column("hub_write_mib_per_day") / np.maximum(column("queue_luns"), 1.0),
        }
        self._roles: dict[tuple[float, float], dict[str, FloatArray]] = {}

    def direction_gib(self, vms: Sequence[str], start_min: float, outage_min: float) -> float:
        """The resync of the VMs ``vms`` (a direction's) after an outage starting at
        ``start_min`` (time of day) and lasting ``outage_min``. [GiB]"""
        roles = self.roles(start_min, outage_min)
        mask = self.mask(vms)
        return float(sum((self.v[r][mask] * roles[r][mask]).sum() for r in ROLES))

    def mask(self, vms: Sequence[str]) -> npt.NDArray[np.bool_]:
        """Which VMs, in VM order, are among ``vms`` (a set look-up per VM: numpy's isin on
        names compares every pair, seconds for 10,000 VMs)."""
        wanted = set(vms)
        names = self.v["name"]
        return np.fromiter((n in wanted for n in names), dtype=bool, count=len(names))

    def cg_gib(self, cg: ConsistencyGroup, start_min: float, outage_min: float) -> float:
        """A consistency group's resync: its own LUNs' dirty extents; a direction's is the sum
        over its groups. [GiB]"""
        roles = self.roles(start_min, outage_min)
        return float(sum(roles[m.role][self.index[m.server]] for m in cg.mirrors))

    def roles(self, start_min: float, outage_min: float) -> dict[str, FloatArray]:
        """Each VM's resync of one LUN of each role after the outage, arrays in VM order. [GiB]"""
        hours = outage_min / MIN_PER_H
        start_h = int(start_min // MIN_PER_H) % H_PER_DAY
        share = window_mib(self.a.daily_profile_fraction, start_h, hours)
        key = (round(share, 12), round(hours, 9))
        if key not in self._roles:
            self._roles[key] = self._roles_for(share, hours)
        return self._roles[key]

    def _roles_for(self, day_share: float, hours: float) -> dict[str, FloatArray]:
        a = self.a
        v = self.v
        extent = a.mvs_extent_kib
        peak_hours = day_share / max(a.daily_profile_fraction)
        return {
            "db": mvs.random_resync_gib(
                v["db_gib"], v["db_mib"] * peak_hours, a.db_page_kib, extent, a.db_write_locality
            ),
            "log": mvs.sequential_resync_gib(v["log_gib"], v["log_mib"] * day_share, extent),
            "queue": mvs.sequential_resync_gib(v["queue_gib"], v["queue_mib"] * day_share, extent),
            "gos": mvs.random_resync_gib(
                v["gos_gib"], a.gos_write_mib_per_h * hours, a.db_page_kib, extent
            ),
        }

    def many_gib(
        self, vms: Sequence[str], start_min: npt.ArrayLike, outage_min: npt.ArrayLike
    ) -> FloatArray:
        """:meth:`direction_gib` for many outages at once: each outage's share of a day's
        activity (to nine decimals) is worked out once per distinct value, and VMs alike in
        every figure the resync reads once per group, with its count. [GiB]"""
        a = self.a
        v = self.v
        mask = self.mask(vms)
        columns = ("db", "queue", "gos", "db_gib", "log_gib", "queue_gib", "gos_gib")
        matrix = np.stack([v[c][mask] for c in (*columns, "db_mib", "log_mib", "queue_mib")], 1)
        groups, count = np.unique(matrix, axis=0, return_counts=True)
        g = {c: groups[:, k][None, :] for k, c in enumerate(columns)}
        db_mib, log_mib, queue_mib = (groups[:, k][None, :] for k in (7, 8, 9))
        outage = np.asarray(outage_min, dtype=float)
        shares = day_shares(a.daily_profile_fraction, start_min, outage)
        unique, where = np.unique(np.round(shares, 9), return_inverse=True)
        out = np.zeros(unique.size)
        peak = max(a.daily_profile_fraction)
        extent = a.mvs_extent_kib
        step = max(1, CELLS // max(len(count), 1))
        for lo in range(0, unique.size, step):
            share = unique[lo : lo + step, None]
            per_vm = (
                g["db"]
                * mvs.random_resync_gib(
                    g["db_gib"], db_mib * share / peak, a.db_page_kib, extent, a.db_write_locality
                )
                + g["db"] * mvs.sequential_resync_gib(g["log_gib"], log_mib * share, extent)
                + g["queue"] * mvs.sequential_resync_gib(g["queue_gib"], queue_mib * share, extent)
            )
            out[lo : lo + step] = per_vm @ count
        total = np.array(out[where.reshape(-1)], dtype=float)
        if a.gos_write_mib_per_h > 0:  # guest-OS writes follow the clock, not the profile
            hours = outage / MIN_PER_H
            for lo in range(0, hours.size, step):
                gos = mvs.random_resync_gib(
                    g["gos_gib"],
                    a.gos_write_mib_per_h * hours[lo : lo + step, None],
                    a.db_page_kib,
                    extent,
                )
                total[lo : lo + step] += (g["gos"] * gos) @ count
        return total


__all__ = ["CELLS", "ROLES", "PartialResync", "day_shares", "window_mib"]
