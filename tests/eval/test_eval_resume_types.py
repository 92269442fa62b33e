"""A results line of the wrong shape on --resume is not trusted: it is counted as
unreadable and its request is run again, never a crash of the report."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.eval.fake_openai import FakeOpenAI

GOOD = {
    "target": "t", "case": "a", "repeat": 0, "outcome": "pass",
    "checks": [{"kind": "equals", "outcome": "pass"}], "answer": "x", "error": None,
    "status": 200, "attempts": 1, "latency_s": 0.1, "ttft_s": None, "prompt_tokens": 1,
    "completion_tokens": 1, "streamed": False, "finish_reason": "stop",
}  # fmt: skip


@pytest.mark.parametrize(
    "damage",
    [
        {"checks": [{"outcome": "pass"}]},
        {"checks": "all good"},
        {"attempts": "many"},
        {"attempts": -3},
        {"latency_s": "fast"},
        {"latency_s": -1.0},
        {"prompt_tokens": 1.5},
        {"completion_tokens": -300000000},
        {"answer": ["x"]},
        {"judge": {"attempts": "x"}},
    ],
    ids=lambda d: f"{next(iter(d))}={next(iter(d.values()))!r}"[:30],
)
def test_a_results_line_of_the_wrong_shape_is_run_again(
    cli: Any, server: FakeOpenAI, write_cases: Any, write_targets: Any, tmp_path: Path,
    damage: dict[str, Any],
) -> None:  # fmt: skip
    cases = write_cases([{"id": "a", "prompt": "<<x>>", "expect": {"equals": "x"}}])
    targets = write_targets([{"name": "t", "base_url": server.url, "served_as": "right"}])
    out = tmp_path / "out.jsonl"
    out.write_text(json.dumps({**GOOD, **damage}) + "\n")
    r = cli("eval", cases, "--targets", targets, "--out", str(out), "--resume", "--json")
    assert r.code == 0, r
    assert "internal error" not in r.err, r
    doc = json.loads(r.out)
    assert doc["targets"][0]["passed"] == 1
    assert "1 unreadable lines" in " ".join(doc["notes"])
    assert len(server.requests_for("right")) == 1  # asked again


def test_a_good_results_line_is_kept(
    cli: Any, server: FakeOpenAI, write_cases: Any, write_targets: Any, tmp_path: Path
) -> None:
    cases = write_cases([{"id": "a", "prompt": "<<x>>", "expect": {"equals": "x"}}])
    targets = write_targets([{"name": "t", "base_url": server.url, "served_as": "right"}])
    out = tmp_path / "out.jsonl"
    r = cli("eval", cases, "--targets", targets, "--out", str(out))
    assert r.code == 0, r
    again = cli("eval", cases, "--targets", targets, "--out", str(out), "--resume", "--json")
    assert again.code == 0 and len(server.requests_for("right")) == 1, again
