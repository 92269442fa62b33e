"""The eval report a real run prints has the shape evaluation/report_types.py declares:
every key, no more, each value of its type. mypy checks the builder and the readers
against those types, but the builder copies values out of untyped result records;
this run shows that the types say what the document holds."""

from __future__ import annotations

import json
from typing import Any

from llmpick.evaluation.report_types import EvalReport, TargetRow
from tests.doc_types import problems
from tests.eval.fake_openai import FakeOpenAI

CASES = [
    {"id": "capital", "prompt": "Capital? <<Paris>>", "expect": {"judge": "names Paris"}},
    {"id": "sum", "prompt": "2+2? <<4>>", "expect": {"equals": "4", "max_cost_usd": 1}},
]


def target(srv: FakeOpenAI, name: str, served: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "base_url": srv.url, "served_as": served, **extra}


def test_a_real_report_has_the_declared_shape(cli, server, write_cases, write_targets) -> None:
    """Targets of every outcome: priced and self-hosted, passing, failing, streamed,
    without usage, cut at the token limit, empty, failing with errors, unknown to the
    server; a judge; each case asked twice."""
    tg = write_targets(
        [
            target(server, "priced", "right", prices={"input": 1, "output": 2}, self_hosted=False),
            target(server, "wrong", "wrong"),
            target(server, "streamed", "stream", system="Be brief."),
            target(server, "unmetered", "nousage"),
            target(server, "long", "long"),
            target(server, "cut", "cut"),
            target(server, "broken", "e500"),
            target(server, "gone", "missing"),
            target(server, "grader", "judge", prices={"input": 1, "output": 1}, self_hosted=False),
        ]
    )
    r = cli("eval", write_cases(CASES), "--targets", tg, "--judge", "grader", "--repeat", "2",
            "--json")  # fmt: skip
    doc = json.loads(r.out)
    assert problems(doc, EvalReport) == []
    statuses = {t["status"] for t in doc["targets"]}
    assert statuses == {"ok", "unreachable"}, statuses
    assert doc["judge"] and doc["recommendation"] and doc["unreachable"]
    failures = [f for t in doc["targets"] for f in t["failures"]]
    assert {f["outcome"] for f in failures} >= {"fail", "empty", "error"}


def test_the_check_sees_a_drift() -> None:
    """The comparison is not vacuous: a key too many, a key missing, a value of another
    type and a value outside a Literal are each found."""
    row: dict[str, Any] = {
        "name": "t", "model": None, "served_as": "m", "base_url": "http://h/v1",
        "self_hosted": True, "price": None, "price_note": "", "system": None,
        "status": "ok", "planned": 1, "total": 1, "passed": 1, "failed": 0, "empty": 0,
        "errors": 0, "truncated": 0, "cached": 0, "not_run": 0, "pass_rate": 1.0,
        "pass_rate_interval": [0.2, 1.0], "latency_s": {"p50": 0.1, "p95": 0.1},
        "ttft_s": None, "output_tokens_per_s": None, "tokens": {"input": 1, "output": 1},
        "cost_usd": 0.0, "cost_per_answer_usd": 0.0, "checks": {}, "retries": 0,
        "top_errors": [], "stopped": None, "notes": [], "failures": [],
    }  # fmt: skip
    assert problems(row, TargetRow) == []
    assert problems({**row, "extra": 1}, TargetRow) == ["doc.extra: not in TargetRow"]
    assert problems({k: v for k, v in row.items() if k != "notes"}, TargetRow) == [
        "doc.notes: missing"
    ]
    assert problems({**row, "passed": "1"}, TargetRow) == ["doc.passed: '1' is not int"]
    assert problems({**row, "passed": True}, TargetRow) == ["doc.passed: True is not int"]
    assert problems({**row, "status": "fine"}, TargetRow)
    assert problems({**row, "pass_rate_interval": [0.2, "x"]}, TargetRow)
