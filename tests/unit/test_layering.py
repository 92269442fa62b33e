"""Logic is pure and presentation thin: only the renderer imports rich, nothing outside
the CLI package imports typer, imports between the packages go one way, and no modules
import each other in a circle."""

from __future__ import annotations

import ast

from tests.conftest import ROOT, source_nodes

SRC = ROOT / "src" / "llmpick"


def imported(path: object) -> set[str]:
    names: set[str] = set()
    for node in source_nodes(path):  # type: ignore[arg-type]
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_only_the_renderer_imports_rich() -> None:
    users = {p.relative_to(SRC).as_posix() for p in SRC.rglob("*.py") if "rich" in imported(p)}
    assert users
    assert all(u.startswith("cli/render/") for u in users), users


def test_the_library_does_not_import_typer() -> None:
    for p in SRC.rglob("*.py"):
        if p.parent.name != "cli":
            assert "typer" not in imported(p), p


# Lower layers never import higher ones (function-level imports included). Shared
# helpers (units, errors, files, ...) sit below everything; `evaluation` stands beside
# the advice and uses only the shared helpers.
LAYERS: dict[str, int] = {
    "errors": 0,
    "vocabulary": 0,
    "units": 0,
    "safetext": 0,
    "suggest": 0,
    "clock": 0,
    "files": 1,
    "export": 2,
    "http": 1,
    "yamlsafe": 2,
    "jsonsafe": 1,
    "hardware": 2,
    "catalog": 3,
    "guide": 4,
    "engine": 4,
    "advice": 5,
    "evaluation": 5,
    "output": 6,
    "cli": 7,
    "__main__": 8,
}


def llmpick_imports(path: object) -> set[str]:
    """The top-level llmpick units (package or module) that ``path`` imports."""
    units: set[str] = set()
    for node in source_nodes(path):  # type: ignore[arg-type]
        modules: list[str] = []
        if isinstance(node, ast.Import):
            modules = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            modules = [node.module]
            if node.module == "llmpick":
                modules = [f"llmpick.{a.name}" for a in node.names]
        for m in modules:
            parts = m.split(".")
            if parts[0] == "llmpick" and len(parts) > 1 and parts[1] in LAYERS:
                units.add(parts[1])
    return units


def unit_of(path: object) -> str:
    return path.relative_to(SRC).parts[0].removesuffix(".py")  # type: ignore[attr-defined]


def test_every_unit_has_a_layer() -> None:
    units = {unit_of(p) for p in SRC.rglob("*.py")} - {"__init__"}
    assert units <= set(LAYERS), units - set(LAYERS)


def test_imports_go_one_way() -> None:
    upward = sorted(
        (unit_of(p), used)
        for p in SRC.rglob("*.py")
        if unit_of(p) in LAYERS
        for used in llmpick_imports(p)
        if used != unit_of(p) and LAYERS[used] >= LAYERS[unit_of(p)]
    )
    assert not upward, upward


def module_of(path: object) -> str:
    rel = path.relative_to(SRC).with_suffix("")  # type: ignore[attr-defined]
    parts = ["llmpick", *rel.parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def module_imports(path: object, modules: set[str]) -> set[str]:
    """The llmpick modules that ``path`` imports (function-level imports included):
    ``from a.b import c`` names ``a.b.c`` when that is a module, else ``a.b``."""
    found: set[str] = set()
    for node in source_nodes(path):  # type: ignore[arg-type]
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name in modules}
        elif isinstance(node, ast.ImportFrom) and node.module in modules:
            for a in node.names:
                sub = f"{node.module}.{a.name}"
                found.add(sub if sub in modules else node.module)
    return found


def test_no_import_circles() -> None:
    """Modules import each other one way only, within packages too (emit, render and
    state once did not): each strongly connected group of the import graph is one module."""
    paths = {module_of(p): p for p in SRC.rglob("*.py")}
    graph = {m: module_imports(p, set(paths)) - {m} for m, p in paths.items()}
    # Tarjan's strongly connected components
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    circles: list[list[str]] = []

    def visit(m: str) -> None:
        index[m] = low[m] = len(index)
        stack.append(m)
        for n in graph[m]:
            if n not in index:
                visit(n)
                low[m] = min(low[m], low[n])
            elif n in stack:
                low[m] = min(low[m], index[n])
        if low[m] == index[m]:
            group = []
            while True:
                n = stack.pop()
                group.append(n)
                if n == m:
                    break
            if len(group) > 1:
                circles.append(sorted(group))

    for m in graph:
        if m not in index:
            visit(m)
    assert not circles, circles
