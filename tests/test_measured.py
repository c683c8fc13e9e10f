"""A server sized from its measurements, through the whole design (Method §2, a measured
profile; issue 20): its hourly writes replace its profile's for the link, the MV/A delta sets
and the resyncs; the design's burst factor comes from its log unless the scenario sets one.

The hand-worked log (``_hand_log``) is one day of 15-minute samples of one server:
- logs 1 MiB/s in every sample but one: 10:45 writes 5 MiB/s, so clock hour 10 has the mean
  (2 + 2 + 2 + 5) ÷ 4 = 2.75 MiB/s of logs, when hour 10 writes 2 MiB/s otherwise;
- database writes 128 pages/s × 8 KiB = 1 MiB/s in every sample.
Hourly volumes: logs 3,600 MiB in each hour but hour 10, 2.75 × 3,600 = 9,900 MiB; database
writes 3,600 MiB in every hour. The busiest hour's mean total rate is 2.75 + 1 = 3.75 MiB/s; the
highest 60-second mean (one 900 s sample) is 5 + 1 = 6 MiB/s: burst factor 6 ÷ 3.75 = 1.6.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from conftest import EXAMPLE, run_cli

from srmkit.design import Design
from srmkit.params import ScenarioError, validate_data
from srmkit.units import BYTES_PER_MIB, mib_per_h_to_mbps

MIB = BYTES_PER_MIB
HEADER = [
    "(PDH-CSV 4.0) (W. Europe Standard Time)(-60)",
    r"\\EXMBX01\MSExchange Database ==> Instances(Information Store/SG01)\Log Bytes Write/sec",
    r"\\EXMBX01\MSExchange Database ==> Instances(Information Store/SG01)\I/O Database Writes/sec",
]
LOG_MIB_H = [3600.0] * 10 + [9900.0] + [3600.0] * 13
DB_MIB_H = [3600.0] * 24


def _hand_log(folder: Path) -> Path:
    """The module docstring's log: 96 samples, 00:00 to 23:45, of 03/10/2009."""
    rows = [",".join(f'"{h}"' for h in HEADER)]
    for k in range(96):
        hour, minute = divmod(k * 15, 60)
        log = 5 if (hour, minute) == (10, 45) else 2 if hour == 10 else 1
        stamp = f"03/10/2009 {hour:02d}:{minute:02d}:00.000"
        rows.append(f'"{stamp}","{log * MIB}","128"')
    path = folder / "measured" / "EXMBX01.csv"
    path.parent.mkdir(exist_ok=True)
    path.write_text("\r\n".join(rows) + "\r\n", encoding="utf-8")
    return path


def _data(**measured: Any) -> dict[str, Any]:
    """The example with two servers, no protected Hub Transport; EXMBX01 measured as given."""
    data: dict[str, Any] = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    data["servers"] = data["servers"][:2]
    data["sites"][0]["hub_transport_protected"] = False
    data["servers"][0].pop("measured")
    if measured:
        data["servers"][0]["measured"] = measured
    return data


def _design(folder: Path, data: dict[str, Any]) -> Design:
    return Design(validate_data(data, str(folder / "scenario.yaml"), base_dir=folder))


@pytest.fixture(scope="module")
def hand(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Design, Design]:
    """The hand-worked log, the design measuring EXMBX01 from it, and the same by profile."""
    folder = tmp_path_factory.mktemp("hand")
    _hand_log(folder)
    measured = _design(folder, _data(perfmon="measured/EXMBX01.csv"))
    return folder, measured, _design(folder, _data())


def test_hourly_volumes_replace_the_profiles(hand: tuple[Path, Design, Design]) -> None:
    _, d, profile = hand
    vm, other = d.servers
    assert vm.measured is not None
    assert other.measured is None
    np.testing.assert_allclose(vm.measured.log_mib_h, LOG_MIB_H)
    np.testing.assert_allclose(vm.measured.db_write_mib_h, DB_MIB_H)
    # The replicated volume of the measured VM is its own; the other is its profile's.
    np.testing.assert_allclose(d.hourly_mib([vm]), np.add(LOG_MIB_H, DB_MIB_H))
    np.testing.assert_allclose(d.hourly_mib([other]), profile.hourly_mib([profile.servers[1]]))
    np.testing.assert_allclose(
        d.directions[0].hourly_mib, d.hourly_mib([vm]) + d.hourly_mib([other])
    )
    # Peak-hour database write IOPS: 3,600 MiB an hour = 128 pages/s, no IOPS headroom; a
    # day's logs 23 × 3,600 + 9,900 = 92,700 MiB. The LUNs stay the profile's.
    assert vm.db_write_iops_peak == pytest.approx(128.0)
    assert vm.log_mib_per_day == pytest.approx(92_700.0)
    assert vm.db_lun_gib == profile.servers[0].db_lun_gib
    assert vm.db_iops_peak == profile.servers[0].db_iops_peak
    # What the profile would give, for comparison: 3,000 heavy mailboxes, 72,000 MiB of logs.
    assert sum(vm.measured.profile_log_mib_h) == pytest.approx(72_000.0)


def test_the_logs_burst_factor_sets_the_peak(hand: tuple[Path, Design, Design]) -> None:
    _, d, _ = hand
    assert d.burst_origin.source == "measured"
    assert d.a.burst_factor == pytest.approx(1.6)
    peak_mib_h = float(d.directions[0].hourly_mib.max())
    assert d.peak_mbps == pytest.approx(float(mib_per_h_to_mbps(peak_mib_h)) * 1.6)


def test_a_burst_factor_in_the_scenario_wins(hand: tuple[Path, Design, Design]) -> None:
    folder, measured, _ = hand
    data = _data(perfmon="measured/EXMBX01.csv")
    data["assumptions"] = {"burst_factor": 1.0}
    d = _design(folder, data)
    assert d.a.burst_factor == 1.0
    assert d.burst_origin.source == "scenario"
    assert d.burst_origin.measured == pytest.approx(1.6)
    assert d.peak_mbps == pytest.approx(measured.peak_mbps / 1.6)


def test_growth_and_a_split_scale_the_measurement_with_the_mailboxes(
    hand: tuple[Path, Design, Design],
) -> None:
    folder, d, _ = hand
    data = _data(perfmon="measured/EXMBX01.csv")
    data["growth"] = {"users_per_year_fraction": 0.1, "years": 2}
    grown = _design(folder, data)
    year2 = grown.servers_at(2)[0].measured
    assert year2 is not None
    np.testing.assert_allclose(year2.log_mib_h, np.multiply(LOG_MIB_H, 1.21))
    # A what-if that halves every server's mailboxes halves the measured writes too.
    from srmkit.variants import with_users

    half = d.what_if(("test half", 0.5), lambda s: with_users(0.5, s))
    halved = half.servers[0].measured
    assert halved is not None
    np.testing.assert_allclose(halved.db_write_mib_h, np.multiply(DB_MIB_H, 0.5))


def test_hourly_log_counts_write_the_database_in_the_profiles_ratio(tmp_path: Path) -> None:
    """Heavy: 1.7045 MiB of database writes per MiB of logs (workload.db_to_log_volume_ratio's
    hand-worked value); 100 logs in every hour = 100 MiB."""
    (tmp_path / "logs.csv").write_text(
        "hour,logs\n" + "".join(f"{h},100\n" for h in range(24)), encoding="utf-8"
    )
    d = _design(tmp_path, _data(log_counts="logs.csv"))
    vm = d.servers[0].measured
    assert vm is not None
    assert vm.kind == "log_counts"
    np.testing.assert_allclose(vm.log_mib_h, [100.0] * 24)
    np.testing.assert_allclose(vm.db_write_mib_h, [100.0 * 40.909090909 / 24] * 24, rtol=1e-9)
    # Hourly counts hide no burst: the design keeps the assumption.
    assert d.burst_origin.source == "default"
    assert d.a.burst_factor == 1.0


def test_the_measured_vms_resync_follows_its_own_day(hand: tuple[Path, Design, Design]) -> None:
    """The one-outage and the many-outage routes agree, and a four-hour outage from 09:00 on
    the measured VM writes its own logs of hours 9–12 (3,600 × 3 + 9,900 MiB), not the
    profile's share of its day."""
    _, d, profile = hand
    direction = d.directions[0]
    starts = np.array([540.0, 0.0, 1380.0])
    outages = np.array([240.0, 30.0, 1500.0])
    many = d.resync_gib_many(direction, starts, outages)
    one = [
        d.resync_gib(direction, float(s), float(o)) for s, o in zip(starts, outages, strict=True)
    ]
    np.testing.assert_allclose(many, one, rtol=1e-9)
    share = d.partial_resync._written(9, 4.0)[0][0]
    assert share == pytest.approx((3 * 3600 + 9900) / 92_700)
    assert d.resync_gib(direction, 540.0, 240.0) != profile.resync_gib(
        profile.directions[0], 540.0, 240.0
    )


def test_size_json_reports_the_measurement(hand: tuple[Path, Design, Design]) -> None:
    folder, _, _ = hand
    path = folder / "scenario.yaml"
    path.write_text(
        yaml.safe_dump(_data(perfmon="measured/EXMBX01.csv"), sort_keys=False), encoding="utf-8"
    )
    out = json.loads(run_cli("size", str(path), "--format", "json").stdout)
    assert out["link"]["burst_factor"] == pytest.approx(1.6)
    assert out["link"]["burst_factor_source"] == "measured"
    m = out["workload"]["EXMBX01"]["measured"]
    assert m["kind"] == "perfmon"
    assert m["samples"] == 96
    assert m["gaps"] == 0
    assert m["first"] == "2009-03-10T00:00:00"
    assert m["last"] == "2009-03-10T23:45:00"
    assert m["days"] == pytest.approx(1.0)
    assert m["burst_factor"] == pytest.approx(1.6)
    assert out["workload"]["EXMBX02"]["measured"] is None


def test_a_bad_measurement_names_its_file_line_and_column(tmp_path: Path) -> None:
    log = _hand_log(tmp_path)
    lines = log.read_text(encoding="utf-8").splitlines()
    lines[5] = lines[5].replace('"128"', '"lots"')
    log.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    path = tmp_path / "scenario.yaml"
    path.write_text(
        yaml.safe_dump(_data(perfmon="measured/EXMBX01.csv"), sort_keys=False), encoding="utf-8"
    )
    for command in ("check", "size", "plan"):
        result = run_cli(command, str(path))
        assert result.returncode == 2, result.stderr
        assert f"{tmp_path / 'measured' / 'EXMBX01.csv'}:6:3:" in result.stderr
        assert "lots" in result.stderr
        assert "Traceback" not in result.stderr
    with pytest.raises(ScenarioError) as caught:
        _design(tmp_path, _data(perfmon="measured/missing.csv"))
    [problem] = caught.value.problems
    assert problem.field == "servers[0].measured.perfmon"
    assert "no such file" in problem.message


def test_the_example_measures_exmbx01() -> None:
    d = Design(
        validate_data(
            yaml.safe_load(EXAMPLE.read_text("utf-8")), str(EXAMPLE), base_dir=EXAMPLE.parent
        )
    )
    assert [v.name for v in d.servers if v.measured] == ["EXMBX01"]
    m = d.measurements["EXMBX01"]
    assert (m.samples, m.days, m.interval_s) == (11_520, 2.0, 15.0)
    assert d.burst_origin.source == "measured"
    assert 1.5 < d.a.burst_factor < 2.2


def test_the_workbook_keeps_the_measurement(hand: tuple[Path, Design, Design]) -> None:
    """The live workbook's users slider scales the measured writes; they are not lost to the
    profile."""
    import dataclasses

    from srmkit.workbook import Inputs, variant

    _, d, _ = hand
    doubled = variant(d, dataclasses.replace(Inputs.of(d), users_factor=2.0))
    vm = doubled.servers[0].measured
    assert vm is not None
    np.testing.assert_allclose(vm.log_mib_h, np.multiply(LOG_MIB_H, 2.0))
    assert doubled.a.burst_factor == pytest.approx(1.6)
