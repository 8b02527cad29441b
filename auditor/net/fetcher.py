"""Polite, capped HTTP fetches over httpx with the guarded backend.

One ``Fetcher`` per run owns the connection pool, the global and per-host
limits and the retry policy. Redirects are followed by hand so each hop is
recorded, counted and re-checked.
"""

from __future__ import annotations

import asyncio
import random
import ssl
import time
from collections import defaultdict
from dataclasses import replace
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from types import TracebackType
from typing import Any
from urllib.parse import urljoin, urlsplit

import certifi
import httpcore
import httpx

from auditor.context import AuditSettings
from auditor.net.backend import GuardedBackend
from auditor.net.guard import AddressRefused, url_problem
from auditor.net.observation import HttpObservation

RETRY_STATUSES = frozenset({429, 503})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


def build_ssl_context(extra_ca_pem: bytes | None) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=certifi.where())
    if extra_ca_pem:
        context.load_verify_locations(cadata=extra_ca_pem.decode("ascii"))
    return context


def _classify(exc: BaseException) -> tuple[str, str]:
    if isinstance(exc, AddressRefused):
        return "refused", str(exc)
    if isinstance(exc, TimeoutError | httpx.TimeoutException):
        return "timeout", f"timed out ({type(exc).__name__})"
    if isinstance(exc, httpx.ConnectError):
        text = str(exc)
        if "CERTIFICATE" in text.upper() or "SSL" in text.upper():
            return "tls", f"TLS error: {text}"
        if "DNS lookup failed" in text:
            return "dns", text
        return "connect", f"connection failed: {text or type(exc).__name__}"
    if isinstance(exc, ssl.SSLError):
        return "tls", f"TLS error: {exc}"
    if isinstance(exc, httpx.HTTPError):
        return "protocol", f"{type(exc).__name__}: {exc}"
    return "protocol", f"{type(exc).__name__}: {exc}"


def _tls_facts(response: httpx.Response) -> tuple[str | None, int | None]:
    stream = response.extensions.get("network_stream")
    ssl_object = stream.get_extra_info("ssl_object") if stream is not None else None
    if ssl_object is None:
        return None, None
    cert = ssl_object.getpeercert() or {}
    days: int | None = None
    if "notAfter" in cert:
        expires = datetime.fromtimestamp(ssl.cert_time_to_seconds(cert["notAfter"]), UTC)
        days = (expires - datetime.now(UTC)).days
    return ssl_object.version(), days


def _retry_after(value: str | None, cap: float) -> float | None:
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            seconds = (parsedate_to_datetime(value) - datetime.now(UTC)).total_seconds()
        except (TypeError, ValueError):
            return None
    return min(max(seconds, 0.0), cap)


class Fetcher:
    """Shared by all entries of a run; use ``async with``."""

    def __init__(self, settings: AuditSettings) -> None:
        self._settings = settings
        limits = settings.limits
        context = build_ssl_context(settings.extra_ca_pem)
        transport = httpx.AsyncHTTPTransport(verify=context)
        # httpx does not expose httpcore's network_backend; we swap in a pool
        # built with the guarded backend (httpx is pinned <0.29 for this).
        transport._pool = httpcore.AsyncConnectionPool(
            ssl_context=context,
            max_connections=limits.concurrency,
            max_keepalive_connections=limits.concurrency,
            keepalive_expiry=5.0,
            network_backend=GuardedBackend(settings.network),
        )
        self._client = httpx.AsyncClient(
            transport=transport,
            timeout=httpx.Timeout(limits.timeout),
            headers={"User-Agent": settings.user_agent},
            follow_redirects=False,
            trust_env=False,
        )
        self._global = asyncio.Semaphore(limits.concurrency)
        self._per_host: defaultdict[str, asyncio.Semaphore] = defaultdict(
            lambda: asyncio.Semaphore(limits.per_host)
        )
        self._random = random.Random()

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self._client.aclose()

    async def fetch(
        self,
        url: str,
        *,
        method: str = "GET",
        max_bytes: int | None = None,
        keep_body: bool = True,
        headers: dict[str, str] | None = None,
    ) -> HttpObservation:
        """Fetch ``url`` following redirects by hand; never raises."""
        limits = self._settings.limits
        cap = max_bytes if max_bytes is not None else limits.max_page_bytes
        redirects: list[str] = []
        current = url
        started = time.perf_counter()
        for _hop in range(limits.max_redirects + 1):
            problem = url_problem(current)
            if problem is not None:
                return HttpObservation(
                    url, method, current, tuple(redirects), error_class="bad_url", error=problem
                )
            result, location = await self._fetch_with_retries(
                current, method, cap, keep_body, headers or {}
            )
            if location is None:
                latency = round((time.perf_counter() - started) * 1000, 1)
                return _with(result, url=url, redirects=tuple(redirects), latency_ms=latency)
            redirects.append(current)
            current = urljoin(current, location)
            if current in redirects:
                return HttpObservation(
                    url,
                    method,
                    current,
                    tuple(redirects),
                    error_class="redirects",
                    error=f"redirect loop back to {current}",
                )
        return HttpObservation(
            url,
            method,
            current,
            tuple(redirects),
            error_class="redirects",
            error=f"more than {limits.max_redirects} redirects",
        )

    async def _fetch_with_retries(
        self, url: str, method: str, cap: int, keep_body: bool, headers: dict[str, str]
    ) -> tuple[HttpObservation, str | None]:
        limits = self._settings.limits
        attempt = 0
        while True:
            attempt += 1
            result, location, retry_after = await self._fetch_once(
                url, method, cap, keep_body, headers
            )
            retryable = result.error_class in {"connect", "timeout"} or (
                result.status in RETRY_STATUSES
            )
            if not retryable or attempt > limits.retries:
                return _with(result, attempts=attempt), location
            delay = retry_after
            if delay is None:
                delay = min(limits.max_retry_after, 0.25 * 2 ** (attempt - 1))
                delay *= self._random.uniform(0.5, 1.5)
            await asyncio.sleep(delay)

    async def _fetch_once(
        self, url: str, method: str, cap: int, keep_body: bool, headers: dict[str, str]
    ) -> tuple[HttpObservation, str | None, float | None]:
        host = (urlsplit(url).hostname or "").lower()
        limits = self._settings.limits
        async with self._per_host[host], self._global:
            try:
                async with asyncio.timeout(limits.timeout):
                    return await self._exchange(url, method, cap, keep_body, headers)
            except Exception as exc:  # every failure becomes an observation
                error_class, message = _classify(exc)
                return (
                    HttpObservation(url, method, url, error_class=error_class, error=message),
                    None,
                    None,
                )

    async def _exchange(
        self, url: str, method: str, cap: int, keep_body: bool, headers: dict[str, str]
    ) -> tuple[HttpObservation, str | None, float | None]:
        async with self._client.stream(method, url, headers=headers) as response:
            tls_version, cert_days = _tls_facts(response)
            location = response.headers.get("location")
            if response.status_code not in REDIRECT_STATUSES:
                location = None
            chunks: list[bytes] = []
            size = 0
            error_class = error = None
            if method != "HEAD" and location is None:
                async for chunk in response.aiter_bytes():
                    size += len(chunk)
                    if size > cap:
                        error_class = "too_large"
                        error = f"body exceeds the {cap:,}-byte cap"
                        break
                    if keep_body:
                        chunks.append(chunk)
            observation = HttpObservation(
                url=url,
                method=method,
                final_url=str(response.url),
                status=response.status_code,
                size=size,
                content_type=response.headers.get("content-type"),
                etag=response.headers.get("etag"),
                last_modified=response.headers.get("last-modified"),
                tls_version=tls_version,
                cert_days_left=cert_days,
                error_class=error_class,
                error=error,
                body=b"".join(chunks) if keep_body and error_class is None else None,
            )
            retry_after = _retry_after(
                response.headers.get("retry-after"), self._settings.limits.max_retry_after
            )
            return observation, location, retry_after


def _with(observation: HttpObservation, **changes: Any) -> HttpObservation:
    return replace(observation, **changes)
