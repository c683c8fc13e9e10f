"""CG planner and array fit (Method §7): hand-worked plans and properties."""

from __future__ import annotations

import json
import math

import pytest
from conftest import EXAMPLE, PARAMS, profile_only, run_cli
from hypothesis import given, settings
from hypothesis import strategies as st

from srmkit import load_scenario
from srmkit.design import Design
from srmkit.limits import catalogue
from srmkit.planner import ServerLuns, array_loads, cg_shares, pack, what_if

# Copies of the example in a temporary folder, where EXMBX01's Performance Monitor log is not:
# EXMBX01 sized from its profile (the plan counts LUNs, which do not depend on the measurement).
BASE = profile_only(EXAMPLE.read_text(encoding="utf-8"))


def test_example_plan_by_hand() -> None:
    """3,000 users × 0.5 GiB × 1.2 / 100 GiB = 18 SGs → 37 LUNs → 2 CGs (19 + 18) of ≤ 32 on a
    CX4-480; 6 servers: 222 mirrors in 12 CGs, plus the Hub Transport's 2 LUNs in a 13th."""
    d = Design(load_scenario(EXAMPLE))
    assert d.servers[0].storage_groups == 18
    plan = d.plan
    assert [cg.name for cg in plan.cgs][:2] == ["CG_EXMBX01_1", "CG_EXMBX01_2"]
    assert [cg.luns for cg in plan.cgs][:2] == [19, 18]
    assert plan.cgs[-1].name == "CG_Amsterdam-HT_1"
    assert [m.role for m in plan.cgs[-1].mirrors] == ["gos", "queue"]
    loads = [(a.mirrors, a.cgs, a.largest_cg_luns) for a in plan.arrays]
    assert loads == [(224, 13, 19), (224, 13, 19)]
    assert plan.feasible
    assert len(plan.cgs) == plan.lower_bound_cgs == 13  # 6 × ⌈37 / 32⌉ + 1


def test_bidirectional_counts_both_directions_on_each_array() -> None:
    """Each array carries its own VMs' mirrors (primary) and the other site's (secondary)."""
    plan = Design(load_scenario(PARAMS / "bidirectional.yaml")).plan
    total = len(plan.mirrors)
    assert [a.mirrors for a in plan.arrays] == [total, total]
    assert {cg.source_array for cg in plan.cgs} == {"LDS-CX4-480", "MAN-CX4-480"}


@pytest.mark.parametrize(("mode", "expected"), [("sync", "CX4-120"), ("async", None)])
def test_calc_cgs_12_servers_4_sgs_1_gos(mode: str, expected: str | None) -> None:
    """12 × (2 × 4 + 1) = 108 mirrors: MV/S → CX4-120 first fits; MV/A → none (108 > 100)."""
    result = run_cli(
        "calc",
        "cgs",
        "--servers",
        "12",
        "--storage-groups-per-server",
        "4",
        "--gos-luns-per-server",
        "1",
        "--mode",
        mode,
        "--format",
        "json",
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["luns_per_server"] == 9
    assert data["total_mirrors"] == 108
    assert data["recommended_model"] == expected
    if expected is None:
        cx4 = [m for m in data["models"] if m["model"].startswith("CX4")]
        assert all(m["blocking_limit"] == "LIMIT-MIRRORS" for m in cx4)
    else:
        assert data["cgs_per_server"] == 1
        assert data["total_cgs"] == 12


@pytest.mark.parametrize(
    ("limit", "sgs", "gos", "expected"),
    [
        (8, 4, 1, [(2, 1), (2, 0)]),
        (16, 9, 1, [(5, 0), (4, 1)]),
        (7, 7, 0, [(3, 0), (2, 0), (2, 0)]),
    ],
)
def test_cg_shares_even_and_odd_limits(
    limit: int, sgs: int, gos: int, expected: list[tuple[int, int]]
) -> None:
    """Storage groups spread evenly; odd limits (7) still keep DB+log pairs together."""
    assert cg_shares(sgs, gos, limit) == expected


def test_growth_first_break_year() -> None:
    """Example at 40 % growth a year: 18 → 26 → 36 → 50 SGs per server; year 3: 6 × 101 + 2 =
    608 mirrors > 512 on the CX4-480 (year 2: 6 × 73 + 2 = 440 fits)."""
    text = BASE.replace("users_per_year_fraction: 0.10", "users_per_year_fraction: 0.4")
    d = Design(load_scenario_text(text))
    assert [d.servers_at(y)[0].storage_groups for y in range(4)] == [18, 26, 36, 50]
    assert d.first_break_year == 3


def load_scenario_text(text: str):  # type: ignore[no-untyped-def]
    """Validate scenario text through a temporary file."""
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "s.yaml"
        path.write_text(text, encoding="utf-8")
        return load_scenario(path)


def test_recommended_model_for_the_example() -> None:
    """Today 224 mirrors fit a CX4-240 (256), but after 3 years at 10 %: 3,993 users → 24 SGs →
    49 LUNs × 6 + 2 = 296 mirrors > 256, so the smallest current model that fits at the horizon
    with 20 % of every limit free is the CX4-480 (296 / 512 = 58 %)."""
    d = Design(load_scenario(EXAMPLE))
    assert d.servers_at(3)[0].luns == 49
    assert d.recommended_model == "CX4-480"


def test_packed_policy_reaches_its_lower_bound() -> None:
    """Packed: 6 servers × 37 LUNs + 2 Hub Transport LUNs = 224 LUNs in ⌈224 / 32⌉ = 7 CGs."""
    text = BASE.replace("  write_intent_log: true", "  write_intent_log: true\n  cg_policy: packed")
    plan = Design(load_scenario_text(text)).plan
    assert len(plan.cgs) == plan.lower_bound_cgs == 7


servers_st = st.lists(st.tuples(st.integers(1, 30), st.integers(0, 3)), min_size=1, max_size=12)


@settings(max_examples=60, deadline=None)
@given(
    servers_st,
    st.sampled_from([m for m in catalogue() if m.mirrorview_supported]),
    st.sampled_from(["sync", "async"]),
    st.sampled_from(["per_server", "packed"]),
)
def test_plan_properties(servers: list[tuple[int, int]], model, mode, policy) -> None:  # type: ignore[no-untyped-def]
    """Never splits a storage group, reaches the fewest CGs by hand count, counts both arrays.

    The fewest CGs, counted independently of the planner: per server ``ceil(luns / max)``
    (every catalogue limit is even, so two-LUN storage groups always fit), or, packed,
    ``ceil(all luns / max)`` for the array pair.
    """
    luns = [
        ServerLuns(f"S{i}", "A", "B", sg, gos, 100.0, 10.0, 60.0)
        for i, (sg, gos) in enumerate(servers)
    ]
    limit = model.limits(mode).max_luns_per_cg
    assert limit % 2 == 0
    cgs = pack(luns, mode, {("A", "B"): limit}, policy)
    homes: dict[tuple[str, int], set[str]] = {}
    for m in (m for cg in cgs for m in cg.mirrors):
        if m.storage_group is not None:
            homes.setdefault((m.server, m.storage_group), set()).add(m.cg)
    assert all(len(h) == 1 for h in homes.values())
    assert len(homes) == sum(sg for sg, _ in servers)
    total = sum(2 * sg + gos for sg, gos in servers)
    fewest = (
        sum(math.ceil((2 * sg + gos) / limit) for sg, gos in servers)
        if policy == "per_server"
        else math.ceil(total / limit)
    )
    assert len(cgs) == fewest
    assert all(cg.luns <= limit for cg in cgs)
    for load in array_loads(cgs, [("A", model), ("B", model)], mode):
        assert (load.mirrors, load.cgs) == (total, len(cgs))
        lim = model.limits(mode)
        assert load.fits == (total <= lim.max_mirrors and len(cgs) <= lim.max_cgs)


def test_what_if_names_model_no_mirrorview() -> None:
    """The catalogue's AX4-5i is listed as not fitting because it cannot mirror."""
    row = next(m for m in what_if(1, 1, 1, "sync")["models"] if m["model"] == "AX4-5i")  # type: ignore[union-attr]
    assert row["blocking_limit"] == "MODEL-NO-MIRRORVIEW"


def test_plan_cli_json_and_csv() -> None:
    """`srmkit plan` reports per-array use, headroom, growth and the recommended model."""
    data = json.loads(run_cli("plan", str(EXAMPLE), "--format", "json").stdout)
    assert data["feasible"] is True
    assert data["verdict"] == "fits_with_warnings"
    assert data["recommendations"] == []
    assert data["cgs"] == data["lower_bound_cgs"] == 13
    assert data["arrays"][0]["mirrors"] == 224
    assert data["arrays"][0]["mirrors_headroom"] == 288
    assert data["recommended_model"] == "CX4-480"
    assert data["first_break_year"] is None
    csv_lines = run_cli("plan", str(EXAMPLE), "--format", "csv").stdout.splitlines()
    assert (
        csv_lines[0]
        == "server,storage_group,lun_role,capacity_gib,cg,source_array,target_array,mode"
    )
    assert len(csv_lines) == 225
    text = run_cli("plan", str(EXAMPLE)).stdout
    free = "recommended model (the smallest current one with 20% of every limit free in year 3)"
    assert f"{free}: CX4-480" in text
    assert "verdict: fits with warnings" in text
