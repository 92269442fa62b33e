"""A real HTTP server on the loopback interface for the tests of network code, started
in a thread and stopped cleanly: the one way the test servers start and stop."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

POLL_S = 0.005
"""How often a test server's loop looks whether it was told to stop: stopping waits up
to that long for it to notice (the default half second, then 50 ms, cost every test that
starts a server; a look costs some microseconds of CPU). Every test server polls so."""


def serve(handler: type[BaseHTTPRequestHandler]) -> tuple[ThreadingHTTPServer, str]:
    """Serve ``handler`` on a free port of 127.0.0.1: (the server, its base URL)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, args=(POLL_S,), daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def stop(server: ThreadingHTTPServer | None) -> None:
    if server is not None:
        server.shutdown()
        server.server_close()
