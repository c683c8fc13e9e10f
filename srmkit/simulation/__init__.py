"""The failover state simulator: failure scenarios played out on a design (Method §8).

A scenario is a list of events at times after its start (a link lost, a site lost, an SRM test,
a recovery plan run, the failback steps, …). The simulator plays them on the design's own
consistency groups, arrays, sites and protection groups with the state table of
:mod:`srmkit.states`, and times what follows from the design's numbers: the system fracture after
``mvs_fracture_timeout_s`` (Method §4), partial resynchronisation (the study's dirty-extent
figure) and full synchronisation at the design's synchronisation rate (Method §6), MirrorView/A
updates by the cycle model (Method §5), and the recovery plan's steps (Method §8).

Each scenario's result holds every state change (timeline), the data lost at a disaster
measured from the copy the recovery actually used (the secondary when usable, else the latest
protective clone; nothing usable: unrecoverable, no number), the RTO, the time without a current
remote copy, the longest MirrorView/S write stall, every resynchronisation with its volume, and
warnings citing the white paper. Actions the table refuses are listed with their reason and the
actions allowed at that moment.

Model choices (each follows a row of the state table; see ``docs/method.md`` §8):

- all members of a consistency group share its image state (they fracture and synchronise
  together [S0]); CGs whose states change alike at one moment are one timeline row;
- consistency groups synchronising in one direction of the link share its synchronisation rate
  and finish together; the two directions run in parallel;
- MirrorView/S holds host writes while the link is down, for at most the fracture timeout; then
  the mirrors system-fracture and writes complete locally. A secondary that stops receiving
  writes holds the data of that moment: the link or the secondary's site lost, or the
  primary's loss (Method §4); a link loss shorter than the timeout stalls writes and fractures
  nothing;
- a MirrorView/A secondary holds the start of its last completed update; an update interrupted
  by a fracture or a promote is rolled back to the gold copy.
  When a day's writes exceed what the link carries in a day (unbounded RPO) the cycle at the
  scenario's start is the one after ``days_in_service`` days of operation, and every loss is a
  lower bound, flagged ``data_loss_unbounded`` (Method §8);
- a planned failover follows SRM 1.0/4.x (Method §8): the operators shut the VMs down, unmount
  their datastores and (MirrorView/A) run a final update; the recovery plan then promotes
  normally. Synchronized images reverse with nothing lost and no resynchronisation [S0]; a plan
  run without those steps promotes images only Consistent: a full synchronisation follows and
  MirrorView/A loses what its last completed update did not carry. After the plan SRM protects
  nothing (``srm_protected_at_end``) until reverse groups and a plan exist;
- a MirrorView/A rollback to the gold copy takes the interrupted update's data at
  ``rollback_mib_per_s``; a protective copy (MirrorView/S) takes its time to start (Method §6).
"""

from __future__ import annotations

from collections.abc import Sequence

from srmkit.design import Design
from srmkit.params import Problem, ScenarioError, problem_at
from srmkit.schema import BUILTIN_SCENARIOS, SimScenario
from srmkit.simulation.builtin import (
    LONG_OUTAGE_H,
    LONG_OUTAGE_START_MIN,
    PLANNED_START,
    TITLES,
    builtin_scenarios,
    planned_failover,
    planned_times,
    title,
)
from srmkit.simulation.handlers import HANDLERS
from srmkit.simulation.model import _model, service_lags
from srmkit.simulation.results import ALL, Refusal, Resync, ScenarioResult, Span, TimelineRow
from srmkit.simulation.run import _Run

__all__ = [
    "LONG_OUTAGE_H",
    "LONG_OUTAGE_START_MIN",
    "PLANNED_START",
    "TITLES",
    "Refusal",
    "Resync",
    "ScenarioResult",
    "Span",
    "TimelineRow",
    "builtin_scenarios",
    "planned_failover",
    "planned_times",
    "scenario_names",
    "scenarios",
    "service_lags",
    "simulate",
    "simulate_all",
    "title",
    "validate",
]

# --- the API ----------------------------------------------------------------------------------


def validate(design: Design) -> list[Problem]:
    """Problems of the scenario file's own scenarios that need the plan: unknown CG names, SP
    events on arrays, SRM events for sites that run no protected VMs."""
    m = _model(design)
    problems = []
    for i, sim in enumerate(design.scenario.scenarios):
        for j, ev in enumerate(sim.events):
            if ev.cg is not None and ev.cg != ALL and ev.cg not in m.cg_index:
                names = ", ".join(c.name for c in m.cgs[:8]) + (" …" if len(m.cgs) > 8 else "")
                problems.append(
                    problem_at(
                        design.scenario,
                        ("scenarios", i, "events", j, "cg"),
                        ev.cg,
                        f"no such consistency group; the plan has {names}",
                    )
                )
            if (
                ev.site is not None
                and ev.event.startswith(("srm_", "run_", "reverse", "reprotect"))
                and ev.site not in m.directions
            ):
                problems.append(
                    problem_at(
                        design.scenario,
                        ("scenarios", i, "events", j, "site"),
                        ev.site,
                        "this site runs no protected VMs",
                    )
                )
    return problems


def scenarios(design: Design, names: Sequence[str] | None = None) -> list[tuple[SimScenario, bool]]:
    """The scenarios to play: every built-in one and the file's own, or those named."""
    every = [(s, True) for s in builtin_scenarios(design)] + [
        (s, False) for s in design.scenario.scenarios
    ]
    if not names:
        return every
    by_name = {s.name: (s, b) for s, b in every}
    return [by_name[n] for n in names]


def scenario_names(design: Design) -> list[str]:
    return [*BUILTIN_SCENARIOS, *(s.name for s in design.scenario.scenarios)]


def simulate(design: Design, scenario: SimScenario, builtin: bool = False) -> ScenarioResult:
    """Play one scenario on the design."""
    return _Run(_model(design), scenario, builtin, HANDLERS).run()


def simulate_all(design: Design, names: Sequence[str] | None = None) -> list[ScenarioResult]:
    """Play the built-in scenarios and the file's own (or only ``names``).

    Raises
    ------
    ScenarioError
        When a scenario of the file names a CG or site the design does not have.
    KeyError
        When a name is not a scenario of this design.
    """
    problems = validate(design)
    if problems:
        raise ScenarioError(problems)
    unknown = [n for n in names or () if n not in scenario_names(design)]
    if unknown:
        raise KeyError(
            f"no scenario {', '.join(unknown)}; scenarios: {', '.join(scenario_names(design))}"
        )
    model = _model(design)
    out = []
    for s, builtin in scenarios(design, names):
        if s.name not in model.results:
            model.results[s.name] = simulate(design, s, builtin)
        out.append(model.results[s.name])
    return out
