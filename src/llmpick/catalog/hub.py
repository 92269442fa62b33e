"""A model outside the catalog, read into a record that `llmpick fit` can size: a
Hugging Face repository (``ORG/NAME``) or a local model folder.

What is read, and nothing more: ``config.json`` (the architecture numbers), then the
parameter count from ``model.safetensors.index.json`` (``metadata.total_parameters``,
or ``metadata.total_size`` for 16-bit weights), or else from the safetensors headers
themselves (the first 8 bytes give the header's length; the header lists each tensor's
shape), fetched with HTTP Range requests so that no weights are downloaded.

The Hub is reached only here, through ``llmpick.http`` (bounded, httpx imported on
first use), at ``HF_ENDPOINT`` (as the Hugging Face tools name it; default
https://huggingface.co), with ``HF_TOKEN`` for gated repositories. Answers are kept for
a week in the private cache directory (``catalog/cache.py``'s, checked the same way),
and read again through the same checks as a fresh download.

Everything read is somebody else's data: each number must be a whole number within
bounds, and anything else is refused with the file and field named (exit 2), never
guessed around.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from llmpick import clock
from llmpick.catalog.records import Access, ArchNumbers, Variant
from llmpick.errors import UsageError

HUB = "https://huggingface.co"
ENDPOINT_ENV = "HF_ENDPOINT"
TOKEN_ENV = "HF_TOKEN"
REPO_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,95}/[A-Za-z0-9][A-Za-z0-9._-]{0,95}")
CONFIG = "config.json"
INDEX = "model.safetensors.index.json"
SINGLE = "model.safetensors"
WEIGHT_FILES = (".safetensors", ".gguf")  # read in parts (Range requests), never whole
MAX_CONFIG = 1 << 20  # a config.json is a few kB
MAX_INDEX = 32 << 20  # the largest indexes (hundreds of shards) are ~10 MB
MAX_HEADER = 32 << 20  # a safetensors header: a few MB for thousands of tensors
MAX_SHARDS = 64  # shard headers read when the index gives no count
TIMEOUT = 30.0
CACHE_DAYS = 7
# bounds on the numbers a configuration may give: far above any real model, so that
# only nonsense is refused
BOUNDS = {
    "layers": 10_000,
    "hidden_size": 1 << 22,
    "attention_heads": 1 << 16,
    "kv_heads": 1 << 16,
    "head_dim": 1 << 16,
    "sliding_window": 1 << 30,
    "experts": 1 << 16,
    "active_experts": 1 << 16,
    "kv_lora_rank": 1 << 20,
    "qk_rope_head_dim": 1 << 16,
    "context": 1 << 30,
}
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
# safetensors dtypes and their bytes per element
DTYPE_BYTES = {
    "F64": 8, "I64": 8, "U64": 8, "F32": 4, "I32": 4, "U32": 4, "F16": 2, "BF16": 2,
    "I16": 2, "U16": 2, "F8_E4M3": 1, "F8_E5M2": 1, "I8": 1, "U8": 1, "BOOL": 1,
}  # fmt: skip
SIXTEEN_BIT = {"float16", "bfloat16", "fp16", "bf16"}
# model types whose every layer uses the configured sliding window (Mistral 7B v0.1 and
# Mixtral as transformers and vLLM run them); other types name a window they may not use
WINDOW_ON_EVERY_LAYER = ("mistral", "mixtral")
# published quantized formats that llmpick sizes: quant_method -> weights_format
QUANT_FORMATS = {"fp8": "fp8", "mxfp4": "mxfp4"}


class RepoError(UsageError):
    """A file of the repository or folder that cannot be used; names the file and field."""


@dataclass
class Resolved:
    """A repository or folder read into a record, with where it came from."""

    variant: Variant
    origin: dict[str, Any]
    notes: list[str] = field(default_factory=list)


# --- where the files come from ------------------------------------------------------


def endpoint() -> str:
    return (os.environ.get(ENDPOINT_ENV) or HUB).rstrip("/")


def is_repo_id(name: str) -> bool:
    return REPO_ID.fullmatch(name) is not None and ".." not in name


class _Folder:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.label = str(path)

    def read(self, name: str, limit: int, start: int = 0) -> bytes | None:
        """Up to ``limit`` bytes of ``name`` from ``start``; None when it is missing. A
        whole file (``start`` 0) larger than ``limit`` is refused."""
        from llmpick.files import read_bounded

        target = self.path / name
        if not os.path.lexists(target):
            return None
        try:
            if not name.endswith(WEIGHT_FILES):
                return read_bounded(target, limit)
            if not target.is_file():  # a FIFO or device would block or never end
                raise RepoError(f"{target}: not a regular file")
            with open(target, "rb") as fh:  # a part of a weights file: never all of it
                fh.seek(start)
                return fh.read(limit)
        except OSError as exc:
            raise RepoError(f"cannot read {target}: {exc.strerror or exc}") from None

    def files(self) -> list[str]:
        try:
            return sorted(p.name for p in self.path.iterdir() if p.is_file())
        except OSError as exc:
            raise RepoError(f"cannot list {self.path}: {exc.strerror or exc}") from None


class _Hub:
    def __init__(self, repo: str) -> None:
        self.repo = repo
        self.base = endpoint()
        self.label = f"{self.base}/{repo}"

    def files(self) -> list[str]:
        """The repository's files, from the Hub's model API (``siblings``)."""
        raw = self.read("", MAX_INDEX, api=True)
        if raw is None:
            raise RepoError(f"{self.label}: has no {CONFIG}, and the Hub lists no files for it")
        listing = _json(raw, f"{self.label} (file list)")
        siblings = listing.get("siblings") if isinstance(listing, dict) else None
        if not isinstance(siblings, list):
            raise RepoError(f"{self.label} (file list): siblings: expected a list of files")
        names = [f.get("rfilename") for f in siblings if isinstance(f, dict)]
        return sorted(n for n in names if isinstance(n, str))

    def read(self, name: str, limit: int, start: int = 0, api: bool = False) -> bytes | None:
        from llmpick.http import FetchError, get_bytes

        url = f"{self.base}/{self.repo}/resolve/main/{name}"
        if api:
            url = f"{self.base}/api/models/{self.repo}"
        headers: dict[str, str] = {}
        if start or name.endswith(WEIGHT_FILES):
            headers["Range"] = f"bytes={start}-{start + limit - 1}"
        key = f"{url}|{headers.get('Range', '')}"
        hit = _cache_get(key)
        if hit is not None:
            return hit[1] if hit[0] == 200 else None
        token = os.environ.get(TOKEN_ENV)
        sent = {**headers, "Authorization": f"Bearer {token}"} if token else headers
        try:
            body = get_bytes(url, timeout=TIMEOUT, max_bytes=limit, headers=sent)
        except FetchError as exc:
            if exc.status == 404:
                _cache_put(key, 404, b"")
                return None
            if exc.status in (401, 403):
                raise FetchError(
                    f"{self.label}: the Hub refused {name or 'its file list'} (HTTP {exc.status}): "
                    "the repository does not exist, or it is private or gated",
                    hint=f"check the name; for a gated model accept its terms on the Hub and "
                    f"set {TOKEN_ENV}",
                ) from None
            raise FetchError(
                exc.message,
                hint=f"{self.repo} is not in the catalog, so it is read from the Hub: check "
                f"the name and the connection ({ENDPOINT_ENV} names a mirror)",
            ) from None
        _cache_put(key, 200, body)
        return body


# --- the private cache ------------------------------------------------------------------

_MAGIC = b"llmpick-hub 1\n"


def _cache_file(key: str) -> Path | None:
    from llmpick.catalog.cache import cache_dir, private_dir

    base = cache_dir()
    if base is None:
        return None
    directory = base / "hub"
    if not private_dir(directory):
        return None
    import hashlib

    return directory / (hashlib.sha256(key.encode()).hexdigest()[:40] + ".bin")


def _cache_get(key: str) -> tuple[int, bytes] | None:
    from llmpick.files import read_bounded

    path = _cache_file(key)
    if path is None:
        return None
    try:
        raw = read_bounded(path, MAX_INDEX + 256, private=True)
    except OSError:
        return None
    head, _, rest = raw.partition(b"\n\n")
    try:
        magic, status, stamp, stored_key = head.split(b"\n", 3)
        fresh = clock.seconds() - float(stamp) < CACHE_DAYS * 86400
        if magic + b"\n" != _MAGIC or stored_key.decode() != key or not fresh:
            return None
        return int(status), rest
    except (ValueError, UnicodeDecodeError):
        return None


def _cache_put(key: str, status: int, body: bytes) -> None:
    from llmpick.files import write_atomic

    path = _cache_file(key)
    if path is None or "\n" in key:
        return
    head = _MAGIC + f"{status}\n{clock.seconds():.0f}\n{key}\n\n".encode()
    try:
        write_atomic(path, head + body)
    except Exception:  # a cache we cannot write only costs a download
        return


# --- reading the files ------------------------------------------------------------------


def _json(data: bytes, file: str) -> Any:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise RepoError(f"{file}: not UTF-8 text") from None
    try:
        return json.loads(text, parse_constant=_no_constant)
    except RecursionError:
        raise RepoError(f"{file}: nested too deeply to read") from None
    except ValueError as exc:
        raise RepoError(f"{file}: not valid JSON ({str(exc)[:120]})") from None


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def _shown(value: Any) -> str:
    from llmpick.safetext import one_line

    plain = isinstance(value, str | int | float | bool)
    text = json.dumps(value) if plain else type(value).__name__
    return one_line(text if len(text) <= 40 else text[:37] + "...")


def _whole(value: Any, where: str, top: int, low: int = 1) -> int:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= top:
        raise RepoError(
            f"{where}: expected a whole number from {low} to {top:,}, got {_shown(value)}"
        )
    return value


def _field(cfg: dict[str, Any], what: str, file: str, prefix: str) -> int | None:
    for key in SYNONYMS[what]:
        if cfg.get(key) is not None:
            return _whole(cfg[key], f"{file}: {prefix}{key}", BOUNDS[what])
    return None


def _config(data: bytes, file: str) -> tuple[dict[str, Any], dict[str, Any], str]:
    """(the whole config, the part with the text model's numbers, its field prefix)."""
    cfg = _json(data, file)
    if not isinstance(cfg, dict):
        raise RepoError(f"{file}: expected a JSON object, got {_shown(cfg)}")
    inner = cfg.get("text_config")
    if inner is None:
        return cfg, cfg, ""
    if not isinstance(inner, dict):
        raise RepoError(f"{file}: text_config: expected an object, got {_shown(inner)}")
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
        window = _whole(window, f"{file}: {prefix}sliding_window", BOUNDS["sliding_window"])
    else:
        window = None
    kinds = cfg.get("layer_types")
    pattern = cfg.get("sliding_window_pattern")
    if kinds is not None:
        _typed_layers(kinds, a, window, f"{file}: {prefix}layer_types")
    elif pattern is not None and window:
        every = _whole(pattern, f"{file}: {prefix}sliding_window_pattern", layers or 1)
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


def _header(src: _Folder | _Hub, name: str) -> dict[str, Any]:
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
    doc = _json(data[:size], f"{name} (header)")
    if not isinstance(doc, dict):
        raise RepoError(f"{name} (header): expected a JSON object")
    return doc


def _count(header: dict[str, Any], name: str) -> int:
    total = 0
    for tensor, info in header.items():
        if tensor == "__metadata__":
            continue
        where = f"{name} (header): {_shown(tensor)}"
        shape = info.get("shape") if isinstance(info, dict) else None
        if not isinstance(shape, list) or len(shape) > 8:
            raise RepoError(f"{where}: shape: expected a list of up to 8 sizes")
        n = 1
        for dim in shape:
            n *= _whole(dim, f"{where}: shape", 1 << 40, low=0)
        total += n
    return total


def _from_index(
    src: _Folder | _Hub, index: dict[str, Any], dtype: Any, quant: str | None
) -> tuple[int, list[str], str]:
    meta = index.get("metadata")
    meta = meta if isinstance(meta, dict) else {}
    if meta.get("total_parameters") is not None:
        n = _whole(meta["total_parameters"], f"{INDEX}: metadata.total_parameters", 1 << 50)
        return n, [INDEX], f"{INDEX} (metadata.total_parameters)"
    if meta.get("total_size") is not None and dtype in SIXTEEN_BIT and quant is None:
        size = _whole(meta["total_size"], f"{INDEX}: metadata.total_size", 1 << 52)
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
            raise RepoError(f"{INDEX}: weight_map: {_shown(shard)} is not a safetensors file name")
    total = sum(_count(_header(src, s), s) for s in shards)
    return total, [INDEX, *shards], f"the headers of its {len(shards)} safetensors files"


def _params(
    src: _Folder | _Hub, cfg: dict[str, Any], quant: str | None
) -> tuple[int, list[str], str]:
    """The parameter count, the files it was read from, and how, in words."""
    dtype = cfg.get("torch_dtype", cfg.get("dtype"))
    raw = src.read(INDEX, MAX_INDEX)
    if raw is not None:
        index = _json(raw, INDEX)
        if not isinstance(index, dict):
            raise RepoError(f"{INDEX}: expected a JSON object, got {_shown(index)}")
        return _from_index(src, index, dtype, quant)
    header = _header_or_none(src)
    if header is None:
        raise RepoError(
            f"{src.label}: has neither {INDEX} nor {SINGLE}, so its size cannot be read",
            hint="llmpick reads the size from safetensors files, or from GGUF files in a "
            "repository without config.json",
        )
    return _count(header, SINGLE), [SINGLE], f"the header of {SINGLE}"


def _header_or_none(src: _Folder | _Hub) -> dict[str, Any] | None:
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
            f"{_shown(method)} are not sized by llmpick (it sizes 16-bit, fp8 and mxfp4 "
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


@dataclass
class _Read:
    """What the files say, before it becomes a record."""

    params: int
    arch: ArchNumbers | None
    context: int | None
    architecture: str
    files: list[str]
    counted: str  # where the parameter count comes from, in words
    weights_format: str | None = None
    notes: list[str] = field(default_factory=list)


def _from_config(src: _Folder | _Hub, raw: bytes) -> _Read:
    cfg, text, prefix = _config(raw, CONFIG)
    quant = _quantization(cfg)
    arch = arch_numbers(text, CONFIG, prefix)
    context = _field(text, "context", CONFIG, prefix)
    n, files, counted = _params(src, cfg, quant)
    notes = []
    if arch is None:
        notes.append(f"{CONFIG} gives no layer count: the KV cache is sized from the size")
    return _Read(
        n, arch, context, _architecture(cfg), [CONFIG, *files], f"{CONFIG} and {counted}",
        quant, notes,
    )  # fmt: skip


def _read(src: _Folder | _Hub, shown: str, gguf: str | None = None) -> Resolved:
    try:
        raw = None if gguf is not None else src.read(CONFIG, MAX_CONFIG)
        got = (
            _from_config(src, raw) if raw is not None else _from_gguf(src, gguf or _pick_gguf(src))
        )
    except RepoError as exc:  # which repository or folder the file is in, said first
        if exc.message.startswith(src.label):
            raise
        raise RepoError(f"{src.label}: {exc.message}", hint=exc.hint) from None
    if got.params <= 0:
        raise RepoError(f"{src.label}: its weight files hold no parameters")
    moe = got.arch is not None and (got.arch.experts or 0) > 1
    v = Variant(
        id=shown,
        family="",
        provider="",
        name=shown.rstrip("/").rsplit("/", 1)[-1] or shown,
        flavour="base",  # not read: fit does not use it
        tuning=[],
        architecture=got.architecture,  # type: ignore[arg-type]
        moe=moe,
        params_b=got.params / 1e9,
        active_params_b=None,
        context_window=got.context,
        max_output=None,
        open_weights=True,
        license="",
        status="active",
        successor=None,
        base_model=None,
        domain="general",
        modalities=["text"],
        languages=[],
        capabilities=[],
        access=Access(hf_repo=shown if isinstance(src, _Hub) else None),
        arch=got.arch,
        pricing=None,
        evidence=[],
        released=None,
        sources=[src.label],
        verified=clock.today(),
        notes=None,
        weights_format=got.weights_format,  # type: ignore[arg-type]
    )
    notes = [
        f"not in the catalog: sized from {got.counted}; its licence, quality and status "
        "are not checked",
        *got.notes,
    ]
    if moe:
        notes.append("active parameters per token are not read from the repository")
    origin = {"kind": "huggingface" if isinstance(src, _Hub) else "folder", "location": src.label}
    return Resolved(v, {**origin, "files": got.files}, notes)


# --- GGUF ---------------------------------------------------------------------------------

GGUF_CHUNK = 1 << 20  # header bytes read at a time
MAX_GGUF_HEADER = 64 << 20  # metadata (a tokenizer's vocabulary is most of it) + tensor list
MAX_GGUF_PARTS = 64
GGUF_SPLIT = re.compile(r"(.+)-(\d{5})-of-(\d{5})\.gguf")
# GGUF metadata "<architecture>.<key>" -> the ArchNumbers field it gives
GGUF_KEYS = {
    "block_count": "layers",
    "embedding_length": "hidden_size",
    "attention.head_count": "attention_heads",
    "attention.head_count_kv": "kv_heads",
    "attention.key_length": "head_dim",
    "expert_count": "experts",
    "expert_used_count": "active_experts",
    "attention.kv_lora_rank": "kv_lora_rank",
    "context_length": "context",
}
# value types: number -> (struct format, size); 8 is a string, 9 an array
_GGUF_SCALARS = {
    0: ("<B", 1), 1: ("<b", 1), 2: ("<H", 2), 3: ("<h", 2), 4: ("<I", 4), 5: ("<i", 4),
    6: ("<f", 4), 7: ("<?", 1), 10: ("<Q", 8), 11: ("<q", 8), 12: ("<d", 8),
}  # fmt: skip


def _pick_gguf(src: _Folder | _Hub) -> str:
    """The GGUF file to read (any quantization has the same shape): the first part of
    the first model file, never a vision projector (mmproj)."""
    ggufs = [f for f in src.files() if f.endswith(".gguf") and "mmproj" not in f.lower()]
    if not ggufs:
        raise RepoError(
            f"{src.label}: has no {CONFIG} and no GGUF file, so it cannot be sized",
            hint="llmpick reads a model folder or repository with config.json and "
            "safetensors, or with GGUF files",
        )
    firsts = [f for f in ggufs if (m := GGUF_SPLIT.fullmatch(f)) is None or m.group(2) == "00001"]
    return next((f for f in firsts if "q4_k_m" in f.lower()), (firsts or ggufs)[0])


class _Header:
    """A GGUF header, fetched in chunks as it is parsed (its length is not known ahead)."""

    def __init__(self, src: _Folder | _Hub, name: str) -> None:
        self.src, self.name = src, name
        self.buf = bytearray()
        self.pos = 0

    def take(self, n: int) -> bytes:
        end = self.pos + n
        while len(self.buf) < end:
            if len(self.buf) >= MAX_GGUF_HEADER:
                raise RepoError(f"{self.name}: header larger than {MAX_GGUF_HEADER:,} bytes")
            chunk = self.src.read(self.name, GGUF_CHUNK, start=len(self.buf))
            if not chunk:
                raise RepoError(f"{self.name}: the file ends inside its header")
            self.buf += chunk
        out = bytes(self.buf[self.pos : end])
        self.pos = end
        return out

    def number(self, fmt: str, size: int) -> Any:
        import struct

        return struct.unpack(fmt, self.take(size))[0]

    def count(self, what: str, top: int) -> int:
        n = int(self.number("<Q", 8))
        if n > top:
            raise RepoError(f"{self.name}: {what} {n:,} is more than {top:,}")
        return n

    def text(self) -> str:
        raw = self.take(self.count("a string's length", 1 << 24))
        return raw.decode("utf-8", errors="replace")

    def value(self, kind: int, depth: int = 0) -> Any:
        if kind in _GGUF_SCALARS:
            return self.number(*_GGUF_SCALARS[kind])
        if kind == 8:
            return self.text()
        if kind == 9 and depth < 2:
            inner = int(self.number("<I", 4))
            n = self.count("an array's length", 1 << 24)
            items = [self.value(inner, depth + 1) for _ in range(n)]
            return items if n <= 4096 else None  # a vocabulary: read past, not kept
        raise RepoError(f"{self.name}: unknown metadata value type {kind}")


def _gguf_header(src: _Folder | _Hub, name: str) -> tuple[dict[str, Any], int]:
    """(the metadata, the parameters its tensor list holds)."""
    h = _Header(src, name)
    if h.take(4) != b"GGUF":
        raise RepoError(f"{name}: not a GGUF file (no GGUF magic number)")
    version = h.number("<I", 4)
    if version not in (2, 3):
        raise RepoError(f"{name}: GGUF version {version} is not one llmpick reads (2 or 3)")
    tensors = h.count("tensor count", 1 << 20)
    entries = h.count("metadata count", 1 << 16)
    meta: dict[str, Any] = {}
    for _ in range(entries):
        key = h.text()
        meta[key] = h.value(int(h.number("<I", 4)))
    params = 0
    for _ in range(tensors):
        h.text()
        dims = int(h.number("<I", 4))
        if dims > 8:
            raise RepoError(f"{name}: a tensor with {dims} dimensions")
        size = 1
        for _ in range(dims):
            size *= h.count("a tensor dimension", 1 << 40)
        h.take(12)  # its type and offset
        params += size
    return meta, params


def _from_gguf(src: _Folder | _Hub, name: str) -> _Read:
    meta, params = _gguf_header(src, name)
    files = [name]
    split = GGUF_SPLIT.fullmatch(name)
    if split is not None:  # the tensors are spread over the parts
        parts = int(split.group(3))
        if parts > MAX_GGUF_PARTS:
            raise RepoError(f"{name}: {parts} parts, more than the {MAX_GGUF_PARTS} llmpick reads")
        for i in range(2, parts + 1):
            part = f"{split.group(1)}-{i:05d}-of-{parts:05d}.gguf"
            params += _gguf_header(src, part)[1]
            files.append(part)
    arch_name = meta.get("general.architecture")
    if not isinstance(arch_name, str) or not arch_name:
        raise RepoError(f"{name}: general.architecture: expected the architecture's name")
    got: dict[str, int] = {}
    for suffix, what in GGUF_KEYS.items():
        key = f"{arch_name}.{suffix}"
        value = meta.get(key)
        if isinstance(value, list):  # a number per layer (e.g. KV heads): the largest
            value = max(value) if value else None
        if value is not None:
            got[what] = _whole(value, f"{name}: {key}", BOUNDS[what])
    context = got.pop("context", None)
    arch = None
    if "layers" in got:
        if "kv_lora_rank" in got:  # latent attention: the rotary part of each key
            rope = meta.get(f"{arch_name}.rope.dimension_count")
            if rope is not None:
                key = f"{name}: {arch_name}.rope.dimension_count"
                got["qk_rope_head_dim"] = _whole(rope, key, BOUNDS["qk_rope_head_dim"])
        arch = ArchNumbers(**got)  # type: ignore[arg-type]
    notes = [
        f"{name} is one quantization of the model; its rows: fp16 the 16-bit original, "
        "int8 a Q8_0 file and int4 a Q4_K_M file"
    ]
    if arch is None:
        notes.append(
            f"{name} gives no {arch_name}.block_count: the KV cache is sized from the size"
        )
    return _Read(
        params, arch, context, "decoder-only", files, f"the GGUF header of {name}", None, notes
    )


def from_folder(path: str) -> Resolved:
    """A local model folder (config.json and safetensors, or GGUF), or one GGUF file."""
    folder = Path(os.path.expanduser(path))
    if folder.suffix == ".gguf" and folder.is_file():
        return _read(_Folder(folder.parent), path, gguf=folder.name)
    if not folder.is_dir():
        raise UsageError(
            f"{path}: not a folder",
            hint="give a model folder (with config.json), a catalog id or a repository ORG/NAME",
        )
    return _read(_Folder(folder), path)


def from_hub(repo: str) -> Resolved:
    """A Hugging Face repository, read over the network (and cached)."""
    if not is_repo_id(repo):
        raise UsageError(f"{repo!r} is not a Hugging Face repository id (ORG/NAME)")
    return _read(_Hub(repo), repo)
