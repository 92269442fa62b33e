"""Curated names, family names and their normalised spellings always win over what a
refresh added unreviewed: in `show`, `why` and eval's `model:` look-up."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import yaml

from tests.conftest import Result
from tests.refresh_upstream import FIX, Upstream

Cli = Callable[..., Result]


def _sold(price: float) -> dict[str, object]:
    return {
        "litellm_provider": "openai",
        "mode": "chat",
        "input_cost_per_token": price,
        "output_cost_per_token": price,
    }


@pytest.fixture
def upstream(monkeypatch: pytest.MonkeyPatch) -> Iterator[Upstream]:
    monkeypatch.setenv("LLMPICK_BASE_CATALOG", str(FIX / "catalog"))
    up = Upstream().start()
    # upstream models named like curated ones: a family's id, another spelling of a
    # variant's id and of its name, and a family name with a date stamp
    up.data["litellm"]["llama-t"] = _sold(1e-08)
    up.data["litellm"]["gpt-t.mini"] = _sold(1e-08)
    up.data["litellm"]["GPT T Mini"] = _sold(1e-08)
    up.data["litellm"]["gpt-t-nova"] = _sold(2e-06)  # a new model: stays
    try:
        yield up
    finally:
        up.stop()


def ok(r: Result) -> Result:
    assert r.code == 0, r
    assert "internal error" not in r.err, r
    return r


def test_curated_names_win_over_unreviewed_entries(cli: Cli, upstream: Upstream) -> None:
    ok(cli("catalog", "refresh", *upstream.args()))
    added = {m["id"] for m in json.loads(ok(cli("models", "--json")).out) if m.get("unreviewed")}
    assert "gpt-t-nova" in added
    assert not added & {"llama-t", "gpt-t.mini", "gpt-t-mini-1", "gpt-t-mini"}, added

    fam = json.loads(ok(cli("show", "llama-t", "--json")).out)
    assert (fam["id"], fam["name"], fam["provider"]) == ("llama-t", "Llama T", "meta"), fam
    for spelling in ("gpt-t.mini", "GPT T Mini", "gpt t mini", "GPT-T mini"):
        shown = json.loads(ok(cli("show", spelling, "--json")).out)
        assert shown["id"] == "gpt-t-mini" and not shown.get("unreviewed"), (spelling, shown)
    assert json.loads(ok(cli("why", "gpt-t.mini", "--json")).out)["id"] == "gpt-t-mini"


def test_eval_model_lookup_follows_the_curated_name(
    cli: Cli, upstream: Upstream, tmp_path: Path
) -> None:
    ok(cli("catalog", "refresh", *upstream.args()))
    cases = tmp_path / "c.jsonl"
    cases.write_text('{"id": "a", "prompt": "x", "expect": {"equals": "x"}}\n')
    targets = tmp_path / "t.yaml"
    spec = {"name": "t", "base_url": "http://127.0.0.1:9/v1", "model": "gpt-t.mini"}
    targets.write_text(yaml.safe_dump({"targets": [spec]}))
    r = cli("eval", str(cases), "--targets", str(targets), "--json", "--retries", "0",
            "--max-failures", "1")  # fmt: skip
    assert "internal error" not in r.err, r
    (row,) = json.loads(r.out)["targets"]
    assert row["model"] == "gpt-t-mini" and row["served_as"] == "gpt-t-mini", row
