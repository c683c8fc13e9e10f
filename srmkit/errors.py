"""The root of srmkit's exceptions.

Every exception srmkit raises on purpose derives from :class:`SrmkitError`, so a caller (the CLI,
a notebook, a script) can catch them all at once. Each also derives from the builtin that callers
caught before the tree existed, so ``except ValueError`` around :func:`srmkit.load_scenario` still
works:

========================================  ===================  ====  ===============================
exception                                 also a               exit  raised when
========================================  ===================  ====  ===============================
``srmkit.params.ScenarioError``           ``ValueError``       2     a scenario file is invalid
``srmkit.yamlread.YamlError``             ``ValueError``       2     its YAML cannot be read safely
``srmkit.perfmon.MeasurementError``       ``ValueError``       2     a measurement file is invalid
``srmkit.limits.UnknownModelError``       ``ValueError``       2     a model is not in the catalogue
``srmkit.report.OutputError``             ``OSError``          2     the output folder is unusable
``srmkit.folders.TempFolderError``        ``OSError``          2     TMPDIR is missing or read-only
``srmkit.folders.FilesInTheWayError``     ``FileExistsError``  2     files would be overwritten
``srmkit.browser.BrowserNotFoundError``   ``RuntimeError``     2     no Chrome/Chromium is installed
``srmkit.errors.NoSpaceError``            ``OSError``          1     a disk filled while writing
``srmkit.execution.ReportError``          ``RuntimeError``     1     a notebook or document failed
``srmkit.browser.BrowserStartError``      ``RuntimeError``     1     the browser did not start
``srmkit.browser.BrowserFaultError``      ``RuntimeError``     1     the browser failed twice
========================================  ===================  ====  ===============================

The command line exits with the code of the table: 2 for input or set-up to correct (nothing was
done), 1 for a failure while working.

Results are data: a design that breaks a rule is a finding, never an exception.
"""

from __future__ import annotations

import errno
from pathlib import Path
from typing import ClassVar

EXIT_FAILED = 1
EXIT_INVALID = 2
NO_SPACE = frozenset({errno.ENOSPC, errno.EDQUOT})
"""The errors of a full file system: no space left, the disk quota reached."""


class SrmkitError(Exception):
    """Base of every exception srmkit raises on purpose (bad input, a failed render).

    The command line prints ``error:`` and the message (and any notes added to it), and exits
    with :attr:`exit_code`.
    """

    exit_code: ClassVar[int] = EXIT_FAILED
    """The command line's exit status for this error: 2 for input or set-up to correct, 1 for a
    failure while working."""
    detail: str = ""
    """What a tool said in full (pandoc's output and backtrace, a traceback) when the message
    says it in one line: ``srmkit report --verbose`` shows it."""


class NoSpaceError(SrmkitError, OSError):
    """The file system filled (no space left, or the disk quota reached) while a file was being
    written: ``device`` is the file system's mount point (or the folder), ``file`` the file."""

    def __init__(self, file: Path, device: Path, code: int | None = errno.ENOSPC) -> None:
        super().__init__(
            code or errno.ENOSPC,
            f"no space left on {device} while writing {file}; nothing of it was kept",
        )
        self.file = file
        self.device = device

    def __str__(self) -> str:
        return str(self.strerror)

    def __reduce__(self) -> tuple[type[NoSpaceError], tuple[Path, Path, int | None]]:
        return type(self), (self.file, self.device, self.errno)
