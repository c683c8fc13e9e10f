"""The bill of materials of a design (Method §10, v3): what to order or install, how many, where,
and why, each line computed from the design and its LUN allocation.

- MirrorView/S or /A enabler on every array holding a mirror image; SnapView where the recovery
  array snaps its secondaries for SRM's test (and for protective snapshots or clones);
- SRM licences: one per protected VM, at the site it is protected from;
- on each site's SRM server: the MirrorView SRA and Navisphere CLI (naviseccli);
- capacity per array: secondary images, reserved LUN pool, protective clones with their clone
  private LUNs, the write intent log — the sums of the LUNs the build book binds;
- the recovery site's ESX memory and cores for the Exchange VMs it restarts:
  ``memory_base_gib + memory_mib_per_mailbox × mailboxes`` and ``⌈mailboxes ÷ mailboxes_per_core⌉``
  (at least one core per VM), today and at the end of the growth horizon.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from srmkit.glossary import plural
from srmkit.luns import Allocation
from srmkit.units import mib_to_gib

if TYPE_CHECKING:
    from srmkit.design import Design
    from srmkit.study_results import ServerSizing


CATEGORIES = ("licence", "software", "capacity", "compute")
"""The bill of materials' categories, in the order it lists them."""


@dataclass(frozen=True)
class BomLine:
    """One line of the bill of materials."""

    item: str
    quantity: float
    unit: str
    scope: str
    """Where it goes: an array, a site's SRM server or ESX cluster."""
    why: str
    """The design fact behind it, in words."""
    category: str
    """``licence``, ``software``, ``capacity`` or ``compute``."""
    quantity_at_horizon: float | None = None
    """The same at the end of the growth horizon, where growth changes it."""

    @property
    def quantity_text(self) -> str:
        """The quantity with sensible precision: whole counts, GiB to one decimal (two below
        10 GiB).

        >>> BomLine("x", 7, "licences", "", "", "licence").quantity_text
        '7'
        >>> BomLine("x", 16513.4375, "GiB", "", "", "capacity").quantity_text
        '16,513.4'
        >>> BomLine("x", 0.25, "GiB", "", "", "capacity").quantity_text
        '0.25'
        """
        if self.unit == "GiB":
            return f"{self.quantity:,.2f}" if self.quantity < 10 else f"{self.quantity:,.1f}"
        return f"{self.quantity:,.0f}"


def vm_memory_gib(design: Design, vm: ServerSizing) -> float:
    """Memory of one Exchange VM: ``memory_base_gib`` plus its mailboxes × the profile's memory
    per mailbox (Method §10). [GiB]"""
    a = design.a
    per_mailbox_mib = a.exchange_profiles[vm.profile].memory_mib_per_mailbox if vm.users else 0.0
    return a.memory_base_gib + float(mib_to_gib(per_mailbox_mib * vm.users))


def vm_cores(design: Design, vm: ServerSizing) -> int:
    """Processor cores of one Exchange VM: ⌈mailboxes ÷ mailboxes_per_core⌉, at least one
    (Method §10). [count]"""
    return max(1, math.ceil(vm.users / design.a.mailboxes_per_core - 1e-9))


def _software(design: Design) -> list[BomLine]:
    out: list[BomLine] = []
    for site in design.scenario.sites:
        vms = [v for v in design.vms if v.site == site.name]
        if vms:
            mailboxes = sum(1 for v in vms if v.kind != "hub")
            hubs = len(vms) - mailboxes
            what = plural(mailboxes, "mailbox server") + (
                f" and {plural(hubs, 'Hub Transport server')}" if hubs else ""
            )
            out.append(
                BomLine(
                    "VMware Site Recovery Manager licence (per protected VM)",
                    len(vms),
                    "licences",
                    f"{site.name} (protected site)",
                    f"{what} protected from {site.name}",
                    "licence",
                )
            )
    for site in design.scenario.sites:
        for item, why in (
            (
                "EMC MirrorView storage replication adapter (SRA)",
                "SRM drives the arrays' MirrorView through it [S0]",
            ),
            (
                "EMC Navisphere CLI (naviseccli)",
                "the SRA runs its commands through it; also runs the build book's scripts [S0]",
            ),
        ):
            out.append(BomLine(item, 1, "installation", f"{site.name} SRM server", why, "software"))
    return out


def _array_lines(design: Design, allocation: Allocation) -> list[BomLine]:
    out: list[BomLine] = []
    mode = "MirrorView/S" if design.is_sync else "MirrorView/A"
    for array in (a.name for a in design.scenario.arrays):
        counts = allocation.counts(array)
        images = counts["primary"] + counts["secondary"]
        if not images:
            continue
        groups = {x.cg for x in allocation.on(array) if x.cg}
        out.append(
            BomLine(
                f"EMC {mode} enabler",
                1,
                "licence",
                array,
                f"{plural(images, 'mirror image')} in {plural(len(groups), 'consistency group')}",
                "licence",
            )
        )
        reasons = []
        if counts["secondary"]:
            reasons.append(
                f"SRM's test failover snaps its {plural(counts['secondary'], 'secondary LUN')}"
            )
        copy = design.protective_copies.get(array)
        if copy is not None:
            reasons.append(f"protective {copy.kind}s before a resynchronisation")
        if reasons:
            out.append(
                BomLine("EMC SnapView enabler", 1, "licence", array, "; ".join(reasons), "licence")
            )
        for item, kinds, why in (
            ("Capacity for secondary images", ("secondary",), "the mirrors' secondary LUNs"),
            ("Reserved LUN pool", ("reserved",), _pool_why(design, array)),
            (
                "Capacity for protective clones",
                ("clone", "clone_private"),
                "a clone of every secondary LUN and the two clone private LUNs",
            ),
            ("Write intent log", ("write_intent_log",), "two LUNs, one per SP"),
        ):
            n = sum(counts[k] for k in kinds)
            if n:
                gib = allocation.capacity_gib(array, *kinds)
                out.append(
                    BomLine(
                        item, round(gib, 3), "GiB", array, f"{why} ({plural(n, 'LUN')})", "capacity"
                    )
                )
    return out


def _pool_why(design: Design, array: str) -> str:
    need = design.rlp.get(array)
    if need is None:
        return "reserved LUNs"
    parts = []
    if need.mva_gib:
        parts.append("MirrorView/A delta sets and gold copies")
    if need.test_gib:
        parts.append("SRM test snapshots")
    if need.protect_gib:
        parts.append("protective snapshots")
    return ", ".join(parts) or "reserved LUNs"


def _compute(design: Design) -> list[BomLine]:
    out: list[BomLine] = []
    horizon = design.horizon
    for site in design.scenario.sites:
        today = [v for v in design.vms if v.site != site.name]
        if not today:
            continue
        later = [v for v in design.vms_at(horizon) if v.site != site.name]
        memory = sum(vm_memory_gib(design, v) for v in today)
        cores = sum(vm_cores(design, v) for v in today)
        a = design.a
        profiles: dict[str, float] = {}
        for v in today:
            if v.users:
                profiles[v.profile] = profiles.get(v.profile, 0.0) + v.users
        per_profile = ", ".join(
            f"{users:,.0f} {name.replace('_', ' ')} mailboxes at "
            f"{a.exchange_profiles[name].memory_mib_per_mailbox:g} MiB"
            for name, users in profiles.items()
        )
        out.append(
            BomLine(
                "ESX memory for the recovered Exchange VMs",
                round(memory, 1),
                "GiB",
                f"{site.name} recovery cluster",
                f"{plural(len(today), 'VM')}: {a.memory_base_gib:g} GiB each plus "
                f"{per_profile} [S24], [S25]",
                "compute",
                round(sum(vm_memory_gib(design, v) for v in later), 1) if horizon else None,
            )
        )
        out.append(
            BomLine(
                "ESX processor cores for the recovered Exchange VMs",
                cores,
                "cores",
                f"{site.name} recovery cluster",
                f"{a.mailboxes_per_core:,} mailboxes per core, at least one per VM",
                "compute",
                sum(vm_cores(design, v) for v in later) if horizon else None,
            )
        )
    return out


def bill_of_materials(design: Design, allocation: Allocation) -> list[BomLine]:
    """Every line of the design's bill of materials: licences, software, capacity, compute (in
    that order; within each, sites and arrays in scenario order)."""
    lines = [*_software(design), *_array_lines(design, allocation), *_compute(design)]
    return sorted(lines, key=lambda x: CATEGORIES.index(x.category))
