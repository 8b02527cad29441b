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
from dataclasses import dataclass
from enum import StrEnum
from types import TracebackType
from urllib.parse import urljoin

from auditor.context import AuditSettings
from auditor.net.decode import Chain, DecodeError, accept_encoding
from auditor.net.guard import AddressRefused, vet_url
from auditor.net.observation import HttpObservation
from auditor.net.outcome import RETRY_STATUSES, Outcome, Progress, failed, observe, outcome
from auditor.net.politeness import UNREACHED_AFTER, HostGate, backoff
from auditor.net.transport import ResponseHead, Transport, TransportError, open_transport

RETRY_ERRORS = frozenset({"connect", "timeout", "reset"})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
NO_BODY_STATUSES = frozenset({204, 304})
CONDITIONAL_HEADERS = frozenset({"if-none-match", "if-modified-since"})

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


def _ms(budget: _Budget) -> float:
    return round(budget.spent * 1000, 1)


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
    ) -> tuple[dict[str, str], bool]:
        """The headers to send, and whether they make the request conditional."""
        headers = self._base_headers.copy()
        conditional = False
        if self._validators is not None and method == "GET":
            try:
                etag, modified = self._validators(url)
            except Exception:  # a broken history store costs a full download, not the fetch
                etag = modified = None
            if etag:
                headers["If-None-Match"] = etag
            if modified:
                headers["If-Modified-Since"] = modified
            conditional = bool(etag or modified)
        if extra:
            given = {k.lower(): k for k in headers}
            for name, value in extra.items():
                headers.pop(given.get(name.lower(), name), None)
                headers[name] = value
            conditional = any(k.lower() in CONDITIONAL_HEADERS for k in headers)
        return headers, conditional

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
        sent, conditional = self._request_headers(url, method, headers)
        budget = _Budget(limits.fetch_timeout)
        redirects: list[str] = []
        current = url.strip()  # catalogs carry stray spaces; the URL is what is inside them

        for _hop in range(limits.max_redirects + 1):
            problem, host = vet_url(current)
            if problem is not None:
                where = f"redirect to {current}: " if redirects else ""
                return failed(
                    url, method, current, redirects, _ms(budget), "bad_url", where + problem
                )
            result, attempts, location = await self._with_retries(
                host, current, method, cap, keep_body, sent, budget
            )
            if location is None:
                return observe(url, method, result, attempts, redirects, conditional, _ms(budget))
            redirects.append(current)
            try:
                current = urljoin(current, location.strip())
            except ValueError as exc:
                error = f"redirect to a malformed URL: {exc}"
                return failed(url, method, current, redirects, _ms(budget), "bad_url", error)
            if current in redirects:
                error = f"redirect loop back to {current}"
                return failed(url, method, current, redirects, _ms(budget), "redirects", error)
        error = f"more than {limits.max_redirects} redirects"
        return failed(url, method, current, redirects, _ms(budget), "redirects", error)

    async def _with_retries(
        self,
        host: str,
        url: str,
        method: str,
        cap: int,
        keep_body: bool,
        headers: dict[str, str],
        budget: _Budget,
    ) -> tuple[Outcome, int, str | None]:
        """The last attempt's outcome, how many attempts were made, the redirect target."""
        limits = self._settings.limits
        attempt = 0
        while True:
            attempt += 1
            timeout = min(limits.timeout, budget.remaining())
            if timeout <= 0:
                message = f"the fetch's {limits.fetch_timeout:g}s budget was spent"
                spent = Progress(time.perf_counter())
                return Outcome(url, spent, "timeout", message), attempt - 1, None
            result, location = await self._attempt(
                host, url, method, cap, keep_body, headers, timeout, budget
            )
            status = result.status
            error_class = result.error_class
            unreached = self._gate.connected(host, error_class != "connect")
            retryable = error_class in RETRY_ERRORS or (
                status in RETRY_STATUSES and error_class is None
            )
            if not retryable or attempt > limits.retries:
                return result, attempt, location
            if unreached >= UNREACHED_AFTER:
                result.error = (
                    f"{result.error}; not retried: the last {unreached} connection attempts "
                    f"to {host} in this run failed"
                )
                return result, attempt, location
            asked = result.retry_after
            if asked is not None and asked > limits.max_retry_after:
                return result, attempt, location  # coming back sooner than asked would be rude
            if asked is not None:
                delay = asked
                self._gate.cool_down(host, asked)
            else:
                delay = backoff(attempt, limits.retry_backoff, limits.max_retry_after, self._random)
            if delay >= budget.remaining():
                return result, attempt, location
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
    ) -> tuple[Outcome, str | None]:
        async with self._gate.slot(host):
            progress = Progress(time.perf_counter())
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
            return outcome(url, progress, error_class=error_class, error=error), None

    async def _exchange(
        self,
        url: str,
        method: str,
        cap: int,
        keep_body: bool,
        headers: dict[str, str],
        progress: Progress,
    ) -> tuple[Outcome, str | None]:
        limits = self._settings.limits
        async with self._transport.exchange(method, url, headers) as exchange:
            head = progress.head = exchange.head
            # when the head arrived, not when this task resumed: under load (a cold run's
            # analyses) the loop resumes it later, and that delay is the auditor's, not the
            # server's (a 20 ms farm, benchmarks/rerun.py's cold run: medians 48-63 ms
            # timed at the resumption, 40-50 ms at the head; the rest is the loop's too)
            arrived = head.received_at or time.perf_counter()
            progress.latency_ms = round((arrived - progress.started) * 1000, 1)
            if head.header_bytes > limits.max_header_bytes:
                error = f"response headers ({head.header_bytes:,} bytes) exceed the {limits.max_header_bytes:,}-byte cap"
                return outcome(url, progress, error_class="too_large", error=error), None
            status = head.status
            location = head.get("location") if status in REDIRECT_STATUSES else None
            reads_body = not (
                method == "HEAD"
                or location is not None
                or status in NO_BODY_STATUSES
                or status < 200
            )
            chunks: list[bytes] = []
            if reads_body:
                problem = await _read_body(
                    exchange.raw_body(), head, cap, keep_body, chunks, progress
                )
                if problem is not None:
                    return outcome(url, progress, error_class="too_large", error=problem), None
            body = b"".join(chunks) if keep_body and status != 304 else None
            return outcome(url, progress, body=body), location


async def _read_body(
    raw: AsyncIterator[bytes],
    head: ResponseHead,
    cap: int,
    keep_body: bool,
    chunks: list[bytes],
    progress: Progress,
) -> str | None:
    """Read and decode the body into ``chunks``; the cap problem if one was passed."""
    declared = head.get("content-length")
    if declared is not None and declared.strip().isdigit() and int(declared) > cap:
        return f"body declares {int(declared):,} bytes, over the {cap:,}-byte cap"
    decoder = Chain(head.get("content-encoding"))
    if decoder.identity:
        # Nothing to decode (most answers): the bytes on the wire are the body, so
        # the wire cap is the body's cap, without a decoder's generators per chunk.
        async for data in raw:
            progress.wire += len(data)
            if progress.wire > cap:
                return f"body exceeds the {cap:,}-byte cap"
            progress.size = progress.wire
            if keep_body and data:
                chunks.append(data)
        return None

    def take(pieces: Iterator[bytes]) -> str | None:
        for piece in pieces:
            progress.size += len(piece)
            if progress.size > cap:
                return f"decompressed body exceeds the {cap:,}-byte cap"
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
