"""What every runbook procedure is made of: numbered steps with who acts, the commands with the
design's names, the expected result and the estimated minutes; and the facts of one protection
group the procedures share (its VMs, consistency groups, arrays and sentences).

A step names every object it acts on (every consistency group, every VM: never "and N more") and
gives one command per object where the operator acts by hand. The command forms come from
:mod:`srmkit.commands` (data with sources); a step SRM performs lists the checks that prove it
worked.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from srmkit.commands import Command, command, sp
from srmkit.design import Design
from srmkit.glossary import MODE_NAME
from srmkit.glossary import days as glossary_days
from srmkit.mva import CLOCK_TIMES_MIN
from srmkit.simulation import service_lags
from srmkit.units import MIN_PER_H

if TYPE_CHECKING:
    from srmkit.assumptions import Assumptions
    from srmkit.planner import ConsistencyGroup
    from srmkit.schema import Replication, Site
    from srmkit.study_results import Recovery

ACTOR_NAMES = {
    "srm": "SRM",
    "array": "Storage",
    "esx": "VMware",
    "windows": "Windows / Exchange",
    "network": "Network",
    "people": "Decision",
}
"""Who acts in a step, in words."""


@dataclass(frozen=True)
class Step:
    """One numbered step: who acts, what to do, the commands, what to see, how long it takes."""

    n: int
    text: str
    minutes: float | None
    at_least: bool = False
    """The minutes are a lower bound (a final update of an unbounded MirrorView/A design)."""
    actor: str = "people"
    """``srm``, ``array``, ``esx``, ``windows``, ``network`` or ``people`` (a decision)."""
    commands: tuple[str, ...] = ()
    """The commands to run (or, for an SRM step, to check its result), one per object."""
    expected: str = ""
    """What the operator sees when the step worked."""
    sources: tuple[str, ...] = ()
    """Where the command forms come from."""

    @property
    def who(self) -> str:
        return ACTOR_NAMES[self.actor]


@dataclass(frozen=True)
class Procedure:
    """A procedure for one protection group (or, for go-live and monitoring, the design)."""

    key: str
    name: str
    protection_group: str
    preconditions: tuple[str, ...]
    steps: tuple[Step, ...]

    @property
    def total_min(self) -> float:
        """The sum of the estimated steps. [min]"""
        return sum(s.minutes for s in self.steps if s.minutes is not None)

    @property
    def total_at_least(self) -> bool:
        """The total is a lower bound: some step's minutes are."""
        return any(s.at_least for s in self.steps)


def protection_group(site: str) -> str:
    """The SRM protection group of a site's protected VMs."""
    return f"{site} Exchange"


def recovery_plan(site: str, to_site: str) -> str:
    """The SRM recovery plan that recovers a site's VMs at the other site."""
    return f"Recover {site} Exchange at {to_site}"


def reverse_plan(site: str, to_site: str) -> str:
    """The SRM plan, created after a failover, that brings a site's VMs back."""
    return f"Recover {site} Exchange at {site} from {to_site}"


class Writer:
    """Builds numbered steps."""

    def __init__(self) -> None:
        self.steps: list[Step] = []

    def add(
        self,
        text: str,
        minutes: float | None = None,
        actor: str = "people",
        run: Iterable[Command] = (),
        expected: str = "",
        at_least: bool = False,
    ) -> None:
        cmds = list(run)
        expected = expected or " ".join(dict.fromkeys(c.expected for c in cmds))
        sources = tuple(dict.fromkeys(c.source for c in cmds))
        self.steps.append(
            Step(
                len(self.steps) + 1,
                text,
                minutes,
                at_least,
                actor,
                tuple(c.text for c in cmds),
                expected,
                sources,
            )
        )


@dataclass(frozen=True)
class Backlog:
    """How far an unbounded MirrorView/A secondary is behind, at least, whatever the time of day
    (Method §8): the least over the day after ``days_in_service`` days of operation."""

    days_in_service: float
    """Days of operation the figures assume. [day]"""
    behind_min: float
    """The secondary's lag, at least. [min]"""
    growth_h_per_day: float
    """How much further behind it falls every day. [h/day]"""
    final_update_min: float
    """How long a final update after a shutdown takes, at least. [min]"""
    final_growth_h_per_day: float
    """How much longer that takes every day. [h/day]"""

    @property
    def days(self) -> str:
        """``1 day``, ``2.5 days``."""
        return glossary_days(self.days_in_service)

    @property
    def behind(self) -> str:
        """``at least 15.9 h behind after 1 day in service and 20.1 h further behind every
        day``."""
        return self.behind_text("in service")

    def behind_text(self, service: str) -> str:
        """:attr:`behind`, with what the days count (``in service``, ``of mirroring back``)."""
        return (
            f"at least {self.behind_min / MIN_PER_H:,.1f} h behind after {self.days} {service} "
            f"and {self.growth_h_per_day:,.1f} h further behind every day"
        )


def backlog(design: Design, site: str) -> Backlog | None:
    """The least lag of the day of a site's unbounded MirrorView/A secondary and the least final
    update (Method §8); None when its direction keeps up or the design is MirrorView/S."""
    lag = service_lags(design).get(site)
    if lag is None:
        return None
    return Backlog(
        days_in_service=lag.days_in_service,
        behind_min=float(lag.day_losses_min().min()),
        growth_h_per_day=lag.growth_h_per_day,
        final_update_min=min(lag.final_update_min(float(t)) for t in CLOCK_TIMES_MIN),
        final_growth_h_per_day=lag.drain_growth_h_per_day,
    )


@dataclass(frozen=True)
class Group:
    """What every procedure of one protection group needs: the design, the two sites, the VMs,
    their consistency groups and arrays, the recovery plan's terms and shared sentences."""

    design: Design
    site: str
    to_site: str
    pg: str
    plan: str
    vms: list[str]
    mailbox_vms: list[str]
    cgs: list[ConsistencyGroup]
    sources: list[str]
    targets: list[str]
    recovery: Recovery
    planned: Recovery
    target_site: Site
    backlog: Backlog | None = None
    """The unbounded MirrorView/A secondary's lag (Method §8); None when it keeps up."""

    @property
    def a(self) -> Assumptions:
        return self.design.a

    @property
    def r(self) -> Replication:
        return self.design.scenario.replication

    @property
    def sync(self) -> bool:
        return self.design.is_sync

    @property
    def kind(self) -> str:
        """``sync`` or ``async``: the naviseccli mirror type."""
        return "sync" if self.sync else "async"

    @property
    def mode(self) -> str:
        return MODE_NAME[self.kind]

    @property
    def cg_names(self) -> list[str]:
        return [cg.name for cg in self.cgs]

    @property
    def capacity(self) -> float:
        """The mirrored capacity of the group's consistency groups. [GiB]"""
        return sum(cg.capacity_gib for cg in self.cgs)

    @property
    def luns(self) -> int:
        return sum(cg.luns for cg in self.cgs)

    @property
    def domain(self) -> str:
        return self.target_site.windows_domain

    def per_cg(self, key: str, on_target: bool = True, **fields: object) -> list[Command]:
        """One command per consistency group, sent to SP A of its secondary (``on_target``) or
        primary array."""
        return [
            command(
                f"mirror_{self.kind}_{key}",
                sp=sp(cg.target_array if on_target else cg.source_array),
                cg=cg.name,
                **fields,
            )
            for cg in self.cgs
        ]

    def check_groups(self, on_target: bool = True) -> list[Command]:
        """One listing of every consistency group per array, on SP A of the secondary
        (``on_target``) or primary arrays: the check after a step (the step names the groups)."""
        arrays = self.targets if on_target else self.sources
        return [command(f"mirror_{self.kind}_listgroups_all", sp=sp(a)) for a in arrays]

    def per_vm(self, key: str, vms: Sequence[str] | None = None, **fields: object) -> list[Command]:
        """One command per VM (its server name), run where the VM runs."""
        return [command(key, server=v, host=v, **fields) for v in (vms or self.mailbox_vms)]


def group(design: Design, site: str) -> Group:
    """The context of the procedures of one site's protection group."""
    scenario = design.scenario
    rec = design.recovery_of(site)
    to_site = rec.to_site
    vms = list(rec.vms)
    hubs = {h.name for h in design.hubs}
    members = set(vms)
    cgs = [cg for cg in design.plan.cgs if cg.servers and cg.servers[0] in members]
    return Group(
        design,
        site,
        to_site,
        protection_group(site),
        recovery_plan(site, to_site),
        vms,
        [v for v in vms if v not in hubs],
        cgs,
        sorted({cg.source_array for cg in cgs}),
        sorted({cg.target_array for cg in cgs}),
        rec,
        design.recovery_of(site, site_lost=False),
        next(s for s in scenario.sites if s.name == to_site),
        backlog(design, site),
    )
