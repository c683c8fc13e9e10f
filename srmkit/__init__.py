"""srmkit: design workbook and report generator for disaster recovery of Exchange 2007 mailbox
servers in VMware VMs, protected by VMware SRM with EMC CLARiiON MirrorView/S or MirrorView/A.

The package holds all logic; notebooks and the CLI only call into it.
"""

from srmkit.params import ScenarioError, load_scenario, scenario_from_sections
from srmkit.version import __version__

__all__ = ["ScenarioError", "__version__", "load_scenario", "scenario_from_sections"]
