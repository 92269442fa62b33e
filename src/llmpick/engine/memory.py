"""GPU memory estimates: weights + KV cache + runtime overhead (guide §2.1, §5.1).

All figures are decimal gigabytes (1 GB = 10^9 bytes), which is conservative
against cards sold as "24 GB" (24 GiB = 25.8 GB).

- Weights: total parameters x bits per weight. Mixture-of-experts models count
  all experts: every expert must be resident even if few are active. Bits per
  weight include the scales that quantized formats store: fp16/bf16 16; int8 8.5
  (llama.cpp Q8_0: 8-bit values plus one fp16 scale per 32); int4 4.85 (llama.cpp
  Q4_K_M; GPTQ/AWQ with group size 128 are ~4.25, so this is the conservative
  choice). Weights published already quantized are counted in their own format
  (fp8 8; MXFP4 and int4 releases 4.25, the scales included): for them that
  precision is the release, not a loss of quality, and a higher one is not offered.
- KV cache, per token: 2 (keys and values) x layers x key-value heads x head dim x
  2 bytes (fp16). Grouped-query attention shows up as fewer key-value heads;
  layers with a sliding window cache at most the window; multi-head latent
  attention (DeepSeek V3, Kimi K2) caches one compressed latent plus the rotary
  key per layer instead of full keys and values; hybrid models cache only in
  their attention layers (their linear-attention or state-space layers keep a
  fixed state of a few MB, inside the overhead). Encoder-only models keep no
  generation cache.
- Without published architecture numbers the cache is estimated from the
  parameter count, fitted on current grouped-query models (62 kB per token x
  billions of parameters ^ 0.39); such an estimate says so, with a range: over
  the 220 active catalogued models whose numbers are known, the fitted cache is
  0.94x the true one at the median, and 0.25x to 3.4x from the 10th to the 90th
  percentile (sliding windows, latent attention and hybrid layers shrink caches;
  old multi-head models have larger ones).
- Overhead: 1 GB for the CUDA context, activations and allocator slack, plus 5%
  of the weights.
"""

from __future__ import annotations

from dataclasses import dataclass

from llmpick.catalog.records import Variant
from llmpick.vocabulary import PRECISIONS

BITS_PER_WEIGHT = {"fp16": 16.0, "int8": 8.5, "int4": 4.85}
QUANT_ORDER = PRECISIONS
# published formats: (the quantization level it stands for, bits per weight as stored)
NATIVE_FORMATS = {"fp8": ("int8", 8.0), "mxfp4": ("int4", 4.25), "int4": ("int4", 4.25)}
KV_BYTES = 2  # fp16 cache
OVERHEAD_FIXED_GB = 1.0
OVERHEAD_FRACTION = 0.05
OVERHEAD_SAID = (
    f"{OVERHEAD_FIXED_GB:g} GB plus {OVERHEAD_FRACTION:.0%} of the weights "
    "(CUDA context, activations)"
)
"""The overhead rule in words, for answers that state it."""
DEFAULT_CONTEXT = 8192
# cache per token without architecture numbers: a * (billions of parameters) ** b bytes
FALLBACK_KV_A = 62_000.0
FALLBACK_KV_B = 0.39
# the true cache lies between the fitted one divided by the first and divided by the
# second for 80% of the catalogued models with known numbers (measured: fitted/true
# is 0.25 at the 10th percentile and 3.4 at the 90th)
FALLBACK_KV_RANGE = (3.4, 0.25)

METHOD_CONFIG = "architecture numbers"
METHOD_PARAMS = "parameter count"


@dataclass(slots=True, eq=False, repr=False)
class Estimate:
    quantization: str
    weights_gb: float
    kv_cache_gb: float
    overhead_gb: float
    context: int
    method: str = METHOD_CONFIG  # how the KV cache was sized
    native: bool = False  # this precision is the published format of the weights
    bits_per_weight: float = 16.0

    @property
    def total_gb(self) -> float:
        return self.weights_gb + self.kv_cache_gb + self.overhead_gb

    @property
    def estimated(self) -> bool:
        """True when the cache was estimated from the parameter count alone."""
        return self.method == METHOD_PARAMS

    @property
    def low_gb(self) -> float:
        """The smallest total the estimate allows (its error range)."""
        if not self.estimated:
            return self.total_gb
        return self.total_gb - self.kv_cache_gb + self.kv_cache_gb / FALLBACK_KV_RANGE[0]

    @property
    def high_gb(self) -> float:
        if not self.estimated:
            return self.total_gb
        return self.total_gb - self.kv_cache_gb + self.kv_cache_gb / FALLBACK_KV_RANGE[1]


def quantizations(v: Variant) -> tuple[str, ...]:
    """The precisions worth running ``v`` at, best first: never above its published format."""
    native = NATIVE_FORMATS.get(v.weights_format or "")
    if native is None:
        return QUANT_ORDER
    return QUANT_ORDER[QUANT_ORDER.index(native[0]) :]


def bits_per_weight(v: Variant, quantization: str) -> float:
    native = NATIVE_FORMATS.get(v.weights_format or "")
    if native is not None and native[0] == quantization:
        return native[1]
    return BITS_PER_WEIGHT[quantization]


def weights_gb(params_b: float, quantization: str, bits: float | None = None) -> float:
    return params_b * (bits if bits is not None else BITS_PER_WEIGHT[quantization]) / 8


def kv_bytes_per_token(v: Variant, tokens: int) -> tuple[float, str] | None:
    """Average cache bytes per token over ``tokens`` of context, and how it was sized;
    None for a model whose parameter count is unknown too."""
    if v.architecture == "encoder-only" or v.flavour == "embedding":
        return 0.0, METHOD_CONFIG
    a = v.arch
    if a is not None and a.layers is not None:
        layers = min(a.kv_layers, a.layers) if a.kv_layers is not None else a.layers
        if a.kv_lora_rank is not None:
            # multi-head latent attention: one latent (plus the rotary key) per layer
            per_layer = (a.kv_lora_rank + (a.qk_rope_head_dim or 0)) * KV_BYTES
            return float(per_layer * layers), METHOD_CONFIG
        kv_heads = a.kv_heads or a.attention_heads
        head_dim = a.head_dim
        if head_dim is None and a.hidden_size and a.attention_heads:
            head_dim = a.hidden_size // a.attention_heads
        if kv_heads is not None and head_dim is not None:
            per_layer = 2 * kv_heads * head_dim * KV_BYTES
            if a.sliding_window and a.full_attention_layers is not None:
                full = min(a.full_attention_layers, layers)
                local = layers - full
                total = per_layer * (full * tokens + local * min(tokens, a.sliding_window))
            elif a.sliding_window:
                # every layer uses the window (e.g. Mistral 7B v0.1)
                total = per_layer * layers * min(tokens, a.sliding_window)
            else:
                total = per_layer * layers * tokens
            return total / max(tokens, 1), METHOD_CONFIG
    size = v.active_params_b or v.params_b
    if size is None:
        return None
    return FALLBACK_KV_A * size**FALLBACK_KV_B, METHOD_PARAMS


def kv_cache_gb(v: Variant, tokens: int) -> float | None:
    """KV cache for ``tokens`` of context in GB (estimated from the size if need be)."""
    per = kv_bytes_per_token(v, tokens)
    return None if per is None else per[0] * tokens / 1e9


def estimate(v: Variant, quantization: str, context: int) -> Estimate | None:
    """Memory to serve ``v`` at ``quantization`` with ``context`` tokens; None when its
    parameter count is unknown (then it cannot be sized at all)."""
    if v.params_b is None:
        return None
    per = kv_bytes_per_token(v, context)
    if per is None:
        return None
    return _estimate(v, quantization, context, per)


def _estimate(v: Variant, quantization: str, context: int, per: tuple[float, str]) -> Estimate:
    """``estimate`` with the cache's bytes per token (and how they were sized) known."""
    assert v.params_b is not None
    bits = bits_per_weight(v, quantization)
    w = weights_gb(v.params_b, quantization, bits)
    native = NATIVE_FORMATS.get(v.weights_format or "", ("", 0.0))[0] == quantization
    return Estimate(
        quantization,
        w,
        per[0] * context / 1e9,
        OVERHEAD_FIXED_GB + OVERHEAD_FRACTION * w,
        context,
        per[1],
        native,
        bits,
    )


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
    usable = quantizations(v)
    order = usable if quantization == "auto" else (quantization,)
    if quantization != "auto" and quantization not in usable:
        order = (usable[0],)  # a precision above the release is the release itself
    per = kv_bytes_per_token(v, context) if v.params_b is not None else None
    if per is None:
        return None, None  # it cannot be sized
    assert v.params_b is not None
    kv = per[0] * context / 1e9  # the same at every precision
    for q in order:  # added up as Estimate.total_gb does, before building the estimate
        w = weights_gb(v.params_b, q, bits_per_weight(v, q))
        if w + kv + (OVERHEAD_FIXED_GB + OVERHEAD_FRACTION * w) <= gpu_gb:
            fit = _estimate(v, q, context, per)
            return fit, fit
    return None, _estimate(v, order[-1], context, per)
