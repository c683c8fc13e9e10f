"""The command forms the runbooks print, as data with their sources.

``srmkit/data/commands.csv`` holds one row per command: its key, who runs it (``array`` for
naviseccli on a storage processor, ``esx`` for the ESX service console, ``windows`` for Windows and
the Exchange Management Shell, ``network``), the command with ``{placeholders}``, what the
operator should see when it worked, and the sources it was taken from (EMC's storops library,
which builds the naviseccli command lines, the MirrorView SRA's own log, Microsoft's and VMware's
command references). A runbook fills the placeholders with the design's names: nothing else in
srmkit spells a command.
"""

from __future__ import annotations

import csv
import re
import string
from dataclasses import dataclass
from functools import cache
from importlib import resources

ACTORS = {
    "array": "Storage (naviseccli)",
    "esx": "VMware (ESX console)",
    "windows": "Windows / Exchange",
    "network": "Network",
}
"""Who runs a command, in words."""


@dataclass(frozen=True)
class CommandForm:
    """One command form of the table."""

    key: str
    actor: str
    template: str
    expected: str
    source: str

    @property
    def fields(self) -> tuple[str, ...]:
        """The placeholders the template needs."""
        return tuple(f for _, f, _, _ in string.Formatter().parse(self.template) if f)


PLACEHOLDER_WORDS = {
    "sp": "SP address",
    "peer": "peer SP address",
    "cg": "consistency group",
    "lun_a": "LUN for SP A",
    "lun_b": "LUN for SP B",
    "owner": "a or b",
    "policy": "manual or auto",
    "rate": "high, medium or low",
    "hlu": "host LUN number",
    "ttl": "time to live",
    "ip": "IP address",
    "vmx": "VM configuration file",
    "edb_path": "database file path",
}
"""Placeholders in words, where their names are not words already."""


def readable(template: str) -> str:
    """A command form for readers: each ``{placeholder}`` as ``<words>``.

    >>> readable('naviseccli -h "{sp}" bind {raid_type} {lun} -rg {raid_group} -sp {owner}')
    'naviseccli -h "<SP address>" bind <raid type> <lun> -rg <raid group> -sp <a or b>'
    """

    def words(m: re.Match[str]) -> str:
        name = m.group(1)
        return f"<{PLACEHOLDER_WORDS.get(name, name.replace('_', ' '))}>"

    return re.sub(r"\{(\w+)\}", words, template)


@dataclass(frozen=True)
class Command:
    """A command with the design's names filled in."""

    key: str
    actor: str
    text: str
    expected: str
    source: str


@cache
def forms() -> dict[str, CommandForm]:
    """Every command form by key, in table order."""
    text = resources.files("srmkit.data").joinpath("commands.csv").read_text("utf-8")
    return {
        row["key"]: CommandForm(
            row["key"], row["actor"], row["template"], row["expected"], row["source"]
        )
        for row in csv.DictReader(text.splitlines())
    }


_UNSAFE = re.compile(r'["`$\r\n]')
"""What no quoted argument may hold, in any shell."""
_UNSAFE_SH = re.compile(r"\\")
"""And, outside Windows, a backslash (a POSIX shell would read it as an escape)."""


def command(key: str, **fields: object) -> Command:
    """The command ``key`` for the design's objects. Names come from the scenario file, so a
    character that would end a quoted argument or start a substitution is refused, never
    passed to a shell.

    Raises
    ------
    KeyError
        When ``key`` is not in the table or a placeholder is missing.
    ValueError
        When a value holds a quote, backquote, dollar or line break (or, outside Windows, a
        backslash).
    """
    form = forms()[key]
    for name, value in fields.items():
        if _UNSAFE.search(str(value)) or (
            form.actor != "windows" and _UNSAFE_SH.search(str(value))
        ):
            raise ValueError(f"{name} {value!r} holds a character a command cannot quote safely")
    missing = [f for f in form.fields if f not in fields]
    if missing:
        raise KeyError(f"command {key} needs {', '.join(missing)}")
    return Command(key, form.actor, form.template.format(**fields), form.expected, form.source)


def sp(array: str, which: str = "A") -> str:
    """The address of a storage processor, as the operator fills it in: ``<AMS-CX4 SP A>``."""
    return f"<{array} SP {which}>"
