"""tools/check_sources.py: citations that cannot be opened, or are another variant's page."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from llmpick.catalog.load import load_catalog
from tests.conftest import FIXTURE_CATALOG, ROOT
from tests.loopback import serve, stop

sys.path.insert(0, str(ROOT / "tools"))
import check_sources as cs

FAMILY = """\
name: Zed
provider: acme
released: 2025-01-01
architecture: decoder-only
status: active
description: A fictional family for the source checks.
license: apache-2.0
open_weights: true
sources:
  - https://example.org/zed
  - https://huggingface.co/acme/Zed-9B/commit/0123abc
verified: 2026-11-26
newest_release:
  name: Zed-9B
  id: zed-9b
  checked: 2026-12-01
  source: "litellm:acme/zed-9b"
variants:
  zed-1b:
    name: Zed-1B
    flavour: base
    params_b: 1.0
    access: {hf_repo: acme/Zed-1B}
    sources: [https://huggingface.co/acme/Zed-1B, "litellm:acme/zed-1b-gone"]
  zed-9b:
    name: Zed-9B
    flavour: base
    params_b: 9.0
    access: {hf_repo: acme/Zed-9B, api: zed-9b}
    sources: ["llmfit:models[acme/Zed-1B]", "litellm:acme/zed-9b"]
"""


@pytest.fixture
def overlay(tmp_path: Path) -> Path:
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
    (snaps / "litellm-model-prices.json").write_text(json.dumps({"acme/zed-9b": {}}))
    (snaps / "llmfit-hf-official.json").write_text(
        json.dumps({"models": [{"name": "acme/Zed-1B"}, {"name": "acme/Zed-9B"}]})
    )
    return tmp_path


def findings(base: Path) -> list[str]:
    cat = load_catalog([str(base / "overlay")], base=FIXTURE_CATALOG, use_cache=False)
    found = cs.check_offline(cat, cs.load_snapshots(base / "snapshots"))
    return [f.line() for f in found if f.where.startswith("zed")]


def test_a_family_source_that_is_one_variants_page_is_flagged_for_the_others(
    overlay: Path,
) -> None:
    lines = findings(overlay)
    family = [x for x in lines if x.startswith("zed: ")]
    assert len(family) == 1, lines
    assert "Zed-9B/commit" in family[0] and "page of zed-9b" in family[0]
    assert "zed-1b" in family[0].split("inherit it:")[1]  # zed-9b itself is not listed
    assert not any(x.startswith("zed: https://example.org/zed") for x in lines)


def test_a_variant_citing_a_siblings_entry_is_flagged_and_its_own_pages_are_not(
    overlay: Path,
) -> None:
    lines = findings(overlay)
    assert any(
        x.startswith("zed/zed-9b: llmfit:models[acme/Zed-1B]: is the page of zed-1b") for x in lines
    ), lines
    assert not any(x.startswith("zed/zed-1b: https://huggingface.co/acme/Zed-1B") for x in lines)
    assert not any(x.startswith("zed/zed-9b: litellm:acme/zed-9b") for x in lines)


def test_a_dataset_key_must_resolve_in_its_snapshot_when_the_snapshot_is_there(
    overlay: Path,
) -> None:
    lines = findings(overlay)
    assert "zed/zed-1b: litellm:acme/zed-1b-gone: no such entry in the litellm snapshot" in lines
    # without snapshots nothing can be resolved, so nothing is said about the keys
    cat = load_catalog([str(overlay / "overlay")], base=FIXTURE_CATALOG, use_cache=False)
    quiet = cs.check_offline(cat, cs.load_snapshots(overlay / "no-such-dir"))
    assert not any("snapshot" in f.problem for f in quiet)


def test_models_dev_keys_resolve_through_ids_with_dots() -> None:
    snap = {"labs": {"openai": {"gpt-4.1": {"cost": {"input": 2}}}}}
    assert cs.key_resolves("models.dev", "labs.openai.gpt-4.1", snap)
    assert cs.key_resolves("models.dev", "labs.openai.gpt-4.1.cost", snap)
    assert not cs.key_resolves("models.dev", "labs.openai.gpt-4.2", snap)
    prices = {"sagemaker/meta-textgeneration-llama-2-7b": {}}
    assert cs.key_resolves("litellm", "sagemaker/meta-textgeneration-llama-2-*", prices)
    assert not cs.key_resolves("litellm", "sagemaker/meta-textgeneration-llama-3-*", prices)
    models = {"models": [{"name": "HuggingFaceTB/SmolLM2-360M"}]}
    assert cs.key_resolves("llmfit", "models (name HuggingFaceTB/SmolLM*)", models)
    assert not cs.key_resolves("llmfit", "models[HuggingFaceTB/SmolLM9]", models)


@pytest.fixture
def server() -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            status = {"/ok": 200, "/gone": 410, "/moved": 301}.get(self.path, 404)
            self.send_response(status)
            if status == 301:
                self.send_header("Location", "/ok")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    httpd, base = serve(Handler)
    try:
        yield base
    finally:
        stop(httpd)


def test_network_check_reports_dead_links_only(server: str) -> None:
    urls = [f"{server}/ok", f"{server}/moved", f"{server}/missing", f"{server}/gone"]
    dead = cs.check_network(urls, timeout=5)
    assert dead == {f"{server}/missing": "answers 404", f"{server}/gone": "answers 410"}
    closed = "http://127.0.0.1:9/nothing-listens-here"
    assert cs.check_network([closed], timeout=2)[closed].startswith("unreachable")


def test_the_bundled_catalog_cites_no_other_variants_page_and_no_missing_entry() -> None:
    from tests.conftest import bundled_catalog

    # dataset keys are resolved only where the snapshots sit beside the repository
    snapshots = cs.load_snapshots(ROOT.parent / "shared" / "data")
    found = cs.check_offline(bundled_catalog(), snapshots)
    assert [f.line() for f in found] == []
