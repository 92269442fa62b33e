"""Editions are part of a benchmark's name (issue 20): Terminal-Bench 2.0, 2.1 and
Artificial Analysis's 84-task run, SWE-Bench Pro's public set and Artificial Analysis's
hard subset, each version of an Artificial Analysis index, and MMLU-Pro and GPQA Diamond
under each shot and chain-of-thought setting are ranked only among their own; a result
that names none is not ranked, and one that names two is refused."""

from __future__ import annotations

import pytest

from llmpick.catalog.records import Evidence, Variant
from llmpick.engine.coverage import coverage
from llmpick.engine.evidence import canonical, comparable_edition, edition_conflict, percentiles
from tests.unit.test_engine_rules import make_catalog, make_variant


def model(vid: str, benchmark: str, score: float, metric: str) -> Variant:
    return make_variant(vid, evidence=[Evidence(benchmark, score, "https://example.org", metric)])


@pytest.mark.parametrize(
    ("benchmark", "metrics"),
    [
        (
            "Terminal-Bench 2",
            [
                "success rate, Terminal-Bench 2.0",
                "success rate, v2.1, Terminus-2 harness",
                "pass@1, Terminal-Bench v2 (84 tasks), Artificial Analysis coding-agent run",
            ],
        ),
        (
            "SWE-Bench Pro",
            [
                "resolve rate, public set (Scale AI leaderboard)",
                "pass@1, SWE-Bench-Pro-Hard-AA (Artificial Analysis hard subset, 150 tasks)",
                "resolve rate, commercial set",
            ],
        ),
        ("Artificial Analysis Intelligence Index", ["index v4.0", "index v4.1", "index v4.1.1"]),
        ("MMLU-Pro", ["5-shot CoT macro_avg/acc", "5-shot macro_avg/em", "0-shot macro_avg/acc"]),
        ("GPQA Diamond", ["0-shot CoT accuracy", "0-shot accuracy", "avg@8, 5-shot"]),
    ],
)
def test_each_edition_is_its_own_benchmark(benchmark: str, metrics: list[str]) -> None:
    names = [canonical(benchmark, m) for m in metrics]
    assert len(set(names)) == len(names), names
    assert all(comparable_edition(n) for n in names), names


def test_spellings_of_one_edition_are_one_benchmark() -> None:
    assert canonical("Terminal-Bench 2.1") == canonical("Terminal-Bench 2", "success rate, v2.1")
    assert canonical("SWE-Bench Pro (public)", "resolve rate") == canonical(
        "SWE-Bench Pro", "public set, single attempt"
    )
    assert canonical("MMLU-Pro", "zero-shot") == canonical("MMLU Pro", "0-shot accuracy")


@pytest.mark.parametrize(
    ("benchmark", "metric"),
    [
        ("Terminal-Bench 2", "success rate, Terminal-Bench 2 (maker-reported)"),
        ("SWE-Bench Pro", "resolve rate"),
        ("Artificial Analysis Coding Index", "index"),
        ("MMLU-Pro", "accuracy"),
        ("GPQA Diamond", "pass@1"),
    ],
)
def test_a_result_naming_no_edition_is_not_ranked(benchmark: str, metric: str) -> None:
    assert not comparable_edition(canonical(benchmark, metric))
    models = [model(f"m{n}", benchmark, 50.0 + n, metric) for n in range(4)]
    assert percentiles(models) == {}


def test_the_public_set_and_the_hard_subset_are_ranked_apart() -> None:
    """deepseek-v4-pro's 18.0 on Artificial Analysis's hard subset ranked against public-set
    scores up to 80 put it at the bottom; among the hard subset it is second of three."""
    public = "resolve rate, public set (Scale AI leaderboard)"
    hard = "pass@1, SWE-Bench-Pro-Hard-AA (Artificial Analysis hard subset, 150 tasks)"
    models = [
        *(model(f"pub{n}", "SWE-Bench Pro", s, public) for n, s in enumerate((55.4, 64.3, 80.3))),
        *(model(f"aa{n}", "SWE-Bench Pro", s, hard) for n, s in enumerate((14.9, 18.0, 27.3))),
    ]
    places = percentiles(models)
    assert places[("aa1", canonical("SWE-Bench Pro", hard))] == (0.5, 3)
    assert places[("pub0", canonical("SWE-Bench Pro", public))] == (1 / 6, 3)
    assert {n for _, n in places} == {
        canonical("SWE-Bench Pro", public),
        canonical("SWE-Bench Pro", hard),
    }


def test_a_result_naming_two_editions_is_refused() -> None:
    assert edition_conflict("SWE-Bench Pro (public)", "pass@1, Artificial Analysis run")
    assert edition_conflict("Terminal-Bench 2", "Terminal-Bench 2.0 and 2.1")
    assert edition_conflict("MMLU-Pro", "5-shot, 0-shot")
    assert edition_conflict("SWE-Bench Pro", "resolve rate, public set") is None
    assert edition_conflict("HumanEval", "pass@1, 0-shot, 5-shot") is None  # not editioned
    bad = model("bad", "SWE-Bench Pro (public)", 20.0, "pass@1, Artificial Analysis run")
    gaps = coverage(make_catalog(bad)).gaps
    assert any(g.startswith("bad: evidence 0") and "2 editions" in g for g in gaps), gaps


def test_stats_count_results_naming_no_edition() -> None:
    unnamed = model("u", "SWE-Bench Pro", 60.0, "resolve rate")
    named = model("n", "SWE-Bench Pro", 60.0, "resolve rate, public set")
    report = coverage(make_catalog(unnamed, named))
    assert report.unranked == {"SWE-Bench Pro": 1}
    assert report.to_data()["results_naming_no_edition"] == {"SWE-Bench Pro": 1}
