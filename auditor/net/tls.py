"""The TLS context both transports verify servers with.

Kept apart from either transport so that importing one HTTP library never
imports the other (aiohttp is the default; httpx is loaded only when asked).
"""

from __future__ import annotations

import ssl

import certifi


def build_ssl_context(extra_ca_pem: bytes | None) -> ssl.SSLContext:
    """Mozilla's CA bundle (certifi), plus ``extra_ca_pem`` when given (tests, intranets)."""
    context = ssl.create_default_context(cafile=certifi.where())
    if extra_ca_pem:
        context.load_verify_locations(cadata=extra_ca_pem.decode("ascii"))
    return context
