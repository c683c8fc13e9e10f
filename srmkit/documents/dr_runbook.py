"""The disaster recovery runbook: procedures with the design's names, failure scenarios played
out on the design, and the state model they follow.

Every function takes the document's :class:`~srmkit.documents.blocks.Book` and the scenario's
:class:`~srmkit.design.Design` (or the simulator's results) and returns HTML for one notebook cell.
"""

from __future__ import annotations

from pathlib import Path

from srmkit import figures, runbook, simulation, states
from srmkit.design import Design
from srmkit.documents import appendix
from srmkit.documents.blocks import Book, Col, Html, bullets, join, paragraph
from srmkit.documents.registry import get_document
from srmkit.glossary import days as glossary_days
from srmkit.glossary import possessive
from srmkit.simulation import ScenarioResult
from srmkit.units import MIN_PER_DAY, MIN_PER_H


def book(design: Design, params_file: str | None = None) -> Book:
    """The runbook's book: its registry entry and the scenario it is about."""
    base_dir = Path(params_file).parent if params_file else None
    return Book(get_document("runbook"), design.scenario, base_dir)


def results(design: Design) -> list[ScenarioResult]:
    """Every built-in scenario and the scenario file's own, played on the design."""
    return simulation.simulate_all(design)


def duration(minutes: float | None) -> str:
    """``35 min``, ``92.7 h``, ``6.9 days``; ``–`` when there is none.

    >>> duration(35), duration(2000), duration(9978.7), duration(None)
    ('35 min', '33.3 h', '6.9 days', '–')
    """
    if minutes is None:
        return "–"
    if minutes >= 2 * MIN_PER_DAY:
        return f"{minutes / MIN_PER_DAY:,.1f} days"
    if minutes >= 3 * MIN_PER_H:
        return f"{minutes / MIN_PER_H:,.1f} h"
    return f"{minutes:,.0f} min"


def at_least(minutes: float | None, lower_bound: bool) -> str:
    """:func:`duration`, said as a lower bound where it is one (Method §8).

    >>> at_least(7413.1, True), at_least(35, False)
    ('at least 5.1 days', '35 min')
    """
    text = duration(minutes)
    return f"at least {text}" if lower_bound and minutes is not None else text


def data_lost(r: ScenarioResult) -> str:
    """A scenario's data lost for the summary table: a duration, ``not recoverable``, or, for
    MirrorView/A that never catches up, a lower bound that grows every day (Method §8)."""
    if r.data_loss_min is None:
        return "not recoverable"
    if not r.data_loss_unbounded:
        return duration(r.data_loss_min)
    if not r.data_loss_min:
        return "none"
    return (
        f"at least {duration(r.data_loss_min)} "
        f"(unbounded: grows {r.lag_growth_h_per_day or 0:,.1f} h a day)"
    )


def introduction(b: Book, design: Design) -> Html:
    """What the runbook holds, the protection groups and recovery plans it names."""
    doc = design.scenario.document
    groups = [
        f"“{runbook.protection_group(d.from_site)}”: the VMs of {d.from_site} "
        f"({len(d.vms):,}), recovered at {d.to_site} by the plan “"
        f"{runbook.recovery_plan(d.from_site, d.to_site)}”, RTO "
        f"{duration(design.recovery_of(d.from_site).rto_min)}"
        for d in design.directions
    ]
    return join(
        b.h1("Introduction"),
        paragraph(
            f"This runbook gives {possessive(doc.customer)} operations team the procedures for the "
            "disaster recovery design of the Microsoft Exchange 2007 mailbox servers, and shows "
            "what happens to the data in the failures the design must survive. It names the "
            "design's own sites, arrays, consistency groups and VMs; durations are estimated "
            "from the design's figures, and a step with no estimate depends on people "
            "(decisions, checks)."
        ),
        paragraph("SRM protection groups and recovery plans:"),
        bullets(groups),
    )


def procedures(b: Book, design: Design) -> Html:
    """Every procedure as a printable checklist: preconditions, then numbered steps with their
    durations, a box to tick and room for initials."""
    parts = [
        b.h1("Procedures"),
        paragraph(
            "Work through a procedure in order; tick each step and initial it when done. A step "
            "without a duration depends on people (a decision, a check)."
        ),
    ]
    for p in runbook.procedures(design):
        timed = any(s.minutes is not None for s in p.steps)
        parts += [
            b.h2(f"{p.name}: {p.protection_group}"),
            paragraph("Before you start:"),
            bullets(p.preconditions),
            b.checklist(
                f"{p.name} of {p.protection_group}",
                [
                    (s.n, s.who, s.text, at_least(s.minutes, s.at_least), s.commands, s.expected)
                    for s in p.steps
                ],
                at_least(p.total_min, p.total_at_least) if timed else "–",
                complete_in="list of commands runbook.csv",
            ),
        ]
    return join(*parts)


def _outcome(r: ScenarioResult) -> str:
    if not r.recoverable:
        return "no usable copy: not recoverable"
    if r.rto_min is None:
        return "no recovery needed"
    return f"recovered from the {r.recovered_from}" if r.recovered_from else "recovered"


SUMMARY_COLUMNS = [
    Col("Scenario"),
    Col("Data lost"),
    Col("RTO"),
    Col("Without a remote copy"),
    Col("Outcome"),
]


def summary_rows(results: list[ScenarioResult]) -> list[list[object]]:
    """One row per scenario: its title and figures."""
    return [
        [
            simulation.title(r),
            data_lost(r),
            duration(r.rto_min),
            duration(r.unprotected_min) + ("" if r.protected_at_end else " (still at the end)"),
            _outcome(r),
        ]
        for r in results
    ]


def _unbounded_paragraph(results: list[ScenarioResult]) -> list[Html]:
    """What the figures mean when MirrorView/A never catches up (Method §8); nothing otherwise."""
    r = next((x for x in results if x.data_loss_unbounded), None)
    if r is None:
        return []
    days = r.days_in_service or 0
    return [
        paragraph(
            "MirrorView/A never catches up on this design: a day's writes exceed what the link "
            "carries in a day, so the secondary falls "
            f"{r.lag_growth_h_per_day or 0:,.1f} h further behind every day. Each scenario "
            f"starts after {glossary_days(days)} in service, and every data "
            "loss and final update below is a lower bound: the longer the design has run, the "
            "larger it is (Method §8)."
        )
    ]


def scenarios(b: Book, design: Design, results: list[ScenarioResult]) -> Html:
    """Every scenario: the summary table, then each one's timeline, warnings and figure."""
    parts = [
        b.h1("Failure scenarios"),
        paragraph(
            "Each scenario is played on this design by srmkit's failover simulator: events at "
            "given times, and everything the arrays and SRM do in response. Data lost is "
            "measured from the copy the recovery actually uses (the secondary when it is "
            "usable, otherwise a clone taken earlier); the time without a remote copy counts "
            "every minute in which some VMs had no current consistent copy at the other site."
        ),
        *_unbounded_paragraph(results),
        b.table("Failure scenarios on this design", SUMMARY_COLUMNS, summary_rows(results)),
    ]
    for r in results:
        rows = [
            [row.clock, row.object, row.from_state, row.to_state, row.cause]
            for row in r.timeline
            if not row.routine
        ]
        routine = sum(1 for row in r.timeline if row.routine)
        parts += [b.h2(simulation.title(r)), paragraph(r.description or r.name)]
        parts.append(
            b.table(
                f"Timeline: {simulation.title(r)} (from {r.start_clock})",
                [Col("Time"), Col("Object"), Col("From"), Col("To"), Col("Cause")],
                rows,
                source=(
                    (
                        "1 routine MirrorView/A update step is not shown."
                        if routine == 1
                        else f"{routine:,} routine MirrorView/A update steps are not shown."
                    )
                    if routine
                    else None
                ),
            )
        )
        refused = list(dict.fromkeys((x.action, x.state, x.reason) for x in r.refused))
        if refused:
            parts.append(bullets([f"Refused: {a} in {s}. {why}" for a, s, why in refused]))
        if r.warnings:
            parts.append(bullets([f"Warning: {w}" for w in r.warnings]))
        parts.append(
            b.figure(figures.scenario_gantt(r), f"States over time: {simulation.title(r)}")
        )
    return join(*parts)


def state_model(b: Book) -> Html:
    """The states of a secondary image, as a diagram and a table."""
    rows = [
        [s.state, s.condition, "yes" if s.usable else "no", s.meaning]
        for s in states.image_states().values()
    ]
    return join(
        b.h1("State model", appendix=True),
        paragraph(
            "Navisphere shows a secondary image's state and its condition. The simulator moves "
            "every consistency group through these states with one table of transitions, each "
            "with its reason and source; an action the table does not allow in a state is "
            "refused, as the arrays refuse it."
        ),
        b.figure(figures.state_diagram(), "States of a consistency group's secondary image"),
        b.table(
            "Secondary image states",
            [Col("State"), Col("Condition"), Col("Usable for a recovery"), Col("Meaning")],
            rows,
        ),
    )


def provenance(b: Book, design: Design, params_file: str | None) -> Html:
    """What made this runbook."""
    return appendix.provenance(b, design, params_file)
