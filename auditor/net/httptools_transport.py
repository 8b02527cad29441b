"""The httptools implementation of ``Transport``: HTTP/1.1 on asyncio's own connections.

Issue 18 measured what one exchange costs the event loop on this machine kind
(a keep-alive GET on loopback, the farm of ``benchmarks/rerun.py``): ~300 µs
of CPU through aiohttp, ~120 µs through a bare ``asyncio.Protocol``; a warm
re-run makes three exchanges an entry. The transport needs little of what
aiohttp does (redirects, retries, decompression, cookies and proxies are off
or the fetcher's own), so this one keeps only what it needs: llhttp's parser
(httptools, as uvicorn uses it) behind a protocol, a pool of kept-alive
connections, asyncio's TLS.

Every dial passes the address policy of ``auditor.net.backend`` in one place:
a connection is opened only to an address ``vetted_addresses`` just returned
for it, through ``auditor.net.sockets.open_socket``. Reading an answer, under
the same ceilings as aiohttp's parser, is ``auditor/net/http1_connection.py``'s.
"""

from __future__ import annotations

import asyncio
import resource
import socket
import ssl
from collections.abc import AsyncIterator
from types import TracebackType

from yarl import URL

from auditor.context import AuditSettings
from auditor.net import sockets
from auditor.net.backend import dial_failure, vetted_addresses
from auditor.net.guard import AddressRefused
from auditor.net.http1_connection import Http1Connection, PoolKey
from auditor.net.tls import LoadingContext, TlsFacts
from auditor.net.transport import ResponseHead, TransportError

KEEPALIVE_SECONDS = 5.0
"""How long an idle connection is kept for the next request to its host."""
IDLE_HELD_PER_SLOT = 2
"""Idle connections kept at least for each request the run may have in flight: a run moves
between more hosts than it has slots, and a connection closed too soon is a new handshake
(and a thread on many servers) when its host is asked again."""
IDLE_CEILING = 1024
"""Idle connections kept at most beyond that, and never more than a quarter of the
process's file descriptors (aiohttp keeps every idle connection for its keep-alive, which
a run through thousands of hosts would turn into ``Too many open files``)."""
DEFAULT_PORTS = {"http": 80, "https": 443}


def idle_bound(concurrency: int) -> int:
    """How many idle connections a transport keeps for a run of ``concurrency`` slots."""
    descriptors, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    spare = IDLE_CEILING if descriptors == resource.RLIM_INFINITY else descriptors // 4
    return max(IDLE_HELD_PER_SLOT * concurrency, min(IDLE_CEILING, spare))


class _Pool:
    """Idle kept-alive connections by (scheme, host, port), at most ``held`` of them.

    The fetcher's politeness gate bounds the connections in use (globally and per
    host), so only the idle ones need a bound here; past it the connection idle
    longest is closed (the one given back last is the likeliest to be asked for).
    """

    def __init__(self, held: int) -> None:
        self._idle: dict[PoolKey, list[Http1Connection]] = {}
        self._order: dict[Http1Connection, None] = {}
        """Every idle connection, the longest idle first (dicts keep insertion order)."""
        self._held = held
        self._swept = 0.0

    def take(self, key: PoolKey, now: float) -> Http1Connection | None:
        idle = self._idle.get(key)
        while idle:
            connection = idle.pop()
            del self._order[connection]
            fresh = now - connection.idle_since < KEEPALIVE_SECONDS
            if fresh and not connection.closed and not connection.dirty:
                return connection
            connection.abort()
        return None

    def give(self, connection: Http1Connection, now: float) -> None:
        if now - self._swept > KEEPALIVE_SECONDS:
            self._sweep(now)
        while len(self._order) >= self._held:
            self._drop(next(iter(self._order)))
        connection.idle()
        self._idle.setdefault(connection.key, []).append(connection)
        self._order[connection] = None

    def _drop(self, connection: Http1Connection) -> None:
        del self._order[connection]
        idle = self._idle[connection.key]
        idle.remove(connection)
        if not idle:
            del self._idle[connection.key]
        connection.abort()

    def _sweep(self, now: float) -> None:
        """Close what has been idle past the keep-alive (or was closed by its server)."""
        self._swept = now
        for connection in [
            c for c in self._order if c.closed or now - c.idle_since >= KEEPALIVE_SECONDS
        ]:
            self._drop(connection)

    def close(self) -> None:
        for connection in self._order:
            connection.abort()
        self._idle.clear()
        self._order.clear()


class _HttptoolsExchange:
    """One request, as ``HttptoolsTransport.exchange`` returns it, its bytes already made:
    entering sends it and reads the head; leaving gives the connection back, or closes it
    if the answer was not read whole."""

    __slots__ = ("_connection", "_head_only", "_key", "_request", "_transport", "_url", "head")
    head: ResponseHead

    def __init__(
        self, transport: HttptoolsTransport, url: str, key: PoolKey, request: bytes, head_only: bool
    ) -> None:
        self._transport = transport
        self._url = url
        self._key = key
        self._request = request
        self._head_only = head_only
        self._connection: Http1Connection | None = None

    async def __aenter__(self) -> _HttptoolsExchange:
        connection = await self._transport._connection(self._key)
        self._connection = connection
        try:
            await connection.send(self._request, self._head_only)
            status, headers, version = connection.head_read()
        except BaseException:
            connection.abort()
            raise
        tls_version, not_after = connection.tls
        self.head = ResponseHead(
            status=status,
            url=self._url,
            headers=tuple(headers),
            http_version=version,
            tls_version=tls_version,
            cert_not_after=not_after,
            received_at=connection.head_at or None,
        )
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        connection = self._connection
        assert connection is not None
        if exc is None and connection.reusable():
            self._transport._pool.give(connection, connection.loop.time())
        else:
            connection.abort()  # leaving early: close rather than drain

    async def raw_body(self) -> AsyncIterator[bytes]:
        connection = self._connection
        assert connection is not None
        while chunk := await connection.read():
            yield chunk


def _request(method: str, url: str, headers: dict[str, str]) -> tuple[PoolKey, bytes]:
    """Where to send the request, and its bytes."""
    try:
        parsed = URL(url)
        host = parsed.raw_host
        port = parsed.port
        target = parsed.raw_path_qs or "/"
        authority = parsed.host_port_subcomponent
    except (ValueError, UnicodeError, TypeError) as exc:
        raise TransportError("bad_url", f"malformed URL: {exc}") from exc
    scheme = parsed.scheme.lower()
    if scheme not in DEFAULT_PORTS or not host or port is None or authority is None:
        raise TransportError("bad_url", f"malformed URL: {url}")
    lines = [f"{method} {target} HTTP/1.1"]
    named = {name.lower() for name in headers}
    if "host" not in named:
        lines.append(f"Host: {authority}")
    if "accept" not in named:
        lines.append("Accept: */*")
    lines += [f"{name}: {value}" for name, value in headers.items()]
    text = "\r\n".join(lines)
    breaks = len(lines) - 1  # the separators just added: any other CR, LF or NUL was given
    if text.count("\r") != breaks or text.count("\n") != breaks or "\0" in text:
        raise TransportError("protocol", "a request header holds a line break or a NUL")
    try:
        request = (text + "\r\n\r\n").encode("latin-1")
    except UnicodeEncodeError as exc:
        raise TransportError("protocol", f"a request header is not Latin-1: {exc}") from exc
    return (scheme, host.lower(), port), request


class HttptoolsTransport:
    """Kept-alive connections by host, opened only to addresses the policy vetted."""

    def __init__(self, settings: AuditSettings) -> None:
        self._settings = settings
        self._trust = LoadingContext(settings.extra_ca_pem)
        self._facts = TlsFacts()
        self._pool = _Pool(idle_bound(max(1, settings.limits.concurrency)))

    async def _connection(self, key: PoolKey) -> Http1Connection:
        loop = asyncio.get_running_loop()
        kept = self._pool.take(key, loop.time())
        if kept is not None:
            return kept
        try:
            return await self._open(key, loop)
        except (AddressRefused, TransportError):
            raise
        except Exception as exc:
            raise classify(exc) from exc

    async def _open(self, key: PoolKey, loop: asyncio.AbstractEventLoop) -> Http1Connection:
        """A new connection to the first vetted address of the host that takes one."""
        last: OSError | None = None
        for address, port in await vetted_addresses(self._settings.network, key[1], key[2]):
            try:
                return await self._dial(key, address, port, loop)
            except ssl.SSLError:
                raise  # the address answered; its TLS is the host's
            except OSError as exc:
                last = exc
        raise last if last is not None else TransportError("connect", f"no address for {key[1]}")

    async def _dial(
        self, key: PoolKey, address: str, port: int, loop: asyncio.AbstractEventLoop
    ) -> Http1Connection:
        scheme, host, _ = key
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        sock = sockets.open_socket(
            (family, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, port))
        )
        connection = Http1Connection(key, loop)
        tls = scheme == "https"
        try:
            sock.setblocking(False)
            await loop.sock_connect(sock, (address, port))
            await loop.create_connection(
                lambda: connection,
                sock=sock,
                ssl=await self._trust.context() if tls else None,
                server_hostname=host if tls else None,
            )
        except BaseException:
            sock.close()
            raise
        transport = connection.transport
        ssl_object = transport.get_extra_info("ssl_object") if tls and transport else None
        if isinstance(ssl_object, ssl.SSLObject):
            connection.tls = self._facts.of(ssl_object)
        return connection

    def exchange(self, method: str, url: str, headers: dict[str, str]) -> _HttptoolsExchange:
        """The exchange for one request; a URL or header that cannot be sent raises here."""
        key, request = _request(method, url, headers)
        return _HttptoolsExchange(self, url, key, request, method == "HEAD")

    async def aclose(self) -> None:
        self._pool.close()
        self._trust.finish()


def classify(exc: BaseException) -> TransportError:
    """Map a failure to open a connection to the observation's ``error_class``."""
    known = dial_failure(exc)
    if known is not None:
        return known
    text = str(exc) or type(exc).__name__
    if isinstance(exc, ConnectionResetError | BrokenPipeError):
        return TransportError("reset", f"connection reset: {text}")
    if isinstance(exc, OSError):
        return TransportError("connect", f"connection failed: {text}")
    return TransportError("protocol", f"{type(exc).__name__}: {text}")
