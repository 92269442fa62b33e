"""Every number from outside is finite, in range and sane, or refused naming it: JSON
integers past 4,300 digits (a plain ValueError in Python), NaN, Infinity and 1e400,
negative or absurd token counts, absurd prices from a refresh, and deep nesting, in
requirements files, replies, answers, cases and results lines, shortlists and
downloads. None may end in "internal error"."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from tests.conftest import Result
from tests.eval.fake_openai import FakeOpenAI
from tests.hostile_http import Hostile
from tests.refresh_upstream import Upstream

Cli = Callable[..., Result]
HUGE = "9" * 5000


def clean(r: Result) -> None:
    assert "internal error" not in r.err and "Traceback" not in r.err, r


@pytest.mark.parametrize(
    ("name", "text", "why"),
    [
        ("r.yaml", "gpu_memory: .inf\n", "invalid value for gpu_memory: inf is out of range"),
        ("r.yaml", f"max_params: {'9' * 401}\n", "invalid value for max_params: 9999"),
        ("r.yaml", f"min_context: {'9' * 401}\n", "invalid value for min_context: 9999"),
        ("r.yaml", "min_context: .nan\n", "invalid value for min_context: nan is out of range"),
        ("r.json", '{"min_context": 1e400}', "r.json:1: invalid JSON: the number 1e400 is out of"),
        ("r.json", f'{{"gpu_memory": {HUGE}}}', "invalid JSON: a number of 5,000 digits"),
        ("r.json", '{"max_price": NaN}', "invalid JSON: NaN is not a number JSON allows"),
    ],
)
def test_a_requirements_file_number_out_of_range_exits_2_naming_it(
    cli: Cli, tmp_path: Path, name: str, text: str, why: str
) -> None:
    path = tmp_path / name
    path.write_text(text)
    r = cli("recommend", "-r", str(path), "--no-input")
    clean(r)
    assert r.code == 2, r
    assert why in r.err, r
    assert len(r.err) < 400, "the number is named, not printed"


def _eval(cli: Cli, tmp_path: Path, base_url: str, cases: list[dict[str, object]]) -> Result:
    cf = tmp_path / "cases.jsonl"
    cf.write_text("".join(json.dumps(c) + "\n" for c in cases))
    tf = tmp_path / "targets.yaml"
    target = {
        "name": "t",
        "base_url": base_url,
        "served_as": "right",
        "stream": False,
        "self_hosted": False,
        "prices": {"input": 1.0, "output": 2.0},
    }
    tf.write_text(yaml.safe_dump({"targets": [target]}))
    out = tmp_path / "out.jsonl"
    return cli("eval", str(cf), "--targets", str(tf), "--out", str(out), "--json", "--retries", "0")


@pytest.mark.parametrize("behaviour", ["bigint", "negative", "nan"])
def test_token_counts_out_of_range_are_unknown_never_a_negative_cost(
    cli: Cli, tmp_path: Path, hostile: Hostile, behaviour: str
) -> None:
    case = {"id": "a", "prompt": "x", "expect": {"equals": "ok"}}
    r = _eval(cli, tmp_path, hostile.url(behaviour) + "/v1", [case])
    clean(r)
    (row,) = json.loads(r.out)["targets"]
    (rec,) = map(json.loads, (tmp_path / "out.jsonl").read_text().splitlines())
    if behaviour == "negative":  # the reply is usable, its count is not
        assert rec["outcome"] == "pass" and rec["prompt_tokens"] is None, rec
        assert row["cost_usd"] is None or row["cost_usd"] >= 0, row
    else:  # not JSON a program can read: an error naming why
        assert rec["outcome"] == "error", rec
        assert "the reply is not valid JSON" in rec["error"], rec


def test_an_answer_with_a_huge_number_fails_its_check_not_the_run(
    cli: Cli, tmp_path: Path, server: FakeOpenAI
) -> None:
    cases = [
        {
            "id": "big",
            "prompt": f'<<{{"n": {HUGE}}}>>',
            "expect": {"json_schema": {"type": "object"}},
        },
        {"id": "inf", "prompt": '<<{"n": 1e400}>>', "expect": {"json_schema": {"type": "object"}}},
        {"id": "judged", "prompt": "<<Paris>>", "expect": {"contains": "Paris"}},
    ]
    r = _eval(cli, tmp_path, server.url, cases)
    clean(r)
    assert r.code == 0, r
    recs = {
        x["case"]: x for x in map(json.loads, (tmp_path / "out.jsonl").read_text().splitlines())
    }
    assert recs["big"]["outcome"] == "fail"
    assert "a number of 5,000 digits" in recs["big"]["checks"][0]["detail"]
    assert recs["inf"]["outcome"] == "fail" and "out of range" in recs["inf"]["checks"][0]["detail"]


def test_a_cases_line_with_a_huge_number_exits_2(
    cli: Cli, tmp_path: Path, server: FakeOpenAI
) -> None:
    cf = tmp_path / "cases.jsonl"
    cf.write_text(f'{{"id": "a", "prompt": "x", "expect": {{"equals": "x"}}}}\n{{"id": {HUGE}}}\n')
    tf = tmp_path / "t.yaml"
    tf.write_text(
        yaml.safe_dump({"targets": [{"name": "t", "base_url": server.url, "served_as": "right"}]})
    )
    r = cli("eval", str(cf), "--targets", str(tf))
    clean(r)
    assert r.code == 2 and "cases.jsonl:2: not valid JSON: a number of 5,000 digits" in r.err, r


def test_a_results_line_with_a_huge_number_is_skipped_on_resume(
    cli: Cli, tmp_path: Path, server: FakeOpenAI
) -> None:
    case = {"id": "a", "prompt": "<<x>>", "expect": {"equals": "x"}}
    out = tmp_path / "out.jsonl"
    out.write_text(f'{{"target": "t", "case": "a", "repeat": 0, "latency_s": {HUGE}}}\n')
    cf = tmp_path / "cases.jsonl"
    cf.write_text(json.dumps(case) + "\n")
    tf = tmp_path / "t.yaml"
    tf.write_text(
        yaml.safe_dump({"targets": [{"name": "t", "base_url": server.url, "served_as": "right"}]})
    )
    r = cli("eval", str(cf), "--targets", str(tf), "--out", str(out), "--resume", "--json")
    clean(r)
    assert r.code == 0, r
    assert json.loads(r.out)["targets"][0]["passed"] == 1
    assert "1 unreadable lines" in r.err or "1 unreadable lines" in r.out, r


@pytest.mark.parametrize(
    "text",
    [
        '{"candidates": [{"id": "a", "params_b": ' + HUGE + "}]}",
        '{"candidates": ' + "[" * 100_000 + "]" * 100_000 + "}",
        '{"candidates": [{"id": "a", "score": Infinity}]}',
    ],
    ids=["huge-int", "deep", "infinity"],
)
def test_a_shortlist_with_bad_numbers_or_deep_nesting_exits_2(
    cli: Cli, tmp_path: Path, text: str
) -> None:
    sl = tmp_path / "shortlist.json"
    sl.write_text(text)
    cf = tmp_path / "cases.jsonl"
    cf.write_text('{"id": "a", "prompt": "x", "expect": {"equals": "x"}}\n')
    r = cli(
        "eval",
        str(cf),
        "--shortlist",
        str(sl),
        "--base-url",
        "http://127.0.0.1:9/v1",
    )
    clean(r)
    assert r.code == 2, r
    assert "shortlist.json" in r.err, r


# --- refresh -------------------------------------------------------------------------


def test_an_absurd_refreshed_price_is_unknown_and_every_json_still_works(
    cli: Cli, upstream: Upstream
) -> None:
    upstream.data["litellm"]["gpt-t"]["input_cost_per_token"] = 1e303
    upstream.data["litellm"]["gpt-t"]["output_cost_per_token"] = 1e303
    r = cli("catalog", "refresh", *upstream.args())
    clean(r)
    assert r.code == 0, r
    for args in (("models", "--json"), ("show", "gpt-t", "--json"), ("why", "gpt-t", "--json")):
        shown = cli(*args)
        clean(shown)
        assert shown.code == 0, shown
        assert "Infinity" not in shown.out and "1e+309" not in shown.out
    price = json.loads(cli("show", "gpt-t", "--json").out)["pricing"]
    assert price["input"] == 1.25, "the curated price stays: upstream's is not sane"


def test_a_download_with_a_huge_integer_is_refused_in_words(cli: Cli, upstream: Upstream) -> None:
    raw = json.dumps(upstream.data["litellm"]).replace(
        '"max_input_tokens": 1', '"max_input_tokens": ' + HUGE + ', "x": 1', 1
    )
    assert HUGE in raw
    upstream.data["litellm"] = raw.encode()  # served as it is
    r = cli("catalog", "refresh", *upstream.args())
    clean(r)
    assert r.code == 1 and "not valid JSON: a number of 5,000 digits" in r.err, r
