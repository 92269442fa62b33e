"""`llmpick eval` against a real OpenAI-compatible server on 127.0.0.1 (tests/eval/
fake_openai.py): pass counts, retries, costs, resume, concurrency, timeouts, exit codes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT
from tests.eval import fake_openai
from tests.eval.fake_openai import FakeOpenAI

CASES = [
    {"id": "capital", "prompt": "Capital of France? <<Paris>>", "expect": {"contains": "Paris"}},
    {"id": "sum", "system": "Be brief.", "prompt": "2+2? <<4>>", "expect": {"equals": "4"}},
    {
        "id": "json",
        "prompt": 'Give n. <<{"n": 3}>>',
        "expect": {"json_schema": {"type": "object", "required": ["n"]}},
    },
    {
        "id": "re",
        "messages": [{"role": "user", "content": "Say yes <<YES sir>>"}],
        "expect": {"regex": "^yes", "ignore_case": True},
    },
]


def target(srv: FakeOpenAI, name: str, served: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "base_url": srv.url, "served_as": served, **extra}


def run_json(cli: Any, *args: str) -> tuple[Any, dict[str, Any]]:
    r = cli("eval", *args, "--json")
    doc = json.loads(r.out) if r.out.strip() else {}
    return r, doc


def row(doc: dict[str, Any], name: str) -> dict[str, Any]:
    return next(t for t in doc["targets"] if t["name"] == name)


def test_pass_counts_costs_and_report(cli, server, write_cases, write_targets, tmp_path) -> None:
    cases = write_cases(CASES)
    tg = write_targets(
        [
            target(
                server, "good", "right", prices={"input": 1.0, "output": 2.0}, self_hosted=False
            ),
            target(server, "bad", "wrong"),
            target(server, "streamer", "stream"),
        ]
    )
    out = str(tmp_path / "results.jsonl")
    r, doc = run_json(cli, cases, "--targets", tg, "--out", out, "--export", str(tmp_path / "r.md"))
    assert r.code == 0, r
    good, bad, streamer = row(doc, "good"), row(doc, "bad"), row(doc, "streamer")
    assert (good["passed"], good["total"], good["errors"]) == (4, 4, 0)
    assert (bad["passed"], bad["failed"]) == (0, 4)
    assert streamer["passed"] == 4 and streamer["ttft_s"] is not None
    # tokens are words in the fake server: exact cost from the target's prices
    reqs = server.requests_for("right")
    tokens_in = sum(len(str(m["content"]).split()) for q in reqs for m in q["body"]["messages"])
    assert good["tokens"]["input"] == tokens_in
    assert good["tokens"]["output"] == 6  # Paris, 4, {"n": 3} (2 words), YES sir (2)
    assert good["cost_usd"] == pytest.approx((tokens_in * 1.0 + 6 * 2.0) / 1e6)
    assert bad["self_hosted"] and bad["cost_usd"] == 0
    assert good["checks"]["regex"] == {"pass": 1, "fail": 0, "error": 0}
    assert good["pass_rate_interval"] == pytest.approx([0.5101, 1.0], abs=1e-4)
    assert doc["recommendation"]["target"] == "streamer"  # as good, and costs nothing
    lines = Path(out).read_text().splitlines()
    assert len(lines) == 12 and all(json.loads(x)["target"] for x in lines)
    md = (tmp_path / "r.md").read_text()
    assert "| good | 4 / 4 |" in md and "**Recommendation: streamer**" in md
    # the system message and max_tokens-free body went as OpenAI chat
    body = next(q["body"] for q in reqs if "2+2" in str(q["body"]["messages"]))
    assert body["messages"][0] == {"role": "system", "content": "Be brief."}


def test_terminal_report(cli, server, write_cases, write_targets) -> None:
    tg = write_targets([target(server, "good", "right"), target(server, "bad", "wrong")])
    r = cli("eval", write_cases(CASES), "--targets", tg)
    assert r.code == 0, r
    assert "good" in r.out and "4/4" in r.out and "pick: good" in r.out
    assert "pass rate against cost" in r.out


def test_retries_on_429_and_500_and_records_errors(cli, server, write_cases, write_targets) -> None:
    tg = write_targets(
        [
            target(server, "flaky", "r429"),
            target(server, "down", "e500"),
            target(server, "junk", "garbage"),
            target(server, "good", "right"),
        ]
    )
    r, doc = run_json(cli, write_cases(CASES), "--targets", tg, "--retries", "2")
    assert r.code == 0, r
    flaky, down, junk = row(doc, "flaky"), row(doc, "down"), row(doc, "junk")
    assert (flaky["passed"], flaky["retries"]) == (4, 4)
    assert len(server.requests_for("r429")) == 8
    assert (down["errors"], down["retries"]) == (4, 8)
    assert len(server.requests_for("e500")) == 12  # 3 attempts each
    assert down["top_errors"] == [{"error": "HTTP 500: boom", "count": 4}]
    assert junk["errors"] == 4 and len(server.requests_for("garbage")) == 4  # not retried
    assert junk["top_errors"][0]["error"] == "the reply is not valid JSON"


def test_stream_refused_falls_back_and_usage_may_be_missing(
    cli, server, write_cases, write_targets
) -> None:
    tg = write_targets([target(server, "plain", "nostream"), target(server, "nou", "nousage")])
    r, doc = run_json(cli, write_cases(CASES), "--targets", tg, "--concurrency", "1")
    assert r.code == 0, r
    assert row(doc, "plain")["passed"] == 4
    # one refusal, then the endpoint is known not to stream
    assert [bool(q["body"].get("stream")) for q in server.requests_for("nostream")] == [
        True,
        False,
        False,
        False,
        False,
    ]
    nou = row(doc, "nou")
    assert nou["passed"] == 4 and nou["tokens"] == {"input": 0, "output": 0}
    assert "without token usage" in nou["notes"][0]


def test_timeout_and_closed_connection_cost_at_most_their_budget(
    cli, server, write_cases, write_targets
) -> None:
    tg = write_targets([target(server, "hung", "hang"), target(server, "closer", "close")])
    cases = write_cases(CASES[:2])
    limit = 0.1  # any limit is enforced; each one is waited out twice
    t0 = time.monotonic()
    r, doc = run_json(cli, cases, "--targets", tg, "--timeout", str(limit), "--retries", "1")
    elapsed = time.monotonic() - t0
    assert r.code == 1, r  # nothing answered at all
    assert "no request was answered" in r.err
    hung = row(doc, "hung")
    assert hung["errors"] == 2 and f"within {limit:g} s" in hung["top_errors"][0]["error"]
    assert row(doc, "closer")["errors"] == 2
    # two attempts of the limit and one backoff (< 0.5 s) per request, the requests side
    # by side
    assert elapsed < limit * 2 + 0.5 + 1.5


def test_unreachable_endpoint_and_stopping_a_failing_target(
    cli, write_cases, write_targets, server
) -> None:
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there now
    tg = write_targets(
        [
            {"name": "nowhere", "base_url": f"http://127.0.0.1:{port}/v1", "served_as": "x"},
            target(server, "good", "right"),
        ]
    )
    many = [{"id": str(i), "prompt": f"q{i} <<a>>", "expect": {"equals": "a"}} for i in range(12)]
    r, doc = run_json(
        cli,
        write_cases(many),
        "--targets",
        tg,
        "--retries",
        "0",
        "--max-failures",
        "3",
        "--concurrency",
        "1",
    )
    assert r.code == 0, r  # good answered
    nowhere = row(doc, "nowhere")
    assert nowhere["errors"] == 3 and nowhere["not_run"] == 9
    assert nowhere["stopped"].startswith("stopped after 3 failed requests in a row")
    assert "connection failed" in nowhere["top_errors"][0]["error"]


def test_concurrency_limit_per_endpoint(
    cli, server, write_cases, write_targets, quick_slow
) -> None:
    many = [{"id": str(i), "prompt": f"q{i} <<a>>", "expect": {"equals": "a"}} for i in range(8)]
    tg = write_targets([target(server, "slow", "slow")])
    t0 = time.monotonic()
    r, doc = run_json(cli, write_cases(many), "--targets", tg, "--concurrency", "4")
    elapsed = time.monotonic() - t0
    assert r.code == 0, r
    assert server.max_in_flight["slow"] == 4
    assert elapsed >= 2 * fake_openai.SLOW  # 8 requests, 4 at a time
    assert row(doc, "slow")["passed"] == 8


def test_repeat_and_resume(cli, server, write_cases, write_targets, tmp_path) -> None:
    cases = write_cases(CASES)
    tg = write_targets([target(server, "good", "right"), target(server, "bad", "wrong")])
    out = tmp_path / "res.jsonl"
    # a previous run that stopped half-way, its last line cut short by a crash
    r, _ = run_json(cli, write_cases(CASES[:2], "first.jsonl"), "--targets", tg, "--out", str(out))
    assert r.code == 0, r
    with out.open("a") as fh:
        fh.write('{"target": "good", "case": "json", "rep')
    before = len(server.log)
    r = cli("eval", cases, "--targets", tg, "--out", str(out))
    assert r.code == 2 and "--resume" in r.err  # never mixes two runs by accident
    r, doc = run_json(cli, cases, "--targets", tg, "--out", str(out), "--resume", "--repeat", "2")
    assert r.code == 0, r
    assert len(server.log) - before == 2 * 4 * 2 - 4  # all but the 4 done before
    assert row(doc, "good")["total"] == 8 and row(doc, "good")["passed"] == 8
    assert "1 unreadable lines" in " ".join(doc["notes"])
    # nothing left to do: no request at all
    before = len(server.log)
    r, doc2 = run_json(cli, cases, "--targets", tg, "--out", str(out), "--resume", "--repeat", "2")
    assert r.code == 0 and len(server.log) == before
    assert row(doc2, "good") == row(doc, "good")


def test_resume_reruns_errors_and_changed_cases(
    cli, server, write_cases, write_targets, tmp_path
) -> None:
    out = str(tmp_path / "res.jsonl")
    cases = CASES[:2]
    tg = write_targets([target(server, "good", "right")])
    assert run_json(cli, write_cases(cases), "--targets", tg, "--out", out)[0].code == 0
    changed = [cases[0], {**cases[1], "expect": {"contains": "4"}}]
    before = len(server.log)
    r, doc = run_json(cli, write_cases(changed), "--targets", tg, "--out", out, "--resume")
    assert r.code == 0 and len(server.log) - before == 1
    # the first case kept its result; the changed one was asked again
    assert row(doc, "good")["checks"] == {"contains": {"pass": 2, "fail": 0, "error": 0}}


def test_judge(cli, server, write_cases, write_targets) -> None:
    cases = [
        {"id": "paris", "prompt": "Where? <<Paris, France>>", "expect": {"judge": "names Paris"}},
        {"id": "rome", "prompt": "Where? <<Rome>>", "expect": {"judge": "names Paris"}},
    ]
    tg = write_targets(
        [
            target(server, "cand", "right"),
            target(server, "grader", "judge", prices={"input": 1, "output": 1}, self_hosted=False),
        ]
    )
    r, doc = run_json(cli, write_cases(cases), "--targets", tg, "--judge", "grader")
    assert r.code == 0, r
    assert [t["name"] for t in doc["targets"]] == ["cand"]  # the judge is not a candidate
    assert row(doc, "cand")["checks"]["judge"] == {"pass": 1, "fail": 1, "error": 0}
    assert doc["judge"]["name"] == "grader" and doc["judge"]["requests"] == 2
    assert doc["judge"]["cost_usd"] > 0
    assert all(q["body"]["temperature"] == 0 for q in server.requests_for("judge"))
    r = cli("eval", write_cases(cases), "--targets", tg)
    assert r.code == 2 and "--judge" in r.err


def test_key_is_sent_but_never_printed_or_written(
    cli, server, write_cases, write_targets, tmp_path, monkeypatch
) -> None:
    secret = "sk-test-0123456789abcdef"
    monkeypatch.setenv("FAKE_KEY", secret)
    tg = write_targets(
        [
            target(server, "a", "right", api_key_env="FAKE_KEY"),
            target(server, "b", "wrong", api_key_env="FAKE_KEY", api_key_header="api-key"),
        ]
    )
    out = tmp_path / "res.jsonl"
    exp = tmp_path / "rep.json"
    r = cli("eval", write_cases(CASES), "--targets", tg, "--out", str(out), "--export", str(exp))
    assert r.code == 0, r
    r2, _ = run_json(cli, write_cases(CASES), "--targets", tg)
    for text in (r.out, r.err, r2.out, r2.err, out.read_text(), exp.read_text()):
        assert secret not in text
    assert {q["headers"].get("Authorization") for q in server.requests_for("right")} == {
        f"Bearer {secret}"
    }
    assert {q["headers"].get("api-key") for q in server.requests_for("wrong")} == {secret}


def test_structured_output_asked_only_when_the_catalog_says_so(
    cli, server, write_cases, write_targets, fixture_catalog
) -> None:
    # rocket-7b-chat (fixture catalog) has no structured-output capability
    tg = write_targets([target(server, "r", "right", model="rocket-7b-chat")])
    r, doc = run_json(cli, write_cases(CASES[2:3]), "--targets", tg)
    assert r.code == 0, r
    assert "response_format" not in server.requests_for("right")[0]["body"]
    assert row(doc, "r")["model"] == "rocket-7b-chat"


@pytest.mark.parametrize(
    ("targets_yaml", "expected"),
    [
        ("targets: []\n", "targets: List should have at least 1 item"),
        ("targets:\n  - name: a\n    served_as: x\n", "targets.yaml:2: targets.0.base_url: Field"),
        (
            "targets:\n  - base_url: ftp://x\n    served_as: x\n",
            "targets.yaml:2: targets.0.base_url: 'ftp://x' is not an http(s) URL",
        ),
        (
            "targets:\n  - base_url: http://x\n",
            "targets.yaml:2: targets.0.served_as: give served_as",
        ),
        (
            "targets:\n  - base_url: http://x\n    served_as: x\n"
            "    api_key_env: NOT_SET_ANYWHERE\n",
            "targets.yaml:4: targets.0.api_key_env: the environment variable NOT_SET_ANYWHERE",
        ),
        (
            "targets:\n  - base_url: http://x\n    served_as: x\n    headers: {Authorization: k}\n",
            "targets.yaml:4: targets.0.headers: Value error, header 'Authorization' carries",
        ),
        (
            "targets:\n  - {base_url: 'http://x', served_as: x}\n"
            "  - {base_url: 'http://y', served_as: x}\n",
            "targets.yaml:3: targets.1.name: two targets are named 'x'",
        ),
    ],
)
def test_bad_targets_exit_2_naming_line_and_field(
    cli, write_cases, tmp_path, targets_yaml: str, expected: str
) -> None:
    p = tmp_path / "targets.yaml"
    p.write_text(targets_yaml)
    r = cli("eval", write_cases(CASES), "--targets", str(p))
    assert r.code == 2, r
    assert expected.replace("Value error, ", "") in r.err.replace(f"{tmp_path}/", ""), r


def test_usage_errors(cli, write_cases, tmp_path) -> None:
    cases = write_cases(CASES)
    assert cli("eval", cases).code == 2
    assert cli("eval", cases, "--shortlist", "x.json").code == 2
    assert cli("eval", cases, "--targets", "t.yaml", "--resume").code == 2
    assert cli("eval", cases, "--targets", "t.yaml", "--export", "r.txt").code == 2
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "a", "prompt": "x", "expect": {"regex": "("}}\n{"id": 2}\n')
    r = cli("eval", str(bad), "--targets", "t.yaml")
    assert r.code == 2 and "bad.jsonl:1: expect.regex" in r.err and "bad.jsonl:2:" in r.err


def test_shortlist_on_a_local_server(cli, server, write_cases, tmp_path) -> None:
    doc = {
        "schema_version": "1.0",
        "candidates": [
            {
                "id": "m-right",
                "name": "M",
                "ollama": None,
                "api": None,
                "hf_repo": "right",
                "capabilities": [],
            },
            {"id": "m-none", "name": "N", "ollama": None, "api": None, "hf_repo": None},
        ],
    }
    sl = tmp_path / "shortlist.json"
    sl.write_text(json.dumps(doc))
    r, rep = run_json(cli, write_cases(CASES), "--shortlist", str(sl), "--base-url", server.url)
    assert r.code == 0, r
    assert [t["name"] for t in rep["targets"]] == ["m-right"]
    assert row(rep, "m-right")["passed"] == 4 and row(rep, "m-right")["self_hosted"]
    assert any("m-none" in n for n in rep["notes"])


@pytest.mark.slow  # a process interrupted mid-run (a signal needs one), then a resume
def test_ctrl_c_exits_130_and_keeps_results(
    server, write_cases, write_targets, tmp_path, cli, quick_slow
) -> None:
    many = [{"id": str(i), "prompt": f"q{i} <<a>>", "expect": {"equals": "a"}} for i in range(40)]
    cases = write_cases(many)
    tg = write_targets([target(server, "slow", "slow")])
    out = tmp_path / "res.jsonl"
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    cmd = [
        sys.executable,
        "-m",
        "llmpick",
        "eval",
        cases,
        "--targets",
        tg,
        "--out",
        str(out),
        "--concurrency",
        "2",
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and (
        not out.exists() or len(out.read_text().splitlines()) < 4
    ):
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=20)
    assert proc.returncode == 130, stderr
    assert "Traceback" not in stderr and "--resume" in stderr
    kept = [json.loads(x) for x in out.read_text().splitlines()]
    assert 4 <= len(kept) < 40 and all(k["outcome"] == "pass" for k in kept)
    # resume does the rest, and only the rest (in-process: the signal needed a process)
    before = len(server.log)
    # all the rest at once: the slow server's delay once, not once per dozen
    done, doc = run_json(cli, *cmd[4:], "--resume", "--concurrency", "40")
    assert done.code == 0, done
    assert doc["targets"][0]["passed"] == 40
    assert len(server.log) - before == 40 - len(kept)


def test_export_shares_recommends_writer_and_messages(
    cli, server, write_cases, write_targets, tmp_path
) -> None:
    # a file name with a bidirectional override: the JSON writer escapes it, as --json does
    cases = write_cases(CASES, name="cases\u202e.jsonl")
    tg = write_targets([target(server, "good", "right")])
    exp = tmp_path / "rep.json"
    r = cli("eval", cases, "--targets", tg, "--export", str(exp))
    assert r.code == 0, r
    assert f"wrote {exp}" in r.err
    text = exp.read_text()
    assert "\u202e" not in text and "\\u202e" in text
    assert json.loads(text)["cases"]["file"] == cases
    bad = cli("eval", cases, "--targets", tg, "--export", "r.txt")
    assert bad.code == 2
    # the same words as recommend's, with the one more kind eval writes
    assert "invalid value for --export: 'r.txt'; the file must end in .json, .md or .html" in (
        bad.err
    )
    assert "the file must end in .json or .md" in cli("recommend", "--export", "r.txt").err


def test_eval_refuses_to_export_over_a_file_it_reads(
    server: Any, write_cases: Any, write_targets: Any, cli: Any
) -> None:
    # the one export check recommend uses: the cases file would be replaced by the report
    cases = write_cases(CASES, name="cases.json")
    tg = write_targets([target(server, "good", "right")])
    before = Path(cases).read_text()
    r = cli("eval", cases, "--targets", tg, "--export", cases)
    assert r.code == 2, r
    assert f"--export {cases} is the file CASES reads; it would be overwritten" in r.err
    assert Path(cases).read_text() == before
