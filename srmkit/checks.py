"""The design checker: a catalogue of rules with stable ids, run over a whole study.

A broken guideline is a finding (rule id, severity, message with the numbers involved, the seed
section it comes from, and the remedy), not an exception. A scenario's ``accept`` list may accept a
warning or info finding by id with a written reason: it then appears as an accepted risk, never
silently vanishes. Errors cannot be accepted.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Literal

from srmkit.design import Design
from srmkit.limits import get_model
from srmkit.planner import Plan, first_break_year, plan_scenario
from srmkit.schema import Scenario

Severity = Literal["error", "warning", "info"]
SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 3}


@dataclass(frozen=True)
class Rule:
    """One guideline."""

    id: str
    severity: Severity
    title: str
    reference: str
    remedy: str


@dataclass(frozen=True)
class Finding:
    """A rule broken by a design."""

    id: str
    severity: Severity
    message: str
    reference: str
    remedy: str
    accepted: bool = False
    accepted_reason: str | None = None

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {
            "id": self.id,
            "severity": self.severity,
            "message": self.message,
            "reference": self.reference,
            "remedy": self.remedy,
            "accepted": self.accepted,
            "accepted_reason": self.accepted_reason,
        }


class Context:
    """What the rules look at: the scenario, its sizing study and its CG plan."""

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self.design = Design(scenario)

    @cached_property
    def plan(self) -> Plan:
        """The CG plan today."""
        return plan_scenario(self.scenario)

    @cached_property
    def break_year(self) -> int | None:
        """First year of the horizon in which a limit breaks."""
        return first_break_year(self.scenario)


Check = Callable[[Context], Iterator[str]]
RULES: dict[str, Rule] = {}
CHECKS: dict[str, Check] = {}


def rule(
    id: str, severity: Severity, title: str, reference: str, remedy: str
) -> Callable[[Check], Check]:
    """Register a rule and the function that yields one message per occurrence."""

    def register(fn: Check) -> Check:
        RULES[id] = Rule(id, severity, title, reference, remedy)
        CHECKS[id] = fn
        return fn

    return register


TABLES = "[S0] Consistency groups; Tables 2 and 3"


def _limit(ctx: Context, limit: str, what: str) -> Iterator[str]:
    for a in ctx.plan.arrays:
        if limit in a.broken:
            used, allowed = {
                "LIMIT-MIRRORS": (a.mirrors, a.max_mirrors),
                "LIMIT-CG-SIZE": (a.largest_cg_luns, a.max_luns_per_cg),
                "LIMIT-CG-COUNT": (a.cgs, a.max_cgs),
            }[limit]
            fixes = "; ".join(ctx.plan.remedies)
            yield (
                f"{a.array} ({a.model}, {'MirrorView/S' if a.mode == 'sync' else 'MirrorView/A'}"
                f"): {used} {what} > {allowed} allowed. Fix: {fixes}"
            )


@rule(
    "LIMIT-MIRRORS",
    "error",
    "Mirrors exceed the array's limit",
    TABLES,
    "Bigger model, another array pair, MV/S instead of MV/A, or fewer mirrored LUNs.",
)
def _mirrors(ctx: Context) -> Iterator[str]:
    yield from _limit(ctx, "LIMIT-MIRRORS", "mirrors")


@rule(
    "LIMIT-CG-SIZE",
    "error",
    "A consistency group holds too many LUNs",
    TABLES,
    "Split the group; keep each storage group's DB and log LUN together.",
)
def _cg_size(ctx: Context) -> Iterator[str]:
    yield from _limit(ctx, "LIMIT-CG-SIZE", "LUNs in one consistency group")


@rule(
    "LIMIT-CG-COUNT",
    "error",
    "Consistency groups exceed the array's limit",
    TABLES,
    "Bigger model, another array pair, or packed consistency groups.",
)
def _cg_count(ctx: Context) -> Iterator[str]:
    yield from _limit(ctx, "LIMIT-CG-COUNT", "consistency groups")


@rule(
    "LIMIT-GROWTH",
    "warning",
    "A limit breaks within the growth horizon",
    TABLES,
    "Plan the bigger model or second array pair before that year.",
)
def _growth(ctx: Context) -> Iterator[str]:
    year = ctx.break_year
    if year is not None and year > 0 and ctx.plan.feasible:
        g = ctx.scenario.growth
        yield (
            f"with {g.users_per_year_fraction:.0%} user growth a year the design first breaks "
            f"an array limit in year {year} of {g.years}"
        )


@rule(
    "MODEL-NO-MIRRORVIEW",
    "error",
    "Array model without MirrorView",
    "[S0] CLARiiON model considerations",
    "Use an AX4-5F, CX3 or CX4 model.",
)
def _no_mv(ctx: Context) -> Iterator[str]:
    for a in ctx.scenario.arrays:
        if not get_model(a.model).mirrorview_supported:
            yield f"{a.name}: {a.model} does not support MirrorView"


@rule(
    "FLARE-TOO-OLD",
    "error",
    "FLARE release below the model's minimum",
    "[S0] CLARiiON model considerations (CX3: FLARE 26 or later)",
    "Upgrade FLARE before implementing SRM with MirrorView.",
)
def _flare(ctx: Context) -> Iterator[str]:
    for a in ctx.scenario.arrays:
        m = get_model(a.model)
        if m.min_flare_release is not None and a.flare < m.min_flare_release:
            yield f"{a.name}: FLARE {a.flare} < {m.min_flare_release} required for {m.model}"


@rule(
    "ISCSI-NEEDS-C-MODEL",
    "error",
    "iSCSI mirroring on a model without it",
    "[S0] CLARiiON model considerations (iSCSI mirroring requires combo c models)",
    "Use a c model (CX3-10c/20c/40c) or a CX4, or mirror over FC.",
)
def _iscsi(ctx: Context) -> Iterator[str]:
    for a in ctx.scenario.arrays:
        if a.connectivity == "iscsi" and not get_model(a.model).iscsi_mirroring:
            yield f"{a.name}: {a.model} cannot mirror over iSCSI"


@rule(
    "SYNC-DISTANCE",
    "warning",
    "MirrorView/S beyond EMC's recommended distance",
    "[S0] MirrorView/S considerations (< 100 km for Exchange)",
    "Use a closer recovery site or MirrorView/A.",
)
def _distance(ctx: Context) -> Iterator[str]:
    lim = ctx.scenario.assumptions.sync_distance_limit_km
    if ctx.design.is_sync and ctx.scenario.link.distance_km >= lim:
        yield f"sites {ctx.scenario.link.distance_km:g} km apart; EMC recommends < {lim:g} km"


@rule(
    "LOG-WRITE-LATENCY",
    "error",
    "Log write latency above the Microsoft limit",
    "[S0] Latency (log writes: 10 ms average, < 40 ms max)",
    "Shorten the distance, add write acceleration (1 round trip), a faster link, or MV/A.",
)
def _log_latency(ctx: Context) -> Iterator[str]:
    a, d = ctx.scenario.assumptions, ctx.design
    if (
        d.is_sync
        and d.peak_utilization_fraction < 1
        and d.log_write_latency_ms >= a.log_write_avg_limit_ms
    ):
        yield (
            f"log writes take {d.log_write_latency_ms:.2f} ms on average "
            f"(limit {a.log_write_avg_limit_ms:g} ms); max distance for the limit "
            f"{d.max_distance_km():.0f} km"
        )


@rule(
    "DB-READ-LATENCY",
    "error",
    "Database read latency above the Microsoft limit",
    "[S0] Latency (database reads: 20 ms average, < 40 ms max)",
    "Apply Exchange storage best practices (more or faster spindles, RAID 10).",
)
def _db_read(ctx: Context) -> Iterator[str]:
    a = ctx.scenario.assumptions
    if a.local_db_read_ms >= a.db_read_avg_limit_ms:
        yield f"database reads take {a.local_db_read_ms:g} ms (limit {a.db_read_avg_limit_ms:g} ms)"


@rule(
    "LINK-SATURATED",
    "error",
    "The link cannot carry the mirrored writes",
    "[S0] MirrorView/S considerations; MODEL.md §4",
    "A faster link or a larger share of it.",
)
def _saturated(ctx: Context) -> Iterator[str]:
    d = ctx.design
    if d.is_sync and d.peak_utilization_fraction >= 1:
        yield (
            f"peak-hour writes need {d.peak_mbps:.1f} Mbit/s; the link gives "
            f"{d.effective_rate_mbps:.1f} Mbit/s ({d.peak_utilization_fraction:.0%})"
        )


@rule(
    "ASYNC-OVERRUN",
    "warning",
    "MirrorView/A updates take longer than the interval",
    "[S0] MirrorView/A considerations",
    "A faster link or a longer update interval.",
)
def _overrun(ctx: Context) -> Iterator[str]:
    if not ctx.design.is_sync:
        c = ctx.design.async_cycle
        if c.update_overrun and not c.unbounded:
            longest = max(u.duration_min for u in c.updates)
            yield (
                f"the longest update takes {longest:.1f} min, more than the "
                f"{ctx.scenario.replication.update_interval_min:g} min interval"
            )


@rule(
    "ASYNC-UNBOUNDED",
    "error",
    "MirrorView/A cannot keep up: RPO unbounded",
    "[S0] MirrorView/A considerations; MODEL.md §5",
    "A faster link.",
)
def _unbounded(ctx: Context) -> Iterator[str]:
    if not ctx.design.is_sync and ctx.design.async_cycle.unbounded:
        daily = float(ctx.design.hourly_async_mib.sum())
        yield (
            f"a day's changes ({daily:,.0f} MiB) exceed what "
            f"{ctx.design.effective_rate_mbps:g} Mbit/s carries in a day"
        )


@rule(
    "RPO-TARGET",
    "error",
    "The design misses the target RPO",
    "[S0] MirrorView/A considerations (RPO = interval + update time)",
    "A faster link or a shorter update interval (srmkit size shows the rate needed).",
)
def _rpo(ctx: Context) -> Iterator[str]:
    if ctx.design.is_sync:
        return
    c, target = ctx.design.async_cycle, ctx.scenario.targets.rpo_min
    if c.worst_rpo_min is not None and c.worst_rpo_min > target:
        need = ctx.design.required_rate_mbps_for_target_rpo
        extra = f"; {need:g} Mbit/s effective would meet it" if need else ""
        yield f"worst RPO {c.worst_rpo_min:.1f} min > target {target:g} min{extra}"


@rule(
    "WIL-OFF",
    "warning",
    "Write intent log not used",
    "[S0] Write intent log; Setup",
    "Enable the write intent log on the mirrors.",
)
def _wil(ctx: Context) -> Iterator[str]:
    if not ctx.scenario.replication.write_intent_log:
        yield "mirrors are created without the write intent log (full resync after an SP failure)"


@rule(
    "RECOVERY-POLICY-AUTO",
    "warning",
    "Mirror recovery policy automatic",
    "[S0] Other MirrorView guidelines; Loss of the mirrored link",
    "Set the recovery policy to Manual and clone the secondary before resynchronising.",
)
def _policy(ctx: Context) -> Iterator[str]:
    if ctx.scenario.replication.recovery_policy == "auto":
        yield "a resync starts by itself and overwrites the last consistent secondary"


@rule(
    "RDM-NOT-PROTECTED",
    "error",
    "RDMs are not protected by SRM",
    "[S0] Table 1",
    "Move the data to VMFS datastores.",
)
def _rdm(ctx: Context) -> Iterator[str]:
    for s in ctx.scenario.servers:
        if s.uses_rdm:
            yield f"{s.name} uses raw device mappings"


@rule(
    "CLUSTERED-EXCHANGE",
    "error",
    "SRM cannot fail over Windows clusters",
    "[S0] Planning to virtualize Exchange",
    "Migrate the mailboxes to a non-clustered VM; use VMware HA for local protection.",
)
def _cluster(ctx: Context) -> Iterator[str]:
    for s in ctx.scenario.servers:
        if s.clustered:
            yield f"{s.name} is a clustered Exchange server"


@rule(
    "USERS-PER-VM",
    "warning",
    "More users in a VM than recommended",
    "[S0] Setup",
    "Distribute the users across more VMs.",
)
def _users(ctx: Context) -> Iterator[str]:
    limit = ctx.scenario.assumptions.max_users_per_vm
    for s in ctx.scenario.servers:
        if s.users > limit:
            yield f"{s.name} has {s.users:,} users (recommended limit {limit:,})"


@rule(
    "GUEST-OS-SVVP",
    "warning",
    "Guest OS not SVVP compliant",
    "[S0] Table 1; Planning to virtualize Exchange",
    "Use Windows 2008 x64.",
)
def _svvp(ctx: Context) -> Iterator[str]:
    for s in ctx.scenario.servers:
        if s.guest_os != "windows-2008-x64":
            yield f"{s.name} runs {s.guest_os}; Windows 2008 x64 is required for SVVP compliance"


@rule(
    "EXCHANGE-VERSION",
    "warning",
    "Exchange version outside this solution",
    "[S0] Table 1; Planning to virtualize Exchange (Exchange 2007 is supported)",
    "Plan for Exchange 2007.",
)
def _version(ctx: Context) -> Iterator[str]:
    for s in ctx.scenario.servers:
        if s.exchange_version != 2007:
            yield f"{s.name} runs Exchange {s.exchange_version}; the guidelines cover Exchange 2007"


def _sites_with(ctx: Context, missing: Callable[[object], bool]) -> Iterator[str]:
    for site in ctx.scenario.sites:
        if missing(site):
            yield site.name


@rule(
    "AD-PER-SITE",
    "warning",
    "Fewer than two AD/GC servers at a site",
    "[S0] Planning to virtualize Exchange",
    "Place two domain controllers / GCs at each site.",
)
def _ad(ctx: Context) -> Iterator[str]:
    for site in ctx.scenario.sites:
        if site.ad_gc_servers < 2:
            yield f"{site.name} has {site.ad_gc_servers} AD/GC servers (2 recommended)"


@rule(
    "CAS-PER-SITE",
    "warning",
    "No Client Access server at a site",
    "[S0] Table 1; Setup",
    "Configure a CAS at each site in the same Windows domain.",
)
def _cas(ctx: Context) -> Iterator[str]:
    for site in ctx.scenario.sites:
        if not site.cas_present:
            yield f"{site.name} has no Client Access server"


@rule(
    "HUB-PER-SITE",
    "warning",
    "No Hub Transport server at a site",
    "[S0] Table 1",
    "Configure a Hub Transport server at each site.",
)
def _hub(ctx: Context) -> Iterator[str]:
    for site in ctx.scenario.sites:
        if not site.hub_transport_present:
            yield f"{site.name} has no Hub Transport server"


@rule(
    "HUB-NOT-PROTECTED",
    "info",
    "In-flight messages on the Hub Transport are not protected",
    "[S0] Setup",
    "Replicate the Hub Transport VM with SRM to protect in-flight messages.",
)
def _hub_protected(ctx: Context) -> Iterator[str]:
    production = {s.site for s in ctx.scenario.servers}
    for site in ctx.scenario.sites:
        if (
            site.name in production
            and site.hub_transport_present
            and not site.hub_transport_protected
        ):
            yield f"the Hub Transport at {site.name} is not replicated by SRM"


@rule(
    "DOMAIN-MISMATCH",
    "warning",
    "Sites in different Windows domains",
    "[S0] Planning to virtualize Exchange",
    "Keep the Exchange servers of both sites in one domain.",
)
def _domain(ctx: Context) -> Iterator[str]:
    domains = {s.windows_domain for s in ctx.scenario.sites}
    if len(domains) > 1:
        yield "sites are in different domains: " + ", ".join(sorted(domains))


@rule(
    "SUBNET-CUSTOMIZATION",
    "warning",
    "Recovery subnet differs without a customisation spec",
    "[S0] Planning to virtualize Exchange; Failover",
    "Create an SRM IP customisation specification and attach it to the recovery plan.",
)
def _subnet(ctx: Context) -> Iterator[str]:
    production = {s.site for s in ctx.scenario.servers}
    for site in ctx.scenario.sites:
        recovers_here = any(p != site.name for p in production)
        if recovers_here and site.recovery_subnet_differs and not site.ip_customization_spec:
            yield f"VMs recovered to {site.name} get another subnet and have no customisation spec"


@rule(
    "DB-PER-SG",
    "warning",
    "Database larger than one database per storage group allows",
    "[S0] Setup (a single database file for each storage group)",
    "Add storage groups so that each database stays within the assumed maximum size.",
)
def _db_per_sg(ctx: Context) -> Iterator[str]:
    limit = ctx.scenario.assumptions.max_db_gib
    for s in ctx.design.servers:
        if s.db_lun_gib > limit:
            yield (
                f"{s.name}: {s.storage_groups} storage groups make {s.db_lun_gib:.0f} GiB "
                f"databases (> {limit:g} GiB)"
            )


@rule(
    "SG-SPLIT-CG",
    "error",
    "A storage group is split or missing from the CG layout",
    "[S0] Consistency groups (all LUNs of a storage group in one CG)",
    "Put each storage group, DB and log LUN, in exactly one consistency group.",
)
def _sg_split(ctx: Context) -> Iterator[str]:
    if not ctx.plan.explicit:
        return
    seen: dict[tuple[str, int], list[str]] = {}
    for m in ctx.plan.mirrors:
        if m.role == "db" and m.storage_group is not None:
            seen.setdefault((m.server, m.storage_group), []).append(m.cg)
    for s in ctx.design.servers:
        for sg in range(1, s.storage_groups + 1):
            cgs = seen.get((s.name, sg), [])
            if len(cgs) != 1:
                where = " and ".join(cgs) if cgs else "no consistency group"
                yield f"{s.name} storage group {sg} is in {where}"


@rule(
    "CG-MIXED-MODE",
    "error",
    "A consistency group mixes array pairs or directions",
    "[S0] Consistency groups; Bi-directional mirroring",
    "Keep every CG's mirrors on one source and one target array.",
)
def _mixed(ctx: Context) -> Iterator[str]:
    for cg in ctx.plan.cgs:
        pairs = {(m.source_array, m.target_array) for m in cg.mirrors}
        if len(pairs) > 1:
            yield f"{cg.name} mixes " + ", ".join(f"{a}→{b}" for a, b in sorted(pairs))


@rule(
    "CG-PACKED-FAILOVER",
    "warning",
    "Servers share a consistency group",
    "[S0] Consistency groups (operations act on the entire set)",
    "Accept that these servers fail over and resynchronise together, or use per_server.",
)
def _packed(ctx: Context) -> Iterator[str]:
    for cg in ctx.plan.cgs:
        if len(cg.servers) > 1:
            yield f"{cg.name} holds {', '.join(cg.servers)}: they fail over together"


@rule(
    "CX3-SP-CACHE",
    "warning",
    "Write cache off after an SP failure",
    "[S0] SP failure",
    "Monitor Exchange latency during SP failures, or use CX4 arrays.",
)
def _sp_cache(ctx: Context) -> Iterator[str]:
    for a in ctx.scenario.arrays:
        m = get_model(a.model)
        if m.mirrorview_supported and not m.write_cache_kept_on_sp_failure:
            yield f"{a.name} ({m.model}) turns write caching off when an SP fails"


@rule(
    "RLP-SIZE",
    "info",
    "Reserved LUN pool for MirrorView/A",
    "[S0] Loss of the mirrored link; FACTS §2 [S10]",
    "Configure the reserved LUN pool on both arrays with uniform LUN sizes.",
)
def _rlp(ctx: Context) -> Iterator[str]:
    rlp = ctx.design.rlp_gib
    if not ctx.design.is_sync and rlp is not None:
        yield f"reserve at least {rlp:,.0f} GiB of reserved LUN pool on each array"


def run(scenario: Scenario) -> list[Finding]:
    """Every rule over the scenario; accepted findings marked; errors, warnings, accepted, info."""
    ctx = Context(scenario)
    accepted = {a.id: a.reason for a in scenario.accept}
    findings = []
    for rule_id, check in CHECKS.items():
        r = RULES[rule_id]
        for message in check(ctx):
            ok = rule_id in accepted and r.severity != "error"
            findings.append(
                Finding(
                    rule_id,
                    r.severity,
                    message,
                    r.reference,
                    r.remedy,
                    ok,
                    accepted.get(rule_id) if ok else None,
                )
            )

    def key(f: Finding) -> int:
        return 2 if f.accepted else SEVERITY_ORDER[f.severity]

    return sorted(findings, key=key)
