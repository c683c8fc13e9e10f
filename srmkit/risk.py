"""Monte Carlo risk: disasters at random times over a year, with or without random link outages.

Each run loses one production site (chosen at random among the sites that run protected VMs) at a
time drawn uniformly over a year of the daily profile, and recovers it at the other site
(Method §8). Without outages the data lost is read off the design's periodic pattern:
MirrorView/S loses nothing; MirrorView/A loses the time since the start of the last completed
update (the cycle model of Method §5, vectorised with a sorted search), so the mean over many
runs is the cycle's time-mean RPO.

MirrorView/A with an unbounded RPO (a day's writes exceed what the link carries in a day) has no
periodic pattern: its secondary falls further behind every day. Each run then loses the age of
the last completed update at its disaster's time of day after ``days_in_service`` days of
operation (:class:`srmkit.mva.ServiceLag`), a lower bound; the result is flagged
``data_loss_unbounded`` so that no presenter shows the distribution as exact (Method §8).

Random link outages (``outages_per_year``, exponential durations of mean ``outage_mean_h``)
arrive as a Poisson process; the time from the latest outage's start to the disaster is then
exponential with the same rate (the process is memoryless), and each run looks only at that
outage (two overlapping outages are negligible at realistic rates). A disaster:

- during the outage: MirrorView/S loses the time since the link was lost once the outage has
  outlasted the fracture timeout (the secondary holds the data of that moment; within the
  timeout Exchange's writes wait and nothing acknowledged is lost, Method §4); MirrorView/A the
  time since the start of the last update completed before the outage;
- during the resynchronisation after it (MirrorView/S: the study's partial resync of the outage,
  ``Study.resync_gib``, at the synchronisation rate, Method §6): with the Automatic recovery
  policy the secondary is being overwritten and there is no usable copy (unrecoverable); with
  Manual the administrator cloned the secondaries before synchronising (as the runbook says), and
  the recovery uses the clone, which holds the data of the link loss;
- during MirrorView/A's catch-up update after it: the time since the start of the last update
  completed before the outage.

The RTO of a recoverable run is the recovery of the lost site (declaration + plan, Method §8).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from srmkit.caching import per_object
from srmkit.design import Design
from srmkit.mva import ServiceLag, Volume
from srmkit.simulation.model import service_lags
from srmkit.study_results import DirectionLoad
from srmkit.units import (
    MIN_PER_DAY,
    gib_to_mbit,
    h_to_min,
    mib_to_mbit,
    s_to_min,
)

FloatArray = npt.NDArray[np.float64]
DAYS_PER_YEAR = 365
MAX_RUNS = 10_000_000
PERCENTILES = (50, 95, 99)


@dataclass(frozen=True)
class Distribution:
    """Summary of a sample: mean, percentiles and maximum (None when the sample is empty)."""

    mean: float | None
    p50: float | None
    p95: float | None
    p99: float | None
    max: float | None

    @classmethod
    def of(cls, values: FloatArray) -> Distribution:
        if values.size == 0:
            return cls(None, None, None, None, None)
        p50, p95, p99 = (float(x) for x in np.percentile(values, PERCENTILES))
        return cls(float(values.mean()), p50, p95, p99, float(values.max()))


@dataclass(frozen=True)
class MonteCarloResult:
    """The distribution of data loss and RTO over random disasters."""

    runs: int
    seed: int
    outages_per_year: float
    outage_mean_h: float
    data_loss_min: Distribution
    """Over recoverable runs. [min]"""
    data_loss_mib: Distribution
    rto_min: Distribution
    unrecoverable_fraction: float
    loss_samples_min: FloatArray
    """Every recoverable run's data loss, for figures. [min]"""
    data_loss_unbounded: bool = False
    """Some direction's MirrorView/A lag is unbounded: the data-loss figures are lower bounds,
    after ``days_in_service`` days of operation, and grow every further day (Method §8)."""
    lag_growth_h_per_day: float | None = None
    """How much further behind the worst unbounded secondary falls every day. [h/day]"""
    days_in_service: float | None = None
    """The days of operation the lower bounds assume; None when bounded. [day]"""


def _last_completed_start(design: Design, label: str, tod_min: FloatArray) -> FloatArray:
    """Start of the last MV/A update completed by each time of day, from the periodic day
    (previous and next days included, so the search never runs off the ends). [min]"""
    cycle = design.cycles[label]
    starts = np.array([u.start_min for u in cycle.updates], dtype=float)
    ends = starts + np.array([u.duration_min for u in cycle.updates], dtype=float)
    starts = np.concatenate([starts - MIN_PER_DAY, starts, starts + MIN_PER_DAY])
    ends = np.concatenate([ends - MIN_PER_DAY, ends, ends + MIN_PER_DAY])
    order = np.argsort(ends)
    ends, starts = ends[order], starts[order]
    idx = np.searchsorted(ends, tod_min, side="right") - 1
    running_max = np.maximum.accumulate(starts)
    return np.asarray(running_max[np.clip(idx, 0, None)])


def _mva_copy_time(
    design: Design, label: str, lag: ServiceLag | None, t_min: FloatArray
) -> FloatArray:
    """The point in time of an MV/A secondary's data at each time: the start of the last
    completed update, from the periodic day, or from the updates since the start of service
    when the lag is unbounded (then ``t_min`` is in that service's time). [min]"""
    if lag is not None:
        return lag.last_completed_start_min(t_min)
    day_start = t_min - np.mod(t_min, MIN_PER_DAY)
    return day_start + _last_completed_start(design, label, np.mod(t_min, MIN_PER_DAY))


def _resync_gib(
    design: Design,
    direction: DirectionLoad,
    start_min: FloatArray,
    outage_min: FloatArray,
    candidates: FloatArray,
) -> FloatArray:
    """The study's partial resync after each outage (``Study.resync_gib_many``, Method §6), for
    the runs in ``candidates`` only (elsewhere 0). [GiB]"""
    out = np.zeros(start_min.size)
    picked = np.flatnonzero(candidates)
    if picked.size:
        out[picked] = design.resync_gib_many(
            direction, np.mod(start_min[picked], MIN_PER_DAY), outage_min[picked]
        )
    return out


def monte_carlo(
    design: Design,
    runs: int,
    seed: int = 0,
    outages_per_year: float = 0.0,
    outage_mean_h: float = 4.0,
    recovery_policy: str | None = None,
) -> MonteCarloResult:
    """Disasters at random times over a year (seeded: the same seed gives the same figures)."""
    if not 1 <= runs <= MAX_RUNS:
        raise ValueError(f"runs must be 1 to {MAX_RUNS:,}")
    if outages_per_year < 0 or outage_mean_h <= 0:
        raise ValueError("outages per year must be ≥ 0 and their mean duration > 0 h")
    rng = np.random.default_rng(seed)
    directions = design.directions
    policy = recovery_policy or design.scenario.replication.recovery_policy
    a = design.a
    fracture_min = float(s_to_min(a.mvs_fracture_timeout_s))
    sync_min_per_gib = float(s_to_min(gib_to_mbit(1.0) / design.sync_rate_mbps))
    update_min_per_mib = float(s_to_min(mib_to_mbit(1.0) / design.effective_rate_mbps))

    t = rng.uniform(0.0, DAYS_PER_YEAR * MIN_PER_DAY, runs)
    which = rng.integers(0, len(directions), runs) if len(directions) > 1 else np.zeros(runs, int)
    if outages_per_year > 0:
        rate_per_min = outages_per_year / (DAYS_PER_YEAR * MIN_PER_DAY)
        since_outage = rng.exponential(1.0 / rate_per_min, runs)
        outage_len = rng.exponential(h_to_min(outage_mean_h), runs)
    else:
        since_outage = np.full(runs, np.inf)
        outage_len = np.zeros(runs)

    loss = np.zeros(runs)
    loss_mib = np.zeros(runs)
    rto = np.zeros(runs)
    unrecoverable = np.zeros(runs, dtype=bool)
    lags = service_lags(design)
    for k, d in enumerate(directions):
        sel = which == k
        if not sel.any():
            continue
        volume = Volume(d.hourly_mib.tolist())
        lag = lags.get(d.from_site)
        tt, a_since, u = t[sel], since_outage[sel], outage_len[sel]
        if lag is not None:
            # Unbounded: the disaster at its time of day after the days in service (§8).
            tt = lag.disaster_min(np.mod(tt, MIN_PER_DAY))
        outage_start = np.where(np.isfinite(a_since), tt - a_since, tt)  # no outage: unused
        during = a_since < u
        after = ~during & np.isfinite(a_since)
        back = outage_start + u
        copy_t = tt.copy()  # the point in time of the data the recovery uses
        lost = np.zeros(tt.size, dtype=bool)
        if design.is_sync:
            # The secondary holds the data of the link loss; within the fracture timeout
            # Exchange's writes wait and nothing acknowledged is lost (Method §4).
            fractured = during & (a_since > fracture_min)
            copy_t = np.where(fractured, outage_start, copy_t)
            # Only a disaster within a full resynchronisation of the end of the outage can
            # fall in one: the study's figure is asked for those runs alone.
            near = after & (u > fracture_min) & (tt < back + d.capacity_gib * sync_min_per_gib)
            resync = _resync_gib(design, d, outage_start, u, near)
            in_resync = near & (tt < back + np.minimum(resync, d.capacity_gib) * sync_min_per_gib)
            if policy == "auto":
                lost = in_resync
            else:
                copy_t = np.where(in_resync, outage_start, copy_t)
        else:
            normal = _mva_copy_time(design, d.label, lag, tt)
            before = _mva_copy_time(design, d.label, lag, outage_start)
            catch_up = (
                volume.at_many(np.where(after, back, 0.0))
                - volume.at_many(np.where(after, before, 0.0))
            ) * update_min_per_mib
            in_catch_up = after & (tt < back + catch_up)
            copy_t = np.where(during | in_catch_up, before, normal)
        loss[sel] = np.where(lost, np.nan, tt - copy_t)
        loss_mib[sel] = np.where(lost, np.nan, volume.at_many(tt) - volume.at_many(copy_t))
        rto[sel] = design.recovery_of(d.from_site).rto_min
        unrecoverable[sel] = lost
    ok = ~unrecoverable
    return MonteCarloResult(
        runs=runs,
        seed=seed,
        outages_per_year=outages_per_year,
        outage_mean_h=outage_mean_h,
        data_loss_min=Distribution.of(loss[ok]),
        data_loss_mib=Distribution.of(loss_mib[ok]),
        rto_min=Distribution.of(rto[ok]),
        unrecoverable_fraction=float(unrecoverable.mean()),
        loss_samples_min=loss[ok],
        data_loss_unbounded=bool(lags),
        lag_growth_h_per_day=max((x.growth_h_per_day for x in lags.values()), default=None),
        days_in_service=a.days_in_service if lags else None,
    )


@per_object
def design_risk(design: Design) -> MonteCarloResult:
    """The Monte Carlo figures of the design's documents, with its assumptions' runs, seed and
    link outages (computed once per design)."""
    a = design.a
    return monte_carlo(
        design, a.risk_runs_count, a.risk_seed, a.link_outages_per_year, a.link_outage_mean_h
    )
