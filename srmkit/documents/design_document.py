"""The design document's sections, in the order a consulting deliverable reads: the executive
summary first, then scope, sites and arrays, workload, replication, consistency groups, reserved
LUN pool and protective copies, recovery time (both in :mod:`srmkit.documents.recovery`),
failure scenarios, the review and next steps; the method, parameters, assumptions,
references and provenance as appendices.

Every function takes the document's :class:`~srmkit.documents.blocks.Book` (numbering) and the
scenario's :class:`~srmkit.design.Design` (every number), and returns HTML for one notebook cell.
Text that holds only for some designs is generated from the design.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from srmkit import figures, glossary, rules, simulation
from srmkit.design import Design
from srmkit.documents import appendix, dr_runbook
from srmkit.documents.blocks import Book, Col, Html, bullets, esc, join, paragraph
from srmkit.documents.build_book import bom_summary
from srmkit.documents.dr_runbook import duration
from srmkit.documents.measured import burst_sentence, measured_section
from srmkit.documents.recovery import recovery_time_section, reserved_lun_pool
from srmkit.documents.registry import get_document
from srmkit.documents.review import remedies_of_a_rule, to_act_on
from srmkit.documents.review import review as review  # a section of this document
from srmkit.glossary import in_sentence, or_unbounded, possessive, sentence
from srmkit.output import unbounded_lag
from srmkit.risk import design_risk
from srmkit.schema import BUILTIN_SCENARIOS

SPREADSHEET = "spreadsheet plan.xlsx"
VERDICT_CLASS = {"fits": "ok", "fits_with_warnings": "warn", "does_not_fit": "bad"}


def book(design: Design, params_file: str | None = None) -> Book:
    """The design document's book: its registry entry and the scenario it is about."""
    base_dir = Path(params_file).parent if params_file else None
    return Book(get_document("design"), design.scenario, base_dir)


def _fmt(value: float | None, unit: str, digits: int = 1) -> str:
    return or_unbounded(value, unit, digits)


def _status(ok: bool, warn: bool = False) -> str:
    return "within" if ok and not warn else ("close to the limit" if ok else "exceeded")


# --- executive summary ------------------------------------------------------------------------


def _verdict_sentence(design: Design) -> str:
    doc = design.scenario.document
    sites = " and ".join(s.name for s in design.scenario.sites)
    head = {
        "fits": "fits every rule srmkit checks",
        "fits_with_warnings": "fits, with warnings to resolve or accept",
        "does_not_fit": "does not fit",
    }[design.verdict]
    why = ""
    if design.verdict == "does_not_fit":
        titles = list(
            dict.fromkeys(in_sentence(rules.catalogue()[f.id].title) for f in design.errors)
        )
        why = ": " + "; ".join(titles[:3])
    return (
        f"The disaster recovery design for {possessive(doc.customer)} Exchange 2007 mailbox "
        f"servers between {sites} with {glossary.MODE[design.mode]} {head}{why}."
    )


def _rpo_met(design: Design, year: int, target_min: float) -> bool:
    worst = design.async_cycle_at(year).worst_rpo_min
    return worst is not None and worst <= target_min


def key_figures(design: Design) -> list[list[object]]:
    """The figures a decision rests on, each against its target or limit."""
    t = design.scenario.targets
    rows: list[list[object]] = []
    if design.is_sync:
        rows.append(["Recovery point (RPO)", "0 min (synchronous)", f"{t.rpo_min:g} min", "met"])
        added = None if design.link_saturated else float(design.added_latency_ms())
        rows.append(
            [
                "Added write latency",
                _fmt(added, "ms", 2),
                f"log writes ≤ {design.a.log_write_avg_limit_ms:g} ms",
                "met" if design.log_write_within_limit else "not met",
            ]
        )
    else:
        worst = design.worst_rpo_min
        lag = unbounded_lag(design)
        rows.append(
            [
                "Recovery point (RPO), worst / mean",
                f"{_fmt(worst, 'min', 0)} / {_fmt(design.mean_rpo_min, 'min', 0)}"
                if lag is None
                else f"unbounded: at least {duration(lag['at_least_min'])} after "
                f"{glossary.days(lag['days_in_service'])} in service, "
                f"{lag['growth_h_per_day']:,.1f} h more every further day",
                f"{t.rpo_min:g} min",
                "met" if worst is not None and worst <= t.rpo_min else "not met",
            ]
        )
        late = next((y for y in design.years if not _rpo_met(design, y, t.rpo_min)), None)
        if late:
            rows.append(
                [
                    f"Recovery point in year {late} of {design.horizon}",
                    _fmt(design.async_cycle_at(late).worst_rpo_min, "min", 0),
                    f"{t.rpo_min:g} min",
                    "not met",
                ]
            )
    r = design.recovery
    rows.append(
        ["Recovery time (RTO)",
         f"{duration(r.rto_min)} ({r.declare_min:g} min to decide + "
         f"{duration(r.after_decision_min)})",
         f"{t.rto_min:g} min", "met" if r.rto_min <= t.rto_min else "not met"]
    )  # fmt: skip
    warn = design.a.link_utilization_warn_fraction
    for d in design.directions:
        u = d.peak_utilization_fraction
        rows.append(
            [
                f"Link at the busiest hour, {d.label}",
                f"{u:,.0%} of {d.effective_rate_mbps:,.0f} Mbit/s",
                f"≤ {warn:,.0%}",
                "met" if u <= warn else ("high" if u < 1 else "not met"),
            ]
        )
    for a in design.plan.arrays:
        rows.append(
            [
                f"Mirrors and consistency groups on {a.array} ({a.model})",
                f"{a.mirrors:,} mirrors, {a.cgs:,} groups",
                f"{a.max_mirrors:,} mirrors, {a.max_cgs:,} groups",
                "met" if a.fits else "not met",
            ]
        )
    rows.append(
        [
            "Initial synchronisation / failback synchronisation",
            f"{duration(design.initial_sync_h * 60)} / {duration(design.failback_sync_h * 60)}",
            "",
            "",
        ]
    )
    return rows


def executive_summary(b: Book, design: Design) -> Html:
    """The verdict in one sentence, the key figures, recommendations and the main findings."""
    recs = [sentence(f"{r.text}: {'; '.join(r.details)}") for r in design.recommendations]
    replaced = {a for r in design.recommendations for a in r.replaces}
    # The verified remedies, by the rule they answer; a model change for an array already in
    # a recommendation would say it again.
    catalogue = rules.catalogue()
    by_rule: dict[str, dict[str, None]] = {}
    for r in design.remedies:
        if r.change.kind == "models" and {a for a, _ in r.change.values} <= replaced:
            continue
        by_rule.setdefault(r.rule_id, {})[r.text] = None
    remedies = [
        sentence(
            (f"{catalogue[rule].title}: " if rule in catalogue else "")
            + remedies_of_a_rule(list(texts))
        )
        for rule, texts in by_rule.items()
    ]
    # Every error and open warning: each is something the customer must act on (or accept).
    top = to_act_on(design)
    parts = [
        b.h1("Executive summary", new_page=True),
        Html(
            f'<p class="srm-verdict {VERDICT_CLASS[design.verdict]}">'
            f"{esc(_verdict_sentence(design))}</p>"
        ),
        b.table(
            "Key figures",
            [Col("Figure"), Col("This design"), Col("Target or limit"), Col("Status")],
            key_figures(design),
        ),
    ]
    if recs or remedies:
        parts += [paragraph("Recommendations:"), bullets(recs + remedies)]
    else:
        parts.append(
            paragraph("No change to the design is needed to meet the rules srmkit checks.")
        )
    if top:
        parts += [paragraph("Findings to act on:"), bullets(top)]
    parts.append(
        paragraph(
            "The design review lists every finding and what the checks do not cover; the next "
            "steps list the validation tests to run before the design goes live."
        )
    )
    return join(*parts)


# --- scope and components ---------------------------------------------------------------------


def scope(b: Book, design: Design) -> Html:
    """The components of the solution for this customer (the white paper's Table 1)."""
    s = design.scenario
    versions = sorted({glossary.label(glossary.GUEST_OS, v.guest_os) for v in s.servers})
    exchange = sorted({str(v.exchange_version) for v in s.servers})
    arrays = "; ".join(
        f"{a.name} ({design.models[a.name].model}, FLARE {a.flare}) at {a.site}" for a in s.arrays
    )
    cas = [x.name for x in s.sites if x.cas_present]
    hub = [x.name for x in s.sites if x.hub_transport_present]
    domains = sorted({x.windows_domain for x in s.sites})
    rows: list[list[object]] = [
        [
            "Exchange mailbox servers in VMware VMs",
            "required",
            f"{len(s.servers):,} VMs, Exchange {' and '.join(exchange)} on "
            f"{' and '.join(versions)}",
        ],
        [
            "CLARiiON storage at both sites with MirrorView and SnapView",
            "required",
            arrays,
        ],
        [
            "VMware ESX at both sites with Site Recovery Manager and the MirrorView adapter",
            "required",
            "VMFS datastores are protected; raw device mappings are not [S0]",
        ],
        [
            "Exchange Client Access and Hub Transport servers at each site, one Windows domain",
            "required",
            f"Client Access at {', '.join(cas) or 'no site'}; Hub Transport at "
            f"{', '.join(hub) or 'no site'}; domain{'s' if len(domains) > 1 else ''} "
            f"{', '.join(domains)}",
        ],
        ["Additional ESX servers with VMware HA (local failover)", "optional", "recommended [S0]"],
        ["Replication Manager (local clones and snapshots, backup)", "optional", "not assessed"],
        ["SourceOne archiving, Disk Library backup", "optional", "not assessed"],
    ]
    return join(
        b.h1("Scope and components"),
        paragraph(
            f"This document designs the protection of {possessive(s.document.customer)} Exchange "
            f"2007 mailbox servers against the loss of a site with VMware Site Recovery Manager "
            f"and EMC CLARiiON {glossary.MODE[design.mode]}, following EMC's guidelines [S0]. "
            "It covers the mirrors, consistency groups, link, reserved LUN pool, recovery plan "
            "and failure scenarios; the Exchange organisation itself, networks and backups are "
            "out of scope."
        ),
        paragraph(s.document.notes) if s.document.notes else None,
        b.table(
            "Components of the solution",
            [Col("Component"), Col("Required"), Col("In this design")],
            rows,
            source="After the white paper's Table 1 [S0].",
        ),
    )


# --- sites and arrays -------------------------------------------------------------------------


def sites_and_arrays(b: Book, design: Design) -> Html:
    s = design.scenario
    site_rows = [
        [
            x.name,
            x.windows_domain,
            x.ad_gc_servers,
            glossary.yes_no(x.cas_present),
            glossary.yes_no(x.hub_transport_present)
            + (" (protected)" if x.hub_transport_protected else ""),
            sum(1 for v in s.servers if v.site == x.name),
            glossary.yes_no(x.recovery_subnet_differs),
            x.recovery_esx_clusters,
        ]
        for x in s.sites
    ]
    array_rows = [
        [
            a.name,
            a.site,
            design.models[a.name].model,
            a.flare,
            glossary.label(glossary.CONNECTIVITY, a.connectivity),
        ]
        for a in s.arrays
    ]
    return join(
        b.h1("Sites and arrays"),
        b.table(
            "Sites",
            [
                Col("Site"),
                Col("Windows domain"),
                Col("Global catalogs", 0),
                Col("Client Access"),
                Col("Hub Transport"),
                Col("Mailbox servers", 0),
                Col("Recovery subnet differs"),
                Col("Recovery ESX clusters", 0),
            ],
            site_rows,
        ),
        b.table(
            "CLARiiON storage systems",
            [Col("Array"), Col("Site"), Col("Model"), Col("FLARE", 0), Col("Mirroring over")],
            array_rows,
        ),
    )


# --- workload ---------------------------------------------------------------------------------


def workload(b: Book, design: Design) -> Html:
    """Per-server workload and capacity (Method §2)."""
    a = design.a
    s = design.scenario
    by_name = {v.name: v for v in s.servers}
    derived = sum(1 for v in s.servers if v.storage_groups is None)
    server_rows = [
        [
            v.name,
            v.site,
            v.users,
            glossary.profile(v.profile),
            by_name[v.name].mailbox_quota_gib,
            v.storage_groups,
            v.luns,
            glossary.label(glossary.GUEST_OS, by_name[v.name].guest_os),
        ]
        for v in design.servers
    ]
    servers = design.servers
    work_rows: list[list[object]] = [
        [
            v.name,
            v.db_iops_peak,
            v.db_write_iops_peak,
            v.log_mib_per_day,
            v.db_lun_gib,
            v.log_lun_gib,
            v.capacity_gib,
        ]
        for v in servers
    ]
    total: list[object] = [
        "Total",
        sum(v.db_iops_peak for v in servers),
        sum(v.db_write_iops_peak for v in servers),
        sum(v.log_mib_per_day for v in servers),
        None,
        None,
        design.capacity_gib,
    ]
    sgs = (
        f"Storage groups are derived for {derived:,} of the {len(s.servers):,} servers from the "
        f"mailbox count and quota (one database per storage group of at most "
        f"{a.max_db_gib:g} GiB); the others are as given. "
        if derived
        else "Every server's storage groups are as given. "
    )
    return join(
        b.h1("Exchange workload"),
        paragraph(
            f"{sgs}Each storage group has one database LUN and one log LUN; each server's "
            "guest-OS LUN is mirrored too. Peak-hour database IOPS are users × the profile's "
            f"IOPS × (1 + {a.iops_headroom_fraction:,.0%} headroom), of which "
            f"{a.db_write_fraction:,.0%} are writes. The log volume is users × logs per mailbox "
            f"a day × {a.log_file_mib:g} MiB. A database LUN holds users × quota × "
            f"(1 + {a.db_overhead_fraction:,.0%}) plus the content index; a log LUN "
            f"{a.log_retention_days:g} days of logs plus {a.log_overhead_fraction:,.0%}; both "
            f"keep {a.lun_free_space_fraction:,.0%} free (Method §2)."
        ),
        b.table(
            "Mailbox server VMs",
            [
                Col("Server"),
                Col("Site"),
                Col("Users", 0),
                Col("Profile"),
                Col("Quota (GiB)", 2),
                Col("Storage groups", 0),
                Col("Mirrored LUNs", 0),
                Col("Guest OS"),
            ],
            server_rows,
            complete_in=SPREADSHEET,
        ),
        b.table(
            "Workload and mirrored capacity per server",
            [
                Col("Server"),
                Col("DB IOPS at peak", 0),
                Col("of which writes", 0),
                Col("Logs (MiB a day)", 0),
                Col("DB LUN (GiB)", 1),
                Col("Log LUN (GiB)", 1),
                Col("Mirrored (GiB)", 0),
            ],
            work_rows,
            total,
            complete_in=SPREADSHEET,
        ),
        *measured_section(b, design),
    )


# --- replication ------------------------------------------------------------------------------


def replication(b: Book, design: Design) -> Html:
    """The link per direction, then MV/S latency or MV/A RPO, then synchronisation times."""
    s = design.scenario
    link = s.link
    dir_rows = [
        [
            d.label,
            len(d.vms),
            d.capacity_gib,
            d.peak_mbps,
            d.effective_rate_mbps,
            f"{d.peak_utilization_fraction:,.0%}",
        ]
        for d in design.directions
    ]
    cap = design.tcp_cap_mbps
    if cap is None and design.iscsi_mirroring:
        tcp = (
            " The mirrors run over iSCSI through a WAN optimiser or FCIP gateway that "
            "terminates TCP at each site, so no TCP window limits them."
        )
    elif cap is None:
        tcp = " Fibre Channel mirroring has no TCP window to limit it."
    else:
        binds = (
            f"so the window, not the line, sets the rate: {design.effective_rate_mbps:,.1f} "
            "Mbit/s in each direction"
            if design.tcp_window_binds
            else "above the line's rate, so the line sets it"
        )
        tcp = (
            f" The mirrors run over iSCSI: at a {design.rtt_ms:,.1f} ms round trip, "
            f"{link.tcp_sessions} connections with a {link.tcp_window_kib:g} KiB TCP window "
            f"carry at most {cap:,.1f} Mbit/s, {binds} (Method §3)."
        )
    hubs = sum(h.hub_write_mib_per_day for h in design.hubs)
    hub = (
        f" The protected Hub Transport queue writes about {hubs:,.0f} MiB a day, mirrored "
        "with the mailbox servers' writes (Method §2)."
        if hubs
        else ""
    )
    parts: list[Html] = [
        b.h1("Replication design"),
        paragraph(
            f"The sites are {link.distance_km:,g} km apart; the fibre route is "
            f"{design.route_km:,.0f} km. The link carries {link.bandwidth_mbps:,g} Mbit/s in each "
            f"direction; {link.efficiency_fraction:,.0%} of it is usable and "
            f"{link.share_fraction:,.0%} of that is for replication, "
            f"{design.line_rate_mbps:,.0f} Mbit/s (Method §3).{tcp}{hub} {burst_sentence(design)}"
        ),
        b.table(
            "Replication by direction of the link",
            [
                Col("Direction"),
                Col("VMs", 0),
                Col("Mirrored (GiB)", 0),
                Col("Busiest hour (Mbit/s)", 0),
                Col("Available (Mbit/s)", 0),
                Col("Use"),
            ],
            dir_rows,
        ),
    ]
    parts += _sync_latency(b, design) if design.is_sync else _async_rpo(b, design)
    parts.append(b.figure(figures.utilization_by_hour(design), "Replication traffic by hour"))
    parts += _synchronisation(b, design)
    return join(*parts)


def _sync_latency(b: Book, design: Design) -> list[Html]:
    """MirrorView/S: the added write latency against Microsoft's limit and EMC's distance."""
    a = design.a
    saturated = design.link_saturated
    added = None if saturated else float(design.added_latency_ms())
    log_ms = None if saturated else design.log_write_latency_ms
    rows: list[list[object]] = [
        ["Added write latency", _fmt(added, "ms", 2)],
        ["Log write latency (local + added)", _fmt(log_ms, "ms", 2)],
        ["Microsoft's limit for log writes (average)", f"{a.log_write_avg_limit_ms:g} ms"],
        ["Longest distance within that limit", _fmt(design.max_distance_km, "km", 0)],
        [
            "EMC's distance guideline for MirrorView/S",
            f"under {a.sync_distance_limit_km:g} km of fibre",
        ],
        ["Recovery point", "0 min: every write is on both arrays"],
    ]
    return [
        b.h2("MirrorView/S write latency"),
        paragraph(
            "MirrorView/S acknowledges a write only when it is on both arrays, so every "
            "Exchange write waits for the link: propagation over the fibre route, "
            "serialisation and queueing on the link, and MirrorView's overhead. Database "
            "reads are served locally and are not affected (Method §4)."
        ),
        b.table("MirrorView/S results", [Col("Result"), Col("Value")], rows),
        b.figure(figures.latency_vs_distance(design), "Log write latency against distance"),
    ]


def _async_rpo(b: Book, design: Design) -> list[Html]:
    """MirrorView/A: the update cycle's recovery point and the rate the target needs."""
    s = design.scenario
    parts: list[Html] = []
    c = design.async_cycle
    need = design.required_rate_mbps_for_target_rpo
    r = s.replication
    schedule = (
        f"an update every {r.update_interval_min:g} min counted from the "
        f"{'start' if r.update_type == 'start' else 'end'} of the previous one"
        if r.update_type != "manual"
        else "updates at set times"
    )
    rows = [
        ["Worst recovery point", _fmt(c.worst_rpo_min, "min", 0)],
        ["Mean recovery point", _fmt(c.mean_rpo_min, "min", 0)],
        ["Updates a day", f"{len(c.updates):,}" if not c.unbounded else "–"],
        ["An update takes longer than the interval", glossary.yes_no(c.update_overrun)],
        [
            f"Available rate the {s.targets.rpo_min:g} min target needs",
            _fmt(need, "Mbit/s", 0) if need is not None else "no rate meets it",
        ],
    ]
    parts += [
        b.h2("MirrorView/A recovery point"),
        paragraph(
            f"MirrorView/A sends, with {schedule}, the changes written since the previous "
            "update; the recovery site holds the data of the start of the last completed "
            "update, so the recovery point grows until the next update completes (Method §5)."
        ),
        b.table("MirrorView/A results", [Col("Result"), Col("Value")], rows),
    ]
    if not c.unbounded:
        parts.append(b.figure(figures.rpo_over_day(design), "Recovery point over the day"))
    parts.append(b.figure(figures.rpo_vs_rate(design), "Worst recovery point against link rate"))
    return parts


def _synchronisation(b: Book, design: Design) -> list[Html]:
    """Full synchronisation times per direction at the mirrors' rate setting."""
    a = design.a
    s = design.scenario
    sync_rows = [
        [
            d.label,
            d.capacity_gib,
            duration(design.initial_sync_by_direction_h[d.label] * 60),
            duration(design.failback_sync_by_site_h[d.from_site] * 60),
        ]
        for d in design.directions
    ]
    fraction = a.sync_rate_fraction(s.replication.sync_rate)
    return [
        b.h2("Synchronisation"),
        paragraph(
            "New mirrors, a real failover and a failback each need a full synchronisation; the "
            "mirrors of a consistency group synchronise together [S0]. At the "
            f"{glossary.label(glossary.SYNC_RATE, s.replication.sync_rate).lower()} rate a "
            f"synchronisation uses {fraction:,.0%} of the available link, "
            f"{design.sync_rate_mbps:,.0f} Mbit/s (EMC publishes no figure: an assumption, "
            "Method §6). The two directions synchronise in parallel."
        ),
        b.table(
            "Full synchronisation times",
            [
                Col("Direction"),
                Col("Capacity (GiB)", 0),
                Col("Initial synchronisation"),
                Col("Failback synchronisation"),
            ],
            sync_rows,
        ),
    ]


# --- consistency groups and limits ------------------------------------------------------------


def consistency_groups(b: Book, design: Design) -> Html:
    """The plan against the arrays' limits, the CG layout and growth (Method §7)."""
    plan = design.plan
    policy = design.scenario.replication.cg_policy
    limit_rows = [
        [
            u.array,
            u.model,
            f"{u.mirrors:,} of {u.max_mirrors:,}",
            f"{u.cgs:,} of {u.max_cgs:,}",
            f"{u.largest_cg_luns:,} of {u.max_luns_per_cg:,}",
            "yes" if u.fits else "no",
        ]
        for u in plan.arrays
    ]
    cg_rows = [
        [
            cg.name,
            ", ".join(cg.servers),
            sum(1 for m in cg.mirrors if m.role == "db"),
            cg.luns,
            cg.capacity_gib,
            f"{cg.source_array} → {cg.target_array}",
        ]
        for cg in plan.cgs
    ]
    groups_of = Counter(s for cg in plan.cgs for s in cg.servers)
    split = sum(1 for count in groups_of.values() if count > 1)  # servers over several groups
    policy_text = (
        "A consistency group never spans servers, so each server fails over with its own groups; "
        if policy == "per_server"
        else "Servers may share a consistency group, and those that do fail over together; "
    )
    split_text = (
        f"{split:,} servers have more LUNs than one group holds and are split over several "
        "groups. This is safe for Exchange: each storage group's database and log LUNs stay "
        "in one group, and Exchange recovers each storage group from its own database and "
        "logs, so no database depends on two groups being promoted at the same instant. "
        if split
        else "every server fits in one group. "
    )
    year = design.first_break_year
    growth = (
        f"no limit breaks within the {design.scenario.growth.years}-year horizon"
        if year is None
        else "a limit is already broken today"
        if year == 0
        else f"a limit first breaks in year {year}"
    )
    return join(
        b.h1("Consistency groups and array limits"),
        paragraph(
            f"Every mirror belongs to a consistency group, which SRM fails over as a whole [S0]. "
            f"{policy_text}{split_text}Every mirror and group counts against both arrays it "
            "touches; the limits are the white paper's Tables 2 (MirrorView/S, with write intent "
            f"log) and 3 (MirrorView/A) [S0]. With the planned growth, {growth} (Method §7)."
        ),
        b.table(
            "Mirrors and consistency groups against the limits",
            [
                Col("Array"),
                Col("Model"),
                Col("Mirrors"),
                Col("Consistency groups"),
                Col("LUNs in the largest group"),
                Col("Within limits"),
            ],
            limit_rows,
        ),
        b.figure(figures.limit_usage(design), "Array limit usage"),
        b.table(
            "Consistency groups",
            [
                Col("Consistency group"),
                Col("Servers"),
                Col("Storage groups", 0),
                Col("LUNs", 0),
                Col("Capacity (GiB)", 0),
                Col("Source → target"),
            ],
            cg_rows,
            complete_in=SPREADSHEET,
        ),
        b.figure(figures.cg_layout(design), "LUNs per consistency group"),
        b.figure(figures.growth_vs_limits(design), "Limit usage over the growth horizon"),
    )


# --- reserved LUN pool ------------------------------------------------------------------------


# --- failure scenarios ------------------------------------------------------------------------


def failure_scenarios(b: Book, design: Design) -> Html:
    """The built-in failure scenarios played on the design, and Monte Carlo risk."""
    results = simulation.simulate_all(design, BUILTIN_SCENARIOS)
    mc = design_risk(design)
    loss = mc.data_loss_min
    target = design.scenario.targets
    summary = (
        f"Over {mc.runs:,} disasters at random times of the year"
        + (
            f", with {mc.outages_per_year:g} link outages a year of {mc.outage_mean_h:g} h on "
            "average"
            if mc.outages_per_year
            else ""
        )
        + (
            f", after {glossary.days(mc.days_in_service or design.a.days_in_service)} in "
            f"service the data lost is at least {duration(loss.mean)} on average, at least "
            f"{duration(loss.p95)} in 95 % and at least {duration(loss.p99)} in 99 % of them, "
            f"and {mc.lag_growth_h_per_day or 0.0:,.1f} h more for every further day: MirrorView/A "
            f"never catches up (target RPO {target.rpo_min:g} min); "
            if mc.data_loss_unbounded
            else f", the data lost is {duration(loss.mean)} on average, {duration(loss.p95)} in "
            f"95 % and {duration(loss.p99)} in 99 % of them (target RPO {target.rpo_min:g} min); "
        )
        + (
            f"{mc.unrecoverable_fraction:.2%} leave no usable copy"
            if mc.unrecoverable_fraction
            else "every one leaves a usable copy"
        )
        + f". The recovery takes {duration(mc.rto_min.max)} (target RTO {target.rto_min:g} min)."
    )
    return join(
        b.h1("Failure scenarios and risk"),
        paragraph(
            "srmkit's failover simulator plays the failures this design must survive on its own "
            "consistency groups, arrays and sites (Method §8). The runbook delivered with this "
            "document gives each scenario's timeline and the procedures to follow."
        ),
        b.table(
            "Failure scenarios on this design",
            dr_runbook.SUMMARY_COLUMNS,
            dr_runbook.summary_rows(results),
        ),
        paragraph(summary),
        b.figure(figures.data_loss_exceedance(mc, target.rpo_min), "Data lost by random disasters"),
    )


# --- next steps ------------------------------------------------------------------------------


def next_steps(b: Book, design: Design) -> Html:
    """The steps and validation tests before the design goes live."""
    s = design.scenario
    r = s.replication
    steps = [
        "Test the link for bandwidth and overhead, then with Exchange: latency within "
        "Microsoft's limits (20 ms database reads, 10 ms log writes on average) [S0].",
        "Run Jetstress (and LoadGen) with the mirrors active before moving users [S0].",
    ]
    if r.recovery_policy == "auto":
        steps.append(
            "Set the recovery policy of every consistency group to Manual, so that no "
            "resynchronisation overwrites the secondaries before they are cloned [S0]."
        )
    if not r.write_intent_log and design.is_sync:
        steps.append("Enable the write intent log on every mirror [S0].")
    steps += [
        "Build it with the build book: bind the LUNs and create the mirrors and consistency "
        "groups with its Navisphere CLI scripts, fill the reserved LUN pool as given above [S10] "
        "[S11], and enter its SRM configuration: the protection groups and recovery plans named "
        "in the runbook, with the IP customisation where the recovery subnet differs [S0].",
        "Run the build book's acceptance tests and have them signed off before go-live.",
        "Run an SRM test failover off-hours and click Continue to clean up; repeat it "
        "periodically [S0].",
        "Keep the runbook with the operations team; plan the failback's full synchronisation "
        "time before it is needed [S0].",
    ]
    first = [
        sentence(f"Before go-live, {rec.text}")
        for rec in design.recommendations
        if rec.recommended_model
    ]
    steps = list(dict.fromkeys([*first, *steps]))  # two arrays with one remedy: one step
    return join(
        b.h1("Next steps and validation"),
        Html("<ol>" + "".join(f"<li>{esc(x)}</li>" for x in steps) + "</ol>"),
    )


# --- appendices -------------------------------------------------------------------------------


def method(b: Book) -> Html:
    return appendix.method(b)


def parameters(b: Book, design: Design) -> Html:
    return appendix.parameters(b, design)


def assumptions(b: Book, design: Design) -> Html:
    return appendix.assumptions(b, design)


def references(b: Book) -> Html:
    return b.references()


def provenance(b: Book, design: Design, params_file: str | None) -> Html:
    return appendix.provenance(b, design, params_file)


__all__ = ["bom_summary", "recovery_time_section", "reserved_lun_pool"]
