"""Names a shell and a CLARiiON array accept (Method §10, v3), and cells a spreadsheet shows as
text.

Every array, consistency group, mirror and LUN name the build book writes is an *array-safe
identifier*: letters, digits, ``_`` and ``-``, at most 64 characters. Scenario names are already
restricted by the schema; :func:`array_safe` turns the few characters it still allows in array and
group names (a dot) into ``_``, and :func:`collisions` finds names that become the same, which the
scenario check refuses.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

MAX_NAME_CHARS = 64
"""Longest mirror, group or LUN name Navisphere takes (Method §10). [characters]"""
_SAFE = re.compile(r"[A-Za-z0-9_-]{1,64}")
_UNSAFE_RUN = re.compile(r"[^A-Za-z0-9_-]+")


def is_array_safe(name: str) -> bool:
    """Whether ``name`` is an array-safe identifier.

    >>> is_array_safe("CG_EXMBX01_1"), is_array_safe("AMS.CX4"), is_array_safe("$(reboot)")
    (True, False, False)
    """
    return bool(_SAFE.fullmatch(name))


def array_safe(name: str) -> str:
    """``name`` as an array-safe identifier: each run of other characters becomes ``_``; the
    result is cut at 64 characters. Names the schema accepts keep their length and case.

    >>> array_safe("AMS.CX4"), array_safe("St John's CX4"), array_safe("EXMBX01")
    ('AMS_CX4', 'St_John_s_CX4', 'EXMBX01')
    """
    safe = _UNSAFE_RUN.sub("_", name)[:MAX_NAME_CHARS]
    if not safe.strip("_"):
        raise ValueError(f"{name!r} has no letter or digit to make a name of")
    return safe


def collisions(names: Iterable[str]) -> dict[int, int]:
    """Indexes of names whose array-safe form repeats an earlier one → the index of that earlier
    name. Case is ignored, as Navisphere and Windows file names do, and so is the difference
    between ``-`` and ``_``, which the scripts' variable names (``AMS_CX4_SPA``) cannot keep.

    >>> collisions(["AMS.CX4", "UTR-CX4", "ams_cx4", "utr_cx4"])
    {2: 0, 3: 1}
    """
    seen: dict[str, int] = {}
    out: dict[int, int] = {}
    for i, name in enumerate(names):
        key = array_safe(name).casefold().replace("-", "_")
        first = seen.setdefault(key, i)
        if first != i:
            out[i] = first
    return out


def mirror_name(server: str, role: str, storage_group: int | None, index: int = 1) -> str:
    """The mirror of one LUN of a protected VM, named after what it holds.

    >>> mirror_name("EXMBX01", "db", 3), mirror_name("EXMBX01", "log", 12)
    ('EXMBX01_SG03_DB', 'EXMBX01_SG12_LOG')
    >>> mirror_name("EXMBX01", "gos", None), mirror_name("AMS-HT", "queue", None)
    ('EXMBX01_OS1', 'AMS-HT_QUEUE1')
    """
    label = {"db": "DB", "log": "LOG", "gos": "OS", "queue": "QUEUE"}[role]
    if storage_group is not None:
        name = f"{array_safe(server)}_SG{storage_group:02d}_{label}"
    else:
        name = f"{array_safe(server)}_{label}{index}"
    return name[:MAX_NAME_CHARS]


def clone_group_name(secondary: str) -> str:
    """The SnapView clone group of one secondary LUN (a clone group has one source LUN).

    >>> clone_group_name("EXMBX01_SG03_DB")
    'CLONE_EXMBX01_SG03_DB'
    """
    return f"CLONE_{secondary}"[:MAX_NAME_CHARS]


def array_lun_name(array: str, suffix: str) -> str:
    """The name of one of an array's own LUNs (write intent log, reserved, clone private): the
    array's name, cut so that the whole stays within 64 characters, and ``suffix``.

    >>> array_lun_name("AMS.CX4", "WIL_SPA"), len(array_lun_name("A" * 64, "RL0001"))
    ('AMS_CX4_WIL_SPA', 64)
    """
    return f"{array_safe(array)[: MAX_NAME_CHARS - len(suffix) - 1]}_{suffix}"


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
"""Text a spreadsheet would read as a formula when it starts a cell (OWASP "CSV injection")."""


def csv_safe(value: object) -> object:
    """A cell for a CSV file: text that a spreadsheet would evaluate is prefixed with ``'``.

    >>> print(csv_safe('=HYPERLINK("http://x")'), csv_safe("mbx01"), csv_safe(-1.5))
    '=HYPERLINK("http://x") mbx01 -1.5
    """
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value
