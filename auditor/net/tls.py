"""The TLS context the transports verify servers with, and what a connection's TLS saw.

Kept apart from the transports so that importing one HTTP library never
imports another (httptools is the default; aiohttp and httpx are loaded only
when asked).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import ssl
import threading
from datetime import UTC, datetime

import certifi


def build_ssl_context(extra_ca_pem: bytes | None) -> ssl.SSLContext:
    """Mozilla's CA bundle (certifi), plus ``extra_ca_pem`` when given (tests, intranets)."""
    context = ssl.create_default_context(cafile=certifi.where())
    if extra_ca_pem:
        context.load_verify_locations(cadata=extra_ca_pem.decode("ascii"))
    return context


class LoadingContext:
    """``build_ssl_context``, with Mozilla's bundle loaded in a thread while the run starts.

    OpenSSL reads the bundle's ~140 certificates in ~15 ms, without the GIL; loaded
    when the transport was made, that was 2 % of a warm re-run's event loop (500
    entries, ~0.7 s) spent before its first request left. The thread loads it while
    the run's first entries start, and the first TLS connection waits for what is
    left. An extra CA is loaded at once, as before, so that a bad one fails the
    run before it starts; the bundle itself ships with certifi. A thread of its own,
    not an executor's: it ends once the bundle is loaded, so a process that forks later
    in the run is alone again without waiting for the transport to close.
    """

    def __init__(self, extra_ca_pem: bytes | None) -> None:
        self._context: ssl.SSLContext | None = None
        self._loading: concurrent.futures.Future[ssl.SSLContext] | None = None
        self._thread: threading.Thread | None = None
        if extra_ca_pem:
            self._context = build_ssl_context(extra_ca_pem)
            return
        loading: concurrent.futures.Future[ssl.SSLContext] = concurrent.futures.Future()

        def load() -> None:
            try:
                loading.set_result(build_ssl_context(None))
            except BaseException as exc:  # handed to whoever waits for the context
                loading.set_exception(exc)

        self._loading = loading
        self._thread = threading.Thread(target=load, name="auditor-trust-store", daemon=True)
        self._thread.start()

    async def context(self) -> ssl.SSLContext:
        """The context, once loaded (at once after the first time)."""
        if self._context is None:
            assert self._loading is not None
            self._context = await asyncio.wrap_future(self._loading)
        return self._context

    def finish(self) -> None:
        """Wait for the thread (~15 ms at most), so that a closed transport leaves no
        thread behind: a run that forks ``--workers`` afterwards forks only when alone
        (``auditor/run/process_start.py``)."""
        if self._thread is not None:
            self._thread.join()
            self._thread = None


TLS_FACTS_HELD = 1024
"""Certificates whose expiry a transport remembers (a run meets one per host, about)."""


class TlsFacts:
    """The TLS version and certificate expiry of a connection, for each response on it.

    Decoding the peer certificate (``getpeercert``) costs ~16 µs and more for
    a certificate with many names, and a kept-alive connection carries many
    responses: the expiry is remembered by the certificate's own bytes (DER),
    so each response still reports the certificate of its own connection.
    """

    def __init__(self) -> None:
        self._expiry: dict[bytes, datetime | None] = {}

    def of(self, ssl_object: ssl.SSLObject) -> tuple[str | None, datetime | None]:
        der = ssl_object.getpeercert(binary_form=True)
        if der is None:
            return ssl_object.version(), None
        try:
            expires = self._expiry[der]
        except KeyError:
            expires = _expiry(ssl_object)
            if len(self._expiry) >= TLS_FACTS_HELD:
                self._expiry.clear()
            self._expiry[der] = expires
        return ssl_object.version(), expires


def _expiry(ssl_object: ssl.SSLObject) -> datetime | None:
    cert = ssl_object.getpeercert() or {}
    not_after = cert.get("notAfter")
    if isinstance(not_after, str):
        return datetime.fromtimestamp(ssl.cert_time_to_seconds(not_after), UTC)
    return None
