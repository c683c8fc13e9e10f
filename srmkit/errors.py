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
``srmkit.perfmon.MeasurementError``         ``ValueError``          a measurement file is invalid
``srmkit.limits.UnknownModelError``         ``ValueError``          a model is not in the catalogue
``srmkit.report.OutputError``               ``OSError``             the output folder is unusable
``srmkit.execution.ReportError``            ``RuntimeError``        a notebook or document failed
``srmkit.browser.BrowserNotFoundError``     ``RuntimeError``        no Chrome/Chromium is installed
``srmkit.browser.BrowserStartError``        ``RuntimeError``        the browser found did not start
==========================================  ======================  ===============================

The command line exits with 2 for the first six (input or set-up to correct, nothing was done)
and 1 for the last two.

Results are data: a design that breaks a rule is a finding, never an exception.
"""

from __future__ import annotations

from typing import ClassVar

EXIT_FAILED = 1
EXIT_INVALID = 2


class SrmkitError(Exception):
    """Base of every exception srmkit raises on purpose (bad input, a failed render).

    The command line prints ``error:`` and the message (and any notes added to it), and exits
    with :attr:`exit_code`.
    """

    exit_code: ClassVar[int] = EXIT_FAILED
    """The command line's exit status for this error: 2 for input or set-up to correct, 1 for a
    failure while working."""
