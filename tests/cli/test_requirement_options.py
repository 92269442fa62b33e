"""The requirement options: declared once (cli/options.py), given to recommend, why and
show as one typed object, and written back by the walkthrough as a command line."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from typing import Any

import pytest

from llmpick.cli.options import RequirementOptions
from llmpick.cli.walkthrough import command_line, options_for
from llmpick.engine.requirements import INPUT_FIELDS, build
from tests.conftest import Result

Cli = Callable[..., Result]


def test_every_requirement_has_its_option() -> None:
    # a requirements file's keys and the options are the same names (DESIGN: -r FILE)
    names = [f.name for f in dataclasses.fields(RequirementOptions)]
    assert sorted(names) == sorted(INPUT_FIELDS)


@pytest.mark.parametrize(
    "answers",
    [
        {
            "task": "chat",
            "language": "de",
            "access": "open",
            "hosting": "self",
            "gpus": [24.0, 16.0],  # several GPUs: once printed as '--gpus 24.0 --gpus 16.0'
            "needs": ["tools", "structured-output"],
            "commercial": True,
            "min_context": 131072,  # no short form reads back as this number
        },
        {
            "task": "qa",
            "access": "proprietary",
            "tokens_per_month": (10_000_000, 2_000_000),
            "max_price": 2.5,
            "domain": "legal",
            "prefer": "cost",
        },
        {
            "task": "code",
            "hosting": "self",
            "gpu_memory": 23.98828125,  # as detected: more digits than '%g' keeps
            "max_params": 8.0,
            "fine_tune": True,
            "alignment": "own-values",
        },
    ],
)
def test_the_walkthroughs_command_line_asks_for_its_answers(
    cli: Cli, answers: dict[str, Any]
) -> None:
    words = command_line(options_for(answers), ["--json"])
    assert words[:2] == ["llmpick", "recommend"]
    r = cli(*words[1:])
    assert r.code == 0, r
    asked = json.loads(json.dumps(build(answers).to_data()))
    assert json.loads(r.out)["requirements"] == asked, words


def test_requirement_options_reach_each_command_typed(cli: Cli) -> None:
    # a value Typer converts (--max-price is a number) and a repeated one (--license)
    r = cli(
        "why",
        "qwen3-8b",
        "--max-price",
        "0",
        "--license",
        "apache-2.0",
        "--license",
        "mit",
        "--json",
    )
    assert r.code == 0, r
    req = json.loads(r.out)["requirements"]
    assert req["max_price"] == 0 and req["license"] == ["apache-2.0", "mit"]
    r = cli("recommend", "--max-price", "lots")
    assert r.code == 2 and "--max-price" in r.err, r
    r = cli("show", "qwen3-8b", "--task", "chat")  # show takes them for --snippet only
    assert r.code == 2 and "without --snippet" in r.err, r
