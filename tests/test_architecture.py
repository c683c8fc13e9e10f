"""The package's shape: layers import only downward, with no circle, and Design plans once."""

from __future__ import annotations

import ast
import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nbformat
import pytest
from conftest import EXAMPLE, EXAMPLES, ROOT
from typer.testing import CliRunner

import srmkit
from srmkit import planner

PACKAGE = Path(srmkit.__file__).parent

# Bottom to top. A module may import modules of its own layer or below, never above.
LAYERS: dict[str, float] = {
    "version": 0,
    "errors": 0,
    "caching": 0,
    "interrupts": 0,
    "units": 0,
    "names": 0,
    "assumptions": 0,
    "assumption_rows": 0.5,
    "recovery": 3.7,
    "protective": 3.7,
    "rules": 0,
    "limits": 0,
    "browser": 0,
    "folders": 0,
    "states": 0,
    "glossary": 0,
    "yamlread": 0,
    "perfmon": 0.5,
    "schema": 1,
    "params": 2,
    "workload": 2,
    "link": 2,
    "mvs": 2,
    "mva": 2,
    "sync_times": 2,
    "planner": 3,
    "luns": 4.5,
    "study_results": 3.5,
    "resync": 3.6,
    "server_sizing": 3.6,
    "study": 4,
    "recommend": 4.5,
    "checks": 5,
    "changes": 5.5,
    "remedy_batch": 5.8,
    "design": 6,
    "output": 7,
    "figures": 7,
    "figure_style": 7,
    "exports": 7,
    "simulation.results": 6.1,
    "simulation.model": 6.1,
    "simulation.state": 6.1,
    "simulation.run": 6.2,
    "simulation.faults": 6.25,
    "simulation.handlers": 6.3,
    "simulation.builtin": 6.3,
    "simulation": 7,
    "risk": 7,
    "commands": 0,
    "runbook_core": 7,
    "runbook_operations": 7,
    "runbook": 7,
    "variants": 6.5,
    "options": 7,
    "srm_config": 7,
    "acceptance": 7,
    "bom": 7,
    "build": 7,
    "build_scripts": 7,
    "frames": 7,
    "documents.registry": 8,
    "documents.blocks": 8,
    "documents.design_document": 8,
    "documents.dr_runbook": 8,
    "documents.sizing_study": 8,
    "documents.appendix": 8,
    "documents.recovery": 8,
    "documents.measured": 8,
    "documents.review": 8,
    "documents.finish": 8,
    "documents.build_book": 8,
    "documents": 8,
    "execution": 9,
    "printing": 9,
    "word": 9,
    "report": 9,
    "calc_cli": 9,
    "cli": 9,
    "cli_text": 9,
    "notebooks": 9,
    "workbook": 9,
    "workfolder": 9,
    "": 10,  # srmkit/__init__.py
    "__main__": 10,
}


def _module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE).with_suffix("")
    parts = [p for p in rel.parts if p != "__init__"]
    return ".".join(parts)


def _imports(path: Path) -> Iterator[str]:
    """Every srmkit module a file imports, wherever the import stands (functions and
    ``TYPE_CHECKING`` blocks included)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("srmkit"):
                    yield alias.name.removeprefix("srmkit").lstrip(".")
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("srmkit"):
            base = node.module.removeprefix("srmkit").lstrip(".")
            for alias in node.names:
                candidate = f"{base}.{alias.name}" if base else alias.name
                yield candidate if candidate in LAYERS else base


# The one import allowed upward: ``Design.frames`` imports srmkit.frames inside the property, as
# pandas' own accessors do, so a notebook user reaches the tables from the design. The frames are
# built from what the layers below computed; nothing below imports them.
ACCESSORS = {("design", "frames"), ("design", "build")}


def import_graph() -> dict[str, set[str]]:
    """srmkit module → the srmkit modules it imports (the accessor above left out)."""
    graph = {
        _module_name(path): set(_imports(path)) - {_module_name(path)}
        for path in PACKAGE.rglob("*.py")
    }
    for module, imported in ACCESSORS:
        assert imported in graph[module], f"{module} no longer imports {imported}: drop it"
        graph[module].discard(imported)
    return graph


def test_every_module_has_a_layer() -> None:
    """Each module of the package is placed in a layer (a new module must be placed)."""
    assert set(import_graph()) <= set(LAYERS)


def test_imports_go_only_downward() -> None:
    """No module imports a module of a higher layer."""
    upward = [
        (module, imported)
        for module, imports in import_graph().items()
        for imported in imports
        if LAYERS[imported] > LAYERS[module]
    ]
    assert upward == []


def test_no_import_circle() -> None:
    """The import graph has no cycle, counting imports inside functions and type-only ones."""
    graph = import_graph()
    state: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                pytest.fail("import circle: " + " → ".join([*path, node, nxt]))
            if nxt not in state:
                visit(nxt, [*path, node])
        state[node] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [])


def test_params_validates_accept_ids_without_the_rule_engine() -> None:
    """params reads rule ids from the catalogue data, not from the checks."""
    imports = import_graph()["params"]
    assert "rules" in imports
    assert not imports & {"checks", "design", "study"}


# --- the planner runs once per (scenario, year) -------------------------------------------


@pytest.fixture
def planner_calls(monkeypatch: pytest.MonkeyPatch) -> Counter[tuple[Any, ...]]:
    """Spy on the planner's two entries, :func:`srmkit.planner.plan` (today's plan with its
    mirrors) and :func:`srmkit.planner.loads` (a year's counts): calls per distinct input, i.e.
    per (scenario, year), since a year's servers differ from every other year's."""
    calls: Counter[tuple[Any, ...]] = Counter()
    real_plan, real_loads = planner.plan, planner.loads

    def key(servers, models, mode, policy):  # type: ignore[no-untyped-def]
        return (tuple(servers), tuple((n, m.model) for n, m in models.items()), mode, policy)

    def plan_spy(servers, models, mode, policy, explicit=None):  # type: ignore[no-untyped-def]
        calls[(*key(servers, models, mode, policy), "plan", bool(explicit))] += 1
        return real_plan(servers, models, mode, policy, explicit)

    def loads_spy(servers, models, mode, policy):  # type: ignore[no-untyped-def]
        calls[(*key(servers, models, mode, policy), "loads")] += 1
        return real_loads(servers, models, mode, policy)

    monkeypatch.setattr(planner, "plan", plan_spy)
    monkeypatch.setattr(planner, "loads", loads_spy)
    return calls


def _run_notebook_in_process(notebook: Path, params: Path) -> None:
    """Execute a notebook's code cells in this process, with params_file set as papermill would."""
    nb = nbformat.read(notebook, as_version=4)
    namespace: dict[str, Any] = {}
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        exec(compile(cell.source, str(notebook), "exec"), namespace)
        if "parameters" in cell.metadata.get("tags", []):
            namespace["params_file"] = str(params)


def test_design_document_plans_each_scenario_and_year_once(
    planner_calls: Counter[tuple[Any, ...]],
) -> None:
    """Rendering the design document's cells plans every (scenario, year) exactly once."""
    _run_notebook_in_process(ROOT / "notebooks" / "design_document.ipynb", EXAMPLE)
    assert planner_calls, "the notebook never planned"
    assert max(planner_calls.values()) == 1
    years = {key[0][0].storage_groups for key in planner_calls}
    assert len(years) > 1  # today and grown years were planned, each once


@pytest.mark.parametrize("command", ["size", "plan", "check"])
@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_cli_commands_plan_each_scenario_and_year_once(
    command: str, example: Path, planner_calls: Counter[tuple[Any, ...]]
) -> None:
    """`srmkit size`, `plan` and `check` plan every (scenario, year) exactly once."""
    from srmkit.cli import app

    result = CliRunner().invoke(app, [command, str(example)])
    assert result.exit_code in (0, 1), result.output
    assert planner_calls
    assert max(planner_calls.values()) == 1


def test_size_json_has_no_private_keys() -> None:
    """`srmkit size --format json` carries no ``__…`` key (no pydantic internals leak)."""
    from srmkit.cli import app

    data = json.loads(CliRunner().invoke(app, ["size", str(EXAMPLE), "--format", "json"]).output)

    def keys(value: Any) -> Iterator[str]:
        if isinstance(value, dict):
            for k, v in value.items():
                yield k
                yield from keys(v)
        elif isinstance(value, list):
            for v in value:
                yield from keys(v)

    assert not [k for k in keys(data) if k.startswith("__")]
