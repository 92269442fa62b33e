"""A hostile HTTP server on 127.0.0.1: endless bodies, compression bombs, stacked
encodings, headers dripped a byte at a time. The first part of the request path names
the behaviour, so one server serves both ``catalog refresh`` (GET) and ``eval`` (POST to
``<base>/<behaviour>/v1/chat/completions``).

Behaviours:

- ``endless``: 200, JSON content type, no length, spaces until the client hangs up;
- ``endless-sse``: 200, an event stream of deltas that never ends (each of a thousand
  words: one-word deltas held the same test for 4 s parsing 480,000 events);
- ``big``: 200 with a declared length of ``BIG`` bytes of JSON-ish text;
- ``gzip-bomb``: ``Content-Encoding: gzip``, ``BOMB`` zero bytes in about 1/1000 of that;
- ``gzip2``: ``Content-Encoding: gzip, gzip``, a bomb compressed twice (a few KB);
- ``br``: an encoding llmpick does not read;
- ``drip-headers``: the status line, then one header byte every 0.1 s, for ever;
- ``gzip-ok``: a valid gzip-encoded chat completion (and LiteLLM table) that fits;
- ``bigint``: a chat completion whose usage holds a 5,000-digit integer;
- ``negative``: a chat completion with -300,000,000 prompt tokens;
- ``nan``: a chat completion with ``NaN`` for its completion tokens;
- ``evil-error``: a 400 whose message carries terminal escapes, bidi and HTML.

The server stops writing after ``CAP`` bytes whatever happens, so a client that does
not cut it off fails its test instead of filling the machine.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import socket
import struct
import threading
import time
import zlib
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.loopback import POLL_S

BIG = 48 * 1024 * 1024
BOMB = 512 * 1024 * 1024
CAP = 256 * 1024 * 1024

# what a terminal or a Markdown viewer would act on: OSC 52 (clipboard), OSC 8 (a link),
# a screen clear, C1 CSI, a bidi override, HTML and table structure
EVIL = (
    "\x1b]52;c;cHduZWQ=\x07 \x1b]8;;https://evil.example\x1b\\link\x1b]8;;\x1b\\ "
    "\x1b[2J \x9b31m \u202egnp.exe <img src=x onerror=alert(1)> | cell |"
)

COMPLETION = {
    "choices": [
        {"index": 0, "message": {"role": "assistant", "content": "ok"}, "finish_reason": "stop"}
    ],
    "usage": {"prompt_tokens": 1, "completion_tokens": 1},
}


@cache
def bomb(size: int = BOMB) -> bytes:
    """``size`` zero bytes (a whole number of MiB, at least 2), gzip-compressed (about
    500 KB for ``BOMB``).

    Compressing 512 MiB took about 2 s in every test process; instead one block of
    zeros is compressed and ended with a full flush (which empties the compressor's
    history), so the next block compresses to the same bytes, which are repeated: a
    valid gzip stream (tests/cli/test_hostile_servers.py checks a small one whole)."""
    block = bytes(1024 * 1024)
    count = size // len(block)
    assert count >= 2 and count * len(block) == size
    z = zlib.compressobj(9, zlib.DEFLATED, -15)  # raw deflate: the gzip frame is added here
    first = z.compress(block) + z.flush(zlib.Z_FULL_FLUSH)
    again = z.compress(block) + z.flush(zlib.Z_FULL_FLUSH)
    last = z.compress(block) + z.flush()
    crc = 0
    for _ in range(count):
        crc = zlib.crc32(block, crc)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"  # gzip, no name, no time
    trailer = struct.pack("<II", crc, size % 2**32)
    return header + first + again * (count - 2) + last + trailer


@cache
def double_bomb() -> bytes:
    return gzip.compress(bomb(), 9)


class Hostile(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.thread = threading.Thread(target=self.serve_forever, args=(POLL_S,), daemon=True)
        self.sent: dict[str, int] = {}

    def start(self) -> Hostile:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()

    def url(self, behaviour: str) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/{behaviour}"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: Hostile

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        n = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(n)
        self._serve()

    def _head(self, headers: dict[str, str]) -> None:
        self.send_response(200)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True

    def _write_until_cap(self, piece: bytes) -> None:
        sent = 0
        while sent < CAP:
            self.wfile.write(piece)
            sent += len(piece)
        self.server.sent[self.path] = sent

    def _serve(self) -> None:
        behaviour = self.path.strip("/").split("/")[0]
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            if behaviour == "endless":
                self._head({"Content-Type": "application/json"})
                self._write_until_cap(b" " * 65536)
            elif behaviour == "endless-sse":
                self._head({"Content-Type": "text/event-stream"})
                event = {"choices": [{"index": 0, "delta": {"content": "la " * 1000}}]}  # 3 KB
                self._write_until_cap((b"data: " + json.dumps(event).encode() + b"\n\n") * 500)
            elif behaviour == "big":
                self._head({"Content-Type": "application/json", "Content-Length": str(BIG)})
                self._write_until_cap(b" " * 65536)
            elif behaviour in ("gzip-bomb", "gzip2", "br"):
                body = double_bomb() if behaviour == "gzip2" else bomb()
                coding = {"gzip-bomb": "gzip", "gzip2": "gzip, gzip", "br": "br"}[behaviour]
                self._head(
                    {
                        "Content-Type": "application/json",
                        "Content-Encoding": coding,
                        "Content-Length": str(len(body)),
                    }
                )
                self.wfile.write(body)
            elif behaviour == "gzip-ok":
                body = gzip.compress(json.dumps(COMPLETION).encode())
                self._head(
                    {
                        "Content-Type": "application/json",
                        "Content-Encoding": "gzip",
                        "Content-Length": str(len(body)),
                    }
                )
                self.wfile.write(body)
            elif behaviour in ("bigint", "negative", "nan"):
                usage = {
                    "bigint": '{"prompt_tokens": %s, "completion_tokens": 1}' % ("9" * 5000),
                    "negative": '{"prompt_tokens": -300000000, "completion_tokens": 1}',
                    "nan": '{"prompt_tokens": 1, "completion_tokens": NaN}',
                }[behaviour]
                body = (
                    json.dumps(COMPLETION).replace(json.dumps(COMPLETION["usage"]), usage).encode()
                )
                self._head({"Content-Type": "application/json", "Content-Length": str(len(body))})
                self.wfile.write(body)
            elif behaviour == "evil-error":
                body = json.dumps({"error": {"message": EVIL}}).encode()
                self.send_response(400)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            elif behaviour == "drip-headers":
                self.wfile.write(b"HTTP/1.1 200 OK\r\nX-Slow: ")
                self.wfile.flush()
                for _ in range(6000):  # ten minutes at most
                    self.wfile.write(b"a")
                    self.wfile.flush()
                    time.sleep(0.1)
                self.close_connection = True
            else:
                self.send_error(404)
