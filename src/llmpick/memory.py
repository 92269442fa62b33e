"""GPU memory estimates: weights + KV cache + runtime overhead (guide §2.1, §5.1).

All figures are decimal gigabytes (1 GB = 10^9 bytes), which is conservative
against cards sold as "24 GB" (24 GiB = 25.8 GB).

- Weights: total parameters x bytes per parameter. Mixture-of-experts models
  count all experts: every expert must be resident even if few are active.
  Bits per weight include the scales that quantized formats store:
  fp16/bf16 16; int8 8.5 (llama.cpp Q8_0: 8-bit values plus one fp16 scale per
  32); int4 4.85 (llama.cpp Q4_K_M; GPTQ/AWQ with group size 128 are ~4.25, so
  this is the conservative choice).
- KV cache: 2 (keys and values) x layers x key-value heads x head dim x 2 bytes
  (fp16) x tokens. Grouped-query attention shows up as fewer key-value heads;
  layers with a sliding window cache at most the window. Encoder-only models
  keep no generation cache.
- Overhead: 1 GB for the CUDA context, activations and allocator slack, plus 5%
  of the weights.
"""

from __future__ import annotations

from dataclasses import dataclass

from llmpick.records import Variant

BITS_PER_WEIGHT = {"fp16": 16.0, "int8": 8.5, "int4": 4.85}
QUANT_ORDER = ("fp16", "int8", "int4")
KV_BYTES = 2  # fp16 cache
OVERHEAD_FIXED_GB = 1.0
OVERHEAD_FRACTION = 0.05
DEFAULT_CONTEXT = 8192


@dataclass(slots=True, eq=False, repr=False)
class Estimate:
    quantization: str
    weights_gb: float
    kv_cache_gb: float
    overhead_gb: float
    context: int

    @property
    def total_gb(self) -> float:
        return self.weights_gb + self.kv_cache_gb + self.overhead_gb


def weights_gb(params_b: float, quantization: str) -> float:
    return params_b * 1e9 * BITS_PER_WEIGHT[quantization] / 8 / 1e9


def kv_cache_gb(v: Variant, tokens: int) -> float | None:
    """KV cache for ``tokens`` of context, or None when the catalog lacks the numbers."""
    if v.architecture == "encoder-only":
        return 0.0
    a = v.arch
    if a is None or a.layers is None:
        return None
    kv_heads = a.kv_heads or a.attention_heads
    head_dim = a.head_dim
    if head_dim is None and a.hidden_size and a.attention_heads:
        head_dim = a.hidden_size // a.attention_heads
    if kv_heads is None or head_dim is None:
        return None
    per_token_layer = 2 * kv_heads * head_dim * KV_BYTES
    if a.sliding_window and a.full_attention_layers is not None:
        full = min(a.full_attention_layers, a.layers)
        local = a.layers - full
        total = per_token_layer * (full * tokens + local * min(tokens, a.sliding_window))
    elif a.sliding_window and a.full_attention_layers is None:
        # every layer uses the window (e.g. Mistral 7B v0.1)
        total = per_token_layer * a.layers * min(tokens, a.sliding_window)
    else:
        total = per_token_layer * a.layers * tokens
    return total / 1e9


def estimate(v: Variant, quantization: str, context: int) -> Estimate | None:
    """Memory to serve ``v`` at ``quantization`` with ``context`` tokens; None if unknown."""
    if v.params_b is None:
        return None
    kv = kv_cache_gb(v, context)
    if kv is None:
        return None
    w = weights_gb(v.params_b, quantization)
    return Estimate(quantization, w, kv, OVERHEAD_FIXED_GB + OVERHEAD_FRACTION * w, context)


def working_context(v: Variant, min_context: int | None) -> int:
    """The context the estimate is made at: up to 8k tokens by default (the model's window
    if shorter), or what the user needs if more. Never less than the default, so that
    asking for a short context can only remove models, never add them."""
    default = min(v.context_window, DEFAULT_CONTEXT) if v.context_window else DEFAULT_CONTEXT
    return max(default, min_context or 0)


def best_fit(
    v: Variant, gpu_gb: float, quantization: str, context: int
) -> tuple[Estimate | None, Estimate | None]:
    """(the highest-precision estimate that fits, the smallest estimate tried)."""
    order = QUANT_ORDER if quantization == "auto" else (quantization,)
    smallest = None
    for q in order:
        e = estimate(v, q, context)
        if e is None:
            return None, None
        smallest = e
        if e.total_gb <= gpu_gb:
            return e, e
    return None, smallest
