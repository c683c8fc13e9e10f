"""The design checker: one check per rule of the catalogue (``srmkit/data/rules.csv``).

A broken guideline is a finding (rule id, severity, message with the numbers involved, what it is
about, the first year it breaks, the source it comes from, and the remedy), not an exception.
Checks read every number from a :class:`~srmkit.study.Study` and compute nothing of their own.
Rules that growth can break are checked at every year of the horizon and reported once, at the
first year they break (Method §7). A scenario's ``accept`` list may accept a warning or info
finding by id with a written reason: it then appears as an accepted risk, never silently vanishes.
Errors cannot be accepted.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass

from srmkit import recommend
from srmkit.glossary import CONNECTIVITY, MODE_NAME
from srmkit.rules import Severity, catalogue
from srmkit.study import Study
from srmkit.units import s_to_min

SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 3}
ACCEPTED_ORDER = 2


@dataclass(frozen=True)
class Hit:
    """One occurrence of a broken rule: what it says, what it is about, and when."""

    message: str
    subject: str | None = None
    """The array, VM, site or link direction the finding is about; None for the design."""
    year: int = 0
    """The first year of the growth horizon in which it breaks (0: today)."""


@dataclass(frozen=True)
class Finding:
    """A rule broken by a design."""

    id: str
    severity: Severity
    message: str
    reference: str
    remedy: str
    subject: str | None = None
    year: int = 0
    accepted: bool = False
    accepted_reason: str | None = None
    remedy_verified: bool = False
    """The remedy was applied to the design and re-planned: the finding then passes."""


Check = Callable[[Study], Iterator[Hit]]
CHECKS: dict[str, Check] = {}


def check(rule_id: str) -> Callable[[Check], Check]:
    """Register the function that yields one hit per occurrence of a catalogue rule."""
    if rule_id not in catalogue():
        raise KeyError(f"{rule_id} is not in srmkit/data/rules.csv")

    def register(fn: Check) -> Check:
        CHECKS[rule_id] = fn
        return fn

    return register


def _first_year(d: Study, broken: Callable[[int], Iterable[tuple[str, str]]]) -> Iterator[Hit]:
    """Hits at the first year each subject breaks; ``broken(year)`` yields (subject, message)."""
    seen: set[str] = set()
    for year in d.years:
        for subject, message in broken(year):
            if subject not in seen:
                seen.add(subject)
                when = f" in year {year} of {d.horizon}" if year else ""
                yield Hit(message + when, subject, year)


# --- array limits and models (Method §7) ---------------------------------------------------


def _limit_hits(d: Study, limit: str, what: str) -> Iterator[Hit]:
    for a in d.loads_at(0):
        if limit in a.broken:
            used, allowed = {
                "LIMIT-MIRRORS": (a.mirrors, a.max_mirrors),
                "LIMIT-CG-SIZE": (a.largest_cg_luns, a.max_luns_per_cg),
                "LIMIT-CG-COUNT": (a.cgs, a.max_cgs),
            }[limit]
            yield Hit(
                f"{a.array} ({a.model}, {MODE_NAME[a.mode]}): {used:,} {what} > "
                f"{allowed:,} allowed",
                a.array,
            )


@check("LIMIT-MIRRORS")
def _mirrors(d: Study) -> Iterator[Hit]:
    yield from _limit_hits(d, "LIMIT-MIRRORS", "mirrors")


@check("LIMIT-CG-SIZE")
def _cg_size(d: Study) -> Iterator[Hit]:
    yield from _limit_hits(d, "LIMIT-CG-SIZE", "LUNs in one consistency group")


@check("LIMIT-CG-COUNT")
def _cg_count(d: Study) -> Iterator[Hit]:
    yield from _limit_hits(d, "LIMIT-CG-COUNT", "consistency groups")


@check("LIMIT-GROWTH")
def _growth(d: Study) -> Iterator[Hit]:
    today = {(a.array, limit) for a in d.loads_at(0) for limit in a.broken}
    g = d.scenario.growth
    for year in d.years[1:]:
        for a in d.loads_at(year):
            for limit in a.broken:
                if (a.array, limit) in today:
                    continue
                today.add((a.array, limit))
                used, allowed, what = {
                    "LIMIT-MIRRORS": (a.mirrors, a.max_mirrors, "mirrors"),
                    "LIMIT-CG-SIZE": (a.largest_cg_luns, a.max_luns_per_cg, "LUNs in one CG"),
                    "LIMIT-CG-COUNT": (a.cgs, a.max_cgs, "consistency groups"),
                }[limit]
                yield Hit(
                    f"{a.array} ({a.model}): {used:,} {what} > {allowed:,} allowed in year "
                    f"{year} of {g.years}, with users growing {g.users_per_year_fraction:,.0%} "
                    "a year",
                    a.array,
                    year,
                )


@check("ARRAY-LUNS")
def _array_luns(d: Study) -> Iterator[Hit]:
    def broken(year: int) -> Iterator[tuple[str, str]]:
        for array, count in d.array_luns_at(year).items():
            model = d.models[array]
            if count.total > model.max_luns:
                yield (
                    array,
                    f"{array} ({model.model}): {count.total:,} LUNs ({count.text}) > "
                    f"{model.max_luns:,} allowed",
                )

    yield from _first_year(d, broken)


@check("MIRROR-CONNECTIVITY")
def _connectivity(d: Study) -> Iterator[Hit]:
    kinds = {a.name: a.connectivity for a in d.scenario.arrays}
    pairs = dict.fromkeys((v.source_array, v.target_array) for v in d.vms)
    for source, target in pairs:
        if kinds[source] != kinds[target]:
            yield Hit(
                f"{source} mirrors over {CONNECTIVITY[kinds[source]]} and {target} over "
                f"{CONNECTIVITY[kinds[target]]}: a mirror joins ports of the same kind",
                f"{source} → {target}",
            )


@check("MODEL-NO-MIRRORVIEW")
def _no_mv(d: Study) -> Iterator[Hit]:
    for a in d.scenario.arrays:
        if not d.models[a.name].mirrorview_supported:
            yield Hit(f"{a.name}: {d.models[a.name].model} does not support MirrorView", a.name)


@check("FLARE-RANGE")
def _flare_range(d: Study) -> Iterator[Hit]:
    for a in d.scenario.arrays:
        m = d.models[a.name]
        if a.name not in d.replaced and not m.runs_flare(a.flare):
            yield Hit(f"{a.name}: {m.model} runs FLARE {m.flare_releases}, not {a.flare}", a.name)


@check("FLARE-TOO-OLD")
def _flare(d: Study) -> Iterator[Hit]:
    for p in recommend.fit_problems(d):
        if p.rule_id == "FLARE-TOO-OLD":
            yield Hit(f"{p.array}: {p.detail}", p.array)


@check("ISCSI-NEEDS-C-MODEL")
def _iscsi(d: Study) -> Iterator[Hit]:
    for a in d.scenario.arrays:
        if a.connectivity == "iscsi" and not d.models[a.name].iscsi_mirroring:
            yield Hit(f"{a.name}: {d.models[a.name].model} cannot mirror over iSCSI", a.name)


@check("CX3-SP-CACHE")
def _sp_cache(d: Study) -> Iterator[Hit]:
    for a in d.scenario.arrays:
        m = d.models[a.name]
        if m.mirrorview_supported and not m.write_cache_kept_on_sp_failure:
            yield Hit(f"{a.name} ({m.model}) turns write caching off when an SP fails", a.name)


# --- the link and latency (Method §3, §4) --------------------------------------------------


@check("SYNC-DISTANCE")
def _distance(d: Study) -> Iterator[Hit]:
    lim = d.a.sync_distance_limit_km
    link = d.scenario.link
    if d.is_sync and d.route_km >= lim:
        yield Hit(
            f"the fibre route is {d.route_km:,.1f} km ({link.distance_km:,g} km between the "
            f"sites × route factor {link.route_factor:g}); EMC recommends less than {lim:,g} km "
            "for MirrorView/S with Exchange"
        )


@check("LOG-WRITE-LATENCY")
def _log_latency(d: Study) -> Iterator[Hit]:
    if d.is_sync and not d.link_saturated and not d.log_write_within_limit:
        yield Hit(
            f"log writes take {d.log_write_latency_ms:.2f} ms on average "
            f"(limit {d.a.log_write_avg_limit_ms:g} ms); the limit holds up to "
            f"{d.max_distance_km:,.0f} km between the sites"
        )


@check("DB-READ-LATENCY")
def _db_read(d: Study) -> Iterator[Hit]:
    a = d.a
    if a.local_db_read_ms >= a.db_read_avg_limit_ms:
        yield Hit(
            f"database reads take {a.local_db_read_ms:g} ms (limit {a.db_read_avg_limit_ms:g} ms)"
        )


@check("LINK-SATURATED")
def _saturated(d: Study) -> Iterator[Hit]:
    def broken(year: int) -> Iterator[tuple[str, str]]:
        for x in d.directions_at(year):
            if x.peak_utilization_fraction >= 1:
                yield (
                    x.label,
                    f"{x.label}: peak-hour writes need {x.peak_mbps:,.1f} Mbit/s; the link gives "
                    f"{x.effective_rate_mbps:,.1f} Mbit/s ({x.peak_utilization_fraction:,.0%})",
                )

    yield from _first_year(d, broken)


@check("LINK-TCP-WINDOW")
def _tcp_window(d: Study) -> Iterator[Hit]:
    if d.tcp_window_binds and d.tcp_cap_mbps is not None:
        link = d.scenario.link
        yield Hit(
            f"over iSCSI at a {d.rtt_ms:,.1f} ms round trip, {link.tcp_sessions} connections "
            f"with a {link.tcp_window_kib:g} KiB TCP window carry at most {d.tcp_cap_mbps:,.1f} "
            f"Mbit/s of the link's {d.line_rate_mbps:,.1f} Mbit/s; a window of "
            f"{d.window_to_lift_kib:,.0f} KiB per connection would lift the cap"
        )


@check("LINK-UTILIZATION-HIGH")
def _utilization(d: Study) -> Iterator[Hit]:
    warn = d.a.link_utilization_warn_fraction

    def broken(year: int) -> Iterator[tuple[str, str]]:
        for x in d.directions_at(year):
            if warn < x.peak_utilization_fraction < 1:
                yield (
                    x.label,
                    f"{x.label}: peak utilisation {x.peak_utilization_fraction:,.0%} "
                    f"({x.peak_mbps:,.1f} of {x.effective_rate_mbps:,.1f} Mbit/s) is above "
                    f"{warn:,.0%}",
                )

    yield from _first_year(d, broken)


# --- MirrorView/A (Method §5) --------------------------------------------------------------


@check("ASYNC-OVERRUN")
def _overrun(d: Study) -> Iterator[Hit]:
    if not d.is_sync:
        c = d.async_cycle
        if c.update_overrun and not c.unbounded:
            longest = max(u.duration_min for u in c.updates)
            yield Hit(
                f"the longest update takes {longest:.1f} min, more than the "
                f"{d.scenario.replication.update_interval_min:g} min interval"
            )


@check("ASYNC-UNBOUNDED")
def _unbounded(d: Study) -> Iterator[Hit]:
    if d.is_sync:
        return

    def broken(year: int) -> Iterator[tuple[str, str]]:
        cycles = d.cycles_at(year)
        for x in d.directions_at(year):
            if cycles[x.label].unbounded:
                yield (
                    x.label,
                    f"{x.label}: a day's changes ({float(x.hourly_mib.sum()):,.0f} MiB) exceed "
                    f"what {x.effective_rate_mbps:,.1f} Mbit/s carries in a day",
                )

    yield from _first_year(d, broken)


@check("RPO-TARGET")
def _rpo(d: Study) -> Iterator[Hit]:
    if d.is_sync:
        return
    target = d.scenario.targets.rpo_min

    def broken(year: int) -> Iterator[tuple[str, str]]:
        cycles = d.cycles_at(year)
        for x in d.directions_at(year):
            worst = cycles[x.label].worst_rpo_min
            if worst is not None and worst > target:
                need = d.required_rate_mbps_for_rpo_at(year)
                extra = f"; {need:,.1f} Mbit/s effective would meet it" if need else ""
                yield (
                    x.label,
                    f"{x.label}: worst RPO {worst:.1f} min > target {target:g} min{extra}",
                )

    yield from _first_year(d, broken)


@check("INITIAL-SYNC-LONG")
def _initial_sync(d: Study) -> Iterator[Hit]:
    hours, warn = d.initial_sync_h, d.a.initial_sync_warn_h
    if hours > warn:
        yield Hit(
            f"the initial synchronisation of {d.capacity_gib:,.0f} GiB at "
            f"{d.sync_rate_mbps:,.1f} Mbit/s takes {hours:,.0f} h ({hours / 24:,.1f} days), more "
            f"than {warn:g} h: seed the mirrors (create them with -nosync on freshly bound, empty "
            "LUNs before the mailboxes move) or synchronise with the secondary array at the "
            "production site before it moves"
        )


# --- recovery (Method §8) ------------------------------------------------------------------


@check("RTO-TARGET")
def _rto(d: Study) -> Iterator[Hit]:
    target = d.scenario.targets.rto_min
    for r in d.recoveries:
        if r.rto_min > target:
            yield Hit(
                f"recovering {r.from_site}'s {len(r.vms):,} VMs at {r.to_site} takes "
                f"{r.rto_min:,.0f} min ({r.declare_min:g} min to decide + "
                f"{r.after_decision_min:,.0f} min after the decision) > target {target:g} min",
                r.from_site,
            )


@check("SRA-TIMEOUT")
def _sra_timeout(d: Study) -> Iterator[Hit]:
    timeout = d.a.sra_timeout_s
    over = {key: s for key, s in d.sra_steps_s.items() if s > timeout}
    if over:
        listed = "; ".join(f"the {kind} of {site}: {s:,.0f} s" for (site, kind), s in over.items())
        value = d.sra_timeout_to_set_s
        yield Hit(
            f"the SRA's storage commands run longer than SRM's timeout of {timeout:,.0f} s "
            f"({listed}): set the SRA command timeout to {value:,.0f} s "
            f"({s_to_min(value):,.0f} min) in SRM's advanced settings before the first test"
        )


@check("PROTECTIVE-COPY-NONE")
def _protective_copy(d: Study) -> Iterator[Hit]:
    if d.is_sync and d.scenario.replication.protective_copy == "none":
        yield Hit(
            "no snapshot or clone protects the secondaries: a resynchronisation after a link "
            "loss overwrites the only consistent copy at the recovery site"
        )


@check("WIL-OFF")
def _wil(d: Study) -> Iterator[Hit]:
    if not d.scenario.replication.write_intent_log:
        yield Hit(
            "mirrors are created without the write intent log (full resync after an SP failure)"
        )


@check("RECOVERY-POLICY-AUTO")
def _policy(d: Study) -> Iterator[Hit]:
    if d.scenario.replication.recovery_policy == "auto":
        yield Hit("a resync starts by itself and overwrites the last consistent secondary")


# --- VMs, Exchange and VMware (Method §2, §7) ----------------------------------------------


@check("RDM-NOT-PROTECTED")
def _rdm(d: Study) -> Iterator[Hit]:
    for s in d.scenario.servers:
        if s.uses_rdm:
            yield Hit(f"{s.name} uses raw device mappings", s.name)


@check("CLUSTERED-EXCHANGE")
def _cluster(d: Study) -> Iterator[Hit]:
    for s in d.scenario.servers:
        if s.clustered:
            yield Hit(f"{s.name} is a clustered Exchange server", s.name)


@check("USERS-PER-VM")
def _users(d: Study) -> Iterator[Hit]:
    limit = d.a.max_users_per_vm

    def broken(year: int) -> Iterator[tuple[str, str]]:
        for s in d.servers_at(year):
            if s.users > limit + 1e-9:
                yield s.name, f"{s.name} has {s.users:,.0f} users (recommended limit {limit:,})"

    yield from _first_year(d, broken)


@check("SG-PER-SERVER")
def _sgs(d: Study) -> Iterator[Hit]:
    limit = d.a.max_storage_groups_per_server

    def broken(year: int) -> Iterator[tuple[str, str]]:
        for s in d.servers_at(year):
            if s.storage_groups > limit:
                yield s.name, f"{s.name} needs {s.storage_groups} storage groups (at most {limit})"

    yield from _first_year(d, broken)


@check("VM-VIRTUAL-DISKS")
def _disks(d: Study) -> Iterator[Hit]:
    limit = d.a.max_virtual_disks_per_vm

    def broken(year: int) -> Iterator[tuple[str, str]]:
        for v in d.vms_at(year):
            if v.luns > limit:
                yield v.name, f"{v.name} needs {v.luns} virtual disks (at most {limit} per VM)"

    yield from _first_year(d, broken)


@check("ESX-HOST-LUNS")
def _esx(d: Study) -> Iterator[Hit]:
    limit = d.a.max_luns_per_esx_host

    def broken(year: int) -> Iterator[tuple[str, str]]:
        for site, luns in d.recovered_luns_at(year).items():
            if luns > limit:
                yield (
                    site,
                    f"{luns:,} recovered LUNs on each host of the busiest ESX cluster at {site}; "
                    f"an ESX host sees at most {limit}",
                )

    yield from _first_year(d, broken)


@check("GUEST-OS-SVVP")
def _svvp(d: Study) -> Iterator[Hit]:
    for s in d.scenario.servers:
        if s.guest_os != "windows-2008-x64":
            yield Hit(
                f"{s.name} runs {s.guest_os}; Windows 2008 x64 is required for SVVP compliance",
                s.name,
            )


@check("EXCHANGE-VERSION")
def _version(d: Study) -> Iterator[Hit]:
    for s in d.scenario.servers:
        if s.exchange_version != 2007:
            yield Hit(
                f"{s.name} runs Exchange {s.exchange_version}; the guidelines cover Exchange 2007",
                s.name,
            )


@check("AD-PER-SITE")
def _ad(d: Study) -> Iterator[Hit]:
    for site in d.scenario.sites:
        if site.ad_gc_servers < 2:
            yield Hit(
                f"{site.name} has {site.ad_gc_servers} AD/GC servers (2 recommended)", site.name
            )


@check("CAS-PER-SITE")
def _cas(d: Study) -> Iterator[Hit]:
    for site in d.scenario.sites:
        if not site.cas_present:
            yield Hit(f"{site.name} has no Client Access server", site.name)


@check("HUB-PER-SITE")
def _hub(d: Study) -> Iterator[Hit]:
    for site in d.scenario.sites:
        if not site.hub_transport_present:
            yield Hit(f"{site.name} has no Hub Transport server", site.name)


@check("HUB-NOT-PROTECTED")
def _hub_protected(d: Study) -> Iterator[Hit]:
    production = {s.site for s in d.scenario.servers}
    for site in d.scenario.sites:
        if (
            site.name in production
            and site.hub_transport_present
            and not site.hub_transport_protected
        ):
            yield Hit(f"the Hub Transport at {site.name} is not replicated by SRM", site.name)


@check("DOMAIN-MISMATCH")
def _domain(d: Study) -> Iterator[Hit]:
    domains = {s.windows_domain for s in d.scenario.sites}
    if len(domains) > 1:
        yield Hit("sites are in different domains: " + ", ".join(sorted(domains)))


@check("SUBNET-CUSTOMIZATION")
def _subnet(d: Study) -> Iterator[Hit]:
    production = {s.site for s in d.scenario.servers}
    for site in d.scenario.sites:
        recovers_here = any(p != site.name for p in production)
        if recovers_here and site.recovery_subnet_differs and not site.ip_customization_spec:
            yield Hit(
                f"VMs recovered to {site.name} get another subnet and have no customisation spec",
                site.name,
            )


@check("DB-PER-SG")
def _db_per_sg(d: Study) -> Iterator[Hit]:
    limit = d.a.max_db_gib
    for s in d.servers:
        if s.db_gib > limit + 1e-9:
            yield Hit(
                f"{s.name}: {s.storage_groups} storage groups make {s.db_gib:,.0f} GiB "
                f"databases (> {limit:g} GiB)",
                s.name,
            )


# --- consistency groups (Method §7) --------------------------------------------------------


@check("SG-SPLIT-CG")
def _sg_split(d: Study) -> Iterator[Hit]:
    if not d.scenario.replication.consistency_groups:
        return
    homes: dict[tuple[str, int], list[str]] = {}
    for m in d.plan.mirrors:
        if m.role == "db" and m.storage_group is not None:
            homes.setdefault((m.server, m.storage_group), []).append(m.cg)
    for (server, sg), cgs in homes.items():
        if len(cgs) > 1:
            yield Hit(f"{server} storage group {sg} is in {' and '.join(cgs)}", server)


@check("CG-MISSING-LUN")
def _missing(d: Study) -> Iterator[Hit]:
    if not d.scenario.replication.consistency_groups:
        return
    placed: dict[str, dict[str, int]] = {}
    sgs: dict[str, set[int]] = {}
    for m in d.plan.mirrors:
        placed.setdefault(m.server, {}).setdefault(m.role, 0)
        placed[m.server][m.role] += 1
        if m.role == "db" and m.storage_group is not None:
            sgs.setdefault(m.server, set()).add(m.storage_group)
    for v in d.vms:
        missing = []
        lost = sorted(set(range(1, v.storage_groups + 1)) - sgs.get(v.name, set()))
        if lost:
            missing.append(f"storage groups {', '.join(map(str, lost))}")
        for role, want, label in (
            ("gos", v.gos_luns, "guest-OS LUN"),
            ("queue", v.queue_luns, "transport queue LUN"),
        ):
            have = placed.get(v.name, {}).get(role, 0)
            if have < want:
                missing.append(f"{want - have} {label}{'s' if want - have > 1 else ''}")
        if missing:
            yield Hit(f"{v.name}: {'; '.join(missing)} in no consistency group", v.name)


@check("CG-MIXED-MODE")
def _mixed(d: Study) -> Iterator[Hit]:
    if not d.scenario.replication.consistency_groups:
        return  # a planned CG has one source and one target by construction
    for cg in d.plan.cgs:
        pairs = {(m.source_array, m.target_array) for m in cg.mirrors}
        if len(pairs) > 1:
            yield Hit(
                f"{cg.name} mixes " + ", ".join(f"{a}→{b}" for a, b in sorted(pairs)), cg.name
            )


@check("CG-PACKED-FAILOVER")
def _packed(d: Study) -> Iterator[Hit]:
    for cg in d.shapes:
        if len(cg.servers) > 1:
            yield Hit(f"{cg.name} holds {', '.join(cg.servers)}: they fail over together", cg.name)


@check("RLP-SIZE")
def _rlp(d: Study) -> Iterator[Hit]:
    for need in d.rlp.values():
        if need.rlp_gib > 0:
            parts = []
            if need.mva_gib:
                parts.append(f"{need.mva_gib:,.0f} GiB for MirrorView/A delta sets and gold copies")
            if need.test_gib:
                parts.append(f"{need.test_gib:,.0f} GiB for SRM test-failover snapshots")
            yield Hit(
                f"{need.array}: at least {need.rlp_gib:,.0f} GiB in {need.reserved_luns:,} "
                f"reserved LUNs ({' and '.join(parts)})",
                need.array,
            )


ERRORS_ONLY: tuple[Severity, ...] = ("error",)
"""The severities a what-if is checked for (its warnings are never shown)."""


def run(
    study: Study, severities: Collection[Severity] = ("error", "warning", "info")
) -> list[Finding]:
    """Every rule of the given severities over a study (all of them by default); accepted
    findings marked; errors, warnings, accepted, info. A what-if is checked for its errors
    only: its warnings are never shown."""
    accepted = {a.id: a.reason for a in study.scenario.accept}
    rules = catalogue()
    findings = []
    for rule_id, fn in CHECKS.items():
        r = rules[rule_id]
        if r.severity not in severities:
            continue
        ok = rule_id in accepted and r.severity != "error"
        findings += [
            Finding(
                rule_id,
                r.severity,
                hit.message,
                r.reference,
                r.remedy,
                hit.subject,
                hit.year,
                ok,
                accepted[rule_id] if ok else None,
            )
            for hit in fn(study)
        ]
    return sorted(
        findings, key=lambda f: ACCEPTED_ORDER if f.accepted else SEVERITY_ORDER[f.severity]
    )
