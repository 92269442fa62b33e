"""A real HTTP server on 127.0.0.1 serving the refresh fixture tables (LiteLLM's price
table and models.dev's api.json), editable per test, with scripted failures."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from llmpick.catalog import upstream as U
from tests.loopback import serve, stop

FIX = Path(__file__).resolve().parent / "fixtures" / "refresh"


def tables() -> dict[str, Any]:
    return {
        "litellm": json.loads((FIX / "litellm.json").read_text()),
        "models.dev": json.loads((FIX / "models-dev.json").read_text()),
    }


class Upstream:
    """What the server serves: the two tables (editable) and scripted failures."""

    def __init__(self) -> None:
        self.data = tables()
        self.auth: list[str | None] = []  # the Authorization header of each request
        # "together-*" requests are answered only once both have arrived
        self.together = threading.Barrier(2)
        self.base = ""
        self.server: ThreadingHTTPServer | None = None

    def start(self) -> Upstream:
        self.server, self.base = serve(_handler(self))
        return self

    def stop(self) -> None:
        stop(self.server)

    def url(self, path: str) -> str:
        return f"{self.base}/{path}"

    def args(self, litellm: str = "litellm.json", models_dev: str = "api.json") -> list[str]:
        return [
            *("--url", f"litellm={self.url(litellm)}"),
            *("--url", f"models.dev={self.url(models_dev)}"),
        ]


def _handler(up: Upstream) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:
            pass

        def send_body(self, body: bytes, status: int = 200, length: bool = True) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            if length:
                self.send_header("Content-Length", str(len(body)))
            self.send_header("Connection", "close")
            self.end_headers()
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(body)
            self.close_connection = True

        def do_GET(self) -> None:
            data = up.data["litellm"]  # bytes: served as they are (hostile tables)
            litellm = data if isinstance(data, bytes) else json.dumps(data).encode()
            path = self.path.split("?", 1)[0].lstrip("/")  # a query (a token) is ignored
            up.auth.append(self.headers.get("Authorization"))
            if path == "litellm.json":
                self.send_body(litellm)
            elif path == "api.json":
                self.send_body(json.dumps(up.data["models.dev"]).encode())
            elif path.startswith("together-"):  # together-litellm.json, together-api.json
                # answered when both have been asked, so the two downloads end at once
                try:
                    up.together.wait(timeout=30)
                except threading.BrokenBarrierError:
                    self.send_body(b'{"error": "the other request never came"}', status=503)
                    return
                name = "litellm" if path == "together-litellm.json" else "models.dev"
                self.send_body(litellm if name == "litellm" else json.dumps(up.data[name]).encode())
            elif path == "truncated":
                self.send_body(litellm[: len(litellm) // 2])
            elif path == "garbage":
                self.send_body(b"<html><body>Too many requests</body></html>")
            elif path == "layout":
                self.send_body(b"[1, 2, 3]")
            elif path == "shrunk":
                self.send_body(json.dumps(dict(list(up.data["litellm"].items())[:4])).encode())
            elif path == "huge":
                self.send_body(litellm + b" " * (U.MAX_DOWNLOAD_BYTES + 1))
            elif path == "huge-chunked":
                self.send_body(litellm + b" " * (U.MAX_DOWNLOAD_BYTES + 1), length=False)
            elif path == "slow":
                time.sleep(3)
                self.send_body(litellm)
            elif path == "drip":
                self.send_response(200)
                self.send_header("Content-Length", str(len(litellm)))
                self.end_headers()
                try:
                    for i in range(0, len(litellm), 64):
                        self.wfile.write(litellm[i : i + 64])
                        self.wfile.flush()
                        time.sleep(0.1)
                except (BrokenPipeError, ConnectionResetError):
                    pass
                self.close_connection = True
            else:
                self.send_body(b'{"error": "not found"}', status=404)

    return Handler
