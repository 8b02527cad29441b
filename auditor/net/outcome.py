"""What one fetch learned, attempt by attempt, and the one observation it makes of it.

The fetcher keeps each attempt's facts in a small mutable ``Progress`` and an
``Outcome`` and builds its frozen ``HttpObservation`` once, at the end, with
every fact of the whole fetch (redirects, attempts, elapsed time): copying a
20-field frozen dataclass with ``dataclasses.replace`` per attempt and per hop
cost more CPU than any check the fetcher makes (issue 18).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from auditor.net.observation import HttpObservation
from auditor.net.politeness import parse_retry_after
from auditor.net.transport import ResponseHead

RETRY_STATUSES = frozenset({429, 503})
"""Statuses the fetcher retries, and whose ``Retry-After`` it reads."""


@dataclass(slots=True)
class Progress:
    """What one exchange had learned when it ended or failed, so the observation keeps it."""

    started: float
    head: ResponseHead | None = None
    latency_ms: float | None = None
    size: int = 0
    wire: int = 0


@dataclass(slots=True)
class Outcome:
    """One attempt's result, turned into the fetch's one ``HttpObservation`` at the end.

    Built instead of an observation per attempt and per hop so the fetch makes
    its frozen observation once, with everything it has learned, rather than
    copying it with ``dataclasses.replace`` per attempt and again per fetch.
    """

    url: str
    """The hop's URL, the observation's ``final_url`` when no answer started."""
    progress: Progress
    error_class: str | None = None
    error: str | None = None
    body: bytes | None = None
    retry_after: float | None = None

    @property
    def status(self) -> int | None:
        head = self.progress.head
        return head.status if head is not None else None


def outcome(
    url: str,
    progress: Progress,
    *,
    body: bytes | None = None,
    error_class: str | None = None,
    error: str | None = None,
) -> Outcome:
    """An attempt's outcome; ``Retry-After`` is read here, once, for the retry decision."""
    head = progress.head
    retry_after = (
        parse_retry_after(head.get("retry-after"))
        if head is not None and head.status in RETRY_STATUSES
        else None
    )
    return Outcome(url, progress, error_class, error, body, retry_after)


def failed(
    url: str,
    method: str,
    current: str,
    redirects: list[str],
    elapsed_ms: float,
    error_class: str,
    error: str,
) -> HttpObservation:
    """A fetch that ended before any answer to ``current`` (a bad URL, redirects)."""
    return HttpObservation(
        url,
        method,
        current,
        tuple(redirects),
        error_class=error_class,
        error=error,
        elapsed_ms=elapsed_ms,
    )


def observe(
    url: str,
    method: str,
    outcome: Outcome,
    attempts: int,
    redirects: list[str],
    conditional: bool,
    elapsed_ms: float,
) -> HttpObservation:
    """The fetch's one observation: its last hop's last attempt, and the whole fetch's facts."""
    progress = outcome.progress
    head = progress.head
    if head is None:
        return HttpObservation(
            url,
            method,
            outcome.url,
            tuple(redirects),
            error_class=outcome.error_class,
            error=outcome.error,
            attempts=attempts,
            wire_bytes=progress.wire,
            elapsed_ms=elapsed_ms,
        )
    days = None
    if head.cert_not_after is not None:
        days = (head.cert_not_after - datetime.now(UTC)).days
    status = head.status
    return HttpObservation(
        url=url,
        method=method,
        final_url=head.url,
        redirects=tuple(redirects),
        status=status,
        latency_ms=progress.latency_ms,
        size=progress.size,
        content_type=head.get("content-type"),
        etag=head.get("etag"),
        last_modified=head.get("last-modified"),
        tls_version=head.tls_version,
        cert_days_left=days,
        error_class=outcome.error_class,
        error=outcome.error,
        attempts=attempts,
        body=outcome.body if outcome.error_class is None else None,
        wire_bytes=progress.wire,
        content_encoding=head.get("content-encoding"),
        http_version=head.http_version,
        not_modified=conditional and status == 304,
        elapsed_ms=elapsed_ms,
        retry_after=outcome.retry_after,
    )
