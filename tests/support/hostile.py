"""A raw-socket server that misbehaves on purpose, and a switch for the HTTP library under test.

``HostileServer`` (raw sockets, one request per connection) serves every
``test_hostile_*`` module, and so does ``using_http_client``: every hostile
suite runs once per HTTP library the fetcher can use.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import struct
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace

import pytest

from auditor.net import fetcher as fetcher_module


@contextlib.contextmanager
def using_http_client(name: str) -> Iterator[str]:
    """Every fetcher made inside uses the HTTP library ``name``, whatever its settings say."""
    choose = fetcher_module.open_transport
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            fetcher_module, "open_transport", lambda s: choose(replace(s, http_client=name))
        )
        yield name


@dataclass
class Request:
    """One request as the server read it, with the socket to answer on."""

    sock: socket.socket
    server: HostileServer
    method: str
    path: str
    headers: dict[str, str]
    finished: bool = False

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def head(self, status: int, headers: dict[str, str] | None = None, reason: str = "X") -> None:
        lines = [f"HTTP/1.1 {status} {reason}", "Connection: close"]
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        self.send(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))

    def respond(self, status: int, body: bytes = b"", **headers: str) -> None:
        # Done before the answer leaves: a client that has read it may already send
        # its next request, which must not be counted as overlapping with this one.
        self.server.finish(self)
        fields = {"Content-Length": str(len(body))}
        fields.update({k.replace("_", "-"): v for k, v in headers.items()})
        self.head(status, fields)
        if self.method != "HEAD":
            self.send(body)

    def stream(self, pieces: Iterator[bytes], pause: float = 0.0) -> None:
        """Send pieces until the client goes away or the server stops."""
        for piece in pieces:
            if self.server.stopping.is_set():
                return
            self.send(piece)
            if pause:
                time.sleep(pause)

    def reset(self) -> None:
        """Close with a TCP RST instead of a FIN."""
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.sock.close()


Behaviour = Callable[[Request], None]


@dataclass
class HostileServer:
    """A raw TCP (or TLS) server on 127.0.0.1 whose routes do whatever a test needs.

    Every connection carries one request (``Connection: close``); ``seen``
    records (method, path, headers) and ``peak`` the most requests that were
    in flight at once, per ``Host`` header and overall.
    """

    tls: ssl.SSLContext | None = None
    routes: dict[str, Behaviour] = field(default_factory=dict)
    seen: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)
    peak: Counter[str] = field(default_factory=Counter)
    stopping: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._in_flight: Counter[str] = Counter()
        self._listener = socket.create_server(("127.0.0.1", 0), backlog=256)
        self.port = self._listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def url(self, path: str = "/", host: str = "127.0.0.1") -> str:
        scheme = "https" if self.tls else "http"
        return f"{scheme}://{host}:{self.port}{path}"

    def paths(self) -> list[str]:
        return [path for _, path, _ in self.seen]

    def stop(self) -> None:
        self.stopping.set()
        self._listener.close()

    def _accept(self) -> None:
        while not self.stopping.is_set():
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        conn.settimeout(10)
        try:
            if self.tls is not None:
                conn = self.tls.wrap_socket(conn, server_side=True)
            data = b""
            while b"\r\n\r\n" not in data and len(data) < 65536:
                chunk = conn.recv(4096)
                if not chunk:
                    return
                data += chunk
            head = data.split(b"\r\n\r\n")[0].decode("latin-1").split("\r\n")
            method, target, _ = head[0].split(" ", 2)
            headers = {k.strip().lower(): v.strip() for k, v in (h.split(":", 1) for h in head[1:])}
            request = Request(conn, self, method, target.split("?")[0], headers)
            self._handle(request)
        except (OSError, ValueError):
            pass  # the client hung up, or did something a test provoked
        finally:
            with contextlib.suppress(OSError):
                conn.close()

    def _handle(self, request: Request) -> None:
        host = request.headers.get("host", "").split(":")[0]
        with self._lock:
            self.seen.append((request.method, request.path, request.headers))
            self._in_flight[host] += 1
            self._in_flight["*"] += 1
            for key in (host, "*"):
                self.peak[key] = max(self.peak[key], self._in_flight[key])
        try:
            behaviour = self.routes.get(request.path)
            if behaviour is None:
                request.respond(404, b"not here")
            else:
                behaviour(request)
        finally:
            self.finish(request)

    def finish(self, request: Request) -> None:
        """Stop counting ``request`` as in flight (once)."""
        host = request.headers.get("host", "").split(":")[0]
        with self._lock:
            if request.finished:
                return
            request.finished = True
            self._in_flight[host] -= 1
            self._in_flight["*"] -= 1
