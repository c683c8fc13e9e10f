"""Unit conversions (Method §1): hand-worked values and round trips."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from srmkit import units

sizes = st.floats(min_value=0, max_value=1e9, allow_nan=False)


def test_binary_sizes_to_decimal_megabits_by_hand() -> None:
    """1 KiB = 8,192 bit; 1 MiB = 8,388,608 bit; 1 GiB = 8,589,934,592 bit (Method §1)."""
    assert units.kib_to_mbit(1.0) == pytest.approx(0.008192)
    assert units.mib_to_mbit(1.0) == pytest.approx(8.388608)
    assert units.gib_to_mbit(1.0) == pytest.approx(8589.934592)


def test_rates_by_hand() -> None:
    """1 MiB/s = 8.388608 Mbit/s; 3,600 MiB in an hour is 1 MiB/s."""
    assert units.mib_per_s_to_mbps(1.0) == pytest.approx(8.388608)
    assert units.mib_per_h_to_mbps(3600.0) == pytest.approx(8.388608)


def test_sizes_and_durations_by_hand() -> None:
    """2,048 MiB = 2 GiB; 8 KiB = 1/128 MiB; 90 s = 1.5 min; 5,400 s = 1.5 h; 0.25 s = 250 ms."""
    assert units.mib_to_gib(2048.0) == 2.0
    assert units.kib_to_mib(8.0) == 0.0078125
    assert units.s_to_min(90.0) == 1.5
    assert units.s_to_h(5400.0) == 1.5
    assert units.s_to_ms(0.25) == 250.0
    assert units.MIN_PER_DAY == 1440
    assert units.SECONDS_PER_DAY == 86_400


@given(sizes)
def test_megabit_round_trip(x: float) -> None:
    """MiB → Mbit → MiB returns the same size."""
    assert units.mbit_to_mib(units.mib_to_mbit(x)) == pytest.approx(x)


def test_arrays_convert_elementwise() -> None:
    """Conversions take numpy arrays as they take scalars."""
    out = units.mib_to_mbit(np.array([0.0, 1.0, 2.0]))
    assert np.allclose(out, [0.0, 8.388608, 16.777216])
