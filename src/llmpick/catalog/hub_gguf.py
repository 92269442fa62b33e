"""A GGUF file's header, read for `llmpick fit` when a repository or folder has no
``config.json``: the architecture numbers from its metadata and the parameter count from
its tensor list, fetched in chunks as it is parsed (never the weights behind it); a
model split in parts is counted over all of them.
"""

from __future__ import annotations

import re
from typing import Any

from llmpick.catalog.hub_files import BOUNDS, CONFIG, Folder, HubRepo, Read, RepoError, whole
from llmpick.catalog.records import ArchNumbers

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


def pick_gguf(src: Folder | HubRepo) -> str:
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

    def __init__(self, src: Folder | HubRepo, name: str) -> None:
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


def _gguf_header(src: Folder | HubRepo, name: str) -> tuple[dict[str, Any], int]:
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


def from_gguf(src: Folder | HubRepo, name: str) -> Read:
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
            got[what] = whole(value, f"{name}: {key}", BOUNDS[what])
    context = got.pop("context", None)
    arch = None
    if "layers" in got:
        if "kv_lora_rank" in got:  # latent attention: the rotary part of each key
            rope = meta.get(f"{arch_name}.rope.dimension_count")
            if rope is not None:
                key = f"{name}: {arch_name}.rope.dimension_count"
                got["qk_rope_head_dim"] = whole(rope, key, BOUNDS["qk_rope_head_dim"])
        arch = ArchNumbers(**got)  # type: ignore[arg-type]
    notes = [
        f"{name} is one quantization of the model; its rows: fp16 the 16-bit original, "
        "int8 a Q8_0 file and int4 a Q4_K_M file"
    ]
    if arch is None:
        notes.append(
            f"{name} gives no {arch_name}.block_count: the KV cache is sized from the size"
        )
    return Read(
        params, arch, context, "decoder-only", files, f"the GGUF header of {name}", None, notes
    )
