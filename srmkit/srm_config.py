"""The SRM configuration an implementation team enters, computed from the design (Method §10, v3).

SRM 1.0/4.x is configured at both sites, in this order: the array managers (the SRA for
MirrorView and Navisphere CLI on each SRM server, pointed at the storage processors of the arrays
at its site), the inventory mappings of each protected site to its recovery site (resource pools
or clusters, VM folders, networks, and the isolated test network), a placeholder datastore at
each recovery site, the protection groups, the recovery plans with their message steps and
priority groups, an IP customisation per VM where the recovery subnet differs, and the SRA
command timeout. Each table here is one function of a :class:`~srmkit.design.Design`:

- the protection groups and recovery plans are the runbook's (:func:`srmkit.runbook_core.group`),
  the priority groups and their VMs the recovery model's (:mod:`srmkit.recovery`): one source;
- a protection group's datastore groups are its consistency groups joined by the VMs that span
  them: SRM fails over together the datastores of one VM and of one consistency group [S35];
- what only the customer knows (addresses, names in vCenter) is ``None``: a cell to fill in.

:func:`write_srm_xlsx` writes the tables as ``srm.xlsx``, one worksheet each, the cells to fill in
highlighted. srmkit never configures SRM itself.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from srmkit.design import Design
from srmkit.glossary import MODE_NAME, names, plural, possessive
from srmkit.names import FORMULA_START
from srmkit.planner import ConsistencyGroup
from srmkit.runbook_core import Group, group
from srmkit.units import s_to_min
from srmkit.version import __version__

SRA = "EMC SRA for MirrorView"
"""The storage replication adapter, as the white paper names it ("the SRA for MirrorView") [S0]."""
ARRAY_SOFTWARE = "Navisphere CLI on the SRM server"
"""What the SRA needs beside it on each SRM server [S0]."""
NIC = "NIC 1"
"""The network adapter an Exchange VM's address is customised on (one per VM)."""
FILL_IN = "to fill in"
"""How a cell the implementation team completes is described."""

Role = Literal["protected", "recovery", "protected and recovery"]
StepKind = Literal["message", "priority group"]


# --- the tables ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ArrayManager:
    """One array an SRM server manages through the SRA (Method §10)."""

    site: str
    """The site of the SRM server, and of the array."""
    role: Role
    """What the site is to SRM: it runs protected VMs, recovers them, or both."""
    array: str
    model: str
    peer_arrays: tuple[str, ...]
    """The arrays at the other site its mirrors pair it with."""
    adapter: str
    software: str
    sp_a_address: str | None = None
    """The management address of SP A; None: to fill in."""
    sp_b_address: str | None = None
    """The management address of SP B; None: to fill in."""


@dataclass(frozen=True)
class InventoryMapping:
    """One inventory mapping from a protected site to its recovery site (Method §10)."""

    protected_site: str
    recovery_site: str
    kind: str
    """``Resource pool / cluster``, ``VM folder``, ``Network`` or ``Test network``."""
    protected_value: str | None
    """The object at the protected site; None: to fill in (the customer's name in vCenter)."""
    recovery_value: str | None
    """The object at the recovery site it maps to; None: to fill in."""
    note: str


@dataclass(frozen=True)
class PlaceholderDatastore:
    """The datastore at a recovery site that holds SRM's placeholder VMs (Method §10)."""

    recovery_site: str
    protected_sites: tuple[str, ...]
    placeholder_vms_count: int
    """Placeholder VMs it holds: one per protected VM recovered here. [count]"""
    recovery_clusters_count: int
    """ESX clusters whose hosts must all see it. [count]"""
    note: str
    datastore: str | None = None
    """Its name in vCenter; None: to fill in."""


@dataclass(frozen=True)
class DatastoreGroup:
    """Datastores SRM fails over together: the consistency groups of a VM, joined with those of
    any VM sharing one of them (Method §10) [S35]."""

    name: str
    vms: tuple[str, ...]
    consistency_groups: tuple[str, ...]
    luns_count: int
    """Mirrored LUNs, each a VMFS datastore. [count]"""
    capacity_gib: float
    """Mirrored capacity. [GiB]"""
    source_arrays: tuple[str, ...]
    target_arrays: tuple[str, ...]


@dataclass(frozen=True)
class ProtectionGroup:
    """One SRM protection group: the protected VMs of a site and their datastore groups."""

    name: str
    protected_site: str
    recovery_site: str
    recovery_plan: str
    vms: tuple[str, ...]
    datastore_groups: tuple[DatastoreGroup, ...]

    @property
    def luns_count(self) -> int:
        """Mirrored LUNs (VMFS datastores) of every datastore group. [count]"""
        return sum(g.luns_count for g in self.datastore_groups)


@dataclass(frozen=True)
class PlanStep:
    """One step of a recovery plan: a message SRM shows and waits on, or a priority group."""

    order: int
    kind: StepKind
    priority: str
    """``High`` or ``Normal`` for a priority group; empty for a message."""
    text: str
    vms: tuple[str, ...] = ()
    minutes: float | None = None
    """The recovery model's estimate for a priority group's power-on; None for a message. [min]"""


@dataclass(frozen=True)
class RecoveryPlan:
    """One SRM recovery plan, its steps in order (Method §8, §10)."""

    name: str
    protected_site: str
    recovery_site: str
    protection_groups: tuple[str, ...]
    steps: tuple[PlanStep, ...]


@dataclass(frozen=True)
class IpCustomisation:
    """The address a protected VM gets at its recovery site (Method §10)."""

    vm: str
    protected_site: str
    recovery_site: str
    needed: bool
    """The recovery site's subnet differs: SRM customises the VM's address."""
    note: str
    nic: str = NIC
    ip_address: str | None = None
    """None: to fill in (where ``needed``)."""
    subnet_mask: str | None = None
    gateway: str | None = None
    dns_servers: str | None = None


@dataclass(frozen=True)
class SrmSetting:
    """A setting to make in SRM (or around it) before the first test, and why."""

    setting: str
    where: str
    value: str
    why: str
    source: str


@dataclass(frozen=True)
class SrmConfiguration:
    """Every table of the SRM configuration of one design."""

    customer: str
    project: str
    array_managers: tuple[ArrayManager, ...]
    inventory_mappings: tuple[InventoryMapping, ...]
    placeholder_datastores: tuple[PlaceholderDatastore, ...]
    protection_groups: tuple[ProtectionGroup, ...]
    recovery_plans: tuple[RecoveryPlan, ...]
    ip_customisations: tuple[IpCustomisation, ...]
    settings: tuple[SrmSetting, ...]
    sra_timeout_default_s: float
    """SRM's SRA command timeout before any change. [s]"""
    sra_timeout_to_set_s: float
    """The SRA command timeout the design needs (the default when it is enough). [s]"""


# --- shared facts ------------------------------------------------------------------------------


def _groups(design: Design) -> list[Group]:
    """The runbook's protection groups: one per site that runs protected VMs."""
    return [group(design, d.from_site) for d in design.directions]


def _role(design: Design, site: str) -> Role:
    protects = any(d.from_site == site for d in design.directions)
    recovers = any(d.to_site == site for d in design.directions)
    if protects and recovers:
        return "protected and recovery"
    return "protected" if protects else "recovery"


def _peers(design: Design, array: str) -> tuple[str, ...]:
    """The arrays an array's mirrors pair it with, in plan order."""
    out: dict[str, None] = {}
    for cg in design.plan.cgs:
        if cg.source_array == array:
            out[cg.target_array] = None
        elif cg.target_array == array:
            out[cg.source_array] = None
    return tuple(out)


def _cluster_labels(design: Design, site: str) -> list[str]:
    """``ESX cluster 1 of 2 at Utrecht``: the recovery clusters of a site, as the design counts
    them (the scenario does not name them)."""
    n = next(s for s in design.scenario.sites if s.name == site).recovery_esx_clusters
    if n == 1:
        return [f"the recovery ESX cluster at {site}"]
    return [f"ESX cluster {k} of {n} at {site}" for k in range(1, n + 1)]


# --- 1. array managers -------------------------------------------------------------------------


def array_managers(design: Design) -> tuple[ArrayManager, ...]:
    """Per site, the arrays its SRM server manages through the SRA for MirrorView, with their
    peers; the SPs' addresses are to fill in (Method §10) [S0]."""
    out = []
    for site in design.scenario.sites:
        for a in design.scenario.arrays:
            if a.site != site.name:
                continue
            out.append(
                ArrayManager(
                    site.name,
                    _role(design, site.name),
                    a.name,
                    design.models[a.name].model,
                    _peers(design, a.name),
                    SRA,
                    ARRAY_SOFTWARE,
                )
            )
    return tuple(out)


# --- 2. inventory mappings ---------------------------------------------------------------------


def inventory_mappings(design: Design) -> tuple[InventoryMapping, ...]:
    """Per protected site → recovery site: resource pools or clusters (one per recovery ESX
    cluster), the VM folder, the production network and the isolated test network (Method §10)
    [S28]."""
    out = []
    for g in _groups(design):
        site, to = g.site, g.to_site
        clusters = _cluster_labels(design, to)
        spread = (
            f"{possessive(site)} {plural(len(g.vms), 'VM')} are spread over "
            f"{plural(len(clusters), 'recovery cluster')}; each cluster's hosts see only its VMs' "
            "LUNs: map a resource pool holding the VMs of each cluster."
            if len(clusters) > 1
            else f"All {plural(len(g.vms), 'VM')} of {site} recover to this cluster."
        )
        for label in clusters:
            out.append(InventoryMapping(site, to, "Resource pool / cluster", None, label, spread))
        out.append(
            InventoryMapping(
                site,
                to,
                "VM folder",
                None,
                None,
                f"The folder at {to} for the placeholder and recovered VMs of {g.pg}.",
            )
        )
        subnet = (
            f"The subnet at {to} differs: each VM gets an address of the recovery network "
            "through IP customisation (see that sheet)."
            if g.target_site.recovery_subnet_differs
            else f"The same subnet is available at {to}: the VMs keep their addresses."
        )
        out.append(
            InventoryMapping(site, to, "Network", None, None, f"Exchange's VM network. {subnet}")
        )
        out.append(
            InventoryMapping(
                site,
                to,
                "Test network",
                None,
                f"an isolated test network (bubble) at {to}",
                f"Used by the recovery plan's tests: the VMs start here with their production "
                f"addresses and must not reach production. Place a global catalog of "
                f"{g.domain} in it (restored or cloned, never connected to production): "
                "Exchange mounts no database without one.",
            )
        )
    return tuple(out)


# --- 3. placeholder datastores -----------------------------------------------------------------


def placeholder_datastores(design: Design) -> tuple[PlaceholderDatastore, ...]:
    """One per recovery site: SRM 1.0/4.x keeps a placeholder VM for each protected VM there
    (Method §10) [S28]."""
    by_site: dict[str, list[Group]] = {}
    for g in _groups(design):
        by_site.setdefault(g.to_site, []).append(g)
    out = []
    for site, groups in by_site.items():
        vms = sum(len(g.vms) for g in groups)
        clusters = next(s for s in design.scenario.sites if s.name == site).recovery_esx_clusters
        seen = "every recovery host" + (
            f" of the {clusters} recovery clusters" if clusters > 1 else ""
        )
        out.append(
            PlaceholderDatastore(
                site,
                tuple(g.site for g in groups),
                vms,
                clusters,
                f"A datastore at {site} that is not mirrored, seen by {seen}; it holds "
                f"{plural(vms, 'placeholder VM')} (configuration files only, a few MiB).",
            )
        )
    return tuple(out)


# --- 4. protection groups ----------------------------------------------------------------------


def _datastore_groups(cgs: Sequence[ConsistencyGroup]) -> list[list[ConsistencyGroup]]:
    """The consistency groups joined by the VMs they share, in plan order (a VM's groups fail
    over together, and so do the VMs of one group)."""
    # Union-find over the groups: each group joins the part of every server it holds (linear
    # in the groups, where comparing each group with every part was quadratic).
    parent = list(range(len(cgs)))

    def root(k: int) -> int:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    part_of: dict[str, int] = {}
    for k, cg in enumerate(cgs):
        for server in cg.servers:
            if server in part_of:
                parent[root(part_of[server])] = root(k)
            part_of[server] = k
    parts: dict[int, list[ConsistencyGroup]] = {}
    for k, cg in enumerate(cgs):
        parts.setdefault(root(k), []).append(cg)
    # Groups in plan order within a part; parts in the order of their first group.
    return list(parts.values())


def _datastore_group(cgs: list[ConsistencyGroup]) -> DatastoreGroup:
    vms = tuple(dict.fromkeys(s for cg in cgs for s in cg.servers))
    return DatastoreGroup(
        f"Datastores of {names(list(vms))}",
        vms,
        tuple(cg.name for cg in cgs),
        sum(cg.luns for cg in cgs),
        sum(cg.capacity_gib for cg in cgs),
        tuple(dict.fromkeys(cg.source_array for cg in cgs)),
        tuple(dict.fromkeys(cg.target_array for cg in cgs)),
    )


def protection_groups(design: Design) -> tuple[ProtectionGroup, ...]:
    """The runbook's protection groups, each with its datastore groups (Method §10) [S35]."""
    return tuple(
        ProtectionGroup(
            g.pg,
            g.site,
            g.to_site,
            g.plan,
            tuple(g.vms),
            tuple(_datastore_group(p) for p in _datastore_groups(g.cgs)),
        )
        for g in _groups(design)
    )


# --- 5. recovery plans -------------------------------------------------------------------------

PRIORITY = {"high": "High", "normal": "Normal"}
"""SRM 1.0/4.x priority tiers the recovery model uses: the Hub Transport high, mailbox servers
normal (Method §8)."""


def _plan(g: Group) -> RecoveryPlan:
    a, target = g.a, g.target_site
    steps: list[PlanStep] = []

    def message(text: str) -> None:
        steps.append(PlanStep(len(steps) + 1, "message", "", text))

    message(
        f"Confirm that the disaster is declared and the recovery of {possessive(g.site)} "
        f"Exchange at {g.to_site} is approved (in a test: that this is a test)."
    )
    message(
        f"Confirm that the domain controllers / global catalogs of {g.domain} at {g.to_site} "
        f"({plural(target.ad_gc_servers, 'server')} in the design) and DNS answer; in a test, "
        "that the global catalog runs in the test network. Exchange mounts no database "
        "without one [S0]."
    )
    by_step = {s.step: s for s in g.recovery.steps}
    for label, priority in PRIORITY.items():
        step = by_step.get(f"power on, {label} priority")
        if step is None:
            continue
        vms = tuple(v for v in g.vms if (v in g.mailbox_vms) == (label == "normal"))
        what = "Hub Transport" if label == "high" else "mailbox servers"
        custom = " with IP customisation" if target.recovery_subnet_differs else ""
        steps.append(
            PlanStep(
                len(steps) + 1,
                "priority group",
                priority,
                f"Power on the {what} {names(list(vms))}{custom} ({step.detail}).",
                vms,
                step.minutes,
            )
        )
    message(
        f"Verify that every database of {names(g.mailbox_vms)} is mounted "
        "(Get-MailboxDatabase -Status) and that clients reconnect: users are back about "
        f"{a.client_reconnect_min:g} min after the VMs (DNS, Active Directory, Outlook)."
    )
    return RecoveryPlan(g.plan, g.site, g.to_site, (g.pg,), tuple(steps))


def recovery_plans(design: Design) -> tuple[RecoveryPlan, ...]:
    """One plan per protected site: message steps, the priority groups of the recovery model,
    and a final check (Method §8, §10)."""
    return tuple(_plan(g) for g in _groups(design))


# --- 6. IP customisation -----------------------------------------------------------------------


def ip_customisations(design: Design) -> tuple[IpCustomisation, ...]:
    """One row per protected VM: its address at the recovery site, to fill in where the
    recovery subnet differs (Method §10) [S0]."""
    out = []
    for g in _groups(design):
        target = g.target_site
        needed = target.recovery_subnet_differs
        if not needed:
            note = f"{g.to_site} keeps the production subnet: the VM keeps its address."
        elif target.ip_customization_spec:
            note = (
                f"SRM applies {possessive(g.to_site)} IP customisation specification with these "
                f"values ({g.a.ip_customization_min:g} min per VM in the estimate)."
            )
        else:
            note = (
                f"Create an IP customisation specification for {g.to_site} with these values "
                "and attach it to the recovery plan (the review warns until it exists)."
            )
        for vm in g.vms:
            keep = None if needed else "keeps its address"
            out.append(
                IpCustomisation(vm, g.site, g.to_site, needed, note, NIC, keep, keep, keep, keep)
            )
    return tuple(out)


# --- 7. settings -------------------------------------------------------------------------------


def _sra_setting(design: Design) -> SrmSetting:
    default = design.a.sra_timeout_s
    value = design.sra_timeout_to_set_s
    steps = "; ".join(
        f"the {kind} of {site}: {s:,.0f} s" for (site, kind), s in design.sra_steps_s.items()
    )
    if value <= default:
        why = f"Every SRA storage command finishes within the default ({steps}): keep it."
    else:
        why = (
            f"SRM stops an SRA command after {default:,.0f} s; the longest storage step of the "
            f"design ({steps}) with a {design.a.sra_timeout_margin_fraction:,.0%} margin, rounded "
            "up to whole minutes: set it before the first test, or the test and the recovery "
            "fail in their storage step."
        )
    return SrmSetting(
        "SRA command timeout",
        "the SRM servers at both sites",
        f"{value:,.0f} s ({s_to_min(value):,.0f} min)",
        why,
        "[S7]",
    )


def settings(design: Design) -> tuple[SrmSetting, ...]:
    """The SRA command timeout, then per recovery plan what the design's estimates rely on: the
    test's length, the hosts that start VMs, the IP customisation and the DNS time to live
    (Method §5a, §8)."""
    a = design.a
    out = [_sra_setting(design)]
    for g in _groups(design):
        to, target = g.to_site, g.target_site
        rlp = design.rlp.get(g.targets[0]) if g.targets else None
        out.append(
            SrmSetting(
                "Length of a test failover",
                f"tests of {g.plan}",
                f"at most {a.test_duration_h:g} h",
                "The reserved LUN pool of "
                + names(g.targets)
                + (f" ({rlp.test_gib:,.0f} GiB for tests)" if rlp is not None else "")
                + f" holds the snapshots' copy-on-first-write data of a {a.test_duration_h:g}-hour"
                " test from the busiest hour; click Continue to end the test within it.",
                "[S0]; Method §5a",
            )
        )
        hosts = design.recovery_hosts(to)
        out.append(
            SrmSetting(
                "Recovery hosts",
                f"ESX clusters at {to}",
                f"{plural(hosts, 'host')} connected and out of maintenance mode",
                f"The recovery time assumes {plural(a.recovery_esx_hosts_per_cluster, 'host')} "
                f"per recovery cluster start {possessive(g.site)} VMs one at a time each.",
                "Method §8",
            )
        )
        if target.recovery_subnet_differs:
            out.append(
                SrmSetting(
                    "IP customisation specification",
                    f"SRM at {to}",
                    "exists" if target.ip_customization_spec else "to create",
                    f"The subnet at {to} differs: every recovered VM gets the address of the IP "
                    "customisation sheet.",
                    "[S0]",
                )
            )
            out.append(
                SrmSetting(
                    "DNS time to live of the mailbox servers' records",
                    f"DNS of {g.domain}",
                    f"{a.client_reconnect_min:g} min or less, set before any failover",
                    f"The mailbox servers' addresses change at {to}; clients find them again "
                    "within the users-back estimate only if their records expire in time.",
                    "Method §8",
                )
            )
    return tuple(out)


def srm_configuration(design: Design) -> SrmConfiguration:
    """Every table of the SRM configuration of ``design``."""
    doc = design.scenario.document
    return SrmConfiguration(
        doc.customer,
        doc.project,
        array_managers(design),
        inventory_mappings(design),
        placeholder_datastores(design),
        protection_groups(design),
        recovery_plans(design),
        ip_customisations(design),
        settings(design),
        design.a.sra_timeout_s,
        design.sra_timeout_to_set_s,
    )


# --- srm.xlsx ----------------------------------------------------------------------------------

Value = str | int | float | None
Column = tuple[str, Callable[[Any], Value]]
"""A worksheet column: its header and the value of a row (None: a cell to fill in)."""

FILL_COLOUR = "FFF2CC"
"""The light yellow of a cell to fill in."""
MAX_WIDTH = 60
"""The widest column, in characters; longer text wraps."""


EXCEL_CELL_MAX = 32_767
"""The most characters Excel keeps in a cell."""


def _join(items: Sequence[str]) -> str:
    """Names separated by commas; a list too long for one Excel cell (a priority group of
    thousands of VMs) is cut after the names that fit, saying how many more there are.

    >>> len(_join([f"MBX{i:05d}" for i in range(10_000)])) <= EXCEL_CELL_MAX
    True
    """
    text = ", ".join(items)
    if len(text) <= EXCEL_CELL_MAX:
        return text
    room = EXCEL_CELL_MAX - 40  # for " and 9,999,999 more"
    shown = text[:room].rsplit(", ", 1)[0]
    count = shown.count(", ") + 1
    return f"{shown} and {len(items) - count:,} more"


def _sheets(c: SrmConfiguration) -> list[tuple[str, str, list[Column], Sequence[Any]]]:
    """Each worksheet: title, what it is for, columns, rows."""
    steps = [(p, s) for p in c.recovery_plans for s in p.steps]
    groups = [(p, g) for p in c.protection_groups for g in p.datastore_groups]
    return [
        (
            "Array managers",
            "The arrays each SRM server manages through the SRA, and the SP addresses to enter.",
            [
                ("Site", lambda r: r.site),
                ("Site's role", lambda r: r.role),
                ("Array", lambda r: r.array),
                ("Model", lambda r: r.model),
                ("Peer arrays", lambda r: _join(r.peer_arrays)),
                ("Storage replication adapter", lambda r: r.adapter),
                ("Also on the SRM server", lambda r: r.software),
                ("SP A address", lambda r: r.sp_a_address),
                ("SP B address", lambda r: r.sp_b_address),
            ],
            c.array_managers,
        ),
        (
            "Inventory mappings",
            "What each object at the protected site maps to at the recovery site.",
            [
                ("Protected site", lambda r: r.protected_site),
                ("Recovery site", lambda r: r.recovery_site),
                ("Mapping", lambda r: r.kind),
                ("At the protected site", lambda r: r.protected_value),
                ("At the recovery site", lambda r: r.recovery_value),
                ("Note", lambda r: r.note),
            ],
            c.inventory_mappings,
        ),
        (
            "Placeholder datastores",
            "The datastore at each recovery site for SRM's placeholder VMs.",
            [
                ("Recovery site", lambda r: r.recovery_site),
                ("Protects VMs of", lambda r: _join(r.protected_sites)),
                ("Placeholder VMs", lambda r: r.placeholder_vms_count),
                ("Datastore", lambda r: r.datastore),
                ("Note", lambda r: r.note),
            ],
            c.placeholder_datastores,
        ),
        (
            "Protection groups",
            "Each protection group and its datastore groups (the consistency groups of a VM).",
            [
                ("Protection group", lambda r: r[0].name),
                ("Protected site", lambda r: r[0].protected_site),
                ("Recovery site", lambda r: r[0].recovery_site),
                ("Datastore group", lambda r: r[1].name),
                ("VMs", lambda r: _join(r[1].vms)),
                ("Consistency groups", lambda r: _join(r[1].consistency_groups)),
                ("LUNs (VMFS datastores)", lambda r: r[1].luns_count),
                ("Capacity (GiB)", lambda r: round(r[1].capacity_gib, 1)),
                ("Primary array", lambda r: _join(r[1].source_arrays)),
                ("Secondary array", lambda r: _join(r[1].target_arrays)),
            ],
            groups,
        ),
        (
            "Recovery plans",
            "Each recovery plan's steps in order: messages SRM waits on, and priority groups.",
            [
                ("Recovery plan", lambda r: r[0].name),
                ("Step", lambda r: r[1].order),
                ("Kind", lambda r: r[1].kind.capitalize()),
                ("Priority", lambda r: r[1].priority),
                ("What", lambda r: r[1].text),
                ("VMs", lambda r: _join(r[1].vms)),
                (
                    "Estimated minutes",
                    lambda r: "" if r[1].minutes is None else round(r[1].minutes, 1),
                ),
            ],
            steps,
        ),
        (
            "IP customisation",
            "The address of each protected VM at its recovery site (where the subnet differs).",
            [
                ("VM", lambda r: r.vm),
                ("Protected site", lambda r: r.protected_site),
                ("Recovery site", lambda r: r.recovery_site),
                ("Needed", lambda r: "yes" if r.needed else "no"),
                ("Adapter", lambda r: r.nic),
                ("IP address", lambda r: r.ip_address),
                ("Subnet mask", lambda r: r.subnet_mask),
                ("Gateway", lambda r: r.gateway),
                ("DNS servers", lambda r: r.dns_servers),
                ("Note", lambda r: r.note),
            ],
            c.ip_customisations,
        ),
        (
            "Settings",
            "The SRA command timeout and what the design's estimates rely on.",
            [
                ("Setting", lambda r: r.setting),
                ("Where", lambda r: r.where),
                ("Value", lambda r: r.value),
                ("Why", lambda r: r.why),
                ("Source", lambda r: r.source),
            ],
            c.settings,
        ),
    ]


def _put(ws: Any, row: int, col: int, value: Value) -> Any:
    """Write a cell: text is stored as text, never as a formula, whatever it starts with (a
    scenario's text is data); text that would start a formula also keeps Excel's quote prefix,
    so editing the cell leaves it text."""
    cell = ws.cell(row=row, column=col)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
        if value.startswith(FORMULA_START):
            cell.quotePrefix = True
    return cell


def _width(values: Sequence[Value], header: str) -> float:
    longest = max([len(header), *(len(str(v)) for v in values if v is not None)])
    return float(min(longest + 2, MAX_WIDTH))


def _table(ws: Any, columns: list[Column], rows: Sequence[Any]) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    bold = Font(bold=True)
    fill = PatternFill("solid", start_color=FILL_COLOUR, end_color=FILL_COLOUR)
    wrap = Alignment(wrap_text=True, vertical="top")
    for k, (header, _) in enumerate(columns, start=1):
        _put(ws, 1, k, header).font = bold
    for i, row in enumerate(rows, start=2):
        for k, (_, get) in enumerate(columns, start=1):
            value = get(row)
            cell = _put(ws, i, k, value)
            cell.alignment = wrap
            if value is None:
                cell.fill = fill
            elif isinstance(value, float):
                cell.number_format = "#,##0.0"
            elif isinstance(value, int):
                cell.number_format = "#,##0"
    ws.freeze_panes = "A2"
    for k, (header, get) in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(k)].width = _width([get(r) for r in rows], header)


def write_srm_xlsx(design: Design, path: Path) -> None:
    """``srm.xlsx``: an About sheet, then one worksheet per table of the SRM configuration, the
    cells to fill in highlighted in light yellow (Method §10)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    c = srm_configuration(design)
    doc = design.scenario.document
    wb = Workbook()
    about = wb.active
    assert about is not None
    about.title = "About"
    sheets = _sheets(c)
    rows: list[tuple[str, Value]] = [
        ("Customer", doc.customer),
        ("Project", doc.project),
        ("Version", doc.version),
        ("Mirroring", MODE_NAME[design.mode]),
        (
            "SRA command timeout",
            f"{c.sra_timeout_to_set_s:,.0f} s (SRM's default {c.sra_timeout_default_s:,.0f} s)",
        ),
        ("Written by", f"srmkit {__version__} from the approved design; it configures nothing"),
        ("Yellow cells", f"{FILL_IN.capitalize()} by the implementation team"),
        ("", ""),
        ("Sheet", "What it is for"),
        *((title, purpose) for title, purpose, _, _ in sheets),
    ]
    bold = Font(bold=True)
    for i, (key, value) in enumerate(rows, start=1):
        _put(about, i, 1, key).font = bold
        _put(about, i, 2, value)
    _put(about, rows.index(("Sheet", "What it is for")) + 1, 2, "What it is for").font = bold
    yellow = rows.index(("Yellow cells", f"{FILL_IN.capitalize()} by the implementation team"))
    about.cell(row=yellow + 1, column=2).fill = PatternFill(
        "solid", start_color=FILL_COLOUR, end_color=FILL_COLOUR
    )
    about.column_dimensions["A"].width = 24
    about.column_dimensions["B"].width = float(MAX_WIDTH + 20)
    for title, _, columns, table_rows in sheets:
        _table(wb.create_sheet(title), columns, table_rows)
    wb.save(path)
