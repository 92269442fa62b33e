"""One chat completion from an OpenAI-compatible endpoint, with retries and a timeout.

The only module that imports the HTTP client (httpx), and only ``eval`` imports it.
Streams with usage where the endpoint allows, falling back to a plain request
where it refuses; retries 429, 5xx, timeouts and dropped connections with
exponential backoff, honouring ``Retry-After``; every attempt is bounded by the
timeout, so a dead endpoint costs at most about timeout × attempts.
"""

from __future__ import annotations

import asyncio
import email.utils
import json
import random
import re
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx

from llmpick import clock
from llmpick.evaluation.targets import Target
from llmpick.http import ACCEPT_ENCODING, FetchError, aiter_body, read_body
from llmpick.jsonsafe import JsonProblem, loads

MAX_REPLY_BYTES = 32 * 1024 * 1024
"""The most a reply may decode to (streamed or not): a long answer streamed token by
token with usage is a few MB; an endless or inflating body is cut off here."""
MAX_ERROR_BYTES = 64 * 1024
"""What is read of an error reply: enough to quote its message."""


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    timeout: float = 60.0
    """Seconds one attempt may take, from sending to the last byte."""
    retries: int = 2
    """Attempts after the first, for 429, 5xx, timeouts and dropped connections."""
    backoff: float = 0.5
    """First wait between attempts; doubles each time (with jitter)."""
    backoff_cap: float = 8.0
    retry_after_cap: float = 30.0
    """Longest Retry-After honoured (a longer one is cut to this)."""


@dataclass(slots=True)
class Reply:
    """What came back, or why nothing did."""

    text: str | None = None
    error: str | None = None
    status: int | None = None
    attempts: int = 0
    latency_s: float | None = None
    ttft_s: float | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    streamed: bool = False
    finish_reason: str | None = None
    retry_waits: list[float] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(slots=True)
class EndpointState:
    """What we learn about a target while running: whether it streams."""

    streams: bool | None = None


class _Retryable(Exception):
    def __init__(self, message: str, status: int | None = None, wait: float | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.wait = wait


class _Final(Exception):
    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


class _StreamRefused(Exception):
    pass


def make_client(policy: RetryPolicy) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        timeout=httpx.Timeout(policy.timeout),
        limits=httpx.Limits(max_connections=None, max_keepalive_connections=64),
        follow_redirects=False,
        headers={"Accept-Encoding": ACCEPT_ENCODING},  # what http.py decodes, bounded
    )


def retry_after(value: str | None, cap: float) -> float | None:
    """Seconds from a Retry-After header (seconds or an HTTP date), at most ``cap``."""
    if not value:
        return None
    value = value.strip()
    try:
        secs = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        secs = when.timestamp() - clock.seconds()
    if secs != secs:  # NaN
        return None
    return min(max(secs, 0.0), cap)


def _error_text(status: int, raw: bytes) -> str:
    detail = ""
    try:
        data = loads(raw)
        err = data.get("error") if isinstance(data, dict) else None
        if isinstance(err, dict):
            detail = str(err.get("message") or err.get("type") or "")
        elif isinstance(err, str):
            detail = err
    except json.JSONDecodeError:
        detail = raw.decode("utf-8", "replace")
    detail = " ".join(detail.split())[:200]
    return f"HTTP {status}" + (f": {detail}" if detail else "")


def _content(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, list):  # content parts
        return "".join(p.get("text", "") for p in value if isinstance(p, dict))
    return str(value)


MAX_USAGE_TOKENS = 100_000_000
"""More tokens than any model's context window: a count past it (or below 0) is not a
count, and is taken as unknown (it gave "$-300.00" and a target that won as cheapest)."""


def _tokens(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_USAGE_TOKENS:
        return value
    return None


def _usage(reply: Reply, usage: Any) -> None:
    if isinstance(usage, dict):
        pt, ct = _tokens(usage.get("prompt_tokens")), _tokens(usage.get("completion_tokens"))
        if pt is not None:
            reply.prompt_tokens = pt
        if ct is not None:
            reply.completion_tokens = ct


def _plain(reply: Reply, raw: bytes) -> None:
    try:
        data = loads(raw)
    except json.JSONDecodeError:
        raise _Final("the reply is not valid JSON", 200) from None
    if not isinstance(data, dict):
        raise _Final("the reply is not a chat completion object", 200)
    if "error" in data and not data.get("choices"):
        raise _Final(_error_text(200, raw), 200)
    choices = data.get("choices")
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
        raise _Final("the reply has no choices", 200)
    msg = choices[0].get("message")
    if not isinstance(msg, dict):
        raise _Final("the reply's first choice has no message", 200)
    reply.text = _content(msg.get("content"))
    reply.finish_reason = choices[0].get("finish_reason")
    _usage(reply, data.get("usage"))


_LINE_END = re.compile(r"\r\n|\r|\n")


async def _lines(resp: httpx.Response) -> AsyncIterator[str]:
    """The lines of a streamed reply, decoded and bounded by ``http.aiter_body`` (httpx's
    own line reader inflates without a bound). Lines end at LF, CRLF or CR only: an
    event's JSON may hold U+2028, which ``str.splitlines`` would split on. (A CRLF cut
    between two chunks gives one extra empty line, which SSE ignores.)"""
    import codecs

    text = codecs.getincrementaldecoder("utf-8")(errors="replace")
    pending = ""
    async for chunk in aiter_body(resp, MAX_REPLY_BYTES, "the reply"):
        *lines, pending = _LINE_END.split(pending + text.decode(chunk))
        for line in lines:
            yield line
    pending += text.decode(b"", final=True)
    if pending:
        yield pending


async def _sse(reply: Reply, resp: httpx.Response, t0: float) -> None:
    parts: list[str] = []
    done = False
    async for line in _lines(resp):
        if not line.startswith("data:"):
            continue
        payload = line[5:].strip()
        if payload == "[DONE]":
            done = True
            break
        try:
            chunk = loads(payload)
        except json.JSONDecodeError as exc:
            raise _Final(f"a streamed chunk is not valid JSON: {exc.msg}", 200) from None
        if not isinstance(chunk, dict):
            raise _Final("a streamed chunk is not an object", 200)
        if "error" in chunk:
            raise _Final(_error_text(200, payload.encode()), 200)
        _usage(reply, chunk.get("usage"))
        for choice in chunk.get("choices") or []:
            if not isinstance(choice, dict) or choice.get("index", 0) != 0:
                continue
            delta = choice.get("delta") or {}
            text = _content(delta.get("content")) if isinstance(delta, dict) else ""
            if text:
                if reply.ttft_s is None:
                    reply.ttft_s = time.perf_counter() - t0
                parts.append(text)
            if choice.get("finish_reason"):
                reply.finish_reason = choice["finish_reason"]
    if not done and reply.finish_reason is None:
        raise _Retryable("the stream ended before the answer did")
    reply.text = "".join(parts)
    reply.streamed = True


async def _attempt(
    client: httpx.AsyncClient,
    target: Target,
    body: dict[str, Any],
    stream: bool,
    policy: RetryPolicy,
    may_refuse: bool = False,
) -> Reply:
    reply = Reply()
    payload = dict(body)
    if stream:
        payload["stream"] = True
        payload["stream_options"] = {"include_usage": True}
    t0 = time.perf_counter()
    try:
        async with asyncio.timeout(policy.timeout):
            async with client.stream(
                "POST", target.url, json=payload, headers=target.request_headers()
            ) as resp:
                reply.status = resp.status_code
                if resp.status_code == 429 or resp.status_code >= 500:
                    raw = await read_body(resp, MAX_ERROR_BYTES, "the reply", truncate=True)
                    raise _Retryable(
                        _error_text(resp.status_code, raw),
                        resp.status_code,
                        retry_after(resp.headers.get("retry-after"), policy.retry_after_cap),
                    )
                if resp.status_code >= 400:
                    raw = await read_body(resp, MAX_ERROR_BYTES, "the reply", truncate=True)
                    if may_refuse and resp.status_code in (400, 404, 415, 422, 501):
                        raise _StreamRefused(_error_text(resp.status_code, raw))
                    raise _Final(_error_text(resp.status_code, raw), resp.status_code)
                if resp.status_code != 200:
                    raise _Final(
                        f"HTTP {resp.status_code}: not a chat completion", resp.status_code
                    )
                if "text/event-stream" in resp.headers.get("content-type", ""):
                    await _sse(reply, resp, t0)
                else:
                    _plain(reply, await read_body(resp, MAX_REPLY_BYTES, "the reply"))
    except FetchError as exc:  # too large, stacked or unknown encoding: asking again won't help
        raise _Final(exc.message, reply.status) from None
    except TimeoutError:
        raise _Retryable(f"no complete answer within {policy.timeout:g} s") from None
    except httpx.TimeoutException:
        raise _Retryable(f"no complete answer within {policy.timeout:g} s") from None
    except httpx.TransportError as exc:
        raise _Retryable(f"connection failed: {type(exc).__name__}: {exc}".rstrip(": ")) from None
    reply.latency_s = time.perf_counter() - t0
    return reply


def secret_forms(secret: str | None) -> list[str]:
    """Every spelling of a key that a message or a reply may carry: as sent, and
    percent-encoded (a key in a URL). Longest first, so no form leaves part of another."""
    if not secret or len(secret) < 4:
        return []
    from urllib.parse import quote

    return sorted({secret, quote(secret, safe="")}, key=len, reverse=True)


def redact(value: Any, forms: list[str]) -> Any:
    """``value`` with every form of the secret replaced, in every string it holds
    (a record's answer, error, finish reason, check details ...)."""
    if not forms:
        return value
    if isinstance(value, str):
        for form in forms:
            value = value.replace(form, "[redacted]")
        return value
    if isinstance(value, dict):
        return {k: redact(v, forms) for k, v in value.items()}
    if isinstance(value, list):
        return [redact(v, forms) for v in value]
    return value


def _redact_reply(reply: Reply, forms: list[str]) -> Reply:
    reply.text = redact(reply.text, forms)
    reply.error = redact(reply.error, forms)
    reply.finish_reason = redact(reply.finish_reason, forms)
    return reply


def request_body(
    target: Target,
    messages: list[dict[str, Any]],
    *,
    max_tokens: int | None = None,
    response_format: dict[str, Any] | None = None,
    temperature: float | None = None,
) -> dict[str, Any]:
    """The request's JSON body, before streaming options (also the response cache's key)."""
    body: dict[str, Any] = {**target.params, "model": target.served_as, "messages": messages}
    if max_tokens is not None:
        body["max_tokens"] = max_tokens
    if response_format is not None:
        body["response_format"] = response_format
    if temperature is not None:
        body["temperature"] = temperature
    return body


MAX_MODEL_LIST_BYTES = 4 * 1024 * 1024


async def served_models(
    client: httpx.AsyncClient, target: Target, timeout: float
) -> list[str] | None:
    """The model names the endpoint lists at ``/models``, or None where it lists none
    (no such route, an error, not the OpenAI shape): a first look, never a verdict."""
    url = target.url.removesuffix("/chat/completions") + "/models"
    try:
        async with asyncio.timeout(timeout):
            async with client.stream("GET", url, headers=target.request_headers()) as resp:
                if resp.status_code != 200:
                    return None
                # bounded and decoded like every other body (http.read_body)
                raw = await read_body(resp, MAX_MODEL_LIST_BYTES, "the model list")
        data = loads(raw)  # the one JSON loader for outside input: huge numbers refused
    except (TimeoutError, httpx.HTTPError, FetchError, JsonProblem):
        return None
    items = data.get("data") if isinstance(data, dict) else None
    if not isinstance(items, list):
        return None
    ids = [str(m["id"]) for m in items if isinstance(m, dict) and isinstance(m.get("id"), str)]
    return ids or None


async def complete(
    client: httpx.AsyncClient,
    target: Target,
    messages: list[dict[str, Any]],
    policy: RetryPolicy,
    state: EndpointState,
    *,
    max_tokens: int | None = None,
    response_format: dict[str, Any] | None = None,
    temperature: float | None = None,
) -> Reply:
    """Ask ``target`` once (with retries); never raises for a network or endpoint failure."""
    body = request_body(
        target,
        messages,
        max_tokens=max_tokens,
        response_format=response_format,
        temperature=temperature,
    )
    attempts = 0
    waits: list[float] = []
    forms = secret_forms(target.api_key())
    last = Reply()
    while True:
        attempts += 1
        stream = target.stream and state.streams is not False
        try:
            try:
                reply = await _attempt(
                    client,
                    target,
                    body,
                    stream,
                    policy,
                    may_refuse=stream and state.streams is None,
                )
            except _StreamRefused:
                reply = await _attempt(client, target, body, False, policy)
                state.streams = False
            if stream and reply.streamed:
                state.streams = True
            reply.attempts, reply.retry_waits = attempts, waits
            return _redact_reply(reply, forms)
        except _Final as exc:
            return Reply(
                error=redact(exc.message, forms),
                status=exc.status,
                attempts=attempts,
                retry_waits=waits,
            )
        except _Retryable as exc:
            last = Reply(
                error=redact(exc.message, forms),
                status=exc.status,
                attempts=attempts,
                retry_waits=waits,
            )
            if attempts > policy.retries:
                return last
            wait = exc.wait
            if wait is None:
                wait = min(policy.backoff * 2 ** (attempts - 1), policy.backoff_cap)
                wait *= 0.5 + random.random() / 2
            waits.append(round(wait, 3))
            await asyncio.sleep(wait)
