"""The response cache: an answer already given to the very same request is not asked
for again (and not paid for again).

A request's key is a hash of the endpoint, the model name and the whole request body
(messages and every parameter). Only deterministic requests are cached (temperature
0), and only complete answers (text and a finish reason). The cache lives beside the
catalog cache, in a directory private to the user (mode 0700, refused when another
user owns it or can write to it): answers may hold private data.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

CACHE_VERSION = "1"
MAX_ENTRY_BYTES = 4 * 1024 * 1024
_FIELDS = ("text", "finish_reason", "prompt_tokens", "completion_tokens", "latency_s", "ttft_s")


def response_dir() -> Path | None:
    """Where answers are kept, or None when caching is off (LLMPICK_NO_CACHE)."""
    from llmpick.catalog.cache import cache_dir

    base = cache_dir()
    return None if base is None else base / "responses"


def cacheable(body: dict[str, Any]) -> bool:
    """Only a request whose answer should not vary: temperature 0."""
    t = body.get("temperature")
    return isinstance(t, (int, float)) and not isinstance(t, bool) and t == 0


def request_key(url: str, body: dict[str, Any]) -> str:
    """The same endpoint, model, messages and parameters give the same key."""
    text = json.dumps(
        {"v": CACHE_VERSION, "url": url, "body": body},
        sort_keys=True,
        ensure_ascii=False,
        allow_nan=False,
        default=str,
    )
    return hashlib.sha256(text.encode()).hexdigest()


class ResponseCache:
    """Answers by request key, one small JSON file each."""

    def __init__(self, directory: Path | None) -> None:
        from llmpick.catalog.cache import private_dir

        # the cache root (shared with the catalog cache) and our part of it
        ok = directory is not None and private_dir(directory.parent) and private_dir(directory)
        self.directory = directory if ok else None
        self.hits = 0

    @property
    def enabled(self) -> bool:
        return self.directory is not None

    def _path(self, key: str) -> Path:
        assert self.directory is not None
        return self.directory / key[:2] / f"{key}.json"

    def get(self, key: str) -> dict[str, Any] | None:
        if self.directory is None:
            return None
        from llmpick.files import read_bounded

        try:
            data = json.loads(read_bounded(self._path(key), MAX_ENTRY_BYTES, private=True))
        except (OSError, ValueError, RecursionError):
            return None  # missing, foreign or damaged: ask again
        if not isinstance(data, dict) or data.get("key") != key:
            return None
        reply = data.get("reply")
        if not isinstance(reply, dict) or not isinstance(reply.get("text"), str):
            return None
        self.hits += 1
        return {k: reply.get(k) for k in _FIELDS}

    def put(self, key: str, reply: dict[str, Any]) -> None:
        if self.directory is None:
            return
        from llmpick.catalog.cache import private_dir
        from llmpick.errors import WriteError
        from llmpick.files import write_atomic

        path = self._path(key)
        if not private_dir(path.parent):
            return
        entry = {"key": key, "reply": {k: reply.get(k) for k in _FIELDS}}
        with contextlib.suppress(WriteError, ValueError):  # a cache only saves time
            write_atomic(path, json.dumps(entry, ensure_ascii=False, allow_nan=False))


def clear(directory: Path | None = None) -> int:
    """Delete every cached answer; how many there were."""
    d = directory if directory is not None else response_dir()
    if d is None or not d.is_dir():
        return 0
    n = sum(1 for _ in d.glob("*/*.json"))
    shutil.rmtree(d, ignore_errors=True)
    return n
