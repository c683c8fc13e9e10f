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


def _scaled(hourly: Sequence[float], by: float) -> FloatArray:
    """Hourly values divided by ``by`` (their sum or peak); all zero when it is 0."""
    values = np.asarray(hourly, dtype=float)
    return values / by if by > 0 else np.zeros_like(values)


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
        # The shapes of each VM's writes over a day: logs and queues (sum 1), database writes
        # (peak 1) and guest-OS writes (per hour); shape 0 is the profile's, shared by every VM
        # sized by it, and a measured server has its own (Method §2, a measured profile).
        p = np.asarray(a.daily_profile_fraction, dtype=float)
        self.shapes: list[tuple[FloatArray, FloatArray, FloatArray | None]] = [
            (p, p / p.max(), None)
        ]
        self.shape = np.zeros(len(vms), dtype=int)
        seen: dict[int, int] = {}  # servers alike share one record of writes: one shape
        for k, vm in enumerate(vms):
            m = vm.measured
            if m is not None and id(m) in seen:
                self.shape[k] = seen[id(m)]
            elif m is not None:
                self.shape[k] = seen[id(m)] = len(self.shapes)
                self.shapes.append(
                    (
                        _scaled(m.log_mib_h, sum(m.log_mib_h)),
                        _scaled(m.db_write_mib_h, max(m.db_write_mib_h)),
                        None if m.gos_write_mib_h is None else np.asarray(m.gos_write_mib_h),
                    )
                )
        order = np.argsort(self.shape, kind="stable")
        shapes, starts = np.unique(self.shape[order], return_index=True)
        self._members = {
            int(index): order[lo:hi]
            for index, lo, hi in zip(shapes, starts, [*starts[1:], order.size], strict=True)
            if index > 0
        }
        """The VMs of each measured shape (their positions in VM order)."""
        self._roles: dict[tuple[int, float], dict[str, FloatArray]] = {}

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
        key = (start_h, round(hours, 9))
        if key not in self._roles:
            self._roles[key] = self._roles_for(*self._written(start_h, hours))
        return self._roles[key]

    def _written(self, start_h: int, hours: float) -> tuple[FloatArray, FloatArray, FloatArray]:
        """Each VM's share of a day's logs and queue writes, its database writes in peak
        hours, and its guest-OS writes in MiB, in the outage's hours."""
        a = self.a
        log_shape, db_shape, _ = self.shapes[0]
        n = self.shape.size
        log_share = np.full(n, window_mib(log_shape, start_h, hours))
        db_hours = np.full(n, window_mib(db_shape, start_h, hours))
        gos_mib = np.full(n, a.gos_write_mib_per_h * hours)
        for index, mine in self._members.items():  # each measured shape once, for its VMs
            logs, db, gos = self.shapes[index]
            log_share[mine] = window_mib(logs, start_h, hours)
            db_hours[mine] = window_mib(db, start_h, hours)
            if gos is not None:
                gos_mib[mine] = window_mib(gos, start_h, hours)
        return log_share, db_hours, gos_mib

    def _roles_for(
        self, day_share: FloatArray, db_hours: FloatArray, gos_mib: FloatArray
    ) -> dict[str, FloatArray]:
        a = self.a
        v = self.v
        extent = a.mvs_extent_kib
        return {
            "db": mvs.random_resync_gib(
                v["db_gib"], v["db_mib"] * db_hours, a.db_page_kib, extent, a.db_write_locality
            ),
            "log": mvs.sequential_resync_gib(v["log_gib"], v["log_mib"] * day_share, extent),
            "queue": mvs.sequential_resync_gib(v["queue_gib"], v["queue_mib"] * day_share, extent),
            "gos": mvs.random_resync_gib(v["gos_gib"], gos_mib, a.db_page_kib, extent),
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
        total = self._measured_many_gib(mask, start_min, outage_min)
        mask &= self.shape == 0
        if not mask.any():
            return total
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
        total += out[where.reshape(-1)]
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

    def _measured_many_gib(
        self, mask: npt.NDArray[np.bool_], start_min: npt.ArrayLike, outage_min: npt.ArrayLike
    ) -> FloatArray:
        """:meth:`many_gib` of the measured VMs among ``mask``, each by its own day. [GiB]"""
        a = self.a
        v = self.v
        extent = a.mvs_extent_kib
        outage = np.asarray(outage_min, dtype=float)
        total = np.zeros(outage.size)
        measured = np.flatnonzero(mask & (self.shape > 0))
        if measured.size == 0:
            return total
        # VMs alike (one shape, the same figures) are worked out once, times their count.
        columns = ("db", "queue", "gos", "db_gib", "log_gib", "queue_gib", "gos_gib")
        figures = np.stack(
            [
                self.shape[measured],
                *(v[c][measured] for c in (*columns, "db_mib", "log_mib", "queue_mib")),
            ],
            1,
        )
        _, first, count = np.unique(figures, axis=0, return_index=True, return_counts=True)
        for k, n in zip(measured[first], count, strict=True):
            logs, db, gos = self.shapes[self.shape[k]]
            share = day_shares(logs, start_min, outage)
            gos_mib = (
                a.gos_write_mib_per_h * outage / MIN_PER_H
                if gos is None
                else day_shares(gos, start_min, outage)
            )
            total += n * (
                v["db"][k]
                * mvs.random_resync_gib(
                    v["db_gib"][k],
                    v["db_mib"][k] * day_shares(db, start_min, outage),
                    a.db_page_kib,
                    extent,
                    a.db_write_locality,
                )
                + v["db"][k]
                * mvs.sequential_resync_gib(v["log_gib"][k], v["log_mib"][k] * share, extent)
                + v["queue"][k]
                * mvs.sequential_resync_gib(v["queue_gib"][k], v["queue_mib"][k] * share, extent)
                + v["gos"][k]
                * mvs.random_resync_gib(v["gos_gib"][k], gos_mib, a.db_page_kib, extent)
            )
        return total


__all__ = ["CELLS", "ROLES", "PartialResync", "day_shares", "window_mib"]
