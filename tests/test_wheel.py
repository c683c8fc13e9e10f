"""An installed wheel works outside any checkout: it renders the example documents."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import EXAMPLE, ROOT

pytestmark = [pytest.mark.notebook, pytest.mark.slow, pytest.mark.timeout(600)]


def test_wheel_renders_outside_the_checkout(tmp_path: Path, need_browser: None) -> None:
    """Build the wheel, install it into a fresh venv (its dependencies seen from the development
    environment and checked against what it declares), and render the design document from a
    folder with no checkout in sight: package data, template and notebooks all come from the
    wheel."""
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(ROOT)],
        check=True,
        capture_output=True,
    )
    wheel = next(dist.glob("srmkit-*.whl"))
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    # The dependencies are the development environment's own (a .pth file, not a second
    # download and install of JupyterLab and the rest, which took most of this test's time);
    # the wheel itself goes in with pip, and pip check proves those dependencies satisfy what
    # the wheel declares.
    packages = next(Path(p) for p in sys.path if p.endswith("site-packages"))
    target = next((venv / "lib").glob("python*/site-packages"))
    (target / "dev-dependencies.pth").write_text(f"{packages}\n", encoding="utf-8")
    # ... and their data files (nbconvert's templates) under the environment's share/jupyter.
    (venv / "share").mkdir(exist_ok=True)
    (venv / "share" / "jupyter").symlink_to(Path(sys.prefix) / "share" / "jupyter")
    subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--no-deps", str(wheel)],
        check=True,
        capture_output=True,
    )
    checked = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "check"], capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stdout
    work = tmp_path / "elsewhere"
    work.mkdir()
    shutil.copy(EXAMPLE, work / "customer.yaml")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    where = subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import srmkit; print(srmkit.__file__)"],
        cwd=work,
        check=True,
        capture_output=True,
        text=True,
        env=env,
    ).stdout
    assert where.startswith(str(venv)), where
    # Every document's notebook, the method and the command table are in the wheel; the design
    # document is rendered from it (the other two render the same way, from the same template).
    listed = subprocess.run(
        [
            str(venv / "bin" / "python"),
            "-c",
            "from importlib import resources as r; "
            "print(*sorted(p.name for p in r.files('srmkit.notebooks').iterdir()), "
            "r.files('srmkit.docs').joinpath('method.md').is_file(), "
            "r.files('srmkit.data').joinpath('commands.csv').is_file())",
        ],
        cwd=work,
        check=True,
        capture_output=True,
        text=True,
        env=env,
    ).stdout.split()
    assert {
        "design_document.ipynb",
        "dr_runbook.ipynb",
        "sizing_study.ipynb",
        "build_book.ipynb",
    } <= set(listed)
    assert listed[-2:] == ["True", "True"]
    result = subprocess.run(
        [
            str(venv / "bin" / "srmkit"),
            "report",
            "customer.yaml",
            "--out",
            "out",
            "--only",
            "design",
        ],
        cwd=work,
        capture_output=True,
        text=True,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    folder = work / "out" / "northwind-traders" / "1.0"
    assert (folder / "design_document.html").stat().st_size > 100_000
    assert (folder / "design_document.pdf").read_bytes().startswith(b"%PDF")
    assert (folder / "plan.xlsx").exists()
