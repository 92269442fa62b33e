"""eval, part 2: checks that matter when choosing a model, honest outcomes (empty,
truncated, unreachable), a wrong model name said once, the response cache, templates
over data rows, the CI gate and its JUnit file. Network tests use the scripted server
on 127.0.0.1 (tests/eval/fake_openai.py) through the library, without the CLI."""

from __future__ import annotations

import json
import os
import stat
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from llmpick.errors import WriteError
from llmpick.evaluation.cases import Case, Expect, InputError, load_cases
from llmpick.evaluation.checks import Measures, case_outcome, run_local_checks
from llmpick.evaluation.gate import gate_failures, junit_xml
from llmpick.evaluation.report import build_report
from llmpick.evaluation.results import ResultsWriter
from llmpick.evaluation.runner import RunConfig, RunSummary, run_sync
from llmpick.evaluation.targets import ModelInfo, Target, TargetSpec, resolve_target
from tests.eval.fake_openai import FakeOpenAI

# --- checks ---------------------------------------------------------------------


def outcome(expect: dict[str, Any], answer: str, **measures: float) -> str:
    e = Expect.model_validate(expect)
    return case_outcome(run_local_checks(e, answer, Measures(**measures)), e)


@pytest.mark.parametrize(
    ("expect", "answer", "want"),
    [
        ({"icontains": "PARIS"}, "it is paris", "pass"),
        ({"contains": "PARIS"}, "it is paris", "fail"),
        ({"contains_any": ["Lyon", "Paris"]}, "Paris", "pass"),
        ({"contains_any": ["Lyon", "Nice"]}, "Paris", "fail"),
        ({"contains_all": ["a", "b"]}, "a b", "pass"),
        ({"contains_all": ["a", "z"]}, "a b", "fail"),
        ({"not_contains": ["sorry", "cannot"]}, "Paris", "pass"),
        ({"not_contains": ["sorry", "cannot"]}, "Sorry, I can't", "pass"),
        ({"not_contains": ["sorry", "cannot"], "ignore_case": True}, "Sorry, I can't", "fail"),
        ({"starts_with": "Yes"}, "  Yes, it is", "pass"),
        ({"starts_with": "Yes"}, "Well, yes", "fail"),
        ({"is_json": True}, '```json\n{"a": 1}\n```', "pass"),
        ({"is_json": True}, "{a: 1}", "fail"),
        ({"json_path": '$.label == "positive"'}, '{"label": "positive"}', "pass"),
        ({"json_path": '$.label == "positive"'}, '{"label": "negative"}', "fail"),
        ({"json_path": "$.items[1].n == 2"}, '{"items": [{"n": 1}, {"n": 2.0}]}', "pass"),
        ({"json_path": "$.ok == true"}, '{"ok": 1}', "fail"),  # 1 is not true in JSON
        ({"json_path": '$["a b"] == null'}, '{"a b": null}', "pass"),
        ({"json_path": "$.missing == 1"}, "{}", "fail"),
        ({"similar": {"to": "The capital is Paris.", "min": 0.8}}, "The capital is Paris", "pass"),
        ({"similar": {"to": "The capital is Paris.", "min": 0.8}}, "Lyon", "fail"),
        ({"not": {"contains": "sorry"}}, "Paris", "pass"),
        ({"not": {"contains": "sorry"}}, "sorry", "fail"),
        ({"not": {"regex": "^\\d+$"}, "contains": "a"}, "a1", "pass"),
    ],
)
def test_each_check_passes_and_fails(expect: dict[str, Any], answer: str, want: str) -> None:
    assert outcome(expect, answer) == want


def test_latency_and_cost_limits_and_unknown_cost_is_not_a_pass() -> None:
    assert outcome({"max_latency_s": 2}, "x", latency_s=1.5) == "pass"
    assert outcome({"max_latency_s": 2}, "x", latency_s=2.5) == "fail"
    assert outcome({"max_cost_usd": 0.001}, "x", cost_usd=0.002) == "fail"
    e = Expect.model_validate({"max_cost_usd": 0.001})
    (r,) = run_local_checks(e, "x", Measures(latency_s=1.0))
    assert r.outcome == "error" and "no price" in r.detail


def test_weights_and_threshold() -> None:
    expect = {
        "contains": "Paris",
        "starts_with": "The",
        "weights": {"contains": 3, "starts_with": 1},
        "threshold": 0.75,
    }
    assert outcome(expect, "Paris, of course") == "pass"  # 3 of 4
    assert outcome(expect, "The answer: Lyon") == "fail"  # 1 of 4
    assert outcome({**expect, "threshold": 1.0}, "Paris, of course") == "fail"


def test_weights_need_a_threshold(tmp_path: Path) -> None:
    p = tmp_path / "c.jsonl"
    p.write_text(
        json.dumps(
            {"id": "a", "prompt": "x", "expect": {"contains": "x", "weights": {"contains": 2}}}
        )
        + "\n"
    )
    with pytest.raises(InputError) as info:
        load_cases(p)
    assert "weights need a threshold" in str(info.value.problems[0])


# --- one prompt, many rows ----------------------------------------------------------


def test_a_template_becomes_one_case_per_row(tmp_path: Path) -> None:
    cases = tmp_path / "c.jsonl"
    cases.write_text(
        json.dumps(
            {
                "id": "sentiment",
                "prompt": "Label this review: {{text}}",
                "expect": {"json_path": '$.label == "{{label}}"'},
            }
        )
        + "\n"
        + json.dumps({"id": "plain", "prompt": "hi", "expect": {"contains": "hi"}})
        + "\n"
    )
    rows = tmp_path / "rows.csv"
    rows.write_text('id,text,label\nr1,"Great, I love it",positive\nr2,Awful,negative\n')
    got = load_cases(cases, rows)
    assert [c.id for c in got] == ["sentiment/r1", "sentiment/r2", "plain"]
    assert got[0].prompt == "Label this review: Great, I love it"
    assert got[1].expect.json_path == '$.label == "negative"'
    jsonl = tmp_path / "rows.jsonl"
    jsonl.write_text('{"text": "ok", "label": "neutral"}\n')
    assert load_cases(cases, jsonl)[0].id == "sentiment/1"


def test_template_problems_name_the_file_line_and_column(tmp_path: Path) -> None:
    cases = tmp_path / "c.jsonl"
    cases.write_text(
        json.dumps({"id": "s", "prompt": "{{txt}}", "expect": {"contains": "x"}}) + "\n"
    )
    rows = tmp_path / "rows.csv"
    rows.write_text("text\nhello\n")
    with pytest.raises(InputError) as info:
        load_cases(cases, rows)
    msg = str(info.value.problems[0])
    assert msg.startswith(f"{rows}:2: no column 'txt'") and "did you mean 'text'?" in msg
    with pytest.raises(InputError) as info:
        load_cases(cases)
    assert "give the rows with --data" in str(info.value.problems[0])
    bad = tmp_path / "bad.csv"
    bad.write_text("text\na,b\n")
    with pytest.raises(InputError) as info:
        load_cases(cases, bad)
    assert str(info.value.problems[0]) == f"{bad}:2: more cells than the header names"


# --- targets: who pays --------------------------------------------------------------


def _nowhere(f: str) -> Any:
    raise AssertionError(f)


def test_a_proprietary_model_behind_a_local_proxy_is_priced() -> None:
    paid = ModelInfo("gpt-4o-mini", "GPT-4o mini", api="gpt-4o-mini", price_in=0.15,
                     price_out=0.6, price_as_of="2026-11-01", open_weights=False)  # fmt: skip
    open_ = ModelInfo("llama", "Llama", hf_repo="m/l", open_weights=True)
    local = "http://127.0.0.1:4000/v1"
    t = resolve_target(TargetSpec(base_url=local, model="gpt-4o-mini"), paid, _nowhere)
    assert (t.self_hosted, t.price_in, t.price_out) == (False, 0.15, 0.6)
    assert resolve_target(TargetSpec(base_url=local, model="llama"), open_, _nowhere).self_hosted
    assert resolve_target(TargetSpec(base_url=local, served_as="x"), None, _nowhere).self_hosted
    forced = TargetSpec(base_url=local, model="gpt-4o-mini", self_hosted=True)
    assert resolve_target(forced, paid, _nowhere).price_in == 0.0  # said so: believed


# --- running against the scripted server --------------------------------------------


def tgt(srv: FakeOpenAI, served: str, name: str | None = None, **extra: Any) -> Target:
    spec = TargetSpec(base_url=srv.url, served_as=served, name=name or served, **extra)
    return resolve_target(spec, None, _nowhere)


def cases(n: int, expect: dict[str, Any] | None = None) -> list[Case]:
    return [
        Case.model_validate(
            {"id": str(i), "prompt": f"q{i} <<a>>", "expect": expect or {"equals": "a"}}
        )
        for i in range(n)
    ]


def go(
    targets: list[Target], cs: list[Case], **config: Any
) -> tuple[RunSummary, dict[str, Any], dict[Any, dict[str, Any]]]:
    records: dict[Any, dict[str, Any]] = {}

    def keep(rec: dict[str, Any]) -> None:
        records[(rec["target"], rec["case"], rec["repeat"])] = rec

    cfg = RunConfig(**{"retries": 0, "backoff": 0.01, "timeout": 5, **config})
    summary = run_sync(targets, cs, cfg, on_result=keep)
    doc = build_report(
        targets,
        cs,
        1,
        records,
        cases_file="c",
        results_file=None,
        stopped=summary.stopped,
        target_notes=summary.target_notes,
    )
    return summary, doc, records


@pytest.fixture(autouse=True)
def _private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LLMPICK_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("LLMPICK_NO_CACHE", raising=False)


def test_empty_answers_are_their_own_outcome_with_the_likely_cause(server: FakeOpenAI) -> None:
    _, doc, records = go([tgt(server, "cut"), tgt(server, "right")], cases(4))
    cut = doc["targets"][0]
    assert (cut["passed"], cut["failed"], cut["empty"], cut["errors"]) == (0, 0, 4, 0)
    assert {r["outcome"] for k, r in records.items() if k[0] == "cut"} == {"empty"}
    assert any("try --concurrency 1" in n for n in cut["notes"])
    assert cut["status"] == "ok"  # it answered, emptily: not unreachable
    assert doc["recommendation"]["target"] == "right"


def test_an_answer_cut_at_the_token_limit_is_marked(server: FakeOpenAI) -> None:
    _, doc, records = go([tgt(server, "long", stream=False)], cases(2, {"contains": "a"}))
    assert all(r["truncated"] and r["outcome"] == "pass" for r in records.values())
    row = doc["targets"][0]
    assert row["truncated"] == 2 and any("token limit" in n for n in row["notes"])


def test_a_target_with_no_answer_is_unreachable_and_out_of_the_pick(server: FakeOpenAI) -> None:
    dead = resolve_target(
        TargetSpec(base_url="http://127.0.0.1:9/v1", served_as="x", name="dead"), None, _nowhere
    )
    _, doc, _ = go([dead, tgt(server, "wrong"), tgt(server, "right")], cases(3), max_failures=2)
    rows = {r["name"]: r for r in doc["targets"]}
    assert rows["dead"]["status"] == "unreachable" and rows["wrong"]["status"] == "ok"
    assert [u["name"] for u in doc["unreachable"]] == ["dead"]
    assert "dead" not in doc["recommendation"]["not_significantly_worse"]


def test_a_model_the_server_does_not_list_costs_one_request_and_one_message(
    server: FakeOpenAI,
) -> None:
    summary, doc, _ = go([tgt(server, "missing"), tgt(server, "right")], cases(20))
    # one request (streamed, then plain: a 404 may mean "no streaming"), not 20
    assert len(server.requests_for("missing")) <= 2
    assert "does not list 'missing'" in summary.stopped["missing"]
    assert "'right'" in summary.stopped["missing"]  # says what it does serve
    assert doc["unreachable"][0]["name"] == "missing" and summary.not_run["missing"] == 19
    assert server.gets == ["/v1/models"]  # one look per endpoint


def test_an_unlisted_model_that_answers_runs_with_a_note(server: FakeOpenAI) -> None:
    # llama.cpp's server answers whatever model name it is asked for
    summary, doc, _ = go([tgt(server, "right@some-other-name")], cases(4))
    assert doc["targets"][0]["passed"] == 4 and not summary.stopped
    (note,) = summary.target_notes["right@some-other-name"]
    assert "does not list 'right@some-other-name'" in note and "but answered" in note


def test_a_model_the_server_lists_under_latest_is_not_suspect(server: FakeOpenAI) -> None:
    from llmpick.evaluation.runner import listed

    assert listed("llama3", ["llama3:latest"]) and not listed("llama3", ["llama3.1:latest"])


def test_one_failing_request_cancels_the_others(
    server: FakeOpenAI, tmp_path: Path, quick_slow: float
) -> None:
    def fail(rec: dict[str, Any]) -> None:
        raise WriteError("cannot append to /dev/full: No space left on device")

    cfg = RunConfig(concurrency=2, retries=0)
    with pytest.raises(WriteError):
        run_sync([tgt(server, "slow")], cases(20), cfg, on_result=fail)
    assert len(server.requests_for("slow")) < 6  # the rest were never sent


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full on this system")
def test_a_full_disk_is_reported_once_not_hidden_by_close() -> None:
    w = ResultsWriter("/dev/full", resume=True)
    with pytest.raises(WriteError, match="No space left"):
        w.append({"x": "y" * 10})
    w.close()  # the same lost bytes again: not a second error


def test_temperature_0_answers_come_from_the_private_cache(
    server: FakeOpenAI, tmp_path: Path
) -> None:
    t = tgt(server, "right", params={"temperature": 0})
    s1, _, _ = go([t], cases(3))
    s2, _, records = go([t], cases(3))
    assert (s1.cached, s2.cached) == (0, 3)
    assert len(server.requests_for("right")) == 3  # the second run sent nothing
    assert all(r["cached"] and r["outcome"] == "pass" for r in records.values())
    d = tmp_path / "cache" / "responses"
    assert stat.S_IMODE(os.stat(d).st_mode) == 0o700
    # another system prompt is another request
    s3, _, _ = go([tgt(server, "right", params={"temperature": 0}, system="Be brief.")], cases(3))
    assert s3.cached == 0


def test_sampled_answers_and_no_cache_are_asked_again(server: FakeOpenAI) -> None:
    go([tgt(server, "right")], cases(2))
    s, _, _ = go([tgt(server, "right")], cases(2))
    assert s.cached == 0  # no temperature 0: the answer may vary
    t0 = tgt(server, "right", params={"temperature": 0})
    go([t0], cases(2), cache=False)
    s, _, _ = go([t0], cases(2), cache=False)
    assert s.cached == 0 and len(server.requests_for("right")) == 8


def test_a_cache_others_can_write_to_is_not_used(
    server: FakeOpenAI, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    d = tmp_path / "cache"
    d.mkdir(mode=0o777)
    os.chmod(d, 0o777)
    s, _, _ = go([tgt(server, "right", params={"temperature": 0})], cases(1))
    assert s.cached == 0 and not (d / "responses").exists()


def test_the_target_system_prompt_goes_first(server: FakeOpenAI) -> None:
    go([tgt(server, "right", system="Answer in French.")], cases(1))
    (req,) = server.requests_for("right")
    assert req["body"]["messages"][0] == {"role": "system", "content": "Answer in French."}


def test_cost_limit_per_case_uses_the_target_prices(server: FakeOpenAI) -> None:
    cheap = tgt(server, "right", name="cheap", prices={"input": 0.0, "output": 0.0})
    dear = tgt(server, "right", name="dear", prices={"input": 1e6, "output": 1e6})
    _, doc, _ = go([cheap, dear], cases(2, {"equals": "a", "max_cost_usd": 0.5}))
    rows = {r["name"]: r for r in doc["targets"]}
    assert rows["cheap"]["passed"] == 2 and rows["dear"]["passed"] == 0


# --- the CI gate -------------------------------------------------------------------


def test_gate_and_junit(server: FakeOpenAI) -> None:
    _, doc, records = go([tgt(server, "right"), tgt(server, "wrong")], cases(3))
    assert gate_failures(doc, 0.9, []) == []  # the pick passes 3/3
    assert gate_failures(doc, 0.9, ["wrong"]) == ["wrong passed 0/3 (0%), under --fail-under 90%"]
    records[("wrong", "0", 0)]["answer"] = "bad \x1b[31m<tag> & \x00"
    doc = build_report(
        [tgt(server, "right"), tgt(server, "wrong")], cases(3), 1, records,
        cases_file="c", results_file=None,
    )  # fmt: skip
    xml = junit_xml(doc, records)
    root = ET.fromstring(xml.encode())  # well-formed despite the control characters
    suites = {s.get("name"): s for s in root}
    assert suites["wrong"].get("failures") == "3" and suites["right"].get("failures") == "0"
    failure = suites["wrong"].find("testcase/failure")
    assert failure is not None and "<tag> &" in (failure.text or "")


def test_negated_checks_are_counted_and_unreachable_targets_left_out_of_markdown(
    server: FakeOpenAI,
) -> None:
    from llmpick.evaluation.report import markdown

    dead = resolve_target(
        TargetSpec(base_url="http://127.0.0.1:9/v1", served_as="x", name="dead"), None, _nowhere
    )
    expect = {"equals": "a", "not": {"contains": "sorry"}}
    _, doc, _ = go([tgt(server, "right"), dead], cases(2, expect), max_failures=1)
    assert doc["targets"][0]["checks"]["not contains"] == {"pass": 2, "fail": 0, "error": 0}
    md = markdown(doc)
    checks = md.split("## Checks passed")[1].split("##")[0]
    assert "| not contains |" in checks and "dead" not in checks
    assert "- dead: " in md.split("**Unreachable**")[1]
