"""Logic is pure and presentation thin: only the renderer imports rich, and nothing
outside the CLI package imports typer."""

from __future__ import annotations

import ast

from tests.conftest import ROOT

SRC = ROOT / "src" / "llmpick"


def imported(path: object) -> set[str]:
    tree = ast.parse(path.read_text())  # type: ignore[attr-defined]
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_only_the_renderer_imports_rich() -> None:
    users = {p.relative_to(SRC).as_posix() for p in SRC.rglob("*.py") if "rich" in imported(p)}
    assert users == {"cli/render.py"}


def test_the_library_does_not_import_typer() -> None:
    for p in SRC.rglob("*.py"):
        if p.parent.name != "cli":
            assert "typer" not in imported(p), p
