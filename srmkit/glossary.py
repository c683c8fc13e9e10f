"""Human labels for the values a scenario file holds: one glossary for every document.

Scenario files use short identifiers (``very_heavy``, ``windows-2008-x64``, ``per_server``);
customer documents show these words instead.
"""

from __future__ import annotations

GUEST_OS = {
    "windows-2003": "Windows Server 2003",
    "windows-2003-x64": "Windows Server 2003 x64",
    "windows-2008": "Windows Server 2008",
    "windows-2008-x64": "Windows Server 2008 x64",
}
CG_POLICY = {
    "per_server": "per server (a group never spans servers)",
    "packed": "packed (servers may share a group)",
}
RECOVERY_POLICY = {"manual": "Manual", "auto": "Automatic"}
SYNC_RATE = {"high": "High", "medium": "Medium", "low": "Low"}
UPDATE_TYPE = {
    "start": "start of last update",
    "end": "end of last update",
    "manual": "manual (at set times)",
}
CONNECTIVITY = {"fc": "Fibre Channel", "iscsi": "iSCSI"}
MODE = {"sync": "MirrorView/S (synchronous)", "async": "MirrorView/A (asynchronous)"}
SEVERITY = {"error": "Error", "warning": "Warning", "info": "Note", "accepted": "Accepted risk"}
VERDICT = {
    "fits": "fits",
    "fits_with_warnings": "fits, with warnings",
    "does_not_fit": "does not fit",
}


def label(table: dict[str, str], value: str) -> str:
    """The label of ``value``, or the value in words when the table has none.

    >>> label(GUEST_OS, "windows-2008-x64"), label({}, "very_heavy")
    ('Windows Server 2008 x64', 'very heavy')
    """
    return table.get(value, value.replace("_", " "))


def profile(name: str) -> str:
    """A mailbox profile's name in words: ``very_heavy`` → ``very heavy``."""
    return name.replace("_", " ")


def yes_no(value: bool) -> str:
    return "yes" if value else "no"
