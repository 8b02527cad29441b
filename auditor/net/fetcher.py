"""Polite, capped HTTP fetches of untrusted URLs; one ``Fetcher`` per run.

The fetcher owns the policy: which URLs, how many at once (globally and per
host), how long (per request and per fetch), how much (body on the wire,
body decompressed, headers), how often to retry, and which redirects to
follow. Redirects are followed by hand so every hop is recorded, counted and
re-checked; every connection is vetted by the address guard in the
transport's network backend. The HTTP library itself sits behind
``open_transport``, the one seam to change when swapping it.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from enum import StrEnum
from types import TracebackType
from urllib.parse import urljoin, urlsplit

from auditor.context import AuditSettings
from auditor.net.decode import Chain, DecodeError, accept_encoding
from auditor.net.guard import AddressRefused, url_problem
from auditor.net.observation import HttpObservation
from auditor.net.politeness import HostGate, backoff, parse_retry_after
from auditor.net.transport import ResponseHead, Transport, TransportError, open_transport

RETRY_STATUSES = frozenset({429, 503})
RETRY_ERRORS = frozenset({"connect", "timeout", "reset"})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
NO_BODY_STATUSES = frozenset({204, 304})

Validators = Callable[[str], tuple[str | None, str | None]]
"""``url -> (etag, last_modified)`` from an earlier run; either may be None."""


class Purpose(StrEnum):
    """What a fetch is for, said by the caller: it picks the byte cap, and tells a run's
    fetcher which documents are spec documents to keep (``auditor/run/spec_fetcher.py``)."""

    PAGE = "page"
    """Pages, discovery documents, lists: capped at ``Limits.max_page_bytes``."""
    SPEC = "spec"
    """An API description: capped at ``Limits.max_spec_bytes``."""


@dataclass(slots=True)
class _Budget:
    """Network time a fetch may still spend across hops, retries and back-off waits."""

    total: float
    spent: float = 0.0

    def remaining(self) -> float:
        return self.total - self.spent


@dataclass(slots=True)
class _Progress:
    """What one exchange had learned when it failed, so the observation keeps it."""

    started: float = field(default_factory=time.perf_counter)
    head: ResponseHead | None = None
    latency_ms: float | None = None
    size: int = 0
    wire: int = 0


class Fetcher:
    """Shared by all entries of a run; use ``async with``.

    ``validators`` is the conditional-request seam: given a URL it returns the
    ETag and Last-Modified seen last time, and GETs then carry
    ``If-None-Match`` / ``If-Modified-Since``; a 304 answer is observed with
    ``not_modified=True`` and no body. Return ``(None, None)`` for a URL whose
    stored copy cannot stand in for the body.
    """

    def __init__(
        self,
        settings: AuditSettings,
        *,
        validators: Validators | None = None,
        transport: Transport | None = None,
    ) -> None:
        self._settings = settings
        self._validators = validators
        self._transport = transport if transport is not None else open_transport(settings)
        limits = settings.limits
        self._gate = HostGate(limits.concurrency, limits.per_host)
        self._random = random.Random()
        self._base_headers = {
            "User-Agent": settings.user_agent,
            "Accept-Encoding": accept_encoding(),
        }

    def cap(self, purpose: Purpose, max_bytes: int | None = None) -> int:
        """The body cap of a fetch for ``purpose`` (``max_bytes`` when the caller sets one)."""
        if max_bytes is not None:
            return max_bytes
        limits = self._settings.limits
        return limits.max_spec_bytes if purpose is Purpose.SPEC else limits.max_page_bytes

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self._transport.aclose()

    def _request_headers(
        self, url: str, method: str, extra: dict[str, str] | None
    ) -> dict[str, str]:
        headers = dict(self._base_headers)
        if self._validators is not None and method == "GET":
            try:
                etag, modified = self._validators(url)
            except Exception:  # a broken history store costs a full download, not the fetch
                etag = modified = None
            if etag:
                headers["If-None-Match"] = etag
            if modified:
                headers["If-Modified-Since"] = modified
        given = {k.lower(): k for k in headers}
        for name, value in (extra or {}).items():
            headers.pop(given.get(name.lower(), name), None)
            headers[name] = value
        return headers

    async def fetch(
        self,
        url: str,
        *,
        method: str = "GET",
        max_bytes: int | None = None,
        keep_body: bool = True,
        headers: dict[str, str] | None = None,
        purpose: Purpose = Purpose.PAGE,
    ) -> HttpObservation:
        """Fetch ``url`` following redirects by hand; never raises.

        The body is capped at ``max_bytes`` when given, else at the cap of ``purpose``.
        """
        limits = self._settings.limits
        cap = self.cap(purpose, max_bytes)
        sent = self._request_headers(url, method, headers)
        conditional = any(k.lower() in ("if-none-match", "if-modified-since") for k in sent)
        budget = _Budget(limits.fetch_timeout)
        redirects: list[str] = []
        current = url.strip()  # catalogs carry stray spaces; the URL is what is inside them

        def failed(error_class: str, error: str) -> HttpObservation:
            return HttpObservation(
                url,
                method,
                current,
                tuple(redirects),
                error_class=error_class,
                error=error,
                elapsed_ms=round(budget.spent * 1000, 1),
            )

        for _hop in range(limits.max_redirects + 1):
            problem = url_problem(current)
            if problem is not None:
                where = f"redirect to {current}: " if redirects else ""
                return failed("bad_url", where + problem)
            result, location = await self._with_retries(
                current, method, cap, keep_body, sent, budget
            )
            if location is None:
                return replace(
                    result,
                    url=url,
                    redirects=tuple(redirects),
                    not_modified=conditional and result.status == 304,
                    elapsed_ms=round(budget.spent * 1000, 1),
                )
            redirects.append(current)
            try:
                current = urljoin(current, location.strip())
            except ValueError as exc:
                return failed("bad_url", f"redirect to a malformed URL: {exc}")
            if current in redirects:
                return failed("redirects", f"redirect loop back to {current}")
        return failed("redirects", f"more than {limits.max_redirects} redirects")

    async def _with_retries(
        self,
        url: str,
        method: str,
        cap: int,
        keep_body: bool,
        headers: dict[str, str],
        budget: _Budget,
    ) -> tuple[HttpObservation, str | None]:
        limits = self._settings.limits
        host = (urlsplit(url).hostname or "").lower()
        attempt = 0
        while True:
            attempt += 1
            timeout = min(limits.timeout, budget.remaining())
            if timeout <= 0:
                message = f"the fetch's {limits.fetch_timeout:g}s budget was spent"
                return HttpObservation(
                    url, method, url, error_class="timeout", error=message, attempts=attempt - 1
                ), None
            result, location = await self._attempt(
                host, url, method, cap, keep_body, headers, timeout, budget
            )
            result = replace(result, attempts=attempt)
            retryable = result.error_class in RETRY_ERRORS or (
                result.status in RETRY_STATUSES and result.error_class is None
            )
            if not retryable or attempt > limits.retries:
                return result, location
            asked = result.retry_after
            if asked is not None and asked > limits.max_retry_after:
                return result, location  # coming back sooner than asked would be rude
            if asked is not None:
                delay = asked
                self._gate.cool_down(host, asked)
            else:
                delay = backoff(attempt, limits.retry_backoff, limits.max_retry_after, self._random)
            if delay >= budget.remaining():
                return result, location
            await asyncio.sleep(delay)
            budget.spent += delay

    async def _attempt(
        self,
        host: str,
        url: str,
        method: str,
        cap: int,
        keep_body: bool,
        headers: dict[str, str],
        timeout: float,
        budget: _Budget,
    ) -> tuple[HttpObservation, str | None]:
        async with self._gate.slot(host):
            progress = _Progress()
            try:
                async with asyncio.timeout(timeout):
                    return await self._exchange(url, method, cap, keep_body, headers, progress)
            except TimeoutError:
                error_class, error = "timeout", f"no complete answer within {timeout:g}s"
            except AddressRefused as exc:
                error_class, error = "refused", str(exc)
            except TransportError as exc:
                error_class, error = exc.error_class, str(exc)
            except DecodeError as exc:
                error_class, error = "decode", str(exc)
            except Exception as exc:  # a transport bug must not end the entry's probes
                error_class, error = "protocol", f"{type(exc).__name__}: {exc}"
            finally:
                budget.spent += time.perf_counter() - progress.started
            return _observe(url, method, progress, error_class=error_class, error=error), None

    async def _exchange(
        self,
        url: str,
        method: str,
        cap: int,
        keep_body: bool,
        headers: dict[str, str],
        progress: _Progress,
    ) -> tuple[HttpObservation, str | None]:
        limits = self._settings.limits
        async with self._transport.exchange(method, url, headers) as exchange:
            head = progress.head = exchange.head
            progress.latency_ms = round((time.perf_counter() - progress.started) * 1000, 1)
            if head.header_bytes > limits.max_header_bytes:
                error = f"response headers ({head.header_bytes:,} bytes) exceed the {limits.max_header_bytes:,}-byte cap"
                return _observe(url, method, progress, error_class="too_large", error=error), None
            location = head.get("location") if head.status in REDIRECT_STATUSES else None
            reads_body = not (
                method == "HEAD"
                or location is not None
                or head.status in NO_BODY_STATUSES
                or head.status < 200
            )
            chunks: list[bytes] = []
            if reads_body:
                problem = await _read_body(
                    exchange.raw_body(), head, cap, keep_body, chunks, progress
                )
                if problem is not None:
                    return _observe(
                        url, method, progress, error_class="too_large", error=problem
                    ), None
            body = b"".join(chunks) if keep_body and head.status != 304 else None
            return _observe(url, method, progress, body=body), location


async def _read_body(
    raw: AsyncIterator[bytes],
    head: ResponseHead,
    cap: int,
    keep_body: bool,
    chunks: list[bytes],
    progress: _Progress,
) -> str | None:
    """Read and decode the body into ``chunks``; the cap problem if one was passed."""
    declared = head.get("content-length")
    if declared is not None and declared.strip().isdigit() and int(declared) > cap:
        return f"body declares {int(declared):,} bytes, over the {cap:,}-byte cap"
    decoder = Chain(head.get("content-encoding"))

    def take(pieces: Iterator[bytes]) -> str | None:
        for piece in pieces:
            progress.size += len(piece)
            if progress.size > cap:
                kind = "body" if decoder.identity else "decompressed body"
                return f"{kind} exceeds the {cap:,}-byte cap"
            if keep_body:
                chunks.append(piece)
        return None

    async for data in raw:
        progress.wire += len(data)
        if progress.wire > cap:
            return f"body exceeds the {cap:,}-byte cap"
        problem = take(decoder.feed(data))
        if problem is not None:
            return problem
    return take(decoder.flush())


def _observe(
    url: str,
    method: str,
    progress: _Progress,
    *,
    body: bytes | None = None,
    error_class: str | None = None,
    error: str | None = None,
) -> HttpObservation:
    head = progress.head
    if head is None:
        return HttpObservation(
            url,
            method,
            url,
            error_class=error_class,
            error=error,
            wire_bytes=progress.wire,
        )
    days = None
    if head.cert_not_after is not None:
        days = (head.cert_not_after - datetime.now(UTC)).days
    retry_after = (
        parse_retry_after(head.get("retry-after")) if head.status in RETRY_STATUSES else None
    )
    return HttpObservation(
        url=url,
        method=method,
        final_url=head.url,
        status=head.status,
        latency_ms=progress.latency_ms,
        size=progress.size,
        content_type=head.get("content-type"),
        etag=head.get("etag"),
        last_modified=head.get("last-modified"),
        tls_version=head.tls_version,
        cert_days_left=days,
        error_class=error_class,
        error=error,
        body=body if error_class is None else None,
        wire_bytes=progress.wire,
        content_encoding=head.get("content-encoding"),
        http_version=head.http_version,
        retry_after=retry_after,
    )
