"""What one HTTP probe saw, kept as plain facts for findings and the store."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

AUDITOR_SIDE = frozenset({"resolver", "no_route"})
"""Error classes of exchanges that never left the auditing machine: its resolver gave no
answer, or it has no route out. They say nothing about the API: not established."""
NETWORK_LEVEL = frozenset({"dns", "connect", "timeout", "reset", "tls", *AUDITOR_SIDE})
"""Error classes of exchanges that got no HTTP answer at all. One host failing so is the
host's failure; (nearly) every host of a run failing so is the auditor's network."""


@dataclass(frozen=True, slots=True)
class HttpObservation:
    """One request's outcome. Never raises: errors are recorded as ``error_class``.

    ``error_class`` is one of: ``bad_url``, ``refused`` (policy: private
    address, offline), ``dns`` (the name does not resolve), ``resolver`` (the
    auditor's resolver gave no answer: EAI_AGAIN, a lookup timeout), ``no_route``
    (this machine has no route to the address), ``connect``, ``tls``, ``timeout`` (the request
    or the fetch's time budget), ``reset`` (closed or reset before the answer
    was complete), ``too_large`` (body, decompressed body or headers over
    their cap), ``decode`` (bad or unsupported ``Content-Encoding``),
    ``redirects`` (loop or too many), ``protocol`` (not valid HTTP).

    A response that started (status known) and then failed keeps its status
    and headers: ``status`` is set and ``error_class`` says what went wrong.
    """

    url: str
    method: str
    final_url: str | None = None
    redirects: tuple[str, ...] = ()
    status: int | None = None
    latency_ms: float | None = None
    size: int = 0
    content_type: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    tls_version: str | None = None
    cert_days_left: int | None = None
    error_class: str | None = None
    error: str | None = None
    attempts: int = 1
    body: bytes | None = None
    wire_bytes: int = 0
    """Bytes received for the body before decompression (``size`` is after)."""
    content_encoding: str | None = None
    http_version: str | None = None
    not_modified: bool = False
    """A conditional request was answered 304: the resource is unchanged since last time."""
    elapsed_ms: float | None = None
    """Time on the network for the whole fetch: every hop, retry and back-off wait."""
    retry_after: float | None = None
    """Seconds the server asked us to wait (429/503), as it said them, uncapped."""

    @property
    def answered(self) -> bool:
        """The server answered without a 5xx (401/403 count: the API is there). A body we
        stopped reading at our cap (``too_large`` with a status) was still an answer."""
        if self.status is None or self.status >= 500:
            return False
        return self.error_class is None or self.error_class == "too_large"

    def describe(self) -> str:
        if self.error_class is not None:
            return f"{self.error or self.error_class}"
        if self.not_modified:
            return "HTTP 304, unchanged since the last run"
        latency = f" in {self.latency_ms:.0f} ms" if self.latency_ms is not None else ""
        return f"HTTP {self.status}{latency}"

    def facts(self) -> dict[str, Any]:
        """Everything but the body, for a finding's ``facts``."""
        return {
            "url": self.url,
            "method": self.method,
            "final_url": self.final_url,
            "redirects": list(self.redirects),
            "status": self.status,
            "latency_ms": self.latency_ms,
            "bytes": self.size,
            "content_type": self.content_type,
            "etag": self.etag,
            "last_modified": self.last_modified,
            "tls_version": self.tls_version,
            "cert_days_left": self.cert_days_left,
            "error_class": self.error_class,
            "error": self.error,
            "attempts": self.attempts,
            "wire_bytes": self.wire_bytes,
            "content_encoding": self.content_encoding,
            "http_version": self.http_version,
            "not_modified": self.not_modified,
            "elapsed_ms": self.elapsed_ms,
            "retry_after": self.retry_after,
        }
