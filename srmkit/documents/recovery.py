"""The design document's storage for recovery and recovery time: the reserved LUN pool
(MirrorView/A, test snapshots and protective snapshots), the protective copy of the secondaries
(Method §6), and the recovery time term by term with the declaration and the users'
reconnection shown apart (Method §8). Every number comes from the :class:`~srmkit.design.Design`.
"""

from __future__ import annotations

from srmkit.design import Design
from srmkit.documents.blocks import Book, Col, Html, join, paragraph
from srmkit.documents.dr_runbook import duration
from srmkit.glossary import possessive
from srmkit.units import s_to_min


def _protective_text(design: Design) -> str:
    """What protects the secondaries before a resynchronisation, and what it costs."""
    if not design.is_sync:
        return (
            "MirrorView/A keeps a gold copy of every secondary during each update and rolls back "
            "to it when an update is interrupted: no further protective copy is needed [S9]."
        )
    kind = design.scenario.replication.protective_copy
    if kind == "none":
        return (
            "No protective copy is configured: a resynchronisation after a link loss overwrites "
            "the only consistent copy at the recovery site until it ends (a warning of the "
            "review)."
        )
    parts = []
    for c in design.protective_copies.values():
        if c.kind == "snapshot":
            parts.append(
                f"on {c.array}, a SnapView session on each of its {c.luns:,} secondary LUNs, "
                f"started when the link is lost ({c.take_min:,.0f} min), with "
                f"{c.rlp_gib:,.0f} GiB of reserved LUN pool for the extents a "
                f"{design.a.protective_outage_h:g}-hour outage from the busiest hour "
                f"resynchronises (× {design.a.cofw_amplification:g} copy-on-first-write) and one "
                "reserved LUN per secondary LUN"
            )
        else:
            parts.append(
                f"on {c.array}, a SnapView clone of each of its {c.luns:,} secondary LUNs, kept "
                f"synchronised and fractured when the link is lost: {c.capacity_gib:,.0f} GiB "
                f"more storage (clones and {c.private_luns} clone private LUNs), a "
                f"{c.go_live_sync_h:,.1f} h clone synchronisation before go-live and double "
                "writes on the recovery array"
            )
    return (
        "Before any resynchronisation overwrites a fractured secondary, the design keeps a "
        "protective copy of it (Method §6): "
        + "; ".join(parts)
        + ". SnapView must be licensed on "
        + ("each recovery array" if len(parts) > 1 else "the recovery array")
        + " [S0]."
    )


def reserved_lun_pool(b: Book, design: Design) -> Html:
    """The reserved LUN pool each array needs for MirrorView/A, SRM test snapshots and the
    protective snapshots, and the protective copy (Method §5, §5a, §6)."""
    rows = [
        [n.array, n.mva_gib, n.test_gib, n.protect_gib, n.rlp_gib, n.reserved_luns]
        for n in design.rlp.values()
        if n.rlp_gib
    ]
    a = design.a
    mva = (
        "MirrorView/A keeps a delta set on the source array and a gold copy on the target "
        f"during each update: the pool holds at least {a.rlp_fraction:,.0%} of the mirrored "
        "capacity or the largest delta set with a safety margin [S10]. "
        if not design.is_sync
        else ""
    )
    return join(
        b.h1("Reserved LUN pool and protective copies"),
        paragraph(
            f"{mva}An SRM test failover snaps every secondary LUN on the recovery array while "
            "mirroring continues; the snapshots' copy-on-first-write data needs room in the "
            f"reserved LUN pool for the {a.test_duration_h:g}-hour test, and one reserved LUN "
            "per snapped LUN [S0] [S11] (Method §5a)."
        ),
        paragraph(_protective_text(design)),
        b.table(
            "Reserved LUN pool per array",
            [
                Col("Array"),
                Col("MirrorView/A (GiB)", 0),
                Col("Test snapshots (GiB)", 0),
                Col("Protective snapshots (GiB)", 0),
                Col("To configure (GiB)", 0),
                Col("Reserved LUNs at least", 0),
            ],
            rows,
        )
        if rows
        else paragraph("No array needs a reserved LUN pool."),
    )


def _origin(design: Design, measured: bool) -> str:
    if not measured:
        return "estimate"
    m = design.scenario.measured
    when = f" of {m.rehearsed_on:%d %B %Y}" if m is not None and m.rehearsed_on else ""
    return f"measured in the rehearsal{when}"


def recovery_time_section(b: Book, design: Design) -> Html:
    """The recovery time of every protection group, term by term (Method §8, v3)."""
    parts = [
        b.h1("Recovery time"),
        paragraph(
            "SRM 1.0/4.x recovers a protection group in steps whose length follows the objects "
            "it handles: one SRA command promotes every consistency group and presents every "
            "LUN in turn; each VMFS datastore is resignatured and mounted in turn; the VMs of a "
            "priority group start one at a time on each recovery host; Exchange mounts every "
            "storage group. The estimate adds these terms (Method §8); a timed rehearsal "
            "replaces any of them, and the table says which are measured."
        ),
    ]
    target = design.scenario.targets.rto_min
    for r in design.recoveries:
        hosts = design.recovery_hosts(r.to_site)
        parts += [
            b.h2(f"Recovering {possessive(r.from_site)} VMs at {r.to_site}"),
            paragraph(
                f"After {possessive(r.from_site)} loss the recovery plan takes "
                f"{duration(r.after_decision_min)} after the decision to fail over; with "
                f"{r.declare_min:g} min for the decision the RTO is {duration(r.rto_min)} "
                f"against a target of {target:g} min "
                f"({'met' if r.rto_min <= target else 'not met'}). Users are back about "
                f"{duration(r.users_back_min)} after the disaster, once DNS, Active Directory "
                f"and Outlook have caught up ({r.client_reconnect_min:g} min). "
                f"{len(r.vms):,} VMs start on {hosts:,} recovery hosts."
            ),
            b.table(
                f"Recovery time of {possessive(r.from_site)} VMs at {r.to_site}, term by term",
                [
                    Col("Term"),
                    Col("Objects", 0),
                    Col("Minutes", 1),
                    Col("Made up of"),
                    Col("Origin"),
                ],
                [
                    [s.step.capitalize(), s.count, s.minutes, s.detail, _origin(design, s.measured)]
                    for s in r.steps
                ],
                total=["After the decision", None, r.after_decision_min, "", ""],
            ),
        ]
    parts.append(_sra_paragraph(design))
    return join(*parts)


def _sra_paragraph(design: Design) -> Html:
    """SRM's SRA command timeout against the longest storage step (recovery or test)."""
    listed = "; ".join(
        f"the {kind} of {site}: {s:,.0f} s ({s_to_min(s):,.1f} min)"
        for (site, kind), s in design.sra_steps_s.items()
    )
    timeout = design.a.sra_timeout_s
    value = design.sra_timeout_to_set_s
    if value <= timeout:
        verdict = f"All of them finish within SRM's SRA command timeout of {timeout:,.0f} s."
    else:
        verdict = (
            f"SRM stops an SRA command after {timeout:,.0f} s [S7]: raise the timeout to "
            f"{value:,.0f} s ({s_to_min(value):,.0f} min) at both sites before the first test, "
            "or the test and the recovery fail in their storage step."
        )
    return paragraph(f"The SRA's storage commands run as one call each: {listed}. {verdict}")
