"""Fixtures shared by the command-line tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.hostile_http import Hostile
from tests.refresh_upstream import FIX, Upstream


@pytest.fixture
def upstream(monkeypatch: pytest.MonkeyPatch) -> Iterator[Upstream]:
    """The public tables `catalog refresh` downloads, served on the loopback interface,
    over the refresh fixture catalog (a test file may define its own, e.g. with a smaller
    download limit)."""
    monkeypatch.setenv("LLMPICK_BASE_CATALOG", str(FIX / "catalog"))
    up = Upstream().start()
    try:
        yield up
    finally:
        up.stop()


@pytest.fixture(scope="module")
def hostile() -> Iterator[Hostile]:
    """A loopback server of malicious replies (tests/hostile_http.py), one per module."""
    srv = Hostile().start()
    try:
        yield srv
    finally:
        srv.stop()
