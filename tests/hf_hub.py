"""A real HTTP server on 127.0.0.1 that serves model repositories the way the Hugging
Face Hub does (``/ORG/NAME/resolve/main/FILE``, Range requests answered with 206, 401
for a repository it does not have, 404 for a missing file), and files to build them."""

from __future__ import annotations

import contextlib
import json
import re
import struct
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from tests.loopback import serve, stop


def safetensors(tensors: dict[str, list[int]], data: int = 0) -> bytes:
    """A safetensors file whose header lists ``tensors`` (BF16), with ``data`` bytes of
    weights after it (fewer than the shapes say: only the header is ever read)."""
    header = {"__metadata__": {"format": "pt"}}
    header.update(
        {
            name: {"dtype": "BF16", "shape": shape, "data_offsets": [0, 0]}
            for name, shape in tensors.items()
        }
    )
    raw = json.dumps(header).encode()
    return struct.pack("<Q", len(raw)) + raw + b"\0" * data


def gguf(
    meta: dict[str, Any], tensors: dict[str, list[int]], vocabulary: int = 0, data: int = 0
) -> bytes:
    """A GGUF (version 3) file: ``meta`` (int -> uint32, str -> string, list of ints ->
    array), a vocabulary of ``vocabulary`` made-up tokens (an array of strings, as real
    files carry), ``tensors`` (name -> dimensions) and ``data`` bytes of weights after."""

    def text(s: str) -> bytes:
        raw = s.encode()
        return struct.pack("<Q", len(raw)) + raw

    def value(v: Any) -> bytes:
        if isinstance(v, str):
            return struct.pack("<I", 8) + text(v)
        if isinstance(v, list):
            return struct.pack("<IIQ", 9, 4, len(v)) + b"".join(struct.pack("<I", x) for x in v)
        return struct.pack("<I", 4) + struct.pack("<I", v)

    entries = dict(meta)
    out = [b"GGUF", struct.pack("<IQQ", 3, len(tensors), len(entries) + (1 if vocabulary else 0))]
    out += [text(k) + value(v) for k, v in entries.items()]
    if vocabulary:
        words = b"".join(text(f"token{i}") for i in range(vocabulary))
        out.append(text("tokenizer.ggml.tokens") + struct.pack("<IIQ", 9, 8, vocabulary) + words)
    for name, dims in tensors.items():
        out.append(
            text(name) + struct.pack("<I", len(dims)) + b"".join(struct.pack("<Q", d) for d in dims)
        )
        out.append(struct.pack("<IQ", 12, 0))  # Q4_K, offset
    return b"".join(out) + b"\0" * data


def write_repo(folder: Path, files: dict[str, Any]) -> Path:
    """``files``: name -> bytes, or anything else written as JSON."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        data = content if isinstance(content, bytes) else json.dumps(content).encode()
        (folder / name).write_bytes(data)
    return folder


class Hub:
    def __init__(self) -> None:
        self.repos: dict[str, dict[str, bytes]] = {}
        self.requests: list[tuple[str, str | None]] = []  # (path, Range header)
        self.sent = 0  # body bytes sent
        self.server: ThreadingHTTPServer | None = None
        self.base = ""

    def add(self, repo: str, files: dict[str, Any]) -> None:
        self.repos[repo] = {
            n: c if isinstance(c, bytes) else json.dumps(c).encode() for n, c in files.items()
        }

    def start(self) -> Hub:
        self.server, self.base = serve(_handler(self))
        return self

    def stop(self) -> None:
        stop(self.server)


def _handler(hub: Hub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:
            pass

        def reply(self, status: int, body: bytes, extra: dict[str, str] | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Connection", "close")
            for k, v in (extra or {}).items():
                self.send_header(k, v)
            self.end_headers()
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(body)
            hub.sent += len(body)
            self.close_connection = True

        def do_GET(self) -> None:
            wanted = self.headers.get("Range")
            hub.requests.append((self.path, wanted))
            api = re.fullmatch(r"/api/models/([^/]+/[^/]+)", self.path)
            if api is not None and api.group(1) in hub.repos:
                names = [{"rfilename": n} for n in hub.repos[api.group(1)]]
                self.reply(200, json.dumps({"siblings": names}).encode())
                return
            m = re.fullmatch(r"/([^/]+/[^/]+)/resolve/main/(.+)", self.path)
            if m is None or m.group(1) not in hub.repos:
                self.reply(401, b'{"error":"Repository not found"}')
                return
            body = hub.repos[m.group(1)].get(m.group(2))
            if body is None:
                self.reply(404, b'{"error":"Entry not found"}')
                return
            r = re.fullmatch(r"bytes=(\d+)-(\d+)", wanted or "")
            if r is None:
                self.reply(200, body)
                return
            start, end = int(r.group(1)), min(int(r.group(2)), len(body) - 1)
            self.reply(
                206, body[start : end + 1], {"Content-Range": f"bytes {start}-{end}/{len(body)}"}
            )

    return Handler
