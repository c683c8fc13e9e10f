"""The sizing study: the design's options side by side, sensitivity sweeps, a tornado of the
inputs and growth year by year.

Every number comes from a :class:`~srmkit.design.Design` or :class:`~srmkit.study.Study` of the
scenario with one change applied (Method §2–§8); this module chooses the changes and assembles
the answers. It never calculates a figure of its own.

- **Options** (:func:`compare`): MirrorView/S; MirrorView/A updating every 15, 30 and 60 minutes
  from the start and from the end of the last update; and every catalogue model that can mirror
  in the design's mode, on every array. Each option is a full ``Design`` of the scenario with
  the option applied, with its verdict. A model's FLARE release becomes the lowest one it
  supports for SRM + MirrorView when the array's own release does not qualify
  (:func:`array_flare`).
- **Sweeps** (:func:`sweeps`): site distance, link rate, MirrorView/A update interval, users, the
  burst factor and growth, each over :data:`SWEEP_POINTS` values with the design's own value
  among them. Distance uses the vectorised latency of the design itself; the others are what-if
  studies of the design (``Design.apply`` / ``Design.what_if``, built once each). A MirrorView/S
  design's interval sweep is of its MirrorView/A alternative, updating from the start of the
  last update.
- **Tornado** (:func:`tornado`): each input moved :data:`TORNADO_STEP_FRACTION` down and up, one
  at a time, sorted by how far the headline figure moves (the added write latency for
  MirrorView/S, the worst recovery point for MirrorView/A). Growth changes only the later years:
  its row compares the figures at the end of the horizon. The burst factor is not moved below 1.
- **Growth** (:func:`growth`): the design year by year to the horizon.

Results are frozen dataclasses; each is computed once per design (weakly cached, as
:func:`srmkit.risk.design_risk` is).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import partial
from typing import Literal

import numpy as np
import numpy.typing as npt

from srmkit import recommend
from srmkit.assumptions import MAX_BURST
from srmkit.caching import per_object, per_object_and_args
from srmkit.changes import Change
from srmkit.changes import section as _section
from srmkit.design import Design, Verdict
from srmkit.glossary import MODE_NAME
from srmkit.limits import Mode, catalogue
from srmkit.mvs import distance_axis_km
from srmkit.schema import MAX_LINK_MBPS, MAX_UPDATE_INTERVAL_MIN
from srmkit.study import Study
from srmkit.variants import with_mode, with_models, with_users

FloatArray = npt.NDArray[np.float64]
OptionKind = Literal["design", "mode", "model"]
UpdateType = Literal["start", "end", "manual"]

ASYNC_INTERVALS_MIN: tuple[float, ...] = (15.0, 30.0, 60.0)
"""MirrorView/A update intervals compared side by side. [min]"""
ASYNC_UPDATE_TYPES: tuple[UpdateType, ...] = ("start", "end")
"""MirrorView/A schedules compared: from the start, and from the end, of the last update."""
REFERENCE_INTERVAL_MIN = 30.0
"""MirrorView/A interval of the sweeps' reference when the design has none (MV/S, manual). [min]"""
SWEEP_POINTS = 17
"""Values of each sweep, besides the design's own. [count]"""
TORNADO_STEP_FRACTION = 0.20
"""How far the tornado moves each input down and up, one at a time. [fraction]"""

SweepKey = Literal["distance", "link_rate", "update_interval", "users", "burst", "growth"]
Metric = Literal["worst_rpo_min", "added_latency_ms", "required_rate_mbps", "rto_min"]
METRICS: tuple[Metric, ...] = ("worst_rpo_min", "added_latency_ms", "required_rate_mbps", "rto_min")
METRIC_WORDS: dict[str, tuple[str, str]] = {
    "worst_rpo_min": ("worst recovery point", "min"),
    "added_latency_ms": ("write latency MirrorView/S adds", "ms"),
    "required_rate_mbps": ("effective link rate the target RPO needs", "Mbit/s"),
    "rto_min": ("recovery time", "min"),
    "peak_utilization_fraction": ("peak link utilisation", "fraction"),
    "mirrors_usage_fraction": ("mirrors used on the fullest array", "fraction"),
}
"""Each figure of a :class:`Point` in words, with its unit."""


# --- results ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Thresholds:
    """The lines the study's figures are held against."""

    rpo_target_min: float
    rto_target_min: float
    log_write_limit_ms: float
    """Microsoft's limit for the average log write latency. [ms]"""
    added_latency_limit_ms: float
    """What MirrorView/S may add before log writes reach that limit (limit − local write). [ms]"""
    utilization_warn_fraction: float
    effective_rate_mbps: float
    """What the design's link gives replication in each direction. [Mbit/s]"""


@dataclass(frozen=True)
class ArrayChoice:
    """One array of an option: its model and the FLARE release it runs."""

    array: str
    model: str
    flare: int


@dataclass(frozen=True)
class LinkUse:
    """Peak use of one direction of the link by an option."""

    direction: str
    """``Amsterdam → Utrecht``."""
    from_site: str
    to_site: str
    peak_mbps: float
    peak_utilization_fraction: float


@dataclass(frozen=True)
class Option:
    """One way to build the design, with the figures of the design built that way."""

    key: str
    """``sync``, ``async-start-15``, ``model-CX4-240``, ``design``."""
    label: str
    kind: OptionKind
    is_design: bool
    """The option is what the scenario already has."""
    mode: Mode
    update_type: UpdateType | None
    """None for MirrorView/S."""
    update_interval_min: float | None
    arrays: tuple[ArrayChoice, ...]
    verdict: Verdict
    error_rules: tuple[str, ...]
    """Rules with an error finding (why it does not fit)."""
    warning_rules: tuple[str, ...]
    """Rules with an open warning."""
    worst_rpo_min: float | None
    """0 for MirrorView/S; None when MirrorView/A's backlog grows without bound. [min]"""
    mean_rpo_min: float | None
    rpo_unbounded: bool
    rto_min: float
    added_latency_ms: float | None
    """MirrorView/S only; None for MirrorView/A and when the link is saturated. [ms]"""
    log_write_latency_ms: float | None
    link_saturated: bool
    peak_utilization_fraction: float
    """Busiest direction. [fraction]"""
    link_use: tuple[LinkUse, ...]
    required_rate_mbps_for_target_rpo: float | None
    """MirrorView/A only: effective rate meeting the target RPO; None if none does. [Mbit/s]"""
    rlp_gib: float
    """Reserved LUN pool of the array that needs the most. [GiB]"""
    initial_sync_h: float
    failback_sync_h: float
    fits_now: bool
    fits_at_horizon: bool
    """Every array holds the design now and at the end of the growth horizon."""
    mirrors_headroom_now: int | None
    """Mirrors still free on the fullest array (negative: over the limit). [count]"""
    mirrors_headroom_at_horizon: int | None
    cgs_headroom_now: int | None
    """Consistency groups still free on the fullest array; None when not planned. [count]"""
    cgs_headroom_at_horizon: int | None


@dataclass(frozen=True)
class Comparison:
    """The options side by side."""

    mode: Mode
    """The design's mode."""
    horizon_years: int
    thresholds: Thresholds
    options: tuple[Option, ...]

    @property
    def mode_options(self) -> tuple[Option, ...]:
        """The design itself (when no option matches it), then the mode and schedule options."""
        return tuple(o for o in self.options if o.kind != "model")

    @property
    def model_options(self) -> tuple[Option, ...]:
        """Every catalogue model that mirrors in the design's mode, on every array."""
        return tuple(o for o in self.options if o.kind == "model")


@dataclass(frozen=True)
class Point:
    """The headline figures of one variant of the design. None: not applicable to the mode, or
    unbounded (MirrorView/A's backlog grows without end; MirrorView/S's link is saturated)."""

    worst_rpo_min: float | None
    added_latency_ms: float | None
    required_rate_mbps: float | None
    """MirrorView/A: effective rate meeting the target RPO today; None when none does. [Mbit/s]"""
    rto_min: float | None
    """Today's recovery (None for a later year: the study plans recovery for today only)."""
    peak_utilization_fraction: float
    mirrors_usage_fraction: float | None
    """Mirrors on the fullest array ÷ its limit. [fraction]"""
    first_break_year: int | None = None
    """Growth sweep only: the first year an array limit breaks (None: none within the horizon)."""

    def value(self, metric: Metric) -> float | None:
        """One of :data:`METRICS`."""
        out: float | None = getattr(self, metric)
        return out


@dataclass(frozen=True)
class Sweep:
    """One input swept over a range, the others at the design's values."""

    key: SweepKey
    label: str
    """The input in words."""
    unit: str
    field: str
    """The input's name, with its unit (``distance_km``)."""
    mode: Mode
    """The mode evaluated (an interval sweep of a MirrorView/S design is of MirrorView/A)."""
    year: int
    """The year the figures are for (growth: the end of the horizon; else today)."""
    x: tuple[float, ...]
    design_index: int | None
    """Where the design's own value is in ``x`` (None when the design has no such value)."""
    points: tuple[Point, ...]
    note: str

    @property
    def x_array(self) -> FloatArray:
        """The swept values."""
        return np.asarray(self.x, dtype=float)

    def values(self, name: str) -> FloatArray:
        """One output over the sweep, NaN where it is None (not applicable or unbounded)."""
        return np.array(
            [math.nan if (v := getattr(p, name)) is None else float(v) for p in self.points],
            dtype=float,
        )

    @property
    def design_point(self) -> Point | None:
        """The figures at the design's own value."""
        return None if self.design_index is None else self.points[self.design_index]

    @property
    def design_x(self) -> float | None:
        """The design's own value of the input."""
        return None if self.design_index is None else self.x[self.design_index]


@dataclass(frozen=True)
class TornadoRow:
    """One input moved down and up by the tornado's step."""

    key: SweepKey
    label: str
    unit: str
    field: str
    year: int
    base_value: float
    low_value: float
    high_value: float
    base: Point
    low: Point
    high: Point

    def change(self, metric: Metric, side: Literal["low", "high"]) -> float | None:
        """How far a figure moves when the input goes down (``low``) or up (``high``); None
        when the figure does not apply or is unbounded there."""
        base = self.base.value(metric)
        moved = (self.low if side == "low" else self.high).value(metric)
        return None if base is None or moved is None else moved - base

    def swing(self, metric: Metric) -> float:
        """The spread of a figure over low, design and high; infinite when it becomes
        unbounded at one end, 0 when it applies nowhere."""
        values = [p.value(metric) for p in (self.low, self.base, self.high)]
        known = [v for v in values if v is not None]
        if not known:
            return 0.0
        if len(known) < len(values):
            return math.inf
        return max(known) - min(known)


@dataclass(frozen=True)
class Tornado:
    """Every input moved by the same step, sorted by the swing of ``metric``."""

    step_fraction: float
    metric: Metric
    rows: tuple[TornadoRow, ...]
    metrics: tuple[Metric, ...] = METRICS
    """Every figure whose change each row records."""


@dataclass(frozen=True)
class GrowthYear:
    """The design after ``year`` years of growth."""

    year: int
    users: float
    storage_groups: int
    luns: int
    capacity_gib: float
    peak_mbps: float
    peak_utilization_fraction: float
    worst_rpo_min: float | None
    added_latency_ms: float | None
    mirrors_usage_fraction: float
    """Mirrors on the fullest array ÷ its limit. [fraction]"""
    cgs_usage_fraction: float
    largest_cg_usage_fraction: float
    fits: bool
    initial_sync_h: float


@dataclass(frozen=True)
class Growth:
    """The design year by year over the growth horizon."""

    users_per_year_fraction: float
    first_break_year: int | None
    years: tuple[GrowthYear, ...]


@dataclass(frozen=True)
class SizingStudy:
    """Everything the sizing study document shows."""

    comparison: Comparison
    sweeps: tuple[Sweep, ...]
    tornado: Tornado
    growth: Growth


# --- options side by side --------------------------------------------------------------------

TYPE_WORDS: dict[str, str] = {
    "start": "from the start of the last update",
    "end": "from the end of the last update",
    "manual": "at set times",
}


def _headroom(v: Study, year: int) -> tuple[int | None, int | None]:
    """Mirrors and consistency groups still free on the fullest array after ``year`` years;
    consistency groups are not planned when an array cannot even hold the mirrors."""
    limits = {n: v.models[n].limits(v.mode) for n in v.models}
    if any(x is None for x in limits.values()):
        return None, None
    mirrors = min(
        lim.max_mirrors - count
        for n, count in v.mirrors_at(year).items()
        if (lim := limits[n]) is not None
    )
    if mirrors < 0:
        return mirrors, None
    return mirrors, min(load.cgs_headroom for load in v.loads_at(year))


def _option(key: str, label: str, kind: OptionKind, v: Design, is_design: bool) -> Option:
    r = v.scenario.replication
    sync = v.is_sync
    saturated = v.link_saturated
    problems = recommend.fit_problems(v)
    mirrors_now, cgs_now = _headroom(v, 0)
    mirrors_end, cgs_end = _headroom(v, v.horizon) if v.horizon else (mirrors_now, cgs_now)
    return Option(
        key=key,
        label=label,
        kind=kind,
        is_design=is_design,
        mode=v.mode,
        update_type=None if sync else r.update_type,
        update_interval_min=None if sync or r.update_type == "manual" else r.update_interval_min,
        arrays=tuple(
            ArrayChoice(a.name, v.models[a.name].model, a.flare) for a in v.scenario.arrays
        ),
        verdict=v.verdict,
        error_rules=tuple(dict.fromkeys(f.id for f in v.errors)),
        warning_rules=tuple(dict.fromkeys(f.id for f in v.open_warnings)),
        worst_rpo_min=v.worst_rpo_min,
        mean_rpo_min=v.mean_rpo_min,
        rpo_unbounded=not sync and v.async_cycle.unbounded,
        rto_min=v.recovery.rto_min,
        added_latency_ms=float(v.added_latency_ms()) if sync and not saturated else None,
        log_write_latency_ms=v.log_write_latency_ms if sync and not saturated else None,
        link_saturated=saturated,
        peak_utilization_fraction=v.peak_utilization_fraction,
        link_use=tuple(
            LinkUse(d.label, d.from_site, d.to_site, d.peak_mbps, d.peak_utilization_fraction)
            for d in v.directions
        ),
        required_rate_mbps_for_target_rpo=None if sync else v.required_rate_mbps_for_target_rpo,
        rlp_gib=max((x.rlp_gib for x in v.rlp.values()), default=0.0),
        initial_sync_h=v.initial_sync_h,
        failback_sync_h=v.failback_sync_h,
        fits_now=not any(p.year == 0 for p in problems),
        fits_at_horizon=not problems,
        mirrors_headroom_now=mirrors_now,
        mirrors_headroom_at_horizon=mirrors_end,
        cgs_headroom_now=cgs_now,
        cgs_headroom_at_horizon=cgs_end,
    )


def mode_label(
    mode: Mode, update_type: str | None = None, interval_min: float | None = None
) -> str:
    """``MirrorView/S``, ``MirrorView/A every 30 min from the start of the last update``.

    >>> mode_label("async", "end", 15.0)
    'MirrorView/A every 15 min from the end of the last update'
    """
    if mode == "sync":
        return MODE_NAME[mode]
    if update_type == "manual" or interval_min is None:
        return f"{MODE_NAME[mode]} {TYPE_WORDS['manual']}"
    return f"{MODE_NAME[mode]} every {interval_min:g} min {TYPE_WORDS[update_type or 'start']}"


def thresholds(design: Design) -> Thresholds:
    """The targets and limits the study holds its figures against."""
    a, t = design.a, design.scenario.targets
    return Thresholds(
        rpo_target_min=t.rpo_min,
        rto_target_min=t.rto_min,
        log_write_limit_ms=a.log_write_avg_limit_ms,
        added_latency_limit_ms=a.log_write_avg_limit_ms - a.local_log_write_ms,
        utilization_warn_fraction=a.link_utilization_warn_fraction,
        effective_rate_mbps=design.effective_rate_mbps,
    )


@per_object
def compare(design: Design) -> Comparison:
    """The options side by side (computed once per design).

    MirrorView/S; MirrorView/A at every interval of :data:`ASYNC_INTERVALS_MIN` with each
    schedule of :data:`ASYNC_UPDATE_TYPES` (on the design's arrays); then every current
    catalogue model (and an installed previous-generation one) that mirrors in the design's mode,
    on every array (with the design's schedule). The design
    itself comes first when no option is what it already has.
    """
    s = design.scenario
    r = s.replication
    out: list[Option] = []
    matched = False

    def own(mode: Mode, update_type: str | None, interval: float | None) -> bool:
        if mode != design.mode:
            return False
        return mode == "sync" or (
            update_type == r.update_type and interval == r.update_interval_min
        )

    modes: list[tuple[str, Mode, UpdateType | None, float | None]] = [("sync", "sync", None, None)]
    modes += [
        (f"async-{kind}-{interval:g}", "async", kind, interval)
        for kind in ASYNC_UPDATE_TYPES
        for interval in ASYNC_INTERVALS_MIN
    ]
    for key, mode, kind, interval in modes:
        is_design = own(mode, kind, interval)
        matched |= is_design
        v = design if is_design else Design(with_mode(s, mode, kind, interval))
        out.append(_option(key, mode_label(mode, kind, interval), "mode", v, is_design))
    if not matched:
        label = "This design: " + mode_label(design.mode, r.update_type, r.update_interval_min)
        out.insert(0, _option("design", label, "design", design, True))
    installed = {m.model for m in design.models.values()}
    for model in catalogue():
        if not model.mirrorview_supported or model.limits(design.mode) is None:
            continue
        if not model.current and model.model not in installed:
            continue  # previous generation: kept or upgraded in place, never bought (Method §7)
        is_design = all(design.models[a.name] == model for a in s.arrays)
        v = design if is_design else Design(with_models(s, model))
        label = f"{model.model} on every array"
        out.append(_option(f"model-{model.model}", label, "model", v, is_design))
    return Comparison(design.mode, design.horizon, thresholds(design), tuple(out))


# --- sweeps ----------------------------------------------------------------------------------


def _finite(x: float | None) -> float | None:
    return None if x is None or not math.isfinite(x) else float(x)


def _mirrors_usage(v: Study, year: int) -> float | None:
    shares = [
        count / lim.max_mirrors
        for n, count in v.mirrors_at(year).items()
        if (lim := v.models[n].limits(v.mode)) is not None
    ]
    return max(shares, default=None)


def point(v: Study, year: int = 0, break_year: bool = False) -> Point:
    """The headline figures of a design (or a what-if of it) after ``year`` years; the first
    year an array limit breaks with ``break_year``."""
    first_break = v.first_break_year if break_year else None
    if year == 0:
        sync = v.is_sync
        return Point(
            worst_rpo_min=v.worst_rpo_min,
            added_latency_ms=_finite(float(v.added_latency_ms())) if sync else None,
            required_rate_mbps=None if sync else v.required_rate_mbps_for_target_rpo,
            rto_min=v.recovery.rto_min,
            peak_utilization_fraction=v.peak_utilization_fraction,
            mirrors_usage_fraction=_mirrors_usage(v, 0),
            first_break_year=first_break,
        )
    directions = v.directions_at(year)
    busiest = max(directions, key=lambda d: d.peak_utilization_fraction)
    worst: float | None = 0.0
    latency: float | None = None
    if v.is_sync:
        latency = _finite(float(v.added_latency_ms(direction=busiest)))
    else:
        cycles = [v.cycle(direction=d) for d in directions]
        worst = (
            None
            if any(c.worst_rpo_min is None for c in cycles)
            else max(c.worst_rpo_min for c in cycles if c.worst_rpo_min is not None)
        )
    return Point(
        worst_rpo_min=worst,
        added_latency_ms=latency,
        required_rate_mbps=None,
        rto_min=None,
        peak_utilization_fraction=busiest.peak_utilization_fraction,
        mirrors_usage_fraction=_mirrors_usage(v, year),
        first_break_year=first_break,
    )


def _grid(values: FloatArray, design_value: float | None, digits: int) -> tuple[float, ...]:
    """Rounded, distinct grid values with the design's own value among them, in place of a grid
    value within a quarter of its spacing (two points that would look like one)."""
    grid = sorted({round(float(x), digits) for x in values})
    if design_value is not None:
        gaps = np.diff(grid, prepend=-math.inf, append=math.inf)
        near = np.minimum(gaps[:-1], gaps[1:]) / 4
        kept = [x for x, d in zip(grid, near, strict=True) if abs(x - design_value) >= d]
        grid = sorted([*kept, float(design_value)])
    return tuple(grid)


@dataclass(frozen=True)
class _Input:
    """One swept input in words, with the decimals its grid is rounded to."""

    key: SweepKey
    label: str
    unit: str
    field: str
    """Its name, with its unit, in JSON."""
    digits: int


def reference_schedule(design: Design) -> tuple[UpdateType, float | None]:
    """The MirrorView/A schedule the interval sweep and tornado vary: the design's own, or
    :data:`REFERENCE_INTERVAL_MIN` from the start of the last update."""
    r = design.scenario.replication
    if design.is_sync or r.update_type == "manual" or r.update_interval_min is None:
        return "start", None
    return r.update_type, r.update_interval_min


def _input_base(design: Design, key: SweepKey) -> float | None:
    s = design.scenario
    if key == "distance":
        return s.link.distance_km
    if key == "link_rate":
        return s.link.bandwidth_mbps
    if key == "update_interval":
        return reference_schedule(design)[1]
    if key == "users":
        return float(sum(v.users for v in s.servers))
    if key == "burst":
        return design.a.burst_factor
    return s.growth.users_per_year_fraction


def _interval_study(design: Design, interval_min: float) -> Study:
    """The design on MirrorView/A with the reference schedule at another interval."""
    kind, _ = reference_schedule(design)
    return design.apply(
        _section("replication", mode="async", update_type=kind, update_interval_min=interval_min)
    )


def _evaluate(design: Design, key: SweepKey, values: Sequence[float]) -> list[Point]:
    """The figures with the input ``key`` at each of ``values``; the design's own value gives
    the design's own figures. A figure that does not depend on the input is the design's (or
    the reference's): distance moves only MirrorView/S's latency; the link rate and the burst
    factor the latency, the recovery point, the rate a target needs and the link's use (the
    burst factor, in fact, only MirrorView/S's: Method §4, §5); the update interval the recovery
    point and the rate a target needs (Method §3–§5)."""
    base_value = _input_base(design, key)

    def own(x: float) -> bool:
        return base_value is not None and math.isclose(x, base_value, rel_tol=1e-12)

    if key == "distance":
        here = point(design)
        if not design.is_sync:
            return [here for _ in values]
        latency = np.asarray(design.added_latency_ms(np.asarray(values, dtype=float)), dtype=float)
        return [
            here if own(x) else replace(here, added_latency_ms=_finite(float(ms)))
            for x, ms in zip(values, latency.tolist(), strict=True)
        ]
    out: list[Point] = []
    if key in ("link_rate", "burst"):
        here = point(design)
        for x in values:
            change = (
                _section("link", bandwidth_mbps=float(x))
                if key == "link_rate"
                else Change("assumptions", values=(("burst_factor", float(x)),))
            )
            v = design if own(x) else design.apply(change)
            out.append(
                here
                if v is design
                else replace(
                    here,
                    worst_rpo_min=v.worst_rpo_min,
                    added_latency_ms=_finite(float(v.added_latency_ms())) if v.is_sync else None,
                    required_rate_mbps=None if v.is_sync else v.required_rate_mbps_for_target_rpo,
                    peak_utilization_fraction=v.peak_utilization_fraction,
                )
            )
        return out
    if key == "update_interval":
        reference: Study = (
            design if base_value is not None else _interval_study(design, REFERENCE_INTERVAL_MIN)
        )
        here = point(reference)
        for x in values:
            v = reference if own(x) else _interval_study(design, float(x))
            out.append(
                here
                if v is reference
                else replace(
                    here,
                    worst_rpo_min=v.worst_rpo_min,
                    required_rate_mbps=v.required_rate_mbps_for_target_rpo,
                )
            )
        return out
    growth = key == "growth"
    year = design.horizon if growth else 0
    total = sum(v.users for v in design.scenario.servers)
    for x in values:
        variant: Study
        if own(x):
            variant = design
        elif growth:
            variant = design.apply(_section("growth", users_per_year_fraction=float(x)))
        else:
            factor = float(x) / total
            variant = design.what_if(("srmkit.options users", factor), partial(with_users, factor))
        out.append(point(variant, year, growth))
    return out


INPUTS: dict[SweepKey, _Input] = {
    i.key: i
    for i in (
        _Input("distance", "Site distance", "km", "distance_km", 1),
        _Input("link_rate", "Link bandwidth", "Mbit/s", "bandwidth_mbps", 1),
        _Input("update_interval", "MirrorView/A update interval", "min", "update_interval_min", 1),
        _Input("users", "Mailboxes (every server scaled alike)", "users", "users", 0),
        _Input("burst", "Burst factor", "factor", "burst_factor", 2),
        _Input("growth", "Mailbox growth per year", "fraction", "users_per_year_fraction", 4),
    )
}


def _sweep_grid(design: Design, key: SweepKey) -> FloatArray:
    s = design.scenario
    a, link = design.a, s.link
    n = SWEEP_POINTS
    if key == "distance":
        top = distance_axis_km(link.distance_km, a.sync_distance_limit_km, link.route_factor)
        return np.linspace(top / n, top, n)
    if key == "link_rate":
        bw = link.bandwidth_mbps
        return np.clip(np.geomspace(bw / 4, bw * 4, n), 1.0, MAX_LINK_MBPS)
    if key == "update_interval":
        interval = reference_schedule(design)[1] or REFERENCE_INTERVAL_MIN
        return np.clip(np.geomspace(interval / 6, interval * 6, n), 1.0, MAX_UPDATE_INTERVAL_MIN)
    if key == "users":
        total = float(sum(v.users for v in s.servers))
        return np.linspace(0.5, 2.0, n) * total
    if key == "burst":
        return np.linspace(1.0, min(max(3.0, 2.0 * a.burst_factor), MAX_BURST), n)
    g = s.growth.users_per_year_fraction
    return np.linspace(0.0, min(max(0.3, 2.0 * g), 2.0), n)


def _sweep_note(design: Design, key: SweepKey) -> str:
    year = design.horizon
    if key == "distance":
        return (
            "Distance changes only the write latency MirrorView/S adds (propagation in fibre, "
            "Method §4); MirrorView/A's recovery point does not depend on it (Method §5)."
        )
    if key == "link_rate":
        return (
            "The link as sold; replication gets it times the link efficiency and its share "
            "(Method §3). The rate a target RPO needs does not depend on the link."
        )
    if key == "update_interval":
        kind, interval = reference_schedule(design)
        if interval is None:
            return (
                f"MirrorView/A, {TYPE_WORDS[kind]}: this design "
                + ("mirrors synchronously" if design.is_sync else "updates at set times")
                + "; the sweep shows its MirrorView/A alternative (Method §5)."
            )
        return f"MirrorView/A, {TYPE_WORDS[kind]} (Method §5)."
    if key == "users":
        return "Every mailbox server's users scaled by the same factor (Method §2)."
    if key == "burst":
        return _burst_note(design)
    return (
        f"Figures at the end of the {year}-year horizon; the recovery time and the rate a "
        "target RPO needs are today's and do not change with growth (Method §2, §7)."
    )


BURST_ORIGIN_WORDS = {
    "measured": "was measured from the servers' Performance Monitor logs (Method §2)",
    "scenario": "is set in the scenario",
    "default": "is the default: no bursts shorter than an hour are assumed",
}


def _burst_note(design: Design) -> str:
    measured = design.burst_origin.measured or 0.0
    follows = (
        "it raises the link's peak use and with it the write latency MirrorView/S adds"
        if design.is_sync
        else "it raises only the link's peak use: MirrorView/A's recovery point and the rate a "
        "target RPO needs come from hourly volumes (Method §5)"
    )
    return (
        "The burst factor multiplies the busiest hour's replication rate for bursts shorter "
        f"than an hour (Method §4); {follows}. This design's {design.a.burst_factor:.2f} "
        f"{BURST_ORIGIN_WORDS[design.burst_origin.source]}"
        + (f" ({measured:.2f}, held to {MAX_BURST:g})." if measured > MAX_BURST else ".")
    )


def sweep(design: Design, key: SweepKey) -> Sweep:
    """One input swept over :data:`SWEEP_POINTS` values and the design's own."""
    spec = INPUTS[key]
    base = _input_base(design, key)
    x = _grid(_sweep_grid(design, key), base, spec.digits)
    index = None if base is None else x.index(float(base))
    mode: Mode = "async" if key == "update_interval" else design.mode
    return Sweep(
        key=key,
        label=spec.label,
        unit=spec.unit,
        field=spec.field,
        mode=mode,
        year=design.horizon if key == "growth" else 0,
        x=x,
        design_index=index,
        points=tuple(_evaluate(design, key, x)),
        note=_sweep_note(design, key),
    )


def sweep_keys(design: Design) -> tuple[SweepKey, ...]:
    """The inputs the study sweeps for this design (growth only with a horizon)."""
    keys: list[SweepKey] = ["distance", "link_rate", "update_interval", "users", "burst"]
    if design.horizon:
        keys.append("growth")
    return tuple(keys)


@per_object
def sweeps(design: Design) -> tuple[Sweep, ...]:
    """Every sweep of the design (computed once per design)."""
    return tuple(sweep(design, k) for k in sweep_keys(design))


# --- tornado ---------------------------------------------------------------------------------


def headline(design: Design) -> Metric:
    """The figure the tornado is sorted by: MirrorView/S's added write latency, MirrorView/A's
    worst recovery point."""
    return "added_latency_ms" if design.is_sync else "worst_rpo_min"


@per_object_and_args
def tornado(design: Design, step_fraction: float = TORNADO_STEP_FRACTION) -> Tornado:
    """Each input moved ``step_fraction`` down and up, one at a time, sorted by the swing of
    the headline figure (then the others'). The update interval is moved only for MirrorView/A
    designs with a schedule, growth only with a horizon and a growth rate, the burst factor not
    below 1."""
    metric = headline(design)
    rows = []
    for key in sweep_keys(design):
        base = _input_base(design, key)
        if key == "update_interval" and (design.is_sync or base is None):
            continue
        if base is None or base == 0:
            continue  # no growth: a step of a fraction of nothing
        low, high = base * (1 - step_fraction), base * (1 + step_fraction)
        if key == "users":
            low, high = float(round(low)), float(round(high))
        if key == "burst":  # clipped at 1, not left out: below 1 the busiest minute would be
            low = max(low, 1.0)  # slower than its hour's mean; at 1 the row shows there is no gain
        spec = INPUTS[key]
        at_low, at_base, at_high = _evaluate(design, key, [low, base, high])
        rows.append(
            TornadoRow(
                key=key,
                label=spec.label,
                unit=spec.unit,
                field=spec.field,
                year=design.horizon if key == "growth" else 0,
                base_value=base,
                low_value=low,
                high_value=high,
                base=at_base,
                low=at_low,
                high=at_high,
            )
        )
    order = (metric, *(m for m in METRICS if m != metric))
    rows.sort(key=lambda r: tuple(-r.swing(m) for m in order))
    return Tornado(step_fraction, metric, tuple(rows))


# --- growth year by year ---------------------------------------------------------------------


@per_object
def growth(design: Design) -> Growth:
    """The design after each year of the horizon, today included (computed once per design)."""
    rows = []
    for year in design.years:
        servers = design.servers_at(year)
        vms = design.vms_at(year)
        here = point(design, year)
        loads = design.loads_at(year)
        directions = design.directions_at(year)
        busiest = max(directions, key=lambda d: d.peak_utilization_fraction)
        rows.append(
            GrowthYear(
                year=year,
                users=sum(v.users for v in servers),
                storage_groups=sum(v.storage_groups for v in servers),
                luns=sum(v.luns for v in vms),
                capacity_gib=sum(v.capacity_gib for v in vms),
                peak_mbps=busiest.peak_mbps,
                peak_utilization_fraction=here.peak_utilization_fraction,
                worst_rpo_min=here.worst_rpo_min,
                added_latency_ms=here.added_latency_ms,
                mirrors_usage_fraction=max(x.mirrors / x.max_mirrors for x in loads),
                cgs_usage_fraction=max(x.cgs / x.max_cgs for x in loads),
                largest_cg_usage_fraction=max(x.largest_cg_luns / x.max_luns_per_cg for x in loads),
                fits=all(x.fits for x in loads),
                initial_sync_h=max(design.sync_time_h(d.capacity_gib) for d in directions),
            )
        )
    return Growth(
        design.scenario.growth.users_per_year_fraction, design.first_break_year, tuple(rows)
    )


def sizing_study(design: Design) -> SizingStudy:
    """The whole study: options, sweeps, tornado and growth."""
    return SizingStudy(compare(design), sweeps(design), tornado(design), growth(design))
