"""The httpx implementation of ``Transport``, dialling through ``GuardedBackend``.

httpx is used for framing and TLS only: redirects, retries, content decoding
and cookies are all off here, because the fetcher does each of them itself
under its own caps (httpx's decoders inflate a whole chunk at once, which a
compression bomb turns into gigabytes).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from http.cookiejar import CookieJar, DefaultCookiePolicy
from urllib.parse import urlsplit

import httpcore
import httpx

from auditor.context import AuditSettings
from auditor.net.backend import GuardedBackend, dial_failure
from auditor.net.guard import AddressRefused
from auditor.net.tls import TlsFacts, build_ssl_context
from auditor.net.transport import ResponseHead, TransportError

TRANSPORT_HEADER_LIMIT = 100 * 1024
"""httpcore's own ceiling on a response's header section (h11 receive buffer)."""


def classify(exc: BaseException) -> TransportError:
    """Map an httpx/httpcore failure to the observation's ``error_class``."""
    known = dial_failure(exc)
    if known is not None:
        return known
    text = str(exc) or type(exc).__name__
    if isinstance(exc, httpx.TimeoutException):
        return TransportError("timeout", f"timed out ({type(exc).__name__})")
    if isinstance(exc, httpx.InvalidURL | httpx.UnsupportedProtocol):
        return TransportError("bad_url", f"malformed URL: {text}")
    if isinstance(exc, httpx.ConnectError):
        if "CERTIFICATE" in text.upper() or "SSL" in text.upper():
            return TransportError("tls", f"TLS error: {text}")
        return TransportError("connect", f"connection failed: {text}")
    if isinstance(exc, httpx.RemoteProtocolError):
        if "Receive buffer too long" in text:
            return TransportError(
                "too_large",
                f"response headers exceed the transport's {TRANSPORT_HEADER_LIMIT:,}-byte limit",
            )
        if "disconnected" in text or "peer closed" in text:
            return TransportError("reset", f"connection closed early: {text}")
        return TransportError("protocol", f"malformed response: {text}")
    if isinstance(exc, httpx.ReadError | httpx.WriteError | httpx.CloseError):
        return TransportError("reset", f"connection reset: {text}")
    return TransportError("protocol", f"{type(exc).__name__}: {text}")


def _tls_facts(response: httpx.Response, facts: TlsFacts) -> tuple[str | None, datetime | None]:
    stream = response.extensions.get("network_stream")
    ssl_object = stream.get_extra_info("ssl_object") if stream is not None else None
    if ssl_object is None:
        return None, None
    return facts.of(ssl_object)


class _HttpxExchange:
    def __init__(self, response: httpx.Response, facts: TlsFacts) -> None:
        self._response = response
        tls_version, not_after = _tls_facts(response, facts)
        self.head = ResponseHead(
            status=response.status_code,
            url=str(response.url),
            headers=tuple(
                (k.decode("latin-1").lower(), v.decode("latin-1")) for k, v in response.headers.raw
            ),
            http_version=response.http_version,
            tls_version=tls_version,
            cert_not_after=not_after,
        )

    async def raw_body(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._response.aiter_raw():
                yield chunk
        except AddressRefused:
            raise
        except httpx.HTTPError as exc:
            raise classify(exc) from exc


class HttpxTransport:
    """httpx clients, one small pool per origin, every connection passing the address guard.

    httpcore's pool scans all its connections on every request, so one big
    pool slows down as a run keeps hundreds of connections open (the
    throughput benchmark measured 140 req/s at 256 in flight). A pool per
    origin stays as small as the per-host limit; an idle client costs ~3 KB.
    """

    def __init__(self, settings: AuditSettings) -> None:
        self._settings = settings
        self._context = build_ssl_context(settings.extra_ca_pem)
        self._backend = GuardedBackend(settings.network)
        self._tls = TlsFacts()
        self._clients: dict[str, httpx.AsyncClient] = {}

    def _client_for(self, url: str) -> httpx.AsyncClient:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}".lower()
        client = self._clients.get(origin)
        if client is None:
            client = self._clients[origin] = self._new_client()
        return client

    def _new_client(self) -> httpx.AsyncClient:
        limits = self._settings.limits
        size = max(limits.per_host, 1) * 2
        transport = httpx.AsyncHTTPTransport(verify=self._context)
        # httpx does not expose httpcore's network_backend; we swap in a pool
        # built with the guarded backend (httpx is pinned <0.29 for this).
        transport._pool = httpcore.AsyncConnectionPool(
            ssl_context=self._context,
            max_connections=size,
            max_keepalive_connections=size,
            keepalive_expiry=5.0,
            network_backend=self._backend,
        )
        no_cookies = CookieJar(policy=DefaultCookiePolicy(allowed_domains=[]))
        return httpx.AsyncClient(
            transport=transport,
            timeout=httpx.Timeout(limits.timeout),
            follow_redirects=False,
            trust_env=False,
            cookies=no_cookies,
        )

    @asynccontextmanager
    async def exchange(
        self, method: str, url: str, headers: dict[str, str]
    ) -> AsyncIterator[_HttpxExchange]:
        try:
            client = self._client_for(url)
            request = client.build_request(method, url, headers=headers)
            response = await client.send(request, stream=True)
        except AddressRefused:
            raise
        except Exception as exc:
            raise classify(exc) from exc
        try:
            yield _HttpxExchange(response, self._tls)
        finally:
            await response.aclose()

    async def aclose(self) -> None:
        clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            await client.aclose()
