"""The failover state model as data: one table of transitions, ``(state, action) → next``.

``srmkit/data/transitions.csv`` holds every transition of five machines:

- ``image``: the secondary image of a consistency group, as Navisphere shows it, a *state*
  (Synchronized, Consistent, Synchronizing, Out-of-Sync, Rolling back) and a *condition* (Normal,
  Administratively fractured, System fractured, Waiting on admin, Queued to be synchronized),
  plus ``primary/local_only`` once promoted (FACTS §1.1–§1.6, §2); all members of a consistency
  group share its state (they fracture and synchronise together);
- ``link`` (up, down), ``site`` (up, down), ``sp`` (a storage processor: ok, failed);
- ``plan``: an SRM protection group and its recovery plan (protected, testing, recovering,
  recovered, failing back, failed back; FACTS §5).

A row applies when all of its *guards* hold (words such as ``sync``, ``policy_manual``,
``wil_on``, ``primary_lost``, evaluated by the simulator); the first such row wins. A row with no
next state is a refusal with its reason. An action with no row for a state is refused too, and
the refusal lists the actions allowed there: an illegal action is an answer, never an exception.
``srmkit/data/image_states.csv`` describes each image state (usable for a recovery, protected,
its place in the state diagram).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Literal

Machine = Literal["image", "link", "site", "sp", "plan"]
MACHINES: tuple[Machine, ...] = ("image", "link", "site", "sp", "plan")
MACHINE_NAMES: dict[str, str] = {
    "image": "Secondary image of a consistency group",
    "link": "Replication link",
    "site": "Site",
    "sp": "Storage processor",
    "plan": "SRM protection group and recovery plan",
}
ACTION_NAMES: dict[str, str] = {
    "quiesce": "no write for the quiesce threshold",
    "write": "write to the primary",
    "update_start": "MirrorView/A update starts",
    "update_end": "MirrorView/A update completes",
    "unreachable": "the other array unreachable past the fracture timeout",
    "reachable": "the other array reachable again",
    "rollback_done": "rollback to the gold copy completes",
    "admin_fracture": "administrative fracture",
    "admin_sync": "administrative synchronisation",
    "sync_start": "synchronisation starts",
    "sync_done": "synchronisation completes",
    "promote": "promote",
    "clone": "clone the secondary",
    "recover_from_clone": "recover from the clone",
    "sp_failure": "storage processor fails",
    "sp_restore": "storage processor restored",
    "reverse_mirrors": "reverse the mirrors",
    "recreate_secondary": "re-create the secondary on the rebuilt site",
    "link_down": "link lost",
    "link_up": "link restored",
    "site_failure": "site lost",
    "site_restore": "site restored",
    "rebuild_site": "site rebuilt",
    "srm_test_start": "SRM test starts",
    "srm_test_continue": "SRM test: Continue (clean-up)",
    "run_recovery_plan": "run the recovery plan",
    "plan_done": "plan finishes",
    "run_failback_plan": "run the failback plan",
    "reprotect": "re-create the forward mirrors and plan",
    "shutdown_vms": "shut the protected VMs down",
    "unmount_datastores": "unmount the protected datastores",
    "final_update": "final MirrorView/A update",
    "copy_done": "protective copy taken",
    "sp_path_failure": "storage processor's mirror path lost",
    "sp_path_restore": "storage processor's mirror path restored",
    "rlp_full": "reserved LUN pool full",
}
PLAN_STATE_NAMES: dict[str, str] = {
    "protected": "Protected",
    "testing": "Test running",
    "recovering": "Recovery plan running",
    "recovered": "Recovered",
    "failing_back": "Failback plan running",
    "failed_back": "Failed back",
}


@dataclass(frozen=True)
class Transition:
    """One row of the table."""

    machine: str
    state: str
    action: str
    guards: tuple[str, ...]
    next: str | None
    """None: the action is refused in this state, for ``reason``."""
    effect: str
    reason: str
    source: str


@dataclass(frozen=True)
class ImageState:
    """One state of a secondary image: Navisphere's state and condition, and what it means."""

    key: str
    state: str
    condition: str
    usable: bool
    """A recovery can use it (promote, or roll back to the gold copy and promote)."""
    protected: bool
    """The primary's data has a current consistent remote copy and replication runs."""
    x: float
    y: float
    meaning: str

    @property
    def label(self) -> str:
        """``Consistent · System fractured``."""
        return f"{self.state} · {self.condition}"


@dataclass(frozen=True)
class Outcome:
    """What an action does in a state: the next state, or a refusal with the allowed actions."""

    ok: bool
    state: str
    """The next state (the same state when refused)."""
    effect: str
    reason: str
    source: str
    allowed: tuple[str, ...] = ()
    """When refused: the actions allowed in this state."""


def _read(name: str) -> list[dict[str, str]]:
    with resources.files("srmkit.data").joinpath(name).open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


@cache
def transitions() -> tuple[Transition, ...]:
    """Every row of ``transitions.csv``, in order."""
    return tuple(
        Transition(
            machine=row["machine"],
            state=row["state"],
            action=row["action"],
            guards=tuple(row["guard"].split()),
            next=row["next"] or None,
            effect=row["effect"],
            reason=row["reason"],
            source=row["source"],
        )
        for row in _read("transitions.csv")
    )


@cache
def image_states() -> dict[str, ImageState]:
    """Every image state by key, in the order of ``image_states.csv``."""
    return {
        row["key"]: ImageState(
            key=row["key"],
            state=row["state"],
            condition=row["condition"],
            usable=row["usable"] == "true",
            protected=row["protected"] == "true",
            x=float(row["x"]),
            y=float(row["y"]),
            meaning=row["meaning"],
        )
        for row in _read("image_states.csv")
    }


@cache
def _index() -> dict[tuple[str, str, str], tuple[Transition, ...]]:
    out: dict[tuple[str, str, str], list[Transition]] = {}
    for t in transitions():
        out.setdefault((t.machine, t.state, t.action), []).append(t)
    return {k: tuple(v) for k, v in out.items()}


@cache
def states(machine: str) -> tuple[str, ...]:
    """The states of a machine, in the order they first appear in the table."""
    seen: dict[str, None] = {}
    for t in transitions():
        if t.machine == machine:
            seen.setdefault(t.state)
            if t.next:
                seen.setdefault(t.next)
    return tuple(seen)


@cache
def allowed(machine: str, state: str) -> tuple[str, ...]:
    """Actions that can succeed in ``state`` (under some guard)."""
    return tuple(
        dict.fromkeys(
            t.action for t in transitions() if t.machine == machine and t.state == state and t.next
        )
    )


def step(machine: str, state: str, action: str, guards: frozenset[str]) -> Outcome:
    """Apply ``action`` in ``state``: the first row whose guards all hold; else a refusal.

    >>> step("link", "up", "link_down", frozenset()).state
    'down'
    >>> refused = step("image", "synchronizing/synchronizing", "promote", frozenset({"sync"}))
    >>> refused.ok, refused.allowed
    (False, ('sync_done', 'unreachable', 'admin_fracture', 'recover_from_clone'))
    """
    for t in _index().get((machine, state, action), ()):
        if all(g in guards for g in t.guards):
            if t.next is None:
                return Outcome(False, state, "", t.reason, t.source, allowed(machine, state))
            return Outcome(True, t.next, t.effect, t.reason, t.source)
    name = ACTION_NAMES.get(action, action)
    return Outcome(
        False,
        state,
        "",
        f"'{name}' is not possible in this state",
        "",
        allowed(machine, state),
    )


def state_label(machine: str, state: str) -> str:
    """A state as a reader knows it: ``Consistent · Waiting on admin``, ``Protected``, ``down``."""
    if machine == "image":
        return image_states()[state].label
    if machine == "plan":
        return PLAN_STATE_NAMES.get(state, state)
    return state


def markdown() -> str:
    """The table as Markdown, one section per machine."""
    lines = ["# srmkit failover state model", ""]
    for machine in MACHINES:
        lines += [f"## {MACHINE_NAMES[machine]}", ""]
        lines += [
            "| state | action | when | next state | why | source |",
            "|---|---|---|---|---|---|",
        ]
        for t in transitions():
            if t.machine != machine:
                continue
            nxt = state_label(machine, t.next) if t.next else "refused"
            when = " and ".join(t.guards).replace("_", " ")
            reason = t.reason.replace("|", "/")
            lines.append(
                f"| {state_label(machine, t.state)} | {ACTION_NAMES.get(t.action, t.action)} | "
                f"{when} | {nxt} | {reason} | {t.source} |"
            )
        lines.append("")
    return "\n".join(lines)


def _mermaid_id(state: str) -> str:
    return state.replace("/", "__")


def mermaid() -> str:
    """The table as Mermaid state diagrams (refusals and self-loops left out), one per machine."""
    blocks = []
    for machine in MACHINES:
        lines = ["stateDiagram-v2", f"    %% {MACHINE_NAMES[machine]}"]
        for state in states(machine):
            lines.append(f'    state "{state_label(machine, state)}" as {_mermaid_id(state)}')
        edges: dict[tuple[str, str], list[str]] = {}
        for t in transitions():
            if t.machine == machine and t.next and t.next != t.state:
                label = ACTION_NAMES.get(t.action, t.action)
                if t.guards:
                    label += f" [{' '.join(t.guards)}]"
                edges.setdefault((t.state, t.next), []).append(label)
        for (a, b), labels in edges.items():
            lines.append(f"    {_mermaid_id(a)} --> {_mermaid_id(b)}: {'; '.join(labels)}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


def check_table() -> list[str]:
    """Problems in the table itself (used by the tests): unknown image states, duplicate rows."""
    problems = []
    known = image_states()
    seen: set[tuple[str, str, str, tuple[str, ...]]] = set()
    for t in transitions():
        key = (t.machine, t.state, t.action, t.guards)
        if key in seen:
            problems.append(f"duplicate row {key}")
        seen.add(key)
        if t.machine == "image":
            for s in (t.state, t.next):
                if s is not None and s not in known:
                    problems.append(f"unknown image state {s!r}")
        if t.machine not in MACHINES:
            problems.append(f"unknown machine {t.machine!r}")
        if t.action not in ACTION_NAMES:
            problems.append(f"action {t.action!r} has no name")
    return problems
