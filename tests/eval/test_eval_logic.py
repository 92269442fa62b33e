"""The pure parts of eval: case files, checks, statistics, targets and the report."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from llmpick.errors import ExitCode
from llmpick.evaluation.cases import Case, InputError, load_cases
from llmpick.evaluation.checks import (
    case_outcome,
    check_contains,
    check_equals,
    check_json_schema,
    check_regex,
    judge_verdict,
)
from llmpick.evaluation.report import build_report, recommend
from llmpick.evaluation.stats import percentile, wilson
from llmpick.evaluation.targets import (
    ModelInfo,
    TargetSpec,
    chat_url,
    default_served_as,
    is_local,
    resolve_target,
)
from llmpick.units import format_usd

# --- case files -----------------------------------------------------------------


def problems(tmp_path: Path, name: str, text: str) -> list[str]:
    p = tmp_path / name
    p.write_text(text)
    with pytest.raises(InputError) as info:
        load_cases(p)
    assert info.value.exit_code == ExitCode.USAGE
    return [str(x).replace(f"{tmp_path}/", "") for x in info.value.problems]


def test_jsonl_and_yaml_cases_load_alike(tmp_path: Path) -> None:
    case = {"id": 1, "prompt": "hi", "expect": {"contains": ["a", "b"]}}
    (tmp_path / "c.jsonl").write_text(json.dumps(case) + "\n\n")
    (tmp_path / "c.yaml").write_text("- id: 1\n  prompt: hi\n  expect: {contains: [a, b]}\n")
    a, b = load_cases(tmp_path / "c.jsonl"), load_cases(tmp_path / "c.yaml")
    assert a == b and a[0].id == "1"
    assert a[0].chat() == [{"role": "user", "content": "hi"}]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"id": "a", "prompt": "x"}\n', "c.jsonl:1: expect: Field required"),
        ('{"id": "a", "prompt": "x", "expect": {}}\n', "c.jsonl:1: expect: give at least one"),
        (
            '{"id": "a", "prompt": "x", "expect": {"regex": "("}}\n',
            "c.jsonl:1: expect.regex: invalid regular expression",
        ),
        (
            '{"id": "a", "prompt": "x", "expect": {"json_schema": {"type": "nope"}}}\n',
            "c.jsonl:1: expect.json_schema: not a valid JSON Schema",
        ),
        ('{"id": "a", "expect": {"equals": "x"}}\n', "c.jsonl:1: (case): give either prompt"),
        (
            '{"id": "a", "prompt": "x", "expect": {"equals": "x"}, "colour": 1}\n',
            "c.jsonl:1: colour: unknown key 'colour'; expected one of: expect, id,",
        ),
        (
            '{"id": "a", "prompt": "x", "expect": {"contians": "x"}}\n',
            "c.jsonl:1: expect.contians: unknown key 'contians'; did you mean 'contains'?",
        ),
        (
            '{"id": "a", "prompt": "x", "expect": {"not": {"regexp": "x"}}}\n',
            "c.jsonl:1: expect.not.regexp: unknown key 'regexp'; did you mean 'regex'?",
        ),
        (
            '{"id": "a", "prompt": "x", "expect": {"json_path": "label = 1"}}\n',
            "c.jsonl:1: expect.json_path: 'label = 1' is not PATH == VALUE",
        ),
        (
            '{"id": "a", "prompt": "x", "expect": {"json_path": "$.a == positive"}}\n',
            "c.jsonl:1: expect.json_path: in '$.a == positive', 'positive' is not a JSON value",
        ),
        (
            '{"id": "a", "prompt": "x", "expect": {"contains": "x", "weights": {"contain": 2},'
            ' "threshold": 0.5}}\n',
            "c.jsonl:1: expect: weights: 'contain' is not a check of this case; did you mean",
        ),
        (
            '{"id": "a", "prompt": "x", "expect": {"similar": {"to": "x", "min": 2}}}\n',
            "c.jsonl:1: expect.similar.min: Input should be less than or equal to 1",
        ),
        (
            '{"id": "a", "prompt": "x", "expect": {"max_latency_s": 0}}\n',
            "c.jsonl:1: expect.max_latency_s: Input should be greater than 0",
        ),
        (
            '{"id": "a", "prompt": "x", "expect": {"equals": "x"}}\n{"id": "a", "prompt": "y", '
            '"expect": {"equals": "y"}}\n',
            "c.jsonl:2: id: duplicate id 'a' (first at line 1)",
        ),
        ("\n\n{not json\n", "c.jsonl:3: not valid JSON"),
        (
            '{"id": "a", "prompt": "x", "max_tokens": 0, "expect": {"equals": "x"}}\n',
            "c.jsonl:1: max_tokens: Input should be greater than or equal to 1",
        ),
        (
            '{"id": "a", "prompt": "x", "expect": {"contains": []}}\n',
            "c.jsonl:1: expect.contains: an empty list",
        ),
        (
            '{"id": "a", "messages": [{"role": "robot", "content": "x"}], '
            '"expect": {"equals": "x"}}\n',
            "c.jsonl:1: messages.0.role: Input should be",
        ),
    ],
)
def test_bad_jsonl_names_line_and_field(tmp_path: Path, text: str, expected: str) -> None:
    found = problems(tmp_path, "c.jsonl", text)
    assert any(p.startswith(expected) for p in found), found


def test_bad_yaml_names_line_and_field(tmp_path: Path) -> None:
    text = (
        "- id: ok\n  prompt: x\n  expect: {equals: x}\n"
        "- id: bad\n  prompt: y\n  expect:\n    regex: '[unclosed'\n"
    )
    assert problems(tmp_path, "c.yaml", text) == [
        "c.yaml:7: expect.regex: invalid regular expression: unterminated character set "
        "at position 9"
    ]


def test_every_problem_is_reported(tmp_path: Path) -> None:
    text = '{"id": "a"}\n{"id": "b", "prompt": "x", "expect": {"regex": "("}}\n'
    found = problems(tmp_path, "c.jsonl", text)
    assert {p.split(":")[1] for p in found} == {"1", "2"}


def test_not_a_list_and_empty_and_binary(tmp_path: Path) -> None:
    assert problems(tmp_path, "c.yaml", "id: a\n")[0].startswith("c.yaml:1: expected a YAML list")
    assert problems(tmp_path, "e.jsonl", "\n")[0] == "e.jsonl: no cases in the file"
    (tmp_path / "b.jsonl").write_bytes(b'{"id": "\xff"}')
    with pytest.raises(InputError, match="not UTF-8"):
        load_cases(tmp_path / "b.jsonl")


def test_fingerprint_changes_with_the_case() -> None:
    a = Case.model_validate({"id": "a", "prompt": "x", "expect": {"equals": "x"}})
    b = Case.model_validate({"id": "a", "prompt": "x", "expect": {"equals": "y"}})
    assert a.fingerprint() != b.fingerprint()


# --- checks ---------------------------------------------------------------------


def test_equals() -> None:
    assert check_equals("Paris", "  Paris\n", False).outcome == "pass"
    assert check_equals("Paris", "paris", False).outcome == "fail"
    assert check_equals("Paris", "paris", True).outcome == "pass"


def test_contains_all_of_a_list() -> None:
    assert check_contains(["a", "b"], "a and b", False).outcome == "pass"
    r = check_contains(["a", "zz"], "a and b", False)
    assert (r.outcome, r.detail) == ("fail", "missing 'zz'")
    assert check_contains("PARIS", "it is paris", True).outcome == "pass"


def test_regex_searches() -> None:
    assert check_regex(r"\b4\b", "the answer is 4.", False).outcome == "pass"
    assert check_regex(r"^4$", "the answer is 4.", False).outcome == "fail"
    assert check_regex("yes", "YES", True).outcome == "pass"


def test_json_schema() -> None:
    schema = {"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]}
    assert check_json_schema(schema, '{"n": 3}', False).outcome == "pass"
    assert check_json_schema(schema, '```json\n{"n": 3}\n```', False).outcome == "pass"
    bad = check_json_schema(schema, '{"n": "3"}', False)
    assert bad.outcome == "fail" and "(at /n)" in bad.detail
    assert check_json_schema(schema, "n = 3", False).detail.startswith("not JSON")


@pytest.mark.parametrize(
    ("reply", "outcome"),
    [
        ('{"pass": true, "reason": "fine"}', "pass"),
        ('Sure! {"pass": false, "reason": "wrong"}', "fail"),
        ("PASS - it is right", "pass"),
        ("I cannot decide", "error"),
    ],
)
def test_judge_verdicts(reply: str, outcome: str) -> None:
    assert judge_verdict(reply).outcome == outcome


def test_case_outcome() -> None:
    from llmpick.evaluation.checks import CheckResult as R

    assert case_outcome([R("a", "pass"), R("b", "pass")]) == "pass"
    assert case_outcome([R("a", "error"), R("b", "fail")]) == "fail"
    assert case_outcome([R("a", "pass"), R("judge", "error")]) == "error"


# --- statistics -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("k", "n", "lo", "hi"),
    [
        (19, 20, 0.7639, 0.9911),
        (20, 20, 0.8389, 1.0),
        (0, 10, 0.0, 0.2775),
        (5, 10, 0.2366, 0.7634),
    ],
)
def test_wilson_matches_published_values(k: int, n: int, lo: float, hi: float) -> None:
    got = wilson(k, n)
    assert got == pytest.approx((lo, hi), abs=1e-4)


def test_percentiles_interpolate() -> None:
    xs = [1.0, 2.0, 3.0, 4.0]
    assert percentile(xs, 50) == 2.5
    assert percentile(xs, 95) == pytest.approx(3.85)
    assert percentile([], 50) is None


def test_money() -> None:
    assert [format_usd(x) for x in (0, 0.000027, 0.0123, 2.5)] == [
        "$0",
        "$0.000027",
        "$0.012",
        "$2.50",
    ]


# --- targets ----------------------------------------------------------------------


def test_chat_url() -> None:
    assert chat_url("http://localhost:11434")[1] == "http://localhost:11434/v1/chat/completions"
    assert chat_url("https://x.ai/api/v1/")[1] == "https://x.ai/api/v1/chat/completions"
    assert chat_url("https://u:secret@x.ai/v1/chat/completions")[0] == (
        "https://x.ai/v1/chat/completions"
    )


def test_locality_and_served_names() -> None:
    assert is_local("http://127.0.0.1:8000") and is_local("http://192.168.1.5")
    assert not is_local("https://api.openai.com/v1")
    info = ModelInfo("m", "M", ollama="m:7b", api="m-api", hf_repo="org/M")
    assert default_served_as(info, "http://localhost:11434") == "m:7b"
    assert default_served_as(info, "http://localhost:8000/v1") == "org/M"
    assert default_served_as(info, "https://api.example.com/v1") == "m-api"


def test_prices_self_hosted_catalog_and_unknown() -> None:
    info = ModelInfo("m", "M", api="m", price_in=1.0, price_out=4.0, price_as_of="2026-01-01")

    def nowhere(f: str) -> Any:
        raise AssertionError(f)

    api = resolve_target(TargetSpec(base_url="https://api.x.com/v1", model="m"), info, nowhere)
    assert (api.price_in, api.price_out, api.self_hosted) == (1.0, 4.0, False)
    local = resolve_target(TargetSpec(base_url="http://localhost:1/v1", model="m"), info, nowhere)
    assert (local.price_in, local.self_hosted) == (0.0, True)
    bare = resolve_target(TargetSpec(base_url="https://x.com", served_as="q"), None, nowhere)
    assert bare.price_in is None and bare.name == "q"


# --- the report -------------------------------------------------------------------


def test_recommendation_is_cheapest_not_significantly_worse() -> None:
    def row(name: str, passed: int, total: int, cost: float | None) -> dict[str, Any]:
        return {
            "name": name,
            "total": total,
            "passed": passed,
            "pass_rate": passed / total,
            "pass_rate_interval": list(wilson(passed, total)),
            "cost_per_answer_usd": cost,
            "latency_s": {"p50": 1.0},
        }

    rows = [row("big", 20, 20, 0.01), row("small", 18, 20, 0.002), row("tiny", 8, 20, 0.0001)]
    rec = recommend(rows)
    assert rec is not None and rec["target"] == "small" and rec["best"] == "big"
    assert recommend([row("a", 0, 5, 0.1)]) is None


def test_report_figures_from_records() -> None:
    t = resolve_target(
        TargetSpec(base_url="https://x.com/v1", served_as="m", prices={"input": 2, "output": 10}),
        None,
        lambda f: None,  # type: ignore[arg-type,return-value]
    )
    cases = [
        Case.model_validate({"id": str(i), "prompt": "x", "expect": {"equals": "x"}})
        for i in range(3)
    ]

    def rec(i: int, outcome: str, latency: float) -> dict[str, Any]:
        return {
            "target": "m",
            "case": str(i),
            "repeat": 0,
            "outcome": outcome,
            "checks": [{"kind": "equals", "outcome": outcome}] if outcome != "error" else [],
            "answer": None if outcome == "error" else "x",
            "error": "boom" if outcome == "error" else None,
            "latency_s": latency,
            "ttft_s": None,
            "prompt_tokens": 1000,
            "completion_tokens": 100,
            "attempts": 2 if outcome == "error" else 1,
            "target_fp": t.fingerprint,
            "case_fp": cases[i].fingerprint(),
        }

    records = {
        ("m", str(i), 0): rec(i, o, lat)
        for i, (o, lat) in enumerate([("pass", 1.0), ("fail", 3.0), ("error", 9.0)])
    }
    doc = build_report([t], cases, 1, records, cases_file="c", results_file=None)
    r = doc["targets"][0]
    assert (r["passed"], r["failed"], r["errors"], r["total"]) == (1, 1, 1, 3)
    assert r["latency_s"] == {"p50": 2.0, "p95": 2.9}
    assert r["tokens"] == {"input": 2000, "output": 200}
    assert r["cost_usd"] == pytest.approx((2000 * 2 + 200 * 10) / 1e6)
    assert r["checks"] == {"equals": {"pass": 1, "fail": 1, "error": 0}}
    assert r["retries"] == 1 and r["top_errors"] == [{"error": "boom", "count": 1}]


# --- layering -----------------------------------------------------------------------


def test_only_the_eval_client_and_the_downloader_import_httpx() -> None:
    import ast

    from tests.conftest import ROOT, source_nodes

    src = ROOT / "src" / "llmpick"
    users = set()
    for p in src.rglob("*.py"):
        for node in source_nodes(p):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            if any(n.split(".")[0] in ("httpx", "jsonschema") for n in names):
                users.add(p.relative_to(src).as_posix())
    assert users <= {
        "evaluation/client.py",
        "evaluation/cases.py",
        "evaluation/checks.py",
        "evaluation/schemaref.py",
        "http.py",
    }


def test_the_command_line_does_not_load_the_http_client() -> None:
    import subprocess
    import sys

    code = (
        "import sys, llmpick.cli.app; "
        "print(sorted({'httpx', 'jsonschema', 'asyncio'} & set(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
