"""Remedies of per-server findings verified together: linear in the design's size (Method §7).

A rule that a server breaks on its own (its databases, its mailboxes, its virtual disks, a
setting of its VM) can be broken by thousands of servers of one design. Verifying each server's
remedy on a design of its own re-sizes, re-plans and re-checks every server once per finding:
quadratic work (a 1,000-server design took a minute, 10,000 exhausted memory). Here the remedies
of one rule are applied to every server that breaks it at once, in one what-if:

- a server's finding is gone when the rule no longer finds it in that what-if (the rule reads
  only the server itself);
- the remedies add no error when the what-if adds none: each server's remedy alone changes a
  subset of what they change together, and the errors a remedy can add (array limits, LUNs per
  host, the recovery time) only grow with what is changed, so what holds for all holds for each.

Where the what-if adds an error, none of the rule's remedies is offered as verified: they are
listed as tried, saying that together they add an error (one alone may not). The fewest VMs a
server's mailboxes need (a split) is found the same way, for every server at once, 2 to 8 VMs.
Designs with fewer than :data:`BATCH_FROM` findings of a rule verify each remedy on its own, as
before.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Protocol

from srmkit import checks
from srmkit.changes import RELATED_RULES, Candidate, Change, Remedy
from srmkit.checks import Finding
from srmkit.schema import Scenario
from srmkit.study import Study


class Reviewer(Protocol):
    """What this module needs of a :class:`srmkit.design.Design` (which imports it)."""

    scenario: Scenario

    def apply(self, change: Change) -> Study: ...

    def adds_no_error(self, variant: Study) -> bool: ...

    def _candidates(self, f: Finding) -> Iterator[Candidate]: ...

    def _setting_candidates(self, f: Finding) -> Iterator[Candidate]: ...


BATCH_FROM = 8
"""A rule's per-server findings are verified together from this many on (fewer: one by one)."""
SPLIT_RULES = ("USERS-PER-VM", "SG-PER-SERVER", "VM-VIRTUAL-DISKS")
"""Per-server rules answered by spreading the server's mailboxes over more VMs."""
PER_SERVER_RULES = (
    *SPLIT_RULES,
    "DB-PER-SG",
    "RDM-NOT-PROTECTED",
    "CLUSTERED-EXCHANGE",
    "GUEST-OS-SVVP",
    "EXCHANGE-VERSION",
)
"""Rules whose finding concerns one mailbox server, decided by that server alone."""
MOST_PARTS = 8
"""The most VMs a split spreads a server's mailboxes over (as ``Design._fewest_parts``)."""

Tried = dict[tuple[str, str | None], tuple[list[Remedy], list[str]]]


def verify(d: Reviewer, findings: Sequence[Finding]) -> Tried:
    """The remedies that work, and every change tried, for the per-server findings of each rule
    with at least :data:`BATCH_FROM` of them; the other findings are not in the result."""
    servers = {v.name for v in d.scenario.servers}
    groups: dict[str, list[Finding]] = {}
    for f in findings:
        if f.id in PER_SERVER_RULES and f.subject in servers:
            groups.setdefault(f.id, []).append(f)
    out: Tried = {}
    for rule, group in groups.items():
        if len({f.subject for f in group}) >= BATCH_FROM:
            out.update(_verify_rule(d, rule, group))
    return out


def _verify_rule(d: Reviewer, rule: str, group: Sequence[Finding]) -> Tried:
    candidates: dict[str | None, list[Candidate]] = {}
    if rule in SPLIT_RULES:
        parts = fewest_parts(d, rule, [f.subject for f in group if f.subject])
        for f in group:
            n = parts.get(f.subject or "")
            split = (
                [
                    (
                        f"spread {f.subject}'s mailboxes over {n} server VMs",
                        Change("split", f.subject or "", parts=n),
                    )
                ]
                if n
                else []
            )
            candidates[f.subject] = [*split, *d._setting_candidates(f)]
    else:
        candidates = {f.subject: list(d._candidates(f)) for f in group}
    out: Tried = {(f.id, f.subject): ([], []) for f in group}
    for slot in range(max((len(c) for c in candidates.values()), default=0)):
        members = [
            (f, candidates[f.subject][slot]) for f in group if len(candidates[f.subject]) > slot
        ]
        variant = d.apply(Change("batch", changes=tuple(change for _, (_, change) in members)))
        standing = _subjects(variant, checks_of(rule))
        adds_none = d.adds_no_error(variant)
        together = (
            ""
            if adds_none
            else f" (tried with the other {len(members) - 1:,} servers' alike: together they "
            "add an error, so it was not verified for one alone)"
        )
        for f, (text, change) in members:
            works, tried = out[(f.id, f.subject)]
            tried.append(text + together)
            if adds_none and f.subject not in standing:
                works.append(Remedy(f.id, f.subject, text, change))
    return out


def checks_of(rule: str) -> tuple[str, ...]:
    """The rules whose findings must be gone for a remedy of ``rule`` to work."""
    return RELATED_RULES.get(rule, (rule,))


def _subjects(variant: Study, rules: Iterable[str]) -> set[str | None]:
    """The subjects the rules still find in a what-if."""
    return {h.subject for rule in rules for h in checks.CHECKS[rule](variant)}


def fewest_parts(d: Reviewer, rule: str, servers: Sequence[str]) -> dict[str, int]:
    """The fewest VMs (2 to :data:`MOST_PARTS`) each server's mailboxes must be spread over to
    pass ``rule``, found for every server at once (one what-if per number of VMs); a server
    that no number passes is left out."""
    found: dict[str, int] = {}
    todo = list(servers)
    for parts in range(2, MOST_PARTS + 1):
        if not todo:
            break
        variant = d.apply(
            Change("batch", changes=tuple(Change("split", s, parts=parts) for s in todo))
        )
        standing = _subjects(variant, (rule,))
        for s in todo:
            if not standing & {s, *(f"{s}-{k}" for k in range(2, parts + 1))}:
                found[s] = parts
        todo = [s for s in todo if s not in found]
    return found


__all__ = ["BATCH_FROM", "PER_SERVER_RULES", "SPLIT_RULES", "fewest_parts", "verify"]
