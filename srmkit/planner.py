"""Consistency-group planner and array fit (Method §7).

From each server's storage groups (one DB LUN and one log LUN each, never split) and guest-OS
LUNs, derive the mirrors and pack them into consistency groups under the chosen mode's limits:

- ``per_server`` (default): CGs never span servers (SRM fails a VM over with its CGs); a server
  gets the minimum ``ceil(luns / max_luns_per_cg)`` groups, storage groups spread evenly;
- ``packed``: CGs of one array pair may hold several servers' LUNs (fewer CGs; those servers then
  fail over together, which the checker warns about).

Every mirror and every CG counts against both arrays it touches. A plan reports use against
limit per array. The functions here are pure: :class:`srmkit.design.Design` decides which servers,
years and models to plan, and plans each combination once.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from srmkit.limits import ArrayModel, MirrorLimits, Mode, catalogue
from srmkit.schema import ConsistencyGroupSpec

LUNS_PER_STORAGE_GROUP = 2  # one database LUN and one log LUN [S0], Method §2
Role = Literal["db", "log", "gos", "queue"]
LimitId = Literal["LIMIT-MIRRORS", "LIMIT-CG-SIZE", "LIMIT-CG-COUNT"]


@dataclass(frozen=True)
class Mirror:
    """One mirrored LUN."""

    server: str
    storage_group: int | None
    """1-based storage group, None for a guest-OS or transport queue LUN."""
    role: Role
    capacity_gib: float
    cg: str
    source_array: str
    target_array: str
    mode: Mode


@dataclass(frozen=True)
class ConsistencyGroup:
    """A consistency group and its mirrors."""

    name: str
    source_array: str
    target_array: str
    mirrors: tuple[Mirror, ...]

    @property
    def servers(self) -> tuple[str, ...]:
        """Servers with LUNs in this group, in plan order."""
        return tuple(dict.fromkeys(m.server for m in self.mirrors))

    @property
    def luns(self) -> int:
        """Mirrors in this group. [count]"""
        return len(self.mirrors)

    @property
    def capacity_gib(self) -> float:
        """Capacity of its mirrors. [GiB]"""
        return sum(m.capacity_gib for m in self.mirrors)

    def storage_groups_of(self, server: str) -> int:
        """Storage groups of ``server`` in this group. [count]"""
        return sum(1 for m in self.mirrors if m.server == server and m.role == "db")


@dataclass(frozen=True)
class ArrayLoad:
    """Mirrors and CGs on one array against its model's limits for the mode."""

    array: str
    model: str
    mode: Mode
    mirrors: int
    max_mirrors: int
    cgs: int
    max_cgs: int
    largest_cg_luns: int
    max_luns_per_cg: int

    @property
    def mirrors_headroom(self) -> int:
        """Mirrors still free. [count]"""
        return self.max_mirrors - self.mirrors

    @property
    def cgs_headroom(self) -> int:
        """CGs still free. [count]"""
        return self.max_cgs - self.cgs

    @property
    def broken(self) -> list[LimitId]:
        """The limits this array exceeds."""
        out: list[LimitId] = []
        if self.mirrors > self.max_mirrors:
            out.append("LIMIT-MIRRORS")
        if self.largest_cg_luns > self.max_luns_per_cg:
            out.append("LIMIT-CG-SIZE")
        if self.cgs > self.max_cgs:
            out.append("LIMIT-CG-COUNT")
        return out

    @property
    def fits(self) -> bool:
        """Whether every limit is met."""
        return not self.broken


@dataclass(frozen=True)
class ServerLuns:
    """The LUNs of one protected VM (mailbox server or Hub Transport) at one year of growth."""

    name: str
    source_array: str
    target_array: str
    storage_groups: int
    gos_luns: int
    db_lun_gib: float
    log_lun_gib: float
    gos_lun_gib: float
    queue_luns: int = 0
    """Hub Transport queue LUNs (Method §7). [count]"""
    queue_lun_gib: float = 0.0

    @property
    def singles(self) -> int:
        """LUNs that are not part of a storage group: guest OS, then transport queue. [count]"""
        return self.gos_luns + self.queue_luns

    @property
    def luns(self) -> int:
        """Mirrors of this VM. [count]"""
        return LUNS_PER_STORAGE_GROUP * self.storage_groups + self.singles

    def single(self, index: int) -> tuple[Role, float]:
        """Role and size of the ``index``-th single LUN (0-based)."""
        if index < self.gos_luns:
            return "gos", self.gos_lun_gib
        return "queue", self.queue_lun_gib


@dataclass(frozen=True)
class Plan:
    """A consistency-group plan and its fit on the arrays."""

    mode: Mode
    policy: str
    cgs: tuple[ConsistencyGroup, ...]
    arrays: tuple[ArrayLoad, ...]
    lower_bound_cgs: int
    explicit: bool

    @property
    def mirrors(self) -> list[Mirror]:
        """Every mirror, in CG order."""
        return [m for cg in self.cgs for m in cg.mirrors]

    @property
    def feasible(self) -> bool:
        """Whether every array meets every limit."""
        return all(a.fits for a in self.arrays)

    @property
    def blocking(self) -> list[LimitId]:
        """Limits broken on any array, without repeats."""
        return list(dict.fromkeys(limit for a in self.arrays for limit in a.broken))


def cg_shares(sgs: int, gos_luns: int, max_luns_per_cg: int) -> list[tuple[int, int]]:
    """Split one VM's LUNs into the fewest CGs: (storage groups, single LUNs) per CG.

    Storage groups are spread evenly and never split; single LUNs (guest OS, transport queue)
    go to the emptiest groups.
    With even CG limits (every catalogue model) ``ceil(luns / max)`` is always reachable.
    """
    luns = LUNS_PER_STORAGE_GROUP * sgs + gos_luns
    n = max(1, math.ceil(luns / max_luns_per_cg))
    while True:  # odd limits may need one group more than the bound to keep pairs whole
        sg_counts = [sgs // n + (1 if i < sgs % n else 0) for i in range(n)]
        gos_counts = [0] * n
        for _ in range(gos_luns):
            i = min(range(n), key=lambda j: LUNS_PER_STORAGE_GROUP * sg_counts[j] + gos_counts[j])
            gos_counts[i] += 1
        sizes = [LUNS_PER_STORAGE_GROUP * s + g for s, g in zip(sg_counts, gos_counts, strict=True)]
        if max(sizes) <= max_luns_per_cg or max_luns_per_cg < LUNS_PER_STORAGE_GROUP:
            return list(zip(sg_counts, gos_counts, strict=True))
        n += 1


def _mirrors_of(
    s: ServerLuns, sg_range: Iterable[int], single_range: Iterable[int], cg: str, mode: Mode
) -> list[Mirror]:
    out = []
    for sg in sg_range:
        out.append(Mirror(s.name, sg, "db", s.db_lun_gib, cg, s.source_array, s.target_array, mode))
        out.append(
            Mirror(s.name, sg, "log", s.log_lun_gib, cg, s.source_array, s.target_array, mode)
        )
    for index in single_range:
        role, gib = s.single(index)
        out.append(Mirror(s.name, None, role, gib, cg, s.source_array, s.target_array, mode))
    return out


@dataclass(frozen=True)
class CgShape:
    """A planned consistency group before its mirrors are made: which storage groups and single
    LUNs of which VMs it holds. Counting limits needs only shapes (cheap for large designs)."""

    name: str
    source_array: str
    target_array: str
    members: tuple[tuple[ServerLuns, tuple[int, ...], tuple[int, ...]], ...]
    """(VM, its 1-based storage groups here, its 0-based single LUNs here)."""

    @property
    def luns(self) -> int:
        """Mirrors in this group. [count]"""
        return sum(LUNS_PER_STORAGE_GROUP * len(sgs) + len(ones) for _, sgs, ones in self.members)

    @property
    def servers(self) -> tuple[str, ...]:
        """VMs with LUNs in this group, in plan order."""
        return tuple(s.name for s, _, _ in self.members)

    @property
    def capacity_gib(self) -> float:
        """Capacity of its mirrors. [GiB]"""
        return sum(
            len(sgs) * (s.db_lun_gib + s.log_lun_gib) + sum(s.single(i)[1] for i in ones)
            for s, sgs, ones in self.members
        )

    def storage_groups_of(self, server: str) -> int:
        """Storage groups of ``server`` in this group. [count]"""
        return sum(len(sgs) for s, sgs, _ in self.members if s.name == server)

    def build(self, mode: Mode) -> ConsistencyGroup:
        """The consistency group with its mirrors."""
        mirrors: list[Mirror] = []
        for s, sgs, ones in self.members:
            mirrors += _mirrors_of(s, sgs, ones, self.name, mode)
        return ConsistencyGroup(self.name, self.source_array, self.target_array, tuple(mirrors))


def layout(
    servers: Sequence[ServerLuns],
    max_luns_per_cg: dict[tuple[str, str], int],
    policy: str = "per_server",
) -> list[CgShape]:
    """Lay servers' LUNs out in consistency groups under the per-CG limit of each array pair.

    ``per_server``: each server's storage groups spread evenly over its fewest CGs, single LUNs
    in the emptiest; ``packed``: per array pair, storage groups first (pairs fill even limits
    exactly), then single LUNs.
    """
    shapes: list[CgShape] = []
    if policy == "per_server":
        for s in servers:
            limit = max_luns_per_cg[(s.source_array, s.target_array)]
            sg_next, one_next = 1, 0
            for i, (n_sg, n_one) in enumerate(cg_shares(s.storage_groups, s.singles, limit), 1):
                member = (
                    s,
                    tuple(range(sg_next, sg_next + n_sg)),
                    tuple(range(one_next, one_next + n_one)),
                )
                sg_next, one_next = sg_next + n_sg, one_next + n_one
                shapes.append(
                    CgShape(f"CG_{s.name}_{i}", s.source_array, s.target_array, (member,))
                )
        return shapes
    pairs = list(dict.fromkeys((s.source_array, s.target_array) for s in servers))
    for n_pair, pair in enumerate(pairs, 1):
        limit = max_luns_per_cg[pair]
        members = [s for s in servers if (s.source_array, s.target_array) == pair]
        units: list[tuple[ServerLuns, int]] = [
            (s, sg) for s in members for sg in range(1, s.storage_groups + 1)
        ]
        units += [(s, -1 - i) for s in members for i in range(s.singles)]
        groups: list[list[tuple[ServerLuns, int]]] = [[]]
        used = 0
        for s, unit in units:  # a storage group (1, 2, …) or a single LUN (-1, -2, …)
            size = LUNS_PER_STORAGE_GROUP if unit > 0 else 1
            if used + size > limit and groups[-1]:
                groups.append([])
                used = 0
            groups[-1].append((s, unit))
            used += size
        prefix = f"CG_PACKED_{n_pair}" if len(pairs) > 1 else "CG_PACKED"
        for i, group in enumerate(g for g in groups if g):
            by_vm: dict[str, tuple[ServerLuns, list[int], list[int]]] = {}
            for s, unit in group:
                entry = by_vm.setdefault(s.name, (s, [], []))
                (entry[1] if unit > 0 else entry[2]).append(unit if unit > 0 else -1 - unit)
            shapes.append(
                CgShape(
                    f"{prefix}_{i + 1}",
                    pair[0],
                    pair[1],
                    tuple((s, tuple(sgs), tuple(ones)) for s, sgs, ones in by_vm.values()),
                )
            )
    return shapes


def pack(
    servers: Sequence[ServerLuns],
    mode: Mode,
    max_luns_per_cg: dict[tuple[str, str], int],
    policy: str = "per_server",
) -> list[ConsistencyGroup]:
    """Pack servers' LUNs into consistency groups under the per-CG limit of each array pair."""
    return [shape.build(mode) for shape in layout(servers, max_luns_per_cg, policy)]


def lower_bound_cgs(
    servers: Sequence[ServerLuns], max_luns_per_cg: dict[tuple[str, str], int], policy: str
) -> int:
    """The fewest CGs any plan can have under the policy. [count]"""
    if policy == "per_server":  # ceil(luns / max) with even limits; one more if odd needs it
        return sum(
            len(
                cg_shares(
                    s.storage_groups, s.singles, max_luns_per_cg[(s.source_array, s.target_array)]
                )
            )
            for s in servers
        )
    totals: dict[tuple[str, str], int] = {}
    for s in servers:
        totals[(s.source_array, s.target_array)] = (
            totals.get((s.source_array, s.target_array), 0) + s.luns
        )
    return sum(math.ceil(n / max_luns_per_cg[p]) for p, n in totals.items())


def array_loads(
    cgs: Sequence[ConsistencyGroup | CgShape],
    arrays: Sequence[tuple[str, ArrayModel]],
    mode: Mode,
) -> list[ArrayLoad]:
    """Count every mirror and CG against both arrays it touches."""
    sizes = [(cg.source_array, cg.target_array, cg.luns) for cg in cgs]
    out = []
    for name, model in arrays:
        limits = model.limits(mode)
        lim = limits if limits is not None else MirrorLimits(0, 0, 0)
        touching = [n for source, target, n in sizes if name in (source, target)]
        out.append(
            ArrayLoad(
                array=name,
                model=model.model,
                mode=mode,
                mirrors=sum(touching),
                max_mirrors=lim.max_mirrors,
                cgs=len(touching),
                max_cgs=lim.max_cgs,
                largest_cg_luns=max(touching, default=0),
                max_luns_per_cg=lim.max_luns_per_cg,
            )
        )
    return out


# --- one plan --------------------------------------------------------------------------------


def pair_limits(
    servers: Sequence[ServerLuns], models: Mapping[str, ArrayModel], mode: Mode
) -> dict[tuple[str, str], int]:
    """The CG size limit of each (source, target) array pair: the smaller of the two models'."""
    out = {}
    for s in servers:
        lims = [models[x].limits(mode) for x in (s.source_array, s.target_array)]
        out[(s.source_array, s.target_array)] = min(
            (lim.max_luns_per_cg for lim in lims if lim is not None), default=1
        )
    return out


def explicit_layout(
    specs: Sequence[ConsistencyGroupSpec], servers: Sequence[ServerLuns], mode: Mode
) -> list[ConsistencyGroup]:
    """The user's own CG layout (``replication.consistency_groups``), as mirrors."""
    by_name = {s.name: s for s in servers}
    cgs = []
    for spec in specs:
        mirrors: list[Mirror] = []
        for member in spec.members:
            s = by_name[member.server]
            singles = [*range(member.gos_luns), *range(s.gos_luns, s.gos_luns + member.queue_luns)]
            mirrors += _mirrors_of(s, member.storage_groups, singles, spec.name, mode)
        first = by_name[spec.members[0].server]
        cgs.append(
            ConsistencyGroup(spec.name, first.source_array, first.target_array, tuple(mirrors))
        )
    return cgs


def plan(
    servers: Sequence[ServerLuns],
    models: Mapping[str, ArrayModel],
    mode: Mode,
    policy: str,
    explicit: Sequence[ConsistencyGroupSpec] | None = None,
) -> Plan:
    """Plan the servers' CGs (or lay out an explicit list) and count them against every array.

    ``models`` maps every array name, in scenario order, to its model.
    """
    limits = pair_limits(servers, models, mode)
    cgs = (
        explicit_layout(explicit, servers, mode)
        if explicit
        else [shape.build(mode) for shape in layout(servers, limits, policy)]
    )
    return Plan(
        mode=mode,
        policy=policy,
        cgs=tuple(cgs),
        arrays=tuple(array_loads(cgs, list(models.items()), mode)),
        lower_bound_cgs=lower_bound_cgs(servers, limits, policy),
        explicit=bool(explicit),
    )


def shapes(
    servers: Sequence[ServerLuns], models: Mapping[str, ArrayModel], mode: Mode, policy: str
) -> list[CgShape]:
    """The CG layout of the servers on these models, without mirrors (cheap to count)."""
    return layout(servers, pair_limits(servers, models, mode), policy)


def loads(
    servers: Sequence[ServerLuns], models: Mapping[str, ArrayModel], mode: Mode, policy: str
) -> tuple[ArrayLoad, ...]:
    """Each array's mirrors and CGs against its limits, from the CG layout alone (no mirrors
    are made: this is how growth years and what-if models are counted)."""
    return tuple(array_loads(shapes(servers, models, mode, policy), list(models.items()), mode))


def counted_loads(
    servers: Sequence[ServerLuns], models: Mapping[str, ArrayModel], mode: Mode, policy: str
) -> tuple[ArrayLoad, ...]:
    """Array loads from counts alone, for designs far beyond every array: exact mirrors, the
    fewest CGs the policy allows, the largest CG at the pair's limit (or smaller)."""
    limits = pair_limits(servers, models, mode)
    out = []
    for name, model in models.items():
        lim = model.limits(mode) or MirrorLimits(0, 0, 0)
        mine = [s for s in servers if name in (s.source_array, s.target_array)]
        if policy == "per_server":
            fewest = sum(math.ceil(s.luns / limits[(s.source_array, s.target_array)]) for s in mine)
        else:
            fewest = lower_bound_cgs(mine, limits, policy)
        largest = max(
            (min(s.luns, limits[(s.source_array, s.target_array)]) for s in mine), default=0
        )
        out.append(
            ArrayLoad(
                array=name,
                model=model.model,
                mode=mode,
                mirrors=sum(s.luns for s in mine),
                max_mirrors=lim.max_mirrors,
                cgs=fewest,
                max_cgs=lim.max_cgs,
                largest_cg_luns=largest,
                max_luns_per_cg=lim.max_luns_per_cg,
            )
        )
    return tuple(out)


# --- quick what-if (srmkit calc cgs) -------------------------------------------------------


def what_if(
    servers: int,
    sgs_per_server: int,
    gos_luns_per_server: int,
    mode: Mode,
    model: str | None = None,
) -> dict[str, object]:
    """CG count and model fit for N identical servers on one array pair, per-server policy."""
    luns = LUNS_PER_STORAGE_GROUP * sgs_per_server + gos_luns_per_server
    rows = []
    for m in catalogue():
        lim = m.limits(mode)
        if lim is None:
            rows.append({"model": m.model, "fits": False, "blocking_limit": "MODEL-NO-MIRRORVIEW"})
            continue
        cgs_each = math.ceil(luns / lim.max_luns_per_cg)
        if servers * luns > lim.max_mirrors:
            blocking: str | None = "LIMIT-MIRRORS"
        elif servers * cgs_each > lim.max_cgs:
            blocking = "LIMIT-CG-COUNT"
        else:
            blocking = None
        rows.append(
            {
                "model": m.model,
                "fits": blocking is None,
                "blocking_limit": blocking,
                "cgs_per_server": cgs_each,
                "total_cgs": servers * cgs_each,
                "max_mirrors": lim.max_mirrors,
                "max_cgs": lim.max_cgs,
                "max_luns_per_cg": lim.max_luns_per_cg,
            }
        )
    recommended = next((r["model"] for r in rows if r["fits"]), None)
    chosen = model or recommended
    chosen_row = next((r for r in rows if r["model"] == chosen), None)
    cgs_per_server = chosen_row.get("cgs_per_server") if chosen_row else None
    return {
        "mode": mode,
        "luns_per_server": luns,
        "cgs_per_server": cgs_per_server,
        "total_cgs": servers * cgs_per_server if isinstance(cgs_per_server, int) else None,
        "total_mirrors": servers * luns,
        "model": chosen,
        "models": rows,
        "recommended_model": recommended,
    }
