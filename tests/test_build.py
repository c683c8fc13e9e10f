"""The build book's LUN allocation, bill of materials and files (Method §10, v3): equal block
counts on both images, SPs balanced, every LUN the array count names, the bill of materials by
hand, and ``srmkit build`` writing everything or nothing."""

from __future__ import annotations

import csv
import json
import math
from collections import Counter
from functools import cache
from pathlib import Path

import pytest
from conftest import EXAMPLE, EXAMPLES, profile_only, run_cli

from srmkit import Design, load_scenario
from srmkit.luns import lun_blocks
from srmkit.names import array_safe, collisions, is_array_safe, mirror_name
from srmkit.params import ScenarioError

# Copies of the example in a temporary folder, where EXMBX01's Performance Monitor log is not:
# EXMBX01 sized from its profile (what they test does not depend on the measurement).
BASE = profile_only(EXAMPLE.read_text(encoding="utf-8"))


@cache
def design(path: Path) -> Design:
    return Design(load_scenario(path))


# --- LUN allocation --------------------------------------------------------------------------


def test_block_counts_by_hand() -> None:
    """131.25 GiB = 131.25 × 2^30 / 512 = 275,251,200 blocks; the log LUN of 17.578125 GiB is
    18,000 MiB = 36,864,000 blocks; a size that is not whole MiB is rounded up."""
    assert lun_blocks(131.24999999999997, 1) == 275_251_200
    assert lun_blocks(17.578125, 1) == 36_864_000
    assert lun_blocks(1.0 + 1e-6, 1) == 2_099_200  # 1,025 MiB
    assert lun_blocks(1.0, 64) == 2_097_152


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_both_images_of_every_mirror_are_equal(path: Path) -> None:
    """Same LUN number, block count, SP and name on both arrays; numbers and names unique on
    each array; names array-safe; every LUN of a consistency group on the group's SP."""
    d = design(path)
    allocation = d.build.allocation
    images: dict[str, list[tuple[str, int, int, str]]] = {}
    for x in allocation.luns:
        assert is_array_safe(x.name), x.name
        if x.mirror:
            images.setdefault(x.mirror, []).append((x.array, x.lun, x.blocks, x.sp))
            assert x.sp == allocation.cg_sp[x.cg]
    assert len(images) == len(d.plan.mirrors)
    for mirror, pair in images.items():
        (a1, n1, b1, sp1), (a2, n2, b2, sp2) = pair
        assert a1 != a2, mirror
        assert (n1, b1, sp1) == (n2, b2, sp2), mirror
    for array in (a.name for a in d.scenario.arrays):
        luns = allocation.on(array)
        assert len({x.lun for x in luns}) == len(luns)
        assert len({x.name.casefold() for x in luns}) == len(luns)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_every_lun_the_array_count_names_is_allocated(path: Path) -> None:
    """The allocation binds exactly the LUNs the ARRAY-LUNS check counts, kind by kind."""
    d = design(path)
    allocation = d.build.allocation
    for array, count in d.array_luns_at(0).items():
        kinds = allocation.counts(array)
        assert kinds["primary"] + kinds["secondary"] == count.images
        assert kinds["reserved"] == count.reserved
        assert kinds["write_intent_log"] == count.write_intent_log
        assert kinds["clone"] + kinds["clone_private"] == count.clones


def test_reserved_luns_hold_the_pool_and_clones_copy_their_secondary(tmp_path: Path) -> None:
    """The reserved LUNs of an array add up to at least its reserved LUN pool (each rounded up
    to whole MiB); protective clones: one per secondary, same blocks and SP, and two private
    LUNs, one per SP."""
    d = design(EXAMPLE)
    for array, need in d.rlp.items():
        got = d.build.allocation.capacity_gib(array, "reserved")
        assert got >= need.rlp_gib
        assert got - need.rlp_gib <= need.reserved_luns / 1024  # under one MiB each
    text = BASE.replace("  sync_rate: high", "  sync_rate: high\n  protective_copy: clone")
    path = tmp_path / "clone.yaml"
    path.write_text(text, encoding="utf-8")
    allocation = Design(load_scenario(path)).build.allocation
    secondaries = {x.name: x for x in allocation.of("UTR-CX4", "secondary")}
    clones = allocation.of("UTR-CX4", "clone")
    assert len(clones) == len(secondaries)
    for c in clones:
        assert (c.blocks, c.sp) == (secondaries[c.serves].blocks, secondaries[c.serves].sp)
    assert sorted(x.sp for x in allocation.of("UTR-CX4", "clone_private")) == ["A", "B"]


def test_names() -> None:
    assert mirror_name("EXMBX01", "db", 3) == "EXMBX01_SG03_DB"
    assert array_safe("AMS.CX4") == "AMS_CX4"
    assert collisions(["AMS.CX4", "UTR", "ams_cx4"]) == {2: 0}
    for hostile in ("$(reboot)", "a`b`", 'x"y', "a\nb", "ＡＭＳ1", "a b", "x" * 70):
        assert not is_array_safe(hostile)
        assert is_array_safe(array_safe(hostile))
    with pytest.raises(ValueError, match="no letter or digit"):
        array_safe("ＡＭＳ")


def test_names_that_become_the_same_are_refused_with_file_and_line(tmp_path: Path) -> None:
    text = BASE.replace("name: UTR-CX4", "name: AMS.CX4")
    text = text.replace("UTR-CX4", "AMS.CX4").replace("name: AMS-CX4", "name: AMS_CX4")
    text = text.replace("AMS-CX4", "AMS_CX4")
    path = tmp_path / "clash.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    [problem] = caught.value.problems
    assert "AMS.CX4" in str(problem)
    assert "AMS_CX4" in str(problem)
    assert "clash.yaml:" in str(problem)


# --- bill of materials -----------------------------------------------------------------------


def test_bill_of_materials_of_the_example_by_hand() -> None:
    """Northwind: 6 mailbox servers of 3,000 heavy mailboxes and a protected Hub Transport,
    Amsterdam → Utrecht, MirrorView/S with the write intent log, protective snapshots.

    - SRM licences: 6 + 1 = 7 protected VMs; SRA and naviseccli on each of the 2 SRM servers;
    - MirrorView/S enabler on both arrays (224 images each); SnapView on Utrecht only;
    - memory: 6 × (2 GiB + 3,000 × 5 MiB) + 2 GiB = 6 × 16.6484 + 2 = 101.89 GiB; year 3:
      ⌈3,000 × 1.1³⌉ = 3,993 mailboxes: 6 × (2 + 3,993 × 5 / 1,024) + 2 = 130.98 GiB;
    - cores: 6 × ⌈3,000 / 1,000⌉ + 1 = 19; year 3: 6 × 4 + 1 = 25;
    - write intent log: 2 × 128 MiB = 0.25 GiB per array."""
    d = design(EXAMPLE)
    lines = {(x.item, x.scope): x for x in d.build.bom}
    srm = lines[
        ("VMware Site Recovery Manager licence (per protected VM)", "Amsterdam (protected site)")
    ]
    assert srm.quantity == 7
    assert sum(1 for k in lines if "SRA" in k[0]) == 2
    assert sum(1 for k in lines if "naviseccli" in k[0]) == 2
    assert {k[1] for k in lines if k[0] == "EMC MirrorView/S enabler"} == {"AMS-CX4", "UTR-CX4"}
    assert {k[1] for k in lines if k[0] == "EMC SnapView enabler"} == {"UTR-CX4"}
    memory = lines[("ESX memory for the recovered Exchange VMs", "Utrecht recovery cluster")]
    assert memory.quantity == pytest.approx(6 * (2 + 3000 * 5 / 1024) + 2, abs=0.05)
    users_y3 = [v.users for v in d.vms_at(3) if v.kind != "hub"]
    assert users_y3 == pytest.approx([3993] * 6, abs=1)
    assert memory.quantity_at_horizon == pytest.approx(
        sum(2 + u * 5 / 1024 for u in users_y3) + 2, abs=0.05
    )
    cores = lines[
        ("ESX processor cores for the recovered Exchange VMs", "Utrecht recovery cluster")
    ]
    assert (cores.quantity, cores.quantity_at_horizon) == (19, 25)
    for array in ("AMS-CX4", "UTR-CX4"):
        assert lines[("Write intent log", array)].quantity == 0.25
    secondary = lines[("Capacity for secondary images", "UTR-CX4")]
    assert secondary.quantity == pytest.approx(
        sum(math.ceil(m.capacity_gib * 1024 - 1e-9) / 1024 for m in d.plan.mirrors), abs=0.001
    )


def test_bill_of_materials_of_an_async_design_has_no_write_intent_log() -> None:
    d = design(EXAMPLE.with_name("async-long-distance.yaml"))
    items = Counter(x.item for x in d.build.bom)
    assert items["EMC MirrorView/A enabler"] == 2
    assert items["Write intent log"] == 0
    assert items["Reserved LUN pool"] == 2  # delta sets on both arrays, test snapshots at Madrid


# --- srmkit build ------------------------------------------------------------------------------


def test_build_writes_every_file_and_never_overwrites_unless_asked(tmp_path: Path) -> None:
    out = tmp_path / "build"
    result = run_cli("build", str(EXAMPLE), "--out", str(out))
    assert result.returncode == 0, result.stderr
    names = sorted(p.name for p in out.iterdir())
    assert names == ["bom.csv", "luns.csv", "naviseccli", "srm.xlsx"]
    assert sorted(p.suffix for p in (out / "naviseccli").iterdir()) == [
        ".cmd",
        ".cmd",
        ".sh",
        ".sh",
    ]
    with (out / "luns.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    d = design(EXAMPLE)
    assert len(rows) == sum(len(d.build.allocation.on(a.name)) for a in d.scenario.arrays)
    assert "bill of materials:" in result.stdout
    assert "SP A" in result.stdout
    before = (out / "luns.csv").stat().st_mtime_ns
    again = run_cli("build", str(EXAMPLE), "--out", str(out))
    assert again.returncode == 2
    assert "already holds" in again.stderr
    assert "--overwrite" in again.stderr
    assert (out / "luns.csv").stat().st_mtime_ns == before
    forced = run_cli("build", str(EXAMPLE), "--out", str(out), "--overwrite", "--format", "json")
    assert forced.returncode == 0
    data = json.loads(forced.stdout)
    assert data["mirrors"] == 224
    [srm] = [x for x in data["bom"] if x["item"].startswith("VMware Site Recovery Manager")]
    assert srm["quantity"] == 7
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".tmp")]


def test_build_of_a_failing_design_marks_it_and_exits_1(tmp_path: Path) -> None:
    out = tmp_path / "build"
    result = run_cli("build", str(EXAMPLE.with_name("cx3-upgrade.yaml")), "--out", str(out))
    assert result.returncode == 1
    assert "NOT FOR IMPLEMENTATION" in result.stdout
    assert (out / "luns.csv").exists()


def test_build_of_an_invalid_file_writes_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        BASE.replace("bandwidth_mbps: 1000", "bandwidth_mbps: fast"),
        encoding="utf-8",
    )
    out = tmp_path / "build"
    result = run_cli("build", str(bad), "--out", str(out))
    assert result.returncode == 2
    assert "bad.yaml:" in result.stderr
    assert "bandwidth_mbps" in result.stderr
    assert not out.exists()


def test_csv_cells_never_become_formulas(tmp_path: Path) -> None:
    out = tmp_path / "b"
    assert run_cli("build", str(EXAMPLE), "--out", str(out)).returncode == 0
    for name in ("luns.csv", "bom.csv"):
        for row in csv.reader((out / name).open(encoding="utf-8")):
            assert not any(cell.startswith(("=", "+", "@")) for cell in row), row
