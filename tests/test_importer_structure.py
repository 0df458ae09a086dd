"""The importer stays untangled (issue #22): its modules import each other without a cycle, never
through a function-local import of a project module (the old way of hiding a cycle), no module takes
a private (``_name``) from another, and every module fits a line budget.

The graph is read from the source with ``ast``, so an import inside a function counts as much as one
at the top; the checker is itself tested on a small package that has a hidden cycle."""
from __future__ import annotations

import ast
import graphlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "analytics.importer"
PACKAGE_DIR = ROOT / "analytics" / "importer"
LINE_BUDGET = 400
PROJECT_DIRS = ("analytics", "ui", "pages", "bench", "tests")


def _module_names(package_dir: Path, package: str) -> dict[str, Path]:
    names = {}
    for path in sorted(package_dir.glob("*.py")):
        names[package if path.stem == "__init__" else f"{package}.{path.stem}"] = path
    return names


def _imported(node: ast.AST, package: str, modules: dict[str, Path]) -> list[tuple[str, list[str]]]:
    """(module, names taken) for one import statement; a ``from package import submodule`` names the
    submodule, a ``from package import name`` the package itself."""
    if isinstance(node, ast.Import):
        return [(alias.name, []) for alias in node.names]
    if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
        if node.module == package:
            found = []
            for alias in node.names:
                sub = f"{package}.{alias.name}"
                found.append((sub, []) if sub in modules else (package, [alias.name]))
            return found
        return [(node.module, [alias.name for alias in node.names])]
    return []


def module_graph(package_dir: Path, package: str) -> dict[str, set[str]]:
    """Module → the package's modules it imports, wherever the import statement stands."""
    modules = _module_names(package_dir, package)
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            for target, _ in _imported(node, package, modules):
                if target in modules and target != name:
                    graph[name].add(target)
    return graph


def cycle(graph: dict[str, set[str]]) -> list[str] | None:
    try:
        tuple(graphlib.TopologicalSorter(graph).static_order())
    except graphlib.CycleError as error:
        return list(error.args[1])
    return None


def local_project_imports(path: Path) -> list[str]:
    """Imports of project modules inside functions ("module:line")."""
    found = []
    for function in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for node in ast.walk(function):
            modules = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            if any(m == "analytics" or m.startswith("analytics.") for m in modules):
                found.append(f"{path.name}:{node.lineno}")
    return found


def test_the_importer_modules_form_no_cycle():
    graph = module_graph(PACKAGE_DIR, PACKAGE)
    assert len(graph) > 10, graph          # the walk found the package
    assert cycle(graph) is None, f"import cycle: {' → '.join(cycle(graph))}"


def test_no_importer_module_imports_a_project_module_inside_a_function():
    found = [hit for path in sorted(PACKAGE_DIR.glob("*.py")) for hit in local_project_imports(path)]
    assert found == [], f"function-local imports of project modules: {found}"


def test_nobody_imports_a_private_name_of_the_importer():
    """Private names stay in their module: not taken by another importer module, nor from outside."""
    found = []
    files = [p for d in PROJECT_DIRS for p in (ROOT / d).rglob("*.py")]
    for path in files:
        inside = PACKAGE_DIR in path.parents
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ImportFrom) or not node.module:
                continue
            ours = node.module == PACKAGE or node.module.startswith(PACKAGE + ".")
            project = node.module.split(".")[0] in ("analytics", "ui", "pages")
            if ours or (inside and project):
                found += [f"{path.relative_to(ROOT)}:{node.lineno} {alias.name}" for alias in node.names
                          if alias.name.startswith("_") and not alias.name.startswith("__")]
    assert found == [], f"private names imported: {found}"


@pytest.mark.parametrize("path", sorted(PACKAGE_DIR.glob("*.py")), ids=lambda p: p.name)
def test_every_importer_module_fits_the_line_budget(path):
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= LINE_BUDGET, f"{path.name}: {lines} lines (budget {LINE_BUDGET}): split it by concern"


# -- the checker itself ----------------------------------------------------------------------------------
def _package(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "pkg"
    root.mkdir()
    for name, text in files.items():
        (root / name).write_text(text, encoding="utf-8")
    return root


def test_the_checker_finds_a_cycle_hidden_in_a_function(tmp_path):
    root = _package(tmp_path, {
        "__init__.py": "from pkg.a import run\n",
        "a.py": "from pkg import b\n\ndef run():\n    return b.helper()\n",
        "b.py": "def helper():\n    from pkg.a import run\n    return run\n",
    })
    graph = module_graph(root, "pkg")
    assert graph == {"pkg": {"pkg.a"}, "pkg.a": {"pkg.b"}, "pkg.b": {"pkg.a"}}
    assert set(cycle(graph)) == {"pkg.a", "pkg.b"}


def test_the_checker_finds_a_function_local_project_import(tmp_path):
    root = _package(tmp_path, {"a.py": "import os\n\ndef run():\n    import json\n"
                                       "    from analytics.store import Store\n    return Store\n"})
    assert local_project_imports(root / "a.py") == ["a.py:5"]


def test_the_checker_sees_a_submodule_cycle_through_the_package(tmp_path):
    """A module taking a name from its own package's __init__ (which imports that module) is a cycle."""
    root = _package(tmp_path, {"__init__.py": "from pkg.a import run\n",
                               "a.py": "from pkg import run as again\n\ndef run():\n    return again\n"})
    assert cycle(module_graph(root, "pkg")) is not None
