"""MirrorView/A cycles and RPO (Method §5): seed example, closed forms, simulation, properties."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from srmkit import mva
from srmkit.assumptions import default_daily_profile
from srmkit.units import mib_per_s_to_mbps


def test_seed_example_30_plus_15_is_45() -> None:
    """Seed [S0]: updates every 30 min taking 15 min give an RPO of 45 min."""
    assert float(mva.worst_rpo_min(30, 15, "start")) == 45.0
    assert float(mva.mean_rpo_min(30, 15, "start")) == 30.0  # T/2 + D (Method §5)
    assert float(mva.worst_rpo_min(30, 15, "end")) == 60.0  # T + 2D (Method §5)


def test_simulation_matches_closed_forms_for_a_constant_rate() -> None:
    """1 MiB/s over a link sending 1,800 MiB in 15 min: start type 45/30 min, end type T + 2D."""
    rate = mib_per_s_to_mbps(1800 / 900)  # 16.777 Mbit/s: 1,800 MiB in 900 s
    start = mva.simulate([3600.0] * 24, rate, "start", 30, (), 0.0, 7)
    assert start.worst_rpo_min == pytest.approx(45.0)
    assert start.mean_rpo_min == pytest.approx(30.0)
    assert start.periodic
    assert not start.update_overrun
    assert len(start.updates) == 48
    end = mva.simulate([3600.0] * 24, rate, "end", 30, (), 0.0, 7)
    # End type: D = αT/(1−α) with α = 0.5 → D = 30; worst T + 2D = 90, mean T/2 + 1.5D = 60.
    assert end.worst_rpo_min == pytest.approx(90.0)
    assert end.mean_rpo_min == pytest.approx(60.0)


def test_unbounded_when_a_day_exceeds_the_link() -> None:
    """A day's writes above the link's daily capacity: unbounded, and no RPO number."""
    result = mva.simulate([3600.0] * 24, mib_per_s_to_mbps(0.9), "start", 30, (), 0.0, 7)
    assert result.unbounded
    assert result.worst_rpo_min is None
    assert result.mean_rpo_min is None


def test_overrun_at_the_peak_hour() -> None:
    """Updates longer than T at the peak are flagged and the worst RPO exceeds T + T."""
    hourly = np.array(default_daily_profile()) * 100_000
    rate = mib_per_s_to_mbps(100_000 / 86400 * 1.5)
    result = mva.simulate(hourly.tolist(), rate, "start", 30, (), 0.0, 7)
    assert result.update_overrun
    assert not result.unbounded
    assert result.worst_rpo_min is not None
    assert result.worst_rpo_min > 60


def test_manual_updates() -> None:
    """Manual updates at 00:00 and 12:00 with a fast link: worst RPO ≈ 12 h."""
    result = mva.simulate([100.0] * 24, 1000.0, "manual", None, [0, 720], 0.0, 7)
    assert result.worst_rpo_min == pytest.approx(720, abs=1)


def test_required_rate_bisection_meets_target() -> None:
    """The rate found meets the target and a slightly lower one does not."""
    hourly = (np.array(default_daily_profile()) * 50_000).tolist()
    rate = mva.required_rate_mbps_for_rpo(60, hourly, "start", 30, (), 0.0, 7)
    assert rate is not None
    assert mva.simulate(hourly, rate, "start", 30, (), 0.0, 7).worst_rpo_min <= 60
    assert mva.simulate(hourly, rate * 0.97, "start", 30, (), 0.0, 7).worst_rpo_min > 60


def test_required_rate_closed_form() -> None:
    """T = 30, R = 45 → D = 15 = αT → α = 0.5; 1 MiB/s needs 2 × 8.388608 = 16.78 Mbit/s."""
    assert float(mva.required_rate_mbps(45, 30, 1.0)) == pytest.approx(16.777216)
    assert np.isnan(mva.required_rate_mbps(30, 30, 1.0))


rates = st.floats(min_value=5, max_value=2000, allow_nan=False)
intervals = st.floats(min_value=5, max_value=240, allow_nan=False)


@settings(max_examples=40, deadline=None)
@given(rates, rates, intervals, st.sampled_from(["start", "end"]))
def test_more_bandwidth_never_raises_rpo(r1: float, r2: float, t: float, kind: str) -> None:
    """More link rate never raises the simulated worst RPO; worst RPO ≥ the interval."""
    hourly = (np.array(default_daily_profile()) * 200_000).tolist()
    lo, hi = sorted((r1, r2))
    slow = mva.simulate(hourly, lo, kind, t, (), 0.0, 7)  # type: ignore[arg-type]
    fast = mva.simulate(hourly, hi, kind, t, (), 0.0, 7)  # type: ignore[arg-type]
    if fast.unbounded:
        assert slow.unbounded
        return
    assert fast.worst_rpo_min is not None
    assert fast.worst_rpo_min >= t
    if not slow.unbounded:
        assert slow.worst_rpo_min is not None
        assert fast.worst_rpo_min <= slow.worst_rpo_min + 1e-6


@given(st.lists(st.floats(min_value=0, max_value=500), min_size=1, max_size=10), intervals)
def test_closed_form_scalar_equals_array(durations: list[float], t: float) -> None:
    """Closed forms: worst ≥ T, and a scalar call equals the same point in an array call."""
    worst = mva.worst_rpo_min(t, np.array(durations))
    assert np.all(worst >= t)
    for i, d in enumerate(durations):
        assert float(mva.worst_rpo_min(t, d)) == worst[i]
