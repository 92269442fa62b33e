"""Human output on the fictional test catalog, compared with reviewed golden files.

Every case is kept at 120 and 80 columns, and a few at 40; no line of the human
answer may be wider than the terminal. Regenerate on purpose with
LLMPICK_REGEN_GOLDEN=1 and review the diff.
"""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest
from rich.cells import cell_len

from tests.conftest import FIXTURE_CATALOG, ROOT, Result

GOLDEN = ROOT / "tests" / "golden"
CASES = {
    "welcome": (),  # a bare `llmpick`
    "providers": ("providers",),
    "models": ("models",),
    "models-search-limit": ("models", "rocket", "--limit", "2"),
    "show-variant": ("show", "rocket-7b-chat"),
    "show-retired-family": ("show", "cloudy"),
    "recommend-chat": ("recommend", "--task", "chat", "--commercial", "--gpu-memory", "24"),
    "recommend-chat-long": (
        "recommend",
        "--task",
        "chat",
        "--commercial",
        "--gpu-memory",
        "24",
        "--long",
    ),
    "recommend-empty": ("recommend", "--task", "chat", "--min-context", "1M", "--access", "open"),
    "why-excluded": ("why", "rocket-70b-instruct", "--commercial"),
    "fit": ("fit", "rocket-7b", "--gpu-memory", "16", "--context", "32k"),
    "show-snippet": ("show", "rocket-7b-chat", "--snippet", "transformers"),
    # the guide is the bundled one (the test catalog has none)
    "guide": ("guide", "--no-pager"),
    "guide-section": ("guide", "2.14", "--no-pager"),
}
ON_BUNDLED = ("guide", "guide-section")
NARROW = ("models", "providers", "recommend-chat", "show-variant", "welcome")
RUNS = [(name, 120) for name in CASES] + [(name, 80) for name in CASES]
RUNS += [(name, 40) for name in NARROW]


@pytest.mark.parametrize(("name", "width"), sorted(RUNS))
def test_golden(
    name: str, width: int, cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    if name not in ON_BUNDLED:
        monkeypatch.setenv("LLMPICK_BASE_CATALOG", str(FIXTURE_CATALOG))
    monkeypatch.setenv("COLUMNS", str(width))
    r = cli(*CASES[name])
    assert r.code == 0, r
    path = GOLDEN / (f"{name}.txt" if width == 120 else f"{name}@{width}.txt")
    if os.environ.get("LLMPICK_REGEN_GOLDEN"):
        path.write_text(r.out)
    assert r.out == path.read_text(), f"{name}: output changed; regenerate and review"
    lines = r.out.splitlines()
    if name == "show-snippet":  # code for pasting: printed as it is, never wrapped
        assert "\n".join(lines[1:]).startswith("import torch") and len(max(lines, key=len)) > 80
        return
    wide = [line for line in lines if cell_len(line.rstrip()) > width]
    assert not wide, f"{name} at {width} columns: lines wider than the terminal: {wide}"


@pytest.mark.usefixtures("fixture_catalog")
@pytest.mark.parametrize("columns", ["0", "20", "abc", ""])
def test_tiny_or_nonsense_width_prints_at_80(
    columns: str, cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    at80 = cli("models")
    monkeypatch.setenv("COLUMNS", columns)
    r = cli("models")
    assert r.code == 0 and r.out == at80.out, r
    assert "rocket-7b-chat" in r.out
