"""Bounded HTTP downloads: the one small helper for commands that touch the network.

Only ``catalog refresh`` (and ``eval``) reach the network, through httpx, which is
imported here on first use so that no other command pays for it or can use it by
accident. A download is bounded three ways: a status other than 200 is refused, the
body may not decode to more than ``max_bytes`` (checked while it is inflated, whatever
Content-Length claims; stacked encodings are refused), and the whole request, headers
included, must finish within ``timeout`` seconds (a server that drips one byte a second
is cut off, not waited for).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any
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


# The encodings a body may come in: the ones decoded here, a step at a time, so that the
# decoded size is bounded while it grows (an HTTP library's own decoder inflates a whole
# chunk first: 5 KB of "gzip, gzip" is 3 GiB before any check can run).
ACCEPT_ENCODING = "gzip, deflate"
_CODINGS = {"gzip": 16 + 15, "x-gzip": 16 + 15, "deflate": 15}


class BodyTooLarge(FetchError):
    """A body that decodes to more than its limit."""


class BoundedBody:
    """Decodes a response body from its raw bytes (as sent, before any decoding) and
    refuses it as soon as the decoded size passes ``limit``.

    One content coding at most (``gzip`` or ``deflate``): a stacked encoding
    (``gzip, gzip``) has no use but to multiply a small body, and is refused, as is a
    coding this module does not read. Each step inflates at most what the limit still
    allows (zlib's ``max_length``), so memory stays bounded whatever the ratio."""

    def __init__(self, content_encoding: str, limit: int, what: str) -> None:
        codings = [c.strip().lower() for c in content_encoding.split(",")]
        codings = [c for c in codings if c and c != "identity"]
        self.limit, self.what, self.size, self.raw_size = limit, what, 0, 0
        if len(codings) > 1:
            raise FetchError(
                f"{what} is encoded {len(codings)} times over ({', '.join(codings)}); refused"
            )
        if codings and codings[0] not in _CODINGS:
            raise FetchError(f"{what} uses an encoding llmpick does not read ({codings[0]!r})")
        self.coding = codings[0] if codings else None
        self._z: Any = None
        if self.coding is not None:
            import zlib

            self._zlib = zlib
            self._z = zlib.decompressobj(_CODINGS[self.coding])
            self._first = True

    def _count(self, out: bytes) -> bytes:
        self.size += len(out)
        if self.size > self.limit:
            raise BodyTooLarge(f"{self.what} is larger than the limit of {self.limit:,} bytes")
        return out

    def feed(self, raw: bytes) -> bytes:
        """The decoded bytes of the next raw chunk; BodyTooLarge past the limit."""
        self.raw_size += len(raw)
        if self.raw_size > self.limit:
            raise BodyTooLarge(f"{self.what} is larger than the limit of {self.limit:,} bytes")
        if self._z is None:
            return self._count(raw)
        zlib = self._zlib
        out: list[bytes] = []
        data = raw
        while data:
            try:
                piece = self._z.decompress(data, self.limit - self.size + 1)
            except zlib.error as exc:
                if self._first and self.coding == "deflate":
                    # some servers send raw deflate without the zlib header
                    self._z, self._first = zlib.decompressobj(-15), False
                    continue
                raise FetchError(f"{self.what} is not valid {self.coding} data ({exc})") from None
            self._first = False
            out.append(self._count(piece))
            if self._z.eof:
                # another gzip member may follow; anything else after the end is dropped
                data = self._z.unused_data
                if data and self.coding in ("gzip", "x-gzip"):
                    self._z = zlib.decompressobj(_CODINGS["gzip"])
                    continue
                break
            data = self._z.unconsumed_tail
        return b"".join(out)

    def finish(self) -> bytes:
        if self._z is None:
            return b""
        return self._count(self._z.flush(self.limit - self.size + 1))


async def aiter_body(resp: Any, limit: int, what: str) -> AsyncIterator[bytes]:
    """The decoded body of an httpx streaming response, chunk by chunk, bounded by
    ``limit`` decoded bytes (BodyTooLarge past it; FetchError for an encoding refused).
    The one way llmpick reads a body: ``eval`` and ``catalog refresh`` alike."""
    declared = resp.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge(f"{what} is {int(declared):,} bytes; the limit is {limit:,}")
    body = BoundedBody(resp.headers.get("Content-Encoding", ""), limit, what)
    async for raw in resp.aiter_raw():
        out = body.feed(raw)
        if out:
            yield out
    tail = body.finish()
    if tail:
        yield tail


async def read_body(resp: Any, limit: int, what: str, *, truncate: bool = False) -> bytes:
    """The whole decoded body, at most ``limit`` bytes: BodyTooLarge past it, or with
    ``truncate`` its first ``limit`` bytes (enough of an error page to quote)."""
    chunks: list[bytes] = []
    size = 0
    try:
        async for chunk in aiter_body(resp, limit, what):
            chunks.append(chunk)
            size += len(chunk)
    except BodyTooLarge:
        if not truncate:
            raise
    return b"".join(chunks)[:limit]


def get_bytes(
    url: str, *, timeout: float, max_bytes: int, headers: dict[str, str] | None = None
) -> bytes:
    """The body of ``url`` (HTTP GET), or FetchError; messages name ``public_url(url)``.
    ``headers`` are sent too; with a ``Range`` among them, 206 (part of the body) is
    accepted as well as 200.

    ``timeout`` is a deadline for the whole request, from connecting to the last byte
    (a server that drips its headers a byte at a time is cut off when it passes)."""
    import asyncio

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(_get(url, timeout, max_bytes, headers or {}))
    # called from async code (the MCP server's handlers): a loop of its own, in a thread
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(
            lambda: asyncio.run(_get(url, timeout, max_bytes, headers or {}))
        ).result()


async def _get(url: str, timeout: float, max_bytes: int, headers: dict[str, str]) -> bytes:
    import asyncio

    import httpx

    shown = public_url(url)
    try:
        async with asyncio.timeout(timeout):
            async with (
                httpx.AsyncClient(
                    # the deadline around the whole request is what bounds it; the
                    # library's own (per read) timeout is only a backstop
                    timeout=httpx.Timeout(timeout * 2),
                    follow_redirects=True,
                    headers={
                        "User-Agent": USER_AGENT,
                        "Accept-Encoding": ACCEPT_ENCODING,
                        **headers,
                    },
                ) as client,
                client.stream("GET", url) as resp,
            ):
                partial = resp.status_code == 206 and "Range" in headers
                if resp.status_code != 200 and not partial:
                    answer = f"HTTP {resp.status_code} {resp.reason_phrase}"
                    refused = FetchError(f"{shown} answered {answer}")
                    refused.status = resp.status_code
                    raise refused
                return await read_body(resp, max_bytes, shown)
    except TimeoutError:
        raise FetchError(f"{shown} took longer than {timeout:g} s") from None
    except httpx.TimeoutException:
        raise FetchError(f"{shown} did not answer within {timeout:g} s") from None
    except httpx.InvalidURL as exc:
        raise FetchError(f"{shown} is not a valid URL: {_scrub(str(exc), url)}") from None
    except httpx.UnsupportedProtocol:
        raise FetchError(f"{shown}: only http:// and https:// URLs can be fetched") from None
    except httpx.HTTPError as exc:
        raise FetchError(f"{shown}: {type(exc).__name__}: {_scrub(str(exc), url)}") from None
