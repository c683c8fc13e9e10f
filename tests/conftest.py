"""Shared fixtures: paths of the repository and the example scenarios."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PARAMS = ROOT / "params"
EXAMPLES = sorted(p for p in PARAMS.glob("*.yaml"))
EXAMPLE = PARAMS / "example.yaml"


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run the installed ``srmkit`` command as a user would."""
    exe = Path(sys.executable).with_name("srmkit")
    return subprocess.run(
        [str(exe), *args], capture_output=True, text=True, cwd=cwd or ROOT, check=False
    )


@pytest.fixture
def need_browser() -> None:
    """Skip without Chromium, unless the run demands one (``make test`` does)."""
    from srmkit.browser import find_browser

    if find_browser() is None:
        if os.environ.get("SRMKIT_REQUIRE_BROWSER"):
            pytest.fail("no Chrome/Chromium found, but SRMKIT_REQUIRE_BROWSER is set")
        pytest.skip("no Chrome/Chromium on this machine")
