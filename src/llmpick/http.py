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

from llmpick.errors import LlmpickError

USER_AGENT = "llmpick (https://github.com/llmpick/llmpick)"


class FetchError(LlmpickError):
    """A download that failed or was refused; the message says why, in words."""


def get_bytes(url: str, *, timeout: float, max_bytes: int) -> bytes:
    """The body of ``url`` (HTTP GET), or FetchError."""
    import httpx

    deadline = time.monotonic() + timeout
    chunks: list[bytes] = []
    size = 0
    try:
        with (
            httpx.Client(
                timeout=httpx.Timeout(timeout),
                follow_redirects=True,
                headers={"User-Agent": USER_AGENT, "Accept-Encoding": "gzip"},
            ) as client,
            client.stream("GET", url) as resp,
        ):
            if resp.status_code != 200:
                raise FetchError(f"{url} answered HTTP {resp.status_code} {resp.reason_phrase}")
            declared = resp.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > max_bytes:
                raise FetchError(f"{url} is {int(declared):,} bytes; the limit is {max_bytes:,}")
            for chunk in resp.iter_bytes():
                size += len(chunk)
                if size > max_bytes:
                    raise FetchError(f"{url} is larger than the limit of {max_bytes:,} bytes")
                if time.monotonic() > deadline:
                    raise FetchError(f"{url} took longer than {timeout:g} s")
                chunks.append(chunk)
    except httpx.TimeoutException:
        raise FetchError(f"{url} did not answer within {timeout:g} s") from None
    except httpx.InvalidURL as exc:
        raise FetchError(f"{url} is not a valid URL: {exc}") from None
    except httpx.UnsupportedProtocol:
        raise FetchError(f"{url}: only http:// and https:// URLs can be fetched") from None
    except httpx.HTTPError as exc:
        raise FetchError(f"{url}: {type(exc).__name__}: {exc}") from None
    return b"".join(chunks)
