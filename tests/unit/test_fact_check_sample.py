"""tools/fact_check_sample.py: a seeded draw of variants, their settled facts, and what
the datasets they cite say about each."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from llmpick.catalog.load import load_catalog
from llmpick.catalog.records import Catalog
from tests.conftest import FIXTURE_CATALOG, ROOT

sys.path.insert(0, str(ROOT / "tools"))
import fact_check_sample as fcs

FAMILY = """\
name: Zed
provider: acme
released: 2025-01-01
architecture: decoder-only
status: active
description: A fictional family for the fact-check sample.
license: apache-2.0
open_weights: true
sources: [https://example.org/zed]
verified: 2026-11-26
variants:
  zed-1b:
    name: Zed-1B
    flavour: base
    params_b: 1.0
    context_window: 8192
    languages: []
    access: {hf_repo: acme/Zed-1B}
    sources: ["llmfit:models[acme/Zed-1B]"]
  zed-9b:
    name: Zed-9B
    flavour: chat
    params_b: 9.0
    context_window: 32768
    languages: [en, fr]
    access: {hf_repo: acme/Zed-9B, api: zed-9b}
    pricing: {input: 1.0, output: 3.0, as_of: 2026-09-01, source: "litellm:acme/zed-9b"}
    sources: ["litellm:acme/zed-9b"]
"""


@pytest.fixture
def catalog_and_snaps(tmp_path: Path) -> tuple[Catalog, dict[str, Any]]:
    root = tmp_path / "overlay"
    (root / "families" / "acme").mkdir(parents=True)
    (root / "families" / "acme" / "zed.yaml").write_text(FAMILY)
    (root / "datasets.yaml").write_text(
        "litellm: {name: L, url: 'https://l.example/x.json', snapshot: '2026-09', "
        "license: apache-2.0, key: model id}\n"
        "llmfit: {name: F, url: 'https://f.example/x.json', snapshot: '2026-10', "
        "license: apache-2.0, key: repository}\n"
    )
    snaps = tmp_path / "snapshots"
    snaps.mkdir()
    litellm = {
        "acme/zed-9b": {
            "max_input_tokens": 131072,  # the catalog says 32768: flagged
            "input_cost_per_token": 1e-6,
            "output_cost_per_token": 3e-6,  # agrees
        }
    }
    (snaps / "litellm-model-prices.json").write_text(json.dumps(litellm))
    llmfit = {"models": [{"name": "acme/Zed-1B", "parameters_raw": 1_020_000_000}]}
    (snaps / "llmfit-hf-official.json").write_text(json.dumps(llmfit))
    cat = load_catalog([str(root)], base=FIXTURE_CATALOG, use_cache=False)
    return cat, fcs.load_snapshots(snaps)


def _facts(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f["fact"]: f for f in report["facts"]}


def test_a_cited_entry_that_differs_is_marked_with_its_value(
    catalog_and_snaps: tuple[Catalog, dict[str, Any]],
) -> None:
    cat, snaps = catalog_and_snaps
    facts = _facts(fcs.check(cat, "zed-9b", snaps))
    assert facts["context window"]["mark"] == "!"
    assert facts["context window"]["datasets"] == [
        {"source": "litellm:acme/zed-9b", "value": 131072}
    ]
    assert facts["price"]["mark"] == "="
    # facts no cited entry holds are left for the hand check
    assert facts["languages"]["mark"] == "" and facts["licence"]["mark"] == ""


def test_unstated_facts_are_not_counted_and_sizes_agree_within_rounding(
    catalog_and_snaps: tuple[Catalog, dict[str, Any]],
) -> None:
    cat, snaps = catalog_and_snaps
    facts = _facts(fcs.check(cat, "zed-1b", snaps))
    assert "languages" not in facts  # [] says "not stated": nothing to check
    assert "price" not in facts and "release date" in facts  # the family's date is settled
    assert facts["parameters"]["mark"] == "="  # 1.0 against 1.02B


def test_the_same_seed_draws_the_same_sample(capsys: pytest.CaptureFixture[str]) -> None:
    assert fcs.main(["--seed", "7", "--count", "5", "--snapshots", "/nonexistent"]) == 0
    first = capsys.readouterr().out
    assert fcs.main(["--seed", "7", "--count", "5", "--snapshots", "/nonexistent"]) == 0
    assert capsys.readouterr().out == first
    assert "5 variants (seed 7)" in first
    assert fcs.main(["--seed", "8", "--count", "5", "--snapshots", "/nonexistent"]) == 0
    assert capsys.readouterr().out != first
