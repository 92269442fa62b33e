"""A Hugging Face model's ``config.json`` and safetensors files, read for `llmpick fit`:
the architecture numbers (under their many names), the quantization, and the parameter
count, from ``model.safetensors.index.json`` (``metadata.total_parameters``, or
``metadata.total_size`` for 16-bit weights), or else from the safetensors headers
themselves (the first 8 bytes give the header's length; the header lists each tensor's
shape), so that no weights are downloaded.
"""

from __future__ import annotations

from typing import Any

from llmpick.catalog.hub_files import (
    BOUNDS,
    CONFIG,
    INDEX,
    MAX_INDEX,
    SINGLE,
    Folder,
    HubRepo,
    Read,
    RepoError,
    read_json,
    shown,
    whole,
)
from llmpick.catalog.records import ArchNumbers

MAX_HEADER = 32 << 20  # a safetensors header: a few MB for thousands of tensors
MAX_SHARDS = 64  # shard headers read when the index gives no count
# names the configurations of different model types give the same number
SYNONYMS = {
    "layers": ("num_hidden_layers", "n_layer", "num_layers", "n_layers"),
    "hidden_size": ("hidden_size", "n_embd", "d_model", "dim"),
    "attention_heads": ("num_attention_heads", "n_head", "num_heads", "n_heads"),
    "kv_heads": ("num_key_value_heads", "num_kv_heads", "n_kv_heads"),
    "head_dim": ("head_dim",),
    "experts": ("num_local_experts", "num_experts", "n_routed_experts", "moe_num_experts"),
    "active_experts": ("num_experts_per_tok", "num_experts_per_token", "moe_top_k"),
    "kv_lora_rank": ("kv_lora_rank",),
    "qk_rope_head_dim": ("qk_rope_head_dim",),
    "context": ("max_position_embeddings", "n_positions", "max_seq_len", "seq_length"),
}
SIXTEEN_BIT = {"float16", "bfloat16", "fp16", "bf16"}
# model types whose every layer uses the configured sliding window (Mistral 7B v0.1 and
# Mixtral as transformers and vLLM run them); other types name a window they may not use
WINDOW_ON_EVERY_LAYER = ("mistral", "mixtral")
# published quantized formats that llmpick sizes: quant_method -> weights_format
QUANT_FORMATS = {"fp8": "fp8", "mxfp4": "mxfp4"}


def _field(cfg: dict[str, Any], what: str, file: str, prefix: str) -> int | None:
    for key in SYNONYMS[what]:
        if cfg.get(key) is not None:
            return whole(cfg[key], f"{file}: {prefix}{key}", BOUNDS[what])
    return None


def _config(data: bytes, file: str) -> tuple[dict[str, Any], dict[str, Any], str]:
    """(the whole config, the part with the text model's numbers, its field prefix)."""
    cfg = read_json(data, file)
    if not isinstance(cfg, dict):
        raise RepoError(f"{file}: expected a JSON object, got {shown(cfg)}")
    inner = cfg.get("text_config")
    if inner is None:
        return cfg, cfg, ""
    if not isinstance(inner, dict):
        raise RepoError(f"{file}: text_config: expected an object, got {shown(inner)}")
    return cfg, inner, "text_config."


def arch_numbers(cfg: dict[str, Any], file: str = CONFIG, prefix: str = "") -> ArchNumbers | None:
    """The numbers the memory estimate uses; None without a layer count."""
    got = {what: _field(cfg, what, file, prefix) for what in SYNONYMS if what not in ("context",)}
    if got["layers"] is None:
        return None
    if got["kv_heads"] is None and cfg.get("multi_query") is True:
        got["kv_heads"] = 1
    heads, kv = got["attention_heads"], got["kv_heads"]
    if heads is not None and kv is not None and kv > heads:
        raise RepoError(
            f"{file}: {prefix}num_key_value_heads: {kv} is more than the {heads} attention heads"
        )
    a = ArchNumbers(**{k: v for k, v in got.items() if v is not None})  # type: ignore[arg-type]
    _layer_kinds(cfg, a, file, prefix)
    return a


def _layer_kinds(cfg: dict[str, Any], a: ArchNumbers, file: str, prefix: str) -> None:
    """Sliding-window and hybrid layers, from ``layer_types`` (or Gemma's pattern)."""
    layers = a.layers or 0
    window = cfg.get("sliding_window")
    if window is not None and cfg.get("use_sliding_window") is not False:
        window = whole(window, f"{file}: {prefix}sliding_window", BOUNDS["sliding_window"])
    else:
        window = None
    kinds = cfg.get("layer_types")
    pattern = cfg.get("sliding_window_pattern")
    if kinds is not None:
        _typed_layers(kinds, a, window, f"{file}: {prefix}layer_types")
    elif pattern is not None and window:
        every = whole(pattern, f"{file}: {prefix}sliding_window_pattern", layers or 1)
        a.sliding_window, a.full_attention_layers = window, layers // every
    elif window and cfg.get("model_type") in WINDOW_ON_EVERY_LAYER:
        a.sliding_window = window
    # any other window, without saying which layers use it, is not applied: the full
    # cache is the safe side of the estimate


def _typed_layers(kinds: Any, a: ArchNumbers, window: int | None, where: str) -> None:
    """``layer_types``, one name a layer: full and sliding attention layers keep a KV
    cache; linear-attention or state-space layers keep none."""
    layers = a.layers or 0
    if not isinstance(kinds, list) or not all(isinstance(k, str) for k in kinds):
        raise RepoError(f"{where}: expected a list of layer names")
    if len(kinds) != layers:
        raise RepoError(f"{where}: names {len(kinds)} layers, but num_hidden_layers is {layers}")
    full = sum(1 for k in kinds if k in ("full_attention", "attention"))
    local = sum(1 for k in kinds if k == "sliding_attention")
    if full + local < layers:
        a.kv_layers = full + local
    if local and window:
        a.sliding_window, a.full_attention_layers = window, full


def _header(src: Folder | HubRepo, name: str) -> dict[str, Any]:
    """The JSON header of a safetensors file, read without its tensors."""
    first = src.read(name, 8)
    if first is None:
        raise RepoError(f"{src.label}: {name} is listed but missing")
    if len(first) < 8:
        raise RepoError(f"{name}: too short to be a safetensors file")
    size = int.from_bytes(first[:8], "little")
    if not 2 <= size <= MAX_HEADER:
        raise RepoError(f"{name}: header length {size:,} is not between 2 and {MAX_HEADER:,}")
    data = src.read(name, size, start=8)
    if data is None or len(data) < size:
        raise RepoError(f"{name}: the file ends inside its header")
    doc = read_json(data[:size], f"{name} (header)")
    if not isinstance(doc, dict):
        raise RepoError(f"{name} (header): expected a JSON object")
    return doc


def _count(header: dict[str, Any], name: str) -> int:
    total = 0
    for tensor, info in header.items():
        if tensor == "__metadata__":
            continue
        where = f"{name} (header): {shown(tensor)}"
        shape = info.get("shape") if isinstance(info, dict) else None
        if not isinstance(shape, list) or len(shape) > 8:
            raise RepoError(f"{where}: shape: expected a list of up to 8 sizes")
        n = 1
        for dim in shape:
            n *= whole(dim, f"{where}: shape", 1 << 40, low=0)
        total += n
    return total


def _from_index(
    src: Folder | HubRepo, index: dict[str, Any], dtype: Any, quant: str | None
) -> tuple[int, list[str], str]:
    meta = index.get("metadata")
    meta = meta if isinstance(meta, dict) else {}
    if meta.get("total_parameters") is not None:
        n = whole(meta["total_parameters"], f"{INDEX}: metadata.total_parameters", 1 << 50)
        return n, [INDEX], f"{INDEX} (metadata.total_parameters)"
    if meta.get("total_size") is not None and dtype in SIXTEEN_BIT and quant is None:
        size = whole(meta["total_size"], f"{INDEX}: metadata.total_size", 1 << 52)
        return size // 2, [INDEX], f"{INDEX} (metadata.total_size, 2 bytes a weight)"
    weight_map = index.get("weight_map")
    if not isinstance(weight_map, dict) or not weight_map:
        raise RepoError(f"{INDEX}: weight_map: expected an object naming the weight files")
    shards = sorted({f for f in weight_map.values() if isinstance(f, str)})
    if not shards or len(shards) > MAX_SHARDS:
        raise RepoError(
            f"{INDEX}: gives no parameter count, and its {len(shards)} weight files are "
            f"more than the {MAX_SHARDS} llmpick reads the headers of"
        )
    for shard in shards:
        if "/" in shard or shard.startswith(".") or not shard.endswith(".safetensors"):
            raise RepoError(f"{INDEX}: weight_map: {shown(shard)} is not a safetensors file name")
    total = sum(_count(_header(src, s), s) for s in shards)
    return total, [INDEX, *shards], f"the headers of its {len(shards)} safetensors files"


def _params(
    src: Folder | HubRepo, cfg: dict[str, Any], quant: str | None
) -> tuple[int, list[str], str]:
    """The parameter count, the files it was read from, and how, in words."""
    dtype = cfg.get("torch_dtype", cfg.get("dtype"))
    raw = src.read(INDEX, MAX_INDEX)
    if raw is not None:
        index = read_json(raw, INDEX)
        if not isinstance(index, dict):
            raise RepoError(f"{INDEX}: expected a JSON object, got {shown(index)}")
        return _from_index(src, index, dtype, quant)
    header = _header_or_none(src)
    if header is None:
        raise RepoError(
            f"{src.label}: has neither {INDEX} nor {SINGLE}, so its size cannot be read",
            hint="llmpick reads the size from safetensors files, or from GGUF files in a "
            "repository without config.json",
        )
    return _count(header, SINGLE), [SINGLE], f"the header of {SINGLE}"


def _header_or_none(src: Folder | HubRepo) -> dict[str, Any] | None:
    if src.read(SINGLE, 8) is None:
        return None
    return _header(src, SINGLE)


def _quantization(cfg: dict[str, Any]) -> str | None:
    q = cfg.get("quantization_config")
    if q is None:
        return None
    method = q.get("quant_method") if isinstance(q, dict) else None
    if not isinstance(method, str):
        raise RepoError(f"{CONFIG}: quantization_config: expected an object with quant_method")
    if method not in QUANT_FORMATS:
        raise RepoError(
            f"{CONFIG}: quantization_config.quant_method: weights published as "
            f"{shown(method)} are not sized by llmpick (it sizes 16-bit, fp8 and mxfp4 "
            "releases)",
            hint="fit the repository of the 16-bit original, and read the quantized size there",
        )
    return QUANT_FORMATS[method]


def _architecture(cfg: dict[str, Any]) -> str:
    if cfg.get("is_encoder_decoder") is True:
        return "encoder-decoder"
    names = cfg.get("architectures")
    names = [n for n in names if isinstance(n, str)] if isinstance(names, list) else []
    if any(n.endswith(("ForCausalLM", "ForConditionalGeneration")) for n in names):
        return "decoder-only"
    if any(n.endswith(("ForMaskedLM", "ForSequenceClassification", "Model")) for n in names):
        return "encoder-only"
    return "decoder-only"


def from_config(src: Folder | HubRepo, raw: bytes) -> Read:
    cfg, text, prefix = _config(raw, CONFIG)
    quant = _quantization(cfg)
    arch = arch_numbers(text, CONFIG, prefix)
    context = _field(text, "context", CONFIG, prefix)
    n, files, counted = _params(src, cfg, quant)
    notes = []
    if arch is None:
        notes.append(f"{CONFIG} gives no layer count: the KV cache is sized from the size")
    return Read(
        n, arch, context, _architecture(cfg), [CONFIG, *files], f"{CONFIG} and {counted}",
        quant, notes,
    )  # fmt: skip
