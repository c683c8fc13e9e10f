"""The public API: lazy exports, a cheap import, ``python -m srmkit`` and one error tree."""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import EXAMPLE
from typer.testing import CliRunner

import srmkit
from srmkit.cli import app
from srmkit.errors import EXIT_FAILED, EXIT_INVALID, SrmkitError


@pytest.mark.parametrize("name", srmkit.__all__)
def test_every_public_name_resolves(name: str) -> None:
    """Each name in ``srmkit.__all__`` is importable from the package and listed by ``dir``."""
    assert getattr(srmkit, name) is not None
    assert name in dir(srmkit)


def test_an_unknown_name_is_an_attribute_error() -> None:
    """A name srmkit does not export raises AttributeError naming it."""
    with pytest.raises(AttributeError, match="no_such_thing"):
        _ = srmkit.no_such_thing  # type: ignore[attr-defined]


def test_the_lazy_names_are_the_real_objects() -> None:
    """``srmkit.Design`` is ``srmkit.design.Design`` and works on the example."""
    from srmkit.design import Design

    assert srmkit.Design is Design
    design = srmkit.Design(srmkit.load_scenario(EXAMPLE))
    assert design.verdict in ("fits", "fits_with_warnings", "does_not_fit")


def test_import_srmkit_imports_nothing_heavy() -> None:
    """``import srmkit`` (and ``srmkit.version``) loads none of numpy, pydantic, pandas, yaml or
    plotly: a fresh interpreter lists the modules it loaded."""
    code = (
        "import sys, srmkit, srmkit.version; "
        "print(' '.join(m for m in ('numpy', 'pydantic', 'pandas', 'yaml', 'plotly', "
        "'nbformat', 'playwright') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_the_help_imports_nothing_numeric() -> None:
    """``srmkit --help`` loads neither numpy nor pandas nor plotly (start-up stays quick)."""
    code = (
        "import sys\n"
        "from srmkit.cli import app\n"
        "try:\n"
        "    app(['--help'], prog_name='srmkit')\n"
        "except SystemExit:\n"
        "    pass\n"
        "print('loaded:', ' '.join(m for m in ('numpy', 'pandas', 'plotly') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().endswith("loaded:")


def test_python_dash_m_srmkit_is_the_command_line() -> None:
    """``python -m srmkit --version`` prints the version, as ``srmkit --version`` does."""
    out = subprocess.run(
        [sys.executable, "-m", "srmkit", "--version"], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == f"srmkit {srmkit.__version__}"


def test_every_srmkit_exception_is_an_srmkit_error_and_its_old_builtin() -> None:
    """The twelve exceptions share the base SrmkitError and remain the builtins callers caught;
    each has the exit code of the table in srmkit.errors."""
    from srmkit.browser import BrowserFaultError, BrowserNotFoundError, BrowserStartError
    from srmkit.errors import NoSpaceError
    from srmkit.execution import ReportError
    from srmkit.folders import FilesInTheWayError, TempFolderError
    from srmkit.limits import UnknownModelError
    from srmkit.params import ScenarioError
    from srmkit.perfmon import MeasurementError
    from srmkit.report import OutputError
    from srmkit.yamlread import YamlError

    expected = {
        ScenarioError: (ValueError, EXIT_INVALID),
        YamlError: (ValueError, EXIT_INVALID),
        MeasurementError: (ValueError, EXIT_INVALID),
        UnknownModelError: (ValueError, EXIT_INVALID),
        OutputError: (OSError, EXIT_INVALID),
        BrowserNotFoundError: (RuntimeError, EXIT_INVALID),
        ReportError: (RuntimeError, EXIT_FAILED),
        BrowserStartError: (RuntimeError, EXIT_FAILED),
        NoSpaceError: (OSError, EXIT_FAILED),
        TempFolderError: (OSError, EXIT_INVALID),
        FilesInTheWayError: (FileExistsError, EXIT_INVALID),
        BrowserFaultError: (RuntimeError, EXIT_FAILED),
    }
    doc = (srmkit.errors.__doc__ or "").splitlines()
    rows = [line.split() for line in doc if line.startswith("``srmkit.")]
    assert {r[0].strip("`").rsplit(".", 1)[1]: int(r[2]) for r in rows} == {
        cls.__name__: code for cls, (_, code) in expected.items()
    }
    for cls, (builtin, exit_code) in expected.items():
        assert issubclass(cls, SrmkitError), cls
        assert issubclass(cls, builtin), cls
        assert cls.exit_code == exit_code, cls
    assert srmkit.ScenarioError is ScenarioError


def test_the_command_line_turns_any_srmkit_error_into_a_message_and_its_exit_code() -> None:
    """An srmkit error from any command (here an unknown model in ``calc cgs``) prints
    ``error: …`` without a traceback and exits with the error's code."""
    result = CliRunner().invoke(
        app,
        [
            "calc",
            "cgs",
            "--servers",
            "2",
            "--storage-groups-per-server",
            "2",
            "--mode",
            "sync",
            "--model",
            "CX9-999",
        ],
    )
    assert result.exit_code == EXIT_INVALID
    assert "error: unknown array model 'CX9-999'" in result.stderr
    assert "Traceback" not in result.output
