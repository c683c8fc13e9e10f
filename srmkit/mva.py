"""MirrorView/A update cycles and RPO (Method §5).

Update k starts at ``s_k`` and sends the delta set written since the previous start,
``W(s_{k-1}, s_k)``; it lasts ``D_k = W × 2^20 × 8 / (rate × 10^6) + overhead``. Scheduling:

- ``start`` ("start of last update"): ``s_{k+1} = max(s_k + T, s_k + D_k)``;
- ``end`` ("end of last update"): ``s_{k+1} = s_k + D_k + T``;
- ``manual``: given start times each day (an update cannot start before the previous ended).

RPO at time t is ``t − start of the last completed update``. The repeated daily profile is
simulated until the pattern of update starts repeats (at most ``max_days``), and the last day is
reported. When a day's writes exceed what the link carries in a day, the backlog grows without
limit: the result is ``unbounded`` and carries no RPO number. The data lost at a disaster is then
reported as a lower bound, the age of the last completed update after ``days_in_service`` days
of operation (:func:`service_lag`, Method §8).

Closed forms for a constant update duration D (used by ``srmkit calc rpo``): start type worst
``max(T, D) + D``, mean ``max(T, D)/2 + D``; end type worst ``T + 2D``, mean ``T/2 + 1.5 D``.
The seed's example: T = 30 min, D = 15 min → worst RPO 45 min [S0].
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from srmkit.units import (
    H_PER_DAY,
    MIN_PER_DAY,
    MIN_PER_H,
    SECONDS_PER_DAY,
    mbit_to_mib,
    mib_to_mbit,
    s_to_min,
)

UpdateType = Literal["start", "end", "manual"]
ArrayLike = npt.ArrayLike
FloatArray = npt.NDArray[np.float64]
PERIOD_TOLERANCE_MIN = 1e-6
MAX_RATE_MBPS = 1_000_000.0  # no rate search goes beyond 1 Tbit/s
RELATIVE_TOLERANCE = 1e-4


def transfer_min(volume_mib: ArrayLike, effective_rate_mbps: ArrayLike) -> FloatArray:
    """Time to send a volume over the effective rate: ``MiB × 2^20 × 8 / (Mbit/s × 10^6)``. [min]

    >>> round(float(transfer_min(1000, 100)), 4)
    1.3981
    """
    seconds = np.divide(mib_to_mbit(np.asarray(volume_mib, dtype=float)), effective_rate_mbps)
    return np.asarray(s_to_min(seconds))


# --- closed forms (constant update duration) -------------------------------------------------


def worst_rpo_min(
    interval_min: ArrayLike, update_duration_min: ArrayLike, update_type: str = "start"
) -> FloatArray:
    """Worst RPO for a constant update duration (Method §5). [min]

    >>> float(worst_rpo_min(30, 15))
    45.0
    >>> float(worst_rpo_min(30, 15, "end"))
    60.0
    """
    t = np.asarray(interval_min, dtype=float)
    d = np.asarray(update_duration_min, dtype=float)
    if update_type == "end":
        return t + 2.0 * d
    return np.asarray(np.maximum(t, d) + d)


def mean_rpo_min(
    interval_min: ArrayLike, update_duration_min: ArrayLike, update_type: str = "start"
) -> FloatArray:
    """Time-averaged RPO for a constant update duration (Method §5). [min]

    >>> float(mean_rpo_min(30, 15))
    30.0
    """
    t = np.asarray(interval_min, dtype=float)
    d = np.asarray(update_duration_min, dtype=float)
    if update_type == "end":
        return t / 2.0 + 1.5 * d
    return np.asarray(np.maximum(t, d) / 2.0 + d)


def busy_fraction(change_rate_mib_per_s: ArrayLike, effective_rate_mbps: ArrayLike) -> FloatArray:
    """Share of time the link needs to send a constant change rate (α); ≥ 1 is unbounded.

    [fraction]
    """
    rate_mbps = mib_to_mbit(np.asarray(change_rate_mib_per_s, dtype=float))
    return np.divide(rate_mbps, effective_rate_mbps)


def steady_update_duration_min(
    interval_min: ArrayLike, busy_fraction_: ArrayLike, update_type: str = "start"
) -> FloatArray:
    """Update duration in steady state for a constant change rate; inf when unbounded. [min]

    Start type: each update carries the T minutes since the previous start, ``D = α T``.
    End type: starts are ``T + D`` apart, so ``D = α (T + D)``, i.e. ``D = α T / (1 − α)``.
    """
    t = np.asarray(interval_min, dtype=float)
    a = np.asarray(busy_fraction_, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        d = a * t if update_type != "end" else a * t / (1.0 - a)
    return np.where(a >= 1.0, np.inf, d)


def required_rate_mbps(
    rpo_min: ArrayLike,
    interval_min: ArrayLike,
    change_rate_mib_per_s: ArrayLike,
    update_type: str = "start",
) -> FloatArray:
    """Smallest effective rate whose worst RPO meets the target, constant change rate. [Mbit/s]

    Start type: ``T + D ≤ R`` with ``D = α T``; end type: ``T + 2D ≤ R`` with
    ``D = α T / (1 − α)``. NaN when no rate can do it (``R ≤ T``).

    >>> round(float(required_rate_mbps(45, 30, 1.0)), 4)
    16.7772
    """
    r = np.asarray(rpo_min, dtype=float)
    t = np.asarray(interval_min, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        if update_type == "end":
            d = (r - t) / 2.0
            alpha = d / (t + d)
        else:
            alpha = (r - t) / t
        rate = mib_to_mbit(np.asarray(change_rate_mib_per_s, dtype=float)) / alpha
    return np.where(r > t, rate, np.nan)


# --- simulation over the daily profile --------------------------------------------------------


@dataclass(frozen=True)
class Update:
    """One MirrorView/A update of the reported day."""

    start_min: float
    """Start, minutes after midnight of the reported day. [min]"""
    volume_mib: float
    duration_min: float


@dataclass(frozen=True)
class CycleResult:
    """The MirrorView/A cycle on one representative (periodic) day."""

    worst_rpo_min: float | None
    mean_rpo_min: float | None
    update_overrun: bool
    unbounded: bool
    periodic: bool
    days_simulated: int
    updates: tuple[Update, ...]
    rpo_times_min: tuple[float, ...]
    """Sawtooth corners: times of the reported day (0..1440). [min]"""
    rpo_values_min: tuple[float, ...]
    """RPO at those times. [min]"""

    @property
    def largest_delta_mib(self) -> float:
        """Largest delta set of the day. [MiB]"""
        return max((u.volume_mib for u in self.updates), default=0.0)


class Volume:
    """Cumulative written volume over the repeated daily profile: ``W(a, b)`` in O(1) for
    times in minutes after midnight of day 0. [MiB]"""

    def __init__(self, hourly_mib: Sequence[float]) -> None:
        # Plain floats: the update loop calls at() a million times in a long simulation.
        self.hourly = [float(x) for x in hourly_mib]
        self.cum = [0.0, *itertools.accumulate(self.hourly)]
        self.daily = self.cum[-1]

    def at(self, t_min: float) -> float:
        day, rest = divmod(t_min, MIN_PER_DAY)
        hour = min(int(rest // MIN_PER_H), H_PER_DAY - 1)
        frac = (rest - hour * MIN_PER_H) / MIN_PER_H
        return day * self.daily + self.cum[hour] + frac * self.hourly[hour]

    def between(self, a_min: float, b_min: float) -> float:
        return self.at(b_min) - self.at(a_min)

    def at_many(self, t_min: FloatArray) -> FloatArray:
        """:meth:`at` for an array of times. [MiB]"""
        t = np.asarray(t_min, dtype=float)
        day, rest = np.divmod(t, MIN_PER_DAY)
        hour = np.minimum((rest // MIN_PER_H).astype(int), H_PER_DAY - 1)
        frac = (rest - hour * MIN_PER_H) / MIN_PER_H
        hourly, cum = np.asarray(self.hourly), np.asarray(self.cum)
        return np.asarray(day * self.daily + cum[hour] + frac * hourly[hour])


def _first_gap_min(
    update_type: UpdateType, interval_min: float | None, manual_times_min: Sequence[float]
) -> tuple[float, list[float]]:
    """The gap before the first update (the interval T, or the mean manual gap) and the sorted
    manual start times; raises on a schedule that cannot run. [min]"""
    times: list[float] = []
    if update_type == "manual":
        times = sorted(float(t) % MIN_PER_DAY for t in manual_times_min)
        if not times:
            raise ValueError("manual updates need at least one start time")
    elif interval_min is None or interval_min <= 0:
        raise ValueError("start and end update types need a positive interval_min")
    return float(interval_min) if interval_min else MIN_PER_DAY / len(times), times


def _schedule(
    volume: Volume,
    effective_rate_mbps: float,
    update_type: UpdateType,
    interval_min: float | None,
    manual_times_min: Sequence[float],
    update_overhead_s: float,
    limit_min: float,
) -> tuple[list[float], list[float], list[float], float]:
    """The updates that start by ``limit_min``, by the scheduling rule of Method §5: starts,
    delta sets and durations, and the start that would follow the last one. [min, MiB, min]

    The first update starts at midnight of day 0 and sends the interval before it (the
    secondary was current one interval earlier: no backlog).
    """
    first_gap, times = _first_gap_min(update_type, interval_min, manual_times_min)
    overhead_min = float(s_to_min(update_overhead_s))
    starts: list[float] = [0.0]
    vols: list[float] = [volume.between(-first_gap, 0.0) if volume.daily else 0.0]
    durs: list[float] = []
    k_manual = 1
    min_per_mib = float(transfer_min(1.0, effective_rate_mbps))  # the loop's arithmetic, once
    while True:
        s, w = starts[-1], vols[-1]
        d = w * min_per_mib + overhead_min
        durs.append(d)
        if update_type == "start":
            assert interval_min is not None
            nxt = s + max(interval_min, d)
        elif update_type == "end":
            assert interval_min is not None
            nxt = s + d + interval_min
        else:
            day, idx = divmod(k_manual, len(times))
            nxt = max(day * MIN_PER_DAY + times[idx], s + d)
            k_manual += 1
        if nxt > limit_min:
            return starts, vols, durs, nxt
        vols.append(volume.between(s, nxt))
        starts.append(nxt)


def simulate(
    hourly_mib: Sequence[float],
    effective_rate_mbps: float,
    update_type: UpdateType,
    interval_min: float | None,
    manual_times_min: Sequence[float],
    update_overhead_s: float,
    max_days: int,
) -> CycleResult:
    """Simulate MirrorView/A updates over the repeated daily profile (Method §5).

    Parameters
    ----------
    hourly_mib : replicated volume in each hour 0–23 [MiB]
    effective_rate_mbps : link rate available to replication [Mbit/s]
    update_type : start, end or manual
    interval_min : update interval T for start and end types [min]
    manual_times_min : daily start times for the manual type [min after midnight]
    update_overhead_s : fixed time added to every update [s]
    max_days : days simulated at most before reporting the last one [day]
    """
    volume = Volume(hourly_mib)
    if volume.daily > float(carried_mib_per_day(effective_rate_mbps)):
        return CycleResult(None, None, True, True, False, 0, (), (), ())
    horizon = max_days * MIN_PER_DAY
    starts, vols, durs, _next = _schedule(
        volume,
        effective_rate_mbps,
        update_type,
        interval_min,
        manual_times_min,
        update_overhead_s,
        horizon + MIN_PER_DAY,
    )

    s_arr, d_arr = np.array(starts), np.array(durs)
    e_arr = s_arr + d_arr

    def day_pattern(day: int) -> np.ndarray:
        mask = (s_arr >= day * MIN_PER_DAY) & (s_arr < (day + 1) * MIN_PER_DAY)
        return np.column_stack([s_arr[mask] - day * MIN_PER_DAY, d_arr[mask]])

    report_day, periodic = max_days - 1, False
    for day in range(1, max_days):
        a, b = day_pattern(day - 1), day_pattern(day)
        if a.shape == b.shape and np.allclose(a, b, atol=PERIOD_TOLERANCE_MIN):
            report_day, periodic = day, True
            break

    lo, hi = float(report_day * MIN_PER_DAY), float((report_day + 1) * MIN_PER_DAY)
    in_day = (s_arr >= lo) & (s_arr < hi)
    updates = tuple(
        Update(float(s - lo), float(w), float(d))
        for s, w, d in zip(s_arr[in_day], np.array(vols)[in_day], d_arr[in_day], strict=True)
    )
    # RPO sawtooth over [lo, hi): between completions e_j and e_{j+1}, RPO = t − s_j.
    order = np.argsort(e_arr)
    e_sorted, s_sorted = e_arr[order], s_arr[order]
    rpo_t: list[float] = []
    rpo_v: list[float] = []
    worst, area = 0.0, 0.0
    j = int(np.searchsorted(e_sorted, lo, side="right")) - 1
    t = lo
    while t < hi and j >= 0:
        nxt = min(float(e_sorted[j + 1]) if j + 1 < len(e_sorted) else hi, hi)
        base = float(s_sorted[j])
        r0, r1 = t - base, nxt - base
        rpo_t += [t - lo, nxt - lo]
        rpo_v += [r0, r1]
        worst = max(worst, r1)
        area += (r1 * r1 - r0 * r0) / 2.0
        t, j = nxt, j + 1
    overrun = bool(interval_min is not None and np.any(d_arr[in_day] > interval_min))
    return CycleResult(
        worst_rpo_min=worst,
        mean_rpo_min=area / MIN_PER_DAY,
        update_overrun=overrun,
        unbounded=False,
        periodic=periodic,
        days_simulated=report_day + 1,
        updates=updates,
        rpo_times_min=tuple(rpo_t),
        rpo_values_min=tuple(rpo_v),
    )


def required_rate_mbps_for_rpo(
    target_rpo_min: float,
    hourly_mib: Sequence[float],
    update_type: UpdateType,
    interval_min: float | None,
    manual_times_min: Sequence[float],
    update_overhead_s: float,
    max_days: int,
    tolerance_mbps: float = 0.01,
) -> float | None:
    """Smallest effective rate whose simulated worst RPO meets the target (bisection). [Mbit/s]

    None when no rate can meet it: the interval (or the longest gap between manual updates)
    alone exceeds the target, or it would take more than 1,000,000 Mbit/s. The search starts
    at the day's mean rate (any rate at or below it never catches up) and stops within
    0.01 % or ``tolerance_mbps``, whichever is larger, so it runs a few dozen simulations.
    """
    if update_type == "manual":
        times = sorted(float(t) % MIN_PER_DAY for t in manual_times_min)
        gaps = [b - a for a, b in zip(times, [*times[1:], times[0] + MIN_PER_DAY], strict=True)]
        floor_min = max(gaps, default=float(MIN_PER_DAY))
    else:
        floor_min = float(interval_min or 0.0)
    if target_rpo_min < floor_min:
        return None

    def meets(rate: float) -> bool:
        r = simulate(
            hourly_mib,
            rate,
            update_type,
            interval_min,
            manual_times_min,
            update_overhead_s,
            max_days,
        )
        return r.worst_rpo_min is not None and r.worst_rpo_min <= target_rpo_min

    lo = float(mib_to_mbit(math.fsum(hourly_mib))) / SECONDS_PER_DAY  # the day's mean rate
    hi = max(2.0 * lo, 1.0)
    while not meets(hi):
        lo, hi = hi, hi * 2.0
        if hi > MAX_RATE_MBPS:
            return None
    while hi - lo > max(tolerance_mbps, hi * RELATIVE_TOLERANCE):
        mid = (lo + hi) / 2.0
        if meets(mid):
            hi = mid
        else:
            lo = mid
    return math.ceil(hi / tolerance_mbps) * tolerance_mbps


# --- an unbounded cycle after days in service (Method §8) ---------------------------------------


def carried_mib_per_day(effective_rate_mbps: ArrayLike) -> FloatArray:
    """What the link carries in a day at the effective rate, C; a day's writes above it make the
    MirrorView/A recovery point unbounded (Method §5). [MiB/day]

    >>> float(carried_mib_per_day(mib_to_mbit(1.0)))
    86400.0
    """
    rate = np.asarray(effective_rate_mbps, dtype=float)
    return np.asarray(np.asarray(mbit_to_mib(rate), dtype=float) * SECONDS_PER_DAY)


def lag_growth_h_per_day(daily_mib: ArrayLike, effective_rate_mbps: ArrayLike) -> FloatArray:
    """Daily growth of an unbounded MirrorView/A lag: ``24 h × (V − C) / V`` (Method §8). [h/day]

    Derivation. V is a day's replicated writes and C what the link carries in a day
    (``effective rate × 86,400 s``), both in MiB; the lag is unbounded when V > C (Method §5).
    From then on the link never catches up: each update starts as soon as the previous one ends
    (start type: ``max(T, D) = D``; end and manual types approach it as D grows), so it carries
    C MiB a day. The secondary's point in time moves forward only by the writes it receives: C
    of the V MiB written in a day, i.e. ``C / V`` of a day's writing, while the clock moves one
    day. The lag (how far its point in time is behind the clock) therefore grows by
    ``1 − C / V`` days a day: the daily volume not carried, ``V − C``, divided by the mean write
    rate ``V / 24 h``. It is at most 24 h a day (a copy that receives nothing falls behind one
    day a day). For a constant write rate this is the floor of the simulated age,
    ``t × (1 − C / V)``: completed updates have carried at most ``C × t / 1 day``, so the
    volume written since the last completed start is at least ``(V − C) × t / 1 day``.
    0 when the link keeps up (V ≤ C).

    >>> float(lag_growth_h_per_day(86_400, float(mib_to_mbit(0.5))))  # 1 MiB/s over 0.5 MiB/s
    12.0
    """
    v = np.asarray(daily_mib, dtype=float)
    c = carried_mib_per_day(effective_rate_mbps)
    with np.errstate(divide="ignore", invalid="ignore"):
        growth = H_PER_DAY * (v - c) / v
    return np.asarray(np.where(v > c, growth, 0.0))


def drain_growth_h_per_day(daily_mib: ArrayLike, effective_rate_mbps: ArrayLike) -> FloatArray:
    """Daily growth of the time an unbounded MirrorView/A backlog needs to cross the link:
    ``24 h × (V − C) / C`` (Method §8). [h/day]

    The volume not carried grows by ``V − C`` MiB a day (:func:`lag_growth_h_per_day`); sending
    it at the effective rate ``C / 24 h`` takes ``(V − C) / (C / 24 h)`` more each day. This is
    how much longer a final update (a planned failover's, with the VMs shut down) takes for
    every further day in service; unlike the lag it may exceed 24 h a day.

    >>> float(drain_growth_h_per_day(86_400, float(mib_to_mbit(0.5))))
    24.0
    """
    v = np.asarray(daily_mib, dtype=float)
    c = carried_mib_per_day(effective_rate_mbps)
    with np.errstate(divide="ignore", invalid="ignore"):
        growth = H_PER_DAY * (v - c) / c
    return np.asarray(np.where(v > c, growth, 0.0))


CLOCK_STEP_MIN = 5.0
"""Clock times tried for the least and the most lag of a day. [min]"""
CLOCK_TIMES_MIN = np.arange(0.0, MIN_PER_DAY, CLOCK_STEP_MIN)


@dataclass(frozen=True)
class ServiceLag:
    """MirrorView/A updates from the start of service (midnight of day 0, no backlog) to a day
    past ``days_in_service`` days, by the scheduling rule of Method §5: how far the secondary
    of an unbounded design is behind at a disaster (Method §8).

    The figures are lower bounds for a design that has run at least ``days_in_service`` days:
    the age of the last completed update at the disaster time after that many days. A longer
    service leaves the secondary further behind, by :attr:`growth_h_per_day` a day on average
    (the age itself is a sawtooth: it drops when a long update completes, and never below the
    floor of :func:`lag_growth_h_per_day`).
    """

    days_in_service: float
    """Days of operation before the disaster. [day]"""
    starts_min: FloatArray
    """Update starts, minutes after midnight of the first day in service. [min]"""
    ends_min: FloatArray
    """Their ends, in the same time (non-decreasing: an update never starts before the previous
    one ended). [min]"""
    next_start_min: float
    """The start that follows the last update listed. [min]"""
    before_first_min: float
    """The point in time of the secondary's data until the first update completes: one interval
    before midnight (no backlog). [min]"""
    daily_mib: float
    """A day's replicated writes V. [MiB]"""
    effective_rate_mbps: float
    overhead_min: float
    """Fixed time added to every update. [min]"""
    volume: Volume

    @property
    def unbounded(self) -> bool:
        """A day's writes exceed what the link carries in a day (Method §5)."""
        return self.daily_mib > self.carried_mib_per_day

    @property
    def carried_mib_per_day(self) -> float:
        """What the link carries in a day, C. [MiB]"""
        return float(carried_mib_per_day(self.effective_rate_mbps))

    @property
    def growth_h_per_day(self) -> float:
        """How much further behind the secondary falls every day (:func:`lag_growth_h_per_day`).
        [h/day]"""
        return float(lag_growth_h_per_day(self.daily_mib, self.effective_rate_mbps))

    @property
    def drain_growth_h_per_day(self) -> float:
        """How much longer the backlog takes to send every day (:func:`drain_growth_h_per_day`).
        [h/day]"""
        return float(drain_growth_h_per_day(self.daily_mib, self.effective_rate_mbps))

    def disaster_min(self, tod_min: ArrayLike) -> FloatArray:
        """The first time at the clock time ``tod_min`` once the design has run
        ``days_in_service`` days, in minutes after midnight of the first day. [min]

        >>> lag = service_lag([60.0] * 24, 1000.0, "start", 15, (), 0.0, 1)
        >>> float(lag.disaster_min(600)), float(lag.disaster_min(0))
        (2040.0, 1440.0)
        """
        first = self.days_in_service * MIN_PER_DAY
        tod = np.mod(np.asarray(tod_min, dtype=float), MIN_PER_DAY)
        return np.asarray(first + np.mod(tod - first, MIN_PER_DAY))

    def last_completed_start_min(self, t_min: ArrayLike) -> FloatArray:
        """Start of the last update completed by each time (minutes after midnight of the
        first day); the point in time of the secondary's data. [min]"""
        t = np.asarray(t_min, dtype=float)
        idx = np.searchsorted(self.ends_min, t, side="right") - 1
        starts = self.starts_min[np.clip(idx, 0, None)]
        return np.asarray(np.where(idx >= 0, starts, self.before_first_min))

    def day_losses_min(self) -> FloatArray:
        """The loss of a disaster at every clock time of the day, every ``CLOCK_STEP_MIN``
        minutes, after the days in service (lower bounds): the least and the most of them are
        what the CLI, the documents and the runbook quote. [min]"""
        return self.loss_min(CLOCK_TIMES_MIN)

    def loss_min(self, tod_min: ArrayLike) -> FloatArray:
        """Data lost at a disaster at the clock time ``tod_min``: the age of the last completed
        update after ``days_in_service`` days (a lower bound, Method §8). [min]"""
        t = self.disaster_min(tod_min)
        return np.asarray(t - self.last_completed_start_min(t))

    def loss_mib(self, tod_min: ArrayLike) -> FloatArray:
        """The replicated volume written in those minutes (a lower bound). [MiB]"""
        t = self.disaster_min(tod_min)
        return np.asarray(
            self.volume.at_many(t) - self.volume.at_many(self.last_completed_start_min(t))
        )

    def final_update_min(self, tod_min: float) -> float:
        """How long a final update takes after a shutdown at the clock time ``tod_min`` (after
        ``days_in_service`` days): the update in flight ends, then one more sends every change
        from its start to the shutdown; with none in flight, one update sends every change since
        the last completed one (Method §8, a lower bound). [min]

        >>> lag = service_lag([3600.0] * 24, float(mib_to_mbit(0.5)), "start", 15, (), 0.0, 1)
        >>> lag.final_update_min(600)  # in flight 1890–3810; then 150 min of writes at 2×
        2070.0
        """
        t = float(self.disaster_min(tod_min))
        last, flying, _next = self.state_at(t)
        min_per_mib = float(transfer_min(1.0, self.effective_rate_mbps))
        if flying is None:
            return self.volume.between(last, t) * min_per_mib + self.overhead_min
        start, end = flying
        return (end - t) + self.volume.between(start, t) * min_per_mib + self.overhead_min

    def state_at(self, t_min: float) -> tuple[float, tuple[float, float] | None, float]:
        """The cycle at time ``t_min`` (minutes after midnight of the first day): the start of
        the last completed update, the update in flight (start, end) or None, and the next
        start after ``t_min`` when none is in flight. [min]"""
        last = float(self.last_completed_start_min(t_min))
        i = int(np.searchsorted(self.starts_min, t_min, side="right")) - 1
        if i >= 0 and self.ends_min[i] > t_min:
            return last, (float(self.starts_min[i]), float(self.ends_min[i])), math.inf
        nxt = self.starts_min[i + 1] if i + 1 < self.starts_min.size else self.next_start_min
        return last, None, float(nxt)


def service_lag(
    hourly_mib: Sequence[float],
    effective_rate_mbps: float,
    update_type: UpdateType,
    interval_min: float | None,
    manual_times_min: Sequence[float],
    update_overhead_s: float,
    days_in_service: float,
) -> ServiceLag:
    """Play the repeated daily profile from midnight with no backlog, by the scheduling rule of
    Method §5, until a day past ``days_in_service`` days (Method §8: MV/A with an unbounded RPO).

    Parameters
    ----------
    hourly_mib : replicated volume in each hour 0–23 [MiB]
    effective_rate_mbps : link rate available to replication [Mbit/s]
    update_type : start, end or manual
    interval_min : update interval T for start and end types [min]
    manual_times_min : daily start times for the manual type [min after midnight]
    update_overhead_s : fixed time added to every update [s]
    days_in_service : days of operation before the disaster [day]

    References
    ----------
    Model v3 §5 (scheduling) and §8 (MV/A with an unbounded RPO).

    Examples
    --------
    1 MiB/s written all day over 0.5 MiB/s, updates every 15 min (start type): the updates
    double, ``s_k = 30 (2^k − 1)`` min; at 10:00 after one day (t = 2,040 min) the last
    completed update started at 930 min: 1,110 min lost, 12 h more every day.

    >>> lag = service_lag([3600.0] * 24, float(mib_to_mbit(0.5)), "start", 15, (), 0.0, 1)
    >>> float(lag.loss_min(600)), lag.growth_h_per_day
    (1110.0, 12.0)
    """
    if days_in_service <= 0:
        raise ValueError("days_in_service must be > 0")
    volume = Volume(hourly_mib)
    first_gap, _times = _first_gap_min(update_type, interval_min, manual_times_min)
    limit = (days_in_service + 1.0) * MIN_PER_DAY
    starts, _vols, durs, nxt = _schedule(
        volume,
        effective_rate_mbps,
        update_type,
        interval_min,
        manual_times_min,
        update_overhead_s,
        limit,
    )
    s_arr = np.array(starts, dtype=float)
    return ServiceLag(
        days_in_service=float(days_in_service),
        starts_min=s_arr,
        ends_min=s_arr + np.array(durs, dtype=float),
        next_start_min=nxt,
        before_first_min=-first_gap,
        daily_mib=volume.daily,
        effective_rate_mbps=float(effective_rate_mbps),
        overhead_min=float(s_to_min(update_overhead_s)),
        volume=volume,
    )
