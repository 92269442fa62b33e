"""The refresh layer without the network or the CLI: parsing the two public tables,
building a layer, and merging it into a catalog (a pure function)."""

from __future__ import annotations

import copy
import datetime as dt
import json
import threading
from pathlib import Path
from typing import Any

import pytest

from llmpick.catalog import layer as L
from llmpick.catalog import layer_format as F
from llmpick.catalog import layer_merge as M
from llmpick.catalog import refresh as R
from llmpick.catalog import upstream as U
from llmpick.catalog.load import load_catalog
from llmpick.catalog.records import Access, Catalog

FIX = Path(__file__).resolve().parent.parent / "fixtures" / "refresh"
NOW = dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC)
TODAY = NOW.date()


def tables() -> tuple[dict[str, Any], dict[str, Any]]:
    return (
        json.loads((FIX / "litellm.json").read_text()),
        json.loads((FIX / "models-dev.json").read_text()),
    )


@pytest.fixture
def curated() -> Catalog:
    return load_catalog(base=FIX / "catalog", use_cache=False)


def layer_from(
    cat: Catalog,
    lite: dict[str, Any] | None = None,
    md: dict[str, Any] | None = None,
    previous: F.Layer | None = None,
    now: dt.datetime = NOW,
) -> tuple[F.Layer, dict[str, list[str]]]:
    seen = now.date().isoformat()
    fetched = {}
    if lite is not None:
        fetched["litellm"] = ("u:litellm", U.parse_litellm(lite, seen))
    if md is not None:
        fetched["models.dev"] = ("u:models.dev", U.parse_models_dev(md, seen))
    return R.build_layer(cat, fetched, previous, now)


def merged(cat: Catalog, layer: F.Layer) -> Catalog:
    # through the file format, as every command reads it
    return M.apply_layer(cat, F.layer_from_json(F.layer_to_json(layer).encode()), on=TODAY)


# --- reading the tables ---------------------------------------------------------------


def test_litellm_prices_are_per_token_and_cloud_entries_are_not_first_party() -> None:
    lite, _ = tables()
    e = U.parse_litellm(lite, "2026-11-30")
    assert (e["gpt-t"]["input"], e["gpt-t"]["output"]) == (1.25, 10.0)
    assert e["gpt-t"]["provider"] == "openai" and e["gpt-t"]["model"] == "gpt-t"
    assert "context" not in e["gpt-t"]  # an input cap is not the window
    assert e["gpt-t"]["max_input"] == 272000
    assert "provider" not in e["bedrock/meta.llama-t-8b"]
    assert "kind" not in e["tts-t"] and "kind" not in e["gpt-image-t"]
    assert "sample_spec" not in e


def test_models_dev_reads_the_api_layout_and_the_repository_snapshot_layout() -> None:
    _, md = tables()
    a = U.parse_models_dev(md, "2026-11-30")
    b = U.parse_models_dev({"providers": md, "labs": {}}, "2026-11-30")
    assert a == b
    e = a["providers.openai.models.gpt-t"]
    assert (e["input"], e["output"], e["context"], e["max_output"]) == (1.25, 10, 400000, 128000)
    assert "kind" not in a["providers.openai.models.gpt-image-t"]
    assert a["providers.openai.models.text-embedding-t"]["kind"] == "embedding"


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        (b'{"gpt-t": {"input_cost', "not valid JSON"),
        (b"<html>rate limited</html>", "not valid JSON"),
        (b"\xff\xfe", "not valid JSON"),
        (b"[1, 2, 3]", "not a LiteLLM table"),
        (b"{}", "no model entries"),
    ],
)
def test_bad_downloads_are_refused(raw: bytes, why: str) -> None:
    with pytest.raises(U.RefreshRefused, match=why):
        U.parse_source("litellm", raw, "2026-11-30")


def test_a_shrunk_table_is_refused(curated: Catalog) -> None:
    lite, _ = tables()
    previous, _ = layer_from(curated, lite)
    R.check_shrink("litellm", len(lite) // 2 + 1, previous)
    with pytest.raises(U.RefreshRefused, match="fewer than half"):
        R.check_shrink("litellm", len(lite) // 2 - 1, previous)


GPT41 = "providers.openai.models.gpt-4.1"  # a model id with a dot in it


@pytest.mark.parametrize(
    ("source", "key"),
    [
        ("litellm:gpt-t", ("litellm", "gpt-t")),
        ("models.dev:providers.openai.models.gpt-4.1.cost", ("models.dev", GPT41)),
        ("models.dev:providers.openai.models.gpt-4.1", ("models.dev", GPT41)),
        ("models.dev:labs.openai.gpt-4.1", None),
        ("litellm:sagemaker/meta-textgeneration-llama-2-*", None),
        ("https://example.org/litellm:x", None),
        ("llmfit:meta-llama/Llama-2-7b", None),
    ],
)  # fmt: skip
def test_citation_keys(source: str, key: tuple[str, str] | None) -> None:
    known = {GPT41: {}}
    assert M.citation_key(source, known) == key


# --- merging -----------------------------------------------------------------------------


def test_a_raised_price_replaces_the_curated_one_with_its_source_and_date(
    curated: Catalog,
) -> None:
    lite, md = tables()
    lite["gpt-t"]["input_cost_per_token"] = 1.5e-06
    cat = merged(curated, layer_from(curated, lite, md)[0])
    p = cat.variants["gpt-t"].pricing
    assert p is not None
    assert (p.input, p.output, p.as_of, p.source) == (1.5, 10.0, TODAY, "litellm:gpt-t")
    [change] = [c for c in cat.refresh.changes["gpt-t"] if c.field == "price"]
    assert (change.old, change.new) == ([1.25, 10.0], [1.5, 10.0])
    assert curated.variants["gpt-t"].pricing.input == 1.25  # the input is not modified


def test_the_price_follows_the_key_it_cites(curated: Catalog) -> None:
    lite, md = tables()
    md["openai"]["models"]["gpt-t-mini"]["cost"]["input"] = 0.3
    lite["gpt-t-mini"] = dict(lite["gpt-t"])  # another table's price is not the cited one
    cat = merged(curated, layer_from(curated, lite, md)[0])
    p = cat.variants["gpt-t-mini"].pricing
    assert p is not None and p.input == 0.3
    assert p.source == "models.dev:providers.openai.models.gpt-t-mini"
    # a cited price's key wins over the maker's API entry ("...gpt-t-mini.cost" cites it)
    md["openai"]["models"]["gpt-t-mini"]["id"] = "other"
    old = curated.variants["gpt-t-mini"]
    curated.variants["gpt-t-mini"] = M._with(old, {"access": Access(api="elsewhere")})
    cat = merged(curated, layer_from(curated, lite, md)[0])
    assert cat.variants["gpt-t-mini"].pricing.input == 0.3


def test_an_unchanged_price_is_confirmed_not_changed(curated: Catalog) -> None:
    lite, md = tables()
    cat = merged(curated, layer_from(curated, lite, md)[0])
    assert "price" not in {c.field for c in cat.refresh.changes.get("gpt-t", [])}
    assert cat.variants["gpt-t"].pricing.as_of == TODAY
    assert cat.refresh.confirmed >= 2


def test_a_curated_fact_checked_after_the_fetch_wins(curated: Catalog) -> None:
    lite, md = tables()
    lite["gpt-t"]["input_cost_per_token"] = 9e-06
    old = dt.datetime(2026, 8, 1, tzinfo=dt.UTC)  # before the price's as_of (2026-09-01)
    cat = merged(curated, layer_from(curated, lite, md, now=old)[0])
    assert cat.variants["gpt-t"].pricing.input == 1.25


def test_curated_licence_flavour_tuning_and_weights_are_never_changed(curated: Catalog) -> None:
    lite, md = tables()
    for e in lite.values():
        e.update(mode="embedding", supports_reasoning=True, max_input_tokens=5)
    for p in md.values():
        for e in p["models"].values():
            e.update(open_weights=True, name="Renamed", limit={"context": 5, "output": 5})
    cat = merged(curated, layer_from(curated, lite, md)[0])
    for vid, before in curated.variants.items():
        after = cat.variants[vid]
        for name in ("license", "flavour", "tuning", "open_weights", "name", "params_b", "family"):
            assert getattr(after, name) == getattr(before, name), (vid, name)
    assert cat.licenses["llama-t"] is curated.licenses["llama-t"]


def test_limits_come_from_the_makers_api_only_and_rounding_is_not_a_change(
    curated: Catalog,
) -> None:
    lite, md = tables()
    md["openai"]["models"]["gpt-t"]["limit"]["context"] = 410000  # 2.4%: rounding
    md["openai"]["models"]["gpt-t-mini"]["limit"]["context"] = 256000
    cat = merged(curated, layer_from(curated, lite, md)[0])
    assert cat.variants["gpt-t"].context_window == 400000
    assert cat.variants["gpt-t"].max_output == 128000
    assert cat.variants["gpt-t-mini"].context_window == 256000
    # the open model's window is the weights': Bedrock's 128,000 cap does not replace it
    assert cat.variants["llama-t-8b-instruct"].context_window == 131072
    assert "llama-t-8b-instruct" not in cat.refresh.changes


def test_litellm_input_cap_never_shrinks_a_window(curated: Catalog) -> None:
    lite, _ = tables()
    cat = merged(curated, layer_from(curated, lite)[0])
    assert cat.variants["gpt-t"].context_window == 400000  # not LiteLLM's 272,000


def test_an_announced_shutdown_deprecates_forwards_only(curated: Catalog) -> None:
    lite, md = tables()
    cat = merged(curated, layer_from(curated, lite, md)[0])
    assert cat.variants["gpt-t-old"].status == "deprecated"
    lite["gpt-t-old"]["deprecation_date"] = "2026-06-01"
    cat = merged(curated, layer_from(curated, lite, md)[0])
    assert cat.variants["gpt-t-old"].status == "retired"
    del lite["gpt-t-old"]["deprecation_date"]
    cat = merged(curated, layer_from(curated, lite, md)[0])
    assert cat.variants["gpt-t-old"].status == "active"


def test_new_api_models_are_added_unreviewed(curated: Catalog) -> None:
    lite, md = tables()
    cat = merged(curated, layer_from(curated, lite, md)[0])
    added = set(cat.refresh.unreviewed)
    # a new chat model (both tables, one entry) and a new embedding model; not speech or
    # image models, not a dated alias of gpt-t, not a shut-down model, not resellers'
    assert added == {"gpt-t-nova", "text-embedding-t"}
    v = cat.variants["gpt-t-nova"]
    assert v.license == M.UNREVIEWED_LICENSE
    assert cat.licenses[v.license].commercial_use == "conditional"
    assert v.family == "unreviewed-openai" and v.family in cat.families
    assert cat.families[v.family].variants == sorted(added)
    assert v.context_window == 1050000  # models.dev's window, not LiteLLM's input cap
    assert v.pricing is not None and (v.pricing.input, v.pricing.output) == (2.0, 8.0)
    assert set(v.capabilities) >= {"tools", "structured-output", "reasoning", "vision"}
    assert v.sources == ["models.dev:providers.openai.models.gpt-t-nova", "litellm:gpt-t-nova"]
    assert v.notes and v.notes.startswith("unreviewed")
    assert not v.open_weights and v.tuning == ["undisclosed"]


def test_a_curated_model_wins_over_an_unreviewed_one(curated: Catalog) -> None:
    lite, md = tables()
    layer, _ = layer_from(curated, lite, md)
    nova = copy.deepcopy(curated.variants["gpt-t"])
    nova.id, nova.access.api = "gpt-t-nova", "gpt-t-nova"
    both = Catalog(
        curated.version,
        curated.providers,
        curated.licenses,
        curated.families,
        {**curated.variants, "gpt-t-nova": nova},
        curated.datasets,
    )
    cat = merged(both, layer)
    assert "gpt-t-nova" not in cat.refresh.unreviewed
    assert cat.variants["gpt-t-nova"].license == "openai-terms"


def test_nothing_is_deleted_a_model_gone_upstream_is_reported_and_kept(
    curated: Catalog,
) -> None:
    lite, md = tables()
    first, _ = layer_from(curated, lite, md)
    lite["gpt-t-old"]["input_cost_per_token"] = 6e-06
    second, _ = layer_from(curated, lite, md, previous=first)
    del lite["gpt-t-old"], lite["gpt-t-nova"]
    del md["openai"]["models"]["gpt-t-nova"]
    third, missing = layer_from(curated, lite, md, previous=second)
    assert missing == {"litellm:gpt-t-old": ["gpt-t-old"]}
    cat = merged(curated, third)
    assert cat.variants["gpt-t-old"].pricing.input == 6.0  # its last known price
    assert "gpt-t-nova" in cat.refresh.unreviewed
    assert set(curated.variants) <= set(cat.variants)


def test_a_source_not_refreshed_keeps_its_previous_data(curated: Catalog) -> None:
    lite, md = tables()
    first, _ = layer_from(curated, lite, md)
    lite["gpt-t"]["input_cost_per_token"] = 2e-06
    second, _ = layer_from(curated, lite, None, previous=first)
    assert set(second.sources) == {"litellm", "models.dev"}
    assert second.sources["models.dev"] == first.sources["models.dev"]
    assert merged(curated, second).variants["gpt-t"].pricing.input == 2.0


def test_the_merge_is_deterministic_whatever_the_table_order(curated: Catalog) -> None:
    lite, md = tables()
    a = merged(curated, layer_from(curated, lite, md)[0])
    b = merged(curated, layer_from(curated, dict(reversed(lite.items())), md)[0])
    assert R.diff(a, b) == {"added": [], "changed": []}


def test_diff_lists_added_and_changed_with_old_and_new(curated: Catalog) -> None:
    lite, md = tables()
    lite["gpt-t"]["input_cost_per_token"] = 1.5e-06
    after = merged(curated, layer_from(curated, lite, md)[0])
    d = R.diff(curated, after)
    assert {a["id"] for a in d["added"]} == {"gpt-t-nova", "text-embedding-t"}
    assert {
        "id": "gpt-t",
        "field": "price",
        "old": [1.25, 10.0],
        "new": [1.5, 10.0],
        "source": "litellm:gpt-t",
        "unreviewed": False,
    } in d["changed"]


# --- the layer file ---------------------------------------------------------------------


def test_a_damaged_layer_is_reported_not_used(tmp_path: Path) -> None:
    path = tmp_path / "refresh.json"
    assert L.read_layer(path) == (None, None)
    for raw in (b"{", b'{"format": 99}', b'{"format": 1, "sources": {"x": {}}}'):
        path.write_bytes(raw)
        layer, problem = L.read_layer(path)
        assert layer is None and problem and "damaged" in problem


def test_the_layer_is_replaced_atomically(curated: Catalog, tmp_path: Path) -> None:
    """Readers during a swap see the old layer or the new one, never a mix."""
    lite, md = tables()
    layers = []
    for price in (1e-06, 3e-06):
        lite["gpt-t"]["input_cost_per_token"] = price
        lite["gpt-t-mini"] = {**lite["gpt-t"], "input_cost_per_token": price}
        layers.append(layer_from(curated, lite, md)[0])
    path = tmp_path / "refresh.json"
    L.write_layer(layers[0], path)
    stop = threading.Event()

    def swap() -> None:
        i = 0
        while not stop.is_set():
            i += 1
            L.write_layer(layers[i % 2], path)

    writer = threading.Thread(target=swap)
    writer.start()
    try:
        seen = set()
        for _ in range(200):
            layer, problem = L.read_layer(path)
            assert problem is None and layer is not None
            p = layer.sources["litellm"].models["gpt-t"]["input"]
            q = layer.sources["litellm"].models["gpt-t-mini"]["input"]
            assert p == q  # one file, never half of each
            seen.add(p)
    finally:
        stop.set()
        writer.join()
    assert seen <= {1.0, 3.0}


def test_age_warning_after_90_days(curated: Catalog) -> None:
    assert L.age_warning(curated, dt.date(2027, 1, 1)) is None
    warning = L.age_warning(curated, dt.date(2027, 3, 1))
    assert warning and "120 days" in warning and "catalog refresh" in warning
    lite, md = tables()
    cat = merged(curated, layer_from(curated, lite, md)[0])
    assert L.age_warning(curated, dt.date(2027, 2, 15))  # 106 days
    assert L.age_warning(cat, dt.date(2027, 2, 15)) is None  # the layer's data: 77 days
