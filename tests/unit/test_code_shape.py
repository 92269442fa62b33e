"""The shape a newcomer can read: no function longer than a screen and a half (80
lines, its signature included), and none that radon grades D or worse (cyclomatic
complexity over 20) unless the line above its ``def`` says why, as ``# radon D: ...``.

CONTRIBUTING explains the rule; this test names every function that breaks it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import ROOT, source_nodes, source_tree

SRC = ROOT / "src" / "llmpick"
MAX_LINES = 80
MAX_COMPLEXITY = 20  # radon grade C at most; D starts at 21


def _sources() -> list[tuple[str, Path]]:
    return [(str(p.relative_to(ROOT)), p) for p in sorted(SRC.rglob("*.py"))]


def _explained(lines: list[str], lineno: int) -> bool:
    """A ``# radon D: why`` comment directly above the def (or its decorators)."""
    i = lineno - 2
    while i >= 0 and lines[i].lstrip().startswith("@"):
        i -= 1
    return i >= 0 and lines[i].lstrip().startswith("# radon D:") and len(lines[i]) > 20


def test_no_function_is_longer_than_80_lines() -> None:
    long = []
    for name, path in _sources():
        for node in source_nodes(path):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
                size = (node.end_lineno or node.lineno) - first + 1
                if size > MAX_LINES:
                    long.append(f"{name}:{node.lineno} {node.name} ({size} lines)")
    assert not long, "functions over 80 lines:\n" + "\n".join(long)


def test_no_function_is_graded_d_or_worse_without_a_reason() -> None:
    radon = pytest.importorskip("radon.complexity", reason="radon is in the test extra")
    complex_ = []
    for name, path in _sources():
        lines = path.read_text().splitlines()
        for block in radon.cc_visit_ast(source_tree(path)):
            blocks = [block, *getattr(block, "closures", [])]
            for b in blocks:
                if b.complexity > MAX_COMPLEXITY and not _explained(lines, b.lineno):
                    complex_.append(f"{name}:{b.lineno} {b.fullname} (complexity {b.complexity})")
    assert not complex_, "grade D or worse, with no '# radon D:' reason:\n" + "\n".join(complex_)
