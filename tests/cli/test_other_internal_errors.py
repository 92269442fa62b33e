"""Inputs that ended in "internal error" or a wrong exit: a shortlist with fields of the
wrong type, one overlay named twice, and an export through a symbolic link."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import Result

Cli = Callable[..., Result]


@pytest.mark.parametrize(
    "candidate",
    [
        {"id": "m", "api": "m", "pricing": "cheap"},
        {"id": "m", "api": "m", "capabilities": 5},
        {"id": "m", "api": ["m"], "pricing": {"input_per_1m": "1", "output_per_1m": -2}},
        {"id": "m", "name": {"x": 1}, "ollama": 7, "hf_repo": None},
    ],
)
def test_a_shortlist_with_wrong_types_is_read_as_unknowns(
    cli: Cli, tmp_path: Path, candidate: dict[str, object]
) -> None:
    sl = tmp_path / "shortlist.json"
    sl.write_text(json.dumps({"candidates": [candidate]}))
    cases = tmp_path / "cases.jsonl"
    cases.write_text('{"id": "a", "prompt": "x", "expect": {"equals": "x"}}\n')
    r = cli(
        "eval", str(cases), "--shortlist", str(sl), "--base-url", "http://127.0.0.1:9/v1",
        "--retries", "0", "--json",
    )  # fmt: skip
    assert "internal error" not in r.err and "Traceback" not in r.err, r
    assert r.code in (1, 2), r  # nothing answered, or nothing this server can serve


def _overlay(tmp_path: Path) -> Path:
    d = tmp_path / "org"
    d.mkdir()
    (d / "licenses.yaml").write_text(
        "org-terms:\n  name: Our terms\n  commercial_use: conditional\n  condition: Ask legal.\n"
    )
    return d


@pytest.mark.usefixtures("fixture_catalog")
def test_one_overlay_named_twice_is_one_overlay(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    d = _overlay(tmp_path)
    monkeypatch.setenv("LLMPICK_CATALOG", str(d))
    r = cli("--catalog", str(d), "models", "--json")
    assert r.code == 0, r
    monkeypatch.setenv("LLMPICK_CATALOG", f"{d}:{d}/")
    r = cli("models", "--json")
    assert r.code == 0, r


@pytest.mark.usefixtures("fixture_catalog")
def test_an_export_through_a_symlink_writes_the_file_it_points_at(cli: Cli, tmp_path: Path) -> None:
    real = tmp_path / "real.json"
    real.write_text("{}")
    link = tmp_path / "link.json"
    link.symlink_to(real)
    r = cli("recommend", "--task", "chat", "--no-input", "--export", str(link))
    assert r.code == 0, r
    assert link.is_symlink(), "the link was replaced by a plain file"
    assert json.loads(real.read_text())["candidates"]
