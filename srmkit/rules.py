"""The rule catalogue as data: every design rule's id, severity, title, reference and remedy.

The catalogue is ``srmkit/data/rules.csv``. It sits at the bottom of the package so that the params
loader can validate ``accept:`` ids without importing the rule engine (:mod:`srmkit.checks`,
which implements one check per id).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Literal, cast

Severity = Literal["error", "warning", "info"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")


@dataclass(frozen=True)
class Rule:
    """One guideline of the design checker."""

    id: str
    severity: Severity
    title: str
    reference: str
    remedy: str


@cache
def catalogue() -> dict[str, Rule]:
    """Every rule by id, in catalogue order."""
    text = resources.files("srmkit.data").joinpath("rules.csv").read_text("utf-8")
    rules = {}
    for row in csv.DictReader(text.splitlines()):
        if row["severity"] not in SEVERITIES:
            raise ValueError(f"rules.csv: {row['id']} has unknown severity {row['severity']!r}")
        rules[row["id"]] = Rule(
            id=row["id"],
            severity=cast(Severity, row["severity"]),
            title=row["title"],
            reference=row["reference"],
            remedy=row["remedy"],
        )
    return rules
