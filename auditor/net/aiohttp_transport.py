"""The aiohttp implementation of ``Transport``, the default since issue 9.

httpx's pool slows down as requests in flight grow (encode/httpx#3215; see
the Benchmarks section of README.md for the figures measured here), and a catalog run
keeps a few hundred in flight. aiohttp is used for framing, TLS and
connection reuse only: redirects, retries, decompression and cookies are off
here, because the fetcher does each of them itself under its own caps.

Every dial passes the address policy of ``auditor.net.backend``, in three
places that together leave no path around it:

- host names are resolved by ``GuardedResolver`` (aiohttp's pluggable
  resolver), which vets every address of the answer; aiohttp dials the vetted
  answer itself, so a DNS answer that changes later (rebinding) is never used;
- IP literals never reach a resolver in aiohttp, so ``exchange`` vets them
  before the request (legacy spellings such as ``2130706433``, which aiohttp
  will not parse, are resolved and dialled as the address they stand for);
- the socket factory refuses to create a socket for any address that was not
  vetted by one of the two above, in case aiohttp ever dials by another path.
"""

from __future__ import annotations

import ipaddress
import socket
import ssl
from collections.abc import AsyncIterator
from datetime import datetime
from types import TracebackType
from typing import ClassVar
from urllib.parse import urlsplit

import aiohttp
from aiohappyeyeballs import AddrInfoType
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.connector import Connection
from yarl import URL

from auditor.context import AuditSettings, NetworkPolicy
from auditor.net import sockets
from auditor.net.backend import DnsFailure, auditor_side_cause, vetted_addresses
from auditor.net.guard import AddressRefused
from auditor.net.tls import TlsFacts, build_ssl_context
from auditor.net.transport import ResponseHead, TransportError

MAX_LINE_SIZE = 8190
"""Longest status line aiohttp's parser accepts."""
MAX_FIELD_SIZE = 16 * 1024
"""Longest header field (name and value) the parser accepts."""
MAX_HEADERS = 128
"""Most header fields the parser accepts: with ``MAX_FIELD_SIZE`` it bounds the
section at 2 MiB before the fetcher's own ``max_header_bytes`` cap looks at it."""
KEEPALIVE_SECONDS = 5.0

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def _ip(address: str) -> IPAddress:
    return ipaddress.ip_address(address.split("%")[0])


class UnvettedDial(OSError):
    """A dial to an address no check approved; never expected, refused all the same."""


class Vetting:
    """The addresses this transport's policy approved; only those are ever dialled.

    Under one policy an address approved once stays approved, so the set only
    records what the policy already said (one entry per distinct address).
    """

    def __init__(self, policy: NetworkPolicy) -> None:
        self.policy = policy
        self.approved: set[IPAddress] = set()

    async def vet(self, host: str, port: int) -> list[tuple[str, int]]:
        """The addresses to dial for ``host``; raises ``AddressRefused`` or ``DnsFailure``."""
        addresses = await vetted_addresses(self.policy, host, port)
        self.approved.update(_ip(address) for address, _ in addresses)
        return addresses

    def dial(self, addr_info: AddrInfoType) -> socket.socket:
        """aiohttp's socket factory: the last check before a packet leaves."""
        address = str(addr_info[4][0])
        if _ip(address) not in self.approved:
            raise UnvettedDial(f"refused: {address} was about to be dialled without being vetted")
        return sockets.open_socket(addr_info)


class GuardedResolver(AbstractResolver):
    """Resolves through the network policy: overrides, offline mode, the address guard."""

    def __init__(self, vetting: Vetting) -> None:
        self._vetting = vetting

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        results: list[ResolveResult] = []
        for address, target_port in await self._vetting.vet(host, port):
            results.append(
                ResolveResult(
                    hostname=host,
                    host=address,
                    port=target_port,
                    family=socket.AF_INET6 if _ip(address).version == 6 else socket.AF_INET,
                    proto=0,
                    flags=socket.AI_NUMERICHOST | socket.AI_NUMERICSERV,
                )
            )
        return results

    async def close(self) -> None:
        return None


def _bypasses_resolver(host: str) -> bool:
    """Whether aiohttp dials ``host`` without asking the resolver (it looks like an IP).

    Mirrors aiohttp's own test (``helpers.is_ip_address``); anything it lets
    through that is not vetted here is still stopped by ``Vetting.dial``.
    """
    return ":" in host or host.replace(".", "").isdigit()


def _chain(exc: BaseException) -> list[BaseException]:
    """``exc`` and what caused it, including the OS error a connector error wraps."""
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen:
        seen.append(current)
        wrapped = getattr(current, "os_error", None)
        if isinstance(wrapped, BaseException) and wrapped is not current:
            current = wrapped
        else:
            current = current.__cause__ or current.__context__
    return seen


def _headers_too_large(chain: list[BaseException]) -> bool:
    for error in chain:
        if isinstance(error, aiohttp.http_exceptions.LineTooLong):
            return True
        text = str(error)
        if "Too many headers" in text or "Got more than" in text:
            return True
    return False


def classify(exc: BaseException) -> TransportError:
    """Map an aiohttp failure to the observation's ``error_class``, as httpx_transport does."""
    if isinstance(exc, TransportError):
        return exc
    chain = _chain(exc)
    text = str(exc) or type(exc).__name__
    unvetted = next((e for e in chain if isinstance(e, UnvettedDial)), None)
    if unvetted is not None:
        return TransportError("refused", str(unvetted))
    local = auditor_side_cause(chain)
    if local is not None:
        return TransportError(*local)
    if any(isinstance(e, DnsFailure | aiohttp.ClientConnectorDNSError) for e in chain):
        return TransportError("dns", text)
    if any(
        isinstance(e, ssl.SSLError | ssl.CertificateError | aiohttp.ClientSSLError) for e in chain
    ):
        return TransportError("tls", f"TLS error: {text}")
    if isinstance(exc, TimeoutError):  # aiohttp's ServerTimeoutError and its kin
        return TransportError("timeout", f"timed out ({type(exc).__name__})")
    if isinstance(exc, aiohttp.InvalidURL):
        return TransportError("bad_url", f"malformed URL: {text}")
    if isinstance(exc, aiohttp.ClientConnectorError):
        return TransportError("connect", f"connection failed: {text}")
    if isinstance(exc, aiohttp.ServerDisconnectedError):
        return TransportError("reset", f"connection closed early: {text}")
    if isinstance(exc, aiohttp.ClientResponseError):
        if _headers_too_large(chain):
            return TransportError(
                "too_large",
                f"response headers exceed the transport's limits ({MAX_HEADERS} fields "
                f"of at most {MAX_FIELD_SIZE:,} bytes)",
            )
        return TransportError("protocol", f"malformed response: {exc.message or text}")
    if isinstance(exc, aiohttp.ClientPayloadError):
        if "not completed" in text:
            return TransportError("reset", f"connection closed early: {text}")
        return TransportError("protocol", f"malformed body: {text}")
    if isinstance(exc, aiohttp.ClientConnectionError | ConnectionError):
        return TransportError("reset", f"connection reset: {text}")
    return TransportError("protocol", f"{type(exc).__name__}: {text}")


class _Response(aiohttp.ClientResponse):
    """Keeps what the TLS layer saw: aiohttp releases the connection (and with it
    the only public way to the ``ssl_object``) as soon as a body-less answer is read.
    Each transport uses a subclass of its own (``_response_class``) holding its ``facts``."""

    facts: ClassVar[TlsFacts]
    tls: tuple[str | None, datetime | None] = (None, None)

    async def start(self, connection: Connection) -> aiohttp.ClientResponse:
        transport = connection.transport
        ssl_object = transport.get_extra_info("ssl_object") if transport is not None else None
        if isinstance(ssl_object, ssl.SSLObject):
            self.tls = self.facts.of(ssl_object)
        return await super().start(connection)


def _response_class() -> type[_Response]:
    """A response class for one transport: its remembered certificates die with it."""

    class _TransportResponse(_Response):
        facts = TlsFacts()

    return _TransportResponse


def _head(response: aiohttp.ClientResponse, url: str) -> ResponseHead:
    version = response.version
    tls_version, not_after = response.tls if isinstance(response, _Response) else (None, None)
    return ResponseHead(
        status=response.status,
        url=url,
        headers=tuple(
            [(k.decode("latin-1").lower(), v.decode("latin-1")) for k, v in response.raw_headers]
        ),
        http_version=f"HTTP/{version.major}.{version.minor}" if version else None,
        tls_version=tls_version,
        cert_not_after=not_after,
    )


class _AiohttpExchange:
    """One request, as ``AiohttpTransport.exchange`` returns it: entering sends it and reads
    the head; leaving gives the connection back. A class rather than an
    ``@asynccontextmanager``: every request of a run makes one."""

    __slots__ = ("_headers", "_method", "_response", "_transport", "_url", "head")
    head: ResponseHead

    def __init__(
        self, transport: AiohttpTransport, method: str, url: str, headers: dict[str, str]
    ) -> None:
        self._transport = transport
        self._method = method
        self._url = url
        self._headers = headers

    async def __aenter__(self) -> _AiohttpExchange:
        owner = self._transport
        try:
            asked, target, sent, server_name = await owner._plan(self._url, self._headers)
            response = await owner._open_session().request(
                self._method,
                target,
                headers=sent,
                allow_redirects=False,
                server_hostname=server_name,
            )
        except AddressRefused:
            raise
        except Exception as exc:
            raise classify(exc) from exc
        self._response = response
        try:
            self.head = _head(response, str(asked))
        except BaseException:
            response.close()
            raise
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        response = self._response
        if response.content.at_eof():
            response.release()  # back to the pool for the next request to this host
        else:
            response.close()  # leaving early: close rather than drain

    async def raw_body(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._response.content.iter_any():
                yield chunk
        except AddressRefused:
            raise
        except Exception as exc:
            raise classify(exc) from exc


class AiohttpTransport:
    """One aiohttp session per run; every connection passes the address policy.

    The session is made on first use because aiohttp binds it to the running
    event loop. Connector limits equal the fetcher's, so the fetcher's
    politeness gate is the one place requests wait.
    """

    def __init__(self, settings: AuditSettings) -> None:
        self._settings = settings
        self._context = build_ssl_context(settings.extra_ca_pem)
        self._vetting = Vetting(settings.network)
        self._literals: dict[tuple[str, int], tuple[str, int] | None] = {}
        self._response_class = _response_class()
        self._session: aiohttp.ClientSession | None = None

    def _open_session(self) -> aiohttp.ClientSession:
        if self._session is not None:
            return self._session
        limits = self._settings.limits
        connector = aiohttp.TCPConnector(
            ssl=self._context,
            resolver=GuardedResolver(self._vetting),
            socket_factory=self._vetting.dial,
            limit=max(1, limits.concurrency),
            limit_per_host=max(1, limits.per_host),
            keepalive_timeout=KEEPALIVE_SECONDS,
            happy_eyeballs_delay=None,  # one address after another, as the httpx backend dials
        )
        session = aiohttp.ClientSession(
            connector=connector,
            cookie_jar=aiohttp.DummyCookieJar(),
            trust_env=False,
            auto_decompress=False,
            # The fetcher's deadline bounds each exchange, connect to last byte; a read
            # timeout here too would only re-arm a timer on every chunk received.
            timeout=aiohttp.ClientTimeout(total=None, sock_connect=limits.timeout),
            max_line_size=MAX_LINE_SIZE,
            max_field_size=MAX_FIELD_SIZE,
            max_headers=MAX_HEADERS,
            response_class=self._response_class,
        )
        # aiohttp silently resends an idempotent request once when the server
        # hangs up; the fetcher decides retries, and counts them. Private, and kept:
        # aiohttp has no public switch (aio-libs/aiohttp#10790, closed without one; its
        # maintainers chose a private flag in #9396, which its own test client sets too).
        session._retry_connection = False
        self._session = session
        return session

    async def _plan(
        self, url: str, headers: dict[str, str]
    ) -> tuple[URL, URL, dict[str, str], str | None]:
        """(URL as asked, URL to send, headers, TLS server name): IP literals vetted here."""
        try:
            asked = URL(url)
        except (ValueError, UnicodeError) as exc:
            raise TransportError("bad_url", f"malformed URL: {exc}") from exc
        host = asked.raw_host or ""
        port = asked.port
        if not _bypasses_resolver(host) or port is None:
            return asked, asked, headers, None
        elsewhere = await self._literal_target(host, port)
        if elsewhere is None:
            return asked, asked, headers, None
        # Dial the vetted address; the request still names the host the URL gave.
        address, dial_port = elsewhere
        authority = urlsplit(url).netloc.rpartition("@")[2]
        sent = {**headers, "Host": authority}
        server_name = host if asked.scheme == "https" else None
        return asked, asked.with_host(address).with_port(dial_port), sent, server_name

    async def _literal_target(self, host: str, port: int) -> tuple[str, int] | None:
        """Vet an IP-literal host; where to dial instead, or None if aiohttp dials what was vetted.

        A literal's answer never changes under one policy (no DNS), so an allowed
        one is remembered; refusals are worked out again (they raise, and are cheap).
        """
        key = (host, port)
        if key in self._literals:
            return self._literals[key]
        address, dial_port = (await self._vetting.vet(host, port))[0]
        try:
            literal: IPAddress | None = _ip(host)
        except ValueError:
            literal = None  # a legacy spelling (2130706433, 127.1) aiohttp refuses to parse
        same = literal == _ip(address) and dial_port == port
        target = None if same else (address, dial_port)
        self._literals[key] = target
        return target

    def exchange(self, method: str, url: str, headers: dict[str, str]) -> _AiohttpExchange:
        return _AiohttpExchange(self, method, url, headers)

    async def aclose(self) -> None:
        session, self._session = self._session, None
        if session is not None:
            await session.close()
