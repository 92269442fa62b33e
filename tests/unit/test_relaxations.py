"""The engine returns relaxations as changed requirement fields; the output words them
as options a user can type again."""

from __future__ import annotations

from typing import Any

import pytest

from llmpick.engine.rank import recommend
from llmpick.engine.requirements import build
from llmpick.output.build import relaxation_words
from tests.unit.test_engine_rules import make_catalog, make_variant


@pytest.mark.parametrize(
    ("given", "changes", "words"),
    [
        ({"gpu_memory": 24}, {"gpu_memory": 48}, "--gpu-memory 48"),
        ({"max_price": 0.1}, {"max_price": 0.25}, "--max-price 0.25"),
        ({"min_context": "1M"}, {"min_context": 64_000}, "--min-context 64k"),
        ({"gpus": "2x24"}, {"gpus": [24.0] * 4}, "--gpus 4x24"),
        (
            {"gpu_memory": 8, "min_context": "1M"},
            {"gpu_memory": 48, "min_context": 32_000},
            "--gpu-memory 48 and --min-context 32k",
        ),
        ({"platform": "bedrock"}, {"platform": None}, "drop --platform"),
        ({"needs": ["tools", "vision"]}, {"needs": ["vision"]}, "drop --needs tools"),
        ({}, {"include_legacy": True}, "--include-legacy"),
        ({"commercial": True}, {"commercial": False}, "drop --commercial"),
        (
            {"access": "open", "hosting": "self"},
            {"access": "any", "hosting": "any"},
            "--access any --hosting any (use an API)",
        ),
        ({"access": "proprietary"}, {"access": "any"}, "--access any (open weights too)"),
        ({"hosting": "self"}, {"hosting": "any"}, "--hosting any (API-served models too)"),
    ],
)
def test_relaxations_are_worded_as_options(
    given: dict[str, Any], changes: dict[str, Any], words: str
) -> None:
    assert relaxation_words(changes, build(given)) == words


def test_a_relaxation_carries_the_change_that_returns_its_models() -> None:
    c = make_catalog(make_variant("seven", params_b=7.0, context_window=32768))
    r = build({"gpu_memory": 2})
    rec = recommend(c, r)
    assert rec.ranked == [] and rec.relaxations
    for x in rec.relaxations:
        again = recommend(c, r.replace(**x.changes), relax=False)
        assert len(again.ranked) == x.returns


def test_an_exclusion_names_what_lifts_it_as_options_and_the_engine_no_option() -> None:
    """The engine says which requirement change lets a retired model through; only the
    output words it as an option (an MCP client reads the same document)."""
    from llmpick.output.build import shortlist

    c = make_catalog(make_variant("old", status="retired"), make_variant("new"))
    r = build({"task": "chat"})
    rec = recommend(c, r)
    (why,) = rec.verdicts["old"].exclusions
    assert why.lifted_by == (("include_legacy", True),)
    assert "--" not in why.text
    (doc,) = shortlist(c, rec, named=["old"])["excluded"]["models"]
    assert doc["reasons"][0]["text"] == f"{why.text} (use --include-legacy to consider it)"
    again = recommend(c, r.replace(**dict(why.lifted_by)))
    assert again.verdicts["old"].passed
