"""The design document's sections, each a numbered heading with its prose, tables and figures.

Every function takes the document's :class:`~srmkit.documents.blocks.Book` (numbering) and the
scenario's :class:`~srmkit.design.Design` (every number), and returns HTML for one notebook cell.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from srmkit import figures, simulation
from srmkit.assumptions import assumption_rows
from srmkit.design import Design
from srmkit.documents import dr_runbook
from srmkit.documents.blocks import Book, Col, Html, esc, join, paragraph
from srmkit.documents.dr_runbook import duration
from srmkit.documents.registry import get_document
from srmkit.risk import design_risk
from srmkit.schema import BUILTIN_SCENARIOS

SPREADSHEET = "spreadsheet plan.xlsx"
MODE_NAMES = {"sync": "MirrorView/S (synchronous)", "async": "MirrorView/A (asynchronous)"}


def book(design: Design, params_file: str | None = None) -> Book:
    """The design document's book: its registry entry and the scenario it is about."""
    base_dir = Path(params_file).parent if params_file else None
    return Book(get_document("design"), design.scenario, base_dir)


def _fmt(value: float | None, unit: str, digits: int = 1) -> str:
    return "unbounded" if value is None else f"{value:,.{digits}f} {unit}"


def introduction(b: Book, design: Design) -> Html:
    """What the document covers, and the customer's own notes."""
    scenario = design.scenario
    d = scenario.document
    sites = " and ".join(s.name for s in scenario.sites)
    users = sum(s.users for s in scenario.servers)
    text = (
        f"This document describes the disaster recovery design for {d.customer}'s Microsoft "
        f"Exchange 2007 mailbox servers: {len(scenario.servers)} mailbox server VMs with "
        f"{users:,} mailboxes, protected by VMware Site Recovery Manager between {sites} with "
        f"EMC CLARiiON {MODE_NAMES[scenario.replication.mode]}."
    )
    basis = (
        "The design follows EMC's guidelines for VMware Site Recovery Manager with CLARiiON "
        "MirrorView and Microsoft Exchange 2007 (the Best Practices Planning white paper, cited "
        "as [S0]). All figures are computed by srmkit from the scenario file; the assumptions "
        "behind them are listed in the last section."
    )
    return join(
        b.h1("Introduction"),
        paragraph(text),
        paragraph(d.notes) if d.notes else None,
        paragraph(basis),
    )


SITE_COLUMNS = [
    Col("Site"),
    Col("Windows domain"),
    Col("AD/GC servers", 0),
    Col("CAS"),
    Col("Hub Transport"),
    Col("Recovery subnet differs"),
    Col("IP customisation spec"),
    Col("Mailbox servers", 0),
]


def _site_rows(design: Design) -> list[list[object]]:
    scenario = design.scenario
    return [
        [
            s.name,
            s.windows_domain,
            s.ad_gc_servers,
            s.cas_present,
            s.hub_transport_present,
            s.recovery_subnet_differs,
            s.ip_customization_spec,
            sum(1 for v in scenario.servers if v.site == s.name),
        ]
        for s in scenario.sites
    ]


ARRAY_COLUMNS = [Col("Array"), Col("Site"), Col("Model"), Col("FLARE", 0), Col("Connectivity")]


def _array_rows(design: Design) -> list[list[object]]:
    return [
        [
            a.name,
            a.site,
            design.models[a.name].model,
            a.flare,
            "FC" if a.connectivity == "fc" else "iSCSI",
        ]
        for a in design.scenario.arrays
    ]


SERVER_COLUMNS = [
    Col("Server"),
    Col("Site"),
    Col("Users", 0),
    Col("Profile"),
    Col("Quota [GiB]", 1),
    Col("Storage groups", 0),
    Col("Derived SGs"),
    Col("Mirrored LUNs", 0),
    Col("Guest OS"),
    Col("Exchange"),
]


def _server_rows(design: Design) -> list[list[object]]:
    by_name = {s.name: s for s in design.scenario.servers}
    return [
        [
            s.name,
            s.site,
            s.users,
            s.profile,
            by_name[s.name].mailbox_quota_gib,
            s.storage_groups,
            by_name[s.name].storage_groups is None,
            s.luns,
            by_name[s.name].guest_os,
            str(by_name[s.name].exchange_version),
        ]
        for s in design.servers
    ]


def _link_rows(design: Design) -> list[list[object]]:
    scenario = design.scenario
    link, r = scenario.link, scenario.replication
    rows: list[list[object]] = [
        ["Replication", MODE_NAMES[r.mode]],
        ["Link bandwidth [Mbit/s]", f"{link.bandwidth_mbps:,g}"],
        ["Site distance [km]", f"{link.distance_km:,g}"],
        ["Fibre route factor", f"{link.route_factor:g}"],
        ["Round trips per write", str(link.round_trips)],
        ["Link efficiency [fraction]", f"{link.efficiency_fraction:g}"],
        ["Share for replication [fraction]", f"{link.share_fraction:g}"],
        ["Recovery policy", r.recovery_policy],
        ["Write intent log", "on" if r.write_intent_log else "off"],
        ["Synchronisation rate", r.sync_rate],
        ["Consistency-group policy", r.cg_policy],
    ]
    if r.mode == "async":
        rows.insert(1, ["Update type", r.update_type])
        if r.update_interval_min is not None:
            rows.insert(2, ["Update interval [min]", f"{r.update_interval_min:g}"])
    rows += [
        ["Target RPO [min]", f"{scenario.targets.rpo_min:g}"],
        ["Target RTO [min]", f"{scenario.targets.rto_min:g}"],
    ]
    return rows


def environment(b: Book, design: Design) -> Html:
    """Sites, arrays, mailbox servers and the replication settings."""
    return join(
        b.h1("Environment"),
        b.h2("Sites"),
        b.table("Sites", SITE_COLUMNS, _site_rows(design)),
        b.h2("Storage arrays"),
        b.table("CLARiiON storage systems", ARRAY_COLUMNS, _array_rows(design)),
        b.h2("Exchange mailbox servers"),
        paragraph(
            "Storage groups not given in the scenario are derived from mailbox count and quota "
            "(one database per storage group, at most the assumed maximum database size). Each "
            "storage group is one database LUN and one log LUN; the guest-OS LUN is mirrored too."
        ),
        b.table(
            "Mailbox server VMs", SERVER_COLUMNS, _server_rows(design), complete_in=SPREADSHEET
        ),
        b.h2("Replication link and MirrorView settings"),
        b.table("Replication settings", [Col("Setting"), Col("Value")], _link_rows(design)),
    )


WORKLOAD_COLUMNS = [
    Col("Server"),
    Col("Users", 0),
    Col("Profile"),
    Col("Storage groups", 0),
    Col("DB IOPS (peak)", 0),
    Col("DB write IOPS (peak)", 0),
    Col("Logs [MiB/day]", 0),
    Col("DB LUN [GiB]", 1),
    Col("Log LUN [GiB]", 1),
    Col("Mirrored [GiB]", 1),
]


def _workload_rows(design: Design) -> tuple[list[list[object]], list[object]]:
    servers = design.servers
    rows: list[list[object]] = [
        [
            s.name,
            s.users,
            s.profile,
            s.storage_groups,
            s.db_iops_peak,
            s.db_write_iops_peak,
            s.log_mib_per_day,
            s.db_lun_gib,
            s.log_lun_gib,
            s.capacity_gib,
        ]
        for s in servers
    ]
    total: list[object] = [
        "Total",
        sum(s.users for s in servers),
        "",
        sum(s.storage_groups for s in servers),
        sum(s.db_iops_peak for s in servers),
        sum(s.db_write_iops_peak for s in servers),
        sum(s.log_mib_per_day for s in servers),
        None,
        None,
        design.capacity_gib,
    ]
    return rows, total


def workload(b: Book, design: Design) -> Html:
    """Per-server workload and capacity (Method §2)."""
    a = design.a
    return join(
        b.h1("Exchange workload"),
        paragraph(
            "Peak-hour database IOPS = users × profile IOPS × "
            f"(1 + {a.iops_headroom_fraction:.0%} headroom); {a.db_write_fraction:.0%} of them "
            "are writes. Log volume = users × logs per mailbox per day × "
            f"{a.log_file_mib:g} MiB. Database LUN = users per storage group × quota × "
            f"(1 + {a.db_overhead_fraction:.0%} overhead); the log LUN holds "
            f"{a.log_retention_days:g} days of logs plus {a.log_overhead_fraction:.0%} headroom "
            "(Method §2)."
        ),
        b.table(
            "Workload and mirrored capacity per server",
            WORKLOAD_COLUMNS,
            *_workload_rows(design),
            complete_in=SPREADSHEET,
        ),
    )


def replication(b: Book, design: Design) -> Html:
    """The replication results for the scenario's mode: tables and figures (Method §3–§5)."""
    a = design.a
    parts: list[Html] = [b.h1("Replication")]
    link_rows: list[list[object]] = [
        ["Effective link rate", _fmt(design.effective_rate_mbps, "Mbit/s")],
        ["Peak replication rate", _fmt(design.peak_mbps, "Mbit/s")],
        ["Peak link utilisation", f"{design.peak_utilization_fraction:.0%}"],
    ]
    if design.is_sync:
        parts.append(
            paragraph(
                "MirrorView/S acknowledges a write only after it reaches the remote array, so the "
                "link adds latency to every write: propagation, serialisation with queueing and "
                "MirrorView overhead (Method §4)."
            )
        )
        saturated = design.link_saturated
        latency = None if saturated else design.log_write_latency_ms
        link_rows += [
            [
                "Added write latency (MV/S)",
                _fmt(None if saturated else float(design.added_latency_ms()), "ms", 2),
            ],
            ["Log write latency", _fmt(latency, "ms", 2)],
            [
                f"Within Microsoft average limit ({a.log_write_avg_limit_ms:g} ms)",
                "yes" if design.log_write_within_limit else "NO",
            ],
            ["Database read latency (served locally)", _fmt(a.local_db_read_ms, "ms", 1)],
            ["Maximum distance at the log write limit", _fmt(design.max_distance_km, "km", 0)],
            ["Recovery point (in sync)", "0 min"],
        ]
        parts.append(b.table("Results", [Col("Result"), Col("Value")], link_rows))
        parts.append(
            b.figure(figures.latency_vs_distance(design), "Log write latency against distance")
        )
    else:
        parts.append(
            paragraph(
                "MirrorView/A sends the changes since the previous update at each update; its "
                "recovery point is the time since the start of the last completed update "
                "(Method §5)."
            )
        )
        c = design.async_cycle
        need = design.required_rate_mbps_for_target_rpo
        link_rows += [
            ["Worst RPO", _fmt(c.worst_rpo_min, "min")],
            ["Mean RPO", _fmt(c.mean_rpo_min, "min")],
            ["Updates per day", str(len(c.updates)) if not c.unbounded else "–"],
            ["An update overruns the interval", "yes" if c.update_overrun else "no"],
            [
                f"Effective rate needed for the {design.scenario.targets.rpo_min:g} min target",
                _fmt(need, "Mbit/s") if need is not None else "no rate meets it",
            ],
            [
                "Reserved LUN pool (largest array)",
                _fmt(max(r.rlp_gib for r in design.rlp.values()), "GiB", 0),
            ],
        ]
        parts.append(b.table("Results", [Col("Result"), Col("Value")], link_rows))
        if not c.unbounded:
            parts.append(b.figure(figures.rpo_over_day(design), "Recovery point over the day"))
            updates = [
                [
                    f"{int(u.start_min // 60):02d}:{int(u.start_min % 60):02d}",
                    u.volume_mib,
                    u.duration_min,
                ]
                for u in c.updates
            ]
            parts.append(
                b.table(
                    "MirrorView/A updates of a representative day",
                    [Col("Start"), Col("Delta set [MiB]", 0), Col("Duration [min]", 1)],
                    updates,
                )
            )
        parts.append(b.figure(figures.rpo_vs_rate(design), "Worst RPO against link rate"))
    parts.append(b.figure(figures.utilization_by_hour(design), "Replication traffic by hour"))
    return join(*parts)


SYNC_COLUMNS = [
    Col("Consistency group"),
    Col("LUNs", 0),
    Col("Capacity [GiB]", 1),
    Col("Full sync, alone on the link [h]", 1),
]


def _sync_rows(design: Design) -> tuple[list[list[object]], list[object]]:
    cgs = design.consistency_groups
    rows: list[list[object]] = [[cg.name, cg.luns, cg.capacity_gib, cg.sync_time_h] for cg in cgs]
    total: list[object] = [
        "All (initial sync, resync after failover, failback)",
        sum(cg.luns for cg in cgs),
        design.capacity_gib,
        design.initial_sync_h,
    ]
    return rows, total


def synchronisation(b: Book, design: Design) -> Html:
    """Full-synchronisation times per consistency group and in total (Method §6)."""
    return join(
        b.h1("Synchronisation times"),
        paragraph(
            "A new mirror, a true failover and a failback each need a full synchronisation; all "
            "mirrors of a consistency group synchronise together [S0]. EMC publishes no "
            "throughput for the rate settings: the share of the link each setting uses is an "
            "assumption (Method §6), listed in the assumptions section."
        ),
        b.table(
            "Full synchronisation times", SYNC_COLUMNS, *_sync_rows(design), complete_in=SPREADSHEET
        ),
    )


LIMIT_COLUMNS = [
    Col("Array"),
    Col("Model"),
    Col("Mirrors"),
    Col("Consistency groups"),
    Col("Largest CG [LUNs]"),
    Col("Mirror headroom", 0),
    Col("CG headroom", 0),
    Col("Within limits"),
]


def _limit_rows(design: Design) -> list[list[object]]:
    return [
        [
            u.array,
            u.model,
            f"{u.mirrors:,} / {u.max_mirrors:,}",
            f"{u.cgs:,} / {u.max_cgs:,}",
            f"{u.largest_cg_luns} / {u.max_luns_per_cg}",
            u.mirrors_headroom,
            u.cgs_headroom,
            "yes" if u.fits else "NO",
        ]
        for u in design.plan.arrays
    ]


def _plan_summary(design: Design) -> Html:
    plan = design.plan
    year = design.first_break_year
    model = design.recommended_model
    verdict = (
        '<span class="srm-ok">fits every limit today</span>'
        if plan.feasible
        else f'<span class="srm-bad">does not fit: {esc(", ".join(plan.blocking))}</span>'
    )
    growth = (
        f"no limit breaks within the {design.scenario.growth.years}-year horizon"
        if year is None
        else f"a limit first breaks in year {year}"
    )
    items = [
        f"The plan ({esc(plan.policy)}, {len(plan.cgs)} consistency groups, lower bound "
        f"{plan.lower_bound_cgs}) {verdict}; {esc(growth)}.",
        f"First catalogue model that fits now and at the horizon: {esc(model or 'none')}.",
    ] + [
        f"Recommendation: replace {esc(' and '.join(r.replaces))} ({esc(r.current_model)}) by "
        f"{esc(r.recommended_model or 'no catalogue model')}: {esc(r.reason)}."
        for r in design.recommendations
    ]
    return Html("<ul>" + "".join(f"<li>{i}</li>" for i in items) + "</ul>")


CG_COLUMNS = [
    Col("Consistency group"),
    Col("Servers"),
    Col("Storage groups", 0),
    Col("LUNs", 0),
    Col("Capacity [GiB]", 1),
    Col("Source → target"),
]


def _cg_rows(design: Design) -> list[list[object]]:
    return [
        [
            cg.name,
            ", ".join(cg.servers),
            sum(1 for m in cg.mirrors if m.role == "db"),
            cg.luns,
            cg.capacity_gib,
            f"{cg.source_array} → {cg.target_array}",
        ]
        for cg in design.plan.cgs
    ]


def array_limits(b: Book, design: Design) -> Html:
    """The plan against the arrays' limits, the CG layout and growth (Method §7)."""
    return join(
        b.h1("Array limits"),
        paragraph(
            "Every mirror and every consistency group counts against both arrays it touches "
            "(primary and secondary image). Limits are from the white paper's Table 2 "
            "(MirrorView/S, pairs with write intent log) and Table 3 (MirrorView/A) [S0]."
        ),
        _plan_summary(design),
        b.table(
            "Mirrors and consistency groups against the limits", LIMIT_COLUMNS, _limit_rows(design)
        ),
        b.figure(figures.limit_usage(design), "Array limit usage"),
        b.h2("Consistency-group layout"),
        paragraph(
            "SRM fails a VM over with its consistency groups; all mirrors of a group fracture, "
            "synchronise and promote together [S0]. The full list of mirrors is in the plan "
            "spreadsheet delivered with this document."
        ),
        b.table("Consistency groups", CG_COLUMNS, _cg_rows(design), complete_in=SPREADSHEET),
        b.figure(figures.cg_layout(design), "Consistency groups by source array"),
        b.h2("Growth against the limits"),
        b.figure(figures.growth_vs_limits(design), "Limit usage over the growth horizon"),
    )


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
        + f", the data lost is {duration(loss.mean)} on average, {duration(loss.p95)} in 95 % "
        f"and {duration(loss.p99)} in 99 % of them (target RPO {target.rpo_min:g} min); "
        + (
            f"{mc.unrecoverable_fraction:.2%} leave no usable copy"
            if mc.unrecoverable_fraction
            else "every one leaves a usable copy"
        )
        + f". The recovery takes {duration(mc.rto_min.max)} (target RTO {target.rto_min:g} min)."
    )
    return join(
        b.h1("Failure scenarios"),
        paragraph(
            "srmkit's failover simulator plays the failures this design must survive on its own "
            "consistency groups, arrays and sites. The runbook delivered with this document "
            "gives each scenario's timeline and the procedures to follow."
        ),
        b.table(
            "Failure scenarios on this design",
            dr_runbook.SUMMARY_COLUMNS,
            dr_runbook.summary_rows(results),
        ),
        paragraph(summary),
        b.figure(figures.data_loss_exceedance(mc, target.rpo_min), "Data lost by random disasters"),
    )


FINDING_COLUMNS = [
    Col("Severity"),
    Col("Rule"),
    Col("Finding"),
    Col("Remedy / reason accepted"),
    Col("Source"),
]


def review(b: Book, design: Design) -> Html:
    """Every finding of the design checker."""
    intro = paragraph(
        "Every rule of the srmkit design checker, with the guideline it comes from. Errors must "
        "be resolved; accepted risks were accepted in the scenario with the reason shown."
    )
    rows = [
        [
            "accepted risk" if f.accepted else f.severity,
            f.id,
            f.message,
            f.accepted_reason if f.accepted else f.remedy,
            f.reference,
        ]
        for f in design.findings
    ]
    body = (
        b.table("Findings", FINDING_COLUMNS, rows)
        if rows
        else paragraph("No findings: the design meets every rule of the checker.")
    )
    return join(b.h1("Design review"), intro, body)


def _show(value: Any) -> str:
    if isinstance(value, dict):
        return f"{len(value)} profiles (see workload)"
    if isinstance(value, tuple):
        return f"{len(value)} hourly values, peak {max(value):.0%}"
    return "none" if value is None else f"{value:g}" if isinstance(value, float) else str(value)


def assumptions(b: Book, design: Design) -> Html:
    """Every assumption the numbers rest on, and the mailbox profile table."""
    rows = [
        [r.description, _show(r.value), r.unit, "yes" if r.overridden else "", r.source]
        for r in assumption_rows(design.a)
    ]
    profiles = [
        [name, p.messages_per_day_count, p.db_iops_per_mailbox, p.logs_per_mailbox_per_day_count]
        for name, p in design.a.exchange_profiles.items()
    ]
    return join(
        b.h1("Assumptions"),
        paragraph(
            "Every value the calculations rest on, with its source. Values marked changed were "
            "set in the scenario file; all others are srmkit's documented defaults (Method)."
        ),
        b.table(
            "Assumptions",
            [Col("Assumption"), Col("Value"), Col("Unit"), Col("Changed"), Col("Source")],
            rows,
        ),
        b.h2("Mailbox profiles"),
        b.table(
            "Exchange 2007 mailbox profiles",
            [
                Col("Profile"),
                Col("Messages/day", 0),
                Col("DB IOPS per mailbox", 2),
                Col("Logs per mailbox per day (1 MiB)", 0),
            ],
            profiles,
        ),
    )
