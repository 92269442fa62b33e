"""Fixtures for the eval tests: file makers (the scripted server, ``server``, is in
tests/conftest.py)."""

from __future__ import annotations

import json
from functools import partial
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.eval import fake_openai


def write_cases_in(d: Path, cases: list[dict[str, Any]], name: str = "cases.jsonl") -> str:
    """A cases file in ``d``: JSON lines, or YAML when ``name`` says so; its path."""
    p = d / name
    if name.endswith(".jsonl"):
        p.write_text("".join(json.dumps(c) + "\n" for c in cases))
    else:
        p.write_text(yaml.safe_dump(cases, sort_keys=False))
    return str(p)


def write_targets_in(d: Path, targets: list[dict[str, Any]], name: str = "targets.yaml") -> str:
    """A targets file in ``d``; its path."""
    p = d / name
    p.write_text(yaml.safe_dump({"targets": targets}, sort_keys=False))
    return str(p)


@pytest.fixture
def write_cases(tmp_path: Path):  # type: ignore[no-untyped-def]
    return partial(write_cases_in, tmp_path)


@pytest.fixture
def write_targets(tmp_path: Path):  # type: ignore[no-untyped-def]
    return partial(write_targets_in, tmp_path)


@pytest.fixture
def quick_slow(monkeypatch: pytest.MonkeyPatch) -> float:
    """The scripted server's ``slow`` model answers after 0.1 s instead of 0.3 s, for the
    tests that need answers in flight or coming in over time (concurrency, Ctrl-C
    mid-run, a progress display), not a given delay: every answer waited for is idle
    time of a test runner. The delay set, for tests that count with it."""
    monkeypatch.setattr(fake_openai, "SLOW", 0.1)
    return fake_openai.SLOW
