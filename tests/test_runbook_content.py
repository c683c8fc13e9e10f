"""The runbook an operations team executes: every object named, a command per object where the
operators act, the expected result, and the same durations as the design and the simulator."""

from __future__ import annotations

import json
import re

import pytest

from srmkit import Design, load_scenario
from srmkit.commands import command, forms
from srmkit.runbook import procedures
from tests.conftest import EXAMPLE, EXAMPLES, PARAMS, run_cli

UNBOUNDED = PARAMS / "unbounded-async.yaml"


@pytest.mark.parametrize("path", [EXAMPLE, UNBOUNDED], ids=["sync", "async-unbounded"])
def test_every_consistency_group_and_vm_is_named(path: object) -> None:
    design = Design(load_scenario(path))  # type: ignore[arg-type]
    for p in procedures(design):
        for s in p.steps:
            assert not re.search(r"and \d[\d,]* more", s.text), s.text
    failover = next(p for p in procedures(design) if p.key == "failover")
    commands = "\n".join(c for s in failover.steps for c in s.commands)
    text = "\n".join(s.text for s in failover.steps)
    for cg in design.plan.cgs:
        assert cg.name in text
    # The storage step's check lists every group of the recovery array, once per array.
    assert commands.count("-listgroups") == len({cg.target_array for cg in design.plan.cgs})
    manual = next(p for p in procedures(design) if p.key == "manual_recovery")
    promoted = "\n".join(manual.steps[0].commands)
    for cg in design.plan.cgs:
        assert f'-promotegroup -name "{cg.name}"' in promoted, cg.name
    for vm in design.recovery.vms:
        assert vm in text


def test_a_command_per_group_for_each_manual_array_action() -> None:
    """Recovery without SRM promotes each group by hand: one local promote per group, on the
    recovery array's SP; link loss synchronises each group by hand with the Manual policy."""
    design = Design(load_scenario(EXAMPLE))
    cgs = [cg.name for cg in design.plan.cgs]
    manual = next(p for p in procedures(design) if p.key == "manual_recovery")
    promote = manual.steps[0]
    assert promote.actor == "array"
    assert promote.commands == tuple(
        f'naviseccli -h "<UTR-CX4 SP A>" mirror -sync -promotegroup -name "{cg}" -type local -o'
        for cg in cgs
    )
    assert promote.expected
    assert promote.sources
    link = next(p for p in procedures(design) if p.key == "link_loss")
    sync = [s for s in link.steps if any("-syncgroup" in c for c in s.commands)]
    assert len(sync) == 1
    assert len(sync[0].commands) == len(cgs)


def test_every_form_names_its_source_and_refuses_unsafe_names() -> None:
    for form in forms().values():
        assert re.fullmatch(r"\[S\d+\](; \[S\d+\])*", form.source), form.key
        assert form.actor in ("array", "esx", "windows", "network")
        assert form.expected
    with pytest.raises(ValueError, match="cannot quote"):
        command("mirror_sync_listgroups", sp="x", cg='CG"; rm -rf /')
    with pytest.raises(KeyError, match="needs cg"):
        command("mirror_sync_listgroups", sp="x")


def test_size_the_runbook_and_the_design_agree_on_every_recovery_term() -> None:
    """`size` JSON, the design's recovery and the runbook's failover steps give the same minutes,
    term by term, for every example (declaration first, then the plan's terms)."""
    for path in EXAMPLES:
        design = Design(load_scenario(path))
        data = json.loads(run_cli("size", str(path), "--format", "json").stdout)
        for site in data["recovery"]["sites"]:
            r = design.recovery_of(site["from_site"])
            assert [s["minutes"] for s in site["steps"]] == pytest.approx(
                [s.minutes for s in r.steps], abs=1e-3
            )
            assert site["rto_min"] == pytest.approx(r.rto_min, abs=1e-3)
            failover = next(
                p
                for p in procedures(design)
                if p.key == "failover" and p.protection_group == f"{site['from_site']} Exchange"
            )
            timed = [s.minutes for s in failover.steps if s.minutes is not None]
            assert timed == pytest.approx([r.declare_min, *(s.minutes for s in r.steps)])
