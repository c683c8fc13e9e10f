"""srmkit: design workbook and report generator for disaster recovery of Exchange 2007 mailbox
servers in VMware VMs, protected by VMware SRM with EMC CLARiiON MirrorView/S or MirrorView/A.

The package holds all logic; notebooks and the CLI only call into it. The public names below are
imported when first used (PEP 562), so ``import srmkit`` costs almost nothing::

    import srmkit

    design = srmkit.Design(srmkit.load_scenario("params/example.yaml"))
    design.verdict, design.frames.mirrors

========================  ===================================================================
name                      what it is
========================  ===================================================================
``Design``                one customer design: every number, finding, verdict and remedy
``load_scenario``         read and validate a scenario file (raises ``ScenarioError``)
``scenario_from_sections``  the same from the file's sections as a mapping (papermill's form)
``simulate_all``          play the built-in and the file's failure scenarios on a design
``compare``               the options side by side (modes, schedules, array models)
``render``                render the customer documents of scenario files
``Workbook``              the architect's live workbook (ipywidgets)
``SrmkitError``           base of every srmkit exception; ``ScenarioError`` for bad input
========================  ===================================================================
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from srmkit.errors import SrmkitError
from srmkit.version import __version__

if TYPE_CHECKING:
    from srmkit.design import Design
    from srmkit.options import compare
    from srmkit.params import ScenarioError, load_scenario, scenario_from_sections
    from srmkit.report import render
    from srmkit.simulation import simulate_all
    from srmkit.workbook import Workbook

__all__ = [
    "Design",
    "ScenarioError",
    "SrmkitError",
    "Workbook",
    "__version__",
    "compare",
    "load_scenario",
    "render",
    "scenario_from_sections",
    "simulate_all",
]

# Each lazily exported name and the module that defines it.
_LAZY = {
    "Design": "srmkit.design",
    "ScenarioError": "srmkit.params",
    "Workbook": "srmkit.workbook",
    "compare": "srmkit.options",
    "load_scenario": "srmkit.params",
    "render": "srmkit.report",
    "scenario_from_sections": "srmkit.params",
    "simulate_all": "srmkit.simulation",
}


def __getattr__(name: str) -> Any:
    """Import a public name on first use (PEP 562); submodules are imported as usual."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'srmkit' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
