"""Human labels for the values a scenario file holds: one glossary for every document.

Scenario files use short identifiers (``very_heavy``, ``windows-2008-x64``, ``per_server``);
customer documents show these words instead.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

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


def possessive(name: str) -> str:
    """``Northwind Traders'``, ``Contoso Health's``: the possessive of a name.

    >>> possessive("Northwind Traders"), possessive("Contoso Health")
    ("Northwind Traders'", "Contoso Health's")
    """
    return f"{name}'" if name.endswith(("s", "S")) else f"{name}'s"


# Letters read out by name that begin with a vowel sound ("an AX4-5F", "an SP", "a CX4-240").
_VOWEL_SOUND_LETTERS = set("AEFHILMNORSX")


def plural(count: int, word: str, words: str | None = None) -> str:
    """``1 error``, ``2 errors``, ``1 CG``, ``3 CGs``.

    >>> plural(1, "error"), plural(2_000, "CG"), plural(2, "copy", "copies")
    ('1 error', '2,000 CGs', '2 copies')
    """
    return f"{count:,} {word if count == 1 else (words or word + 's')}"


def days(n: float | None) -> str:
    """A count of days in words: ``1 day``, ``2.5 days``.

    >>> days(1), days(2.5), days(None)
    ('1 day', '2.5 days', '0 days')
    """
    n = n or 0.0
    return f"{n:g} day" + ("" if n == 1 else "s")


def with_article(name: str) -> str:
    """A model or product name with its indefinite article, read as letters.

    >>> with_article("CX4-240"), with_article("AX4-5F")
    ('a CX4-240', 'an AX4-5F')
    """
    return f"an {name}" if name[:1] in _VOWEL_SOUND_LETTERS else f"a {name}"


def in_sentence(text: str) -> str:
    """A title as it reads inside a sentence: its first letter lower case, unless its first word
    is a name or an acronym (a capital after the first letter); the rest is left as it is.

    >>> in_sentence("Mirrors exceed the array's limit"), in_sentence("FLARE release too old")
    ("mirrors exceed the array's limit", 'FLARE release too old')
    >>> in_sentence("MirrorView/A cannot keep up"), in_sentence("Site distance")
    ('MirrorView/A cannot keep up', 'site distance')
    """
    first = text.split(" ", 1)[0]
    if not first or any(ch.isupper() for ch in first[1:]):
        return text
    return text[0].lower() + text[1:]


def sentence(text: str) -> str:
    """Text as a sentence: a capital first letter and a full stop.

    >>> sentence("replace RTM-CX3 by a CX4-240")
    'Replace RTM-CX3 by a CX4-240.'
    """
    text = text.strip()
    if not text:
        return text
    return text[0].upper() + text[1:] + ("" if text.endswith((".", "!", "?")) else ".")


# The replication modes by their product names ("MirrorView/S"), and in full for documents (MODE).
MODE_NAME = {"sync": "MirrorView/S", "async": "MirrorView/A"}

UNBOUNDED = "unbounded"


def or_unbounded(
    value: float | None, unit: str = "", digits: int = 1, *, sign: bool = False
) -> str:
    """A figure with separators and its unit, or "unbounded" where there is none (``None`` or not
    finite: an MV/A cycle that never catches up, a link that cannot carry the load).

    >>> or_unbounded(1234.56, "min"), or_unbounded(None, "min"), or_unbounded(2.5, sign=True)
    ('1,234.6 min', 'unbounded', '+2.5')
    """
    if value is None or not math.isfinite(value):
        return UNBOUNDED
    text = f"{value:+,.{digits}f}" if sign else f"{value:,.{digits}f}"
    return f"{text} {unit}" if unit else text


MAX_NAMED = 100
"""Objects a sentence names one by one (a runbook step's VMs, a test's groups); of more, it names
the first :data:`FIRST_NAMED` and counts the rest (their commands, one an object, name each)."""
FIRST_NAMED = 3


def names(items: Sequence[str], most: int = MAX_NAMED) -> str:
    """``a``, ``a and b``, ``a, b and c``; of more than ``most``, the first three and how many
    more.

    >>> names(["a", "b", "c"]), names([f"MBX{i:03d}" for i in range(1_500)])
    ('a, b and c', 'MBX000, MBX001, MBX002 and 1,497 more')
    >>> names(["a", "b", "c", "d"], most=3)
    'a, b, c and 1 more'
    """
    if not items:
        return "none"
    if len(items) == 1:
        return items[0]
    if len(items) > most:
        return f"{', '.join(items[:FIRST_NAMED])} and {len(items) - FIRST_NAMED:,} more"
    return f"{', '.join(items[:-1])} and {items[-1]}"
