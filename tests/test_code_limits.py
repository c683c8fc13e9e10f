"""Size limits that keep srmkit readable: no module over 900 lines, no function over 120 lines."""

from __future__ import annotations

import ast
from pathlib import Path

import srmkit

PACKAGE = Path(srmkit.__file__).parent
MAX_MODULE_LINES = 900
MAX_FUNCTION_LINES = 120


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def _long_functions(path: Path, root: Path = PACKAGE.parent) -> list[str]:
    """``module:line name (N lines)`` for every function or method longer than the limit."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            start = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            lines = (node.end_lineno or node.lineno) - start + 1
            if lines > MAX_FUNCTION_LINES:
                name = path.relative_to(root)
                out.append(f"{name}:{node.lineno} {node.name} ({lines} lines)")
    return out


def test_no_module_over_the_limit() -> None:
    """Every module of srmkit has at most 900 lines."""
    long = {
        str(p.relative_to(PACKAGE.parent)): n
        for p in _modules()
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert not long, f"modules over {MAX_MODULE_LINES} lines: {long}"


def test_no_function_over_the_limit() -> None:
    """Every function and method of srmkit, decorators included, has at most 120 lines."""
    long = [f for p in _modules() for f in _long_functions(p)]
    assert not long, f"functions over {MAX_FUNCTION_LINES} lines: {long}"


def test_the_function_limit_sees_a_long_function(tmp_path: Path) -> None:
    """The check finds a function one line over the limit and passes one at the limit."""
    body = "\n".join(f"    x{i} = {i}" for i in range(MAX_FUNCTION_LINES - 1))
    (tmp_path / "at.py").write_text(f"def at():\n{body}\n", encoding="utf-8")
    (tmp_path / "over.py").write_text(f"def over():\n{body}\n    return 0\n", encoding="utf-8")
    assert _long_functions(tmp_path / "at.py", tmp_path) == []
    assert _long_functions(tmp_path / "over.py", tmp_path) == [
        f"over.py:1 over ({MAX_FUNCTION_LINES + 1} lines)"
    ]
