"""Design and `srmkit size` / `srmkit calc` end to end, against hand calculation from the method."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import EXAMPLE, EXAMPLES, run_cli

from srmkit import load_scenario


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_size_json_on_every_example(example: Path) -> None:
    """`srmkit size --format json` has the documented keys on every example."""
    result = run_cli("size", str(example), "--format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert {"workload", "link", "sync_times", "rlp", "recovery", "assumptions"} <= set(data)
    assert "total" in data["workload"]
    assert data["workload"]["total"]["users"] > 0
    assert {"effective_rate_mbps", "peak_utilization_fraction"} <= set(data["link"])
    mode = load_scenario(example).replication.mode
    if mode == "sync":
        assert data["sync"]["rpo_min"] == 0
        assert "async" not in data
        assert data["sync"]["max_distance_km"] > 0
    elif data["async"]["unbounded"]:
        # Method §5, §8: never a number for the RPO, a lower bound after the days in service.
        assert data["async"]["worst_rpo_min"] is None
        lag = data["async"]["unbounded_lag"]
        assert 0 < lag["at_least_min"] <= lag["up_to_at_least_min"]
        assert lag["growth_h_per_day"] > 0
    else:
        assert data["async"]["unbounded_lag"] is None
        assert (
            data["async"]["worst_rpo_min"] >= load_scenario(example).replication.update_interval_min
        )
        assert {
            "mean_rpo_min",
            "update_overrun",
            "unbounded",
            "updates",
            "required_rate_mbps_for_target_rpo",
        } <= set(data["async"])
    assert data["assumptions"]["iops_headroom_fraction"]["value"] == 0.2
    assert run_cli("size", str(example)).returncode == 0


def test_size_reports_unbounded_as_null(tmp_path: Path) -> None:
    """A link too thin for a day's writes: worst RPO null and unbounded true, never a number."""
    text = EXAMPLE.with_name("async-long-distance.yaml").read_text()
    path = tmp_path / "thin.yaml"
    path.write_text(text.replace("bandwidth_mbps: 155", "bandwidth_mbps: 2"), "utf-8")
    data = json.loads(run_cli("size", str(path), "--format", "json").stdout)
    assert data["async"]["unbounded"] is True
    assert data["async"]["worst_rpo_min"] is None


def test_calc_rpo_done_criteria() -> None:
    """`calc rpo --interval-min 30 --update-duration-min 15`: 45 and 30; end type: 60."""
    out = json.loads(
        run_cli(
            "calc", "rpo", "--interval-min", "30", "--update-duration-min", "15", "--format", "json"
        ).stdout
    )
    assert out["worst_rpo_min"] == 45
    assert out["mean_rpo_min"] == 30
    end = json.loads(
        run_cli(
            "calc",
            "rpo",
            "--interval-min",
            "30",
            "--update-duration-min",
            "15",
            "--update-type",
            "end",
            "--format",
            "json",
        ).stdout
    )
    assert end["worst_rpo_min"] == 60


def test_calc_latency_bandwidth_sync_time() -> None:
    """calc latency 100 km → +2.1 ms (2.0 propagation + 0.1 overhead); bandwidth; sync-time."""
    lat = json.loads(run_cli("calc", "latency", "--distance-km", "100", "--format", "json").stdout)
    assert lat["added_latency_ms"] == pytest.approx(2.1)
    assert lat["log_write_latency_ms"] == pytest.approx(4.1)
    assert lat["max_distance_km"] == pytest.approx((10 - 2 - 0.1) / 0.02)
    bw = json.loads(
        run_cli(
            "calc",
            "bandwidth",
            "--rpo-min",
            "45",
            "--interval-min",
            "30",
            "--change-rate-mib-per-s",
            "1",
            "--format",
            "json",
        ).stdout
    )
    assert bw["required_link_mbps"] == pytest.approx(16.777216 / 0.85, rel=1e-6)
    st = json.loads(
        run_cli(
            "calc", "sync-time", "--capacity-gib", "1000", "--link-mbps", "100", "--format", "json"
        ).stdout
    )
    assert st["sync_time_h"] == pytest.approx(1000 * 2**30 * 8 / (100 * 0.85 * 0.5 * 1e6) / 3600)


def test_calc_rejects_bad_input_with_exit_2() -> None:
    """Negative values and missing alternatives exit 2 with a message."""
    assert run_cli("calc", "latency", "--distance-km", "-5").returncode == 2
    assert run_cli("calc", "rpo", "--interval-min", "30").returncode == 2
    assert run_cli("calc", "sync-time", "--capacity-gib", "1", "--link-mbps", "0").returncode == 2
