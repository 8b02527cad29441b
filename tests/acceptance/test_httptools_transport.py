"""What the httptools transport (and its connection, http1_connection.py) does itself, against a raw-socket server on 127.0.0.1.

The hostile suites (test_hostile_*.py) and test_transport_libraries.py run it
beside aiohttp and httpx; these pin what a hand-made HTTP/1.1 client must get
right and a library would have done for it: keep-alive after HEAD answers and
interim (1xx) answers, bodies framed by the connection's end, answers followed
by bytes nobody asked for, request headers that would split a request, idle
connections that expire, back-pressure on a body read slowly, and when an
answer's head arrived (its latency, whatever the event loop did next).
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest

import auditor.net.httptools_transport as transport_module
from auditor.context import AuditSettings, Limits, NetworkPolicy
from auditor.net.fetcher import Fetcher
from auditor.net.http1_connection import HEAD_CEILING, HIGH_WATER, MAX_LINE_SIZE, Http1Connection
from auditor.net.httptools_transport import HttptoolsTransport
from auditor.net.transport import TransportError

Answer = Callable[[str], tuple[bytes, bool]]
"""Request line -> (bytes to send, close the connection afterwards)."""


@dataclass
class ScriptedServer:
    """Reads requests (no bodies) on each connection and answers as ``answer`` says."""

    answer: Answer
    requests: list[tuple[int, str]] = field(default_factory=list)
    """(connection number, request line), in the order they came."""
    raw: list[bytes] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._connections = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def _accept(self) -> None:
        while True:
            try:
                sock, _ = self._listener.accept()
            except OSError:
                return
            self._connections += 1
            number = self._connections
            threading.Thread(target=self._serve, args=(sock, number), daemon=True).start()

    def _serve(self, sock: socket.socket, number: int) -> None:
        pending = b""
        with sock:
            while True:
                while b"\r\n\r\n" not in pending:
                    try:
                        data = sock.recv(65536)
                    except OSError:
                        return
                    if not data:
                        return
                    pending += data
                request, pending = pending.split(b"\r\n\r\n", 1)
                self.raw.append(request)
                line = request.split(b"\r\n", 1)[0].decode("latin-1")
                self.requests.append((number, line))
                data, close = self.answer(line)
                try:
                    sock.sendall(data)
                except OSError:
                    return
                if close:
                    return

    def close(self) -> None:
        self._listener.close()


@pytest.fixture
def serve() -> Iterator[Callable[[Answer], ScriptedServer]]:
    servers: list[ScriptedServer] = []

    def start(answer: Answer) -> ScriptedServer:
        servers.append(ScriptedServer(answer))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


SETTINGS = AuditSettings(
    limits=Limits(timeout=5, retries=0), network=NetworkPolicy(allow_private=True)
)


def ok(body: bytes = b"ok", *extra: str) -> bytes:
    head = ["HTTP/1.1 200 OK", f"Content-Length: {len(body)}", *extra]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


Exchanged = tuple[int, dict[str, str], bytes]
WAIT = 10.0
"""Seconds a test's exchanges may take: a transport waiting for bytes that never come fails."""


def exchanges(
    requests: list[tuple[str, str]], settings: AuditSettings = SETTINGS
) -> list[Exchanged | TransportError]:
    """Each (method, url) in turn on one transport: (status, headers, raw body) or the error."""

    async def go() -> list[Exchanged | TransportError]:
        transport = HttptoolsTransport(settings)
        seen: list[Exchanged | TransportError] = []
        try:
            for method, url in requests:
                try:
                    async with transport.exchange(method, url, {"User-Agent": "t"}) as ex:
                        body = b"".join([chunk async for chunk in ex.raw_body()])
                        seen.append((ex.head.status, dict(ex.head.headers), body))
                except TransportError as exc:
                    seen.append(exc)
        finally:
            await transport.aclose()
        return seen

    return asyncio.run(asyncio.wait_for(go(), WAIT))


def test_a_head_answer_keeps_the_connection_for_the_next_request(
    serve: Callable[[Answer], ScriptedServer],
) -> None:
    # HEAD's Content-Length announces a body that never comes: the next answer must not
    # be read as that body, and the connection must still be reused
    server = serve(
        lambda line: (
            (b"HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n", False)
            if line.startswith("HEAD")
            else (ok(b"y" * 50), False)
        )
    )
    seen = exchanges([("HEAD", server.url("/a")), ("GET", server.url("/b"))])
    assert seen[0] == (200, {"content-length": "50"}, b"")
    assert seen[1] == (200, {"content-length": "50"}, b"y" * 50)
    assert [number for number, _ in server.requests] == [1, 1]


def test_interim_answers_are_skipped_and_the_connection_kept(
    serve: Callable[[Answer], ScriptedServer],
) -> None:
    early = b"HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n"
    server = serve(lambda line: (early + ok(b"final", "X-Final: yes"), False))
    seen = exchanges([("GET", server.url("/a")), ("GET", server.url("/b"))])
    assert seen[0] == (200, {"content-length": "5", "x-final": "yes"}, b"final")
    assert seen[1] == seen[0]
    assert [number for number, _ in server.requests] == [1, 1]


def test_a_body_framed_by_the_connections_end_is_read_whole_and_not_reused(
    serve: Callable[[Answer], ScriptedServer],
) -> None:
    server = serve(lambda line: (b"HTTP/1.1 200 OK\r\n\r\n" + b"z" * 100_000, True))
    seen = exchanges([("GET", server.url("/a")), ("GET", server.url("/b"))])
    assert seen[0] == (200, {}, b"z" * 100_000)
    assert seen[1] == seen[0]
    assert [number for number, _ in server.requests] == [1, 2]


def test_a_chunked_body_is_handed_on_without_its_framing(
    serve: Callable[[Answer], ScriptedServer],
) -> None:
    chunked = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"
    server = serve(lambda line: (chunked, False))
    seen = exchanges([("GET", server.url("/a")), ("GET", server.url("/b"))])
    assert seen[0] == (200, {"transfer-encoding": "chunked"}, b"hello world")
    assert [number for number, _ in server.requests] == [1, 1]


def test_bytes_after_the_answer_retire_the_connection(
    serve: Callable[[Answer], ScriptedServer],
) -> None:
    # a second answer to one request (or garbage): read as the next request's answer,
    # it would desynchronise every exchange after it
    server = serve(lambda line: (ok(b"one") + ok(b"smuggled"), False))
    seen = exchanges([("GET", server.url("/a")), ("GET", server.url("/b"))])
    assert [s[2] for s in seen if not isinstance(s, TransportError)] == [b"one", b"one"]
    assert [number for number, _ in server.requests] == [1, 2]


@pytest.mark.parametrize("value", ["a\r\nX-Injected: 1", "a\nb", "a\0b"])
def test_a_header_that_would_split_the_request_is_never_sent(
    serve: Callable[[Answer], ScriptedServer], value: str
) -> None:
    # an ETag a hostile server gave last run comes back as If-None-Match
    server = serve(lambda line: (ok(), False))

    async def go() -> None:
        transport = HttptoolsTransport(SETTINGS)
        try:
            async with transport.exchange("GET", server.url("/a"), {"If-None-Match": value}):
                pass
        finally:
            await transport.aclose()

    with pytest.raises(TransportError, match="line break or a NUL") as caught:
        asyncio.run(asyncio.wait_for(go(), WAIT))
    assert caught.value.error_class == "protocol"
    assert server.requests == []


def test_a_status_line_over_the_ceiling_is_too_large(
    serve: Callable[[Answer], ScriptedServer],
) -> None:
    reason = b"x" * (MAX_LINE_SIZE + 10)
    server = serve(
        lambda line: (b"HTTP/1.1 200 " + reason + b"\r\nContent-Length: 0\r\n\r\n", False)
    )
    [seen] = exchanges([("GET", server.url("/a"))])
    assert isinstance(seen, TransportError) and seen.error_class == "too_large"


def test_a_head_that_never_ends_stops_at_the_ceiling(
    serve: Callable[[Answer], ScriptedServer],
) -> None:
    # one endless header line: the parser would buffer it whole before calling back
    line = b"X-Long: " + b"v" * (HEAD_CEILING + 1024)
    server = serve(lambda _: (b"HTTP/1.1 200 OK\r\n" + line, False))
    [seen] = exchanges([("GET", server.url("/a"))])
    assert isinstance(seen, TransportError) and seen.error_class == "too_large"


def test_the_request_names_the_host_and_asks_for_anything(
    serve: Callable[[Answer], ScriptedServer],
) -> None:
    server = serve(lambda line: (ok(), False))
    exchanges([("GET", server.url("/a b/é?q=1"))])
    request = server.raw[0].decode("latin-1").split("\r\n")
    assert request[0] == "GET /a%20b/%C3%A9?q=1 HTTP/1.1"
    assert f"Host: 127.0.0.1:{server.port}" in request
    assert "Accept: */*" in request and "User-Agent: t" in request


def test_credentials_in_a_url_never_leave_this_machine(
    serve: Callable[[Answer], ScriptedServer],
) -> None:
    # a catalog's URL may carry user-info; aiohttp would send it as Basic auth
    server = serve(lambda line: (ok(), False))
    exchanges([("GET", f"http://user:secret@127.0.0.1:{server.port}/a")])
    request = server.raw[0].decode("latin-1")
    assert "secret" not in request and "authorization" not in request.lower()
    assert f"Host: 127.0.0.1:{server.port}" in request.split("\r\n")


def test_an_idle_connection_past_its_keepalive_is_not_reused(
    serve: Callable[[Answer], ScriptedServer], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(transport_module, "KEEPALIVE_SECONDS", 0.05)
    server = serve(lambda line: (ok(), False))

    async def go() -> None:
        transport = HttptoolsTransport(SETTINGS)
        try:
            for pause in (0.0, 0.0, 0.2):
                await asyncio.sleep(pause)
                async with transport.exchange("GET", server.url("/a"), {}) as ex:
                    [chunk async for chunk in ex.raw_body()]
        finally:
            await transport.aclose()

    asyncio.run(asyncio.wait_for(go(), WAIT))
    assert [number for number, _ in server.requests] == [1, 1, 2]


def test_idle_connections_are_bounded_and_the_longest_idle_goes_first(
    serve: Callable[[Answer], ScriptedServer], monkeypatch: pytest.MonkeyPatch
) -> None:
    one, two, three = (serve(lambda line: (ok(), False)) for _ in range(3))
    settings = AuditSettings(
        limits=Limits(timeout=5, retries=0, concurrency=1), network=SETTINGS.network
    )
    monkeypatch.setattr(transport_module, "IDLE_CEILING", 0)
    assert transport_module.idle_bound(1) == 2  # two idle connections at concurrency 1
    order = [one, two, three, three, two, one]
    exchanges([("GET", s.url("/a")) for s in order], settings)
    assert [n for n, _ in three.requests] == [1, 1]
    assert [n for n, _ in two.requests] == [1, 1]
    assert [n for n, _ in one.requests] == [1, 2]  # idle longest when the third came


@pytest.mark.parametrize(
    ("descriptors", "concurrency", "held"),
    [(1024, 64, 256), (20_000, 64, 1024), (20_000, 1024, 2048), (128, 8, 32)],
)
def test_idle_connections_are_bounded_by_the_file_descriptors(
    monkeypatch: pytest.MonkeyPatch, descriptors: int, concurrency: int, held: int
) -> None:
    monkeypatch.setattr(
        transport_module.resource, "getrlimit", lambda _: (descriptors, descriptors)
    )
    assert transport_module.idle_bound(concurrency) == held


def test_a_body_read_slowly_pauses_the_connection(
    serve: Callable[[Answer], ScriptedServer],
) -> None:
    size = 8 * 1024 * 1024
    server = serve(lambda line: (ok(b"b" * size), False))
    most: list[int] = []

    async def go() -> int:
        transport = HttptoolsTransport(SETTINGS)
        try:
            async with transport.exchange("GET", server.url("/big"), {}) as ex:
                read = 0
                async for chunk in ex.raw_body():
                    read += len(chunk)
                    most.append(ex._connection._buffered)  # type: ignore[union-attr]
                    await asyncio.sleep(0.001)  # a consumer slower than loopback
                return read
        finally:
            await transport.aclose()

    assert asyncio.run(asyncio.wait_for(go(), WAIT)) == size
    # one socket read (asyncio reads up to 256 KiB) may land past the high-water mark
    assert max(most) <= HIGH_WATER + 256 * 1024


def test_a_fetchs_latency_ends_when_the_head_arrives_not_when_a_busy_loop_resumes_it(
    serve: Callable[[Answer], ScriptedServer], monkeypatch: pytest.MonkeyPatch
) -> None:
    # A cold run's event loop is busy (spec analyses hold the GIL, other entries' work
    # runs first): the fetch resumes well after the answer came. The server's latency
    # is what the facts report, not the auditor's own delay.
    delays = {"/slow": 0.25, "/fast": 0.0}

    def after_its_delay(line: str) -> tuple[bytes, bool]:
        time.sleep(delays[line.split()[1]])
        return ok(), False

    server = serve(after_its_delay)
    real = Http1Connection.on_headers_complete

    def then_busy(self: Http1Connection) -> None:
        real(self)
        time.sleep(0.8)  # the loop's other work, after the head was read, before resuming

    monkeypatch.setattr(Http1Connection, "on_headers_complete", then_busy)

    async def go() -> list[float | None]:
        async with Fetcher(SETTINGS) as fetcher:
            return [(await fetcher.fetch(server.url(p))).latency_ms for p in delays]

    slow, fast = asyncio.run(asyncio.wait_for(go(), WAIT))
    assert slow is not None and fast is not None
    assert 250 <= slow < 800  # the server's quarter second, without the loop's 0.8 s
    assert fast < 200
