"""A fixture site that answers for many host names on one loopback port, over HTTPS.

The verifier is pointed at it through ``NetworkPolicy.host_overrides`` and
trusts its throwaway CA (trustme); nothing else is redirected, so the demo
cannot reach the internet.
"""

from __future__ import annotations

import socket
import ssl
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib.resources import files
from types import TracebackType
from typing import Any

import trustme

from auditor.yaml_loader import safe_load

Routes = dict[str, dict[str, dict[str, Any]]]


def load_routes() -> Routes:
    data: Routes = safe_load(files("auditor.demo").joinpath("site.yaml").read_text("utf-8"))
    return data


def _closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    # The head and the body leave in two writes: with Nagle on, the body waits for the
    # head's acknowledgement, which Linux delays up to 40 ms, on a kept-alive connection.
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:  # keep the demo's output clean
        return

    def _respond(self, with_body: bool) -> None:
        host = (self.headers.get("Host") or "").split(":")[0].lower()
        site = self.server.routes.get(host, {})
        path = self.path.split("?")[0]
        route = site.get(path) or site.get(path.rstrip("/")) or site.get("*")
        if route is None:
            status, ctype, body = 404, "text/plain", b"Not Found"
        else:
            status = int(route.get("status", 200))
            ctype = route.get("type", "application/octet-stream")
            if "file" in route:
                body = files("auditor.demo").joinpath("files", route["file"]).read_bytes()
            else:
                body = str(route.get("body", "")).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if with_body:
            self.wfile.write(body)

    def do_GET(self) -> None:
        self._respond(with_body=True)

    def do_HEAD(self) -> None:
        self._respond(with_body=False)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    routes: Routes


@dataclass
class FixtureSite:
    """Use as a context manager; ``overrides`` and ``ca_pem`` configure the verifier."""

    routes: Routes = field(default_factory=load_routes)
    overrides: dict[str, tuple[str, int]] = field(default_factory=dict)
    ca_pem: bytes = b""
    _server: _Server | None = None
    _thread: threading.Thread | None = None

    def __enter__(self) -> FixtureSite:
        ca = trustme.CA()
        cert = ca.issue_cert(*self.routes)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        cert.configure_cert(context)
        server = _Server(("127.0.0.1", 0), _Handler)
        server.routes = self.routes
        # Handshake lazily in each request's thread, not in the accept loop, so one
        # slow client cannot hold up the others.
        server.socket = context.wrap_socket(
            server.socket, server_side=True, do_handshake_on_connect=False
        )
        port = server.server_address[1]
        closed = _closed_port()
        self.overrides = {
            host: ("127.0.0.1", closed if site.get("unreachable") else port)
            for host, site in self.routes.items()
        }
        self.ca_pem = ca.cert_pem.bytes()
        self._server = server
        # shutdown() waits for the loop's next poll: at the default 0.5 s, ~0.3 s of the
        # demo's ~2.5 s
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
