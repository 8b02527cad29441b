"""One HTTP/1.1 connection of the httptools transport: llhttp reading its answers.

A protocol (``asyncio.Protocol``) carrying one exchange at a time: it writes
the request, reads the answer's head through llhttp (httptools) under the
same ceilings as aiohttp's parser, hands the body on as it comes with reading
paused while it is not taken, and says whether the connection may carry the
next request (``reusable``). The pool, the dialling and the requests' bytes
are ``auditor/net/httptools_transport.py``'s.
"""

from __future__ import annotations

import asyncio
import collections
import ssl
import time
from datetime import datetime

import httptools

from auditor.net.transport import TransportError

MAX_LINE_SIZE = 8190
"""Longest status line accepted (as aiohttp's parser)."""
MAX_FIELD_SIZE = 16 * 1024
"""Longest header field (name and value) accepted."""
MAX_HEADERS = 128
"""Most header fields accepted: with ``MAX_FIELD_SIZE`` it bounds the section."""
HEAD_CEILING = MAX_LINE_SIZE + MAX_HEADERS * (MAX_FIELD_SIZE + 4) + 4
"""Bytes a connection buffers before the head ends, whatever shape they come in."""
HIGH_WATER = 256 * 1024
"""Body bytes buffered before the connection stops reading until the fetcher takes them."""
PoolKey = tuple[str, str, int]
"""(scheme, host as the URL names it, port)."""


class _Stop(Exception):
    """Raised from a parser callback to stop parsing; the reason is on the connection."""


def _too_large_head() -> TransportError:
    return TransportError(
        "too_large",
        f"response headers exceed the transport's limits ({MAX_HEADERS} fields "
        f"of at most {MAX_FIELD_SIZE:,} bytes)",
    )


class Http1Connection(asyncio.Protocol):
    """One kept-alive connection carrying one exchange at a time.

    The parser callbacks (``on_*``) are llhttp's, through httptools; a fresh
    parser reads each response, so a HEAD answer (whose declared length has no
    body behind it) leaves nothing half-read for the next one.
    """

    def __init__(self, key: PoolKey, loop: asyncio.AbstractEventLoop) -> None:
        self.key = key
        self.loop = loop
        self.transport: asyncio.Transport | None = None
        self.tls: tuple[str | None, datetime | None] = (None, None)
        self.closed = False
        self.idle_since = 0.0
        self._parser: httptools.HttpResponseParser | None = None
        self._head_only = False
        self._head: asyncio.Future[None] | None = None
        self.head_at = 0.0
        """When the parser read the last answer's head (``time.perf_counter()``): a busy
        event loop resumes the exchange later, and the answer's latency is not that."""
        self._headers: list[tuple[str, str]] = []
        self._head_bytes = 0
        self._status_bytes = 0
        self._status = 0
        self._interim = False
        self._headed = False
        self.complete = False
        self.keep_alive = False
        self.dirty = False
        self._until_close = False
        self._failure: TransportError | None = None
        self._chunks: collections.deque[bytes] = collections.deque()
        self._buffered = 0
        self._paused = False
        self._waiter: asyncio.Future[None] | None = None

    # --- asyncio.Protocol -----------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        parser = self._parser
        if parser is None or self.complete or self._failure is not None:
            self.dirty = True  # bytes nobody asked for: the connection is not reused
            return
        if not self._headed:
            self._head_bytes += len(data)
            if self._head_bytes > HEAD_CEILING:
                self._fail(_too_large_head())
                return
        try:
            parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            self._fail(TransportError("protocol", "malformed response: an unasked-for upgrade"))
        except httptools.HttpParserError as exc:
            if self._failure is not None:  # a ceiling a callback found passed
                self._fail(self._failure)
            elif self.complete:  # bytes after the answer (llhttp refuses them after close)
                self.dirty = True
            else:
                self._fail(TransportError("protocol", f"malformed response: {exc}"))

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if self._parser is None or self.complete or self._failure is not None:
            self._wake()
            return
        if isinstance(exc, ssl.SSLError):
            self._failure = TransportError("tls", f"TLS error: {exc}")
        elif not self._headed:
            self._failure = TransportError(
                "reset", "connection closed early: the server hung up before answering"
            )
        elif self._until_close and exc is None:
            self.complete = True  # a body framed by the connection's end, and this is it
        else:
            self._failure = TransportError(
                "reset", "connection closed early: the body was cut off before its end"
            )
        self._wake()

    # --- llhttp's callbacks -------------------------------------------------------------

    def on_message_begin(self) -> None:
        if self.complete:
            self.dirty = True  # a second answer to one request
            raise _Stop

    def on_status(self, status: bytes) -> None:
        self._status_bytes += len(status)
        if self._status_bytes > MAX_LINE_SIZE:
            self._failure = _too_large_head()
            raise _Stop

    def on_header(self, name: bytes, value: bytes) -> None:
        if len(self._headers) >= MAX_HEADERS or len(name) + len(value) > MAX_FIELD_SIZE:
            self._failure = _too_large_head()
            raise _Stop
        self._headers.append((name.decode("latin-1").lower(), value.decode("latin-1")))

    def on_headers_complete(self) -> None:
        assert self._parser is not None
        status = self._parser.get_status_code()
        if 100 <= status < 200 and status != 101:
            self._interim = True  # 100 Continue, 103 Early Hints: the answer comes next
            self._headers = []
            self._status_bytes = 0
            return
        self._status = status
        self._headed = True
        self.head_at = time.perf_counter()
        if self._head_only:
            self.complete = True
            self.keep_alive = self._parser.should_keep_alive()
        else:
            self._until_close = framed_by_close(status, self._headers)
        if self._head is not None and not self._head.done():
            self._head.set_result(None)

    def on_body(self, body: bytes) -> None:
        if self.complete:
            self.dirty = True  # a body behind a HEAD answer
            raise _Stop
        self._chunks.append(body)
        self._buffered += len(body)
        if self._buffered > HIGH_WATER and not self._paused and self.transport is not None:
            self._paused = True
            self.transport.pause_reading()
        self._wake()

    def on_message_complete(self) -> None:
        if self._interim:
            self._interim = False
            return
        if self.complete:
            return
        assert self._parser is not None
        self.complete = True
        self.keep_alive = self._parser.should_keep_alive()
        self._wake()

    # --- the exchange's side ------------------------------------------------------------

    def send(self, request: bytes, head_only: bool) -> asyncio.Future[None]:
        """Write ``request``; the future is done when the response's head has been read."""
        self._parser = parser = httptools.HttpResponseParser(self)
        # aiohttp's leniencies for answers (its parser is llhttp too): servers in the wild
        # send stray spaces and bare LFs that break nothing; the ceilings above still hold
        parser.set_dangerous_leniencies(
            lenient_headers=True,
            lenient_optional_cr_before_lf=True,
            lenient_spaces_after_chunk_size=True,
        )
        self._head_only = head_only
        self._headers = []
        self._head_bytes = self._status_bytes = 0
        self._interim = self._headed = self.complete = self.keep_alive = False
        self._until_close = False
        self._head = self.loop.create_future()
        self.head_at = 0.0
        assert self.transport is not None
        self.transport.write(request)
        return self._head

    def head_read(self) -> tuple[int, list[tuple[str, str]], str]:
        """Status, headers and HTTP version of the answer, once its head was read."""
        if self._failure is not None:
            raise self._failure
        assert self._parser is not None
        return self._status, self._headers, f"HTTP/{self._parser.get_http_version()}"

    async def read(self) -> bytes:
        """The next piece of the body as it came off the wire; ``b""`` at its end."""
        while not self._chunks:
            if self._failure is not None:
                raise self._failure
            if self.complete:
                return b""
            self._waiter = self.loop.create_future()
            await self._waiter
        chunk = self._chunks.popleft()
        self._buffered -= len(chunk)
        if self._paused and self._buffered <= HIGH_WATER // 2 and not self.closed:
            self._paused = False
            assert self.transport is not None
            self.transport.resume_reading()
        return chunk

    def reusable(self) -> bool:
        """Whether the answer was read whole and the connection may carry the next one."""
        return (
            self.complete
            and self.keep_alive
            and not self.dirty
            and not self.closed
            and not self._chunks
            and self._failure is None
        )

    def idle(self) -> None:
        """Back in the pool: nothing is expected on it until the next request."""
        self._parser = None
        self._head = self._waiter = None
        self.idle_since = self.loop.time()

    def abort(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.abort()

    def _fail(self, failure: TransportError) -> None:
        self._failure = failure
        self.abort()
        self._wake()

    def _wake(self) -> None:
        head, waiter = self._head, self._waiter
        if head is not None and not head.done() and (self._failure is not None or self.closed):
            head.set_result(None)  # head_read raises the failure
        if waiter is not None and not waiter.done():
            waiter.set_result(None)


def framed_by_close(status: int, headers: list[tuple[str, str]]) -> bool:
    """Whether the body ends only when the server closes (no length, not chunked)."""
    if status in (204, 304):
        return False
    framing = [v for k, v in headers if k in ("content-length", "transfer-encoding")]
    if not framing:
        return True
    encodings = [v for k, v in headers if k == "transfer-encoding"]
    if encodings:
        return encodings[-1].rsplit(",", 1)[-1].strip().lower() != "chunked"
    return False
