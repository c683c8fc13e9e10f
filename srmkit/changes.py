"""Changes to a scenario as data: the what-ifs a remedy is verified on (Method §7).

:class:`Change` says what to change (a section's fields, an item's, array models, the mirroring
mode, a server split over more VMs, more array pairs, assumptions, or a batch of per-item
changes at once); :func:`transform` applies the scenario-level ones. :class:`Remedy` is a change
that was shown to make a finding pass. The rules an array-limit remedy must clear together are
here too, for :mod:`srmkit.design` and :mod:`srmkit.remedy_batch`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from srmkit.schema import Scenario

LIMIT_RULES = ("LIMIT-MIRRORS", "LIMIT-CG-SIZE", "LIMIT-CG-COUNT", "LIMIT-GROWTH")
RELATED_RULES = dict.fromkeys(LIMIT_RULES, LIMIT_RULES)
"""An array limit broken today or later is one problem: its remedy must clear all four."""

ChangeKind = Literal[
    "section", "items", "models", "mode", "split", "array_pairs", "assumptions", "batch"
]


@dataclass(frozen=True)
class Change:
    """A change to a scenario, as data (a remedy's what-if).

    - ``section``: set ``values`` in the section ``target`` (link, replication);
    - ``items``: set ``values`` in the item named ``match`` (``*``: every item) of the list
      ``target`` (servers, sites);
    - ``models``: replace array models, ``values`` = (array, model name) pairs;
    - ``mode``: mirror in mode ``target`` (sync or async);
    - ``split``: spread server ``target``'s mailboxes evenly over ``parts`` VMs, the new ones
      named ``<server>-2``, ``<server>-3``, …;
    - ``array_pairs``: spread each site's servers over ``parts`` array pairs of the same models
      (the k-th pair's arrays are ``<array>-k``), in scenario order;
    - ``assumptions``: override assumptions with ``values``;
    - ``batch``: the per-item and split ``changes`` all at once (remedies verified together,
      :mod:`srmkit.remedy_batch`).
    """

    kind: ChangeKind
    target: str = ""
    match: str = ""
    values: tuple[tuple[str, Any], ...] = ()
    parts: int = 0
    changes: tuple[Change, ...] = ()


@dataclass(frozen=True)
class Remedy:
    """A change that, applied to the design and re-planned, makes a finding pass."""

    rule_id: str
    subject: str | None
    text: str
    change: Change


Candidate = tuple[str, Change]


def section(name: str, **values: Any) -> Change:
    """Set ``values`` in the scenario section ``name``."""
    return Change("section", name, values=tuple(values.items()))


def items(name: str, match: str, **values: Any) -> Change:
    """Set ``values`` in the item ``match`` (``*``: every item) of the list ``name``."""
    return Change("items", name, match, tuple(values.items()))


def transform(change: Change, s: Scenario) -> Scenario:
    """Apply a scenario-level change (sections, items, split, second pair, assumptions)."""
    values = dict(change.values)
    if change.kind == "section":
        section = getattr(s, change.target).model_copy(update=values)
        return s.model_copy(update={change.target: section})
    if change.kind == "items":
        items = [
            i.model_copy(update=values) if change.match in ("*", i.name) else i
            for i in getattr(s, change.target)
        ]
        return s.model_copy(update={change.target: items})
    if change.kind == "assumptions":
        return s.model_copy(update={"assumptions": dataclasses.replace(s.assumptions, **values)})
    if change.kind == "split":
        return _split(s, {change.target: change.parts})
    if change.kind == "array_pairs":
        return _array_pairs(s, change.parts)
    if change.kind == "batch":
        return _batch(s, change.changes)
    raise ValueError(f"not a scenario-level change: {change.kind}")


def _batch(s: Scenario, changes: Sequence[Change]) -> Scenario:
    """Per-item changes (one item each) and splits applied in one pass over each list: a
    batch of n servers' changes costs one pass, not n."""
    per: dict[str, dict[str, dict[str, Any]]] = {}
    splits: dict[str, int] = {}
    for c in changes:
        if c.kind == "items" and c.match != "*":
            per.setdefault(c.target, {}).setdefault(c.match, {}).update(dict(c.values))
        elif c.kind == "split":
            splits[c.target] = c.parts
        else:
            raise ValueError(f"not a change of one item: {c.kind}")
    for target, values in per.items():
        items = [
            i.model_copy(update=values[i.name]) if i.name in values else i
            for i in getattr(s, target)
        ]
        s = s.model_copy(update={target: items})
    return _split(s, splits) if splits else s


def _split(s: Scenario, parts_of: dict[str, int]) -> Scenario:
    """Spread each named server's mailboxes evenly over its number of VMs at its site."""
    out = []
    for v in s.servers:
        parts = parts_of.get(v.name)
        if parts is None:
            out.append(v)
            continue
        for k in range(parts):
            users = v.users // parts + (1 if k < v.users % parts else 0)
            sgs = None if v.storage_groups is None else max(1, v.storage_groups // parts)
            name = v.name if k == 0 else f"{v.name}-{k + 1}"
            out.append(v.model_copy(update={"name": name, "users": users, "storage_groups": sgs}))
    return s.model_copy(update={"servers": out})


def pair_split(s: Scenario, pairs: int) -> dict[str, int]:
    """Which array pair (0-based) each server goes to: each site's servers in scenario order,
    in ``pairs`` runs as even as possible."""
    out: dict[str, int] = {}
    for site in s.sites:
        mine = [v.name for v in s.servers if v.site == site.name]
        for k, name in enumerate(mine):
            out[name] = k * pairs // max(len(mine), 1)
    return out


def _array_pairs(s: Scenario, pairs: int) -> Scenario:
    """``pairs`` array pairs of the same models, each site's servers spread over them; every
    server then names its arrays, as a site with several arrays requires."""
    arrays = list(s.arrays)
    names: dict[tuple[str, int], str] = {}
    for a in s.arrays:
        names.setdefault((a.site, 0), a.name)
        for k in range(1, pairs):
            twin = a.model_copy(update={"name": f"{a.name}-{k + 1}"})
            names.setdefault((a.site, k), twin.name)
            arrays.append(twin)
    split = pair_split(s, pairs)
    servers = []
    for v in s.servers:
        other = next(x.name for x in s.sites if x.name != v.site)
        k = split[v.name]
        servers.append(
            v.model_copy(
                update={
                    "array": v.array if k == 0 and v.array else names[(v.site, k)],
                    "target_array": v.target_array
                    if k == 0 and v.target_array
                    else names[(other, k)],
                }
            )
        )
    return s.model_copy(update={"arrays": arrays, "servers": servers})
