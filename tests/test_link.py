"""The replication link (Method §3): effective rate and utilisation, by hand."""

from __future__ import annotations

import numpy as np
import pytest

from srmkit import link


def test_effective_rate_by_hand() -> None:
    """1,000 Mbit/s × 0.85 efficiency × 1.0 share = 850 Mbit/s; × 0.5 share = 425 Mbit/s."""
    assert float(link.effective_rate_mbps(1000, 0.85, 1.0)) == pytest.approx(850.0)
    assert float(link.effective_rate_mbps(1000, 0.85, 0.5)) == pytest.approx(425.0)
    assert float(link.effective_rate_mbps(155, 0.8, 1.0)) == pytest.approx(124.0)


def test_utilization_by_hand() -> None:
    """337.22 Mbit/s on 850 Mbit/s is ρ = 0.3967; at or above 1 the link cannot carry it."""
    assert float(link.utilization_fraction(337.222042, 850)) == pytest.approx(0.396732, abs=1e-6)
    assert float(link.utilization_fraction(900, 850)) > 1.0


def test_vectorised() -> None:
    """Rates broadcast over arrays of link sizes."""
    out = link.effective_rate_mbps(np.array([100.0, 1000.0]), 0.85, 1.0)
    assert np.allclose(out, [85.0, 850.0])
