"""The refresh layer: today's prices, limits and new API models, without touching a
curated fact.

``llmpick catalog refresh`` downloads two public tables (LiteLLM's model prices and
context windows, models.dev's ``api.json``), keeps from each only the entries that
matter (those the catalog cites as ``dataset:key``, and first-party API models of the
catalog's providers) in a normalised form, and writes them as one JSON file, the
*layer*, in the user's data directory. Every command then merges the layer into the
loaded catalog with ``apply_layer``, a pure function (catalog + layer -> catalog, with a
record of every fact it changed), run after loading and caching so that the cache of
the curated catalog stays valid.

What the merge may change, on a catalog model matched by a key it cites:
- prices (from the key the price cites; else a first-party key the model cites);
- context window and maximum output (API-only models, first-party keys only, since a
  cloud platform's limits are its own; differences under 3% are rounding, 128,000 for
  131,072, not changes);
- lifecycle: an announced shutdown makes an active API model deprecated, a past one
  retired (forwards only, never back).
A curated fact checked after the upstream data was fetched wins. Licence, flavour,
tuning and the open-weights flag are never read from upstream. Nothing is deleted: an
entry gone upstream keeps its last known facts and is reported as missing.

What it may add: API models of the catalog's providers that the catalog does not have,
each marked unreviewed (a family ``unreviewed-<provider>``, the licence
``unreviewed-api-terms``) with what upstream knows.

Pure functions except the small file helpers at the end; no network here (see
``http.py``) and nothing heavy imported, since every command reads the layer.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import json
import math
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from llmpick import clock
from llmpick.catalog.records import (
    Access,
    Catalog,
    Family,
    License,
    Pricing,
    Provider,
    Variant,
)
from llmpick.errors import LlmpickError
from llmpick.vocabulary import ID_CHARS, MODALITIES

if TYPE_CHECKING:
    from llmpick.catalog.refresh_types import (
        CatalogDiff,
        CatalogStatus,
        Changed,
        FactValue,
        PreviousLayerNotes,
        RefreshReport,
        SourceRead,
    )

FORMAT = 1
LAYER_FILE = "refresh.json"
LOCK_FILE = "refresh.lock"
MAX_LAYER_BYTES = 32 * 1024 * 1024
MAX_DOWNLOAD_BYTES = 64 * 1024 * 1024
STALE_DAYS = 90
TOLERANCE = 0.03  # limits that differ by less are the same number, rounded
SOURCES = ("litellm", "models.dev")
DEFAULT_URLS = {
    "litellm": "https://raw.githubusercontent.com/BerriAI/litellm/main/"
    "model_prices_and_context_window.json",
    "models.dev": "https://models.dev/api.json",
}
UNREVIEWED_LICENSE = "unreviewed-api-terms"

# upstream provider ids of each catalog provider's own API (clouds and resellers are
# not first-party: their limits and prices are theirs, not the maker's)
LITELLM_PROVIDERS = {
    "openai": "openai",
    "text-completion-openai": "openai",
    "anthropic": "anthropic",
    "gemini": "google",
    "mistral": "mistral",
    "cohere": "cohere",
    "cohere_chat": "cohere",
    "xai": "xai",
    "deepseek": "deepseek",
    "dashscope": "alibaba",
    "moonshot": "moonshot",
    "zai": "zhipu",
    "minimax": "minimax",
    "ai21": "ai21",
}
MODELS_DEV_PROVIDERS = {
    "openai": "openai",
    "anthropic": "anthropic",
    "google": "google",
    "mistral": "mistral",
    "cohere": "cohere",
    "xai": "xai",
    "deepseek": "deepseek",
    "alibaba": "alibaba",
    "moonshotai": "moonshot",
    "zai": "zhipu",
    "minimax": "minimax",
}
_LITELLM_KINDS = {
    "chat": "chat",
    "responses": "chat",
    "completion": "instruct",
    "embedding": "embedding",
}
_MD_FIELDS = frozenset(
    (
        "cost", "limit", "release_date", "last_updated", "modalities", "tool_call",
        "reasoning", "structured_output", "name", "status", "open_weights", "knowledge",
        "attachment", "temperature", "family", "input", "output", "context", "base_model",
    )
)  # fmt: skip
_CAPS = ("tools", "structured-output", "vision", "reasoning", "audio")
_ID_BAD = re.compile(rf"[^{ID_CHARS}]+")
# a date stamp at the end of an API id: -2025-08-07, -20250807, -0905, -05-2026
_STAMPED = re.compile(r"-(?:20\d\d-?\d\d-?\d\d|\d{4}|\d\d-20\d\d)$")


class RefreshRefused(Exception):
    """Upstream data that fails a guard; the message says which, in words."""


# --- reading upstream tables --------------------------------------------------------


MAX_PRICE = 10_000.0
"""USD per 1M tokens above which a price is not sane (the dearest list prices are in the
hundreds): 1e303 per token became Infinity in the layer and crashed every --json."""
MAX_TOKENS = 100_000_000
"""Tokens above which a context or output limit is not sane (the largest are ~10M)."""


def _num(x: Any) -> float | None:
    if isinstance(x, bool) or not isinstance(x, int | float):
        return None
    try:
        f = float(x)
    except OverflowError:
        return None
    return f if math.isfinite(f) and f >= 0 else None


def _int(x: Any) -> int | None:
    f = _num(x)
    return int(f) if f is not None and f >= 1 and f == int(f) and f <= MAX_TOKENS else None


def _price(x: Any) -> float | None:
    """A price per 1M tokens, when finite and sane."""
    f = _num(x)
    return f if f is not None and f <= MAX_PRICE else None


def _date(x: Any) -> str | None:
    if not isinstance(x, str):
        return None
    try:
        return dt.date.fromisoformat(x.strip()[:10]).isoformat()
    except ValueError:
        return None


def _per_million(per_token: Any) -> float | None:
    f = _num(per_token)
    return None if f is None else _price(round(f * 1e6, 6))


# each capability and the flag that says an entry has it (``True``, nothing else)
_LITELLM_CAPS = (
    ("tools", "supports_function_calling"),
    ("structured-output", "supports_response_schema"),
    ("vision", "supports_vision"),
    ("reasoning", "supports_reasoning"),
    ("audio", "supports_audio_input"),
)
_MODELS_DEV_CAPS = (
    ("tools", "tool_call"),
    ("structured-output", "structured_output"),
    ("reasoning", "reasoning"),
)


def _flagged(e: dict[str, Any], flags: tuple[tuple[str, str], ...]) -> list[str]:
    return [cap for cap, flag in flags if e.get(flag) is True]


def parse_litellm(data: Any, seen: str) -> dict[str, dict[str, Any]]:
    """LiteLLM's table (``{model_id: {...}}``, prices per token) as normalised entries."""
    if not isinstance(data, dict):
        raise RefreshRefused("not a LiteLLM table: expected a JSON object of model entries")
    out: dict[str, dict[str, Any]] = {}
    for key, e in data.items():
        if not isinstance(key, str) or not isinstance(e, dict) or key == "sample_spec":
            continue
        upstream = e.get("litellm_provider")
        provider = LITELLM_PROVIDERS.get(upstream) if isinstance(upstream, str) else None
        model = key.partition("/")[2] if "/" in key else key
        caps = _flagged(e, _LITELLM_CAPS)
        outs = e.get("supported_output_modalities")
        mode = e.get("mode")
        kind = _LITELLM_KINDS.get(mode) if isinstance(mode, str) else None
        if isinstance(outs, list) and any(m != "text" for m in outs):
            kind = None  # speech, images or music: not a text model
        mods = ["text"]
        mods += ["image"] if e.get("supports_vision") is True else []
        mods += ["audio"] if e.get("supports_audio_input") is True else []
        mods += ["pdf"] if e.get("supports_pdf_input") is True else []
        out[key] = _entry(
            provider=provider if provider and "/" not in model else None,
            model=model,
            name=None,
            input=_per_million(e.get("input_cost_per_token")),
            output=_per_million(e.get("output_cost_per_token")),
            context=None,  # LiteLLM gives an input cap, not the whole window
            max_input=_int(e.get("max_input_tokens")),
            max_output=_int(e.get("max_output_tokens")),
            deprecation=_date(e.get("deprecation_date")),
            deprecated=False,
            capabilities=caps,
            modalities=mods,
            kind=kind,
            released=None,
            seen=seen,
        )
    return out


def parse_models_dev(data: Any, seen: str) -> dict[str, dict[str, Any]]:
    """models.dev's ``api.json`` (``{provider: {models: {model: {...}}}}``, prices per 1M
    tokens) as entries keyed ``providers.<provider>.models.<model>``, the way the catalog
    cites them. The repository snapshot's layout (``{"providers": {...}, "labs": ...}``)
    is read too."""
    if isinstance(data, dict) and isinstance(data.get("providers"), dict) and "labs" in data:
        data = data["providers"]
    if not isinstance(data, dict):
        raise RefreshRefused("not models.dev's api.json: expected a JSON object of providers")
    out: dict[str, dict[str, Any]] = {}
    for pid, p in data.items():
        models = p.get("models") if isinstance(pid, str) and isinstance(p, dict) else None
        if not isinstance(models, dict):
            continue
        provider = MODELS_DEV_PROVIDERS.get(pid)
        for mid, e in models.items():
            if isinstance(mid, str) and isinstance(e, dict):
                out[f"providers.{pid}.models.{mid}"] = _models_dev_entry(mid, e, provider, seen)
    return out


def _models_dev_entry(
    mid: str, e: dict[str, Any], provider: str | None, seen: str
) -> dict[str, Any]:
    """One model of models.dev, normalised."""
    cost = _obj(e.get("cost"))
    limit = _obj(e.get("limit"))
    modalities = _obj(e.get("modalities"))
    mods_in, mods_out = modalities.get("input"), modalities.get("output")
    listed = mods_in if isinstance(mods_in, list) else ["text"]
    mods = [m for m in listed if m in MODALITIES] or ["text"]
    caps = _flagged(e, _MODELS_DEV_CAPS)
    caps += ["vision"] if "image" in mods else []
    caps += ["audio"] if "audio" in mods else []
    embedding = "embed" in mid.lower()
    text_model = (
        isinstance(mods_out, list)
        and mods_out == ["text"]
        and isinstance(mods_in, list)
        and "text" in mods_in
    )
    return _entry(
        provider=provider,
        model=mid,
        name=e.get("name") if isinstance(e.get("name"), str) else None,
        input=_price(cost.get("input")),
        output=_price(cost.get("output")),
        context=_int(limit.get("context")),
        max_input=_int(limit.get("input")),
        max_output=_int(limit.get("output")),
        deprecation=None,
        deprecated=e.get("status") == "deprecated",
        capabilities=caps,
        modalities=mods,
        kind="embedding" if embedding else ("chat" if text_model else None),
        released=_date(e.get("release_date")),
        seen=seen,
    )


def _obj(x: Any) -> dict[str, Any]:
    return x if isinstance(x, dict) else {}


def _entry(**kw: Any) -> dict[str, Any]:
    # drop what is not known (a price of 0 is known: 0 == False, so test identity)
    return {k: v for k, v in kw.items() if v is not None and v is not False and v != []}


PARSERS = {"litellm": parse_litellm, "models.dev": parse_models_dev}


def parse_source(name: str, raw: bytes, seen: str) -> dict[str, dict[str, Any]]:
    """Decode and parse one download; RefreshRefused when it is not what we expect."""
    from llmpick.jsonsafe import loads

    try:
        data = loads(raw)
    except json.JSONDecodeError as exc:
        raise RefreshRefused(
            f"not valid JSON: {exc.msg} at byte {exc.pos:,} (truncated or not a JSON file?)"
        ) from None
    # the layer's reader checks every entry (entry_ok); the writer keeps only what passes
    # (an id with a control character, a name of 10,000 characters), so they agree
    entries = {k: e for k, e in PARSERS[name](data, seen).items() if _text(k) and entry_ok(e)}
    if not entries:
        raise RefreshRefused("no model entries in it")
    return entries


# --- citations ----------------------------------------------------------------------


def citation_key(source: str, known: Mapping[str, Any] | None = None) -> tuple[str, str] | None:
    """(dataset, key) of a ``dataset:key`` citation of a refreshable dataset, or None.

    A models.dev citation may name a field of an entry (``...models.gpt-4.1.cost``); with
    ``known`` given, the field is dropped when the longer key is not an entry.
    """
    ds, sep, key = source.partition(":")
    if not sep or ds not in SOURCES or source.startswith(("http://", "https://")):
        return None
    if "*" in key:
        return None
    if ds == "models.dev":
        if not key.startswith("providers.") or ".models." not in key:
            return None
        if known is not None:
            k = key
            while k not in known:
                head, dot, last = k.rpartition(".")
                if not dot or last not in _MD_FIELDS or ".models." not in head:
                    return ds, key
                k = head
            return ds, k
    return ds, key


def _cited(v: Variant) -> list[str]:
    out = [v.pricing.source] if v.pricing is not None else []
    return out + [s for s in v.sources if s not in out]


def cited_keys(cat: Catalog, name: str, known: Mapping[str, Any]) -> dict[str, list[str]]:
    """Keys of dataset ``name`` the catalog cites, each with the variants citing it."""
    out: dict[str, list[str]] = {}
    for v in cat.variants.values():
        for s in _cited(v):
            ck = citation_key(s, known)
            if ck is not None and ck[0] == name:
                out.setdefault(ck[1], []).append(v.id)
    return out


# --- the layer ----------------------------------------------------------------------


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


def _text(v: Any, most: int = 300) -> bool:
    return isinstance(v, str) and 0 < len(v) <= most and v.isprintable()


def _is_date(v: Any) -> bool:
    return isinstance(v, str) and _date(v) == v


def _price_ok(v: Any) -> bool:
    return type(v) in (int, float) and 0 <= v <= MAX_PRICE  # NaN and inf fail


def _tokens_ok(v: Any) -> bool:
    return type(v) is int and 1 <= v <= MAX_TOKENS


def _date_ok(v: Any) -> bool:
    return type(v) is str and len(v) == 10 and _date(v) == v


# each field of an entry and its check, written for speed: every command reads the layer
_ENTRY_CHECKS: dict[str, Any] = {
    "provider": lambda v: type(v) is str and _PROVIDER_ID.fullmatch(v) is not None,
    "model": _text,
    "name": _text,
    "input": _price_ok,
    "output": _price_ok,
    "context": _tokens_ok,
    "max_input": _tokens_ok,
    "max_output": _tokens_ok,
    "deprecation": _date_ok,
    "released": _date_ok,
    "seen": _date_ok,
    "deprecated": lambda v: v is True,
    "capabilities": lambda v: type(v) is list and all(c in _CAPS for c in v),
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
            or not _is_date(s.get("fetched"))
            or not _text(s.get("url"), 2000)
            or _int(s.get("entries")) is None
        ):
            raise ValueError(f"source {name!r} is incomplete")
        if len(models) > MAX_LAYER_ENTRIES:
            raise ValueError(
                f"source {name!r} has {len(models):,} entries; the limit is {MAX_LAYER_ENTRIES:,}"
            )
        kept = {k: e for k, e in models.items() if _text(k) and entry_ok(e)}
        damaged += len(models) - len(kept)
        sources[name] = SourceData(
            _public(s["url"]),  # a layer written before credentials were dropped
            s["fetched"],
            int(s["entries"]),
            kept,
        )
    written = data.get("written")
    return Layer(
        written if isinstance(written, str) and _text(written, 40) else "", sources, damaged
    )


def build_layer(
    cat: Catalog,
    fetched: Mapping[str, tuple[str, dict[str, dict[str, Any]]]],
    previous: Layer | None,
    now: dt.datetime,
) -> tuple[Layer, dict[str, list[str]]]:
    """The new layer from fresh downloads (``{source: (url, entries)}``) and the previous
    layer, with the cited keys missing upstream (``{"dataset:key": [variant ids]}``).

    A source not downloaded this time keeps its previous data; an entry gone upstream
    keeps its last known facts (nothing is deleted) and is reported as missing.
    """
    sources: dict[str, SourceData] = dict(previous.sources) if previous else {}
    missing: dict[str, list[str]] = {}
    for name, (url, entries) in fetched.items():
        cited = cited_keys(cat, name, entries)
        keep = {
            k: e
            for k, e in entries.items()
            if k in cited or (e.get("provider") in cat.providers and e.get("kind"))
        }
        old = previous.sources[name].models if previous and name in previous.sources else {}
        for k, e in old.items():
            if k not in entries:
                keep[k] = e  # gone upstream: keep what we knew
        for k, vids in cited.items():
            if k not in entries:
                missing[f"{name}:{k}"] = vids
        # the date of the data, not of the run: a --from file is as old as the file
        dated = max((e["seen"] for e in entries.values()), default=now.date().isoformat())
        sources[name] = SourceData(url, dated, len(entries), keep)
    return Layer(now.isoformat(timespec="seconds"), sources), missing


def _public(where: str) -> str:
    """A source's address as stored and shown: a URL loses its credentials, a file
    path (from --from) stays as given."""
    if "://" not in where:
        return where
    from llmpick.http import public_url

    return public_url(where)


def check_shrink(name: str, entries: int, previous: Layer | None) -> None:
    """Refuse a table with fewer than half the entries of the previous fetch."""
    if previous is None or name not in previous.sources:
        return
    before = previous.sources[name].entries
    if entries * 2 < before:
        raise RefreshRefused(
            f"it has {entries:,} entries, fewer than half of the {before:,} of the "
            f"previous fetch ({previous.sources[name].fetched}); a partial download?"
        )


# --- merging the layer into a catalog ------------------------------------------------


@dataclass(slots=True)
class Change:
    """One fact the layer changed on one model."""

    field: str  # "price" | "context_window" | "max_output" | "status" | "api_status"
    old: Any
    new: Any
    source: str  # dataset:key
    date: str  # when upstream was read


@dataclass(slots=True)
class RefreshInfo:
    """What a layer did to a catalog (``Catalog.refresh``)."""

    path: str
    written: str
    sources: dict[str, tuple[str, str, int]]  # name -> (url, fetched, entries)
    fetched: dt.date
    bundled_date: dt.date | None
    changes: dict[str, list[Change]] = field(default_factory=dict)
    confirmed: int = 0  # prices upstream still agrees with (their date moved on)
    unreviewed: dict[str, list[str]] = field(default_factory=dict)  # id -> sources
    damaged: int = 0  # entries of the layer ignored for their shape

    def summary(self) -> str:
        """One short line (the note every command prints: 80 columns with its label);
        ``catalog status`` names the sources."""
        damaged = f"; {self.damaged:,} damaged entries ignored" if self.damaged else ""
        return f"prices and limits refreshed {self.fetched}{damaged}"


def _close(a: int | None, b: int) -> bool:
    return a is not None and abs(a - b) <= TOLERANCE * max(a, b)


def _lookup(layer: Layer, source: str) -> tuple[str, dict[str, Any]] | None:
    """(normalised citation, entry) for a citation of an entry in the layer, else None.
    (Every command runs this for every citation in the catalog: kept to dict lookups.)"""
    ds, _, key = source.partition(":")
    data = layer.sources.get(ds)
    if data is None:
        return None
    e = data.models.get(key)
    if e is not None:
        return source, e
    if ds == "models.dev":  # a citation of one field of an entry
        ck = citation_key(source, data.models)
        if ck is not None and ck[1] in data.models:
            return f"{ds}:{ck[1]}", data.models[ck[1]]
    return None


_VARIANT_FIELDS = tuple(Variant.__dataclass_fields__)


def _with(v: Variant, updates: Mapping[str, Any]) -> Variant:
    """A copy of ``v`` with some fields replaced (dataclasses.replace, without its cost)."""
    new = object.__new__(Variant)
    for name in _VARIANT_FIELDS:
        object.__setattr__(new, name, updates[name] if name in updates else getattr(v, name))
    return new


def _merge_variant(
    v: Variant,
    found: list[tuple[str, dict[str, Any]]],
    price_hit: tuple[str, dict[str, Any]] | None,
    today: dt.date,
) -> tuple[Variant, list[Change], bool]:
    """``v`` with the facts of the layer entries it cites (``found``; ``price_hit`` is
    the one its price cites), the changes, and whether upstream confirmed its price."""
    if not found:
        return v, [], False
    # the maker's own API: the entry's provider and model id are the variant's
    own = [
        (src, e)
        for src, e in found
        if e.get("provider") == v.provider and v.access.api and e.get("model") == v.access.api
    ]
    own.sort(key=lambda x: not x[0].startswith("models.dev:"))  # its context is the window
    updates: dict[str, Any] = {}
    changes: list[Change] = []
    # the key the curated price cites, then the maker's API
    priced = [price_hit, *own] if price_hit is not None else own
    confirmed = _merge_price(v, priced, updates, changes)
    # limits and lifecycle: only from what was read after the model was checked
    fresh = [(src, e) for src, e in own if dt.date.fromisoformat(e["seen"]) >= v.verified]
    if not v.open_weights:  # an open model's window is the weights' fact, not an API's
        _merge_limits(v, fresh, updates, changes)
    _merge_lifecycle(v, fresh, today, updates, changes)
    return (_with(v, updates) if updates else v), changes, confirmed


def _merge_price(
    v: Variant,
    priced: list[tuple[str, dict[str, Any]]],
    updates: dict[str, Any],
    changes: list[Change],
) -> bool:
    """The first priced entry's price, unless the curated price was checked after
    upstream was read; True when upstream only confirms the curated price (its date and
    source move on)."""
    for src, e in priced:
        if "input" not in e or "output" not in e:
            continue
        seen = dt.date.fromisoformat(e["seen"])
        p = v.pricing
        if p is not None and p.as_of > seen:
            return False  # the curated price was checked after upstream was read
        new = (e["input"], e["output"])
        if p is not None and abs(p.input - new[0]) < 1e-9 and abs(p.output - new[1]) < 1e-9:
            if src == p.source or citation_key(p.source) is None:
                updates["pricing"] = dataclasses.replace(p, as_of=seen, source=src)
                return True
            return False
        updates["pricing"] = Pricing(new[0], new[1], seen, src)
        changes.append(
            Change("price", [p.input, p.output] if p else None, list(new), src, e["seen"])
        )
        return False
    return False


_LIMITS = (("context_window", "context"), ("max_output", "max_output"))  # field, entry key


def _merge_limits(
    v: Variant,
    fresh: list[tuple[str, dict[str, Any]]],
    updates: dict[str, Any],
    changes: list[Change],
) -> None:
    """Context window and maximum output from the first entry that gives each;
    differences within TOLERANCE are rounding, not changes."""
    for name, key in _LIMITS:
        if name == "max_output" and v.flavour == "embedding":
            continue  # an embedding's "output" upstream is its vector size
        cur = getattr(v, name)
        for src, e in fresh:
            value = e.get(key)
            if value is None and name == "context_window" and cur is None:
                value = e.get("max_input")  # an input cap: a safe lower bound
            if value is None:
                continue
            if not _close(cur, value):
                updates[name] = value
                changes.append(Change(name, cur, value, src, e["seen"]))
            break


# how far along its lifecycle a model is: a refresh moves it forwards only
_API_ORDER = {None: 0, "active": 0, "deprecated": 1, "retired": 2}
_STATUS_ORDER = {"active": 0, "legacy": 0, "deprecated": 1, "retired": 2}


def _merge_lifecycle(
    v: Variant,
    fresh: list[tuple[str, dict[str, Any]]],
    today: dt.date,
    updates: dict[str, Any],
    changes: list[Change],
) -> None:
    """The first announced shutdown: deprecated, or retired once its date has passed.
    For open weights it is the maker's API that goes (``api_status``): the weights stay."""
    name, order = ("api_status", _API_ORDER) if v.open_weights else ("status", _STATUS_ORDER)
    for src, e in fresh:
        when = e.get("deprecation")
        if when is None and not e.get("deprecated"):
            continue
        past = when is not None and dt.date.fromisoformat(when) <= today
        target = "retired" if past else "deprecated"
        cur = getattr(v, name)
        if order[cur] < order[target]:
            updates[name] = target
            changes.append(Change(name, cur, target, src, when or e["seen"]))
        break


def apply_layer(
    cat: Catalog, layer: Layer, *, path: str = "", on: dt.date | None = None
) -> Catalog:
    """The catalog with the layer's facts merged in and its unreviewed models added.

    Pure: ``cat`` is not modified. The result's ``refresh`` records every change.
    """
    on = on or clock.today()
    info = RefreshInfo(
        path=path,
        written=layer.written,
        sources={n: (s.url, s.fetched, s.entries) for n, s in sorted(layer.sources.items())},
        fetched=layer.fetched,
        bundled_date=cat.newest_verified,
        damaged=layer.damaged,
    )
    variants = dict(cat.variants)
    known_api, cited = _merge_cited(cat, layer, on, variants, info)
    added = _unreviewed(cat, layer, known_api, cited, on)
    families = dict(cat.families)
    licenses = dict(cat.licenses)
    if added:
        licenses.setdefault(UNREVIEWED_LICENSE, _UNREVIEWED_TERMS)
    for v in added:
        if v.id in variants:
            continue
        variants[v.id] = v
        info.unreviewed[v.id] = list(v.sources)
        fam = families.get(v.family)
        if fam is None:
            fam = families[v.family] = _unreviewed_family(v, cat.providers[v.provider], layer)
        elif v.family in cat.families:  # the curated family's list stays as it was
            fam = families[v.family] = replace(fam, variants=list(fam.variants))
        fam.variants.append(v.id)
    out = Catalog(
        version=cat.version,
        providers=cat.providers,
        licenses=licenses,
        families=families,
        variants=variants,
        datasets=cat.datasets,
    )
    out.refresh = info
    out.provenance = cat.provenance
    return out


def _merge_cited(
    cat: Catalog, layer: Layer, on: dt.date, variants: dict[str, Variant], info: RefreshInfo
) -> tuple[set[tuple[str, str]], set[str]]:
    """Merge into ``variants`` the layer's entries each catalog model cites, recording
    the changes in ``info``; the (provider, API id) pairs of the catalog, and the
    citations found in the layer."""
    known_api: set[tuple[str, str]] = set()
    cited: set[str] = set()
    for vid, v in cat.variants.items():
        if v.access.api:
            known_api.add((v.provider, v.access.api))
        found = []
        for s in _cited(v):
            hit = _lookup(layer, s)
            if hit is not None:
                cited.add(hit[0])
                found.append(hit)
        price_hit = None
        if found and v.pricing is not None and _lookup(layer, v.pricing.source) is not None:
            price_hit = found[0]  # _cited lists the price's source first
        new, changes, confirmed = _merge_variant(v, found, price_hit, on)
        if new is not v:
            variants[vid] = new
        if changes:
            info.changes[vid] = changes
        info.confirmed += confirmed
    return known_api, cited


def _unreviewed_family(v: Variant, prov: Provider, layer: Layer) -> Family:
    """The family that holds a provider's unreviewed models."""
    return Family(
        id=v.family,
        name=f"{prov.name} API models not yet reviewed",
        provider=v.provider,
        released=None,
        architecture="undisclosed",
        moe=False,
        modalities=["text"],
        languages=[],
        domain="general",
        status="active",
        successor=None,
        description=(
            f"Models {prov.name} serves through its API that llmpick's catalog does "
            "not cover yet, added by 'llmpick catalog refresh' with what the public "
            "tables say; their licence, flavour and tuning have not been reviewed."
        ),
        guide=[],
        aliases=[],
        sources=[layer.sources[n].url for n in sorted(layer.sources)],
        variants=[],
        file="refresh layer",
    )


_UNREVIEWED_TERMS = License(
    id=UNREVIEWED_LICENSE,
    name="The provider's API terms (not reviewed by llmpick)",
    commercial_use="conditional",
    condition="an unreviewed model added by 'llmpick catalog refresh': read the provider's "
    "terms of service before relying on it commercially",
    proprietary=True,
)


def _first_word(model: str) -> str:
    return re.split(r"[-._/: ]", model.lower(), maxsplit=1)[0]


def _model_id(model: str) -> str:
    return _ID_BAD.sub("-", model.lower()).strip("-._") or "model"


def _unreviewed(
    cat: Catalog,
    layer: Layer,
    known_api: set[tuple[str, str]],
    cited: set[str],
    today: dt.date,
) -> list[Variant]:
    """The layer's API models of the catalog's providers that the catalog does not have
    under any name, each as an unreviewed variant with a free id."""
    from llmpick.catalog.query import norm as _norm

    out = []
    known = set(cat.variants) | {_model_id(m) for _, m in known_api}
    taken = set(cat.variants) | set(cat.families)
    curated = _curated_names(cat)
    makers = _makers(cat)
    for (provider, model), entries in sorted(_uncited(cat, layer, known_api, cited, today).items()):
        if provider not in makers.get(_first_word(model), {provider}):
            continue  # another maker's model served by this provider
        undated = _STAMPED.sub("", model)
        vid = _model_id(model)
        if vid in known or _model_id(undated) in known:
            continue  # a catalog model under another name, or a dated alias of one
        if _norm(model) in curated or _norm(undated) in curated:
            continue  # a curated name in another spelling: the curated entry is the model
        if not any("input" in e and "output" in e for _, e in entries):
            continue  # no price: not something upstream sells as a model
        if vid in taken:
            vid = _model_id(f"{provider}-{model}")
            if vid in taken:
                continue
        taken.add(vid)
        out.append(_unreviewed_variant(vid, provider, model, entries, today))
    return out


def _uncited(
    cat: Catalog,
    layer: Layer,
    known_api: set[tuple[str, str]],
    cited: set[str],
    today: dt.date,
) -> dict[tuple[str, str], list[tuple[str, dict[str, Any]]]]:
    """The layer's text models of the catalog's providers that no catalog model cites or
    serves under their API id, and not shut down: (provider, model) -> its entries."""
    groups: dict[tuple[str, str], list[tuple[str, dict[str, Any]]]] = {}
    for name in ("models.dev", "litellm"):  # models.dev first: its context is the window
        if name not in layer.sources:
            continue
        for key, e in sorted(layer.sources[name].models.items()):
            provider, model, kind = e.get("provider"), e.get("model"), e.get("kind")
            if not (isinstance(provider, str) and isinstance(model, str) and kind):
                continue
            if provider not in cat.providers or f"{name}:{key}" in cited:
                continue
            if (provider, model) in known_api or model.startswith("ft:"):
                continue
            when = _date(e.get("deprecation"))
            if when is not None and dt.date.fromisoformat(when) <= today:
                continue  # already shut down: nothing to recommend
            groups.setdefault((provider, model), []).append((f"{name}:{key}", e))
    return groups


def _curated_names(cat: Catalog) -> set[str]:
    """Every spelling of a curated name, normalised: a variant's id and name, a family's
    id, name and aliases ('claude-sonnet-4.5' is claude-sonnet-4-5; 'gpt-oss' is the
    family)."""
    from llmpick.catalog.query import norm as _norm

    curated = {_norm(v.id) for v in cat.variants.values()}
    curated |= {_norm(v.name) for v in cat.variants.values()}
    for f in cat.families.values():
        curated |= {_norm(f.id), _norm(f.name), *(_norm(a) for a in f.aliases)}
    return curated


def _makers(cat: Catalog) -> dict[str, set[str]]:
    """Who makes each line, by the first word of its family ids: a provider's API that
    resells another maker's model ('deepseek-...' on Mistral's) is not its maker."""
    makers: dict[str, set[str]] = {}
    for f in cat.families.values():
        makers.setdefault(_first_word(f.id), set()).add(f.provider)
    return makers


def _first(entries: list[tuple[str, dict[str, Any]]], key: str) -> Any:
    return next((e[key] for _, e in entries if key in e), None)


def _unreviewed_variant(
    vid: str, provider: str, model: str, entries: list[tuple[str, dict[str, Any]]], today: dt.date
) -> Variant:
    """An unreviewed API model, with the first value each entry gives (models.dev's
    first) and nothing upstream does not know."""
    srcs = [s for s, _ in entries]
    seen = max(dt.date.fromisoformat(e["seen"]) for _, e in entries)
    has_caps = {c for _, e in entries for c in e.get("capabilities", ())}
    has_mods = {m for _, e in entries for m in e.get("modalities", ())}
    caps: list[Any] = [c for c in _CAPS if c in has_caps]
    mods: list[Any] = [m for m in MODALITIES if m in has_mods]
    when = _first(entries, "deprecation")
    deprecated = when is not None or any(e.get("deprecated") for _, e in entries)
    released = _first(entries, "released")
    flavour = _first(entries, "kind")
    return Variant(
        id=vid,
        family=f"unreviewed-{provider}",
        provider=provider,
        name=_first(entries, "name") or model,
        flavour=flavour if flavour in ("chat", "instruct", "embedding") else "chat",
        tuning=["undisclosed"],
        architecture="undisclosed",
        moe=False,
        params_b=None,
        active_params_b=None,
        context_window=_first(entries, "context") or _first(entries, "max_input"),
        max_output=_first(entries, "max_output"),
        open_weights=False,
        license=UNREVIEWED_LICENSE,
        status="deprecated" if deprecated else "active",
        successor=None,
        base_model=None,
        domain="general",
        modalities=mods or ["text"],
        languages=[],
        capabilities=caps,
        access=Access(api=model),
        arch=None,
        pricing=_first_price(entries),
        evidence=[],
        released=dt.date.fromisoformat(released) if released else None,
        sources=srcs,
        verified=min(seen, today),
        notes=_unreviewed_note(srcs, seen, when),
        api_status="deprecated" if deprecated else None,
    )


def _first_price(entries: list[tuple[str, dict[str, Any]]]) -> Pricing | None:
    for src, e in entries:
        if "input" in e and "output" in e:
            return Pricing(e["input"], e["output"], dt.date.fromisoformat(e["seen"]), src)
    return None


def _unreviewed_note(srcs: list[str], seen: dt.date, shutdown: str | None) -> str:
    return (
        "unreviewed: added by 'llmpick catalog refresh' from "
        + ", ".join(sorted({s.partition(":")[0] for s in srcs}))
        + f" on {seen}; its facts are upstream's, not checked by llmpick"
        + (f"; shutdown announced for {shutdown}" if shutdown else "")
    )


# --- what a refresh changes -----------------------------------------------------------

_TRACKED = ("pricing", "context_window", "max_output", "status", "api_status")


def _value(v: Variant, name: str) -> FactValue:
    if name == "pricing":
        return [v.pricing.input, v.pricing.output] if v.pricing else None
    value: FactValue = getattr(v, name)  # one of _TRACKED: a token count or a status
    return value


def diff(before: Catalog, after: Catalog) -> CatalogDiff:
    """What moving from ``before`` to ``after`` changes: models added (unreviewed) and
    facts changed, old -> new, each with the source of the new value."""
    added = [vid for vid in after.variants if vid not in before.variants]
    changed: list[Changed] = []
    info = after.refresh
    for vid, v in after.variants.items():
        old = before.variants.get(vid)
        if old is None or old is v:
            continue
        for name in _TRACKED:
            a, b = _value(old, name), _value(v, name)
            if a != b:
                src = ""
                if info is not None:
                    src = next(
                        (
                            c.source
                            for c in info.changes.get(vid, [])
                            if c.field == ("price" if name == "pricing" else name)
                        ),
                        "",
                    )
                    if not src and name == "pricing" and v.pricing is not None:
                        src = v.pricing.source
                changed.append(
                    {
                        "id": vid,
                        "field": "price" if name == "pricing" else name,
                        "old": a,
                        "new": b,
                        "source": src,
                        "unreviewed": info is not None and vid in info.unreviewed,
                    }
                )
    return {
        "added": [
            {
                "id": vid,
                "provider": after.variants[vid].provider,
                "name": after.variants[vid].name,
                "sources": list(after.variants[vid].sources),
            }
            for vid in sorted(added)
        ],
        "changed": changed,
    }


def age_warning(cat: Catalog, on: dt.date | None = None) -> str | None:
    """A warning when the newest data (catalog check or refresh) is older than 90 days."""
    on = on or clock.today()
    dates: list[dt.date] = [d for d in (cat.newest_verified,) if d is not None]
    info = cat.refresh
    if info is not None:
        dates.append(info.fetched)
        if info.bundled_date is not None:
            dates.append(info.bundled_date)
    if not dates:
        return None
    newest = max(dates)
    age = (on - newest).days
    if age <= STALE_DAYS:
        return None
    return (
        f"the catalog's newest data is from {newest}, {age} days ago: prices, limits and "
        "new models may have changed; run 'llmpick catalog refresh'"
    )


# --- files -------------------------------------------------------------------------


def data_dir() -> Path:
    explicit = os.environ.get("LLMPICK_DATA_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "llmpick"


def layer_path() -> Path:
    return data_dir() / LAYER_FILE


def read_layer(path: Path | None = None) -> tuple[Layer | None, str | None]:
    """(the layer, None), (None, None) when there is none, or (None, why it is unusable).

    Trusted like the catalog cache: only from a directory of ours that no one else can
    write to, a regular file of ours (not a link), at most MAX_LAYER_BYTES, of the
    right shape (an entry of the wrong shape is dropped and counted)."""
    from llmpick.files import read_bounded, unsafe_dir

    path = path or layer_path()
    why = unsafe_dir(path.parent, create=False)
    if why == "it does not exist":
        return None, None
    if why is not None:
        return None, f"not using the refresh layer in {path.parent}: {why}"
    try:
        raw = read_bounded(path, MAX_LAYER_BYTES, private=True)
    except FileNotFoundError:
        return None, None
    except OSError as exc:
        return None, f"cannot read {path}: {exc.strerror or exc}"
    try:
        return layer_from_json(raw), None
    except ValueError as exc:
        return None, f"{path} is damaged ({exc})"


def _private_dir(path: Path) -> None:
    """Make the layer's directory (0700, whatever the umask) or refuse one that is not
    ours alone."""
    from llmpick.files import unsafe_dir

    why = unsafe_dir(path.parent, create=True)
    if why is not None:
        from llmpick.errors import WriteError

        raise WriteError(
            f"cannot keep the refresh layer in {path.parent}: {why}; nothing was changed",
            hint="set LLMPICK_DATA_DIR to a directory only you can write to",
        )


def write_layer(layer: Layer, path: Path | None = None) -> Path:
    """Replace the layer atomically (readers see the old file or the new, never a mix),
    private (0600 in a 0700 directory), and never larger than its reader accepts."""
    from llmpick.files import write_atomic

    path = path or layer_path()
    _private_dir(path)
    for name, s in layer.sources.items():
        if len(s.models) > MAX_LAYER_ENTRIES:
            raise RefreshFailed(
                f"{name}: {len(s.models):,} entries to keep; the layer holds at most "
                f"{MAX_LAYER_ENTRIES:,} a source; nothing was changed"
            )
    data = (layer_to_json(layer) + "\n").encode()
    if len(data) > MAX_LAYER_BYTES:
        raise RefreshFailed(
            f"the new layer would be {len(data):,} bytes; the limit is {MAX_LAYER_BYTES:,} "
            "(its reader would refuse it); nothing was changed"
        )
    write_atomic(path, data, mode=0o600)
    return path


@contextlib.contextmanager
def _one_writer(path: Path) -> Iterator[None]:
    """One refresh writes at a time: an exclusive lock on a file beside the layer, held
    from reading the previous layer to writing the new one, so that two refreshes at
    once each keep the other's source instead of dropping it."""
    _private_dir(path)
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX
        yield
        return
    flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path.with_name(LOCK_FILE), flags, 0o600)
    except OSError as exc:
        from llmpick.errors import WriteError

        raise WriteError(
            f"cannot lock the refresh layer in {path.parent}: {exc.strerror or exc}; "
            "nothing was changed"
        ) from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def unreviewed_counts(cat: Catalog) -> dict[str, int]:
    info = cat.refresh
    counts: dict[str, int] = {}
    for vid in info.unreviewed if info is not None else ():
        p = cat.variants[vid].provider
        counts[p] = counts.get(p, 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


# --- the two commands -----------------------------------------------------------------


class RefreshFailed(LlmpickError):
    """A refresh refused or failed; nothing was written (exit 1)."""


def _kept(previous: Layer | None, bundled: dt.date | None) -> str:
    if previous is not None:
        names = ", ".join(sorted(previous.sources))
        return f"the refresh layer of {previous.fetched} ({names}) stays in force"
    return f"no layer was written; the curated catalog (checked up to {bundled}) stays in force"


def _file_date(file: str, on: dt.date) -> dt.date:
    """When a --from file's data dates from: its modification day (not the day it was
    read: a table saved in July is July's), never later than ``on``."""
    try:
        stamp = os.stat(file).st_mtime
        return min(dt.datetime.fromtimestamp(stamp, dt.UTC).date(), on)
    except (OSError, OverflowError, ValueError):
        return on


def _download(name: str, url: str | None, file: str | None, timeout: float) -> tuple[str, bytes]:
    """(where it came from, the bytes); RefreshRefused when it cannot be had."""
    if file is not None:
        from llmpick.files import read_bounded

        try:
            return file, read_bounded(file, MAX_DOWNLOAD_BYTES)
        except OSError as exc:
            raise RefreshRefused(f"cannot read {file}: {exc.strerror or exc}") from None
    from llmpick.http import FetchError, get_bytes, public_url

    where = url or DEFAULT_URLS[name]
    try:
        # the layer and the report keep the address without its credentials
        return public_url(where), get_bytes(where, timeout=timeout, max_bytes=MAX_DOWNLOAD_BYTES)
    except FetchError as exc:
        raise RefreshRefused(exc.message) from None


def _refused_hint(name: str, file: str | None, read: bool) -> str:
    """The next step for a refused source: it depends on whether a local file could not
    be read, a file or a download was not the dataset expected, or a download failed."""
    if file is not None and not read:
        return f"check the FILE in --from {name}=FILE, or leave --from out to download it"
    if file is not None:
        return f"--from {name}=FILE takes a saved copy of {DEFAULT_URLS[name]}"
    if read:
        return f"give a copy you trust with --from {name}=FILE (--no-refresh ignores any layer)"
    return f"try again later, or give a local copy with --from {name}=FILE"


def run_refresh(
    curated: Catalog,
    names: Iterable[str],
    *,
    urls: Mapping[str, str],
    files: Mapping[str, str],
    dry_run: bool,
    timeout: float,
    path: Path | None = None,
    now: dt.datetime | None = None,
) -> RefreshReport:
    """Download, check, diff and (unless ``dry_run``) write the layer; the report as data.

    Any source that fails a guard refuses the whole refresh: nothing is written and the
    previous layer stays in force (RefreshFailed says so).
    """
    import time

    path = path or layer_path()
    now = now or clock.now()
    previous, _ = read_layer(path)  # for the shrink check while downloading
    seen = now.date().isoformat()
    fetched: dict[str, tuple[str, dict[str, dict[str, Any]]]] = {}
    sources: dict[str, SourceRead] = {}

    def refused(
        name: str, exc: RefreshRefused, previous: Layer | None, read: bool = True
    ) -> RefreshFailed:
        return RefreshFailed(
            f"{name}: refused: {exc}; nothing was changed: "
            + _kept(previous, curated.newest_verified),
            hint=_refused_hint(name, files.get(name), read),
        )

    for name in names:
        start = time.perf_counter()
        read = False
        try:
            where, raw = _download(name, urls.get(name), files.get(name), timeout)
            read = True
            dated = seen if name not in files else _file_date(files[name], now.date()).isoformat()
            entries = parse_source(name, raw, dated)
            check_shrink(name, len(entries), previous)
        except RefreshRefused as exc:
            raise refused(name, exc, previous, read) from None
        fetched[name] = (where, entries)
        sources[name] = {
            "from": where,
            "entries": len(entries),
            "bytes": len(raw),
            "seconds": round(time.perf_counter() - start, 3),
        }
    lock = contextlib.nullcontext() if dry_run else _one_writer(path)
    with lock:
        # read again under the lock: another refresh may have written meanwhile
        previous, problem = read_layer(path)
        for name, (_, entries) in fetched.items():
            try:
                check_shrink(name, len(entries), previous)
            except RefreshRefused as exc:
                raise refused(name, exc, previous) from None
        layer, missing = build_layer(curated, fetched, previous, now)
        before = apply_layer(curated, previous, path=str(path)) if previous else curated
        after = apply_layer(curated, layer, path=str(path))
        changes = diff(before, after)
        if not dry_run:
            write_layer(layer, path)
    report: RefreshReport = {
        "sources": sources,
        **changes,
        "missing": [{"key": k, "cited_by": v} for k, v in sorted(missing.items())],
        "dry_run": dry_run,
        "layer": str(path),
        "previous": previous.fetched.isoformat() if previous else None,
        **_previous_notes(previous, problem),
        "written": not dry_run,  # write_layer raised if it could not write
    }
    return report


def _previous_notes(previous: Layer | None, problem: str | None) -> PreviousLayerNotes:
    notes: PreviousLayerNotes = {}
    if problem is not None:
        notes["previous_problem"] = problem
    if previous is not None and previous.damaged:
        notes["previous_damaged"] = previous.damaged  # dropped from the new layer
    return notes


def status(curated: Catalog, *, ignored: bool, path: Path | None = None) -> CatalogStatus:
    """``catalog status`` as data: the curated catalog's date, the layer, unreviewed
    models, and the age warning."""
    path = path or layer_path()
    layer, problem = read_layer(path)
    cat = apply_layer(curated, layer, path=str(path)) if layer else curated
    info = cat.refresh
    on = clock.today()
    newest = max(d for d in (curated.newest_verified, info.fetched if info else None) if d)
    doc: CatalogStatus = {
        "catalog": {
            "verified": curated.newest_verified.isoformat() if curated.newest_verified else None,
            "models": len(curated.variants),
            "version": curated.version[:16],
        },
        "layer": None,
        "layer_path": str(path),
        "layer_problem": problem
        or (
            f"{layer.damaged:,} damaged entries ignored in {path}"
            if layer and layer.damaged
            else None
        ),
        "in_force": layer is not None and not ignored,
        "unreviewed": {"total": 0, "by_provider": {}},
        "age_days": (on - newest).days,
        "warning": age_warning(cat, on),
    }
    if info is not None:
        fields: dict[str, int] = {}
        for changes in info.changes.values():
            for ch in changes:
                fields[ch.field] = fields.get(ch.field, 0) + 1
        doc["layer"] = {
            "fetched": info.fetched.isoformat(),
            "written": info.written,
            "sources": {
                n: {"url": u, "fetched": f, "entries": e} for n, (u, f, e) in info.sources.items()
            },
            "changed_models": len(info.changes),
            "changed_facts": fields,
            "confirmed_prices": info.confirmed,
        }
        counts = unreviewed_counts(cat)
        doc["unreviewed"] = {"total": sum(counts.values()), "by_provider": counts}
    return doc
