"""Synchronisation durations (Method §6), by hand."""

from __future__ import annotations

import pytest

from srmkit import sync_times


def test_sync_rate_by_setting_and_cap() -> None:
    """Medium (0.5) of 850 Mbit/s is 425 Mbit/s; an array cap of 400 Mbit/s caps high (850)."""
    assert float(sync_times.sync_rate_mbps(850, 0.5, None)) == pytest.approx(425.0)
    assert float(sync_times.sync_rate_mbps(850, 1.0, 400)) == pytest.approx(400.0)
    assert float(sync_times.sync_rate_mbps(850, 0.1, 400)) == pytest.approx(85.0)


def test_full_sync_time_by_hand() -> None:
    """1,000 GiB = 8,589,934.592 Mbit; at 100 Mbit/s that is 85,899.3 s = 23.861 h."""
    assert float(sync_times.sync_time_h(1000, 100)) == pytest.approx(23.860929, abs=1e-6)


def test_example_initial_sync_by_hand() -> None:
    """12,678.75 GiB at 425 Mbit/s: 12,678.75 × 8,589.934592 / 425 / 3,600 = 71.18 h."""
    assert float(sync_times.sync_time_h(12_678.75, 425)) == pytest.approx(71.182767, abs=1e-6)
