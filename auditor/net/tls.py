"""The TLS context both transports verify servers with, and what a connection's TLS saw.

Kept apart from either transport so that importing one HTTP library never
imports the other (aiohttp is the default; httpx is loaded only when asked).
"""

from __future__ import annotations

import ssl
from datetime import UTC, datetime

import certifi


def build_ssl_context(extra_ca_pem: bytes | None) -> ssl.SSLContext:
    """Mozilla's CA bundle (certifi), plus ``extra_ca_pem`` when given (tests, intranets)."""
    context = ssl.create_default_context(cafile=certifi.where())
    if extra_ca_pem:
        context.load_verify_locations(cadata=extra_ca_pem.decode("ascii"))
    return context


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
