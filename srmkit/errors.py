"""The root of srmkit's exceptions.

Every exception srmkit raises on purpose derives from :class:`SrmkitError`, so a caller (the CLI,
a notebook, a script) can catch them all at once. Each also derives from the builtin that callers
caught before the tree existed, so ``except ValueError`` around :func:`srmkit.load_scenario` still
works:

==========================================  ======================  ===============================
exception                                   also a                  raised when
==========================================  ======================  ===============================
``srmkit.params.ScenarioError``             ``ValueError``          a scenario file is invalid
``srmkit.yamlread.YamlError``               ``ValueError``          its YAML cannot be read safely
``srmkit.limits.UnknownModelError``         ``ValueError``          a model is not in the catalogue
``srmkit.report.OutputError``               ``OSError``             the output folder is unusable
``srmkit.execution.ReportError``            ``RuntimeError``        a notebook or document failed
``srmkit.browser.BrowserNotFoundError``     ``RuntimeError``        no Chrome/Chromium is installed
``srmkit.browser.BrowserStartError``        ``RuntimeError``        the browser found did not start
==========================================  ======================  ===============================

Results are data: a design that breaks a rule is a finding, never an exception.
"""

from __future__ import annotations


class SrmkitError(Exception):
    """Base of every exception srmkit raises on purpose (bad input, a failed render)."""
