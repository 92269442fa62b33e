"""Human output on the fictional test catalog, compared with reviewed golden files.

Regenerate on purpose with LLMPICK_REGEN_GOLDEN=1 and review the diff.
"""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest

from tests.conftest import ROOT, Result

GOLDEN = ROOT / "tests" / "golden"
CASES = {
    "providers": ("providers",),
    "models": ("models",),
    "show-variant": ("show", "rocket-7b-chat"),
    "show-retired-family": ("show", "cloudy"),
    "recommend-chat": ("recommend", "--task", "chat", "--commercial", "--gpu-memory", "24"),
    "recommend-empty": ("recommend", "--task", "chat", "--min-context", "1M", "--access", "open"),
    "why-excluded": ("why", "rocket-70b-instruct", "--commercial"),
    "fit": ("fit", "rocket-7b", "--gpu-memory", "16", "--context", "32k"),
}


@pytest.mark.usefixtures("fixture_catalog")
@pytest.mark.parametrize("name", sorted(CASES))
def test_golden(name: str, cli: Callable[..., Result]) -> None:
    r = cli(*CASES[name])
    assert r.code == 0, r
    path = GOLDEN / f"{name}.txt"
    if os.environ.get("LLMPICK_REGEN_GOLDEN"):
        path.write_text(r.out)
    assert r.out == path.read_text(), f"{name}: output changed; regenerate and review"
