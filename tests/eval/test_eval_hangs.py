"""Nothing in a cases file can make `eval` hang or fetch: a regex check is time-bounded,
a JSON Schema may refer only within itself and never in a loop, a YAML cases file loads
in linear time, and a FIFO given as --out is refused. Hangs are run in a subprocess
with a timeout, so a regression fails instead of blocking the suite."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, NamedTuple

import pytest
import yaml

from llmpick.evaluation import checks
from llmpick.evaluation.cases import load_cases
from llmpick.yamlsafe import MAX_NODES, YamlProblem, parse
from tests.conftest import Result, run_with_peak, runs_in_a_process
from tests.eval.fake_openai import FakeOpenAI


def _target(srv: FakeOpenAI, served: str = "right") -> dict[str, Any]:
    return {"name": "t", "base_url": srv.url, "served_as": served}


# `llmpick eval ARGS` in a process whose regex time bound is BOUND_S instead of the real
# second: what the test proves is that the bound is enforced, whatever its value, and a
# check cut off by it keeps the processor busy until then (a second of CPU a run)
BOUND_S = 0.2
_BOUNDED = (
    "import sys\n"
    "from llmpick.evaluation import checks\n"
    "checks.REGEX_TIMEOUT_S = float(sys.argv[1])\n"
    "from llmpick.cli.app import run\n"
    "sys.exit(run(['eval', *sys.argv[2:]]))\n"
)


def _run(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", _BOUNDED, str(BOUND_S), *args],
        capture_output=True, text=True, timeout=timeout, env=os.environ.copy(), check=False,
    )  # fmt: skip


@pytest.mark.slow  # a process (a hang must fail, not block) and the bound waited out
def test_a_backtracking_regex_is_cut_off_not_run_for_hours(
    server: FakeOpenAI, write_cases: Any, write_targets: Any, tmp_path: Path
) -> None:
    cases = write_cases(
        [
            # the issue's pattern: exponential in re on 41 characters
            {"id": "nested", "prompt": f"<<{'a' * 41}!>>", "expect": {"regex": "^(a+)+$"}},
            # exponential in any backtracking engine: the time bound ends it
            {"id": "overlap", "prompt": f"<<{'x' * 5000}>>", "expect": {"regex": "(x+x+)+y"}},
            {"id": "fine", "prompt": "<<yes 42>>", "expect": {"regex": r"\b42$"}},
        ]
    )
    out = tmp_path / "out.jsonl"
    start = time.monotonic()
    p = _run(cases, "--targets", write_targets([_target(server)]), "--out", str(out), "--json")
    took = time.monotonic() - start
    assert p.returncode == 0, p.stderr
    recs = {r["case"]: r for r in map(json.loads, out.read_text().splitlines())}
    assert recs["nested"]["outcome"] == "fail"
    assert recs["overlap"]["outcome"] == "error"
    assert (
        f"took longer than {BOUND_S:g} s on this answer" in recs["overlap"]["checks"][0]["detail"]
    )
    assert recs["fine"]["outcome"] == "pass"
    assert took < 20, f"took {took:.1f} s"
    # the real bound is the second the cases file's documentation promises
    assert checks.REGEX_TIMEOUT_S == 1.0


SCHEMAS = [
    ({"$ref": "#"}, "refers back to itself without reading any of the answer"),
    (
        {
            "$defs": {"a": {"allOf": [{"$ref": "#/$defs/b"}]}, "b": {"$ref": "#/$defs/a"}},
            "$ref": "#/$defs/a",
        },
        "refers back to itself",
    ),
    ({"$ref": "#/$defs/missing"}, "'#/$defs/missing' points at nothing in this schema"),
    ({"$ref": "file:///dev/zero"}, "'file:///dev/zero' is not a local reference"),
    ({"items": {"$ref": "{server}/schema.json"}}, "#/items/$ref: 'http://127.0.0.1"),
    (
        {"properties": {"a": {"$id": "{server}/x.json", "$ref": "#/definitions/y"}}},
        "a nested $id is not allowed",
    ),
]


class HangRuns(NamedTuple):
    schemas: list[Result]  # each of SCHEMAS
    asked: list[Any]  # what their server was asked
    recursive: Result  # a schema that refers to itself while reading the answer
    out: Path  # its results file
    fifos: dict[bool, tuple[Result, Path, list[Any]]]  # --out FIFO (by --resume)


_HANG_RUNS: list[HangRuns] = []


@pytest.fixture
def hang_runs(tmp_path_factory: pytest.TempPathFactory) -> HangRuns:
    """`eval` on a cases file with each of SCHEMAS, then on one whose schema refers to
    itself while reading the answer, then with --out a FIFO, without and with --resume,
    in turn in one process (a hang must fail on its timeout; one process, not nine: each
    costs about 0.3 s of CPU). Run at the first test that asks, under its isolated
    environment, then kept: each run's result and what its server was asked (a server
    for the SCHEMAS, one for the FIFOs), the recursive run's results file and each FIFO."""
    if not _HANG_RUNS:
        _HANG_RUNS.append(_hang_runs(tmp_path_factory.mktemp("schemas")))
    return _HANG_RUNS[0]


RECURSIVE = {
    "type": "object",
    "properties": {"child": {"$ref": "#"}},
    "additionalProperties": False,
}


def _hang_runs(d: Path) -> HangRuns:
    refused, answering, fifo_server = (FakeOpenAI().start() for _ in range(3))
    try:
        commands = []
        for i, (schema, _) in enumerate(SCHEMAS):
            text = json.dumps(schema).replace("{server}", refused.url)
            case = {"id": "s", "prompt": "<<{}>>", "expect": {"json_schema": json.loads(text)}}
            cases = d / f"cases-{i}.jsonl"
            cases.write_text(json.dumps(case) + "\n")
            commands.append(("eval", str(cases), "--targets", str(d / "refused.yaml")))
        (d / "refused.yaml").write_text(yaml.safe_dump({"targets": [_target(refused)]}))
        deep = '{"child": {"child": {"child": {}}}}'
        bad = '{"child": {"child": {"x": 1}}}'
        recursive = d / "recursive.jsonl"
        recursive.write_text(
            "".join(
                json.dumps({"id": i, "prompt": f"<<{a}>>", "expect": {"json_schema": RECURSIVE}})
                + "\n"
                for i, a in (("ok", deep), ("bad", bad))
            )
        )
        (d / "answering.yaml").write_text(yaml.safe_dump({"targets": [_target(answering)]}))
        out = d / "recursive-out.jsonl"
        commands.append(
            ("eval", str(recursive), "--targets", str(d / "answering.yaml"), "--out", str(out))
        )
        fifos = {r: d / f"out-{r}.fifo" for r in (False, True)} if hasattr(os, "mkfifo") else {}
        if fifos:
            one = d / "one.jsonl"
            one.write_text(json.dumps({"id": "a", "prompt": "<<x>>", "expect": {"equals": "x"}}))
            (d / "fifo.yaml").write_text(yaml.safe_dump({"targets": [_target(fifo_server)]}))
            for resume, fifo in fifos.items():
                os.mkfifo(fifo)
                commands.append(
                    ("eval", str(one), "--targets", str(d / "fifo.yaml"), "--out", str(fifo))
                    + ("--resume",) * resume
                )
        results = runs_in_a_process(*commands, timeout=60)
        schemas, recursive_run = results[: len(SCHEMAS)], results[len(SCHEMAS)]
        fifo_runs = results[len(SCHEMAS) + 1 :]
        return HangRuns(
            schemas,
            refused.log,
            recursive_run,
            out,
            {
                resume: (run, fifo, list(fifo_server.log))
                for (resume, fifo), run in zip(fifos.items(), fifo_runs, strict=True)
            },
        )
    finally:
        refused.stop()
        answering.stop()
        fifo_server.stop()


@pytest.mark.parametrize(("schema", "why"), SCHEMAS)
def test_a_schema_may_refer_only_within_itself_and_never_in_a_loop(
    hang_runs: HangRuns, schema: dict[str, Any], why: str
) -> None:
    asked = hang_runs.asked
    p = hang_runs.schemas[SCHEMAS.index((schema, why))]
    assert p.code == 2, p
    assert "expect.json_schema: not a usable JSON Schema" in p.err and why in p.err, p.err
    assert "internal error" not in p.err
    assert asked == []  # nothing was asked, or fetched, for any of them


def test_a_recursive_schema_that_reads_the_answer_still_works(hang_runs: HangRuns) -> None:
    p, out = hang_runs.recursive, hang_runs.out
    assert p.code == 0, p
    recs = {r["case"]: r["outcome"] for r in map(json.loads, out.read_text().splitlines())}
    assert recs == {"ok": "pass", "bad": "fail"}


def test_yaml_cases_load_in_linear_time(tmp_path: Path) -> None:
    """Every case's line was looked up by parsing the whole file again: 4,000 cases took
    321 s. 3,000 cases must load in seconds (minutes before)."""
    # what yaml.safe_dump writes for these cases, written directly: dumping them took
    # as long as loading them (checked on the first cases below)
    entry = "- id: c{}\n  prompt: q {}\n  expect:\n    contains: a\n"
    text = "".join(entry.format(i, i) for i in range(3000))
    text += "- id: c0\n  prompt: again\n  expect:\n    contains: a\n"
    first = [{"id": f"c{i}", "prompt": f"q {i}", "expect": {"contains": "a"}} for i in range(3)]
    assert text.startswith(yaml.safe_dump(first, sort_keys=False))
    p = tmp_path / "cases.yaml"
    p.write_text(text)
    start = time.monotonic()
    with pytest.raises(Exception, match=r"duplicate id 'c0' \(first at line 1\)") as exc:
        load_cases(p)
    assert f"cases.yaml:{3000 * 4 + 1}: id:" in str(exc.value)
    assert time.monotonic() - start < 20


@pytest.mark.slow  # libyaml and pydantic on 45,000 cases: the file must exceed MAX_NODES values
def test_a_large_yaml_cases_file_is_not_taken_for_an_alias_bomb(tmp_path: Path) -> None:
    """The catalog's limit of MAX_NODES values refused about 40,000 plain cases as if
    aliases had multiplied them. Slow for a good reason (a few seconds: libyaml and
    pydantic on 45,000 cases): the file must hold more values than that limit, in the
    shape real cases have, so it cannot be smaller."""
    n = 45_000
    # what yaml.safe_dump writes for these cases, written directly: dumping them took
    # as long again as loading them (checked on the first cases below)
    entry = "- expect:\n    equals: a\n  id: c{}\n  prompt: q\n"
    text = "".join(entry.format(i) for i in range(n))
    first = [{"id": f"c{i}", "prompt": "q", "expect": {"equals": "a"}} for i in range(3)]
    assert text.startswith(yaml.safe_dump(first))
    values = n * 5  # per case: the entry in the list, its 3 keys, expect's key
    assert values > MAX_NODES  # beyond the limit that was wrongly applied
    p = tmp_path / "cases.yaml"
    p.write_text(text)
    assert len(load_cases(p)) == n


def test_too_many_values_says_why_truly() -> None:
    plain = yaml.safe_dump([{"a": i} for i in range(200)])
    with pytest.raises(YamlProblem, match=r"more than 100 values \(the file is too large"):
        parse(plain, "f.yaml", max_nodes=100)
    bomb = "a: &a [1, 2, 3, 4, 5, 6, 7, 8, 9]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
    bomb += "c: [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
    with pytest.raises(YamlProblem, match="anchors and aliases that multiply are refused"):
        parse(bomb, "f.yaml", max_nodes=100)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
@pytest.mark.parametrize("resume", [False, True])
def test_out_to_a_fifo_is_refused_not_waited_on(hang_runs: HangRuns, resume: bool) -> None:
    p, fifo, asked = hang_runs.fifos[resume]
    assert p.code == 2, p.err
    assert f"--out {fifo} is not a regular file" in p.err, p.err
    assert asked == []


@pytest.mark.slow  # 100,000 jobs in a process whose peak memory is read
@pytest.mark.skipif(sys.platform != "linux", reason="reads the peak memory of a child")
def test_jobs_are_made_as_they_are_run_not_all_up_front(tmp_path: Path) -> None:
    """10,000 cases asked 10 times: 100,000 jobs, each a coroutine made up front before
    (about 200 MB here, 1.9 GB for the issue's 100,000 cases). The endpoint is closed
    and the target stops after one failure, so the rest are counted as not run."""
    cases = tmp_path / "cases.jsonl"
    line = '{"id": "c%d", "prompt": "q", "expect": {"equals": "a"}}\n'
    cases.write_text("".join(line % i for i in range(10_000)))
    import socket

    closed = socket.socket()  # bound, never listening: connections are refused, and no
    closed.bind(("127.0.0.1", 0))  # other test's server can take the port meanwhile
    port = closed.getsockname()[1]
    targets = tmp_path / "targets.yaml"
    targets.write_text(
        f"targets:\n- name: t\n  base_url: http://127.0.0.1:{port}/v1\n  served_as: m\n"
    )
    p, peak_mb = run_with_peak(
        ["eval", str(cases), "--targets", str(targets), "--repeat", "10",
         "--max-failures", "1", "--retries", "0", "--json"],
        timeout=120,
    )  # fmt: skip
    assert p.returncode == 1 and "no request was answered" in p.stderr, p.stderr
    (row,) = json.loads(p.stdout)["targets"]
    assert row["total"] + row["not_run"] == 100_000, row
    closed.close()
    assert peak_mb < 150, f"peak {peak_mb:.0f} MB"
