"""A 304 standing for a stored spec (``auditor/run/spec_fetcher.py``), against a real server.

A spec fetch gets the 304 without the document (read only if it must be
analysed); any other fetch of the URL gets the stored document; a stored copy
that cannot be read is fetched again without validators.
"""

from __future__ import annotations

import asyncio
from http.server import BaseHTTPRequestHandler

from auditor.context import AuditSettings, NetworkPolicy
from auditor.model import Finding
from auditor.net.fetcher import Purpose
from auditor.net.observation import HttpObservation
from auditor.run.spec_fetcher import SpecKeepingFetcher
from tests.conftest import LocalServer

BODY = b'{"openapi": "3.0.3"}'
SETTINGS = AuditSettings(network=NetworkPolicy(allow_private=True))


class Stored:
    """A store's snapshot library, in memory: one document, possibly unreadable."""

    def __init__(self, readable: bool = True) -> None:
        self.readable = readable
        self.not_modified = 0
        self.forgotten: list[str] = []
        self.reads = 0

    def conditional(self, url: str) -> tuple[str | None, str | None]:
        return (None, None) if url in self.forgotten else ('"v1"', None)

    def stored_body(self, url: str) -> bytes | None:
        self.reads += 1
        return BODY if self.readable else None

    def stand_in(self, url: str) -> tuple[str, int] | None:
        return "a" * 64, len(BODY)

    def spec_findings(self, entry_id: str, url: str, sha: str) -> list[Finding] | None:
        return None

    def forget(self, url: str) -> None:
        self.forgotten.append(url)


def etag_route(server: LocalServer) -> str:
    def spec(handler: BaseHTTPRequestHandler) -> None:
        if handler.headers.get("If-None-Match") == '"v1"':
            handler.send_response(304)
            handler.send_header("ETag", '"v1"')
            handler.send_header("Content-Length", "0")
            handler.end_headers()
            return
        handler.send_response(200)
        handler.send_header("Content-Length", str(len(BODY)))
        handler.end_headers()
        handler.wfile.write(BODY)

    server.routes["/spec.json"] = spec
    return server.url("/spec.json")


async def fetch_both(url: str, stored: Stored) -> tuple[HttpObservation, ...]:
    async with SpecKeepingFetcher(SETTINGS, lambda _u, _b: None, stored) as fetcher:
        spec = await fetcher.fetch(url, purpose=Purpose.SPEC)
        page = await fetcher.fetch(url)
        assert fetcher.stood_in(spec) == "a" * 64 and fetcher.stood_in(page) is None
        read = await fetcher.document(spec)
        return spec, page, read


def test_a_spec_fetch_gets_the_304_unread_and_a_page_the_stored_document(
    http_server: LocalServer,
) -> None:
    stored = Stored()
    spec, page, read = asyncio.run(fetch_both(etag_route(http_server), stored))
    assert spec.not_modified and spec.body is None and spec.size == len(BODY)
    assert page.not_modified and page.body == BODY
    assert read.not_modified and read.body == BODY
    assert stored.reads == 2 and stored.not_modified == 2


def test_an_unreadable_stored_copy_is_fetched_again_without_validators(
    http_server: LocalServer,
) -> None:
    stored = Stored(readable=False)
    url = etag_route(http_server)

    async def run() -> HttpObservation:
        async with SpecKeepingFetcher(SETTINGS, lambda _u, _b: None, stored) as fetcher:
            spec = await fetcher.fetch(url, purpose=Purpose.SPEC)
            return await fetcher.document(spec)

    read = asyncio.run(run())
    assert read.status == 200 and read.body == BODY and not read.not_modified
    assert stored.forgotten == [url] and stored.not_modified == 0
    asked = [h for _m, path, h in http_server.requests if path == "/spec.json"]
    assert "If-None-Match" in asked[0] and "If-None-Match" not in asked[-1]
