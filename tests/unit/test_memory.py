"""Memory estimates for today's architectures, each checked against a hand computation."""

from __future__ import annotations

import pytest

from llmpick.catalog.records import Access, ArchNumbers
from llmpick.engine.memory import (
    best_fit,
    estimate,
    kv_cache_gb,
    quantizations,
    working_context,
)
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


# (variant, layers with a KV cache, key-value heads, head dim), each from the model's config
HYBRIDS = [
    # config's hybrid_override_pattern: 4 attention ("*") layers of 56, 8 KV heads of 128
    ("nvidia-nemotron-nano-9b-v2", 4, 8, 128),
    # card: 26 Mamba layers + 2 attention layers, 20 query heads sharing 1 KV head of 128
    ("jamba-reasoning-3b", 2, 1, 128),
    # Qwen3-Next design: full attention in every fourth layer (12 of 48), 2 KV heads of 256
    ("qwen3-coder-next", 12, 2, 256),
]


@pytest.mark.parametrize(("vid", "kv_layers", "kv_heads", "head_dim"), HYBRIDS)
def test_a_hybrid_caches_keys_and_values_in_its_attention_layers_only(
    vid: str, kv_layers: int, kv_heads: int, head_dim: int
) -> None:
    v = bundled().variants[vid]
    tokens = 131_072
    by_hand = 2 * kv_layers * kv_heads * head_dim * 2 * tokens / 1e9  # keys + values, fp16
    e = estimate(v, "fp16", tokens)
    assert e is not None and not e.estimated
    assert e.kv_cache_gb == pytest.approx(by_hand, rel=1e-9)


def test_nemotron_nano_9b_v2_fits_a_24_gb_card_at_128k() -> None:
    # 8.89B at 8-bit is ~9.4 GB; its 4-layer cache at 128k is 2.1 GB (it was sized at 18.9 GB)
    v = bundled().variants["nvidia-nemotron-nano-9b-v2"]
    fit, _ = best_fit(v, 24, "auto", 131_072)
    assert fit is not None and fit.total_gb < 24


# hybrids in the catalog: state-space or linear-attention layers keep no KV cache
HYBRID_FAMILIES = ("falcon-h1", "jamba", "qwen3.5", "qwen3.6")
HYBRID_VARIANTS = (
    "granite-4.0-h-small", "granite-4.0-h-tiny", "granite-4.0-h-micro",
    "nvidia-nemotron-nano-9b-v2", "nemotron-3-nano-30b-a3b", "nemotron-3-super-120b-a12b",
    "nemotron-3-ultra-550b-a55b", "qwen3-coder-next", "minimax-m1-40k", "minimax-m1-80k",
)  # fmt: skip


def test_every_open_hybrid_says_which_layers_keep_a_cache_or_why_not() -> None:
    c = bundled()
    hybrids = [
        v
        for v in c.variants.values()
        if v.open_weights and (v.family in HYBRID_FAMILIES or v.id in HYBRID_VARIANTS)
    ]
    assert len(hybrids) >= 39
    missing = [
        v.id
        for v in hybrids
        if v.arch is None or (v.arch.kv_layers is None and v.arch.unpublished is None)
    ]
    assert missing == []


def test_no_open_model_is_dropped_by_a_gpu_budget_for_a_missing_number() -> None:
    # any status, any flavour, any architecture: a huge budget drops an open model only
    # for its size, never because a number is missing
    c = bundled()
    unsized = [
        v.id
        for v in c.variants.values()
        if v.open_weights and estimate(v, quantizations(v)[-1], working_context(v, None)) is None
    ]
    assert unsized == []
    for task in ("chat", "classification", "embedding", "translation"):
        rec = recommend(c, build({"task": task, "gpu_memory": 10_000, "include_legacy": True}))
        lost = [
            vid
            for vid, verdict in rec.verdicts.items()
            if any(x.constraint == "gpu_memory" for x in verdict.exclusions)
            and verdict.variant.open_weights
        ]
        assert lost == [], task


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
