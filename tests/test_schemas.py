"""JSON Schemas: the committed copies match the models, and real documents validate."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from llmpick.output.contract import SCHEMAS, Fit, Shortlist, Verdict
from tests.conftest import ROOT, Result


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_committed_schema_matches_the_models(name: str) -> None:
    committed = json.loads((ROOT / "schemas" / f"{name}.schema.json").read_text())
    assert committed == SCHEMAS[name](), (
        f"schemas/{name}.schema.json is stale: regenerate it with "
        f"'llmpick schema {name} > schemas/{name}.schema.json' and review the diff"
    )


@pytest.mark.parametrize(
    "args",
    [
        ("--task", "chat", "--access", "open", "--gpu-memory", "24", "--commercial"),
        ("--task", "qa", "--min-context", "200k", "--access", "proprietary"),
        ("--task", "code", "--access", "open", "--gpu-memory", "2", "--min-context", "1M"),
        ("--task", "embedding", "--top", "10"),
        ("--include-legacy", "--needs", "tools", "--max-price", "5"),
    ],
)
def test_shortlists_validate_against_the_schema(
    cli: Callable[..., Result], args: tuple[str, ...]
) -> None:
    r = cli("recommend", *args, "--json")
    assert r.code == 0, r
    Shortlist.model_validate_json(r.out)


def test_why_validates(cli: Callable[..., Result]) -> None:
    for model in ("llama-2-13b-chat", "claude-2.1", "flan-t5-large"):
        r = cli("why", model, "--task", "chat", "--json")
        assert r.code == 0, r
        Verdict.model_validate_json(r.out)


def test_fit_validates(cli: Callable[..., Result]) -> None:
    for args in (("llama-2-70b-chat", "--gpu-memory", "80"), ("qwen3-8b", "--context", "128k")):
        r = cli("fit", *args, "--json")
        assert r.code == 0, r
        doc = Fit.model_validate_json(r.out)
        assert doc.estimates and any("overhead is 1 GB plus 5%" in n for n in doc.notes)


def test_schema_command(cli: Callable[..., Result]) -> None:
    r = cli("schema", "requirements")
    assert r.code == 0 and json.loads(r.out)["title"] == "llmpick requirements"
    r = cli("schema", "nonsense")
    assert r.code == 2 and "choose from: shortlist, requirements, catalog, cases" in r.err


def test_eval_files_validate_against_their_schemas(tmp_path: Path) -> None:
    """The schemas `llmpick schema cases|targets` offers describe the files eval
    accepts: a file eval loads is valid, and a mistyped key is not."""
    import jsonschema
    import yaml

    from llmpick.evaluation.cases import load_cases
    from llmpick.evaluation.targets import ModelInfo, load_targets

    cases_text = (
        "- id: capital\n  prompt: Capital of France?\n  expect: {contains: Paris}\n"
        "- id: json\n  messages: [{role: user, content: 'Give JSON'}]\n"
        "  expect: {json_schema: {type: object}, ignore_case: true}\n"
    )
    targets_text = (
        "targets:\n  - name: local\n    base_url: http://127.0.0.1:11434/v1\n"
        "    served_as: qwen3:8b\n    model: qwen3-8b\n"
    )
    (tmp_path / "cases.yaml").write_text(cases_text)
    (tmp_path / "targets.yaml").write_text(targets_text)
    assert load_cases(tmp_path / "cases.yaml")
    assert load_targets(str(tmp_path / "targets.yaml"), lambda m: ModelInfo(m, m))
    cases, targets = SCHEMAS["cases"](), SCHEMAS["targets"]()
    jsonschema.validate(yaml.safe_load(cases_text), cases)
    jsonschema.validate(yaml.safe_load(targets_text), targets)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate([{"id": "a", "prompt": "x", "expect": {"regx": "a"}}], cases)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"targets": [{"base_url": "http://x", "modle": "m"}]}, targets)
