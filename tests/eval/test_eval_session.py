"""The eval session without the command line: every input and output checked before
the first request, the exports, the JUnit file and the CI gate."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from llmpick.errors import UsageError, WriteError
from llmpick.evaluation.session import EvalOptions, GateFailed, NothingAnswered, Session
from tests.eval.fake_openai import FakeOpenAI


def _nolookup(model: str) -> Any:
    raise AssertionError(model)


def files(tmp_path: Path, srv: FakeOpenAI, *served: str) -> tuple[str, str]:
    cases = tmp_path / "cases.jsonl"
    cases.write_text(
        "".join(
            json.dumps({"id": str(i), "prompt": f"q <<a>> {i}", "expect": {"equals": "a"}}) + "\n"
            for i in range(3)
        )
    )
    targets = tmp_path / "targets.yaml"
    targets.write_text(
        "targets:\n"
        + "".join(f"  - {{name: {s}, base_url: '{srv.url}', served_as: {s}}}\n" for s in served)
    )
    return str(cases), str(targets)


def test_an_unwritable_output_is_refused_before_any_request(
    server: FakeOpenAI, tmp_path: Path
) -> None:
    cases, targets = files(tmp_path, server, "right")
    for bad in (
        {"junit": str(tmp_path / "no" / "such" / "dir" / "j.xml")},
        {"export": [str(tmp_path)]},  # a directory
        {"out": str(tmp_path / "r.jsonl"), "export": [str(tmp_path / "r.jsonl")]},
    ):
        with pytest.raises(UsageError):
            Session(EvalOptions(cases, targets, **bad), _nolookup)
    with pytest.raises(UsageError, match=r"must end in \.json, \.md or \.html"):
        Session(EvalOptions(cases, targets, export=["r.txt"]), _nolookup)
    assert server.log == []


def test_resume_says_how_many_results_it_reused(server: FakeOpenAI, tmp_path: Path) -> None:
    cases, targets = files(tmp_path, server, "right")
    out = str(tmp_path / "r.jsonl")
    s = Session(EvalOptions(cases, targets, out=out), _nolookup)
    s.run()
    again = Session(EvalOptions(cases, targets, out=out, resume=True), _nolookup)
    assert (again.reused, again.jobs) == (3, 0)
    again.run()
    assert again.report()["reused"] == 3


def test_exports_junit_and_the_gate(server: FakeOpenAI, tmp_path: Path) -> None:
    cases, targets = files(tmp_path, server, "right", "wrong")
    outs = [str(tmp_path / f"r.{x}") for x in ("json", "md", "html")]
    junit = str(tmp_path / "j.xml")
    opts = EvalOptions(cases, targets, export=outs, junit=junit, fail_under=0.9)
    s = Session(opts, _nolookup)
    s.run()
    doc = s.report()
    assert s.write_outputs(doc) == [*outs, junit]
    assert json.loads(Path(outs[0]).read_text())["recommendation"]["target"] == "right"
    assert "<svg" in Path(outs[2]).read_text() and "<testsuite" in Path(junit).read_text()
    s.verdict(doc)  # the pick passes 3/3
    s.options.gate = ["wrong"]
    with pytest.raises(GateFailed, match=r"wrong passed 0/3 \(0%\), under --fail-under 90%"):
        s.verdict(doc)


def test_every_answer_empty_is_said_with_its_likely_cause(
    server: FakeOpenAI, tmp_path: Path
) -> None:
    cases, targets = files(tmp_path, server, "cut")
    s = Session(EvalOptions(cases, targets), _nolookup)
    s.run()
    with pytest.raises(NothingAnswered) as info:
        s.verdict(s.report())
    assert "empty" in info.value.message and "--concurrency 1" in (info.value.hint or "")


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full on this system")
def test_out_on_a_full_disk_is_one_write_error(
    server: FakeOpenAI, tmp_path: Path, quick_slow: float
) -> None:
    cases, targets = files(tmp_path, server, "slow")
    s = Session(EvalOptions(cases, targets, out="/dev/full"), _nolookup)
    with pytest.raises(WriteError, match="No space left on device"):
        s.run()
    # --resume reads the results first: a device is refused, not read forever
    with pytest.raises(UsageError, match="not a regular file"):
        Session(EvalOptions(cases, targets, out="/dev/full", resume=True), _nolookup)
