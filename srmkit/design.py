"""``Design``: the one object that owns every answer about a scenario.

A :class:`~srmkit.study.Study` computes the numbers (workload, link, replication, plans for every
growth year, model fit, synchronisation, reserved LUN pool); ``Design`` adds the review: the
findings of every rule of the catalogue and the overall verdict. Documents, figures, exports, the
report renderer and every CLI command take a ``Design`` and present what it holds; none of them
plans, checks or calculates on its own.
"""

from __future__ import annotations

from functools import cached_property
from typing import Literal

from srmkit import checks
from srmkit.checks import Finding
from srmkit.study import Study

Verdict = Literal["fits", "fits_with_warnings", "does_not_fit"]


class Design(Study):
    """A scenario's numbers and its review."""

    @cached_property
    def findings(self) -> list[Finding]:
        """Every rule's findings: errors, warnings, accepted risks, then info."""
        return checks.run(self)

    @property
    def errors(self) -> list[Finding]:
        """Error findings (cannot be accepted)."""
        return [f for f in self.findings if f.severity == "error"]

    @property
    def open_warnings(self) -> list[Finding]:
        """Warnings not accepted as risks."""
        return [f for f in self.findings if f.severity == "warning" and not f.accepted]

    @property
    def verdict(self) -> Verdict:
        """Does not fit with any error; fits with warnings with an open warning; else fits."""
        if self.errors:
            return "does_not_fit"
        return "fits_with_warnings" if self.open_warnings else "fits"
