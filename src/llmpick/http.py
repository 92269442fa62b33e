"""Bounded HTTP downloads: the one small helper for commands that touch the network.

Only ``catalog refresh`` (and ``eval``) reach the network, through httpx, which is
imported here on first use so that no other command pays for it or can use it by
accident. A download is bounded three ways: a status other than 200 is refused, the
body may not exceed ``max_bytes`` (checked while streaming, whatever Content-Length
claims), and the whole transfer must finish within ``timeout`` seconds (a server that
drips one byte a second is cut off, not waited for).
"""

from __future__ import annotations

import time
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from llmpick.errors import LlmpickError

USER_AGENT = "llmpick (https://github.com/llmpick/llmpick)"


class FetchError(LlmpickError):
    """A download that failed or was refused; the message says why, in words.
    ``status``: the HTTP status the server answered, when it answered one."""

    status: int | None = None


def public_url(url: str) -> str:
    """``url`` as it may be shown or stored: without ``user:password@``, with every query
    value hidden (``?token=...`` is how many hosts take a key) and without a fragment.
    A download may use credentials; no report, message or file of ours repeats them."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        if ":" in host:  # IPv6 literal
            host = f"[{host}]"
        netloc = host if parts.port is None else f"{host}:{parts.port}"
    except ValueError:
        return "(an address that is not a valid URL)"
    query = urlencode([(k, "hidden") for k, _ in parse_qsl(parts.query, keep_blank_values=True)])
    return urlunsplit((parts.scheme, netloc, parts.path, query, ""))


def _scrub(text: str, url: str) -> str:
    """``text`` (an HTTP library's message) without the credentials ``url`` carries."""
    try:
        parts = urlsplit(url)
        pieces = [parts.password, parts.username, *(v for _, v in parse_qsl(parts.query))]
    except ValueError:
        return text.replace(url, "(the address given)")
    text = text.replace(url, public_url(url))
    for piece in sorted((p for p in pieces if p and len(p) >= 3), key=len, reverse=True):
        text = text.replace(piece, "hidden")
    return text


def get_bytes(
    url: str, *, timeout: float, max_bytes: int, headers: dict[str, str] | None = None
) -> bytes:
    """The body of ``url`` (HTTP GET), or FetchError; messages name ``public_url(url)``.
    ``headers`` are sent too; with a ``Range`` among them, 206 (part of the body) is
    accepted as well as 200."""
    import httpx

    shown = public_url(url)

    deadline = time.monotonic() + timeout
    chunks: list[bytes] = []
    size = 0
    try:
        with (
            httpx.Client(
                timeout=httpx.Timeout(timeout),
                follow_redirects=True,
                headers={"User-Agent": USER_AGENT, "Accept-Encoding": "gzip", **(headers or {})},
            ) as client,
            client.stream("GET", url) as resp,
        ):
            partial = resp.status_code == 206 and "Range" in (headers or {})
            if resp.status_code != 200 and not partial:
                answer = f"HTTP {resp.status_code} {resp.reason_phrase}"
                refused = FetchError(f"{shown} answered {answer}")
                refused.status = resp.status_code
                raise refused
            declared = resp.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > max_bytes:
                raise FetchError(f"{shown} is {int(declared):,} bytes; the limit is {max_bytes:,}")
            for chunk in resp.iter_bytes():
                size += len(chunk)
                if size > max_bytes:
                    raise FetchError(f"{shown} is larger than the limit of {max_bytes:,} bytes")
                if time.monotonic() > deadline:
                    raise FetchError(f"{shown} took longer than {timeout:g} s")
                chunks.append(chunk)
    except httpx.TimeoutException:
        raise FetchError(f"{shown} did not answer within {timeout:g} s") from None
    except httpx.InvalidURL as exc:
        raise FetchError(f"{shown} is not a valid URL: {_scrub(str(exc), url)}") from None
    except httpx.UnsupportedProtocol:
        raise FetchError(f"{shown}: only http:// and https:// URLs can be fetched") from None
    except httpx.HTTPError as exc:
        raise FetchError(f"{shown}: {type(exc).__name__}: {_scrub(str(exc), url)}") from None
    return b"".join(chunks)
