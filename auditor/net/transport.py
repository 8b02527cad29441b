"""The seam between the fetcher's policy and the HTTP library that moves bytes.

The fetcher decides what to ask, how often, for how long and how much to
keep; a ``Transport`` only sends one request through the guarded network and
hands back the response head and its raw (still encoded) body. Keeping this
small lets the library be swapped (httptools by default, aiohttp, httpx;
``open_transport`` picks one) without touching caps, retries,
redirects or the address guard's tests. A transport must dial only through
the address guard and must raise ``TransportError`` (or ``AddressRefused``)
for every failure, never its library's own exceptions.
"""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from auditor.context import AuditSettings


class TransportError(Exception):
    """A failed exchange, already classified (``connect``, ``tls``, ``reset``, …)."""

    def __init__(self, error_class: str, message: str) -> None:
        super().__init__(message)
        self.error_class = error_class


@dataclass(frozen=True, slots=True)
class ResponseHead:
    """The status line and headers of one response, plus what the TLS layer saw."""

    status: int
    url: str
    headers: tuple[tuple[str, str], ...]
    """As received, names lower-cased, repeated names kept."""
    http_version: str | None = None
    tls_version: str | None = None
    cert_not_after: datetime | None = None
    received_at: float | None = field(default=None, compare=False)
    """``time.perf_counter()`` when the head was read, if the transport saw it before the
    exchange's caller resumes (the llhttp one: as its parser finishes the head); None:
    when the caller resumes is as close as it knows."""
    _index: dict[str, str] | None = field(default=None, init=False, repr=False, compare=False)
    """``get``'s answers, worked out on the first call (the fetcher asks ~6 per response)."""
    _size: int = field(default=0, init=False, repr=False, compare=False)

    def _scan(self) -> dict[str, str]:
        index: dict[str, str] = {}
        size = 0
        for key, value in self.headers:
            index[key] = f"{index[key]}, {value}" if key in index else value
            size += len(key) + len(value) + 4
        object.__setattr__(self, "_index", index)
        object.__setattr__(self, "_size", size)
        return index

    def get(self, name: str) -> str | None:
        """The header's value; repeated headers joined with ``, `` as RFC 9110 allows."""
        index = self._index
        return (self._scan() if index is None else index).get(name)

    @property
    def header_bytes(self) -> int:
        """Size of the header section as sent (name, ``: ``, value, CRLF per line)."""
        if self._index is None:
            self._scan()
        return self._size


class Exchange(Protocol):
    head: ResponseHead

    def raw_body(self) -> AsyncIterator[bytes]:
        """The body as it came off the wire (still compressed); raises ``TransportError``."""
        ...


class Transport(Protocol):
    def exchange(
        self, method: str, url: str, headers: dict[str, str]
    ) -> AbstractAsyncContextManager[Exchange]:
        """Send one request; the response head is read on entry, the body on demand.

        Leaving the context early closes the connection rather than draining it.
        """
        ...

    async def aclose(self) -> None: ...


TRANSPORTS: dict[str, tuple[str, str]] = {
    "httptools": ("auditor.net.httptools_transport", "HttptoolsTransport"),
    "aiohttp": ("auditor.net.aiohttp_transport", "AiohttpTransport"),
    "httpx": ("auditor.net.httpx_transport", "HttpxTransport"),
}
"""Each library ``AuditSettings.http_client`` may name: the module and class of its
transport, imported only when chosen (no run loads the other libraries)."""
HTTP_CLIENTS = tuple(TRANSPORTS)
"""The libraries ``AuditSettings.http_client`` may name; the first is the default."""


def open_transport(settings: AuditSettings) -> Transport:
    """The HTTP library the run uses, as ``settings.http_client`` names it.

    httptools is the default since issue 18: the same guards and caps for about half
    the CPU an exchange of aiohttp (figures in docs/throughput.md); aiohttp and httpx
    stay selectable. All three pass the same hostile-server suites.
    """
    chosen = TRANSPORTS.get(settings.http_client)
    if chosen is None:
        raise ValueError(
            f"unknown http_client {settings.http_client!r}: choose one of {', '.join(HTTP_CLIENTS)}"
        )
    module, name = chosen
    transport: Transport = getattr(importlib.import_module(module), name)(settings)
    return transport
