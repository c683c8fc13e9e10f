"""MirrorView/S latency and link load (MODEL.md §4): reference values and properties."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from srmkit import mvs

distances = st.floats(min_value=0, max_value=5000, allow_nan=False)
small = st.floats(min_value=0, max_value=0.95, allow_nan=False)


def test_100_km_two_round_trips_is_2_ms() -> None:
    """100 km at 2 round trips adds 2.0 ms of propagation (1 ms RTT per 100 km, [S16])."""
    assert float(mvs.propagation_ms(100, 2)) == pytest.approx(2.0)
    assert float(mvs.propagation_ms(100, 1)) == pytest.approx(1.0)


def test_added_latency_by_hand() -> None:
    """Example design: 2×2×40 km×1.3×0.005 + 0.131072/(1−0.4) + 0.1 = 1.04 + 0.21845 + 0.1."""
    added = mvs.added_latency_ms(40, 2, 1.3, 16, 1000, 0.4, 0.1)
    assert float(added) == pytest.approx(1.04 + 0.131072 / 0.6 + 0.1)


def test_serialization_and_peak_rate_by_hand() -> None:
    """16 KiB at 100 Mbit/s = 131,072 bit / 10^8 = 1.31072 ms; 144,720 MiB/h = 337.22 Mbit/s."""
    assert float(mvs.serialization_ms(16, 100)) == pytest.approx(1.31072)
    assert float(mvs.peak_mbps(144_720)) == pytest.approx(144_720 * 2**20 * 8 / 3600 / 1e6)


def test_saturated_link_is_infinite_latency() -> None:
    """ρ ≥ 1: the link cannot carry the writes; latency is unbounded, max distance 0."""
    assert np.isinf(mvs.added_latency_ms(10, utilization=1.0))
    assert float(mvs.max_distance_km(10, utilization=1.2)) == 0.0


def test_max_distance_closed_form_meets_threshold() -> None:
    """At max_distance_km, local + added latency equals the threshold (MODEL.md §4)."""
    d = mvs.max_distance_km(10, 2.0, 2, 1.3, 16, 1000, 0.4, 0.1)
    assert float(2.0 + mvs.added_latency_ms(d, 2, 1.3, 16, 1000, 0.4, 0.1)) == pytest.approx(10)


@given(distances, distances, small)
def test_more_distance_never_lowers_latency(d1: float, d2: float, rho: float) -> None:
    """More distance never lowers the added latency."""
    lo, hi = sorted((d1, d2))
    assert mvs.added_latency_ms(hi, utilization=rho) >= mvs.added_latency_ms(lo, utilization=rho)


@given(st.lists(distances, min_size=1, max_size=20), small)
def test_scalar_equals_array_call(values: list[float], rho: float) -> None:
    """A scalar call gives the same number as the same point inside an array call."""
    array = mvs.added_latency_ms(np.array(values), utilization=rho)
    for i, v in enumerate(values):
        assert float(mvs.added_latency_ms(v, utilization=rho)) == array[i]
