"""The LUN allocation the build book hands to the implementation team (Method §10, v3).

One row per LUN the design adds to each array, numbered and named:

- a mirror's two images get the same LUN number on both arrays, the same 512-byte block count
  (MirrorView needs a secondary at least as large as its primary; equal is the safe rule), the
  same storage processor letter (MirrorView paths join SP A to SP A and SP B to SP B) and the
  mirror's name;
- every consistency group is owned by one SP; the groups of each source array are spread over
  SP A and SP B balanced by capacity (:func:`owner_sps`), which the failover simulator also uses;
- then, on each array, the write intent log (MirrorView/S, one LUN per SP), the reserved LUNs
  (one per LUN the pool serves, sized from the design's reserved LUN pool), protective clones
  (one per secondary, same size and SP) and the two clone private LUNs.

Sizes are rounded up to ``lun_granule_mib``; numbers start at ``first_lun_number``.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from srmkit.names import array_lun_name, array_safe, mirror_name
from srmkit.planner import ConsistencyGroup
from srmkit.units import blocks_to_gib, gib_to_mib, mib_to_blocks, mib_to_gib

if TYPE_CHECKING:
    from srmkit.study import Study

Sp = Literal["A", "B"]
Image = Literal["primary", "secondary", "write_intent_log", "reserved", "clone", "clone_private"]
IMAGE_TEXT: dict[str, str] = {
    "primary": "primary image",
    "secondary": "secondary image",
    "write_intent_log": "write intent log",
    "reserved": "reserved LUN",
    "clone": "protective clone",
    "clone_private": "clone private LUN",
}
"""What each kind of LUN is, in words."""


def owner_sps(cgs: Iterable[ConsistencyGroup]) -> dict[str, Sp]:
    """The storage processor owning each consistency group's LUNs, on both its arrays: each
    group in plan order goes to the SP letter holding less capacity so far on its two arrays
    together (on a tie, fewer groups; then SP A), so every array's SPs stay balanced, in
    bidirectional designs too. Equal groups alternate A, B, A, …

    >>> from srmkit.planner import Mirror
    >>> def cg(name, gib, src="X", tgt="Y"):
    ...     m = Mirror("S", 1, "db", gib, name, src, tgt, "sync")
    ...     return ConsistencyGroup(name, src, tgt, (m,))
    >>> owner_sps([cg("p", 10), cg("q", 10), cg("r", 30), cg("s", 5), cg("t", 5)])
    {'p': 'A', 'q': 'B', 'r': 'A', 's': 'B', 't': 'B'}
    >>> owner_sps([cg("p", 10), cg("q", 10, "Y", "X")])
    {'p': 'A', 'q': 'B'}
    """
    gib: dict[tuple[str, str], float] = {}
    groups: Counter[tuple[str, str]] = Counter()
    out: dict[str, Sp] = {}

    def load(cg: ConsistencyGroup, sp: str) -> tuple[float, int]:
        arrays = (cg.source_array, cg.target_array)
        return (sum(gib.get((x, sp), 0.0) for x in arrays), sum(groups[(x, sp)] for x in arrays))

    for cg in cgs:
        sp: Sp = "A" if load(cg, "A") <= load(cg, "B") else "B"
        for x in (cg.source_array, cg.target_array):
            gib[(x, sp)] = gib.get((x, sp), 0.0) + cg.capacity_gib
            groups[(x, sp)] += 1
        out[cg.name] = sp
    return out


@dataclass(frozen=True)
class Lun:
    """One LUN to bind on one array."""

    array: str
    """The array, as the scenario names it."""
    lun: int
    """LUN number on the array."""
    name: str
    """LUN name (array-safe)."""
    sp: Sp
    """Default owner: storage processor A or B."""
    blocks: int
    """Size in 512-byte blocks (``bind … -sq bc``). [blocks]"""
    image: Image
    role: str = ""
    """What a mirrored LUN holds: db, log, gos, queue ("" for the array's own LUNs)."""
    server: str = ""
    storage_group: int | None = None
    mirror: str = ""
    """The mirror it is an image of ("" when none)."""
    cg: str = ""
    """The consistency group of its mirror ("" when none)."""
    peer_array: str = ""
    """The array holding the mirror's other image ("" when none)."""
    serves: str = ""
    """For a clone: the secondary LUN it copies."""

    @property
    def capacity_gib(self) -> float:
        """[GiB]"""
        return blocks_to_gib(self.blocks)


@dataclass(frozen=True)
class MirrorSpec:
    """One mirror to create: its name, group, LUN number (the same on both arrays), size and SP."""

    name: str
    cg: str
    source_array: str
    target_array: str
    lun: int
    blocks: int
    sp: Sp
    server: str
    storage_group: int | None
    role: str


@dataclass(frozen=True)
class Allocation:
    """Every LUN the design adds, on every array."""

    luns: tuple[Lun, ...]
    mirrors: tuple[MirrorSpec, ...]
    cg_sp: dict[str, Sp]
    """Owning SP of each consistency group."""

    def on(self, array: str) -> list[Lun]:
        """The LUNs of one array, by LUN number."""
        return sorted((x for x in self.luns if x.array == array), key=lambda x: x.lun)

    def of(self, array: str, *images: Image) -> list[Lun]:
        """The LUNs of one array of the given kinds, by LUN number."""
        return [x for x in self.on(array) if x.image in images]

    def counts(self, array: str) -> Counter[str]:
        """LUNs of each kind on one array. [count]"""
        return Counter(x.image for x in self.luns if x.array == array)

    def capacity_gib(self, array: str, *images: Image) -> float:
        """Capacity of one array's LUNs of the given kinds. [GiB]"""
        return sum(x.capacity_gib for x in self.of(array, *images))

    def sp_capacity_gib(self, array: str) -> dict[Sp, float]:
        """Capacity each SP owns on one array. [GiB]"""
        out: dict[Sp, float] = {"A": 0.0, "B": 0.0}
        for x in self.on(array):
            out[x.sp] += x.capacity_gib
        return out


def lun_blocks(capacity_gib: float, granule_mib: int) -> int:
    """A LUN of ``capacity_gib`` in 512-byte blocks, rounded up to whole ``granule_mib``.

    >>> lun_blocks(131.25, 1), lun_blocks(17.578125, 1), lun_blocks(0.0001, 1)
    (275251200, 36864000, 2048)
    """
    mib = gib_to_mib(capacity_gib)
    granules = max(1, math.ceil(mib / granule_mib - 1e-9))
    return mib_to_blocks(granules * granule_mib)


def _mirrors(study: Study, cg_sp: dict[str, Sp]) -> list[MirrorSpec]:
    a = study.a
    out: list[MirrorSpec] = []
    singles: Counter[tuple[str, str]] = Counter()
    for cg in study.plan.cgs:
        for m in cg.mirrors:
            if m.storage_group is None:
                singles[(m.server, m.role)] += 1
            index = singles[(m.server, m.role)]
            out.append(
                MirrorSpec(
                    mirror_name(m.server, m.role, m.storage_group, index),
                    array_safe(cg.name),
                    m.source_array,
                    m.target_array,
                    a.first_lun_number + len(out),
                    lun_blocks(m.capacity_gib, a.lun_granule_mib),
                    cg_sp[cg.name],
                    m.server,
                    m.storage_group,
                    m.role,
                )
            )
    return out


def _alternating(count: int, start: Sp = "A") -> list[Sp]:
    first: Sp = start
    second: Sp = "B" if start == "A" else "A"
    return [first if i % 2 == 0 else second for i in range(count)]


def allocate(study: Study) -> Allocation:
    """The LUN allocation of ``study``'s design today (Method §10)."""
    a = study.a
    cg_sp = owner_sps(study.plan.cgs)
    mirrors = _mirrors(study, cg_sp)
    luns: list[Lun] = []
    for m in mirrors:
        for array, peer, image in (
            (m.source_array, m.target_array, "primary"),
            (m.target_array, m.source_array, "secondary"),
        ):
            luns.append(
                Lun(
                    array,
                    m.lun,
                    m.name,
                    m.sp,
                    m.blocks,
                    image,  # type: ignore[arg-type]
                    m.role,
                    m.server,
                    m.storage_group,
                    m.name,
                    m.cg,
                    peer,
                )
            )
    next_number = a.first_lun_number + len(mirrors)
    counts = study.array_luns_at(0)
    for array in (x.name for x in study.scenario.arrays):
        count = counts.get(array)
        if count is None or not count.total:
            continue
        number = next_number
        own = [x for x in luns if x.array == array]
        extra = _infrastructure(study, array, own, count.write_intent_log, count.reserved)
        for lun in extra:
            luns.append(_numbered(lun, number))
            number += 1
    return Allocation(tuple(luns), tuple(mirrors), {array_safe(k): v for k, v in cg_sp.items()})


def _numbered(lun: Lun, number: int) -> Lun:
    from dataclasses import replace

    return replace(lun, lun=number)


def _infrastructure(
    study: Study, array: str, own: Sequence[Lun], wil: int, reserved: int
) -> list[Lun]:
    """One array's write intent log, reserved, clone and clone private LUNs (numbered later)."""
    a = study.a
    out: list[Lun] = []
    wil_blocks = lun_blocks(float(mib_to_gib(a.write_intent_log_lun_mib)), a.lun_granule_mib)
    for sp in _alternating(wil):
        out.append(
            Lun(array, 0, array_lun_name(array, f"WIL_SP{sp}"), sp, wil_blocks, "write_intent_log")
        )
    pool = study.rlp.get(array)
    if reserved and pool is not None:
        each = lun_blocks(pool.rlp_gib / reserved, a.lun_granule_mib)
        for i, sp in enumerate(_alternating(reserved), start=1):
            out.append(Lun(array, 0, array_lun_name(array, f"RL{i:04d}"), sp, each, "reserved"))
    copy = study.protective_copies.get(array)
    if copy is not None and copy.kind == "clone":
        for x in (x for x in own if x.image == "secondary"):
            out.append(
                Lun(
                    array,
                    0,
                    f"{x.name}_CL",
                    x.sp,
                    x.blocks,
                    "clone",
                    x.role,
                    x.server,
                    x.storage_group,
                    x.mirror,
                    x.cg,
                    serves=x.name,
                )
            )
        private = lun_blocks(a.clone_private_lun_gib, a.lun_granule_mib)
        for sp in _alternating(copy.private_luns):
            out.append(
                Lun(array, 0, array_lun_name(array, f"CPL_SP{sp}"), sp, private, "clone_private")
            )
    return out
