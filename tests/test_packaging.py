"""Packaging: one list of dependencies, package data shipped, notebooks committed clean."""

from __future__ import annotations

import json
import re
import tomllib
from importlib import resources

import yaml
from conftest import ROOT

import srmkit


def _extras(install_arg: str) -> set[str]:
    match = re.search(r"\.\[([a-z,\s-]+)\]", install_arg)
    assert match, install_arg
    return {e.strip() for e in match.group(1).split(",")}


def test_environment_yml_installs_this_package_with_the_dev_extras() -> None:
    """environment.yml pip-installs this package with the extras the Makefile installs."""
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    pip_entries = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert len(pip_entries) == 1
    assert pip_entries[0].startswith("-e ")
    make_install = next(
        line
        for line in (ROOT / "Makefile").read_text().splitlines()
        if "pip install" in line and "-e" in line
    )
    assert _extras(pip_entries[0]) == _extras(make_install)
    assert _extras(pip_entries[0]) <= set(pyproject["project"]["optional-dependencies"])
    python = next(d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python="))
    assert pyproject["project"]["requires-python"] == ">=" + python.split("=")[1]


def test_package_data_is_installed() -> None:
    """The CSV tables, the document template and py.typed travel with the package."""
    files = resources.files("srmkit")
    for name in (
        "py.typed",
        "data/model_limits.csv",
        "data/exchange_profiles.csv",
        "data/daily_profile.csv",
        "templates/srmkit_document/index.html.j2",
    ):
        assert files.joinpath(name).is_file(), name
    assert srmkit.__version__


def test_notebooks_are_committed_without_outputs() -> None:
    """Notebooks hold no outputs or execution counts; the first cell is tagged parameters."""
    for path in (ROOT / "notebooks").glob("*.ipynb"):
        nb = json.loads(path.read_text(encoding="utf-8"))
        code = [c for c in nb["cells"] if c["cell_type"] == "code"]
        assert all(not c["outputs"] and c["execution_count"] is None for c in code), path
        assert "parameters" in code[0]["metadata"].get("tags", []), path
        source = "".join("".join(c["source"]) for c in code)
        for word in ("def ", "class ", "for "):
            assert word not in source, (path, word)


def test_ci_runs_the_readme_test_command() -> None:
    """.ci/run calls `make test` and nothing else; the README shows both commands."""
    ci = [
        line
        for line in (ROOT / ".ci" / "run").read_text().splitlines()
        if line and not line.startswith("#")
    ]
    assert ci[-1] == "make test"
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make report" in readme
    assert "make test" in readme
