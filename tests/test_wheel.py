"""An installed wheel works outside any checkout: it renders the example documents."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import EXAMPLE, MEASURED, ROOT, copy_measured

from srmkit.browser import offline_page, wait_for_figures

pytestmark = [pytest.mark.notebook, pytest.mark.slow, pytest.mark.timeout(600)]


def _link_jupyter_data(source: Path, target: Path) -> None:
    """``target`` (a share/jupyter) as real folders holding links to every entry of ``source``,
    down to nbconvert's templates, but srmkit's (an editable install may have linked one)."""
    for entry in source.iterdir():
        if entry.name == "nbconvert":
            templates = target / "nbconvert" / "templates"
            templates.mkdir(parents=True)
            for template in (entry / "templates").iterdir():
                if template.name != "srmkit_document":
                    (templates / template.name).symlink_to(template)
        else:
            target.mkdir(parents=True, exist_ok=True)
            (target / entry.name).symlink_to(entry)


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
    # Without its own pip (3 s to install it): pip comes with the dependencies below.
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    # The dependencies are the development environment's own (a .pth file, not a second
    # download and install of JupyterLab and the rest, which took most of this test's time);
    # the wheel itself goes in with pip, and pip check proves those dependencies satisfy what
    # the wheel declares.
    packages = next(Path(p) for p in sys.path if p.endswith("site-packages"))
    target = next((venv / "lib").glob("python*/site-packages"))
    (target / "dev-dependencies.pth").write_text(f"{packages}\n", encoding="utf-8")
    # ... and their data files (nbconvert's templates) under the environment's share/jupyter,
    # linked one by one: the wheel installs its own template beside them, never through a link
    # into the development environment.
    _link_jupyter_data(Path(sys.prefix) / "share" / "jupyter", venv / "share" / "jupyter")
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
    copy_measured(work)  # EXMBX01's Performance Monitor log, beside the scenario as it names it
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
            "--to",
            "html,pdf",  # Word goes through the same package data (test_word has it)
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
    # nbconvert finds the template by name where the wheel installed it (share/jupyter, a copy
    # of the package's) and renders the executed notebook offline with its own plotly.js.
    installed = venv / "share" / "jupyter" / "nbconvert" / "templates" / "srmkit_document"
    template = ROOT / "srmkit" / "templates" / "srmkit_document"
    for name in ("index.html.j2", "conf.json"):
        assert (installed / name).read_bytes() == (template / name).read_bytes()
    env.pop("JUPYTER_PATH", None)
    python = str(venv / "bin" / "python")
    named = work / "named"
    notebook = str(folder / "design_document.ipynb")
    by_name = ("--to", "html", "--no-input", "--template", "srmkit_document")
    converted = subprocess.run(
        [python, "-m", "nbconvert", *by_name, "--output-dir", str(named), notebook],
        cwd=work,
        capture_output=True,
        text=True,
        env=env,
    )
    assert converted.returncode == 0, converted.stderr
    assert 'content="srmkit"' in (named / "design_document.html").read_text(encoding="utf-8")
    with offline_page() as (page, refused):
        page.goto((named / "design_document.html").as_uri(), wait_until="load")
        assert wait_for_figures(page) >= 3
        assert refused == []
    # srmkit init finds the example scenario where the wheel installed it (share/srmkit).
    init = (
        "from pathlib import Path; from srmkit.workfolder import init_folder as i; i(Path('mine'))"
    )
    subprocess.run([python, "-c", init], cwd=work, check=True, env=env)
    assert (work / "mine" / "scenario.yaml").read_bytes() == EXAMPLE.read_bytes()
    for log in MEASURED.iterdir():  # and its log, installed beside it (share/srmkit/measured)
        assert (work / "mine" / "measured" / log.name).read_bytes() == log.read_bytes()
    assert 'params_file = \\"scenario.yaml\\"' in (
        work / "mine" / "design_document.ipynb"
    ).read_text(encoding="utf-8")
