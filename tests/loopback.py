"""A real HTTP server on the loopback interface for the tests of network code, started
in a thread and stopped cleanly: the one way the test servers start and stop."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def serve(handler: type[BaseHTTPRequestHandler]) -> tuple[ThreadingHTTPServer, str]:
    """Serve ``handler`` on a free port of 127.0.0.1: (the server, its base URL)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    # a short poll: stopping waits up to one interval for the loop to notice (the default
    # half second cost every test that starts a server; 50 ms still cost the ~60 tests of
    # fit and refresh ~40 ms each, while a wake-up costs microseconds)
    threading.Thread(target=server.serve_forever, args=(0.005,), daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def stop(server: ThreadingHTTPServer | None) -> None:
    if server is not None:
        server.shutdown()
        server.server_close()
