"""Exchange workload (Method §2), hand-worked."""

from __future__ import annotations

import numpy as np
import pytest

from srmkit import workload
from srmkit.assumptions import default_daily_profile


def test_heavy_server_by_hand() -> None:
    """3,000 heavy users: 3000 × 0.32 × 1.2 = 1152 IOPS; half writes; 72,000 MiB logs a day."""
    iops = workload.db_iops_peak(3000, 0.32, 0.20)
    assert float(iops) == pytest.approx(1152.0)
    assert float(workload.db_write_iops_peak(iops, 0.5)) == pytest.approx(576.0)
    assert float(workload.log_mib_per_day(3000, 24, 1.0)) == 72_000.0


def test_hourly_volumes_follow_the_daily_profile() -> None:
    """Logs split by p[h] (sum = daily); DB writes at peak = IOPS × 3600 × 8 KiB (Method §2)."""
    profile = default_daily_profile()
    logs = workload.hourly_log_mib(72_000, profile)
    assert logs.shape == (24,)
    assert float(logs.sum()) == pytest.approx(72_000)
    assert float(logs[9]) == pytest.approx(72_000 * 0.11)
    db = workload.hourly_db_write_mib(576.0, profile, 8.0)
    assert float(db.max()) == pytest.approx(576 * 3600 * 8 / 1024)  # 16,200 MiB in the peak hour
    assert float(db[0]) == pytest.approx(16_200 * 0.005 / 0.11)


def test_capacities_by_hand() -> None:
    """Method §2 worked example: 166⅔ users × 0.5 GiB × 1.2 = 100 GiB database; DB LUN
    100 × 1.05 / 0.8 = 131.25 GiB; log LUN 166⅔ × 24 × 3 × 1 MiB × 1.2 / 0.8 = 18,000 MiB =
    17.578 GiB; 3,000 × 0.5 × 1.2 / 100 = 18 storage groups."""
    users_per_sg = 3000 / 18
    db = float(workload.db_gib(users_per_sg, 0.5, 0.2))
    assert db == pytest.approx(100.0)
    assert float(workload.db_lun_gib(db, 0.05, 0.2)) == pytest.approx(131.25)
    assert float(workload.log_lun_gib(users_per_sg, 24, 3, 0.2, 1.0, 0.2)) == pytest.approx(
        17.578125
    )
    assert int(workload.storage_groups_count(3000, 0.5, 0.2, 100)) == 18
    assert int(workload.storage_groups_count(3001, 0.5, 0.2, 100)) == 19
    assert int(workload.storage_groups_count(10, 0.1, 0.2, 100)) == 1


def test_vectorised_calls_broadcast() -> None:
    """Arrays broadcast: a column of user counts gives a (n, 24) hourly table."""
    users = np.array([1000, 2000, 3000])
    logs = workload.hourly_log_mib(
        workload.log_mib_per_day(users, 24, 1.0), default_daily_profile()
    )
    assert logs.shape == (3, 24)
    assert np.allclose(logs.sum(axis=1), users * 24)
