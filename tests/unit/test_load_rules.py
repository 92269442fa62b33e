"""Rules of the loader that no other test pins: architecture numbers below 1 are refused,
each named (full_attention_layers may be 0: a model with sliding-window attention
everywhere), and a variant whose required facts neither it nor its family states is
refused with the list of them."""

from __future__ import annotations

from pathlib import Path

import pytest

from llmpick.catalog.load import load_catalog
from llmpick.errors import CatalogError
from tests.conftest import FIXTURE_CATALOG, GOOD_FAMILY

FAMILY = GOOD_FAMILY + "    arch: {ARCH}\n"


def _load(tmp_path: Path, arch: str) -> None:
    path = tmp_path / "widget.yaml"
    path.write_text(FAMILY.replace("{ARCH}", arch))
    load_catalog([path], base=FIXTURE_CATALOG, use_cache=False)


def test_numbers_below_one_are_named(tmp_path: Path) -> None:
    with pytest.raises(CatalogError) as got:
        _load(tmp_path, "{layers: 0, kv_heads: -2, hidden_size: 64, full_attention_layers: -1}")
    paths = sorted(p.path for p in got.value.problems if "must be greater than 0" in p.message)
    assert paths == [
        f"variants.widget-1b.arch.{name}"
        for name in sorted(("layers", "kv_heads", "full_attention_layers"))
    ]


def test_positive_numbers_and_no_full_attention_layers_load(tmp_path: Path) -> None:
    _load(tmp_path, "{layers: 2, kv_heads: 1, full_attention_layers: 0}")


def test_required_facts_missing_from_variant_and_family_are_listed(tmp_path: Path) -> None:
    text = FAMILY.replace("license: apache-2.0\n", "").replace("verified: 2026-11-26\n", "")
    text = text.replace("sources: [https://example.org/widget]\n", "")
    path = tmp_path / "widget.yaml"
    path.write_text(text.replace("    arch: {ARCH}\n", ""))
    with pytest.raises(CatalogError) as got:
        load_catalog([path], base=FIXTURE_CATALOG, use_cache=False)
    messages = [(p.path, p.message) for p in got.value.problems]
    assert messages == [
        (
            "variants.widget-1b",
            "required field missing on the variant or its family: license, verified, sources",
        )
    ]


def test_a_fact_the_family_states_is_not_missing(tmp_path: Path) -> None:
    text = FAMILY.replace("    arch: {ARCH}\n", "    verified: 2026-11-20\n")
    path = tmp_path / "widget.yaml"
    path.write_text(text.replace("verified: 2026-11-26\n", ""))
    cat = load_catalog([path], base=FIXTURE_CATALOG, use_cache=False)
    assert str(cat.variants["widget-1b"].verified) == "2026-11-20"
