"""The live data.gouv.fr dataservices source against a fake API on 127.0.0.1."""

from __future__ import annotations

import asyncio
import json
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from auditor.catalog import LoadedCatalog, SourceOptions, load_sources
from auditor.catalog.base import SourceRecord
from auditor.catalog.datagouv_api import DatagouvApiSource
from auditor.context import AuditSettings, Limits, NetworkPolicy
from auditor.errors import CatalogError
from tests.conftest import LocalServer
from tests.support.datagouv import ENDPOINT, FakeDatagouv, Response, record

LOOPBACK = AuditSettings(network=NetworkPolicy(allow_private=True))


def collect(source: DatagouvApiSource) -> list[SourceRecord]:
    async def run() -> list[SourceRecord]:
        return [r async for r in source.records()]

    return asyncio.run(run())


def source(server: LocalServer, **options: Any) -> DatagouvApiSource:
    return DatagouvApiSource(LOOPBACK, server.url("/"), page_size=2, retry_delay=0, **options)


def entries(records: list[SourceRecord]) -> list[str]:
    return [r.entry.id for r in records if r.entry is not None]


def problems(records: list[SourceRecord]) -> list[str]:
    return [p.message for r in records for p in r.problems]


def test_pages_are_followed_a_500_is_retried_and_a_malformed_record_is_reported(
    http_server: LocalServer,
) -> None:
    fake = FakeDatagouv(http_server, {}, total=5)
    fake.pages = {
        1: [(200, fake.page(1, [record("a-1"), record("b-2", badges=())]))],
        2: [(500, {"message": "boom"}), (200, fake.page(2, [record("c-1"), "not a record"]))],
        3: [(200, fake.page(3, [record("d-2")], last=True))],
    }
    records = collect(source(http_server))
    assert entries(records) == ["a-1", "b-2", "c-1", "d-2"]
    assert problems(records) == ["is a str, not a record"]
    assert [q["page"] for q in fake.queries] == [["1"], ["2"], ["2"], ["3"]]  # page 2 twice
    first = next(r.entry for r in records if r.entry is not None)
    assert first.catalog == "datagouv"
    assert first.raw["organization_badges"] == ["public-service"]
    assert first.raw["declared_availability"] == 99.9 and "availability" not in first.raw
    assert first.origin == http_server.url(f"{ENDPOINT}?page=1&page_size=2")


def test_an_empty_page_ends_the_listing_with_a_note(http_server: LocalServer) -> None:
    fake = FakeDatagouv(http_server, {}, total=6)
    fake.pages = {
        1: [(200, fake.page(1, [record("a-1"), record("b-1")]))],
        2: [(200, fake.page(2, []))],
        3: [(200, fake.page(3, [record("never")]))],
    }
    records = collect(source(http_server))
    assert entries(records) == ["a-1", "b-1"]
    assert problems(records) == ["page 2 is empty although total is 6; stopped at 2"]
    assert len(fake.queries) == 2


def test_total_is_respected_even_when_next_page_says_more(http_server: LocalServer) -> None:
    fake = FakeDatagouv(http_server, {}, total=2)
    fake.pages = {1: [(200, fake.page(1, [record("a-1"), record("b-1")]))]}
    records = collect(source(http_server))
    assert entries(records) == ["a-1", "b-1"] and problems(records) == []
    assert len(fake.queries) == 1


def test_a_page_that_keeps_failing_keeps_what_was_read(http_server: LocalServer) -> None:
    fake = FakeDatagouv(http_server, {}, total=4)
    fake.pages = {
        1: [(200, fake.page(1, [record("a-1"), record("b-1")]))],
        2: [(502, b"<html>bad gateway</html>")],
    }
    records = collect(source(http_server))
    assert entries(records) == ["a-1", "b-1"]
    assert problems(records) == ["page 2 failed (HTTP 502); kept the 2 entries before it"]
    assert len(fake.queries) == 4  # page 1, then page 2 three times


@pytest.mark.parametrize(
    ("answer", "says"),
    [
        ((500, {"message": "down"}), "HTTP 500"),
        ((200, b"<html>maintenance</html>"), "answer is not JSON"),
        ((200, {"results": []}), "not a dataservices page"),
    ],
)
def test_a_first_page_that_fails_is_an_error(
    http_server: LocalServer, answer: Response, says: str
) -> None:
    FakeDatagouv(http_server, {1: [answer]}, total=1)
    with pytest.raises(CatalogError, match=says):
        collect(source(http_server))


def test_next_page_leaving_the_site_or_looping_is_not_followed(http_server: LocalServer) -> None:
    fake = FakeDatagouv(http_server, {}, total=10)
    off_site = fake.page(1, [record("a-1")])
    off_site["next_page"] = "http://169.254.169.254/latest/meta-data/"
    fake.pages = {1: [(200, off_site)]}
    records = collect(source(http_server))
    assert entries(records) == ["a-1"]
    assert "leaves the site being listed" in problems(records)[0]

    looping = fake.page(1, [record("a-1")])
    looping["next_page"] = http_server.url(f"{ENDPOINT}?page=1&page_size=2")
    fake.pages = {1: [(200, looping)]}
    records = collect(source(http_server))
    assert "points back to a page already read" in problems(records)[0]


def test_filters_are_sent_to_the_api_and_checked_locally(http_server: LocalServer) -> None:
    fake = FakeDatagouv(http_server, {}, total=2)
    # a server that ignores the filter: auditor still keeps only matching entries
    fake.pages = {1: [(200, fake.page(1, [record("a-1"), record("b-2")], last=True))]}
    options = SourceOptions(organization="org-a", tag="hvd", q="anything")
    loaded: LoadedCatalog = asyncio.run(
        load_sources([f"datagouv:{http_server.url('/')}"], LOOPBACK, options)
    )
    assert fake.queries[0]["organization"] == ["org-a"]
    assert fake.queries[0]["tag"] == ["hvd"]
    assert fake.queries[0]["q"] == ["anything"]
    assert [e.id for e in loaded.entries] == ["a-1"]  # q is left to the portal's search
    assert loaded.filtered_out == 1


def test_loopback_is_refused_without_the_opt_in(http_server: LocalServer) -> None:
    FakeDatagouv(http_server, {1: [(200, {"data": [], "total": 0})]}, total=0)
    with pytest.raises(CatalogError, match="cannot list dataservices"):
        asyncio.run(load_sources([f"datagouv:{http_server.url('/')}"], AuditSettings()))
    assert http_server.requests == []


class EndlessDatagouv:
    """A listing that never ends: every page has a next_page and (unless ``repeat``)
    records of its own, like the one followed for 10,000 pages and 1,000,000 entries."""

    def __init__(self, server: LocalServer, *, repeat: bool = False) -> None:
        self.server = server
        self.repeat = repeat
        self.pages: list[int] = []
        server.routes[ENDPOINT] = self.handle

    def handle(self, handler: BaseHTTPRequestHandler) -> None:
        number = int(parse_qs(urlsplit(handler.path).query).get("page", ["1"])[0])
        self.pages.append(number)
        shown = 1 if self.repeat else number  # a server that ignores ?page= repeats page 1
        body = json.dumps(
            {
                "data": [record(f"p{shown}-{i}") for i in range(2)],
                "page": number,
                "page_size": 2,
                "total": None,
                "next_page": self.server.url(f"{ENDPOINT}?page={number + 1}&page_size=2"),
            }
        ).encode()
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)


def capped(**limits: int) -> AuditSettings:
    return AuditSettings(network=NetworkPolicy(allow_private=True), limits=Limits(**limits))


def test_an_endless_listing_stops_at_the_page_cap(http_server: LocalServer) -> None:
    fake = EndlessDatagouv(http_server)
    site = f"datagouv:{http_server.url('/')}"
    loaded = asyncio.run(load_sources([site], capped(max_catalog_pages=5)))
    assert fake.pages == [1, 2, 3, 4, 5]
    assert len(loaded.entries) == 10
    (problem,) = loaded.problems
    assert problem.origin == http_server.url(ENDPOINT)  # the source
    assert problem.message == (
        "stopped after 5 pages (10 entries) with more to come: max_catalog_pages is 5; "
        "raise it with --limit max_catalog_pages=N to read further"
    )


def test_an_endless_listing_stops_at_the_entries_cap_without_fetching_more(
    http_server: LocalServer,
) -> None:
    fake = EndlessDatagouv(http_server)
    site = f"datagouv:{http_server.url('/')}"
    loaded = asyncio.run(load_sources([site], capped(max_catalog_entries=7)))
    assert [e.id for e in loaded.entries] == [f"p{n}-{i}" for n in (1, 2, 3, 4) for i in (0, 1)][:7]
    assert fake.pages == [1, 2, 3, 4]  # the reader was closed: no page 5
    (problem,) = loaded.problems
    assert problem.origin == http_server.url(ENDPOINT)
    assert problem.message.startswith("reading stopped after 7 records; max_catalog_entries is 7")
    assert "--limit max_catalog_entries=N" in problem.message


def test_a_server_that_repeats_its_pages_is_stopped(http_server: LocalServer) -> None:
    fake = EndlessDatagouv(http_server, repeat=True)
    loaded = asyncio.run(load_sources([f"datagouv:{http_server.url('/')}"], LOOPBACK))
    assert [e.id for e in loaded.entries] == ["p1-0", "p1-1"]  # not renamed copies
    assert fake.pages == [1, 2]
    (problem,) = loaded.problems
    assert problem.origin == http_server.url(f"{ENDPOINT}?page=2&page_size=2")
    assert problem.message == (
        "page 2 repeats the records of page 1 (the server ignores paging?); stopped at 2 entries"
    )
