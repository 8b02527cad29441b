"""Shared fixtures: the repo layout, the real-world corpus, a local HTTP server."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus"


@pytest.fixture
def corpus() -> Path:
    """The real-world corpus at ../shared/corpus; tests using it skip on a user's machine."""
    if not CORPUS.is_dir():
        pytest.skip(f"real-world corpus not found at {CORPUS} (only present in the dev workspace)")
    return CORPUS


Handler = Callable[[BaseHTTPRequestHandler], None]


class _Listener(ThreadingHTTPServer):
    request_queue_size = 128
    """listen()'s backlog (the default, 5, drops connections a concurrent run opens at once)."""


class LocalServer:
    """A real HTTP server on 127.0.0.1 whose routes are Python callables.

    ``routes`` maps a path to a function that writes the whole response on the
    handler (status, headers, body) — so tests can misbehave as they need.
    """

    def __init__(self) -> None:
        self.routes: dict[str, Handler] = {}
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        server = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # else a body can wait 40 ms for the head's ACK

            def log_message(self, format: str, *args: object) -> None:
                return

            def _dispatch(self) -> None:
                path = self.path.split("?")[0]
                server.requests.append((self.command, path, dict(self.headers)))
                route = server.routes.get(path)
                if route is None:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                route(self)

            do_GET = do_HEAD = do_POST = _dispatch

        self._httpd = _Listener(("127.0.0.1", 0), _Handler)
        self._httpd.daemon_threads = True
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def add(
        self,
        path: str,
        status: int = 200,
        body: bytes | str = b"",
        content_type: str = "text/plain",
        headers: dict[str, str] | None = None,
    ) -> None:
        """A plain route answering ``status`` with ``body``."""
        data = body.encode() if isinstance(body, str) else body

        def handler(h: BaseHTTPRequestHandler) -> None:
            h.send_response(status)
            h.send_header("Content-Type", content_type)
            h.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                h.send_header(name, value)
            h.end_headers()
            if h.command != "HEAD":
                h.wfile.write(data)

        self.routes[path] = handler

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


@pytest.fixture
def http_server() -> Iterator[LocalServer]:
    server = LocalServer()
    server.start()
    yield server
    server.stop()
