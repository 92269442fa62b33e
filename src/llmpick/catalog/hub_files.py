"""Where the files of a model outside the catalog come from, and the checks on what is
read from them (``hub.py`` reads them into a record).

A local folder (``Folder``), or a Hugging Face repository (``HubRepo``), reached only
here through ``llmpick.http`` (bounded, httpx imported on first use) at ``HF_ENDPOINT``
(as the Hugging Face tools name it; default https://huggingface.co), with ``HF_TOKEN``
for gated repositories. Weight files are read in parts (HTTP Range requests), never
whole. Answers are kept for a week in the private cache directory (``cache.py``'s,
checked the same way), and read again through the same checks as a fresh download.

What is read is somebody else's data: JSON is refused when it is not UTF-8 or nests too
deeply, and each number must be a whole number within ``BOUNDS``; a refusal
(``RepoError``) names the file and the field.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from llmpick import clock
from llmpick.catalog.records import ArchNumbers
from llmpick.errors import UsageError

HUB = "https://huggingface.co"
ENDPOINT_ENV = "HF_ENDPOINT"
TOKEN_ENV = "HF_TOKEN"
CONFIG = "config.json"
INDEX = "model.safetensors.index.json"
SINGLE = "model.safetensors"
WEIGHT_FILES = (".safetensors", ".gguf")  # read in parts (Range requests), never whole
MAX_CONFIG = 1 << 20  # a config.json is a few kB
MAX_INDEX = 32 << 20  # the largest indexes (hundreds of shards) are ~10 MB
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


class RepoError(UsageError):
    """A file of the repository or folder that cannot be used; names the file and field."""


def endpoint() -> str:
    return (os.environ.get(ENDPOINT_ENV) or HUB).rstrip("/")


class Folder:
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


class HubRepo:
    def __init__(self, repo: str) -> None:
        self.repo = repo
        self.base = endpoint()
        self.label = f"{self.base}/{repo}"

    def files(self) -> list[str]:
        """The repository's files, from the Hub's model API (``siblings``)."""
        raw = self.read("", MAX_INDEX, api=True)
        if raw is None:
            raise RepoError(f"{self.label}: has no {CONFIG}, and the Hub lists no files for it")
        listing = read_json(raw, f"{self.label} (file list)")
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


# --- what is read, checked ---------------------------------------------------------------


def read_json(data: bytes, file: str) -> Any:
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


def shown(value: Any) -> str:
    from llmpick.safetext import one_line

    plain = isinstance(value, str | int | float | bool)
    text = json.dumps(value) if plain else type(value).__name__
    return one_line(text if len(text) <= 40 else text[:37] + "...")


def whole(value: Any, where: str, top: int, low: int = 1) -> int:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= top:
        raise RepoError(
            f"{where}: expected a whole number from {low} to {top:,}, got {shown(value)}"
        )
    return value


@dataclass
class Read:
    """What the files say, before it becomes a record."""

    params: int
    arch: ArchNumbers | None
    context: int | None
    architecture: str
    files: list[str]
    counted: str  # where the parameter count comes from, in words
    weights_format: str | None = None
    notes: list[str] = field(default_factory=list)
