"""The evaluation session without the command line: the resume rule, and planning a
resumed run from a results file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from llmpick.errors import UsageError
from llmpick.evaluation.cases import Case
from llmpick.evaluation.session import EvalOptions, all_targets, check_gate, plan, resumable
from llmpick.evaluation.targets import ModelInfo, Target


def case(cid: str, prompt: str = "2+2?", **expect: Any) -> Case:
    return Case.model_validate({"id": cid, "prompt": prompt, "expect": expect or {"equals": "4"}})


def target(name: str, served_as: str = "m") -> Target:
    url = "http://127.0.0.1:9/v1/chat/completions"
    return Target(name=name, base_url="http://127.0.0.1:9", url=url, served_as=served_as)


def record(t: Target, c: Case, outcome: str = "pass", **extra: Any) -> dict[str, Any]:
    return {
        "target": t.name,
        "case": c.id,
        "repeat": 0,
        "outcome": outcome,
        "target_fp": t.fingerprint,
        "case_fp": c.fingerprint(),
        **extra,
    }


def keys(*recs: dict[str, Any]) -> dict[tuple[str, str, int], dict[str, Any]]:
    return {(r["target"], r["case"], r["repeat"]): r for r in recs}


def test_answered_results_for_the_same_target_and_case_are_kept() -> None:
    a, c = target("a"), case("sum")
    assert resumable(keys(record(a, c, "pass")), [a], [c], None) == {("a", "sum", 0)}
    assert resumable(keys(record(a, c, "fail")), [a], [c], None) == {("a", "sum", 0)}


def test_errors_are_asked_again() -> None:
    a, c = target("a"), case("sum")
    assert resumable(keys(record(a, c, "error")), [a], [c], None) == set()


def test_a_changed_case_or_target_is_asked_again() -> None:
    a, c = target("a"), case("sum")
    old = keys(record(a, c))
    assert resumable(old, [a], [case("sum", prompt="3+1?")], None) == set()
    assert resumable(old, [target("a", served_as="other")], [c], None) == set()


def test_targets_and_cases_no_longer_in_the_run_are_not_kept() -> None:
    a, b, c = target("a"), target("b"), case("sum")
    old = keys(record(a, c), record(b, c))
    assert resumable(old, [b], [c], None) == {("b", "sum", 0)}
    assert resumable(old, [a, b], [case("other")], None) == set()


def test_a_judged_case_needs_the_judges_grade() -> None:
    a, grader = target("a"), target("grader")
    judged = case("tone", judge="is it polite?")
    plain = case("sum")
    old = keys(record(a, judged), record(a, plain))
    # with a judge: the judged case is asked again (no grade), the other is kept
    assert resumable(old, [a], [judged, plain], grader) == {("a", "sum", 0)}
    graded = keys(record(a, judged, judge={"verdict": "pass"}))
    assert resumable(graded, [a], [judged], grader) == {("a", "tone", 0)}
    # no judge in this run: nothing to wait for
    assert resumable(old, [a], [judged, plain], None) == {("a", "tone", 0), ("a", "sum", 0)}


def _files(tmp_path: Path) -> tuple[str, str, Case, Target]:
    cases = tmp_path / "cases.jsonl"
    cases.write_text(json.dumps({"id": "sum", "prompt": "2+2?", "expect": {"equals": "4"}}) + "\n")
    targets = tmp_path / "targets.yaml"
    spec = {"name": "a", "base_url": "http://127.0.0.1:9", "served_as": "m"}
    targets.write_text(yaml.safe_dump({"targets": [spec]}))
    return str(cases), str(targets), case("sum"), target("a")


def _lookup(model: str) -> ModelInfo:
    raise AssertionError(f"no catalog model is named in these targets: {model}")


def test_planning_a_resumed_run_keeps_what_the_results_file_answers(tmp_path: Path) -> None:
    cases, targets, c, _ = _files(tmp_path)
    first = plan(
        cases,
        targets_file=targets,
        shortlist=None,
        judge=None,
        repeat=2,
        out=None,
        resume=False,
        lookup=_lookup,
    )
    assert first.jobs == 2 and first.writer is None
    a = first.candidates[0]
    out = tmp_path / "results.jsonl"
    out.write_text(json.dumps(record(a, c)) + "\n{cut short\n")
    with pytest.raises(UsageError, match="already holds results"):
        plan(
            cases,
            targets_file=targets,
            shortlist=None,
            judge=None,
            repeat=2,
            out=str(out),
            resume=False,
            lookup=_lookup,
        )
    again = plan(
        cases,
        targets_file=targets,
        shortlist=None,
        judge=None,
        repeat=2,
        out=str(out),
        resume=True,
        lookup=_lookup,
    )
    assert again.writer is not None
    again.writer.close()
    assert again.skip == {("a", "sum", 0)} and again.jobs == 1
    assert again.notes == [f"1 unreadable lines in {out} were ignored"]


def test_results_for_repeats_beyond_the_run_are_asked_again() -> None:
    a, c = target("a"), case("sum")
    old = keys(record(a, c), record(a, c, repeat=1), record(a, c, repeat=2))
    assert resumable(old, [a], [c], None, repeat=2) == {("a", "sum", 0), ("a", "sum", 1)}
    # without a repeat, every answered repeat counts (the report's own reading)
    assert len(resumable(old, [a], [c], None)) == 3


def test_a_gate_names_a_candidate() -> None:
    check_gate(["good"], ["good", "bad"])
    with pytest.raises(UsageError) as near:
        check_gate(["god"], ["good", "bad"])
    assert near.value.hint == "did you mean 'good'?"
    with pytest.raises(UsageError, match="--gate 'zzz' is not one of the targets") as far:
        check_gate(["zzz"], ["good", "bad"])
    assert far.value.hint == "choose from: good, bad"  # in the targets file's order


def test_a_target_in_both_the_targets_file_and_the_shortlist_is_refused(
    tmp_path: Path,
) -> None:
    cases, targets, _, _ = _files(tmp_path)
    shortlist = tmp_path / "x.json"
    shortlist.write_text(json.dumps({"candidates": [{"id": "a", "ollama": "a:7b"}]}))
    ollama = "http://127.0.0.1:11434"
    with_both = EvalOptions(cases, targets, shortlist=str(shortlist), base_url=ollama)
    with pytest.raises(UsageError, match="target 'a' is both in --targets and in --shortlist"):
        all_targets(with_both, _lookup)
    alone = EvalOptions(cases, shortlist=str(shortlist), base_url=ollama)
    found, notes = all_targets(alone, _lookup)
    assert [(t.name, t.served_as) for t in found] == [("a", "a:7b")] and notes == []
