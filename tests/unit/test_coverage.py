"""The coverage report and the gaps CI refuses."""

from __future__ import annotations

import dataclasses

from llmpick.coverage import coverage
from llmpick.records import ArchNumbers
from tests.unit.test_engine_rules import make_catalog, make_variant


def test_an_open_generative_model_needs_numbers_or_a_stated_reason() -> None:
    bare = make_variant("bare", arch=None)
    said = make_variant("said", arch=ArchNumbers(unpublished="no public configuration"))
    report = coverage(make_catalog(bare, said, make_variant("full")))
    assert [g.split(":")[0] for g in report.gaps] == ["bare"]
    assert report.facts["architecture numbers (open generative)"] == (1, 3)
    assert report.facts["memory sized somehow (open generative)"] == (3, 3)


def test_a_source_outside_the_project_is_a_gap() -> None:
    v = make_variant("v", sources=["shared/data/models-dev-snapshot.json: x"])
    assert any("outside the project" in g for g in coverage(make_catalog(v)).gaps)


def test_evidence_counts_only_results_relevant_to_the_task() -> None:
    from llmpick.records import Evidence

    coder = make_variant("coder", evidence=[Evidence("HumanEval", 80.0, "https://x")])
    report = coverage(make_catalog(coder, dataclasses.replace(coder, id="other", evidence=[])))
    assert report.evidence["code"] == (1, 2)
    assert report.evidence["translation"] == (0, 2)
