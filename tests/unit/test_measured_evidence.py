"""`recommend --evidence`: a pass rate measured with `llmpick eval` on the user's own
cases is evidence for its catalog model, labelled as measured, and outweighs
published results."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from llmpick.catalog.records import Evidence
from llmpick.engine.evidence import Measured, measured_points
from llmpick.engine.rank import recommend
from llmpick.engine.requirements import build
from llmpick.errors import UsageError
from llmpick.evaluation.measured import read_measured
from tests.unit.test_engine_rules import make_catalog, make_variant


def results(tmp_path: Path, model: str | None, outcomes: list[str], target: str = "t") -> Path:
    p = tmp_path / "results.jsonl"
    with p.open("a") as fh:
        for i, o in enumerate(outcomes):
            rec = {"target": target, "case": str(i), "repeat": 0, "outcome": o, "model": model}
            fh.write(json.dumps(rec) + "\n")
    return p


def test_the_label_counts_and_its_interval(tmp_path: Path) -> None:
    p = results(tmp_path, "m", ["pass"] * 19 + ["fail"])
    got, notes = read_measured(p)
    assert got["m"].label() == "measured on your cases: 19/20 [76–99%]" and notes == []


def test_errors_are_not_evidence_and_empty_answers_are(tmp_path: Path) -> None:
    p = results(tmp_path, "m", ["pass", "empty", "error", "error"])
    got, notes = read_measured(p)
    assert (got["m"].passed, got["m"].total) == (1, 2)
    assert notes == [f"2 requests in {p} got no answer and are not counted"]


def test_results_without_a_catalog_model_are_named(tmp_path: Path) -> None:
    p = results(tmp_path, None, ["pass"], target="mystery")
    got, notes = read_measured(p)
    assert got == {} and "mystery" in notes[0]
    with pytest.raises(UsageError, match="no such results file"):
        read_measured(tmp_path / "nope.jsonl")


def test_more_cases_weigh_more_and_failing_counts_against() -> None:
    def pts(k: int, n: int) -> float:
        from llmpick.evaluation.stats import wilson

        return measured_points(Measured(k, n, *wilson(k, n), "r"), 16)

    assert pts(20, 20) > pts(2, 2) > 0 > pts(2, 20)
    assert pts(20, 20) > 16  # more than published results can give (16 at most)


def test_measured_evidence_changes_the_ranking_and_is_labelled() -> None:
    def result(score: float) -> list[Evidence]:
        return [Evidence(benchmark="IFEval", score=score, source="https://x")]

    def model(vid: str, score: float) -> Any:  # each its own family: no shared slot
        return make_variant(vid, evidence=result(score), family=vid)

    strong, weak = model("strong", 85), model("weak", 40)
    fillers = [model(f"f{i}", 50 + i) for i in range(3)]
    c = make_catalog(strong, weak, *fillers)
    r = build({})
    before = [x.variant.id for x in recommend(c, r, top=5).ranked]
    assert before.index("strong") < before.index("weak")
    measured = {
        "weak": Measured(19, 20, 0.7639, 0.9911, "r.jsonl"),
        "strong": Measured(6, 20, 0.145, 0.519, "r.jsonl"),
    }
    rec = recommend(c, r, top=5, measured=measured)
    after = [x.variant.id for x in rec.ranked]
    assert after.index("weak") < after.index("strong")
    weak_v = next(x for x in rec.ranked if x.variant.id == "weak")
    assert weak_v.reasons[0].text == "measured on your cases: 19/20 [76–99%]"
    assert weak_v.reasons[0].rule == "measured on your cases"
    assert any(x.rule == "published results" for x in weak_v.reasons)  # both, distinguishable


def test_a_measured_model_is_not_told_to_test_itself() -> None:
    untested = make_variant("untested")
    c = make_catalog(untested)
    r = build({})
    (before,) = recommend(c, r).ranked
    assert any("test it yourself" in x.text for x in before.caveats)
    (after,) = recommend(c, r, measured={"untested": Measured(5, 5, 0.57, 1.0, "r")}).ranked
    assert not any("test it yourself" in x.text for x in after.caveats)


def test_the_speed_is_the_median_of_timed_answers_on_your_own_server(tmp_path: Path) -> None:
    p = tmp_path / "results.jsonl"
    base = {"target": "mine", "repeat": 0, "model": "m", "self_hosted": True}
    rows = [
        # 100 tokens after the first at 0.5 s of 5.5: 20 tok/s
        {"case": "a", "outcome": "pass", "completion_tokens": 100, "latency_s": 5.5, "ttft_s": 0.5},
        # not streamed: the whole 2 s, 30 tok/s
        {"case": "b", "outcome": "fail", "completion_tokens": 60, "latency_s": 2.0, "ttft_s": None},
        {"case": "c", "outcome": "pass", "completion_tokens": 90, "latency_s": 1.0},  # 90
        {"case": "d", "outcome": "pass", "latency_s": 0.1},  # no usage: not timed
        {"case": "e", "outcome": "error", "completion_tokens": 1, "latency_s": 0.001},
    ]
    p.write_text("".join(json.dumps({**base, **r}) + "\n" for r in rows))
    got, _ = read_measured(p)
    assert got["m"].tokens_per_s == 30.0 and got["m"].speed_answers == 3
    # an API target's timing is not your server's
    p.write_text("".join(json.dumps({**base, **r, "self_hosted": False}) + "\n" for r in rows))
    got, _ = read_measured(p)
    assert got["m"].tokens_per_s is None and got["m"].speed_answers == 0
