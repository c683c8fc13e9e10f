"""The sizing study's sections: the options side by side, the sensitivity of the design to each
input, the tornado, growth year by year and the assumptions that apply.

Every function takes the document's :class:`~srmkit.documents.blocks.Book` (numbering) and the
scenario's :class:`~srmkit.design.Design`, and returns HTML for one notebook cell. The numbers
are assembled by :mod:`srmkit.options` from the design and its variants.
"""

from __future__ import annotations

from pathlib import Path

from srmkit import figures, glossary, rules
from srmkit import options as opts
from srmkit.assumptions import MEASURABLE
from srmkit.design import VERDICT_TEXT, Design
from srmkit.documents import appendix
from srmkit.documents.blocks import Book, Col, Html, bullets, join, paragraph
from srmkit.documents.build_book import bom_summary
from srmkit.documents.registry import get_document
from srmkit.glossary import UNBOUNDED, or_unbounded, possessive

MODE_NAMES = {"sync": "MirrorView/S (synchronous)", "async": "MirrorView/A (asynchronous)"}
TYPE_NAMES = {"start": "start of last update", "end": "end of last update", "manual": "set times"}


def book(design: Design, params_file: str | None = None) -> Book:
    """The sizing study's book: its registry entry and the scenario it is about."""
    base_dir = Path(params_file).parent if params_file else None
    return Book(get_document("sizing"), design.scenario, base_dir)


def _quantity(x: float, unit: str) -> str:
    """``5.4 km``, ``4,000 Mbit/s``, ``18,000 users``, ``12.5%``, ``1.81`` (a factor).

    >>> _quantity(5.4, "km"), _quantity(4000.0, "Mbit/s"), _quantity(0.125, "fraction")
    ('5.4 km', '4,000 Mbit/s', '12.5%')
    >>> _quantity(1.8136, "factor")
    '1.81'
    """
    if unit == "fraction":
        return f"{x:,.1%}"
    if unit == "factor":
        return f"{x:.2f}"
    text = f"{x:,.0f}" if abs(x) >= 100 else f"{x:,.1f}".removesuffix(".0")
    return f"{text} {unit}"


def _fmt(value: float | None, unit: str, digits: int = 1, none: str = UNBOUNDED) -> str:
    return none if value is None else or_unbounded(value, unit, digits)


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{value:,.0%}"


def _signed(value: float | None, digits: int) -> str:
    return or_unbounded(value, digits=digits, sign=True)


def _rule_titles(ids: tuple[str, ...]) -> str:
    catalogue = rules.catalogue()
    return " ".join((catalogue[i].title.rstrip(".") if i in catalogue else i) + "." for i in ids)


def introduction(b: Book, design: Design) -> Html:
    """What the study compares and how."""
    s = design.scenario
    doc = s.document
    link = s.link
    users = sum(v.users for v in s.servers)
    models = sorted({design.models[a.name].model for a in s.arrays})
    r = s.replication
    schedule = ""
    if not design.is_sync:
        schedule = (
            f", updating every {r.update_interval_min:g} minutes from the "
            f"{TYPE_NAMES[r.update_type]}"
            if r.update_type != "manual" and r.update_interval_min is not None
            else ", updating at set times"
        )
    text = (
        "This study compares the ways the disaster recovery design for "
        f"{possessive(doc.customer)} {users:,} Exchange 2007 mailboxes on "
        f"{len(s.servers)} mailbox server VMs could be built. The design as specified mirrors "
        f"with {MODE_NAMES[s.replication.mode]}{schedule}, over a "
        f"{link.bandwidth_mbps:,g} Mbit/s link between sites {link.distance_km:,g} km apart, "
        f"on {' and '.join(models)} arrays; its verdict is that it {design.verdict_text}."
    )
    method = (
        "For every option srmkit builds the whole design again with that option and checks it "
        "against every rule of the design checker, the array limits now and at the end of the "
        "growth horizon included; each verdict is that of a complete design. The sensitivity "
        "sections change one input at a time and keep the others at the design's values. All "
        "figures are computed by srmkit from the scenario file and the assumptions listed in "
        "the last section (Method)."
    )
    return join(
        b.h1("Introduction"),
        paragraph(text),
        paragraph(method),
        bullets(
            [
                "Options side by side: MirrorView/S, MirrorView/A every 15, 30 and 60 minutes "
                "from the start or the end of the last update, and every CLARiiON model that "
                "can mirror this design.",
                "Sensitivity: the site distance, the link bandwidth, the MirrorView/A update "
                "interval, the number of mailboxes, the burst factor (bursts of writes shorter "
                "than an hour) and the mailboxes' growth, each over a range.",
                f"What matters most: each input moved {opts.TORNADO_STEP_FRACTION:,.0%} down and "
                "up, sorted by its effect.",
                "Growth year by year to the end of the planning horizon.",
            ]
        ),
    )


def _recommended_sentence(design: Design) -> str:
    """The model srmkit recommends for every array, in words (Method §7)."""
    free = 1 - design.a.recommend_headroom_fraction
    when = f"in year {design.horizon}" if design.horizon else "today"
    model = design.recommended_model
    if model is None:
        own = (
            f" The design's own arrays carry it, using up to {design.fullest_usage_fraction:,.0%} "
            f"of a limit {when}."
            if not design.errors
            else ""
        )
        return (
            f"No current model carries this design with {free:,.0%} of every limit free "
            f"{when}.{own}"
        )
    return (
        f"The smallest current model that carries it with {free:,.0%} of every limit free "
        f"{when} is the {model}."
    )


def _links(c: opts.Comparison) -> str:
    first = c.options[0] if c.options else None
    return " / ".join(u.direction for u in first.link_use) if first else ""


def _mode_rows(c: opts.Comparison) -> list[list[object]]:
    return [
        [
            o.label + (" (this design)" if o.is_design else ""),
            VERDICT_TEXT[o.verdict],
            UNBOUNDED if o.rpo_unbounded else o.worst_rpo_min,
            UNBOUNDED if o.rpo_unbounded else o.mean_rpo_min,
            o.rto_min,
            (
                "unbounded"
                if o.mode == "sync" and o.link_saturated
                else None
                if o.added_latency_ms is None
                else f"{o.added_latency_ms:,.2f}"
            ),
            " / ".join(_percent(u.peak_utilization_fraction) for u in o.link_use),
            o.rlp_gib,
            o.initial_sync_h,
            o.failback_sync_h,
        ]
        for o in c.mode_options
    ]


def _why_not(group: tuple[opts.Option, ...]) -> list[str]:
    """Why each option that does not fit fails, options failing alike together."""
    failing: dict[tuple[str, ...], list[str]] = {}
    for o in group:
        if o.error_rules:
            failing.setdefault(o.error_rules, []).append(o.label)
    return [f"{_and(names)}: {_rule_titles(ids)}" for ids, names in failing.items()]


def _and(names: list[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _model_rows(c: opts.Comparison) -> list[list[object]]:
    return [
        [
            o.arrays[0].model + (" (this design)" if o.is_design else ""),
            VERDICT_TEXT[o.verdict],
            o.fits_now,
            o.fits_at_horizon,
            o.mirrors_headroom_now,
            o.mirrors_headroom_at_horizon,
            o.cgs_headroom_now,
            o.cgs_headroom_at_horizon,
            o.rto_min,
            o.rlp_gib,
        ]
        for o in c.model_options
    ]


def options(b: Book, design: Design) -> Html:
    """The mirroring options and the array models side by side (tables and figures)."""
    c = opts.compare(design)
    t = c.thresholds
    years = c.horizon_years
    links = _links(c)
    mode_columns = [
        Col("Option"),
        Col("Verdict"),
        Col("Worst RPO [min]", 1),
        Col("Mean RPO [min]", 1),
        Col("RTO [min]", 0),
        Col("Added write latency [ms]"),
        Col(f"Peak link use ({links})"),
        Col("Reserved LUN pool [GiB]", 0),
        Col("Initial sync [h]", 1),
        Col("Failback sync [h]", 1),
    ]
    model_columns = [
        Col("Model on every array"),
        Col("Verdict"),
        Col("Fits now"),
        Col(f"Fits in year {years}"),
        Col("Mirrors free now", 0),
        Col(f"Mirrors free in year {years}", 0),
        Col("Consistency groups free now", 0),
        Col(f"Consistency groups free in year {years}", 0),
        Col("RTO [min]", 0),
        Col("Reserved LUN pool [GiB]", 0),
    ]
    mode_why = _why_not(c.mode_options)
    model_why = _why_not(c.model_options)
    parts: list[Html | None] = [
        b.h1("Options side by side"),
        b.h2("Mirroring mode and update schedule"),
        paragraph(
            "Each option runs on the design's own arrays. MirrorView/S acknowledges a write "
            "only once the remote array has it: it loses no data but adds latency to every "
            "write. MirrorView/A sends the changes at each update: writes are not slowed, and "
            "the recovery point is the time since the last completed update began. The "
            f"targets are an RPO of {t.rpo_target_min:g} min and an RTO of "
            f"{t.rto_target_min:g} min; log writes stay within Microsoft's "
            f"{t.log_write_limit_ms:g} ms while MirrorView/S adds at most "
            f"{t.added_latency_limit_ms:g} ms. The reserved LUN pool is that of the array "
            "needing the most; synchronisation times are those of the busiest direction."
        ),
        b.table("Mirroring options", mode_columns, _mode_rows(c)),
        paragraph("Why an option does not fit:") if mode_why else None,
        bullets(mode_why) if mode_why else None,
        b.figure(figures.options_rpo(c), "Recovery point of each mirroring option"),
        b.h2("Array models"),
        paragraph(
            f"Every current CLARiiON model (CX4) that can mirror with {MODE_NAMES[c.mode]}, "
            "and any earlier model the design already has, on every array of the design (at the "
            "lowest FLARE release it supports for SRM with MirrorView where the arrays' own "
            "release does not qualify); CX3 and AX4 arrays are no longer sold, so srmkit "
            "recommends only CX4 models. "
            + _recommended_sentence(design)
            + " Free mirrors and consistency "
            "groups are those of the fullest array; a negative number is how far it is over "
            "the model's limit, and consistency groups are not laid out on a model that cannot "
            "hold the mirrors."
        ),
        b.table("Array models", model_columns, _model_rows(c)),
        paragraph("Why a model does not fit:") if model_why else None,
        bullets(model_why) if model_why else None,
        b.figure(figures.model_headroom(c), "Mirrors still free by model"),
    ]
    return join(*parts)


def _sweep_summary(design: Design, s: opts.Sweep) -> str:
    """One sentence on what the sweep shows at the design's value and over its range."""

    def value(x: float) -> str:
        return _quantity(x, s.unit)

    lo, hi = value(s.x[0]), value(s.x[-1])
    if s.unit == "factor":
        lo = f"a {glossary.in_sentence(s.label)} of {lo}"
    headline: opts.Metric = "added_latency_ms" if s.mode == "sync" else "worst_rpo_min"
    words, metric_unit = opts.METRIC_WORDS[headline]
    values = [p.value(headline) for p in s.points]
    known = [v for v in values if v is not None]
    flat = bool(known) and f"{min(known):,.2f}" == f"{max(known):,.2f}"
    span = (
        f"the {words} is unbounded throughout"
        if not known
        else f"the {words} stays at {known[0]:,.2f} {metric_unit}"
        if flat
        else f"the {words} ranges from {min(known):,.2f} to {max(known):,.2f} {metric_unit}"
    )
    if known and len(known) < len(values):
        span += " and is unbounded where the link cannot carry the writes"
        flat = False
    here = s.design_point
    at = (
        f" At the design's {value(s.x[s.design_index])} it is "
        f"{_fmt(here.value(headline), metric_unit, 2)}."
        if here is not None and s.design_index is not None and not flat
        else " The design itself does not use MirrorView/A."
        if s.key == "update_interval"
        else ""
    )
    use = s.values("peak_utilization_fraction")
    link = (
        f" Peak link use (busiest direction) goes from {use.min():,.0%} to {use.max():,.0%}."
        if s.key == "burst"
        else ""
    )
    return f"From {lo} to {hi}, {span}.{at}{link}"


def sweeps(b: Book, design: Design) -> Html:
    """Each input swept over a range: one figure each, with the design's point and the targets."""
    c = opts.compare(design)
    parts: list[Html] = [
        b.h1("Sensitivity"),
        paragraph(
            f"Each input is varied over a range of {opts.SWEEP_POINTS} values and the design's "
            "own, the others held at the design's values. A diamond marks the design and a "
            "dashed line the target or limit; a panel is shown for every figure that changes "
            "with the input."
        ),
    ]
    for s in opts.sweeps(design):
        parts += [
            b.h2(s.label),
            paragraph(_sweep_summary(design, s)),
            b.figure(figures.sweep_figure(s, c.thresholds), f"{s.label}: sensitivity"),
        ]
    return join(*parts)


def tornado(b: Book, design: Design) -> Html:
    """The inputs moved by the same step, sorted by their effect (figure and table)."""
    t = opts.tornado(design)
    step = f"{t.step_fraction:,.0%}"
    metrics: list[opts.Metric] = (
        ["added_latency_ms", "rto_min"]
        if design.is_sync
        else ["worst_rpo_min", "required_rate_mbps", "rto_min"]
    )
    digits = {"worst_rpo_min": 1, "added_latency_ms": 2, "required_rate_mbps": 1, "rto_min": 0}
    columns = [Col("Input"), Col("Design value"), Col(f"−{step}"), Col(f"+{step}")] + [
        Col(f"Change of the {opts.METRIC_WORDS[m][0]} [{opts.METRIC_WORDS[m][1]}] (−/+)")
        for m in metrics
    ]

    def shown(r: opts.TornadoRow, x: float) -> str:
        return _quantity(x, r.unit)

    rows: list[list[object]] = [
        [
            r.label + (f" (year {r.year})" if r.year else ""),
            shown(r, r.base_value),
            shown(r, r.low_value),
            shown(r, r.high_value),
            *(
                f"{_signed(r.change(m, 'low'), digits[m])} / "
                f"{_signed(r.change(m, 'high'), digits[m])}"
                if r.base.value(m) is not None
                else "–"
                for m in metrics
            ),
        ]
        for r in t.rows
    ]
    words = opts.METRIC_WORDS[t.metric][0]
    moved = any(r.swing(t.metric) for r in t.rows)
    return join(
        b.h1("What matters most"),
        paragraph(
            f"Each input is moved {step} down and {step} up from the design's value, one at a "
            f"time, the others held. The inputs are sorted by how far they move the {words}, "
            "the largest first. Growth changes only the later years: its row compares the "
            "figures at the end of the horizon."
            + (
                " The burst factor is not moved below 1 (no bursts at all): its row shows "
                "only the move up."
                if any(r.key == "burst" and r.low_value == r.base_value for r in t.rows)
                else ""
            )
        ),
        b.figure(figures.tornado_figure(t), f"Inputs moved by {step}: effect on the {words}")
        if moved
        else paragraph(
            f"No input moved by {step} changes the {words} enough to show: "
            + (
                "the recovery point stays unbounded whichever input moves (the link cannot "
                "carry a day's changes)."
                if design.worst_rpo_min is None
                else "the design is insensitive to each of them at this step."
            )
        ),
        b.table(f"Inputs moved by {step}, one at a time", columns, rows),
    )


def growth(b: Book, design: Design) -> Html:
    """The design year by year over the growth horizon (table)."""
    g = opts.growth(design)
    sync = design.is_sync
    headline = Col("Added write latency [ms]", 2) if sync else Col("Worst RPO [min]", 1)
    columns = [
        Col("Year", 0),
        Col("Mailboxes", 0),
        Col("Storage groups", 0),
        Col("Mirrored LUNs", 0),
        Col("Capacity [GiB]", 0),
        Col("Peak link use"),
        headline,
        Col("Mirrors used (fullest array)"),
        Col("Consistency groups used"),
        Col("Largest group used"),
        Col("Within limits"),
        Col("Initial sync [h]", 1),
    ]
    rows: list[list[object]] = [
        [
            y.year,
            y.users,
            y.storage_groups,
            y.luns,
            y.capacity_gib,
            _percent(y.peak_utilization_fraction),
            y.added_latency_ms if sync else y.worst_rpo_min,
            _percent(y.mirrors_usage_fraction),
            _percent(y.cgs_usage_fraction),
            _percent(y.largest_cg_usage_fraction),
            "yes" if y.fits else "NO",
            y.initial_sync_h,
        ]
        for y in g.years
    ]
    year = g.first_break_year
    horizon = design.horizon
    verdict = (
        f"no array limit breaks within the {horizon}-year horizon"
        if year is None
        else "an array limit is broken today"
        if year == 0
        else f"an array limit first breaks in year {year}"
    )
    return join(
        b.h1("Growth year by year"),
        paragraph(
            f"Mailboxes grow {g.users_per_year_fraction:,.0%} a year; storage groups are derived "
            "again from the grown mailbox count each year, and consistency groups are laid out "
            f"again against the arrays' limits (Method §2, §7). With this growth {verdict}. "
            "Usage is the share of the model's limit on the fullest array."
        ),
        b.table("The design year by year", columns, rows),
    )


STUDY_ASSUMPTIONS = (
    "daily_profile_fraction",
    "iops_headroom_fraction",
    "db_write_fraction",
    "gos_write_mib_per_h",
    "burst_factor",
    "link_utilization_warn_fraction",
    "fibre_one_way_ms_per_km",
    "log_write_kib",
    "mirror_overhead_ms",
    "local_log_write_ms",
    "log_write_avg_limit_ms",
    "sync_distance_limit_km",
    "async_db_transfer_factor",
    "update_overhead_s",
    "rlp_fraction",
    "rlp_delta_safety_factor",
    "test_duration_h",
    "cofw_amplification",
    "sync_rate_high_fraction",
    "sync_rate_medium_fraction",
    "sync_rate_low_fraction",
    "array_sync_cap_mbps",
    *MEASURABLE,
    "sra_timeout_s",
    "recovery_esx_hosts_per_cluster",
)
"""The assumptions the study's figures rest on (the workload, the link, MirrorView and the
recovery); every other assumption is in the design document."""


def assumptions(b: Book, design: Design) -> Html:
    """The assumptions that apply to this design (the appendix every document shares)."""
    return appendix.assumptions(b, design)


def provenance(b: Book, design: Design, params_file: str | None) -> Html:
    """What made this study."""
    return appendix.provenance(b, design, params_file)


__all__ = ["bom_summary"]
