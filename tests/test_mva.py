"""MirrorView/A cycles and RPO (Method §5): seed example, closed forms, simulation, properties."""

from __future__ import annotations

import math

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
    """A faster link is never unbounded where a slower one is bounded, and the worst RPO is at
    least the interval. With updates at fixed times ("start") more link rate never raises the
    simulated worst RPO. Counted from the end of the last update ("end") it may: see
    :func:`test_end_type_worst_rpo_is_not_monotone_in_the_link_rate`."""
    hourly = (np.array(default_daily_profile()) * 200_000).tolist()
    lo, hi = sorted((r1, r2))
    slow = mva.simulate(hourly, lo, kind, t, (), 0.0, 7)  # type: ignore[arg-type]
    fast = mva.simulate(hourly, hi, kind, t, (), 0.0, 7)  # type: ignore[arg-type]
    if fast.unbounded:
        assert slow.unbounded
        return
    assert fast.worst_rpo_min is not None
    assert fast.worst_rpo_min >= t
    if not slow.unbounded and kind == "start":
        assert slow.worst_rpo_min is not None
        assert fast.worst_rpo_min <= slow.worst_rpo_min + 1e-6


def test_end_type_worst_rpo_is_not_monotone_in_the_link_rate() -> None:
    """Known behaviour of Method §5 as MODEL v3 defines it, pinned so a change is seen: with
    "end" updates the start times drift against the 24-hour profile (s_k+1 = s_k + D_k + T never
    settles into a daily cycle), and the worst RPO is that of the last simulated day, so it
    depends on where that day's updates meet the busiest hour. A faster link moves every update
    and can raise it: 124 → 127 Mbit/s at 154.5 min, 287.3 → 291.0 min (hypothesis found it);
    scanning 140,000 random pairs, up to 4 % at 10 % link load and 22 % at 40 %. Reported in the
    issue's closing note, not changed here."""
    hourly = (np.array(default_daily_profile()) * 200_000).tolist()
    slow = mva.simulate(hourly, 124.0, "end", 154.5, (), 0.0, 7)
    fast = mva.simulate(hourly, 127.0, "end", 154.5, (), 0.0, 7)
    assert slow.worst_rpo_min == pytest.approx(287.32, abs=0.01)
    assert fast.worst_rpo_min == pytest.approx(290.96, abs=0.01)


@given(st.lists(st.floats(min_value=0, max_value=500), min_size=1, max_size=10), intervals)
def test_closed_form_scalar_equals_array(durations: list[float], t: float) -> None:
    """Closed forms: worst ≥ T, and a scalar call equals the same point in an array call."""
    worst = mva.worst_rpo_min(t, np.array(durations))
    assert np.all(worst >= t)
    for i, d in enumerate(durations):
        assert float(mva.worst_rpo_min(t, d)) == worst[i]


# --- an unbounded cycle after days in service (Model v3 §8) ---------------------------------

DOUBLING = mva.service_lag(
    [3600.0] * 24, mib_per_s_to_mbps(0.5), "start", 15, (), 0.0, days_in_service=1
)
"""1 MiB/s written all day over a link that sends 0.5 MiB/s, updates every 15 min (start type)."""


def test_unbounded_lag_worked_by_hand() -> None:
    """Model v3 §5 and §8, worked by hand: 1 MiB/s written, 0.5 MiB/s sent (α = V/C = 2),
    T = 15 min, start type, no overhead. The first update (midnight) sends the 15 min before it,
    900 MiB, in 30 min, so the next starts at 30 min; each then sends everything since the
    previous start and takes twice as long: s_k = 30 (2^k − 1) = 0, 30, 90, 210, 450, 930, 1890,
    3810 min, and update k ends when k + 1 starts. A disaster at 10:00 after one day in service is
    at t = 1,440 + 600 = 2,040 min: updates 0–5 have completed (5 ends at 1,890), 6 is in flight
    (1,890–3,810), so the secondary holds the data of 930 min: 1,110 min = 18.5 h lost, 66,600 MiB
    (1,110 min × 60 MiB). After two days (t = 3,480) still 930: 2,550 min. The lag grows by
    24 h × (V − C) / V = 12 h a day; the backlog's sending time by 24 h × (V − C) / C = 24 h
    a day. A final update after a shutdown at 10:00 waits for update 6 (1,770 min) and then
    sends the 150 min since its start at 0.5 MiB/s (300 min): 2,070 min."""
    assert DOUBLING.unbounded
    assert DOUBLING.starts_min.tolist() == [0, 30, 90, 210, 450, 930, 1890]  # to 2 days
    assert DOUBLING.next_start_min == 3810
    assert float(DOUBLING.disaster_min(600)) == 2040
    assert float(DOUBLING.loss_min(600)) == pytest.approx(1110)
    assert float(DOUBLING.loss_mib(600)) == pytest.approx(66_600)
    assert DOUBLING.growth_h_per_day == pytest.approx(12.0)
    assert DOUBLING.drain_growth_h_per_day == pytest.approx(24.0)
    assert DOUBLING.final_update_min(600) == pytest.approx(2070)
    two_days = mva.service_lag([3600.0] * 24, mib_per_s_to_mbps(0.5), "start", 15, (), 0.0, 2)
    assert float(two_days.loss_min(600)) == pytest.approx(2550)
    # The in-flight update at 10:00 after one day, and the state the simulator starts from.
    assert DOUBLING.state_at(2040) == (930, (1890, 3810), pytest.approx(math.inf))


def test_unbounded_lag_before_the_first_update_completes() -> None:
    """Until the first update completes the secondary holds the data of one interval before
    midnight (no backlog at the start of service, Model v3 §8)."""
    lag = mva.service_lag([3600.0] * 24, mib_per_s_to_mbps(0.5), "start", 15, (), 0.0, 0.01)
    assert float(lag.last_completed_start_min(10.0)) == -15.0


def test_lag_growth_is_zero_when_the_link_keeps_up_and_never_above_a_day() -> None:
    """No growth when a day's writes fit the link; at most 24 h a day (Model v3 §8)."""
    assert float(mva.lag_growth_h_per_day(1000.0, 1000.0)) == 0.0
    assert float(mva.lag_growth_h_per_day(1e12, 1.0)) == pytest.approx(24.0)


@settings(max_examples=40, deadline=None)
@given(
    st.floats(min_value=1.05, max_value=20.0),
    st.floats(min_value=5, max_value=120),
    st.sampled_from(["start", "end"]),
    st.floats(min_value=0.05, max_value=3.0),
    st.integers(0, 1439),
)
def test_unbounded_loss_is_at_least_the_volume_never_carried(
    ratio: float, t: float, kind: str, days: float, tod: int
) -> None:
    """Whatever the profile's scale, interval and schedule, the secondary cannot hold more than
    the link carried: the volume written since its point in time is at least the writes since
    midnight less what the link can have carried by then (Model v3 §8)."""
    hourly = (np.array(default_daily_profile()) * 100_000 * ratio).tolist()
    rate = mib_per_s_to_mbps(100_000 / 86_400)
    lag = mva.service_lag(hourly, rate, kind, t, (), 0.0, days)  # type: ignore[arg-type]
    assert lag.unbounded
    at = float(lag.disaster_min(tod))
    assert days * 1440 <= at < days * 1440 + 1440
    carried = lag.carried_mib_per_day * at / 1440
    written = lag.volume.between(0.0, at)
    assert float(lag.loss_mib(tod)) >= written - carried - 1e-6
    assert 0 < lag.growth_h_per_day < 24
