"""The recovery time, object by object (Method §8, v3).

SRM 1.0/4.x runs a recovery plan in steps whose length follows the objects it handles: one SRA
command promotes every consistency group and presents every LUN, one after another; each VMFS
datastore is resignatured and mounted in turn; the VMs of a priority group start one at a time
per recovery host; Exchange mounts every storage group of a server. Every term is an assumption
(a timed rehearsal replaces it through the scenario's ``measured:`` section) and the documents
show them one by one, so a reader can see what the RTO is made of and what would shorten it.

The declaration (the customer's decision to fail over) is a term of its own, shown beside the
plan's time ("N min after the decision"), and the users' reconnection (DNS, Active Directory,
Outlook) is reported as "users back" beside the RTO, not in it.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence

from srmkit.assumptions import Assumptions
from srmkit.glossary import plural
from srmkit.study_results import Recovery, RecoveryStep, ServerSizing, TestRecovery
from srmkit.units import SECONDS_PER_MIN, s_to_min


def _s(seconds: float) -> str:
    return f"{seconds:,.4g} s"


def _m(minutes: float) -> str:
    return f"{minutes:,.4g} min"


def _step(
    step: str,
    count: int,
    minutes: float,
    detail: str,
    uses: Sequence[str],
    measured: Collection[str],
) -> RecoveryStep:
    return RecoveryStep(step, count, minutes, detail, any(u in measured for u in uses))


def _power_on(
    a: Assumptions,
    vms: Sequence[ServerSizing],
    hosts: int,
    subnet_differs: bool,
    measured: Collection[str],
) -> list[RecoveryStep]:
    """The priority groups: the Hub Transport high, the mailbox servers normal; within a group
    the VMs start one at a time per recovery host, and the group lasts its busiest host's
    rounds. [min]"""
    per_vm = a.vm_boot_min + (a.ip_customization_min if subnet_differs else 0.0)
    uses = ("vm_boot_min", "ip_customization_min") if subnet_differs else ("vm_boot_min",)
    each = (
        f"{_m(a.vm_boot_min)} boot + {_m(a.ip_customization_min)} IP customisation"
        if subnet_differs
        else f"{_m(a.vm_boot_min)} boot"
    )
    out = []
    for label, kind in (("high", "hub"), ("normal", "mailbox")):
        group = [v for v in vms if (v.kind == "hub") == (kind == "hub")]
        if not group:
            continue
        rounds = math.ceil(len(group) / hosts)
        out.append(
            _step(
                f"power on, {label} priority",
                len(group),
                rounds * per_vm,
                f"{plural(len(group), 'VM')} over {plural(hosts, 'host')}: {rounds:,} × ({each})",
                uses,
                measured,
            )
        )
    return out


def recovery(
    a: Assumptions,
    from_site: str,
    to_site: str,
    vms: Sequence[ServerSizing],
    cgs: int,
    luns: int,
    hosts: int,
    subnet_differs: bool,
    site_lost: bool,
    rollback_mib: float = 0.0,
    measured: Collection[str] = (),
) -> Recovery:
    """The recovery plan of ``from_site``'s VMs at ``to_site``, term by term (Method §8).

    ``site_lost``: a disaster (force promotes; SRM first tries to reach the lost site) rather
    than a planned failover. ``rollback_mib``: the data of a MirrorView/A update the promote
    interrupts, rolled back to the gold copy first.
    """
    start = a.plan_start_min + (a.lost_site_timeout_min if site_lost else 0.0)
    promote_s = a.promote_force_s if site_lost else a.promote_s
    storage_s = a.sra_fixed_s + cgs * promote_s + luns * a.present_s
    kind = "force" if site_lost else "normal"
    steps = [
        _step(
            "plan start",
            1,
            start,
            f"{_m(a.plan_start_min)}"
            + (
                f" + {_m(a.lost_site_timeout_min)} trying to reach {from_site}" if site_lost else ""
            ),
            ("plan_start_min", "lost_site_timeout_min") if site_lost else ("plan_start_min",),
            measured,
        ),
        _step(
            "storage",
            cgs,
            float(s_to_min(storage_s)),
            f"{_s(a.sra_fixed_s)} + {plural(cgs, 'consistency group')} × {_s(promote_s)} "
            f"({kind} promote) + {plural(luns, 'LUN')} × {_s(a.present_s)} (present)",
            ("sra_fixed_s", "promote_force_s" if site_lost else "promote_s", "present_s"),
            measured,
        ),
    ]
    if rollback_mib > 0:
        steps.append(
            _step(
                "rollback",
                cgs,
                float(s_to_min(rollback_mib / a.rollback_mib_per_s)),
                f"{rollback_mib:,.0f} MiB of the interrupted update at "
                f"{a.rollback_mib_per_s:,.4g} MiB/s",
                ("rollback_mib_per_s",),
                measured,
            )
        )
    steps += _hosts_and_exchange(a, vms, luns, hosts, subnet_differs, measured)
    return Recovery(
        from_site,
        to_site,
        tuple(v.name for v in vms),
        cgs,
        luns,
        site_lost,
        tuple(steps),
        a.declare_min,
        a.client_reconnect_min,
        storage_s,
    )


def _hosts_and_exchange(
    a: Assumptions,
    vms: Sequence[ServerSizing],
    luns: int,
    hosts: int,
    subnet_differs: bool,
    measured: Collection[str],
) -> list[RecoveryStep]:
    """Rescan, mount, power on and Exchange: the same in a recovery and in a test."""
    largest = max((v.storage_groups for v in vms), default=0)
    return [
        _step(
            "rescan",
            a.rescans_count,
            float(s_to_min(a.rescans_count * a.rescan_s)),
            f"{plural(a.rescans_count, 'rescan')} × {_s(a.rescan_s)}, every host at once",
            ("rescans_count", "rescan_s"),
            measured,
        ),
        _step(
            "mount",
            luns,
            float(s_to_min(luns * a.mount_s)),
            f"{plural(luns, 'VMFS datastore')} × {_s(a.mount_s)} (resignature and mount, in turn)",
            ("mount_s",),
            measured,
        ),
        *_power_on(a, vms, hosts, subnet_differs, measured),
        _step(
            "Exchange",
            largest,
            a.exchange_services_min + float(s_to_min(largest * a.sg_mount_s)),
            f"{_m(a.exchange_services_min)} services + {plural(largest, 'storage group')} "
            f"× {_s(a.sg_mount_s)} (the largest server)",
            ("exchange_services_min", "sg_mount_s"),
            measured,
        ),
    ]


def failover_test_time(
    a: Assumptions,
    from_site: str,
    to_site: str,
    vms: Sequence[ServerSizing],
    luns: int,
    hosts: int,
    measured: Collection[str] = (),
) -> TestRecovery:
    """An SRM test of the plan: every secondary LUN snapped and presented in one SRA command,
    then the same rescan, mount, power-on and Exchange terms on the isolated test network (the
    VMs keep their addresses there: no IP customisation). MirrorView/A first waits for an update
    in progress; the simulator times that wait (Method §8)."""
    prepare_s = luns * a.test_snap_s
    steps = [
        _step(
            "prepare storage",
            luns,
            float(s_to_min(prepare_s)),
            f"{plural(luns, 'LUN')} × {_s(a.test_snap_s)} (snapshot, start, activate, present)",
            ("test_snap_s",),
            measured,
        ),
        *_hosts_and_exchange(a, vms, luns, hosts, False, measured),
    ]
    return TestRecovery(from_site, to_site, luns, prepare_s, tuple(steps))


def sra_timeout_to_set_s(a: Assumptions, longest_s: float) -> float:
    """The SRA command timeout srmkit advises: the longest storage step with the margin, rounded
    up to whole minutes. [s]"""
    with_margin = longest_s * (1 + a.sra_timeout_margin_fraction)
    return math.ceil(with_margin / SECONDS_PER_MIN) * SECONDS_PER_MIN
