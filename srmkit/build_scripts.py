"""The naviseccli scripts of the build book (Method §10, v3): per array, a POSIX shell script and
a Windows batch file that create what the design adds to the array. srmkit writes them and never
runs them.

Each script runs one *phase* named on its command line, and each phase runs on every array of the
design before the next begins (:data:`PHASES`):

1. ``prepare``: bind and name every LUN of the allocation (:mod:`srmkit.luns`), enable the
   MirrorView connection to each peer array, allocate the write intent log (MirrorView/S), fill
   the reserved LUN pool and allocate the clone private LUNs;
2. ``mirrors``: create each mirror whose primary image is on the array and add its secondary image
   on the peer (whose LUN ``prepare`` bound), with the design's recovery policy and
   synchronisation rate; with ``-nosync`` when the design seeds the mirrors;
3. ``groups``: once every secondary image is Synchronized or Consistent, create the consistency
   groups and add their mirrors, and on a recovery array the protective clones. The groups come
   after the initial synchronisation because a mirror joins a group as a synchronised pair (the
   OpenStack VNX driver also waits for each new mirror to synchronise before it groups it).

Every command comes from the table of command forms (:mod:`srmkit.commands`) with its source.
What the design does not hold (SP addresses, RAID groups or pools, RAID types) comes from
environment variables named after the array (``AMS_CX4_SPA``, ``AMS_CX4_DB_RAID_GROUP``), so one
environment serves every script and a script never talks to the wrong array; each script checks
the ones its phase needs, and their characters, before it runs anything. Names reach a script
only when they are array-safe (:mod:`srmkit.names`); no free text of the scenario (customer,
notes, site names as written) does, and every variable expansion is quoted. ``DRY_RUN=1`` prints
the commands without running them.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from srmkit.commands import Command, command, forms
from srmkit.luns import Allocation, Lun, MirrorSpec, allocate
from srmkit.names import array_safe, clone_group_name, is_array_safe

if TYPE_CHECKING:
    from srmkit.design import Design

Phase = Literal["prepare", "mirrors", "groups"]
PHASES: tuple[tuple[Phase, str], ...] = (
    (
        "prepare",
        "bind and name the LUNs, enable the MirrorView connection, allocate the write intent "
        "log and the clone private LUNs, fill the reserved LUN pool",
    ),
    (
        "mirrors",
        "create the mirrors whose primary images are on the array and add their secondary images",
    ),
    (
        "groups",
        "when every secondary image is Synchronized or Consistent: create the consistency "
        "groups, add their mirrors, and create the protective clones",
    ),
)
"""The phases of every script, in the order they run across all arrays."""

Kind = Literal["address", "raid_group", "raid_type", "pool"]
RAID_TYPES = ("r1", "r1_0", "r5", "r6")
"""RAID types ``bind`` accepts for a RAID group of data LUNs (no RAID 0, no hot spare)."""
POOL_FLARE = 30
"""First FLARE release whose LUNs srmkit creates in a storage pool (``lun -create``) rather than
binds in a RAID group. [release]"""
RESERVED_PER_COMMAND = 32
"""Reserved LUNs added to the pool by one command (a short command line in either shell)."""
ROLE_KEYS: dict[str, str] = {
    "db": "DB",
    "log": "LOG",
    "gos": "OS",
    "queue": "QUEUE",
    "write_intent_log": "WIL",
    "reserved": "RESERVED",
    "clone": "CLONE",
    "clone_private": "CLONE_PRIVATE",
}
"""The RAID group (or pool) variable of each kind of LUN: a storage group's database and log LUNs
on separate spindles [FACTS §4.3], the array's own LUNs apart from both."""
ROLE_TEXT: dict[str, str] = {
    "DB": "database LUNs",
    "LOG": "log LUNs",
    "OS": "guest-OS LUNs",
    "QUEUE": "transport queue LUNs",
    "WIL": "write intent log LUNs",
    "RESERVED": "reserved LUNs",
    "CLONE": "protective clones",
    "CLONE_PRIVATE": "clone private LUNs",
}
WINDOWS_DEVICES = frozenset(
    ["CON", "PRN", "AUX", "NUL"]
    + [f"COM{i}" for i in range(1, 10)]
    + [f"LPT{i}" for i in range(1, 10)]
)
"""File names Windows reserves for devices (``CON.cmd`` cannot be written or run)."""

_TEXT = re.compile(r"[A-Za-z0-9 _.,;:()\[\]/+=-]*")
"""What a comment or message of either script may hold: no quote, %, !, ^, &, |, < or >."""
_SH_LINE = re.compile(r'[A-Za-z0-9 _."${}-]*')
_CMD_LINE = re.compile(r'[A-Za-z0-9 _."%-]*')


@dataclass(frozen=True)
class Variable:
    """An environment variable a script needs: what the design does not hold."""

    name: str
    """Its name, e.g. ``AMS_CX4_SPA``."""
    kind: Kind
    what: str
    """What to set it to, in words (array-safe names only)."""
    placeholder: str
    """How the commands of the book show it, e.g. ``<AMS-CX4 SP A>``."""
    phases: tuple[Phase, ...]
    """The phases that use it."""


@dataclass(frozen=True)
class ArrayScript:
    """The naviseccli script of one array, as shell, batch file and commands."""

    array: str
    """The array, as the scenario names it."""
    file_stem: str
    """The files' name without extension (array-safe, and a name Windows accepts)."""
    sh: str
    """The POSIX shell script (LF line ends)."""
    cmd: str
    """The Windows batch file (CRLF line ends)."""
    commands: tuple[Command, ...]
    """Every command the script runs, phase after phase, with the variables shown as
    placeholders (:attr:`Variable.placeholder`)."""
    phases: dict[Phase, tuple[Command, ...]]
    """The commands of each phase."""
    variables: tuple[Variable, ...]
    """The environment variables it needs."""


def identifier(array: str) -> str:
    """The prefix of an array's variables: its array-safe name in capitals, ``-`` as ``_``.

    >>> identifier("AMS-CX4"), identifier("ams.cx4"), identifier("7-CX4")
    ('AMS_CX4', 'AMS_CX4', 'ARRAY_7_CX4')
    """
    ident = array_safe(array).upper().replace("-", "_")
    return ident if ident[0].isalpha() else f"ARRAY_{ident}"


def file_stem(array: str) -> str:
    """The script files' name: the array-safe name, with ``_`` added to a Windows device name.

    >>> file_stem("AMS-CX4"), file_stem("aux"), file_stem("ams.cx4")
    ('AMS-CX4', 'aux_', 'ams_cx4')
    """
    safe = array_safe(array)
    return f"{safe}_" if safe.upper() in WINDOWS_DEVICES else safe


def command_words(template: str) -> str:
    """A command form as a reader names it: its command and options, without values.

    >>> command_words('naviseccli -h "{sp}" mirror -sync -allocatelog -spA {lun_a} -spB {lun_b} -o')
    'mirror -sync -allocatelog'
    >>> command_words('naviseccli -h "{sp}" bind {raid_type} {lun} -rg {rg} -cap {blocks} -sq bc')
    'bind'
    """
    words = template.split()[3:]
    out: list[str] = []
    for w in words:
        if "{" in w or '"' in w or (out and not w.startswith("-")):
            break
        out.append(w)
        if len(out) > 1 and out[-1].startswith("-") and out[-2].startswith("-"):
            break
    return " ".join(out)


def _text(value: str) -> str:
    """A comment or message: refused unless every character is harmless in both shells."""
    if not _TEXT.fullmatch(value):
        raise ValueError(f"{value!r} holds a character a script comment cannot carry")
    return value


def _safe(name: str) -> str:
    """A name the array gets: refused unless array-safe."""
    if not is_array_safe(name):
        raise ValueError(
            f"{name!r} is not an array-safe name (letters, digits, _ and -, at most 64)"
        )
    return name


@dataclass
class _Item:
    comment: str = ""
    command: Command | None = None


@dataclass
class _Script:
    """One array's script while it is written."""

    array: str
    prefixes: dict[str, str]
    """Variable prefix of each array of the design."""
    safe: dict[str, str]
    """Array-safe name of each array of the design."""
    variables: dict[str, Variable] = field(default_factory=dict)
    items: dict[Phase, list[_Item]] = field(
        default_factory=lambda: {phase: [] for phase, _ in PHASES}
    )
    phase: Phase = "prepare"

    def variable(self, name: str, kind: Kind, what: str, placeholder: str) -> str:
        """The placeholder of a variable this phase uses (registered on first use)."""
        known = self.variables.get(name)
        phases = (known.phases if known else ()) + (self.phase,)
        self.variables[name] = Variable(
            name, kind, _text(what), placeholder, tuple(dict.fromkeys(phases))
        )
        return placeholder

    def sp(self, array: str, letter: str) -> str:
        """An SP's address, as a placeholder."""
        safe = self.safe[array]
        return self.variable(
            f"{self.prefixes[array]}_SP{letter}",
            "address",
            f"the address of {safe} SP {letter}",
            f"<{safe} SP {letter}>",
        )

    def store(self, lun: Lun, kind: Literal["raid_group", "raid_type", "pool"]) -> str:
        """The RAID group, RAID type or pool of a kind of LUN on this array, as a placeholder."""
        role = ROLE_KEYS[lun.role if lun.image in ("primary", "secondary") else lun.image]
        suffix = {"raid_group": "RAID_GROUP", "raid_type": "RAID_TYPE", "pool": "POOL"}[kind]
        name = f"{self.prefixes[self.array]}_{role}_{suffix}"
        where = f"the {ROLE_TEXT[role]} on {self.safe[self.array]}"
        what = {
            "raid_group": f"the number of the RAID group for {where}",
            "raid_type": f"the RAID type of the RAID group for {where}: "
            + ", ".join(RAID_TYPES[:-1])
            + f" or {RAID_TYPES[-1]}",
            "pool": f"the name of the storage pool for {where}",
        }[kind]
        return self.variable(name, kind, what, f"<{name}>")

    def comment(self, text: str) -> None:
        self.items[self.phase].append(_Item(comment=_text(text)))

    def run(self, key: str, **fields: object) -> None:
        self.items[self.phase].append(_Item(command=command(key, **fields)))

    def commands(self, phase: Phase) -> tuple[Command, ...]:
        return tuple(x.command for x in self.items[phase] if x.command is not None)


def scripts(design: Design) -> dict[str, ArrayScript]:
    """The script of every array that holds a LUN of the design's allocation, by array name.

    The mirrors are seeded (``-nosync``) when the design's long-initial-synchronisation warning
    is open; an accepted one means the customer takes the long synchronisation instead.

    Raises
    ------
    ValueError
        When a name the array would get is not array-safe (a bug upstream: names are made safe
        when the scenario is read and the LUNs allocated).
    """
    allocation = allocate(design)
    scenario = design.scenario
    arrays = [a.name for a in scenario.arrays]
    prefixes = _prefixes(arrays)
    safe = {a: array_safe(a) for a in arrays}
    seeded = any(f.id == "INITIAL-SYNC-LONG" for f in design.open_warnings)
    stems = {a: file_stem(a) for a in arrays if allocation.on(a)}
    if len({x.casefold() for x in stems.values()}) < len(stems):
        raise ValueError(f"two arrays would share a script file name: {sorted(stems.values())}")
    out = {}
    for array in stems:
        s = _Script(array, prefixes, safe)
        _prepare(s, design, allocation, arrays)
        s.phase = "mirrors"
        _mirrors(s, design, allocation, seeded)
        s.phase = "groups"
        _groups(s, design, allocation)
        out[array] = _finish(s, design, stems)
    return out


def _prefixes(arrays: list[str]) -> dict[str, str]:
    """Each array's variable prefix, made unique (``AMS-CX4`` and ``AMS_CX4`` would share one)."""
    out: dict[str, str] = {}
    for array in arrays:
        base = identifier(array)
        prefix, n = base, 1
        while prefix in out.values():
            n += 1
            prefix = f"{base}_{n}"
        out[array] = prefix
    return out


def _peers(allocation: Allocation, array: str, arrays: list[str]) -> list[str]:
    """The arrays this one mirrors with, in scenario order."""
    peers = {m.target_array for m in allocation.mirrors if m.source_array == array} | {
        m.source_array for m in allocation.mirrors if m.target_array == array
    }
    return [a for a in arrays if a in peers]


def _pair(luns: list[Lun], what: str) -> dict[str, Lun]:
    """One LUN per SP (write intent log, clone private LUNs)."""
    by_sp: dict[str, Lun] = {x.sp: x for x in luns}
    if len(luns) != 2 or set(by_sp) != {"A", "B"}:
        raise ValueError(f"{what}: expected one LUN per SP, got {[x.name for x in luns]}")
    return by_sp


def _prepare(s: _Script, design: Design, allocation: Allocation, arrays: list[str]) -> None:
    array = s.array
    spec = next(a for a in design.scenario.arrays if a.name == array)
    luns = allocation.on(array)
    pools = spec.flare >= POOL_FLARE
    s.comment(
        f"Bind the {len(luns):,} LUNs of luns.csv: number, name, owner SP and size in 512-byte "
        "blocks (equal on both images of each mirror)"
        + (", each in the storage pool of its kind" if pools else ", each in its RAID group")
    )
    for lun in luns:
        sp = s.sp(array, lun.sp)
        name = _safe(lun.name)
        if pools:
            s.run(
                "lun_create_pool",
                sp=sp,
                blocks=lun.blocks,
                pool=s.store(lun, "pool"),
                owner=lun.sp,
                lun=lun.lun,
                name=name,
            )
        else:
            s.run(
                "bind_raid_group",
                sp=sp,
                raid_type=s.store(lun, "raid_type"),
                lun=lun.lun,
                raid_group=s.store(lun, "raid_group"),
                blocks=lun.blocks,
                owner=lun.sp.lower(),
            )
            s.run("chglun_name", sp=sp, lun=lun.lun, name=name)
    mode = "sync" if design.is_sync else "async"
    iscsi = "_iscsi" if spec.connectivity == "iscsi" else ""
    for peer in _peers(allocation, array, arrays):
        if arrays.index(peer) < arrays.index(array):
            s.comment(
                f"The MirrorView connection to {s.safe[peer]} is enabled by the script of "
                f"{s.safe[peer]} (one for both directions)"
            )
            continue
        s.comment(
            f"Enable the MirrorView connection to {s.safe[peer]} over "
            f"{'iSCSI' if iscsi else 'Fibre Channel'} (one for both directions and both SPs)"
        )
        s.run(f"mirror_{mode}_enablepath{iscsi}", sp=s.sp(array, "A"), peer=s.sp(peer, "A"))
    wil = allocation.of(array, "write_intent_log")
    if wil:
        pair = _pair(wil, f"write intent log of {s.safe[array]}")
        s.comment("Allocate the write intent log: one LUN per SP")
        s.run(
            "mirror_sync_allocatelog",
            sp=s.sp(array, "A"),
            lun_a=pair["A"].lun,
            lun_b=pair["B"].lun,
        )
    reserved = allocation.of(array, "reserved")
    if reserved:
        s.comment(f"Add the {len(reserved):,} reserved LUNs to the reserved LUN pool")
        for i in range(0, len(reserved), RESERVED_PER_COMMAND):
            chunk = reserved[i : i + RESERVED_PER_COMMAND]
            s.run(
                "reserved_lunpool_addlun",
                sp=s.sp(array, "A"),
                luns=" ".join(str(x.lun) for x in chunk),
            )
    private = allocation.of(array, "clone_private")
    if private:
        pair = _pair(private, f"clone private LUNs of {s.safe[array]}")
        s.comment("Allocate the clone private LUNs: one per SP")
        s.run("snapview_allocatecpl", sp=s.sp(array, "A"), lun_a=pair["A"].lun, lun_b=pair["B"].lun)


def _groups_of(allocation: Allocation, array: str) -> dict[str, list[MirrorSpec]]:
    """The consistency groups whose primary images are on ``array``, with their mirrors."""
    out: dict[str, list[MirrorSpec]] = {}
    for m in allocation.mirrors:
        if m.source_array == array:
            out.setdefault(m.cg, []).append(m)
    return out


def _mirrors(s: _Script, design: Design, allocation: Allocation, seeded: bool) -> None:
    r = design.scenario.replication
    mode = "sync" if design.is_sync else "async"
    groups = _groups_of(allocation, s.array)
    if not groups:
        s.comment("No mirror has its primary image on this array")
        return
    if seeded:
        s.comment(
            "Seeding: the initial synchronisation takes longer than the design accepts, so the "
            "secondary images are added with -nosync. Run this only on the freshly bound, empty "
            "LUNs of the prepare phase, before any data is written to them (before the "
            "mailboxes move)"
        )
    for cg, mirrors in groups.items():
        s.comment(
            f"Mirrors of consistency group {_safe(cg)} (SP {mirrors[0].sp}), secondary images on "
            f"{s.safe[mirrors[0].target_array]}"
        )
        for m in mirrors:
            sp = s.sp(s.array, m.sp)
            name = _safe(m.name)
            if not design.is_sync:
                s.run("mirror_async_create", sp=sp, name=name, lun=m.lun)
            elif r.write_intent_log:
                s.run("mirror_sync_create", sp=sp, name=name, lun=m.lun)
            else:
                s.run("mirror_sync_create_nowil", sp=sp, name=name, lun=m.lun)
            image = {
                "sp": sp,
                "name": name,
                "peer": s.sp(m.target_array, m.sp),
                "lun": m.lun,
                "rate": r.sync_rate,
            }
            if seeded:
                s.run(f"mirror_{mode}_addimage_nosync", policy=r.recovery_policy, **image)
            elif r.recovery_policy == "manual":
                s.run(f"mirror_{mode}_addimage", **image)
            else:
                s.run(f"mirror_{mode}_addimage_policy", policy=r.recovery_policy, **image)


def _groups(s: _Script, design: Design, allocation: Allocation) -> None:
    r = design.scenario.replication
    mode = "sync" if design.is_sync else "async"
    groups = _groups_of(allocation, s.array)
    for cg, mirrors in groups.items():
        sp = s.sp(s.array, allocation.cg_sp[cg])
        s.comment(f"Consistency group {_safe(cg)}: {len(mirrors):,} mirrors")
        if r.recovery_policy == "manual":
            s.run(f"mirror_{mode}_creategroup", sp=sp, cg=cg)
        else:
            s.run(f"mirror_{mode}_creategroup_policy", sp=sp, cg=cg, policy=r.recovery_policy)
        for m in mirrors:
            s.run(f"mirror_{mode}_addtogroup", sp=sp, cg=cg, name=m.name)
    copy = design.protective_copies.get(s.array)
    clones = allocation.of(s.array, "clone")
    if copy is not None and copy.kind == "snapshot":
        s.comment(
            "Protective copy: SnapView snapshots of the secondary LUNs. The reserved LUNs are in "
            "the pool (prepare phase); the runbook starts the sessions when the link is lost, so "
            "nothing runs here"
        )
    if clones:
        s.comment(
            f"Protective copy: a SnapView clone of each of the {len(clones):,} secondary LUNs, "
            "one clone group per secondary LUN"
        )
        sources = {x.name: x for x in allocation.of(s.array, "secondary")}
        for clone in clones:
            secondary = sources[clone.serves]
            group = _safe(clone_group_name(secondary.name))
            sp = s.sp(s.array, secondary.sp)
            s.run("snapview_createclonegroup", sp=sp, clone_group=group, lun=secondary.lun)
            s.run("snapview_addclone", sp=sp, clone_group=group, lun=clone.lun, rate=r.sync_rate)
    if not groups and not clones and not (copy is not None and copy.kind == "snapshot"):
        s.comment("No consistency group has its primary images on this array")


# --- rendering --------------------------------------------------------------------------------

WIDTH = 99
"""Longest comment line the scripts wrap to. [characters]"""


def _to_shell(
    text: str, placeholders: dict[str, str], expand: str, pattern: re.Pattern[str]
) -> str:
    """A command line for one shell: each placeholder becomes the quoted variable, and the line
    is refused unless it holds only names, numbers, options, quotes and those variables (a
    placeholder left over would be a redirection)."""
    for placeholder, name in placeholders.items():
        if placeholder in text:
            value = '"' + expand.format(name) + '"'
            text = text.replace(f'"{placeholder}"', value).replace(placeholder, value)
    if not pattern.fullmatch(text):
        raise ValueError(f"unsafe command line {text!r}")
    return text


def _phase_body(
    s: _Script,
    phase: Phase,
    placeholders: dict[str, str],
    comment: str,
    expand: str,
    pattern: re.Pattern[str],
    run: str,
) -> list[str]:
    """A phase's lines for one shell: its comments behind ``comment``, its commands (variables
    written as ``expand``, checked against ``pattern``) each in the shell's ``run`` line."""
    out: list[str] = []
    for item in s.items[phase]:
        if item.command is None:
            out += _wrap(item.comment, comment)
        else:
            out.append(run.format(_to_shell(item.command.text, placeholders, expand, pattern)))
    return out


def _lines(text: str, width: int, first: str = "", rest: str = "") -> list[str]:
    """``text`` wrapped to ``width`` (never inside a hyphenated name)."""
    return textwrap.wrap(
        text,
        width,
        initial_indent=first,
        subsequent_indent=rest,
        break_on_hyphens=False,
        break_long_words=False,
    )


def _wrap(text: str, prefix: str) -> list[str]:
    """A comment, wrapped, each line with its comment mark."""
    return [prefix + line for line in _lines(text, WIDTH - len(prefix.expandtabs(4)))]


def _ordered(s: _Script) -> list[Variable]:
    """The variables in reading order: this array's SPs, the peers' SPs, then each kind of LUN
    (RAID group before its RAID type)."""
    arrays = list(s.prefixes.values())
    own = s.prefixes[s.array]
    roles = list(ROLE_KEYS.values())
    order = ("address", "raid_group", "pool", "raid_type")

    def key(v: Variable) -> tuple[int, int, int, str]:
        if v.kind == "address":
            prefix = v.name.rsplit("_", 1)[0]
            return (0 if prefix == own else 1, arrays.index(prefix), 0, v.name)
        role = v.name.removeprefix(f"{own}_").rsplit(f"_{v.kind.upper()}", 1)[0]
        return (2, roles.index(role), order.index(v.kind), v.name)

    return sorted(s.variables.values(), key=key)


def _finish(s: _Script, design: Design, stems: dict[str, str]) -> ArrayScript:
    variables = _ordered(s)
    placeholders = {v.placeholder: v.name for v in variables}
    phases = {phase: s.commands(phase) for phase, _ in PHASES}
    return ArrayScript(
        s.array,
        stems[s.array],
        _sh(s, design, variables, placeholders, stems),
        _cmd(s, design, variables, placeholders, stems),
        tuple(c for cmds in phases.values() for c in cmds),
        phases,
        tuple(variables),
    )


def _errors(design: Design) -> str:
    n = len(design.errors)
    return f"{n} error{'s' if n > 1 else ''}" if n else ""


def _header(
    s: _Script, design: Design, variables: list[Variable], how: str, stems: dict[str, str]
) -> list[str]:
    """The header comment of either file (without the comment marks); ``how`` runs a phase of a
    script, e.g. ``sh {stem}.sh {phase}``."""
    spec = next(a for a in design.scenario.arrays if a.name == s.array)
    errors = _errors(design)
    width = WIDTH - 4
    paragraphs = [
        f"naviseccli script for array {s.safe[s.array]}: site {array_safe(spec.site)}, model "
        f"{array_safe(spec.model)}, FLARE {spec.flare}. Generated by srmkit from the design "
        "(section 10 of the method, the build book); srmkit never runs it.",
    ]
    if errors:
        paragraphs.append(
            f"NOT FOR IMPLEMENTATION: the design has {errors}; this script stops unless FORCE=1."
        )
    lines = [line for p in paragraphs for line in _lines(p, width)]
    lines += [
        "",
        *_lines(
            "Run it on a host with Navisphere Secure CLI and a security file for the arrays "
            "(naviseccli -AddUserSecurity), one phase at a time, each phase on every array "
            "before the next phase:",
            width,
        ),
    ]
    for i, (phase, what) in enumerate(PHASES, start=1):
        lines += _lines(f"{i}. {phase}: {what}.", width, "  ", "     ")
        runs = ", ".join(how.format(stem=stem, phase=phase) for stem in stems.values())
        lines += _lines(runs, width, "     ", "     ")
    lines += ["DRY_RUN=1 prints the commands and runs none.", "", "Set first:"]
    for v in variables:
        lines += _lines(f"{v.name}: {v.what} ({', '.join(v.phases)})", width, "  ", "    ")
    unconfirmed = sorted(
        {
            command_words(forms()[c.key].template)
            for phase, _ in PHASES
            for c in s.commands(phase)
            if "[S60]" in c.source
        }
    )
    if unconfirmed:
        lines += [
            "",
            *_lines(
                "These command forms are not confirmed in a public copy of the Navisphere CLI "
                "reference [S60]; check each with the CLI help of the array before the first "
                "run: " + ", ".join(unconfirmed) + ".",
                width,
            ),
        ]
    return [_text(x) for x in lines]


def _checks(variables: Iterable[Variable], phase: Phase) -> list[Variable]:
    return [v for v in variables if phase in v.phases]


def _sh(
    s: _Script,
    design: Design,
    variables: list[Variable],
    placeholders: dict[str, str],
    stems: dict[str, str],
) -> str:
    stem = stems[s.array]
    errors = _errors(design)
    names = [phase for phase, _ in PHASES]
    header = _header(s, design, variables, "sh {stem}.sh {phase}", stems)
    out = ["#!/bin/sh", *(f"# {x}".rstrip() for x in header), ""]
    out += [
        "usage() {",
        f"\tprintf '%s\\n' 'usage: sh {stem}.sh {'|'.join(names)}' >&2",
        "}",
        "",
        "# Nothing runs without a phase, nor when the file is sourced without one (return leaves",
        "# a sourced file; elsewhere it fails and exit ends the script).",
        'case "${1:-}" in',
        f"{' | '.join(names)}) ;;",
        "*)",
        "\tusage",
        "\t# shellcheck disable=SC2317",
        "\treturn 2 2>/dev/null || exit 2",
        "\t;;",
        "esac",
        "set -eu",
        "phase=$1",
        "",
    ]
    if errors:
        out += [
            'if [ "${FORCE:-0}" != 1 ]; then',
            f"\tprintf '%s\\n' 'NOT FOR IMPLEMENTATION: the design has {errors}. Correct it and "
            "build again, or set FORCE=1.' >&2",
            "\texit 1",
            "fi",
            "",
        ]
    out += [
        "# Print a command, then run it unless DRY_RUN=1; stop at the first failure.",
        "run() {",
        "\tprintf '+ %s\\n' \"$*\"",
        '\tif [ "${DRY_RUN:-0}" = 1 ]; then',
        "\t\treturn 0",
        "\tfi",
        '\t"$@" || {',
        "\t\tstatus=$?",
        '\t\tprintf \'failed with exit status %s: %s\\n\' "$status" "$*" >&2',
        '\t\texit "$status"',
        "\t}",
        "}",
        "",
        "# need NAME VALUE KIND WHAT: say what to set when a variable is unset or holds a",
        "# character it may not.",
        "missing=0",
        "need() {",
        '\tif [ -z "$2" ]; then',
        '\t\tprintf \'set %s to %s\\n\' "$1" "$4" >&2',
        "\t\tmissing=1",
        "\t\treturn 0",
        "\tfi",
        '\tcase "$3:$2" in',
        "\taddress:*[!A-Za-z0-9._-]*)",
        "\t\tprintf '%s may hold only letters, digits, dots, hyphens and underscores\\n' "
        '"$1" >&2',
        "\t\tmissing=1",
        "\t\t;;",
        "\tpool:*[!A-Za-z0-9._' '-]*)",
        "\t\tprintf '%s may hold only letters, digits, spaces, dots, hyphens and "
        'underscores\\n\' "$1" >&2',
        "\t\tmissing=1",
        "\t\t;;",
        "\traid_group:*[!0-9]*)",
        "\t\tprintf '%s must be a RAID group number\\n' \"$1\" >&2",
        "\t\tmissing=1",
        "\t\t;;",
        "\t"
        + " | ".join(f"raid_type:{x}" for x in RAID_TYPES)
        + " | address:* | pool:* | raid_group:*) ;;",
        "\t*)",
        f"\t\tprintf '%s must be one of {', '.join(RAID_TYPES)}\\n' \"$1\" >&2",
        "\t\tmissing=1",
        "\t\t;;",
        "\tesac",
        "}",
        "",
    ]
    for phase, what in PHASES:
        out += _wrap(f"{phase}: {what}.", "# ")
        out.append(f"check_{phase}() {{")
        needed = _checks(variables, phase)
        for v in needed:
            out.append(f"\tneed {v.name} \"${{{v.name}:-}}\" {v.kind} '{v.what}'")
        if not needed:
            out.append("\t:")
        out += ["}", "", f"{phase}() {{"]
        count = len(s.commands(phase))
        out.append(f"\tprintf '%s\\n' '{s.safe[s.array]}: {phase}, {count} commands'")
        out += _phase_body(s, phase, placeholders, "\t# ", "${{{}}}", _SH_LINE, "\trun {}")
        out += ["}", ""]
    out += [
        'case "$phase" in',
        *(f'{phase}) check_{phase} && [ "$missing" = 0 ] || exit 2; {phase} ;;' for phase in names),
        "esac",
    ]
    return "\n".join(out) + "\n"


def _cmd(
    s: _Script,
    design: Design,
    variables: list[Variable],
    placeholders: dict[str, str],
    stems: dict[str, str],
) -> str:
    """The Windows batch file: the same phases, checks and commands as the shell script. Every
    value a command line takes from a variable is checked first (letters, digits, dots, hyphens,
    underscores; spaces in pool names), so ``%NAME%`` expands to nothing cmd would interpret."""
    stem = stems[s.array]
    errors = _errors(design)
    names = [phase for phase, _ in PHASES]
    header = _header(s, design, variables, "{stem}.cmd {phase}", stems)
    out = ["@echo off", *(f"rem {x}".rstrip() for x in header), ""]
    out += [
        "setlocal EnableExtensions EnableDelayedExpansion",
        'set "PHASE=%~1"',
        *(f'if /i "!PHASE!"=="{phase}" goto :start' for phase in names),
        f"echo usage: {stem}.cmd {' or '.join(names)} 1>&2",
        "exit /b 2",
        "",
        ":start",
    ]
    if errors:
        out += [
            'if "!FORCE!"=="1" goto :forced',
            f"echo NOT FOR IMPLEMENTATION: the design has {errors}. Correct it and build again, "
            "or set FORCE=1. 1>&2",
            "exit /b 1",
            ":forced",
        ]
    out += ['set "MISSING="', "goto :check_%PHASE%", ""]
    for phase in names:
        out.append(f":check_{phase}")
        for v in _checks(variables, phase):
            out.append(f'call :need {v.name} {v.kind} "{v.what}"')
        out += ["goto :checked", ""]
    out += [":checked", "if defined MISSING exit /b 2", "goto :phase_%PHASE%", ""]
    for phase, what in PHASES:
        out.append(f":phase_{phase}")
        out += _wrap(f"{phase}: {what}.", "rem ")
        out.append(f"echo {s.safe[s.array]}: {phase}, {len(s.commands(phase))} commands")
        out += _phase_body(
            s, phase, placeholders, "rem ", "%{}%", _CMD_LINE, "call :run {} || exit /b 1"
        )
        out += ["exit /b 0", ""]
    characters = " ".join("abcdefghijklmnopqrstuvwxyz0123456789") + " . - _"
    out += [
        "rem Print a command, then run it unless DRY_RUN=1.",
        ":run",
        "echo + %*",
        'if "!DRY_RUN!"=="1" exit /b 0',
        "%*",
        "if errorlevel 1 goto :failed",
        "exit /b 0",
        ":failed",
        "echo failed: %* 1>&2",
        "exit /b 1",
        "",
        "rem need NAME KIND WHAT: say what to set when a variable is unset or holds a character",
        "rem it may not (each allowed character is removed; anything left is refused).",
        ":need",
        "if defined %1 goto :need_set",
        "echo set %1 to %~3 1>&2",
        'set "MISSING=1"',
        "exit /b 0",
        ":need_set",
        'set "_v=#!%1!"',
        "goto :need_%2",
        ":need_address",
        f'for %%c in ({characters}) do set "_v=!_v:%%c=!"',
        'set "_v=!_v:~1!"',
        "if not defined _v exit /b 0",
        "echo %1 may hold only letters, digits, dots, hyphens and underscores 1>&2",
        'set "MISSING=1"',
        "exit /b 0",
        ":need_pool",
        f'for %%c in ({characters}) do set "_v=!_v:%%c=!"',
        'set "_v=!_v: =!"',
        'set "_v=!_v:~1!"',
        "if not defined _v exit /b 0",
        "echo %1 may hold only letters, digits, spaces, dots, hyphens and underscores 1>&2",
        'set "MISSING=1"',
        "exit /b 0",
        ":need_raid_group",
        'for %%c in (0 1 2 3 4 5 6 7 8 9) do set "_v=!_v:%%c=!"',
        'set "_v=!_v:~1!"',
        "if not defined _v exit /b 0",
        "echo %1 must be a RAID group number 1>&2",
        'set "MISSING=1"',
        "exit /b 0",
        ":need_raid_type",
        'set "_w=!_v!"',
        f'for %%c in ({" ".join(sorted(set("".join(RAID_TYPES))))}) do set "_w=!_w:%%c=!"',
        'set "_w=!_w:~1!"',
        "if defined _w goto :bad_raid_type",
        f'for %%t in ({" ".join(RAID_TYPES)}) do if /i "!_v!"=="#%%t" exit /b 0',
        ":bad_raid_type",
        f"echo %1 must be one of {', '.join(RAID_TYPES)} 1>&2",
        'set "MISSING=1"',
        "exit /b 0",
    ]
    return "\r\n".join(out) + "\r\n"


def used_forms(all_scripts: dict[str, ArrayScript]) -> list[str]:
    """The keys of the command forms the scripts use, in the table's order."""
    used = {c.key for x in all_scripts.values() for c in x.commands}
    return [key for key in forms() if key in used]
