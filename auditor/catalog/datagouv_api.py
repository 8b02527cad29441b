"""The live data.gouv.fr dataservices API, read page by page.

``GET {site}/api/1/dataservices/?page=N&page_size=M`` answers
``{data, next_page, page, page_size, total}``. The reader follows
``next_page`` only while it stays on the site's own origin, stops at ``total``,
at an empty page, at a page URL already read, at a page repeating the records of
an earlier one (a server that ignores ``page``), and after ``max_catalog_pages``
pages (``--limit max_catalog_pages=N``), each with a problem. A page that
answers 5xx or cannot be reached is retried; a page that still fails ends the
listing with a problem and keeps the entries already read (the first page
failing is an error: there is no catalog to speak of). Every request goes
through the guarded ``Fetcher``.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncGenerator
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urlsplit

import orjson

from auditor.catalog.base import CatalogProblem, SourceRecord, SourceType
from auditor.catalog.datagouv import page_records
from auditor.context import AuditSettings
from auditor.errors import CatalogError
from auditor.net.fetcher import Fetcher
from auditor.net.observation import HttpObservation
from auditor.spec.parse import DocumentError, parse_document

if TYPE_CHECKING:
    from auditor.catalog.material import Material

DEFAULT_SITE = "https://www.data.gouv.fr"
ENDPOINT = "/api/1/dataservices/"


def endpoint_url(site: str) -> str:
    """The dataservices endpoint for a site root (or the endpoint itself, given whole)."""
    site = site.rstrip("/")
    if site.endswith(ENDPOINT.rstrip("/")):
        return site + "/"
    return site + ENDPOINT


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower()


class DatagouvApiSource:
    """Dataservices of a data.gouv.fr (udata) site, optionally filtered by the API itself."""

    def __init__(
        self,
        settings: AuditSettings,
        site: str = DEFAULT_SITE,
        *,
        organization: str | None = None,
        tag: str | None = None,
        q: str | None = None,
        page_size: int = 100,
        attempts: int = 3,
        retry_delay: float = 0.5,
        max_pages: int | None = None,
    ) -> None:
        self._settings = settings
        self._endpoint = endpoint_url(site)
        params: dict[str, str | int] = {"page": 1, "page_size": page_size}
        for name, value in (("organization", organization), ("tag", tag), ("q", q)):
            if value:
                params[name] = value
        self.first_page = f"{self._endpoint}?{urlencode(params)}"
        self.label = self._endpoint
        self._attempts = attempts
        self._retry_delay = retry_delay
        self._max_pages = settings.limits.max_catalog_pages if max_pages is None else max_pages

    async def _fetch_page(self, fetcher: Fetcher, url: str) -> tuple[Any, str | None]:
        """The parsed page, or None and why, after retrying server errors."""
        reason: str | None = "no attempt made"
        for attempt in range(1, self._attempts + 1):
            observation = await fetcher.fetch(
                url,
                max_bytes=self._settings.limits.max_spec_bytes,
                headers={"Accept": "application/json"},
            )
            reason, retry = _page_failure(observation)
            if reason is None:
                assert observation.body is not None
                try:
                    limits = self._settings.limits
                    page = parse_document(
                        observation.body,
                        max_nodes=limits.max_yaml_nodes,
                        max_depth=limits.max_json_depth,
                    )
                except DocumentError as exc:
                    return None, f"answer is not JSON: {exc}"
                return page, None
            if not retry or attempt == self._attempts:
                break
            await asyncio.sleep(self._retry_delay * attempt)
        return None, reason

    async def records(self) -> AsyncGenerator[SourceRecord, None]:
        url: str | None = self.first_page
        seen: set[str] = set()
        contents: dict[bytes, int] = {}  # digest of a page's records -> its number
        count = 0
        total: int | None = None
        own_origin = _origin(self._endpoint)
        async with Fetcher(self._settings) as fetcher:
            for number in range(1, self._max_pages + 1):
                if url is None:
                    return
                seen.add(url)
                page, failure = await self._fetch_page(fetcher, url)
                if failure is None and not (
                    isinstance(page, dict) and isinstance(page.get("data"), list)
                ):
                    failure = "answer is not a dataservices page ({data: [...], ...})"
                if failure is not None:
                    if number == 1:
                        raise CatalogError(f"{url}: cannot list dataservices: {failure}")
                    message = (
                        f"page {number} failed ({failure}); kept the {count} entries before it"
                    )
                    yield SourceRecord(None, (CatalogProblem(url, message),))
                    return
                assert isinstance(page, dict)
                if total is None and isinstance(page.get("total"), int):
                    total = page["total"]
                if page["data"]:
                    digest = _digest(page["data"])
                    if digest in contents:
                        message = (
                            f"page {number} repeats the records of page {contents[digest]} "
                            f"(the server ignores paging?); stopped at {count} entries"
                        )
                        yield SourceRecord(None, (CatalogProblem(url, message),))
                        return
                    contents[digest] = number
                for record in page_records(page, url, count, trusted=True):
                    yield record
                count += len(page["data"])
                if not page["data"]:
                    if total is not None and count < total:
                        message = (
                            f"page {number} is empty although total is {total}; stopped at {count}"
                        )
                        yield SourceRecord(None, (CatalogProblem(url, message),))
                    return
                if total is not None and count >= total:
                    return
                following = _next_page(page.get("next_page"), own_origin, seen)
                if isinstance(following, CatalogProblem):
                    yield SourceRecord(None, (following,))
                    return
                url = following
            message = (
                f"stopped after {self._max_pages:,} pages ({count:,} entries) with more to "
                f"come: max_catalog_pages is {self._max_pages:,}; raise it with "
                "--limit max_catalog_pages=N to read further"
            )
            yield SourceRecord(None, (CatalogProblem(self._endpoint, message),))


def _read_api(material: Material) -> DatagouvApiSource:
    options = material.options
    return DatagouvApiSource(
        material.settings,
        material.location or options.datagouv_site,
        organization=options.organization,
        tag=options.tag,
        q=options.q,
        page_size=options.page_size,
    )


DATAGOUV_API = SourceType("datagouv", "remote", _read_api, prefix="datagouv:", server_filtered=True)
"""``datagouv:`` (the default site) or ``datagouv:URL``: the live API, filtered by the server."""


def _digest(records: list[Any]) -> bytes:
    """What a page's records say, in 16 bytes (to recognise a page served again)."""
    try:
        serial = orjson.dumps(records)
    except orjson.JSONEncodeError:  # an integer past 64 bits, from a YAML answer
        serial = repr(records).encode()
    return hashlib.blake2b(serial, digest_size=16).digest()


def _page_failure(observation: HttpObservation) -> tuple[str | None, bool]:
    """Why a page is unusable (None when it is fine) and whether to try again."""
    if observation.error_class is not None:
        return observation.describe(), observation.error_class in {"connect", "timeout", "protocol"}
    status = observation.status or 0
    if status >= 500:
        return f"HTTP {status}", True
    if status >= 400:
        return f"HTTP {status}", status == 429
    if status >= 300:
        return f"HTTP {status} without a usable redirect", False
    if observation.body is None:
        return "empty answer", False
    return None, False


def _next_page(
    value: Any, own_origin: tuple[str, str], seen: set[str]
) -> str | CatalogProblem | None:
    """The next page URL to follow, None at the end, or why it is not followed."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        return CatalogProblem("next_page", f"is a {type(value).__name__}, not a URL; stopped")
    if _origin(value) != own_origin:
        return CatalogProblem(
            value, "next_page leaves the site being listed; not followed, listing stopped"
        )
    if value in seen:
        return CatalogProblem(value, "next_page points back to a page already read; stopped")
    return value
