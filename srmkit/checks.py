"""The design checker: one check per rule of the catalogue (``srmkit/data/rules.csv``).

A broken guideline is a finding (rule id, severity, message with the numbers involved, the source
it comes from, and the remedy), not an exception. Checks read every number from a
:class:`~srmkit.study.Study` and compute nothing of their own. A scenario's ``accept`` list may
accept a warning or info finding by id with a written reason: it then appears as an accepted risk,
never silently vanishes. Errors cannot be accepted.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from srmkit.rules import Severity, catalogue
from srmkit.study import Study

SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 3}
ACCEPTED_ORDER = 2


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


Check = Callable[[Study], Iterator[str]]
CHECKS: dict[str, Check] = {}


def check(rule_id: str) -> Callable[[Check], Check]:
    """Register the function that yields one message per occurrence of a catalogue rule."""
    if rule_id not in catalogue():
        raise KeyError(f"{rule_id} is not in srmkit/data/rules.csv")

    def register(fn: Check) -> Check:
        CHECKS[rule_id] = fn
        return fn

    return register


def _limit(d: Study, limit: str, what: str) -> Iterator[str]:
    for a in d.plan.arrays:
        if limit in a.broken:
            used, allowed = {
                "LIMIT-MIRRORS": (a.mirrors, a.max_mirrors),
                "LIMIT-CG-SIZE": (a.largest_cg_luns, a.max_luns_per_cg),
                "LIMIT-CG-COUNT": (a.cgs, a.max_cgs),
            }[limit]
            fixes = "; ".join(d.plan_remedies)
            yield (
                f"{a.array} ({a.model}, {'MirrorView/S' if a.mode == 'sync' else 'MirrorView/A'}"
                f"): {used} {what} > {allowed} allowed. Fix: {fixes}"
            )


@check("LIMIT-MIRRORS")
def _mirrors(d: Study) -> Iterator[str]:
    yield from _limit(d, "LIMIT-MIRRORS", "mirrors")


@check("LIMIT-CG-SIZE")
def _cg_size(d: Study) -> Iterator[str]:
    yield from _limit(d, "LIMIT-CG-SIZE", "LUNs in one consistency group")


@check("LIMIT-CG-COUNT")
def _cg_count(d: Study) -> Iterator[str]:
    yield from _limit(d, "LIMIT-CG-COUNT", "consistency groups")


@check("LIMIT-GROWTH")
def _growth(d: Study) -> Iterator[str]:
    year = d.first_break_year
    if year is not None and year > 0 and d.plan.feasible:
        g = d.scenario.growth
        yield (
            f"with {g.users_per_year_fraction:.0%} user growth a year the design first breaks "
            f"an array limit in year {year} of {g.years}"
        )


@check("MODEL-NO-MIRRORVIEW")
def _no_mv(d: Study) -> Iterator[str]:
    for a in d.scenario.arrays:
        if not d.models[a.name].mirrorview_supported:
            yield f"{a.name}: {a.model} does not support MirrorView"


@check("FLARE-TOO-OLD")
def _flare(d: Study) -> Iterator[str]:
    for a in d.scenario.arrays:
        m = d.models[a.name]
        if m.min_flare_release is not None and a.flare < m.min_flare_release:
            yield f"{a.name}: FLARE {a.flare} < {m.min_flare_release} required for {m.model}"


@check("ISCSI-NEEDS-C-MODEL")
def _iscsi(d: Study) -> Iterator[str]:
    for a in d.scenario.arrays:
        if a.connectivity == "iscsi" and not d.models[a.name].iscsi_mirroring:
            yield f"{a.name}: {a.model} cannot mirror over iSCSI"


@check("SYNC-DISTANCE")
def _distance(d: Study) -> Iterator[str]:
    lim = d.a.sync_distance_limit_km
    if d.is_sync and d.scenario.link.distance_km >= lim:
        yield f"sites {d.scenario.link.distance_km:g} km apart; EMC recommends < {lim:g} km"


@check("LOG-WRITE-LATENCY")
def _log_latency(d: Study) -> Iterator[str]:
    if d.is_sync and not d.link_saturated and not d.log_write_within_limit:
        yield (
            f"log writes take {d.log_write_latency_ms:.2f} ms on average "
            f"(limit {d.a.log_write_avg_limit_ms:g} ms); max distance for the limit "
            f"{d.max_distance_km:.0f} km"
        )


@check("DB-READ-LATENCY")
def _db_read(d: Study) -> Iterator[str]:
    a = d.a
    if a.local_db_read_ms >= a.db_read_avg_limit_ms:
        yield f"database reads take {a.local_db_read_ms:g} ms (limit {a.db_read_avg_limit_ms:g} ms)"


@check("LINK-SATURATED")
def _saturated(d: Study) -> Iterator[str]:
    if d.is_sync and d.link_saturated:
        yield (
            f"peak-hour writes need {d.peak_mbps:.1f} Mbit/s; the link gives "
            f"{d.effective_rate_mbps:.1f} Mbit/s ({d.peak_utilization_fraction:.0%})"
        )


@check("ASYNC-OVERRUN")
def _overrun(d: Study) -> Iterator[str]:
    if not d.is_sync:
        c = d.async_cycle
        if c.update_overrun and not c.unbounded:
            longest = max(u.duration_min for u in c.updates)
            yield (
                f"the longest update takes {longest:.1f} min, more than the "
                f"{d.scenario.replication.update_interval_min:g} min interval"
            )


@check("ASYNC-UNBOUNDED")
def _unbounded(d: Study) -> Iterator[str]:
    if not d.is_sync and d.async_cycle.unbounded:
        daily = float(d.hourly_async_mib.sum())
        yield (
            f"a day's changes ({daily:,.0f} MiB) exceed what "
            f"{d.effective_rate_mbps:g} Mbit/s carries in a day"
        )


@check("RPO-TARGET")
def _rpo(d: Study) -> Iterator[str]:
    if d.is_sync:
        return
    c, target = d.async_cycle, d.scenario.targets.rpo_min
    if c.worst_rpo_min is not None and c.worst_rpo_min > target:
        need = d.required_rate_mbps_for_target_rpo
        extra = f"; {need:g} Mbit/s effective would meet it" if need else ""
        yield f"worst RPO {c.worst_rpo_min:.1f} min > target {target:g} min{extra}"


@check("WIL-OFF")
def _wil(d: Study) -> Iterator[str]:
    if not d.scenario.replication.write_intent_log:
        yield "mirrors are created without the write intent log (full resync after an SP failure)"


@check("RECOVERY-POLICY-AUTO")
def _policy(d: Study) -> Iterator[str]:
    if d.scenario.replication.recovery_policy == "auto":
        yield "a resync starts by itself and overwrites the last consistent secondary"


@check("RDM-NOT-PROTECTED")
def _rdm(d: Study) -> Iterator[str]:
    for s in d.scenario.servers:
        if s.uses_rdm:
            yield f"{s.name} uses raw device mappings"


@check("CLUSTERED-EXCHANGE")
def _cluster(d: Study) -> Iterator[str]:
    for s in d.scenario.servers:
        if s.clustered:
            yield f"{s.name} is a clustered Exchange server"


@check("USERS-PER-VM")
def _users(d: Study) -> Iterator[str]:
    limit = d.a.max_users_per_vm
    for s in d.scenario.servers:
        if s.users > limit:
            yield f"{s.name} has {s.users:,} users (recommended limit {limit:,})"


@check("GUEST-OS-SVVP")
def _svvp(d: Study) -> Iterator[str]:
    for s in d.scenario.servers:
        if s.guest_os != "windows-2008-x64":
            yield f"{s.name} runs {s.guest_os}; Windows 2008 x64 is required for SVVP compliance"


@check("EXCHANGE-VERSION")
def _version(d: Study) -> Iterator[str]:
    for s in d.scenario.servers:
        if s.exchange_version != 2007:
            yield f"{s.name} runs Exchange {s.exchange_version}; the guidelines cover Exchange 2007"


@check("AD-PER-SITE")
def _ad(d: Study) -> Iterator[str]:
    for site in d.scenario.sites:
        if site.ad_gc_servers < 2:
            yield f"{site.name} has {site.ad_gc_servers} AD/GC servers (2 recommended)"


@check("CAS-PER-SITE")
def _cas(d: Study) -> Iterator[str]:
    for site in d.scenario.sites:
        if not site.cas_present:
            yield f"{site.name} has no Client Access server"


@check("HUB-PER-SITE")
def _hub(d: Study) -> Iterator[str]:
    for site in d.scenario.sites:
        if not site.hub_transport_present:
            yield f"{site.name} has no Hub Transport server"


@check("HUB-NOT-PROTECTED")
def _hub_protected(d: Study) -> Iterator[str]:
    production = {s.site for s in d.scenario.servers}
    for site in d.scenario.sites:
        if (
            site.name in production
            and site.hub_transport_present
            and not site.hub_transport_protected
        ):
            yield f"the Hub Transport at {site.name} is not replicated by SRM"


@check("DOMAIN-MISMATCH")
def _domain(d: Study) -> Iterator[str]:
    domains = {s.windows_domain for s in d.scenario.sites}
    if len(domains) > 1:
        yield "sites are in different domains: " + ", ".join(sorted(domains))


@check("SUBNET-CUSTOMIZATION")
def _subnet(d: Study) -> Iterator[str]:
    production = {s.site for s in d.scenario.servers}
    for site in d.scenario.sites:
        recovers_here = any(p != site.name for p in production)
        if recovers_here and site.recovery_subnet_differs and not site.ip_customization_spec:
            yield f"VMs recovered to {site.name} get another subnet and have no customisation spec"


@check("DB-PER-SG")
def _db_per_sg(d: Study) -> Iterator[str]:
    limit = d.a.max_db_gib
    for s in d.servers:
        if s.db_lun_gib > limit:
            yield (
                f"{s.name}: {s.storage_groups} storage groups make {s.db_lun_gib:.0f} GiB "
                f"databases (> {limit:g} GiB)"
            )


@check("SG-SPLIT-CG")
def _sg_split(d: Study) -> Iterator[str]:
    if not d.plan.explicit:
        return
    seen: dict[tuple[str, int], list[str]] = {}
    for m in d.plan.mirrors:
        if m.role == "db" and m.storage_group is not None:
            seen.setdefault((m.server, m.storage_group), []).append(m.cg)
    for s in d.servers:
        for sg in range(1, s.storage_groups + 1):
            cgs = seen.get((s.name, sg), [])
            if len(cgs) != 1:
                where = " and ".join(cgs) if cgs else "no consistency group"
                yield f"{s.name} storage group {sg} is in {where}"


@check("CG-MIXED-MODE")
def _mixed(d: Study) -> Iterator[str]:
    for cg in d.plan.cgs:
        pairs = {(m.source_array, m.target_array) for m in cg.mirrors}
        if len(pairs) > 1:
            yield f"{cg.name} mixes " + ", ".join(f"{a}→{b}" for a, b in sorted(pairs))


@check("CG-PACKED-FAILOVER")
def _packed(d: Study) -> Iterator[str]:
    for cg in d.plan.cgs:
        if len(cg.servers) > 1:
            yield f"{cg.name} holds {', '.join(cg.servers)}: they fail over together"


@check("CX3-SP-CACHE")
def _sp_cache(d: Study) -> Iterator[str]:
    for a in d.scenario.arrays:
        m = d.models[a.name]
        if m.mirrorview_supported and not m.write_cache_kept_on_sp_failure:
            yield f"{a.name} ({m.model}) turns write caching off when an SP fails"


@check("RLP-SIZE")
def _rlp(d: Study) -> Iterator[str]:
    rlp = d.rlp_gib
    if not d.is_sync and rlp is not None:
        yield f"reserve at least {rlp:,.0f} GiB of reserved LUN pool on each array"


def run(study: Study) -> list[Finding]:
    """Every rule over a study; accepted findings marked; errors, warnings, accepted, info."""
    accepted = {a.id: a.reason for a in study.scenario.accept}
    rules = catalogue()
    findings = []
    for rule_id, fn in CHECKS.items():
        r = rules[rule_id]
        ok = rule_id in accepted and r.severity != "error"
        findings += [
            Finding(
                rule_id,
                r.severity,
                message,
                r.reference,
                r.remedy,
                ok,
                accepted[rule_id] if ok else None,
            )
            for message in fn(study)
        ]
    return sorted(
        findings, key=lambda f: ACCEPTED_ORDER if f.accepted else SEVERITY_ORDER[f.severity]
    )
