"""The public tables ``llmpick catalog refresh`` reads (LiteLLM's model prices and
context windows, models.dev's ``api.json``): where they are, reading one (a download
through ``http.py``, or a saved copy), and parsing each into the layer's normalised
entries (``layer_format.py``), keeping only what passes the layer's checks.
"""

from __future__ import annotations

import json
from typing import Any

from llmpick.catalog.layer_format import (
    MAX_PRICE,
    as_count,
    as_date,
    as_number,
    entry_ok,
    is_text,
)
from llmpick.vocabulary import MODALITIES

MAX_DOWNLOAD_BYTES = 64 * 1024 * 1024
DEFAULT_URLS = {
    "litellm": "https://raw.githubusercontent.com/BerriAI/litellm/main/"
    "model_prices_and_context_window.json",
    "models.dev": "https://models.dev/api.json",
}


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


class RefreshRefused(Exception):
    """Upstream data that fails a guard; the message says which, in words."""


def _price(x: Any) -> float | None:
    """A price per 1M tokens, when finite and sane."""
    f = as_number(x)
    return f if f is not None and f <= MAX_PRICE else None


def _per_million(per_token: Any) -> float | None:
    f = as_number(per_token)
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
            max_input=as_count(e.get("max_input_tokens")),
            max_output=as_count(e.get("max_output_tokens")),
            deprecation=as_date(e.get("deprecation_date")),
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
        context=as_count(limit.get("context")),
        max_input=as_count(limit.get("input")),
        max_output=as_count(limit.get("output")),
        deprecation=None,
        deprecated=e.get("status") == "deprecated",
        capabilities=caps,
        modalities=mods,
        kind="embedding" if embedding else ("chat" if text_model else None),
        released=as_date(e.get("release_date")),
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
    entries = {k: e for k, e in PARSERS[name](data, seen).items() if is_text(k) and entry_ok(e)}
    if not entries:
        raise RefreshRefused("no model entries in it")
    return entries


def download(name: str, url: str | None, file: str | None, timeout: float) -> tuple[str, bytes]:
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
