"""Architecture numbers read from a config.json as the Hub publishes it give the same
KV cache as the catalog's curated numbers for the same model (config files named by
their model type's own field names)."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from llmpick.catalog.hub_config import arch_numbers
from llmpick.catalog.hub_files import RepoError
from llmpick.engine.memory import kv_bytes_per_token
from tests.conftest import bundled_catalog

CONFIGS: dict[str, dict[str, Any]] = {
    "gpt2": {"model_type": "gpt2", "n_layer": 12, "n_embd": 768, "n_head": 12},
    "falcon-7b-instruct": {
        "model_type": "falcon",
        "n_layer": 32,
        "hidden_size": 4544,
        "n_head": 71,
        "multi_query": True,
    },
    "mistral-7b-instruct-v0.1": {
        "model_type": "mistral",
        "num_hidden_layers": 32,
        "hidden_size": 4096,
        "num_attention_heads": 32,
        "num_key_value_heads": 8,
        "sliding_window": 4096,
    },
    "gemma-3-27b-it": {  # Gemma 3's text part: five local layers to one global
        "model_type": "gemma3_text",
        "num_hidden_layers": 62,
        "hidden_size": 5376,
        "num_attention_heads": 32,
        "num_key_value_heads": 16,
        "head_dim": 128,
        "sliding_window": 1024,
        "sliding_window_pattern": 6,
    },
    "deepseek-v3": {  # latent attention: a 512 latent and a 64 rotary key per layer
        "model_type": "deepseek_v3",
        "num_hidden_layers": 61,
        "hidden_size": 7168,
        "num_attention_heads": 128,
        "num_key_value_heads": 128,
        "n_routed_experts": 256,
        "num_experts_per_tok": 8,
        "kv_lora_rank": 512,
        "qk_rope_head_dim": 64,
    },
    "qwen3-8b": {  # a window named but not used
        "model_type": "qwen3",
        "num_hidden_layers": 36,
        "hidden_size": 4096,
        "num_attention_heads": 32,
        "num_key_value_heads": 8,
        "head_dim": 128,
        "sliding_window": 32768,
        "use_sliding_window": False,
    },
}


@pytest.mark.parametrize("model", sorted(CONFIGS))
@pytest.mark.parametrize("tokens", [2048, 32768])
def test_a_config_gives_the_catalogs_cache(model: str, tokens: int) -> None:
    curated = bundled_catalog().variants[model]
    read = dataclasses.replace(curated, arch=arch_numbers(CONFIGS[model]))
    assert kv_bytes_per_token(read, tokens) == kv_bytes_per_token(curated, tokens)


def test_a_window_of_unknown_layers_is_not_applied() -> None:
    cfg = {**CONFIGS["mistral-7b-instruct-v0.1"], "model_type": "somethingelse"}
    a = arch_numbers(cfg)
    assert a is not None and a.sliding_window is None


@pytest.mark.parametrize(
    ("change", "said"),
    [
        ({"n_layer": 0}, "config.json: n_layer: expected a whole number from 1 to 10,000, got 0"),
        ({"n_head": 1.5}, "config.json: n_head: expected a whole number"),
        (
            {"n_embd": [768]},
            "config.json: n_embd: expected a whole number from 1 to 4,194,304, got list",
        ),
        ({"sliding_window_pattern": 6, "sliding_window": "x"}, "config.json: sliding_window:"),
    ],
)
def test_bad_numbers_are_named(change: dict[str, Any], said: str) -> None:
    with pytest.raises(RepoError) as caught:
        arch_numbers({**CONFIGS["gpt2"], **change})
    assert said in caught.value.message
