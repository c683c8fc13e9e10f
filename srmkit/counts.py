"""Mirror and consistency-group counts of a design against each array's limits (MODEL.md §2, §7).

This is the simple per-server count: every LUN (DB, log, guest OS) is one mirror; with the
``per_server`` policy a server needs ``ceil(luns / max_luns_per_cg)`` consistency groups. Every
mirror and CG counts against both arrays it touches, so bi-directional designs count both
directions on each array.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from srmkit.assumptions import Assumptions
from srmkit.limits import Mode, get_model
from srmkit.schema import Scenario, Server
from srmkit.workload import storage_groups_count

LUNS_PER_STORAGE_GROUP = 2  # one database LUN and one log LUN [S0], MODEL.md §2


def storage_groups(server: Server, assumptions: Assumptions) -> int:
    """Storage groups of a server: as given, else ``ceil(users × quota × (1 + overhead) / max_db)``.

    References
    ----------
    MODEL.md §2.
    """
    if server.storage_groups is not None:
        return server.storage_groups
    return int(
        storage_groups_count(
            server.users,
            server.mailbox_quota_gib,
            assumptions.db_overhead_fraction,
            assumptions.max_db_gib,
        )
    )


def server_luns(server: Server, assumptions: Assumptions) -> int:
    """Mirrored LUNs of a server: DB + log per storage group, plus guest-OS LUNs. [count]"""
    return LUNS_PER_STORAGE_GROUP * storage_groups(server, assumptions) + server.gos_luns


def server_cgs(luns: int, max_luns_per_cg: int) -> int:
    """Consistency groups a server needs under the per-server policy (MODEL.md §7). [count]"""
    return math.ceil(luns / max_luns_per_cg)


@dataclass(frozen=True)
class CgShare:
    """One consistency group of a server: how many storage groups and guest-OS LUNs it holds."""

    storage_groups_count: int
    gos_luns_count: int

    @property
    def luns_count(self) -> int:
        """Mirrored LUNs in this group. [count]"""
        return LUNS_PER_STORAGE_GROUP * self.storage_groups_count + self.gos_luns_count


def cg_layout(sgs: int, gos_luns: int, max_luns_per_cg: int) -> list[CgShare]:
    """Split a server's LUNs into the fewest CGs, storage groups spread evenly and never split.

    Guest-OS LUNs go to the emptiest groups. With even CG limits (every catalogue model) the
    minimum ``ceil(luns / max)`` is always reachable (MODEL.md §7).
    """
    luns = LUNS_PER_STORAGE_GROUP * sgs + gos_luns
    n = server_cgs(luns, max_luns_per_cg)
    sg_counts = [sgs // n + (1 if i < sgs % n else 0) for i in range(n)]
    gos_counts = [0] * n
    for _ in range(gos_luns):
        i = min(range(n), key=lambda j: LUNS_PER_STORAGE_GROUP * sg_counts[j] + gos_counts[j])
        gos_counts[i] += 1
    return [CgShare(s, g) for s, g in zip(sg_counts, gos_counts, strict=True)]


@dataclass(frozen=True)
class ArrayUsage:
    """Mirrors and consistency groups counted on one array against its model's limits."""

    array: str
    site: str
    model: str
    mode: Mode
    mirrors_count: int
    max_mirrors_count: int
    cgs_count: int
    max_cgs_count: int
    largest_cg_luns_count: int
    max_luns_per_cg_count: int

    @property
    def mirrors_headroom_count(self) -> int:
        """Mirrors still free on this array. [count]"""
        return self.max_mirrors_count - self.mirrors_count

    @property
    def cgs_headroom_count(self) -> int:
        """Consistency groups still free on this array. [count]"""
        return self.max_cgs_count - self.cgs_count

    @property
    def fits(self) -> bool:
        """Whether every counted limit is met."""
        return (
            self.mirrors_count <= self.max_mirrors_count
            and self.cgs_count <= self.max_cgs_count
            and self.largest_cg_luns_count <= self.max_luns_per_cg_count
        )


def _server_arrays(scenario: Scenario, server: Server) -> tuple[str, str]:
    def at(site: str, named: str | None) -> str:
        return named or next(a.name for a in scenario.arrays if a.site == site)

    other = next(s.name for s in scenario.sites if s.name != server.site)
    return at(server.site, server.array), at(other, server.target_array)


def array_usage(scenario: Scenario) -> list[ArrayUsage]:
    """Count mirrors and CGs of the scenario on every array, in the scenario's array order."""
    mode = scenario.replication.mode
    models = {a.name: get_model(a.model) for a in scenario.arrays}
    # A CG spans two arrays: its size must fit the smaller of the two models' limits.
    mirrors = dict.fromkeys(models, 0)
    cgs = dict.fromkeys(models, 0)
    largest = dict.fromkeys(models, 0)
    for server in scenario.servers:
        source, target = _server_arrays(scenario, server)
        pair_limits = [models[source].limits(mode), models[target].limits(mode)]
        max_per_cg = min(lim.max_luns_per_cg for lim in pair_limits if lim is not None)
        luns = server_luns(server, scenario.assumptions)
        layout = cg_layout(
            storage_groups(server, scenario.assumptions), server.gos_luns, max_per_cg
        )
        n_cgs = len(layout)
        cg_size = max(cg.luns_count for cg in layout)
        for name in (source, target):
            mirrors[name] += luns
            cgs[name] += n_cgs
            largest[name] = max(largest[name], cg_size)
    usage = []
    for array in scenario.arrays:
        limits = models[array.name].limits(mode)
        assert limits is not None  # arrays that cannot mirror are rejected at validation
        usage.append(
            ArrayUsage(
                array=array.name,
                site=array.site,
                model=models[array.name].model,
                mode=mode,
                mirrors_count=mirrors[array.name],
                max_mirrors_count=limits.max_mirrors,
                cgs_count=cgs[array.name],
                max_cgs_count=limits.max_cgs,
                largest_cg_luns_count=largest[array.name],
                max_luns_per_cg_count=limits.max_luns_per_cg,
            )
        )
    return usage
