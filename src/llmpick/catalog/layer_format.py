"""What a refresh layer holds, and its JSON: for each public table (``SOURCES``), the
entries kept from it in a normalised form (``Layer``), each entry checked on reading.

The layer is a file anyone with the user's rights may edit, and every command reads
it: an entry of the wrong shape is dropped and counted (``entry_ok``), never trusted, and
the checks are written for speed. The parsers (``upstream.py``) keep only entries that
pass the same checks, so the two agree.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from dataclasses import dataclass
from typing import Any

from llmpick import clock, vocabulary
from llmpick.vocabulary import ID_CHARS, MODALITIES

FORMAT = 1
SOURCES = ("litellm", "models.dev")
# the capabilities an entry may name: the public tables say nothing of fill-in-the-middle
CAPABILITIES = tuple(c for c in vocabulary.CAPABILITIES if c != "fill-in-the-middle")
MAX_PRICE = 10_000.0
"""USD per 1M tokens above which a price is not sane (the dearest list prices are in the
hundreds): 1e303 per token became Infinity in the layer and crashed every --json."""


MAX_TOKENS = 100_000_000
"""Tokens above which a context or output limit is not sane (the largest are ~10M)."""


def as_number(x: Any) -> float | None:
    if isinstance(x, bool) or not isinstance(x, int | float):
        return None
    try:
        f = float(x)
    except OverflowError:
        return None
    return f if math.isfinite(f) and f >= 0 else None


def as_count(x: Any) -> int | None:
    f = as_number(x)
    return int(f) if f is not None and f >= 1 and f == int(f) and f <= MAX_TOKENS else None


def as_date(x: Any) -> str | None:
    day = clock.parse_day(x)
    return day.isoformat() if day else None


@dataclass(slots=True)
class SourceData:
    url: str
    fetched: str
    entries: int
    models: dict[str, dict[str, Any]]


@dataclass(slots=True)
class Layer:
    written: str
    sources: dict[str, SourceData]
    damaged: int = 0  # entries of the wrong shape, dropped when read

    @property
    def fetched(self) -> dt.date:
        return max(dt.date.fromisoformat(s.fetched) for s in self.sources.values())


def layer_to_json(layer: Layer) -> str:
    return json.dumps(
        {
            "format": FORMAT,
            "written": layer.written,
            "sources": {
                n: {"url": s.url, "fetched": s.fetched, "entries": s.entries, "models": s.models}
                for n, s in sorted(layer.sources.items())
            },
        },
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    )


MAX_LAYER_ENTRIES = 20_000
"""Entries one source may keep in the layer (reader and writer alike): the kept part of
today's tables is a few thousand; 150,000 made every command take seconds."""


_KINDS = ("chat", "instruct", "embedding")
_PROVIDER_ID = re.compile(rf"[{ID_CHARS}]{{1,64}}")


def is_text(v: Any, most: int = 300) -> bool:
    return isinstance(v, str) and 0 < len(v) <= most and v.isprintable()


def _price_ok(v: Any) -> bool:
    return type(v) in (int, float) and 0 <= v <= MAX_PRICE  # NaN and inf fail


def _tokens_ok(v: Any) -> bool:
    return type(v) is int and 1 <= v <= MAX_TOKENS


_DATES_OK: set[str] = set()  # dates found valid: a layer repeats a few hundred of them


def _date_ok(v: Any) -> bool:
    if type(v) is not str:
        return False
    if v in _DATES_OK:
        return True
    if len(v) == 10 and as_date(v) == v:
        _DATES_OK.add(v)
        return True
    return False


# each field of an entry and its check, written for speed: every command reads the layer
_ENTRY_CHECKS: dict[str, Any] = {
    "provider": lambda v: type(v) is str and _PROVIDER_ID.fullmatch(v) is not None,
    "model": is_text,
    "name": is_text,
    "input": _price_ok,
    "output": _price_ok,
    "context": _tokens_ok,
    "max_input": _tokens_ok,
    "max_output": _tokens_ok,
    "deprecation": _date_ok,
    "released": _date_ok,
    "seen": _date_ok,
    "deprecated": lambda v: v is True,
    "capabilities": lambda v: type(v) is list and all(c in CAPABILITIES for c in v),
    "modalities": lambda v: type(v) is list and all(m in MODALITIES for m in v),
    "kind": lambda v: v in _KINDS,
}


def entry_ok(e: Any) -> bool:
    """Whether ``e`` has the shape ``_entry`` gives: known fields only, each of its type
    and in range, and the date it was seen. The layer is a file anyone with the user's
    rights may edit: an entry that fails is ignored, never trusted."""
    if type(e) is not dict or "seen" not in e:
        return False
    checks = _ENTRY_CHECKS
    for k, v in e.items():
        check = checks.get(k)
        if check is None or not check(v):
            return False
    return True


def layer_from_json(raw: bytes) -> Layer:
    """Parse a layer file; ValueError when it is damaged or of another format as a whole.
    Entries of the wrong shape are dropped and counted (``Layer.damaged``)."""
    from llmpick.jsonsafe import loads

    try:
        data = loads(raw)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not valid JSON: {exc.msg}") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValueError(f"not a format-{FORMAT} refresh layer")
    sources = {}
    damaged = 0
    raw_sources = data.get("sources")
    if not isinstance(raw_sources, dict) or not raw_sources:
        raise ValueError("names no sources")
    for name, s in raw_sources.items():
        if name not in SOURCES or not isinstance(s, dict):
            raise ValueError(f"unknown source {str(name)[:40]!r}")
        models = s.get("models")
        if (
            not isinstance(models, dict)
            or not _date_ok(s.get("fetched"))
            or not is_text(s.get("url"), 2000)
            or as_count(s.get("entries")) is None
        ):
            raise ValueError(f"source {name!r} is incomplete")
        if len(models) > MAX_LAYER_ENTRIES:
            raise ValueError(
                f"source {name!r} has {len(models):,} entries; the limit is {MAX_LAYER_ENTRIES:,}"
            )
        kept = {k: e for k, e in models.items() if is_text(k) and entry_ok(e)}
        damaged += len(models) - len(kept)
        sources[name] = SourceData(
            _public(s["url"]),  # a layer written before credentials were dropped
            s["fetched"],
            int(s["entries"]),
            kept,
        )
    written = data.get("written")
    return Layer(
        written if isinstance(written, str) and is_text(written, 40) else "", sources, damaged
    )


def _public(where: str) -> str:
    """A source's address as stored and shown: a URL loses its credentials, a file
    path (from --from) stays as given."""
    if "://" not in where:
        return where
    from llmpick.http import public_url

    return public_url(where)
