"""The command line's text output: every table and line ``srmkit`` prints for a person.

The commands in :mod:`srmkit.cli` parse options and choose a format; these functions turn what
``Design``, the simulator and the options study computed into lines of text. They compute nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from srmkit.glossary import MODE_NAME, or_unbounded, plural
from srmkit.glossary import days as glossary_days
from srmkit.limits import MODES, Mode, catalogue

if TYPE_CHECKING:
    from srmkit.design import Design
    from srmkit.options import Comparison, Option
    from srmkit.risk import MonteCarloResult
    from srmkit.simulation import ScenarioResult


def columns(header: Sequence[str], rows: Iterable[Sequence[str]], numeric: set[int]) -> list[str]:
    """Aligned columns two spaces apart: text left, the columns in ``numeric`` right.

    >>> print("\\n".join(columns(["model", "CGs"], [["CX4-120", "64"], ["AX4-5F", "8"]], {1})))
    model    CGs
    CX4-120   64
    AX4-5F     8
    """
    body = [list(r) for r in rows]
    widths = [max(len(h), *(len(r[i]) for r in body)) for i, h in enumerate(header)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(
            c.rjust(w) if i in numeric else c.ljust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    return [line(header), *(line(r) for r in body)]


def minutes(value: float | None) -> str:
    """``95 min``, ``2,880 min (2.0 days)``; ``–`` where there is no figure."""
    if value is None:
        return "–"
    if value >= 24 * 60:
        return f"{value:,.0f} min ({value / 60 / 24:,.1f} days)"
    return f"{value:,.0f} min"


# --- check and plan -----------------------------------------------------------------------------


def check_lines(path: str, design: Design) -> list[str]:
    """One file's findings: counts, then each finding with its remedy or accepted reason."""
    findings = design.findings
    counts = {
        sev: sum(1 for f in findings if f.severity == sev and not f.accepted)
        for sev in ("error", "warning", "info")
    }
    accepted = sum(1 for f in findings if f.accepted)
    lines = [
        f"{path}: {plural(counts['error'], 'error')}, "
        f"{plural(counts['warning'], 'warning')}, "
        f"{plural(accepted, 'accepted risk')}, {counts['info']:,} info"
    ]
    for f in findings:
        label = "accepted" if f.accepted else f.severity
        lines.append(f"  {label:8} {f.id}: {f.message}")
        if f.accepted:
            lines.append(f"           accepted because: {f.accepted_reason}")
        elif f.severity != "info":
            lines.append(f"           remedy: {f.remedy} ({f.reference})")
    return lines


def plan_lines(design: Design) -> list[str]:
    """The consistency-group plan: arrays against their limits, CGs, growth, recommendations."""
    p = design.plan
    lines = [
        f"{plural(len(p.mirrors), 'mirror')} in {plural(len(p.cgs), 'consistency group')} "
        f"({p.policy}; lower bound {p.lower_bound_cgs:,}); "
        f"{'fits' if p.feasible else 'DOES NOT FIT: ' + ', '.join(p.blocking)}"
    ]
    lines += [
        f"  {a.array} ({a.model}): mirrors {a.mirrors:,}/{a.max_mirrors:,}, "
        f"CGs {a.cgs:,}/{a.max_cgs:,}, largest CG {a.largest_cg_luns}/{a.max_luns_per_cg}"
        for a in p.arrays
    ]
    lines += [
        f"  {cg.name}: {plural(cg.luns, 'LUN')}, {cg.capacity_gib:,.1f} GiB, "
        f"{cg.source_array} -> {cg.target_array}"
        for cg in p.cgs
    ]
    year = design.first_break_year
    horizon = plural(design.scenario.growth.years, "year")
    lines.append(
        f"growth: no array limit breaks within {horizon}"
        if year is None
        else "growth: an array limit breaks today"
        if year == 0
        else f"growth: an array limit first breaks in year {year} of {horizon}"
    )
    lines += [f"recommendation: {rec.text}: {rec.reason}" for rec in design.recommendations]
    free = 1 - design.a.recommend_headroom_fraction
    when = f"in year {design.horizon}" if design.horizon else "today"
    lines.append(
        f"recommended model (the smallest current one with {free:,.0%} of every limit free "
        f"{when}): {design.recommended_model or 'none in the catalogue'}"
        + (
            f" (the design's own arrays use up to {design.fullest_usage_fraction:,.0%} of a "
            f"limit {when})"
            if design.recommended_model is None and not design.errors
            else ""
        )
    )
    lines.append(f"verdict: {design.verdict_text}")
    return lines


# --- limits -------------------------------------------------------------------------------------


def limit_rows(mode: Mode | None) -> list[dict[str, object]]:
    """The catalogue as rows: each model's limits in one mode, or in both."""
    rows = []
    for m in catalogue():
        row: dict[str, object] = {
            "model": m.model,
            "generation": m.generation,
            "mirrorview": m.mirrorview_supported,
        }
        for each in (mode,) if mode else MODES:
            lim = m.limits(each)
            row[f"{each}_max_mirrors"] = lim.max_mirrors if lim else None
            row[f"{each}_max_luns_per_cg"] = lim.max_luns_per_cg if lim else None
            row[f"{each}_max_cgs"] = lim.max_cgs if lim else None
        row["max_luns"] = m.max_luns
        row["connectivity"] = "+".join(c for c in ("fc", "iscsi") if m.supports(c))
        row["min_flare"] = m.min_flare_release
        rows.append(row)
    return rows


def limit_lines(rows: list[dict[str, object]]) -> list[str]:
    """The catalogue rows as a table, with its source."""
    header = list(rows[0])
    cells = [[("-" if r[c] is None else str(r[c])) for c in header] for r in rows]
    return [
        *columns(header, cells, numeric=set()),
        "source: the white paper [S0], Tables 2 and 3; max LUNs recalled (FACTS §6); only "
        "current-generation models are recommended for purchase (srmkit/data/model_limits.csv)",
    ]


# --- size ---------------------------------------------------------------------------------------


def _mirrorview_line(d: Design) -> str:
    """MirrorView/S latency and distance, or MirrorView/A RPO and the rate the target needs."""
    if d.is_sync:
        latency = (
            "unbounded (the link cannot carry the writes)"
            if d.link_saturated
            else f"{or_unbounded(d.log_write_latency_ms, 'ms', 2)} "
            f"(+{or_unbounded(float(d.added_latency_ms()), 'ms', 2)})"
        )
        return (
            f"MirrorView/S: log write latency {latency}; fibre route "
            f"{or_unbounded(d.route_km, 'km')} (EMC: < {d.a.sync_distance_limit_km:g} km); the "
            f"latency limit allows {or_unbounded(d.max_distance_km, 'km', 0)} between the sites; "
            "RPO 0"
        )
    c = d.async_cycle
    if c.unbounded:
        from srmkit.output import unbounded_lag

        lag = unbounded_lag(d) or {}
        days = float(lag.get("days_in_service", d.a.days_in_service))
        return (
            "MirrorView/A: RPO unbounded (a day's writes exceed the link's capacity): after "
            f"{glossary_days(days)} in service a disaster loses at least "
            f"{minutes(lag.get('at_least_min'))}, at some hours at least "
            f"{minutes(lag.get('up_to_at_least_min'))}, "
            f"{float(lag.get('growth_h_per_day', 0.0)):,.1f} h more every further day"
        )
    need = d.required_rate_mbps_for_target_rpo
    return (
        f"MirrorView/A: worst RPO {or_unbounded(c.worst_rpo_min, 'min')}, mean "
        f"{or_unbounded(c.mean_rpo_min, 'min')}, {len(c.updates)} updates a day"
        + (", updates overrun the interval" if c.update_overrun else "")
        + (
            f"; the target RPO needs {or_unbounded(need, 'Mbit/s')} effective"
            if need
            else "; no link rate meets the target RPO"
        )
    )


def size_lines(design: Design) -> list[str]:
    """The sizing figures as lines of text."""
    d = design
    servers = d.servers
    lines = [
        f"workload: {sum(s.users for s in servers):,.0f} users on "
        f"{plural(len(servers), 'server')}, "
        f"{plural(sum(s.storage_groups for s in servers), 'storage group')}, "
        f"{sum(s.db_iops_peak for s in servers):,.0f} DB IOPS at peak, "
        f"{sum(s.log_mib_per_day for s in servers):,.0f} MiB logs a day; "
        f"{plural(sum(v.luns for v in d.vms), 'LUN')}, "
        f"{or_unbounded(d.capacity_gib, 'GiB')} mirrored",
    ]
    lines += [
        f"link {x.label}: peak {or_unbounded(x.peak_mbps, 'Mbit/s')} of "
        f"{or_unbounded(x.effective_rate_mbps, 'Mbit/s')} effective "
        f"({x.peak_utilization_fraction:,.0%})"
        for x in d.directions
    ]
    lines.append(_mirrorview_line(d))
    lines.append(
        f"synchronisation at {or_unbounded(d.sync_rate_mbps, 'Mbit/s')}: initial "
        f"{or_unbounded(d.initial_sync_h, 'h')}, failback {or_unbounded(d.failback_sync_h, 'h')}"
    )
    lines += [
        f"reserved LUN pool on {pool.array}: {or_unbounded(pool.rlp_gib, 'GiB', 0)} in "
        f"{plural(pool.reserved_luns, 'reserved LUN')}"
        for pool in d.rlp.values()
        if pool.rlp_gib
    ]
    r = d.recovery
    steps = " + ".join(f"{x.step} {x.minutes:,.1f}" for x in r.steps)
    lines.append(
        f"recovery of {r.from_site} at {r.to_site}: RTO {or_unbounded(r.rto_min, 'min', 0)} "
        f"(decide {r.declare_min:g} + {r.after_decision_min:,.0f} min after the decision: "
        f"{steps}), users back after {r.users_back_min:,.0f} min, against a target of "
        f"{d.scenario.targets.rto_min:g} min"
    )
    lines.append(f"verdict: {d.verdict_text}")
    return lines


# --- compare ------------------------------------------------------------------------------------


def option_name(o: Option) -> str:
    """``MirrorView/S``, ``MirrorView/A 30 min end``, ``CX4-240``; ``*`` marks the design's own."""
    if o.kind == "model":
        name = o.arrays[0].model if o.arrays else o.key
    elif o.mode == "sync":
        name = MODE_NAME["sync"]
    elif o.update_interval_min is None:
        name = f"{MODE_NAME['async']} manual"
    else:
        name = f"{MODE_NAME['async']} {o.update_interval_min:g} min {o.update_type}"
    return name + (" *" if o.is_design else "")


def _headroom(now: int | None, end: int | None) -> str:
    return f"{'-' if now is None else f'{now:,}'}/{'-' if end is None else f'{end:,}'}"


def _option_row(o: Option) -> list[str]:
    from srmkit.design import VERDICT_TEXT

    return [
        option_name(o),
        VERDICT_TEXT[o.verdict],
        or_unbounded(o.worst_rpo_min, "min"),
        or_unbounded(o.mean_rpo_min, "min"),
        or_unbounded(o.rto_min, "min", 0),
        (
            "unbounded"
            if o.link_saturated and o.mode == "sync"
            else "-"
            if o.added_latency_ms is None
            else f"+{o.added_latency_ms:.2f} ms"
        ),
        " / ".join(f"{u.peak_utilization_fraction:,.0%}" for u in o.link_use),
        or_unbounded(o.rlp_gib, "GiB", 0),
        or_unbounded(o.initial_sync_h, "h"),
        or_unbounded(o.failback_sync_h, "h"),
        _headroom(o.mirrors_headroom_now, o.mirrors_headroom_at_horizon),
        _headroom(o.cgs_headroom_now, o.cgs_headroom_at_horizon),
    ]


def compare_lines(c: Comparison) -> list[str]:
    """The options side by side as aligned tables of text."""
    t = c.thresholds
    directions = c.options[0].link_use if c.options else ()
    header = [
        "option",
        "verdict",
        "worst RPO",
        "mean RPO",
        "RTO",
        "added latency",
        "peak link use",
        "LUN pool",
        "initial sync",
        "failback sync",
        f"mirrors free now/year {c.horizon_years}",
        f"CGs free now/year {c.horizon_years}",
    ]
    lines = [
        f"options side by side ({MODE_NAME[c.mode]} design; * = what the design has "
        f"now; target RPO {t.rpo_target_min:g} min, RTO {t.rto_target_min:g} min)"
    ]
    for title, group in (
        ("mirroring mode and update schedule", c.mode_options),
        (f"array models ({MODE_NAME[c.mode]}, on every array)", c.model_options),
    ):
        if group:
            lines += ["", f"{title}:"]
            lines += columns(
                header, [_option_row(o) for o in group], set(range(2, len(header))) - {6}
            )
        failing: dict[tuple[str, ...], list[str]] = {}
        for o in group:
            if o.error_rules:
                failing.setdefault(o.error_rules, []).append(option_name(o).removesuffix(" *"))
        lines += [
            f"  does not fit ({', '.join(rules)}): {', '.join(names)}"
            for rules, names in failing.items()
        ]
    lines += [
        "",
        "peak link use: " + " / ".join(u.direction for u in directions) + " (busiest hour); "
        "LUN pool: reserved LUN pool of the array that needs the most",
        f"added latency: MirrorView/S only; log writes stay under "
        f"{t.log_write_limit_ms:g} ms while it is at most {t.added_latency_limit_ms:g} ms",
    ]
    return lines


# --- simulate -----------------------------------------------------------------------------------


def _refusal_lines(r: ScenarioResult) -> list[str]:
    """Each refused action once, with how many objects it was refused for."""
    lines = []
    seen: set[tuple[str, str]] = set()
    for x in r.refused:
        if (x.action, x.reason) in seen:
            continue
        seen.add((x.action, x.reason))
        same = sum(1 for y in r.refused if (y.action, y.reason) == (x.action, x.reason))
        what = x.object if same == 1 else f"{x.object} and {same - 1:,} more"
        lines.append(
            f"  refused at {x.clock}: {x.action} of {what} in {x.state}: {x.reason}"
            + (f" (allowed: {', '.join(x.allowed)})" if x.allowed else "")
        )
    return lines


def _unbounded_loss(value: float | None, growth_h_per_day: float | None) -> str:
    """A lower bound of an unbounded MirrorView/A loss: ``at least 1,555 min (1.1 days)
    (unbounded: grows 20.1 h a day)`` (Method §8)."""
    return f"at least {minutes(value)} (unbounded: grows {growth_h_per_day or 0:,.1f} h a day)"


def _loss_text(r: ScenarioResult) -> str:
    """What the scenario lost: a figure, a lower bound when the MV/A lag is unbounded (§8), or
    nothing usable."""
    if not r.recoverable:
        return "no usable copy: UNRECOVERABLE"
    source = f", recovered from the {r.recovered_from}" if r.recovered_from else ""
    if not r.data_loss_unbounded:
        return f"data lost {minutes(r.data_loss_min)} ({(r.data_loss_mib or 0):,.0f} MiB){source}"
    if r.data_loss_min:
        return (
            f"data lost {_unbounded_loss(r.data_loss_min, r.lag_growth_h_per_day)}, at least "
            f"{(r.data_loss_mib or 0):,.0f} MiB after {glossary_days(r.days_in_service)} in service"
            + source
        )
    return (
        f"no data lost in this scenario{source} (MirrorView/A unbounded: the secondary falls "
        f"{r.lag_growth_h_per_day or 0:,.1f} h further behind every day)"
    )


def scenario_lines(r: ScenarioResult) -> list[str]:
    """One played scenario: data lost, RTO, exposure, the timeline without routine steps."""
    head = f"{r.name} (from {r.start_clock}): {r.description}" if r.description else r.name
    extra = (f"; writes stalled {r.write_stall_s:,.1f} s" if r.write_stall_s else "") + (
        f"; partial resynchronisation {r.resync_gib:,.1f} GiB" if r.resync_gib else ""
    )
    lines = [
        head,
        f"  {_loss_text(r)}; RTO {minutes(r.rto_min)}; without a remote copy "
        f"{minutes(r.unprotected_min)}; "
        + ("protected at the end" if r.protected_at_end else "NOT protected at the end")
        + extra,
    ]
    routine = sum(1 for row in r.timeline if row.routine)
    lines += [
        f"  {row.clock:>10}  {row.object}: {row.from_state} → {row.to_state} ({row.cause})"
        for row in r.timeline
        if not row.routine
    ]
    if routine:
        lines.append(
            f"  ({routine:,} routine MirrorView/A update steps not shown; --format json lists them)"
        )
    lines += _refusal_lines(r)
    lines += [f"  warning: {w}" for w in r.warnings]
    return lines


def monte_carlo_lines(mc: MonteCarloResult) -> list[str]:
    """Random disasters: the distribution of data lost and RTO, and the unrecoverable share; an
    unbounded MirrorView/A loss as lower bounds (Method §8)."""
    lines = [
        f"{mc.runs:,} disasters at random times (seed {mc.seed}"
        + (
            f", {mc.outages_per_year:g} link outages a year of {mc.outage_mean_h:g} h on average"
            if mc.outages_per_year
            else ""
        )
        + ")"
    ]
    loss = mc.data_loss_min
    if mc.data_loss_unbounded:
        lines.append(
            f"  data lost, after {glossary_days(mc.days_in_service)} in service: mean at least "
            f"{minutes(loss.mean)}, p50 at least {minutes(loss.p50)}, p95 at least "
            f"{minutes(loss.p95)}, p99 at least {minutes(loss.p99)}, max at least "
            f"{minutes(loss.max)} (unbounded: grows {mc.lag_growth_h_per_day or 0:,.1f} h a day)"
        )
    else:
        lines.append(
            f"  data lost: mean {minutes(loss.mean)}, p50 {minutes(loss.p50)}, p95 "
            f"{minutes(loss.p95)}, p99 {minutes(loss.p99)}, max {minutes(loss.max)}"
        )
    d = mc.rto_min
    lines.append(
        f"  RTO: mean {minutes(d.mean)}, p50 {minutes(d.p50)}, p95 "
        f"{minutes(d.p95)}, p99 {minutes(d.p99)}, max {minutes(d.max)}"
    )
    lines.append(f"  unrecoverable: {mc.unrecoverable_fraction:.3%} of the disasters")
    return lines


def build_lines(design: Design, files: Sequence[object]) -> list[str]:
    """``srmkit build``: what was written, LUNs per array and SP, the bill of materials."""
    from srmkit.luns import IMAGE_TEXT  # the LUN kinds in words, as luns.csv writes them

    book = design.build
    lines = []
    if design.errors:
        lines.append(
            f"NOT FOR IMPLEMENTATION: the design has {plural(len(design.errors), 'error')} "
            "(srmkit check); the scripts refuse to run without FORCE=1"
        )
    lines.append(f"wrote {', '.join(str(f) for f in files)}")
    for array in (a.name for a in design.scenario.arrays):
        counts = book.allocation.counts(array)
        if not counts:
            continue
        sp = book.allocation.sp_capacity_gib(array)
        kinds = ", ".join(plural(n, IMAGE_TEXT[kind]) for kind, n in counts.items())
        lines.append(
            f"  {array}: {plural(sum(counts.values()), 'LUN')} ({kinds}); "
            f"SP A {sp['A']:,.0f} GiB, SP B {sp['B']:,.0f} GiB"
        )
    lines.append("bill of materials:")
    rows = [
        [
            line.item,
            line.quantity_text,
            line.unit,
            line.scope,
        ]
        for line in book.bom
    ]
    lines += ["  " + r for r in columns(["item", "quantity", "unit", "for"], rows, {1})]
    return lines
