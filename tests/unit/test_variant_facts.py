"""A variant states the facts that differ from its family's (issue 20): its inputs agree
with its capabilities, a family whose variants are separate releases lends them no
date, inputs, languages or context, and `validate --stats` counts what is inherited."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from llmpick.catalog.load import load_catalog
from llmpick.catalog.records import Catalog
from llmpick.engine.coverage import coverage
from llmpick.engine.rank import recommend
from llmpick.engine.requirements import build
from llmpick.errors import CatalogError
from tests.conftest import FIXTURE_CATALOG, bundled_catalog
from tests.unit.test_engine_rules import make_catalog, make_variant

HEAD = (
    "name: {name}\nprovider: acme\narchitecture: decoder-only\nstatus: active\n"
    "description: test\nlicense: apache-2.0\nopen_weights: true\n"
    "sources: [https://example.org]\nverified: 2026-11-26\n"
)


def load(tmp_path: Path, fid: str, body: str) -> Catalog:
    """The small test catalog with one more family file (``body`` after the header)."""
    fam = tmp_path / "families" / "acme"
    fam.mkdir(parents=True, exist_ok=True)
    (fam / f"{fid}.yaml").write_text(HEAD.format(name=fid) + body)
    return load_catalog([str(tmp_path)], base=FIXTURE_CATALOG, use_cache=False)


def problems(tmp_path: Path, fid: str, body: str) -> list[str]:
    with pytest.raises(CatalogError) as info:
        load(tmp_path, fid, body)
    return [f"{p.path}: {p.message}" for p in info.value.problems]


MULTIMODAL = (
    "released: 2025-03-12\nmodalities: [text, image]\ncapabilities: [vision]\nvariants:\n"
    "  mm-27b:\n    name: MM-27B\n    flavour: chat\n"
    "  mm-1b:\n    name: MM-1B\n    flavour: chat\n    capabilities: []\n"
)


def test_a_text_only_variant_of_a_vision_family_must_say_so(tmp_path: Path) -> None:
    """gemma-3-1b listed no 'vision' but inherited image input, and --needs vision,
    which trusts either, let it through."""
    found = problems(tmp_path, "mm", MULTIMODAL)
    assert [p.split(":")[0] for p in found] == ["variants.mm-1b.modalities"]
    fixed = MULTIMODAL + "    modalities: [text]\n"
    c = load(tmp_path, "mm", fixed)
    assert c.variants["mm-1b"].modalities == ["text"]
    assert c.variants["mm-27b"].modalities == ["text", "image"]


def test_a_vision_capability_needs_image_input(tmp_path: Path) -> None:
    body = (
        "released: 2025-03-12\nvariants:\n"
        "  vl-8b:\n    name: VL-8B\n    flavour: chat\n    capabilities: [vision]\n"
    )
    assert [p.split(":")[0] for p in problems(tmp_path, "vl", body)] == [
        "variants.vl-8b.capabilities"
    ]


ONE_RELEASE = (
    "released: 2024-02-21\nlanguages: [en]\ncontext_window: 8192\nvariants:\n"
    "  one-2b:\n    name: One-2B\n    flavour: base\n"
    "  one-7b:\n    name: One-7B\n    flavour: base\n"
)


def test_a_family_of_one_release_lends_its_facts(tmp_path: Path) -> None:
    c = load(tmp_path, "one", ONE_RELEASE)
    v = c.variants["one-7b"]
    assert v.released is not None and v.released.isoformat() == "2024-02-21"
    assert v.inherited == ["released", "modalities", "languages", "context_window"]


@pytest.mark.parametrize(
    ("variants", "refused"),
    [
        # a later version number in the id (gemma-1.1-7b-it took Gemma 1.0's date)
        (
            "  gen-7b-it:\n    name: a\n    flavour: chat\n"
            "  gen-1.1-7b-it:\n    name: b\n    flavour: chat\n",
            {"gen-7b-it", "gen-1.1-7b-it"},
        ),
        # sizes released months apart (mpt-30b took MPT-7B's date)
        (
            "  gen-7b:\n    name: a\n    flavour: base\n"
            "  gen-30b:\n    name: b\n    flavour: base\n    released: 2024-06-22\n",
            {"gen-7b", "gen-30b"},  # both still take the family's languages
        ),
        # date stamps (mistral-small-24b-instruct-2501 took Small 3.1's languages)
        (
            "  gen-2501:\n    name: a\n    flavour: chat\n    released: 2025-01-30\n"
            "  gen-2503:\n    name: b\n    flavour: chat\n    released: 2025-03-17\n",
            {"gen-2501", "gen-2503"},
        ),
    ],
)
def test_a_family_spanning_releases_lends_nothing(
    tmp_path: Path, variants: str, refused: set[str]
) -> None:
    body = "released: 2024-02-21\nlanguages: [en]\nvariants:\n" + variants
    found = problems(tmp_path, "gen", body)
    assert {p.split(":")[0].removeprefix("variants.") for p in found} == refused
    assert all("separate releases" in p and "state its own" in p for p in found), found


def test_a_family_spanning_releases_loads_once_each_variant_states_its_own(
    tmp_path: Path,
) -> None:
    own = "    released: {d}\n    modalities: [text]\n    languages: [en]\n"
    body = (
        "released: 2024-02-21\nlanguages: [en]\nvariants:\n"
        "  gen-7b:\n    name: a\n    flavour: base\n" + own.format(d="2024-02-21") + ""
        "  gen-30b:\n    name: b\n    flavour: base\n" + own.format(d="2024-06-22")
    )
    c = load(tmp_path, "gen", body)
    assert c.variants["gen-30b"].released is not None
    assert c.variants["gen-30b"].released.isoformat() == "2024-06-22"
    assert c.variants["gen-7b"].inherited == []


def test_an_empty_language_list_on_a_variant_means_not_stated(tmp_path: Path) -> None:
    """A variant can say its languages are unknown instead of taking a newer sibling's."""
    body = ONE_RELEASE + "    languages: []\n"
    c = load(tmp_path, "one", body)
    assert c.variants["one-7b"].languages == []
    assert c.variants["one-2b"].languages == ["en"]


def test_stats_count_the_facts_each_variant_inherits() -> None:
    lent = make_variant("lent", inherited=["released", "languages"])
    own = make_variant("own")
    report = coverage(make_catalog(lent, own))
    assert report.inherited["released"] == 1 and report.inherited["languages"] == 1
    assert report.inherited["context_window"] == 0
    data = report.to_data()["inherited_from_family"]
    assert data == {
        "models": 2,
        "facts": {"released": 1, "modalities": 0, "languages": 1, "context_window": 0},
        "total": 2,
    }


def test_stats_name_families_spanning_releases_that_still_lend() -> None:
    old = make_variant("line-1.0-7b", family="line", inherited=["released"])
    new = make_variant("line-1.1-7b", family="line", inherited=["released"])
    assert coverage(make_catalog(old, new)).unsplit == ["line"]
    stated = [dataclasses.replace(v, inherited=[]) for v in (old, new)]
    assert coverage(make_catalog(*stated)).unsplit == []


# text-only models that inherited image input before (issue 20)
TEXT_ONLY = (
    "command-a-03-2025",
    "mistral-small-24b-instruct-2501",
    "llama-3.2-1b-instruct",
    "llama-3.2-3b-instruct",
    "gemma-3-270m-it",
    "gemma-3-1b-it",
    "o3-mini",
    "gpt-4-1106-preview",
    "medgemma-27b-text-it",
    "nova-micro",
)


def test_needs_vision_passes_no_text_only_model() -> None:
    c = bundled_catalog()
    rec = recommend(c, build({"needs": ["vision"], "include_legacy": True}), top=1000)
    passed = {v.variant.id for v in rec.verdicts.values() if v.passed}
    assert passed, "some models read images"
    assert not passed & set(TEXT_ONLY)
    for vid in passed:
        assert "image" in c.variants[vid].modalities, vid
    for vid in TEXT_ONLY:
        assert c.variants[vid].modalities == ["text"], vid


def test_the_not_yet_split_list_holds_only_families_that_still_lend() -> None:
    """The list of families allowed to lend facts across releases only shrinks: a family
    split since leaves it (and a new spanning family is refused, not added)."""
    from llmpick.catalog.load_checks import NOT_YET_SPLIT

    assert set(coverage(bundled_catalog()).unsplit) == NOT_YET_SPLIT
