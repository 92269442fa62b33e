"""Memory estimates for today's architectures, each checked against a hand computation."""

from __future__ import annotations

import pytest

from llmpick.catalog.records import Access, ArchNumbers
from llmpick.engine.memory import best_fit, estimate, kv_cache_gb
from llmpick.engine.rank import recommend
from llmpick.engine.requirements import build
from tests.conftest import bundled_catalog
from tests.unit.test_engine_rules import make_catalog, make_variant

bundled = bundled_catalog  # parsed once per run, shared


def test_multi_head_latent_attention_caches_the_latent_not_keys_and_values() -> None:
    # DeepSeek-V3: 61 layers, latent 512 + rotary key 64, fp16: 61 * 576 * 2 bytes a token
    v = bundled().variants["deepseek-v3"]
    by_hand = 61 * (512 + 64) * 2 * 32_768 / 1e9  # 2.30 GB at 32k tokens
    got = kv_cache_gb(v, 32_768)
    assert got == pytest.approx(by_hand, rel=0.10)
    # full keys and values for 128 heads of 192 would be ~70x larger
    assert got is not None and got < 3.0


def test_grouped_query_mixture_of_experts_counts_every_expert() -> None:
    # Qwen3-30B-A3B: 48 layers, 4 KV heads of 128; all 30.5B weights resident
    v = bundled().variants["qwen3-30b-a3b"]
    e = estimate(v, "fp16", 32_768)
    assert e is not None
    kv_by_hand = 2 * 48 * 4 * 128 * 2 * 32_768 / 1e9  # 3.22 GB
    assert e.kv_cache_gb == pytest.approx(kv_by_hand, rel=0.10)
    weights_by_hand = 30.5 * 2  # 61 GB at 16 bits, not 3.3B active
    assert e.weights_gb == pytest.approx(weights_by_hand, rel=0.10)
    assert not e.estimated


def test_weights_published_in_mxfp4_are_sized_as_released() -> None:
    # gpt-oss-120b ships its experts in MXFP4: about 65 GB in all, and 4-bit is the release
    v = bundled().variants["gpt-oss-120b"]
    fit, _ = best_fit(v, 80, "auto", 8192)
    assert fit is not None and fit.native and fit.quantization == "int4"
    assert fit.total_gb == pytest.approx(65, rel=0.10)


def test_hybrid_models_cache_only_in_their_attention_layers() -> None:
    full = make_variant("dense", arch=ArchNumbers(layers=48, kv_heads=8, head_dim=128))
    hybrid = make_variant(
        "hybrid", arch=ArchNumbers(layers=48, kv_heads=8, head_dim=128, kv_layers=12)
    )
    assert kv_cache_gb(hybrid, 100_000) == pytest.approx(kv_cache_gb(full, 100_000) / 4)


def test_no_active_open_generative_model_is_lost_to_a_missing_number() -> None:
    c = bundled()
    rec = recommend(c, build({"task": "chat", "gpu_memory": 1000, "include_legacy": False}))
    lost = [
        vid
        for vid, v in rec.verdicts.items()
        if any(x.constraint == "gpu_memory" and "needs about" not in x.text for x in v.exclusions)
        and v.variant.open_weights
        and v.variant.status == "active"
        and v.variant.architecture != "encoder-only"
        and v.variant.flavour != "embedding"
    ]
    assert lost == []
    # among them the strong open families of 2025-26 that used to vanish under any budget
    for vid in ("deepseek-v3", "kimi-k2-instruct", "qwen3.5-397b-a17b", "glm-5", "gpt-oss-120b"):
        assert not rec.verdicts[vid].exclusions, (vid, rec.verdicts[vid].exclusions)


def test_a_gpu_budget_binds_self_hosting_only() -> None:
    c = make_catalog(
        make_variant("big-open", params_b=400.0),
        make_variant("api-only", open_weights=False, access=Access(api="x")),
    )
    any_host = recommend(c, build({"gpu_memory": 24, "hosting": "any"}))
    assert [v.variant.id for v in any_host.ranked] == ["api-only"]
    implied = recommend(c, build({"gpu_memory": 24}))  # a GPU budget means self-hosting
    assert implied.ranked == []
    assert "hosting" in implied.requirements.resolved[0]


def test_the_range_of_a_size_based_estimate_holds_for_most_catalogued_models() -> None:
    # pretend each model with known numbers had none: its true total should fall inside
    # the range an estimate from its size states, for at least 3 models in 4
    import dataclasses

    inside = total = 0
    for v in bundled().variants.values():
        if not v.open_weights or v.status != "active" or v.params_b is None:
            continue
        if v.arch is None or v.arch.layers is None or v.architecture == "encoder-only":
            continue
        if v.flavour == "embedding":
            continue
        true = estimate(v, "int4", 32_768)
        guess = estimate(dataclasses.replace(v, arch=None), "int4", 32_768)
        assert true is not None and guess is not None and guess.estimated
        total += 1
        inside += guess.low_gb <= true.total_gb <= guess.high_gb
    assert total > 100 and inside / total >= 0.75, (inside, total)
