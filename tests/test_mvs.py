"""MirrorView/S latency and link load (Method §4): hand-worked values and properties."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from srmkit import mvs

distances = st.floats(min_value=0, max_value=5000, allow_nan=False)
small = st.floats(min_value=0, max_value=0.95, allow_nan=False)
FIBRE = 0.005  # ms per km one way: 1 ms round trip per 100 km [S16]


def added(distance_km: object, rho: object = 0.0) -> object:
    """Added latency with 2 round trips, route factor 1, 16 KiB, 1 Gbit/s, 0.1 ms overhead."""
    return mvs.added_latency_ms(distance_km, 2, 1.0, 16, 1000, rho, 0.1, FIBRE)


def test_100_km_two_round_trips_is_2_ms() -> None:
    """100 km at 2 round trips adds 2.0 ms of propagation, at 1 round trip 1.0 ms [S16]."""
    assert float(mvs.propagation_ms(100, 2, 1.0, FIBRE)) == pytest.approx(2.0)
    assert float(mvs.propagation_ms(100, 1, 1.0, FIBRE)) == pytest.approx(1.0)


def test_added_latency_by_hand() -> None:
    """Example link: 2×2×40 km×1.3×0.005 + 0.131072/(1−0.4) + 0.1 = 1.04 + 0.218453 + 0.1."""
    value = mvs.added_latency_ms(40, 2, 1.3, 16, 1000, 0.4, 0.1, FIBRE)
    assert float(value) == pytest.approx(1.358453, abs=1e-6)


def test_serialization_and_peak_rate_by_hand() -> None:
    """16 KiB at 100 Mbit/s = 131,072 bit / 10^8 = 1.31072 ms; 144,720 MiB/h = 337.222 Mbit/s."""
    assert float(mvs.serialization_ms(16, 100)) == pytest.approx(1.31072)
    assert float(mvs.peak_mbps(144_720, 1.0)) == pytest.approx(337.222042, abs=1e-6)
    assert float(mvs.peak_mbps(144_720, 1.5)) == pytest.approx(505.833062, abs=1e-6)


def test_saturated_link_is_infinite_latency() -> None:
    """ρ ≥ 1: the link cannot carry the writes; latency is unbounded, max distance 0."""
    assert np.isinf(added(10, 1.0))
    assert float(mvs.max_distance_km(10, 2.0, 2, 1.0, 16, 1000, 1.2, 0.1, FIBRE)) == 0.0


def test_max_distance_by_hand() -> None:
    """Threshold 10 ms, local 2 ms, ρ = 0.4: (10 − 2 − 0.218453 − 0.1) / (2×2×1.3×0.005)."""
    d = mvs.max_distance_km(10, 2.0, 2, 1.3, 16, 1000, 0.4, 0.1, FIBRE)
    assert float(d) == pytest.approx(7.681547 / 0.026, abs=1e-4)  # 295.44 km
    assert float(2.0 + mvs.added_latency_ms(d, 2, 1.3, 16, 1000, 0.4, 0.1, FIBRE)) == (
        pytest.approx(10.0)
    )


@given(distances, distances, small)
def test_more_distance_never_lowers_latency(d1: float, d2: float, rho: float) -> None:
    """More distance never lowers the added latency."""
    lo, hi = sorted((d1, d2))
    assert added(hi, rho) >= added(lo, rho)  # type: ignore[operator]


@given(st.lists(distances, min_size=1, max_size=20), small)
def test_scalar_equals_array_call(values: list[float], rho: float) -> None:
    """A scalar call gives the same number as the same point inside an array call."""
    array = np.asarray(added(np.array(values), rho))
    for i, v in enumerate(values):
        assert float(added(v, rho)) == array[i]  # type: ignore[arg-type]
