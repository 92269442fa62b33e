"""eval part 2 through the command line: exports through the JSON writer, a full disk,
templates over rows, the CI gate and JUnit, the response cache, and recommend
--evidence. Against the scripted server on 127.0.0.1."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from tests.eval.test_eval_run import CASES, row, run_json, target


def test_the_json_export_escapes_terminal_controls(
    cli, server, write_cases, write_targets, tmp_path
) -> None:
    hostile = "ok \u202e\x9b[2J"
    cases = write_cases([{"id": "a", "prompt": f"<<{hostile}>>", "expect": {"equals": "x"}}])
    tg = write_targets([target(server, "t", "right")])
    exp = tmp_path / "r.json"
    r = cli("eval", cases, "--targets", tg, "--export", str(exp))
    assert r.code == 0, r
    text = exp.read_text()
    assert "\u202e" not in text and "\x9b" not in text and "\\u202e" in text
    assert json.loads(text)["targets"][0]["failures"][0]["answer"] == hostile


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full on this system")
def test_out_on_a_full_disk_is_one_clear_error(cli, server, write_cases, write_targets) -> None:
    tg = write_targets([target(server, "t", "right")])
    r = cli("eval", write_cases(CASES), "--targets", tg, "--out", "/dev/full")
    assert r.code == 1, r
    assert "No space left on device" in r.err and "internal error" not in r.err


def test_an_unwritable_export_is_refused_before_any_request(
    cli, server, write_cases, write_targets, tmp_path
) -> None:
    tg = write_targets([target(server, "t", "right")])
    r = cli("eval", write_cases(CASES), "--targets", tg, "--junit", str(tmp_path / "no" / "j.xml"))
    assert r.code == 2 and "does not exist" in r.err, r
    assert server.log == []


def test_one_prompt_many_rows(cli, server, write_targets, tmp_path) -> None:
    cases = tmp_path / "c.jsonl"
    cases.write_text(
        json.dumps({"id": "echo", "prompt": "say <<{{word}}>>", "expect": {"equals": "{{word}}"}})
        + "\n"
    )
    rows = tmp_path / "rows.csv"
    rows.write_text("id,word\none,apple\ntwo,pear\n")
    tg = write_targets([target(server, "t", "right")])
    r, doc = run_json(cli, str(cases), "--data", str(rows), "--targets", tg)
    assert r.code == 0, r
    assert row(doc, "t")["passed"] == 2 and doc["cases"]["count"] == 2


def test_the_ci_gate_fails_and_passes_and_junit_is_written(
    cli, server, write_cases, write_targets, tmp_path
) -> None:
    cases = write_cases(CASES)
    tg = write_targets([target(server, "good", "right"), target(server, "bad", "wrong")])
    junit = tmp_path / "j.xml"
    r = cli("eval", cases, "--targets", tg, "--fail-under", "0.9", "--junit", str(junit))
    assert r.code == 0, r  # the pick, good, passes 4/4
    r = cli("eval", cases, "--targets", tg, "--fail-under", "0.9", "--gate", "bad")
    assert r.code == 1 and "bad passed 0/4 (0%), under --fail-under 90%" in r.err, r
    assert "good" in r.out  # the report is printed before the verdict
    suites = {s.get("name"): s for s in ET.parse(junit).getroot()}
    assert suites["bad"].get("failures") == "4" and suites["good"].get("failures") == "0"
    r = cli("eval", cases, "--targets", tg, "--fail-under", "0.9", "--gate", "god")
    assert r.code == 2 and "did you mean 'good'" in r.err, r


def test_cache_on_for_temperature_0_and_cleared(cli, server, write_cases, write_targets) -> None:
    tg = write_targets([target(server, "t", "right", params={"temperature": 0})])
    cases = write_cases(CASES)
    run_json(cli, cases, "--targets", tg)
    r, doc = run_json(cli, cases, "--targets", tg)
    assert doc["cached"] == 4 and len(server.requests_for("right")) == 4
    r, doc = run_json(cli, cases, "--targets", tg, "--no-cache")
    assert doc["cached"] == 0 and len(server.requests_for("right")) == 8
    r = cli("eval", "--clear-cache")
    assert r.code == 0 and "deleted 4 cached answers" in r.err, r
    r, doc = run_json(cli, cases, "--targets", tg)
    assert doc["cached"] == 0


def test_a_bad_check_exits_2_with_line_field_and_suggestion(
    cli, write_targets, server, tmp_path
) -> None:
    cases = tmp_path / "c.jsonl"
    cases.write_text(
        '{"id": "a", "prompt": "x", "expect": {"equals": "x"}}\n'
        '{"id": "b", "prompt": "x", "expect": {"start_with": "x"}}\n'
    )
    r = cli("eval", str(cases), "--targets", write_targets([target(server, "t", "right")]))
    assert r.code == 2, r
    assert (
        "c.jsonl:2: expect.start_with: unknown key 'start_with'; did you mean 'starts_with'?"
        in r.err
    )


def _results(path: Path, model: str, passed: int, total: int, target: str) -> None:
    with path.open("a") as fh:
        for i in range(total):
            outcome = "pass" if i < passed else "fail"
            rec = {
                "target": target,
                "case": str(i),
                "repeat": 0,
                "outcome": outcome,
                "model": model,
            }
            fh.write(json.dumps(rec) + "\n")


def test_recommend_evidence_moves_the_ranking_and_says_measured(
    cli, fixture_catalog, tmp_path
) -> None:
    res = tmp_path / "results.jsonl"
    _results(res, "rocket-7b-chat", 19, 20, "chat")
    _results(res, "rocket-70b-instruct", 6, 20, "big")

    def ranked(*extra: str) -> list[dict[str, Any]]:
        r = cli("recommend", "--no-input", "--json", *extra)
        assert r.code == 0, r
        return list(json.loads(r.out)["candidates"])

    before = [c["id"] for c in ranked()]
    after = ranked("--evidence", str(res))
    assert before[0] == "rocket-70b-instruct" and after[0]["id"] == "rocket-7b-chat"
    measured = [x for x in after[0]["reasons"] if x["rule"] == "measured on your cases"]
    assert measured[0]["text"] == "measured on your cases: 19/20 [76–99%]"
    # in a requirements file, relative to the file
    req = tmp_path / "req.yaml"
    req.write_text("evidence: results.jsonl\n")
    assert ranked("-r", str(req))[0]["id"] == "rocket-7b-chat"
    human = cli("recommend", "--no-input", "--evidence", str(res))
    assert "measured on your cases: 19/20 [76–99%]" in human.out, human
    why = cli("why", "rocket-7b-chat", "--evidence", str(res))
    assert why.code == 0 and "measured on your cases" in why.out, why
    r = cli("recommend", "--no-input", "--evidence", str(tmp_path / "none.jsonl"))
    assert r.code == 2 and "no such results file" in r.err


def test_a_speed_timed_on_your_server_replaces_the_estimate(
    cli, server, write_cases, write_targets, fixture_catalog, tmp_path
) -> None:
    # a real eval run on 127.0.0.1 (self-hosted: a local server, open weights); "slow"
    # answers whole after 0.3 s, so a few words come out at a few tokens per second
    tg = write_targets([target(server, "mine", "slow", model="rocket-7b-chat", stream=False)])
    res = tmp_path / "results.jsonl"
    r = cli("eval", write_cases(CASES[:3]), "--targets", tg, "--out", str(res))
    assert r.code == 0, r
    recs = [json.loads(line) for line in res.read_text().splitlines()]
    assert all(x["self_hosted"] is True for x in recs)
    # by hand: each answer's completion tokens over its generation time, the median
    per = sorted(
        x["completion_tokens"] / (x["latency_s"] - (x["ttft_s"] or 0))
        if x["ttft_s"] is not None and x["ttft_s"] < x["latency_s"]
        else x["completion_tokens"] / x["latency_s"]
        for x in recs
    )
    timed = per[1]
    hw = ("--gpu-memory", "24", "--device", "rtx-4090")

    def rocket(*extra: str) -> dict[str, Any]:
        r = cli("why", "rocket-7b-chat", *hw, "--json", *extra)
        assert r.code == 0, r
        return dict(json.loads(r.out))

    est = rocket()["speed"]
    assert est["source"] == "estimate" and est["estimated"] is True
    got = rocket("--evidence", str(res))["speed"]
    assert got["source"] == "measured" and got["estimated"] is False
    assert got["tokens_per_s"] == round(timed, 1) and got["bandwidth_gbs"] is None
    assert "measured on your server: median of 3 answers" in got["assumption"]
    # --min-speed between the two: the estimate passes it, the measured figure does not
    floor = f"{(timed + est['tokens_per_s']) / 2:.0f}"
    assert timed < float(floor) < est["tokens_per_s"]
    assert rocket("--min-speed", floor)["passed"] is True
    out = rocket("--min-speed", floor, "--evidence", str(res))
    said = [x["text"] for x in out["exclusions"] if x["constraint"] == "min_speed"]
    assert said == [
        f"{timed:.0f} tokens/s, under {floor} (measured on your server: median of 3 "
        f"answers in {res})"
    ]
    human = cli("recommend", "--no-input", *hw, "--evidence", str(res))
    assert f"{timed:.0f} tokens/s (measured on your server)" in human.out, human
    # an API's timing says nothing about your hardware: not used
    api = tmp_path / "api.jsonl"
    api.write_text(
        "\n".join(json.dumps({**x, "self_hosted": False}) for x in recs) + "\n", encoding="utf-8"
    )
    assert rocket("--evidence", str(api))["speed"]["source"] == "estimate"
