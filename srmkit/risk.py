"""Monte Carlo risk: disasters at random times over a year, with or without random link outages.

Each run loses one production site (chosen at random among the sites that run protected VMs) at a
time drawn uniformly over a year of the daily profile, and recovers it at the other site
(Method §8). Without outages the data lost is read off the design's periodic pattern:
MirrorView/S loses nothing; MirrorView/A loses the time since the start of the last completed
update (the cycle model of Method §5, vectorised with a sorted search), so the mean over many
runs is the cycle's time-mean RPO.

Random link outages (``outages_per_year``, exponential durations of mean ``outage_mean_h``)
arrive as a Poisson process; the time from the latest outage's start to the disaster is then
exponential with the same rate (the process is memoryless), and each run looks only at that
outage (two overlapping outages are negligible at realistic rates). A disaster:

- during the outage: MirrorView/S loses the time since the fracture (the outage start plus the
  auto-fracture time); MirrorView/A the time since the last update completed before the outage;
- during the resynchronisation after it (MirrorView/S, the writes of the outage at the
  synchronisation rate): with the Automatic recovery policy the secondary is being overwritten
  and there is no usable copy (unrecoverable); with Manual the administrator cloned the
  secondaries before synchronising (as the runbook says), and the recovery uses the clone, which
  holds the data of the fracture;
- during MirrorView/A's catch-up update after it: the time since the last update completed
  before the outage.

The RTO of a recoverable run is the recovery of the lost site (declaration + plan, Method §8).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from srmkit.caching import per_object
from srmkit.design import Design
from srmkit.mva import Volume
from srmkit.units import (
    MIN_PER_DAY,
    gib_to_mbit,
    h_to_min,
    mib_to_gib,
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
    for k, d in enumerate(directions):
        sel = which == k
        if not sel.any():
            continue
        volume = Volume(d.hourly_mib.tolist())
        tt, a_since, u = t[sel], since_outage[sel], outage_len[sel]
        outage_start = np.where(np.isfinite(a_since), tt - a_since, tt)  # no outage: unused
        during = a_since < u
        after = ~during & np.isfinite(a_since)
        back = outage_start + u
        copy_t = tt.copy()  # the point in time of the data the recovery uses
        lost = np.zeros(tt.size, dtype=bool)
        if design.is_sync:
            fractured = outage_start + fracture_min
            copy_t = np.where(during & (a_since > fracture_min), fractured, copy_t)
            written_gib = mib_to_gib(
                volume.at_many(np.where(after, back, 0.0))
                - volume.at_many(np.where(after, fractured, 0.0))
            )
            resync = np.where(
                after & (u > fracture_min), np.minimum(written_gib, d.capacity_gib), 0.0
            )
            in_resync = after & (tt < back + resync * sync_min_per_gib)
            if policy == "auto":
                lost = in_resync
            else:
                copy_t = np.where(in_resync, fractured, copy_t)
        else:
            normal = _last_completed_start(design, d.label, np.mod(tt, MIN_PER_DAY))
            normal = tt - np.mod(tt, MIN_PER_DAY) + normal
            before = _last_completed_start(design, d.label, np.mod(outage_start, MIN_PER_DAY))
            before = outage_start - np.mod(outage_start, MIN_PER_DAY) + before
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
    )


@per_object
def design_risk(design: Design) -> MonteCarloResult:
    """The Monte Carlo figures of the design's documents, with its assumptions' runs, seed and
    link outages (computed once per design)."""
    a = design.a
    return monte_carlo(
        design, a.risk_runs_count, a.risk_seed, a.link_outages_per_year, a.link_outage_mean_h
    )
