"""Faults beyond a whole site or link: one storage processor's MirrorView path, and a reserved
LUN pool that fills (Method §5a, §8)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from srmkit import states
from srmkit.glossary import possessive
from srmkit.schema import SimEvent

if TYPE_CHECKING:
    from srmkit.simulation.run import _Run


def _owned(run: _Run, array: str, sp: str) -> list[int]:
    """The consistency groups whose mirrors run over ``sp``'s path on ``array``."""
    return [
        i
        for i, c in enumerate(run.m.cgs)
        if c.owner_sp == sp and array in (c.source_array, c.target_array)
    ]


def on_sp_path_failure(run: _Run, ev: SimEvent) -> None:
    """One SP's MirrorView path fails: the consistency groups it owns cannot reach their other
    side and fracture after the fracture timeout; the others keep mirroring over the peer SP's
    path (Method §4, §8)."""
    assert ev.array is not None
    assert ev.sp is not None
    key = (ev.array, ev.sp)
    name = f"MirrorView path of SP {ev.sp} on {ev.array}"
    if key in run.failed_paths:
        run.refuse(name, states.ACTION_NAMES[ev.event], "Down", "The path is already down")
        return
    run.failed_paths.add(key)
    owned = _owned(run, ev.array, ev.sp)
    names = ", ".join(run.m.cgs[i].name for i in owned) or "none"
    run.record_step(
        name,
        "path",
        "Up",
        "Down",
        ev.event,
        f"The path is lost: the consistency groups SP {ev.sp} owns ({names}) cannot reach their "
        "other side; the groups of the peer SP keep mirroring",
        "[S0]; Method §8",
    )
    if owned:
        run.fracture_after_timeout("path", owned)


def on_sp_path_restore(run: _Run, ev: SimEvent) -> None:
    assert ev.array is not None
    assert ev.sp is not None
    key = (ev.array, ev.sp)
    name = f"MirrorView path of SP {ev.sp} on {ev.array}"
    if key not in run.failed_paths:
        run.refuse(name, states.ACTION_NAMES[ev.event], "Up", "The path is up")
        return
    run.failed_paths.discard(key)
    run.record_step(name, "path", "Down", "Up", ev.event, "The path is repaired", "[S0]")
    run.regain_reach(_owned(run, ev.array, ev.sp))


def on_rlp_full(run: _Run, ev: SimEvent) -> None:
    """The reserved LUN pool of an array fills: an SRM test snapping that array's LUNs fails;
    MirrorView/A updates touching it stop and fracture (their secondaries roll back to the gold
    copy); MirrorView/S mirrors do not use the pool [S10]."""
    array = ev.array
    assert array is not None
    need = run.m.design.rlp.get(array)
    run.record_step(
        f"reserved LUN pool of {array}",
        "pool",
        "Free space",
        "Full",
        ev.event,
        "Copy-on-first-write data filled the pool",
        "[S10]; estimate",
    )
    for site, d in run.dirs.items():
        if d.plan != "testing":
            continue
        if any(run.m.cgs[i].target_array == array for i in run.m.directions[site].cgs):
            out = run.machine_step("plan", f"protection group {site}", d.plan, "rlp_full")
            if out.ok:
                d.plan = out.state
    rolled: list[int] = []
    interrupted = {site: run.interrupted_mib(site) for site in run.dirs}

    def ok(i: int, out: states.Outcome, before: str) -> None:
        if out.effect == "rollback":
            rolled.append(i)
        if run.cgs[i].fractured_at is None:
            run.cgs[i].fractured_at = run.t

    touching = [i for i, c in enumerate(run.m.cgs) if array in (c.source_array, c.target_array)]
    if run.m.mode == "async":
        run.image_step(touching, "rlp_full", record_refusals=False, on_ok=ok)
        for site, d in run.dirs.items():
            if all(run.cgs[i].state != "synchronizing/normal" for i in run.m.directions[site].cgs):
                d.in_flight = None
                d.update_token += 1
        if rolled:
            run.roll_back(rolled, interrupted)
    size = (
        f"; srmkit sizes it at {need.rlp_gib:,.0f} GiB in {need.reserved_luns:,} reserved LUNs"
        if need is not None and need.rlp_gib
        else ""
    )
    effect = (
        "the MirrorView/A mirrors touching it are fractured until the pool is enlarged and "
        "they are synchronised"
        if run.m.mode == "async"
        else "the MirrorView/S mirrors do not use the pool and carry on"
    )
    run.warnings.append(
        f"At {run.clock(run.t)} the reserved LUN pool of {array} filled: a test snapping its "
        f"LUNs fails, and {effect}. Size the pool for the busiest hours{size} [S10]."
    )
    for site in {run.m.cgs[i].from_site for i in rolled}:
        run.warnings.append(
            f"{possessive(site)} secondaries rolled back to their last completed update."
        )
