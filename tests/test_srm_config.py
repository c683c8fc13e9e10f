"""The SRM configuration of the build book (Method §10): counts checked by hand on the examples, one
source with the runbook and the recovery model, and srm.xlsx read back."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from srmkit import Design, load_scenario
from srmkit.runbook import procedures
from srmkit.srm_config import (
    SRA,
    SrmConfiguration,
    protection_groups,
    srm_configuration,
    write_srm_xlsx,
)
from tests.conftest import EXAMPLE, EXAMPLES, PARAMS

HOSTILE = "=cmd|' /C calc'!A0"


@pytest.fixture(scope="module")
def designs() -> dict[str, Design]:
    """The three examples, each built once for the module."""
    return {
        "sync": Design(load_scenario(EXAMPLE)),
        "bidirectional": Design(load_scenario(PARAMS / "bidirectional.yaml")),
        "async": Design(load_scenario(PARAMS / "async-long-distance.yaml")),
    }


@pytest.fixture(scope="module")
def configs(designs: dict[str, Design]) -> dict[str, SrmConfiguration]:
    """The SRM configuration of each example."""
    return {k: srm_configuration(d) for k, d in designs.items()}


def test_example_counts_by_hand(configs: dict[str, SrmConfiguration]) -> None:
    """example.yaml: one array per site, Amsterdam protected, Utrecht recovering onto two ESX
    clusters; 7 protected VMs (six mailbox servers of two consistency groups each and the Hub
    Transport of one), 224 LUNs (6 × 37 + 2)."""
    c = configs["sync"]
    assert [(m.site, m.role, m.array, m.peer_arrays) for m in c.array_managers] == [
        ("Amsterdam", "protected", "AMS-CX4", ("UTR-CX4",)),
        ("Utrecht", "recovery", "UTR-CX4", ("AMS-CX4",)),
    ]
    assert all(m.adapter == SRA and m.sp_a_address is None for m in c.array_managers)
    kinds = [m.kind for m in c.inventory_mappings]
    assert kinds == [
        "Resource pool / cluster",
        "Resource pool / cluster",
        "VM folder",
        "Network",
        "Test network",
    ]
    assert [(p.recovery_site, p.placeholder_vms_count) for p in c.placeholder_datastores] == [
        ("Utrecht", 7)
    ]
    (pg,) = c.protection_groups
    assert pg.name == "Amsterdam Exchange"
    assert len(pg.datastore_groups) == 7
    assert [g.luns_count for g in pg.datastore_groups] == [37] * 6 + [2]
    assert pg.luns_count == 224
    assert pg.datastore_groups[0].consistency_groups == ("CG_EXMBX01_1", "CG_EXMBX01_2")
    # 5,040 s: the test's 224 LUNs × 15 s = 3,360 s, + 50 %, rounded up to whole minutes.
    assert c.sra_timeout_to_set_s == 5040
    assert c.settings[0].value.startswith("5,040 s")


def test_every_cg_is_in_exactly_one_datastore_group(designs: dict[str, Design]) -> None:
    """Each consistency group of the plan belongs to one datastore group of one protection
    group, and a datastore group holds all of its VMs' groups."""
    for design in designs.values():
        seen = [
            cg
            for pg in protection_groups(design)
            for g in pg.datastore_groups
            for cg in g.consistency_groups
        ]
        assert sorted(seen) == sorted(cg.name for cg in design.plan.cgs)


def test_protection_groups_are_the_runbooks(designs: dict[str, Design]) -> None:
    """The protection groups and recovery plans are those the runbook names: one source."""
    for design in designs.values():
        runbook = [(p.protection_group) for p in procedures(design) if p.key == "failover"]
        c = srm_configuration(design)
        assert [pg.name for pg in c.protection_groups] == runbook
        assert [p.name for p in c.recovery_plans] == [
            pg.recovery_plan for pg in c.protection_groups
        ]


def test_priority_groups_follow_the_recovery_model(designs: dict[str, Design]) -> None:
    """Each plan's priority groups hold the recovery model's VMs with its power-on minutes: the
    Hub Transport high, the mailbox servers normal (Method §8)."""
    for design in designs.values():
        hubs = {h.name for h in design.hubs}
        for plan in srm_configuration(design).recovery_plans:
            rec = design.recovery_of(plan.protected_site)
            by_step = {s.step: s for s in rec.steps}
            groups = [s for s in plan.steps if s.kind == "priority group"]
            expected = []
            if any(v in hubs for v in rec.vms):
                expected.append(("High", tuple(v for v in rec.vms if v in hubs)))
            expected.append(("Normal", tuple(v for v in rec.vms if v not in hubs)))
            assert [(s.priority, s.vms) for s in groups] == expected
            for s in groups:
                assert s.minutes == by_step[f"power on, {s.priority.lower()} priority"].minutes
            assert plan.steps[0].kind == plan.steps[1].kind == plan.steps[-1].kind == "message"


def test_example_priority_group_minutes_by_hand(configs: dict[str, SrmConfiguration]) -> None:
    """example.yaml, Method §8: 2 clusters × 2 hosts; each VM 3 min boot + 2 min IP
    customisation; the Hub Transport alone 5 min, six mailbox servers over four hosts 2 × 5 =
    10 min."""
    (plan,) = configs["sync"].recovery_plans
    assert [(s.priority, s.minutes) for s in plan.steps if s.kind == "priority group"] == [
        ("High", 5.0),
        ("Normal", 10.0),
    ]


def test_bidirectional_and_async_by_hand(configs: dict[str, SrmConfiguration]) -> None:
    """bidirectional.yaml: both sites protect and recover, two groups (4 and 3 VMs), two
    placeholder datastores, no IP customisation; async-long-distance.yaml: no protected Hub
    Transport (no high-priority group), three VMs to customise at Madrid."""
    b = configs["bidirectional"]
    assert {m.role for m in b.array_managers} == {"protected and recovery"}
    assert [(pg.name, len(pg.vms), len(pg.datastore_groups)) for pg in b.protection_groups] == [
        ("Leeds Exchange", 4, 4),
        ("Manchester Exchange", 3, 3),
    ]
    assert [p.recovery_site for p in b.placeholder_datastores] == ["Manchester", "Leeds"]
    assert not any(r.needed for r in b.ip_customisations)
    assert all(r.ip_address == "keeps its address" for r in b.ip_customisations)
    # 2,040 s: Leeds's test, 89 LUNs × 15 s = 1,335 s, + 50 % = 2,002.5 s, up to whole minutes.
    assert b.sra_timeout_to_set_s == 2040
    a = configs["async"]
    (plan,) = a.recovery_plans
    assert [s.priority for s in plan.steps if s.kind == "priority group"] == ["Normal"]
    assert len(plan.steps) == 4
    assert [len(g.consistency_groups) for g in a.protection_groups[0].datastore_groups] == [2] * 3
    assert a.sra_timeout_to_set_s == 1560


def test_ip_rows_are_the_protected_vms(
    designs: dict[str, Design], configs: dict[str, SrmConfiguration]
) -> None:
    """One IP customisation row per protected VM; where the subnet differs every address cell
    is left to fill in."""
    for key, design in designs.items():
        rows = configs[key].ip_customisations
        assert sorted(r.vm for r in rows) == sorted(v.name for v in design.vms)
        for r in rows:
            if r.needed:
                assert (r.ip_address, r.subnet_mask, r.gateway, r.dns_servers) == (None,) * 4
    assert all(r.needed for r in configs["sync"].ip_customisations)


def test_xlsx_reads_back(designs: dict[str, Design], tmp_path: Path) -> None:
    """srm.xlsx: an About sheet and one sheet per table, a bold frozen header, the cells to fill
    in highlighted, and no snake_case identifier in any header."""
    path = tmp_path / "srm.xlsx"
    write_srm_xlsx(designs["sync"], path)
    wb = load_workbook(path)
    assert wb.sheetnames == [
        "About",
        "Array managers",
        "Inventory mappings",
        "Placeholder datastores",
        "Protection groups",
        "Recovery plans",
        "IP customisation",
        "Settings",
    ]
    assert wb["About"]["B1"].value == "Northwind Traders"
    ip = wb["IP customisation"]
    headers = [c.value for c in ip[1]]
    assert headers[:6] == [
        "VM",
        "Protected site",
        "Recovery site",
        "Needed",
        "Adapter",
        "IP address",
    ]
    assert ip["A1"].font.bold
    assert ip.freeze_panes == "A2"
    address = ip.cell(row=2, column=headers.index("IP address") + 1)
    assert address.value is None
    assert address.fill.fgColor.rgb.endswith("FFF2CC")
    assert ip.cell(row=2, column=1).fill.fgColor.rgb != address.fill.fgColor.rgb
    assert ip.max_row == 1 + len(designs["sync"].vms)
    for ws in wb.worksheets[1:]:
        for cell in ws[1]:
            assert "_" not in str(cell.value), (ws.title, cell.value)
    pgs = wb["Protection groups"]
    assert pgs.max_row == 1 + 7


def test_hostile_customer_name_stays_text(designs: dict[str, Design], tmp_path: Path) -> None:
    """A customer name that a spreadsheet would run as a formula (DDE) is stored as text."""
    scenario = designs["sync"].scenario
    document = scenario.document.model_copy(update={"customer": HOSTILE})
    design = Design(scenario.model_copy(update={"document": document}))
    path = tmp_path / "srm.xlsx"
    write_srm_xlsx(design, path)
    cell = load_workbook(path)["About"]["B1"]
    assert cell.value == HOSTILE
    assert cell.data_type == "s"
    with zipfile.ZipFile(path) as z:
        xml = "".join(z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/"))
    assert "<f>" not in xml
    assert "<f " not in xml


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_every_example_configures(path: Path) -> None:
    """Every example yields a configuration: a protection group and a plan per protected site,
    an IP row per protected VM."""
    design = Design(load_scenario(path))
    c = srm_configuration(design)
    assert len(c.protection_groups) == len(c.recovery_plans) == len(design.directions)
    assert len(c.ip_customisations) == len(design.vms)
