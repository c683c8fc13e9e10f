"""Network and ports requirements, and the acceptance test plan (Method §10, v3).

What the network team builds and what the customer signs off, computed from the design:

- the MirrorView connections of every array pair, SP A to SP A and SP B to SP B (Fibre Channel
  zoning, or iSCSI connections), with the MirrorView port of each SP to fill in;
- the link the design assumes (rate, distance, round trip, peak-hour use) and, for iSCSI
  mirroring, the TCP window;
- the firewall ports between the SRM servers, the vCenter servers and the storage processors,
  each with its source, or marked to confirm with the vendor where no public source was found;
- the tests that accept the build: link, Jetstress with mirroring on, SRM test failover, a
  timed planned failover whose timings feed the scenario's ``measured:`` section, link-loss and
  storage-processor drills, the MirrorView/A recovery point check and the alerting test. Every
  acceptance criterion is worked out from the design's own figures (never fixed prose), so a
  MirrorView/S and a MirrorView/A design get different tests.

Numbers are returned in fields named with their units, each criterion with a ready sentence.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Literal

from srmkit.assumption_rows import assumption_rows
from srmkit.assumptions import MEASURABLE
from srmkit.commands import command, sp
from srmkit.design import Design
from srmkit.glossary import CONNECTIVITY, names, or_unbounded, profile
from srmkit.runbook import planned_final_update_min
from srmkit.runbook_core import Group, group
from srmkit.simulation import LONG_OUTAGE_H, LONG_OUTAGE_START_MIN
from srmkit.study_results import ServerSizing
from srmkit.units import clock_text, h_to_min

TO_CONFIRM = "to confirm with the vendor"
"""The reference of a port no public source was found for."""
SRM_PORTS = "[S28]"
"""VMware, SRM 4.0 Administration Guide, Table 1-3 "How SRM Uses Network Ports"."""
NAVISECCLI_PORT = "[S61]"
"""Navisphere Secure CLI to a storage processor: TCP 443 by default (and 80) (NetApp's
CLARiiON/VNX block data collector, which runs naviseccli against each SP)."""
ISCSI_PORT = "[S62]"
"""IETF RFC 3720, iSCSI: the well-known TCP port 3260."""
ISCSI_TCP_PORT = 3260
"""iSCSI's well-known TCP port [S62]."""
SPS = ("A", "B")
WITHIN, BETWEEN = "within a site", "between the sites"

Comparison = Literal["at most", "at least", ""]


# --- network and ports -------------------------------------------------------------------------


@dataclass(frozen=True)
class MirrorConnection:
    """One MirrorView path between two storage processors of an array pair (Method §10)."""

    array: str
    sp: str
    """``A`` or ``B``: MirrorView joins SP A to SP A and SP B to SP B."""
    peer_array: str
    peer_sp: str
    connectivity: str
    """``Fibre Channel`` or ``iSCSI``."""
    text: str
    mirrorview_port: str | None = None
    """The SP's MirrorView port; None: to fill in."""
    peer_mirrorview_port: str | None = None


@dataclass(frozen=True)
class LinkRequirement:
    """The replication link the design assumes (Method §3, §4)."""

    bandwidth_mbps: float
    """The line as sold. [Mbit/s]"""
    replication_rate_mbps: float
    """What replication gets: line × efficiency × share. [Mbit/s]"""
    effective_rate_mbps: float
    """What the design assumes each direction carries (a TCP window may cap it). [Mbit/s]"""
    distance_km: float
    route_km: float
    rtt_ms: float
    """The round trip the design computes (fibre route and network equipment). [ms]"""
    peak_mbps: float
    """The busiest direction's peak-hour replication. [Mbit/s]"""
    peak_utilization_fraction: float
    busiest_direction: str
    connectivity: str
    text: str


@dataclass(frozen=True)
class TcpWindow:
    """MirrorView over iSCSI runs over TCP: the window caps each connection (Method §3)."""

    window_kib: float
    sessions_count: int
    cap_mbps: float | None
    """What the connections carry at the round trip; None when a WAN optimiser ends TCP
    locally. [Mbit/s]"""
    window_to_lift_kib: float
    """The window per connection that lets the replication rate through. [KiB]"""
    binds: bool
    wan_optimised: bool
    text: str


@dataclass(frozen=True)
class FirewallRule:
    """A port to open between two components, with its source."""

    source: str
    destination: str
    port: int | None
    """None: the port is to confirm with the vendor."""
    transport: str
    protocol: str
    scope: str
    """``within a site`` or ``between the sites``."""
    purpose: str
    reference: str
    """A citation (``[S28]``) or ``to confirm with the vendor``."""


@dataclass(frozen=True)
class NetworkRequirements:
    connections: tuple[MirrorConnection, ...]
    link: LinkRequirement
    tcp_window: TcpWindow | None
    """None for Fibre Channel mirroring."""
    firewall: tuple[FirewallRule, ...]


def _array_pairs(design: Design) -> list[tuple[str, str]]:
    """Every pair of arrays some mirror joins, in plan order (each pair once, either way)."""
    out: dict[frozenset[str], tuple[str, str]] = {}
    for cg in design.plan.cgs:
        out.setdefault(
            frozenset((cg.source_array, cg.target_array)), (cg.source_array, cg.target_array)
        )
    return list(out.values())


def mirror_connections(design: Design) -> tuple[MirrorConnection, ...]:
    """Per array pair, SP A ↔ SP A and SP B ↔ SP B over the pair's connectivity; each SP's
    MirrorView port to fill in (Method §10)."""
    kinds = {a.name: a.connectivity for a in design.scenario.arrays}
    out = []
    for one, two in _array_pairs(design):
        iscsi = "iscsi" in (kinds[one], kinds[two])
        for s in SPS:
            text = (
                f"iSCSI connection from the MirrorView port of SP {s} of {one} to the MirrorView "
                f"port of SP {s} of {two} (TCP {ISCSI_TCP_PORT}, both ways)"
                if iscsi
                else f"Fibre Channel zone holding the MirrorView port of SP {s} of {one} and the "
                f"MirrorView port of SP {s} of {two}"
            )
            out.append(
                MirrorConnection(
                    one, s, two, s, CONNECTIVITY["iscsi" if iscsi else "fc"], text + "."
                )
            )
    return tuple(out)


def link_requirement(design: Design) -> LinkRequirement:
    """The link the design assumes (Method §3, §4)."""
    link = design.scenario.link
    busiest = design.busiest_direction
    extra = f" + {link.network_rtt_ms:g} ms of network equipment" if link.network_rtt_ms else ""
    text = (
        f"A {link.bandwidth_mbps:,g} Mbit/s link over {link.distance_km:,g} km "
        f"({design.route_km:,.1f} km of fibre route{extra}): a {design.rtt_ms:,.2f} ms round "
        f"trip. Replication gets {design.line_rate_mbps:,.1f} Mbit/s "
        f"({link.efficiency_fraction:,.0%} efficiency × {link.share_fraction:,.0%} share); its "
        f"busiest direction, {busiest.label}, needs {design.peak_mbps:,.1f} Mbit/s at the peak "
        f"hour ({design.peak_utilization_fraction:,.0%} of the {design.effective_rate_mbps:,.1f} "
        "Mbit/s it has)."
    )
    return LinkRequirement(
        link.bandwidth_mbps,
        design.line_rate_mbps,
        design.effective_rate_mbps,
        link.distance_km,
        design.route_km,
        design.rtt_ms,
        design.peak_mbps,
        design.peak_utilization_fraction,
        busiest.label,
        CONNECTIVITY["iscsi" if design.iscsi_mirroring else "fc"],
        text,
    )


def tcp_window(design: Design) -> TcpWindow | None:
    """The TCP window of iSCSI mirroring (Method §3, v3); None for Fibre Channel."""
    if not design.iscsi_mirroring:
        return None
    link = design.scenario.link
    cap = design.tcp_cap_mbps
    if link.wan_optimised:
        text = (
            "A WAN optimiser or FCIP gateway at each site ends TCP locally: the window does not "
            "cap the link."
        )
    elif design.tcp_window_binds and cap is not None:
        text = (
            f"Over a {design.rtt_ms:,.1f} ms round trip, {link.tcp_sessions} connections with a "
            f"{link.tcp_window_kib:g} KiB window carry at most {cap:,.1f} Mbit/s of the "
            f"{design.line_rate_mbps:,.1f} Mbit/s replication gets: set a window of "
            f"{design.window_to_lift_kib:,.0f} KiB per connection on the arrays' iSCSI ports "
            "(window scaling), or place a WAN optimiser or FCIP gateway at each site."
        )
    else:
        text = (
            f"{link.tcp_sessions} connections with a {link.tcp_window_kib:g} KiB window carry "
            f"{or_unbounded(cap, 'Mbit/s')} at this round trip: the window does not cap the "
            f"{design.line_rate_mbps:,.1f} Mbit/s replication gets (a window of "
            f"{design.window_to_lift_kib:,.0f} KiB per connection is enough)."
        )
    return TcpWindow(
        link.tcp_window_kib,
        link.tcp_sessions,
        cap,
        design.window_to_lift_kib,
        design.tcp_window_binds,
        link.wan_optimised,
        text,
    )


SRM_PORT_TABLE = (
    (8095, "SOAP", "vCenter server", "SRM server and vCenter server (SRM's port)"),
    (8096, "HTTP", "vCenter server", "download of the SRM plug-in (SRM's port)"),
    (9007, "SOAP", "API clients (scripts, monitoring)", "SRM's API (SRM's port)"),
)
"""SRM 4.0's default ports, Table 1-3 [S28]: port, protocol, the other end, what for."""


def firewall_rules(design: Design) -> tuple[FirewallRule, ...]:
    """The ports between the SRM servers, the vCenter servers and the storage processors: SRM's
    own (SRM 4.0, Table 1-3 [S28]), the Navisphere CLI's to each SP, the site pairing (to confirm
    with the vendor) and, for iSCSI mirroring, iSCSI between the SPs' MirrorView ports."""
    s = design.scenario
    out = []
    for site in s.sites:
        n = site.name
        for port, protocol, other, purpose in SRM_PORT_TABLE:
            at = f"{other} at {n}" if other == "vCenter server" else other
            out.append(
                FirewallRule(
                    at, f"SRM server at {n}", port, "TCP", protocol, WITHIN, purpose, SRM_PORTS
                )
            )
        cli = f"SRM server at {n} (SRA, Navisphere CLI)"
        for a in (x for x in s.arrays if x.site == n):
            out += [
                FirewallRule(
                    cli,
                    f"SP {letter} of {a.name}",
                    443,
                    "TCP",
                    "HTTPS (Navisphere Secure CLI)",
                    WITHIN,
                    "the SRA's array discovery, promotes and test snapshots",
                    NAVISECCLI_PORT,
                )
                for letter in SPS
            ]
            out.append(
                FirewallRule(
                    cli,
                    f"SP A and SP B of {a.name}",
                    2163,
                    "TCP",
                    "Navisphere Secure CLI (alternative port)",
                    WITHIN,
                    "only where the storage processors are set to it instead of 443",
                    TO_CONFIRM,
                )
            )
    one, two = (x.name for x in s.sites)
    out.append(
        FirewallRule(
            f"SRM server at {one}",
            f"SRM server and vCenter server at {two}, and back",
            None,
            "TCP",
            "",
            BETWEEN,
            "pairing the sites and running recovery plans across them",
            TO_CONFIRM,
        )
    )
    kinds = {a.name: a.connectivity for a in s.arrays}
    for x, y in _array_pairs(design):
        if "iscsi" in (kinds[x], kinds[y]):
            out += [
                FirewallRule(
                    f"MirrorView port of SP {letter} of {x}",
                    f"MirrorView port of SP {letter} of {y}, and back",
                    ISCSI_TCP_PORT,
                    "TCP",
                    "iSCSI",
                    BETWEEN,
                    "MirrorView over iSCSI",
                    ISCSI_PORT,
                )
                for letter in SPS
            ]
    return tuple(out)


def network_requirements(design: Design) -> NetworkRequirements:
    """Every network and ports requirement of the design (Method §10)."""
    return NetworkRequirements(
        mirror_connections(design),
        link_requirement(design),
        tcp_window(design),
        firewall_rules(design),
    )


# --- the acceptance test plan ------------------------------------------------------------------


@dataclass(frozen=True)
class Criterion:
    """One pass condition: a measure against a figure of the design."""

    text: str
    """The criterion as the customer reads it."""
    measure: str = ""
    """What is measured; empty for a criterion that is not a number."""
    comparison: Comparison = ""
    limit: float | None = None
    """The figure the measure is held against, in ``unit``; None: not a number."""
    unit: str = ""


@dataclass(frozen=True)
class TestCase:
    """One acceptance test: what, how, when it passes, what proves it; result and sign-off are
    left blank for the day it runs."""

    __test__ = False  # not a pytest class

    id: str
    title: str
    scope: str
    """What it covers: the design, a protection group, an array pair."""
    how: str
    commands: tuple[str, ...]
    criteria: tuple[Criterion, ...]
    evidence: str
    result: str = ""
    signed_off_by: str = ""


def _most(text: str, measure: str, limit: float, unit: str) -> Criterion:
    """A criterion the measure passes at or below ``limit``."""
    return Criterion(text, measure, "at most", limit, unit)


def _least(text: str, measure: str, limit: float, unit: str) -> Criterion:
    """A criterion the measure passes at or above ``limit``."""
    return Criterion(text, measure, "at least", limit, unit)


def _case(
    title: str,
    scope: str,
    how: str,
    criteria: tuple[Criterion, ...],
    evidence: str,
    commands: tuple[str, ...] = (),
) -> TestCase:
    """A test not numbered yet (:func:`acceptance_tests` numbers them)."""
    return TestCase("", title, scope, how, commands, criteria, evidence)


def _terms(design: Design, keys: tuple[str, ...]) -> tuple[str, ...]:
    """The recovery-time terms ``keys`` as the documents name them, with their units."""
    rows = {r.name: r for r in assumption_rows(design.a)}
    return tuple(f"{rows[k].description} ({rows[k].unit})" for k in keys)


NOT_REHEARSED = ("declare_min", "lost_site_timeout_min", "promote_force_s", "rollback_mib_per_s")
"""Recovery-time terms only a disaster shows (the decision, an unreachable site, force promotes,
an interrupted MirrorView/A update): a planned failover cannot time them."""
TESTED = (
    "test_snap_s",
    "rescans_count",
    "rescan_s",
    "mount_s",
    "vm_boot_min",
    "exchange_services_min",
    "sg_mount_s",
)
"""The terms an SRM test failover times (Method §8: snapshots, then the same rescan, mount,
power-on and Exchange steps)."""


def rehearsed_terms(design: Design, site: str) -> tuple[str, ...]:
    """The ``measured:`` terms a timed planned failover of ``site``'s VMs gives (Method §8)."""
    to = design.recovery_of(site).to_site
    differs = next(x for x in design.scenario.sites if x.name == to).recovery_subnet_differs
    return tuple(
        k
        for k in MEASURABLE
        if k not in NOT_REHEARSED
        and k != "test_snap_s"
        and (differs or k != "ip_customization_min")
    )


def _link_test(design: Design) -> TestCase:
    link = design.scenario.link
    req = link_requirement(design)
    rate = (
        f"Replication gets at least {req.replication_rate_mbps:,.1f} Mbit/s between the sites "
        f"({link.bandwidth_mbps:,g} Mbit/s × {link.efficiency_fraction:,.0%} efficiency × "
        f"{link.share_fraction:,.0%} share), in each direction."
    )
    rtt = (
        f"The round trip between the sites is at most {req.rtt_ms:,.2f} ms, the design's "
        f"({req.route_km:,.1f} km of fibre route). A longer one changes the design: enter it as "
        "the link's network round trip and review the design again."
    )
    criteria = [
        _least(rate, "throughput between the sites", req.replication_rate_mbps, "Mbit/s"),
        _most(rtt, "round trip", req.rtt_ms, "ms"),
    ]
    window = tcp_window(design)
    if window is not None:
        text = (
            f"The arrays' {window.sessions_count} MirrorView TCP connections (window "
            f"{window.window_kib:g} KiB) carry at least {req.effective_rate_mbps:,.1f} Mbit/s "
            f"together, what the design assumes. {window.text}"
        )
        measure = "throughput of the MirrorView connections"
        criteria.append(_least(text, measure, req.effective_rate_mbps, "Mbit/s"))
    ends = (
        "iSCSI MirrorView ports" if design.iscsi_mirroring else "Fibre Channel extension equipment"
    )
    how = (
        "Before the mirrors are created, measure the throughput in each direction with a network "
        "test tool across the busiest hour, and the round trip (ping) between the sites' "
        f"{ends}. The busiest direction, {req.busiest_direction}, needs {req.peak_mbps:,.1f} "
        "Mbit/s at the peak hour."
    )
    return _case(
        "Link bandwidth and latency",
        "the replication link",
        how,
        tuple(criteria),
        "The tool's report for each direction; the round-trip times.",
    )


ALIKE_FROM = 40
"""A design of more mailbox servers than this has one Jetstress criterion for servers alike."""


def _jetstress(design: Design) -> TestCase:
    a = design.a
    if design.is_sync and design.link_saturated:
        expect = (
            "the design's link cannot carry the peak-hour writes, so the latency it adds is "
            "unbounded: this test fails until the link is resized"
        )
        mirroring = "every mirror Synchronized (MirrorView/S)"
    elif design.is_sync:
        added = design.log_write_latency_ms - a.local_log_write_ms
        expect = (
            f"the design estimates {design.log_write_latency_ms:,.2f} ms: "
            f"{a.local_log_write_ms:g} ms local + {added:,.2f} ms of MirrorView/S over the "
            f"{design.route_km:,.1f} km route"
        )
        mirroring = "every mirror Synchronized (MirrorView/S)"
    else:
        expect = "MirrorView/A adds no latency to the host's writes"
        mirroring = "MirrorView/A updates running on their schedule"
    log = a.log_write_avg_limit_ms
    read = a.db_read_avg_limit_ms
    criteria = [
        _most(
            f"Average log write latency at most {log:g} ms on every mailbox server ({expect}).",
            "average log write latency",
            log,
            "ms",
        ),
        _most(
            f"Average database read latency at most {read:g} ms on every mailbox server.",
            "average database read latency",
            read,
            "ms",
        ),
    ]
    # In a design of many servers, those alike (the same IOPS as printed, mailboxes and
    # profile) share one criterion: thousands of such servers have a line, not thousands.
    alike: dict[object, list[ServerSizing]] = {}
    many = len(design.servers) > ALIKE_FROM
    for v in design.servers:
        key = (f"{v.db_iops_peak:,.0f}", v.users, v.profile) if many else v.name
        alike.setdefault(key, []).append(v)
    for servers in alike.values():
        first = servers[0]
        iops = f"{first.db_iops_peak:,.0f}"
        load = (
            f"{first.users:,.0f} {profile(first.profile)} mailboxes at the peak hour, with headroom"
        )
        if len(servers) == 1:
            text = f"{servers[0].name} reaches at least {iops} transactional IOPS (its {load})."
            measure = f"transactional IOPS of {servers[0].name}"
        else:
            text = (
                f"{names([v.name for v in servers])} each reach at least {iops} transactional "
                f"IOPS (each its {load})."
            )
            measure = f"transactional IOPS of each of {len(servers):,} servers"
        criteria.append(_least(text, measure, max(v.db_iops_peak for v in servers), "IOPS"))
    how = (
        "Run Microsoft Jetstress on every mailbox server's LUNs before Exchange is installed, "
        f"with {mirroring}, at the design's storage groups and peak-hour load."
    )
    return _case(
        "Jetstress with mirroring on",
        "every mailbox server",
        how,
        tuple(criteria),
        "Jetstress's report of each server.",
    )


def _test_failover(g: Group) -> TestCase:
    design = g.design
    test = design.test_of(g.site)
    timeout = design.sra_timeout_to_set_s
    prepare = (
        f"The prepare-storage step snaps the {test.luns:,} secondary LUNs within SRM's SRA "
        f"timeout of {timeout:,.0f} s (the design estimates {test.prepare_storage_s:,.0f} s)."
    )
    criteria = [
        _most(prepare, "prepare-storage step", timeout, "s"),
        Criterion(
            f"{names(g.vms)} power on in the test network, every database of "
            f"{names(g.mailbox_vms)} mounts and MAPI answers, with the global catalog of "
            f"{g.domain} in the test network."
        ),
        Criterion(
            f"From Test to Exchange running takes about {test.after_start_min:,.0f} min (the "
            "design's estimate); each step is timed and entered in the design's measured: "
            "section: " + "; ".join(_terms(design, TESTED)) + ".",
            "test from Test to Exchange running",
            "",
            test.after_start_min,
            "min",
        ),
        Criterion(
            f"Production at {g.site} is not affected, and Continue removes every snapshot and "
            f"session from {names(g.targets)}."
        ),
    ]
    how = (
        f"Off-hours, run the test of the recovery plan {g.plan} in SRM at {g.to_site}"
        + (" (the SRA first waits for a MirrorView/A update in progress)" if not g.sync else "")
        + ", as the runbook's test failover says."
    )
    commands = tuple(c.text for c in [*g.check_groups(), command("esx_volume_list")])
    return _case(
        "SRM test failover",
        f"protection group {g.pg}",
        how,
        tuple(criteria),
        "SRM's recovery plan history (exported), the step times, the Exchange checks.",
        commands,
    )


def _rehearsal(g: Group) -> TestCase:
    design = g.design
    planned = g.planned
    target = design.scenario.targets.rto_min
    within = target - planned.declare_min
    terms = _terms(design, rehearsed_terms(design, g.site))
    runs = (
        f"The recovery plan runs in at most {within:,.0f} min after the decision (the RTO target "
        f"of {target:g} min less {planned.declare_min:g} min to decide); the design estimates "
        f"{planned.after_decision_min:,.0f} min."
    )
    criteria = [
        _most(runs, "recovery plan after the decision", within, "min"),
        Criterion(
            "Each term is timed and entered in the design's measured: section, with the date of "
            "the rehearsal: " + "; ".join(terms) + ". The design reviewed with them still meets "
            "the RTO target."
        ),
    ]
    if g.sync:
        criteria.append(
            Criterion(
                "No data is lost: a message sent just before the shutdown is in its mailbox at "
                f"{g.to_site}; the promoted groups' new secondaries at {g.site} are "
                "Synchronized, with no full synchronisation."
            )
        )
    else:
        final = planned_final_update_min(design, g.site)
        bound = "at least " if g.backlog is not None else ""
        criteria.append(
            Criterion(
                f"The final MirrorView/A update of every group completes before the plan starts "
                f"({bound}{final:,.1f} min in the design when the VMs shut down in the "
                "maintenance window); no data written before the shutdown is lost.",
                "final update",
                "" if bound else "at most",
                None if bound else final,
                "min",
            )
        )
    how = (
        f"In a maintenance window, follow the runbook's planned failover of {g.pg} to "
        f"{g.to_site} with a stopwatch, then fail back the same way."
    )
    return _case(
        "Timed planned failover (rehearsal)",
        f"protection group {g.pg}",
        how,
        tuple(criteria),
        "The timed runbook, signed; the measured: section added to the design file.",
        (),
    )


def _link_loss(g: Group) -> TestCase:
    design = g.design
    direction = next(x for x in design.directions if x.from_site == g.site)
    outage_gib = design.resync_gib(direction, LONG_OUTAGE_START_MIN, h_to_min(LONG_OUTAGE_H))
    when = f"a {LONG_OUTAGE_H:g}-hour outage from {clock_text(LONG_OUTAGE_START_MIN)}"
    criteria = (
        _link_loss_sync(g, outage_gib, when) if g.sync else _link_loss_async(g, outage_gib, when)
    )
    criteria.append(
        Criterion(
            "When the link returns no group resynchronises until it is told to (Waiting on "
            "Admin: the recovery policy is Manual)."
            if g.r.recovery_policy == "manual"
            else "When the link returns the groups resynchronise by themselves (the recovery "
            "policy is Automatic): the protective copy must be in place before."
        )
    )
    return _case(
        "Link-loss drill",
        f"protection group {g.pg}",
        f"In a maintenance window, disconnect the replication link between {g.site} and "
        f"{g.to_site}, follow the runbook's link-loss procedure, and reconnect it.",
        tuple(criteria),
        "The groups' states before, during and after (the listings), the times, the alerts.",
        tuple(c.text for c in g.check_groups(on_target=False)),
    )


def _link_loss_sync(g: Group, outage_gib: float, when: str) -> list[Criterion]:
    """MirrorView/S: the fracture, the protective copy, the partial resynchronisation."""
    design = g.design
    timeout = design.a.mvs_fracture_timeout_s
    fracture = (
        f"{names(g.cg_names)} are System Fractured within {timeout:g} s of the link loss; "
        "Exchange's writes wait no longer."
    )
    out = [_most(fracture, "time to the fracture", timeout, "s")]
    copy = design.protective_copies.get(g.targets[0]) if g.targets else None
    if copy is not None:
        text = (
            f"The protective SnapView {copy.kind} of the {copy.luns:,} secondary LUNs on "
            f"{copy.array} is in place within {copy.take_min:,.1f} min, before any "
            "resynchronisation."
        )
        out.append(_most(text, "protective copy", copy.take_min, "min"))
    hours = design.sync_time_h(outage_gib)
    text = (
        f"After the resynchronisation the groups are Consistent, condition Normal, within "
        f"{hours:,.1f} h for {when} ({outage_gib:,.0f} GiB of extents written; a shorter drill "
        "resynchronises less)."
    )
    out.append(_most(text, "resynchronisation", hours, "h"))
    return out


def _link_loss_async(g: Group, outage_gib: float, when: str) -> list[Criterion]:
    """MirrorView/A: the updates stop on the gold copy, and resume."""
    rpo = g.design.scenario.targets.rpo_min
    out = [
        Criterion(
            f"The updates of {names(g.cg_names)} stop; each secondary stays at its last "
            "completed update (the gold copy), none is Synchronizing or Out-of-Sync."
        )
    ]
    if g.backlog is None:
        text = (
            f"When the updates resume, the first carries the outage's changes (about "
            f"{outage_gib:,.0f} GiB for {when}) and the time since the last completed update is "
            f"back under the RPO target of {rpo:g} min after it."
        )
        out.append(_most(text, "time since the last completed update", rpo, "min"))
    else:
        out.append(
            Criterion(
                "The updates resume when the link returns. The secondaries do not catch up "
                f"afterwards: they are {g.backlog.behind} (the review's error), so no recovery "
                "point is checked here."
            )
        )
    return out


def _sp_drill(g: Group) -> TestCase:
    design = g.design
    limit = design.a.log_write_avg_limit_ms
    criteria = [
        Criterion(
            f"The LUNs of the failed SP of {names(g.sources)} trespass to its peer; Exchange "
            "keeps running and SRM's array managers still see every array [S0]."
        )
    ]
    for array in g.sources:
        m = design.models[array]
        text = (
            f"With one SP, average log write latency on {names(g.mailbox_vms)} stays at most "
            f"{limit:g} ms ({array}, a {m.model}, keeps its write cache) [S0]."
            if m.write_cache_kept_on_sp_failure
            else f"{array} ({m.model}) turns its write cache off while an SP is down [S0]: "
            f"measure the average log write latency; above {limit:g} ms, Exchange is slowed "
            "until the SP is back (the review's warning), and the customer accepts it or "
            "upgrades the array."
        )
        criteria.append(
            _most(text, f"average log write latency with one SP of {array}", limit, "ms")
        )
    if g.sync and g.r.write_intent_log:
        criteria.append(
            Criterion(
                f"{names(g.cg_names)} return to Consistent, condition Normal, with no full "
                "synchronisation (the write intent log) [S8]."
            )
        )
    elif g.sync:
        hours = design.sync_time_h(g.capacity)
        text = (
            "Without the write intent log the groups need a full synchronisation: "
            f"{g.capacity:,.0f} GiB in at most {hours:,.1f} h."
        )
        criteria.append(_most(text, "full synchronisation", hours, "h"))
    else:
        criteria.append(
            Criterion(
                f"The MirrorView/A updates of {names(g.cg_names)} continue after the trespass."
            )
        )
    criteria.append(Criterion("After the SP is back, its LUNs return to their default owner."))
    return _case(
        "Storage processor failure drill",
        f"protection group {g.pg}",
        f"In a maintenance window, shut down SP A of {names(g.sources)} (Navisphere), follow "
        "the runbook's storage-processor procedure, and restart it.",
        tuple(criteria),
        "The LUN owners before, during and after; Exchange's latency counters; the alerts.",
        tuple(command("getlun", sp=sp(x, "B"), lun="<LUN number>").text for x in g.sources),
    )


def _rpo_check(design: Design) -> Iterator[TestCase]:
    rpo = design.scenario.targets.rpo_min
    for label, cycle in design.cycles.items():
        worst = cycle.worst_rpo_min
        if worst is None:
            expect = (
                "the design's recovery point is unbounded, a day's writes exceeding what the "
                "link carries in a day: this check cannot pass until the link is sized as the "
                "review says"
            )
        else:
            expect = (
                f"the design expects {worst:,.1f} min at worst and "
                f"{or_unbounded(cycle.mean_rpo_min, 'min')} on average"
            )
        yield _case(
            "MirrorView/A recovery point check",
            f"the direction {label}",
            f"Through a full business day, its busiest hour included, record every group's time "
            f"since its last completed update ({label}) from the group listings.",
            (
                Criterion(
                    f"The time since the last completed update never exceeds the RPO target of "
                    f"{rpo:g} min ({expect}).",
                    "time since the last completed update",
                    "at most",
                    float(rpo),
                    "min",
                ),
            ),
            "The recorded listings and their maximum.",
        )


def _alerting(design: Design, groups: list[Group], drills: dict[str, str]) -> TestCase:
    """The alerts the monitoring must raise, with the drills that raise some of them."""
    rpo = design.scenario.targets.rpo_min
    criteria = [
        Criterion(
            "An alert reaches the on-call team when a group is fractured by hand (fracture one "
            "group of each protection group, then synchronise it again)."
        ),
        Criterion(
            "An alert reaches the on-call team when the link is lost (System Fractured) and when "
            f"an SP fails: during {drills['link']} and {drills['sp']}."
        ),
        Criterion("SRM's alarms (recovery plan, array manager) reach the on-call team [S28]."),
    ]
    if not design.is_sync:
        criteria.insert(
            1,
            Criterion(
                "An alert reaches the on-call team when a group's time since its last completed "
                f"update passes the RPO target of {rpo:g} min.",
                "alert threshold",
                "at most",
                float(rpo),
                "min",
            ),
        )
    kind = "sync" if design.is_sync else "async"
    commands = []
    for g in groups:
        if g.cgs:
            cg = g.cgs[0]
            commands += [
                command(f"mirror_{kind}_fracturegroup", sp=sp(cg.source_array), cg=cg.name).text,
                command(f"mirror_{kind}_syncgroup", sp=sp(cg.source_array), cg=cg.name).text,
            ]
    return _case(
        "Alerting",
        "the monitoring of every protection group",
        "Trigger each event and check that the alert arrives, as the runbook's monitoring "
        "procedure sets it up.",
        tuple(criteria),
        "The alerts received (mail, ticket) with their times.",
        tuple(commands),
    )


def acceptance_tests(design: Design) -> tuple[TestCase, ...]:
    """The acceptance tests of ``design``, numbered T1, T2, …: each criterion from the design's
    own figures, MirrorView/S and MirrorView/A variants apart (Method §10)."""
    groups = [group(design, d.from_site) for d in design.directions]
    cases = [
        _link_test(design),
        _jetstress(design),
        *(_test_failover(g) for g in groups),
        *(_rehearsal(g) for g in groups),
        *(_link_loss(g) for g in groups),
        *(_sp_drill(g) for g in groups),
        *(_rpo_check(design) if not design.is_sync else ()),
    ]
    numbered = [replace(c, id=f"T{k}") for k, c in enumerate(cases, start=1)]

    def ids(title: str) -> list[str]:
        return [c.id for c in numbered if c.title == title]

    drills = {
        "link": _ids("the link-loss drill", ids("Link-loss drill")),
        "sp": _ids("the SP drill", ids("Storage processor failure drill")),
    }
    alerting = replace(_alerting(design, groups, drills), id=f"T{len(numbered) + 1}")
    return (*numbered, alerting)


def _ids(what: str, ids: list[str]) -> str:
    """``the link-loss drill (T5)``, ``the link-loss drills (T5 and T6)``."""
    plural_what = what + "s" if len(ids) > 1 else what
    return f"{plural_what} ({names(ids)})"
