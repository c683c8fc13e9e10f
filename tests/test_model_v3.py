"""Engineering model v3, worked by hand (MODEL.md v3 §2, §3, §6, §7; docs/method.md).

Each test states its arithmetic; numbers are pinned, never recomputed with srmkit's formulas.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pytest
from conftest import EXAMPLE, PARAMS, profile_example, profile_only

from srmkit import load_scenario, recommend
from srmkit.checks import CHECKS
from srmkit.design import Design
from srmkit.limits import catalogue

# Worked by hand from the heavy profile: the example with EXMBX01 sized from its profile, not
# from its Performance Monitor log (which is not beside a copy either).
BASE = profile_only(EXAMPLE.read_text(encoding="utf-8"))
ONE_SERVER = re.sub(r"  - \{name: EXMBX0[2-6],[^}]*\}\n", "", BASE)


def design_of(text: str, tmp_path: Path, name: str = "s.yaml") -> Design:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return Design(load_scenario(path))


def _iscsi_link(distance_km: int) -> str:
    """The async example on a plain 155 Mbit/s iSCSI link at ``distance_km`` (route factor 1)."""
    return (
        (PARAMS / "async-long-distance.yaml")
        .read_text(encoding="utf-8")
        .replace("distance_km: 900", f"distance_km: {distance_km}")
        .replace("route_factor: 1.4", "route_factor: 1.0")
        .replace("efficiency_fraction: 0.8", "efficiency_fraction: 0.85")
    )


def test_window_capped_iscsi_link_at_600_and_1500_km(tmp_path: Path) -> None:
    """Method §3 (v3), 155 Mbit/s × 0.85 = 131.75 Mbit/s of line rate, two sessions of 64 KiB:

    - 600 km: rtt = 2 × 600 × 0.005 = 6 ms; cap = 2 × 64 × 1,024 × 8 / 0.006 / 10^6 =
      174.763 Mbit/s > 131.75: the line rate stands, no warning;
    - 1,500 km: rtt = 15 ms; cap = 2 × 524,288 / 0.015 / 10^6 = 69.905 Mbit/s < 131.75: the
      effective rate is the cap, and the warning names the window that lifts it: 131.75 × 10^6 ×
      0.015 / 8 / 2 = 123,515.6 bytes = 120.62 KiB per connection.
    """
    near = design_of(_iscsi_link(600), tmp_path, "near.yaml")
    assert near.rtt_ms == pytest.approx(6.0)
    assert near.tcp_cap_mbps == pytest.approx(174.762667, abs=1e-6)
    assert near.effective_rate_mbps == pytest.approx(131.75)
    assert not list(CHECKS["LINK-TCP-WINDOW"](near))

    far = design_of(_iscsi_link(1500), tmp_path, "far.yaml")
    assert far.rtt_ms == pytest.approx(15.0)
    assert far.tcp_cap_mbps == pytest.approx(69.905067, abs=1e-6)
    assert far.effective_rate_mbps == pytest.approx(69.905067, abs=1e-6)
    assert far.window_to_lift_kib == pytest.approx(120.6207, abs=1e-4)
    (hit,) = CHECKS["LINK-TCP-WINDOW"](far)
    assert "121 KiB" in hit.message
    assert "69.9 Mbit/s" in hit.message
    # A WAN optimiser terminates TCP locally: no cap (Method §3).
    wan = design_of(
        _iscsi_link(1500).replace(
            "efficiency_fraction: 0.85", "efficiency_fraction: 0.85\n  wan_optimised: true"
        ),
        tmp_path,
        "wan.yaml",
    )
    assert wan.tcp_cap_mbps is None
    assert wan.effective_rate_mbps == pytest.approx(131.75)


def test_fibre_channel_has_no_window_cap() -> None:
    """Method §3 (v3): FC over dark fibre or DWDM has no TCP window."""
    d = Design(load_scenario(EXAMPLE))
    assert d.tcp_cap_mbps is None
    assert d.rtt_ms == pytest.approx(2 * 40 * 1.3 * 0.005)


def test_a_protected_hub_transports_peak(tmp_path: Path) -> None:
    """Method §2 (v3), the example's Hub Transport at Amsterdam serves 6 × 3,000 heavy
    mailboxes: 18,000 × 100 messages × 50 KiB / 1,024 × 1.0 = 87,890.625 MiB a day; at the peak
    hour's 11 %, 9,667.97 MiB → × 8.388608 / 3,600 = 22.528 Mbit/s on top of the mailboxes'
    337.222 Mbit/s (v2's pinned figure) = 359.750 Mbit/s."""
    d = Design(profile_example())
    (hub,) = d.hubs
    assert hub.hub_write_mib_per_day == pytest.approx(87_890.625)
    assert d.peak_mbps == pytest.approx(337.222042 + 22.528, abs=1e-5)
    unprotected = design_of(
        BASE.replace("hub_transport_protected: true", "hub_transport_protected: false"),
        tmp_path,
    )
    assert unprotected.peak_mbps == pytest.approx(337.222042, abs=1e-6)


def test_a_four_hour_outage_dirties_whole_extents(tmp_path: Path) -> None:
    """Method §6 (v3), one example server (3,000 heavy, 18 storage groups), link lost 10:00 to
    14:00 (hours 10–13: 11 + 10 + 7 + 9 = 37 % of the day, 37 / 11 of a peak hour):

    - DB writes 576 IOPS × 3,600 s × 8 KiB = 16,200 MiB per peak hour × 37/11 = 54,490.9 MiB,
      3,027.27 MiB per database; n = 3,027.27 × 1,024 / 8 = 387,491 page writes over
      E = 131.25 GiB / 512 KiB = 268,800 extents: 131.25 × (1 − e^(−1.44156)) = 100.2017 GiB;
    - logs 72,000 MiB × 0.37 / 18 = 1,480 MiB per log LUN = 2,960 whole extents = 1.4453 GiB;
    - 18 × (100.2017 + 1.4453) = 1,829.645 GiB to resynchronise, where 79.2 GiB were written
      (× 23).
    """
    d = design_of(
        ONE_SERVER.replace("hub_transport_protected: true", "hub_transport_protected: false"),
        tmp_path,
    )
    assert [v.name for v in d.vms] == ["EXMBX01"]
    (direction,) = d.directions
    assert d.resync_gib(direction, 10 * 60, 4 * 60) == pytest.approx(1829.6454, abs=1e-3)


def test_mirrorview_a_resyncs_what_was_written() -> None:
    """Method §6 (v3): MirrorView/A's delta set follows §5 unchanged (at most the capacity)."""
    d = Design(load_scenario(PARAMS / "async-long-distance.yaml"))
    (x,) = d.directions
    written_gib = float(x.hourly_mib[10:14].sum()) / 1024
    assert d.resync_gib(x, 10 * 60, 4 * 60) == pytest.approx(written_gib)


CX3_PAIR = """
document: {customer: Headroom, project: Smallest CX4, author: test, date: 2026-12-03,
  confidentiality: internal}
sites:
  - {name: A, windows_domain: corp.example, ad_gc_servers: 2, cas_present: true,
     hub_transport_present: true}
  - {name: B, windows_domain: corp.example, ad_gc_servers: 2, cas_present: true,
     hub_transport_present: true}
arrays:
  - {name: A-CX3, site: A, model: CX3-40c, flare: 26, connectivity: fc}
  - {name: B-ARRAY, site: B, model: MODEL_B, flare: FLARE_B, connectivity: fc}
link: {bandwidth_mbps: 1000, distance_km: 30}
replication: {mode: sync, recovery_policy: manual, sync_rate: high}
servers:
  - {name: M1, site: A, users: 1400, profile: average, mailbox_quota_gib: 1,
     guest_os: windows-2008-x64, exchange_version: 2007}
  - {name: M2, site: A, users: 1400, profile: average, mailbox_quota_gib: 1,
     guest_os: windows-2008-x64, exchange_version: 2007}
  - {name: M3, site: A, users: 1400, profile: average, mailbox_quota_gib: 1,
     guest_os: windows-2008-x64, exchange_version: 2007}
targets: {rpo_min: 0, rto_min: 600}
accept:
  - {id: HUB-NOT-PROTECTED, reason: Not part of this test case}
"""


def test_smallest_current_model_with_80_percent_headroom(tmp_path: Path) -> None:
    """Method §7 (v3): 1,400 users × 1 GiB × 1.2 / 100 GiB → 17 storage groups; 2 × 17 + 1 = 35
    mirrors per server, 105 on each array > 100 on a CX3-40c. A CX4-120 would hold them
    (128) but at 105 / 128 = 82 % > 80 %; a CX4-240: 105 / 256 = 41 %. The CX3 is upgraded in
    place; the recovery array (a CX3-40c as well) gets the same model; an installed CX4-480
    partner is larger and stays."""
    d = design_of(
        CX3_PAIR.replace("MODEL_B", "CX3-40c").replace("FLARE_B", "26"), tmp_path, "cx3.yaml"
    )
    assert d.mirrors_at(0) == {"A-CX3": 105, "B-ARRAY": 105}
    (rec,) = d.recommendations
    assert rec.recommended_model == "CX4-240"
    assert rec.replaces == ("A-CX3", "B-ARRAY")
    assert rec.in_place
    assert rec.text.startswith("upgrade A-CX3 (CX3-40c) in place to a CX4-240")
    assert "B-ARRAY (CX3-40c) by the same model" in rec.text
    assert recommend.usage_at(d.variant({"A-CX3": catalogue()[8]}), 0)["A-CX3"] == pytest.approx(
        105 / 128
    )
    assert d.recommended_model == "CX4-240"

    big = design_of(
        CX3_PAIR.replace("MODEL_B", "CX4-480").replace("FLARE_B", "29"), tmp_path, "big.yaml"
    )
    (rec,) = big.recommendations
    assert (rec.recommended_model, rec.replaces) == ("CX4-240", ("A-CX3",))


def test_no_previous_generation_model_is_ever_recommended() -> None:
    """Method §7 (v3): only current models are bought; the catalogue marks the generation."""
    generations = {m.model: m.generation for m in catalogue()}
    assert generations["CX4-120"] == "current"
    assert generations["CX3-80"] == "previous"
    assert generations["AX4-5F"] == "previous"
    for path in sorted(PARAMS.glob("*.yaml")):
        d = Design(load_scenario(path))
        for rec in d.recommendations:
            assert rec.recommended_model is None or rec.recommended_model.startswith("CX4")
        assert d.recommended_model is None or d.recommended_model.startswith("CX4")


def test_limits_override_is_a_changed_assumption(tmp_path: Path) -> None:
    """Method §7 (v3): ``arrays[].limits`` replaces a model's published limits (a later FLARE
    release): the 105 mirrors then fit a CX3-40c allowed 128."""
    text = CX3_PAIR.replace("MODEL_B", "CX3-40c").replace("FLARE_B", "26")
    text = text.replace(
        "connectivity: fc}\n  - {name: B-ARRAY",
        "connectivity: fc, limits: {sync_max_mirrors: 128}}\n  - {name: B-ARRAY",
    ).replace(
        "flare: 26, connectivity: fc}\nlink",
        "flare: 26, connectivity: fc, limits: {sync_max_mirrors: 128}}\nlink",
    )
    d = design_of(text, tmp_path)
    assert d.models["A-CX3"].sync is not None
    assert d.models["A-CX3"].sync.max_mirrors == 128
    assert not d.recommendations


def test_array_luns_count_images_reserved_and_write_intent_logs() -> None:
    """Method §7 (v3) on the example (MV/S with the write intent log): Utrecht holds 224 secondary
    images, 224 reserved LUNs for SRM test snapshots and 2 write intent log LUNs = 450 LUNs
    (v3 §6: 224 more reserved LUNs for the protective snapshots).
    Amsterdam 224 primary images + 2 = 226."""
    d = Design(load_scenario(EXAMPLE))
    luns = d.array_luns_at(0)
    assert luns["UTR-CX4"].total == 224 + 448 + 2
    assert luns["AMS-CX4"].total == 224 + 2
    assert not list(CHECKS["ARRAY-LUNS"](d))


def test_initial_sync_warning_offers_seeding(tmp_path: Path) -> None:
    """Method §7 (v3): 16,513.44 GiB at the medium rate (425 Mbit/s) takes 16,513.44 ×
    8,589.934592 / 425 / 3,600 = 92.71 h > 72 h: a warning with the seeding options; at the
    High rate 46.36 h passes (the example's setting)."""
    d = Design(load_scenario(EXAMPLE))
    assert d.initial_sync_h == pytest.approx(46.356, abs=1e-3)
    assert not list(CHECKS["INITIAL-SYNC-LONG"](d))
    medium = design_of(BASE.replace("sync_rate: high", "sync_rate: medium"), tmp_path)
    (hit,) = CHECKS["INITIAL-SYNC-LONG"](medium)
    assert "93 h" in hit.message
    (finding,) = [f for f in medium.findings if f.id == "INITIAL-SYNC-LONG"]
    assert finding.remedy_verified
    assert "High rate" in finding.remedy


def test_connectivity_must_match(tmp_path: Path) -> None:
    """Method §3 (v3): a mirror joins ports of the same kind; FC to iSCSI is an error whose
    remedies (either array on the other's connectivity) are verified."""
    d = design_of(
        BASE.replace(
            "flare: 29, connectivity: fc}\n  - {name: UTR",
            "flare: 29, connectivity: iscsi}\n  - {name: UTR",
        ),
        tmp_path,
    )
    (f,) = [f for f in d.findings if f.id == "MIRROR-CONNECTIVITY"]
    assert f.severity == "error"
    assert f.subject == "AMS-CX4 → UTR-CX4"
    assert f.remedy_verified
    assert "over iSCSI" in f.remedy
    assert "over Fibre Channel" in f.remedy


def test_rpo_is_checked_every_year(tmp_path: Path) -> None:
    """Method §7 (v3): the MV/A RPO is computed for every year of growth; a design that meets
    its target today and misses it later reports the first year that misses."""
    d = Design(load_scenario(PARAMS / "async-long-distance.yaml"))
    worst = [d.async_cycle_at(y).worst_rpo_min for y in d.years]
    assert all(w is not None for w in worst)
    assert worst == sorted(worst)  # more users, longer updates
    target = math.floor((worst[0] + worst[-1]) / 2)  # met today, missed by the horizon
    tight = design_of(
        (PARAMS / "async-long-distance.yaml")
        .read_text(encoding="utf-8")
        .replace("rpo_min: 60", f"rpo_min: {target}"),
        tmp_path,
    )
    hits = list(CHECKS["RPO-TARGET"](tight))
    assert hits
    assert all(h.year > 0 for h in hits)


def test_many_outages_at_once_match_one_at_a_time() -> None:
    """The Monte Carlo's vectorised resync (outages grouped by their share of the day, VMs by
    their figures) gives each outage's ``resync_gib`` (Method §6), within the rounding of the
    share to 1e-9 of a day's activity."""
    rng = np.random.default_rng(1)
    for path in (EXAMPLE, PARAMS / "bidirectional.yaml"):
        d = Design(load_scenario(path))
        for x in d.directions:
            starts = rng.uniform(0, 24 * 60, 40)
            outages = rng.exponential(240, 40)
            many = d.resync_gib_many(x, starts, outages)
            one = [d.resync_gib(x, s, o) for s, o in zip(starts, outages, strict=True)]
            assert many == pytest.approx(one, rel=1e-6)
