"""Fixtures for the eval tests: the scripted OpenAI-compatible server and file makers."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.eval.fake_openai import FakeOpenAI


@pytest.fixture
def server() -> Iterator[FakeOpenAI]:
    srv = FakeOpenAI().start()
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture
def write_cases(tmp_path: Path):  # type: ignore[no-untyped-def]
    def write(cases: list[dict[str, Any]], name: str = "cases.jsonl") -> str:
        p = tmp_path / name
        if name.endswith(".jsonl"):
            p.write_text("".join(json.dumps(c) + "\n" for c in cases))
        else:
            p.write_text(yaml.safe_dump(cases, sort_keys=False))
        return str(p)

    return write


@pytest.fixture
def write_targets(tmp_path: Path):  # type: ignore[no-untyped-def]
    def write(targets: list[dict[str, Any]], name: str = "targets.yaml") -> str:
        p = tmp_path / name
        p.write_text(yaml.safe_dump({"targets": targets}, sort_keys=False))
        return str(p)

    return write
