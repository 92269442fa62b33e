"""A real OpenAI-compatible HTTP server on 127.0.0.1 for the eval tests, scripted by
the model name a request asks for (no mocks of the client).

Models (the ``model`` field of the request; a suffix after ``@`` is free):

- ``right``: answers the text between ``<<`` and ``>>`` in the last user message;
- ``wrong``: answers "I do not know";
- ``garbage``: 200 with a body that is not JSON;
- ``e500``: always 500 (with ``Retry-After: 0``);
- ``r429``: 429 with ``Retry-After: 0`` the first time a prompt is asked, then right;
- ``hang``: waits ``HANG`` seconds before answering (for timeouts);
- ``close``: closes the connection without a reply;
- ``stream``: like ``right``, streamed as server-sent events with usage;
- ``nostream``: like ``right``, but refuses stream requests with 400;
- ``slow``: like ``right`` after ``SLOW`` seconds (concurrency, Ctrl-C);
- ``nousage``: like ``right`` without a usage block;
- ``judge``: a grader: passes the answer when it contains the word "Paris".
- ``echokey``: a hostile server: repeats the credential header it got in the answer and
  in ``finish_reason``;
- ``echokeyerr``: the same, in the message of a 400 error.
- ``cut``: like llama.cpp's server when a new request interrupts a stream: a 200 stream
  that ends with [DONE] and no text and no finish reason;
- ``long``: answers "a b c" with finish_reason "length" (cut at the token limit);
- ``missing``: 404 "model not found" (and ``GET /v1/models`` does not list it; it lists
  every other model above).

Usage: prompt tokens = words in all messages; completion tokens = words in the answer.
"""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.loopback import POLL_S

HANG = 10.0
SLOW = 0.3
LISTED = [
    "right", "wrong", "garbage", "e500", "r429", "hang", "close", "stream", "nostream",
    "slow", "nousage", "judge", "echokey", "echokeyerr", "cut", "long",
]  # fmt: skip


def words(text: str) -> int:
    return len(text.split())


def right_answer(messages: list[dict[str, Any]]) -> str:
    last = next((m for m in reversed(messages) if m.get("role") == "user"), {"content": ""})
    m = re.search(r"<<(.*?)>>", str(last["content"]), re.DOTALL)
    return m.group(1) if m else "ok"


class FakeOpenAI(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.log: list[dict[str, Any]] = []  # POST requests
        self.gets: list[str] = []  # GET paths (the /models look)
        self.lock = threading.Lock()
        self.seen: Counter[tuple[str, str]] = Counter()
        self.in_flight: Counter[str] = Counter()
        self.max_in_flight: Counter[str] = Counter()
        self.stopping = threading.Event()  # wakes a ``hang`` request when the server stops
        self.thread = threading.Thread(target=self.serve_forever, args=(POLL_S,), daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1"

    def start(self) -> FakeOpenAI:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()  # no request thread is left asleep behind the test
        self.shutdown()
        self.server_close()

    def requests_for(self, model: str) -> list[dict[str, Any]]:
        return [r for r in self.log if r["body"].get("model", "").split("@")[0] == model]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: FakeOpenAI

    def setup(self) -> None:
        super().setup()
        # like real servers: no Nagle delay between the headers and the body
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, *args: Any) -> None:  # quiet
        pass

    def _json(self, status: int, data: Any, headers: dict[str, str] | None = None) -> None:
        raw = json.dumps(data).encode() if not isinstance(data, bytes) else data
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(raw)

    def do_POST(self) -> None:
        n = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(n) or b"{}")
        model = str(body.get("model", ""))
        kind = model.split("@")[0]
        msgs = body.get("messages") or []
        srv = self.server
        with srv.lock:
            srv.log.append({"path": self.path, "headers": dict(self.headers), "body": body})
            prompt_key = (model, json.dumps(msgs))
            srv.seen[prompt_key] += 1
            first_time = srv.seen[prompt_key] == 1
            srv.in_flight[kind] += 1
            srv.max_in_flight[kind] = max(srv.max_in_flight[kind], srv.in_flight[kind])
        try:
            self._answer(kind, body, msgs, first_time)
        except (BrokenPipeError, ConnectionResetError):
            pass
        finally:
            with srv.lock:
                srv.in_flight[kind] -= 1

    def do_GET(self) -> None:
        with self.server.lock:
            self.server.gets.append(self.path)
        if self.path.endswith("/models"):
            self._json(200, {"object": "list", "data": [{"id": k} for k in LISTED]})
        else:
            self._json(404, {"error": {"message": f"no route {self.path}"}})

    def _answer(self, kind: str, body: dict[str, Any], msgs: list[Any], first_time: bool) -> None:
        if kind == "missing":
            self._json(404, {"error": {"message": f"model '{body.get('model')}' not found"}})
            return
        if kind == "cut" and body.get("stream"):
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Connection", "close")
            self.end_headers()
            self.close_connection = True
            self.wfile.write(b"data: [DONE]\n\n")
            self.wfile.flush()
            return
        if not self.path.endswith("/chat/completions"):
            self._json(404, {"error": {"message": f"no route {self.path}"}})
            return
        if kind in ("echokey", "echokeyerr"):
            got = " ".join(f"{k}={v}" for k, v in self.headers.items() if k.lower() != "host")
            if kind == "echokeyerr":
                self._json(400, {"error": {"message": f"rejected: {got}"}})
                return
            self._json(
                200,
                {
                    "choices": [
                        {
                            "index": 0,
                            "message": {"role": "assistant", "content": f"you sent {got}"},
                            "finish_reason": f"stop ({got})",
                        }
                    ],
                    "usage": {"prompt_tokens": 1, "completion_tokens": 1},
                },
            )
            return
        if kind == "garbage":
            self._json(200, b"<html>this is not json")
            return
        if kind == "e500":
            self._json(500, {"error": {"message": "boom"}}, {"Retry-After": "0"})
            return
        if kind == "r429" and first_time:
            self._json(429, {"error": {"message": "slow down"}}, {"Retry-After": "0"})
            return
        if kind == "hang" and self.server.stopping.wait(HANG):
            self.close_connection = True  # the server stopped: nobody waits for the answer
            return
        if kind == "slow":
            time.sleep(SLOW)
        if kind == "close":
            self.close_connection = True
            self.connection.shutdown(2)
            return
        if kind == "nostream" and body.get("stream"):
            self._json(400, {"error": {"message": "stream is not supported"}})
            return
        if kind == "wrong":
            answer = "I do not know"
        elif kind == "judge":
            text = str(msgs[-1]["content"])
            ans = text.split("<answer>")[1].split("</answer>")[0]
            ok = "Paris" in ans
            answer = json.dumps({"pass": ok, "reason": "mentions Paris" if ok else "no Paris"})
        else:
            answer = right_answer(msgs)
        usage = {
            "prompt_tokens": sum(words(str(m.get("content", ""))) for m in msgs),
            "completion_tokens": words(answer),
        }
        if body.get("stream") and kind in ("stream", "right", "r429", "slow", "judge"):
            self._stream(
                answer, usage, bool((body.get("stream_options") or {}).get("include_usage"))
            )
            return
        if kind == "long":
            answer = "a b c"
        data: dict[str, Any] = {
            "id": "x",
            "object": "chat.completion",
            "model": body.get("model"),
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": answer},
                    "finish_reason": "length" if kind == "long" else "stop",
                }
            ],
        }
        if kind != "nousage":
            data["usage"] = usage
        self._json(200, data)

    def _stream(self, answer: str, usage: dict[str, int], with_usage: bool) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True

        def event(data: Any) -> None:
            self.wfile.write(b"data: " + json.dumps(data).encode() + b"\n\n")
            self.wfile.flush()

        pieces = re.findall(r"\S+\s*", answer) or [""]
        for i, piece in enumerate(pieces):
            event(
                {
                    "choices": [
                        {
                            "index": 0,
                            "delta": {"content": piece},
                            "finish_reason": "stop" if i == len(pieces) - 1 else None,
                        }
                    ]
                }
            )
        if with_usage:
            event({"choices": [], "usage": usage})
        self.wfile.write(b"data: [DONE]\n\n")
        self.wfile.flush()
