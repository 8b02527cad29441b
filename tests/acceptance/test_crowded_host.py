"""Many entries on one host: admission per host and site documents fetched once per run.

A real server on 127.0.0.1 answers slowly; the catalog lists all its APIs on
it, as a ministry gateway's catalog does. Entries must not run out of time
queueing for the host's request slots, and the site's own documents
(security.txt, llms.txt, the home page) are asked for once, not per entry.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler

from auditor.context import AuditSettings, Limits, NetworkPolicy
from auditor.methodology import load_methodology
from auditor.model import Entry, Outcome
from auditor.run.loop import audit_entries, run_audit
from tests.conftest import LocalServer

SPEC = json.dumps(
    {
        "openapi": "3.0.3",
        "info": {"title": "Items", "version": "1.0"},
        "paths": {"/items": {"get": {"responses": {"200": {"description": "ok"}}}}},
    }
).encode()
HOME = b"<!doctype html><html><body><a href='/legal'>Mentions legales</a></body></html>"
SECURITY_TXT = b"Contact: mailto:security@example.org\nExpires: 2099-01-01T00:00:00Z\n"


class SlowSite:
    """Every answer takes ``delay`` seconds; counts requests and the most in flight."""

    def __init__(self, server: LocalServer, delay: float) -> None:
        self.delay = delay
        self.in_flight = 0
        self.most = 0
        self.lock = threading.Lock()
        self.asked: Counter[tuple[str, str]] = Counter()
        for path, body, kind in (
            ("/", HOME, "text/html"),
            ("/.well-known/security.txt", SECURITY_TXT, "text/plain"),
            ("/spec.json", SPEC, "application/json"),
        ):
            server.routes[path] = self.answer(body, kind)
        for i in range(40):
            server.routes[f"/api/{i}"] = self.answer(b"{}", "application/json")
            server.routes[f"/docs/{i}"] = self.answer(
                b"<html><body>Docs</body></html>", "text/html"
            )

    def answer(self, body: bytes, kind: str):  # type: ignore[no-untyped-def]
        def handler(h: BaseHTTPRequestHandler) -> None:
            with self.lock:
                self.in_flight += 1
                self.most = max(self.most, self.in_flight)
                self.asked[(h.command, h.path)] += 1
            time.sleep(self.delay)
            with self.lock:
                self.in_flight -= 1
            h.send_response(200)
            h.send_header("Content-Type", kind)
            h.send_header("Content-Length", str(len(body)))
            h.end_headers()
            if h.command != "HEAD":
                h.wfile.write(body)

        return handler


def catalog(server: LocalServer, count: int) -> list[Entry]:
    return [
        Entry(
            id=f"api-{i}",
            title=f"API {i}",
            base_url=server.url(f"/api/{i}"),
            spec_url=server.url("/spec.json"),
            docs_url=server.url(f"/docs/{i}"),
            homepage_url=server.url("/"),
        )
        for i in range(count)
    ]


def test_entries_queued_behind_one_host_do_not_spend_their_budget_waiting(
    http_server: LocalServer,
) -> None:
    site = SlowSite(http_server, delay=0.1)
    # 16 entries x ~3 slow requests of 0.1 s through 2 slots take ~2.4 s in all; each entry
    # has 1.5 s. Started together they would all wait in the host's queue and overrun.
    limits = Limits(retries=0, timeout=2, per_host=2, concurrency=16, entry_timeout=1.5)
    settings = AuditSettings(network=NetworkPolicy(allow_private=True), limits=limits)
    results = run_audit(catalog(http_server, 16), settings, load_methodology())
    overrun = [f.message for r in results for f in r.findings if "entry budget" in f.message]
    assert overrun == []
    availability = {
        r.entry.id: next(f.outcome for f in r.findings if f.check == "availability")
        for r in results
    }
    assert set(availability.values()) == {Outcome.PASS}, availability
    assert site.most <= 2


def test_site_documents_are_fetched_once_per_run_and_cited_by_every_entry(
    http_server: LocalServer,
) -> None:
    site = SlowSite(http_server, delay=0.0)
    settings = AuditSettings(
        network=NetworkPolicy(allow_private=True), limits=Limits(retries=0, timeout=2)
    )
    results = run_audit(catalog(http_server, 6), settings, load_methodology())
    assert site.asked[("GET", "/.well-known/security.txt")] == 1
    assert site.asked[("GET", "/")] == 1
    for i in range(6):  # each entry's own docs page: one GET, no HEAD before it
        assert site.asked[("GET", f"/docs/{i}")] == 1
        assert site.asked[("HEAD", f"/docs/{i}")] == 0
    policies = {
        next(f.subject for f in r.findings if f.check == "published_policy") for r in results
    }
    assert policies == {http_server.url("/.well-known/security.txt")}
    docs = [next(f for f in r.findings if f.check == "availability.docs_url") for r in results]
    assert {f.outcome for f in docs} == {Outcome.PASS}


def test_a_caller_that_stops_reading_leaves_no_probe_running(http_server: LocalServer) -> None:
    """Breaking out of ``audit_entries`` (or Ctrl-C) stops every probe before the fetcher
    closes: no task left behind, no request sent after it closed."""
    asked: list[float] = []

    def slow(h: BaseHTTPRequestHandler) -> None:
        asked.append(time.monotonic())
        number = int(h.path[2:]) if h.path.startswith("/a") else 0
        time.sleep(0.3 + 0.4 * (number % 4))
        h.send_response(200)
        h.send_header("Content-Type", "text/html")
        h.send_header("Content-Length", "13")
        h.end_headers()
        if h.command != "HEAD":
            h.wfile.write(b"<html></html>")

    for path in ("/", "/.well-known/security.txt", *(f"/a{i}" for i in range(40))):
        http_server.routes[path] = slow
    limits = Limits(retries=0, timeout=5, per_host=4, concurrency=8)
    settings = AuditSettings(network=NetworkPolicy(allow_private=True), limits=limits)
    entries = [
        Entry(
            id=f"e{i}",
            title="t",
            base_url=http_server.url(f"/a{i}"),
            homepage_url=http_server.url(),
        )
        for i in range(40)
    ]

    async def stop_after_one() -> tuple[list[str], float]:
        async for _result in audit_entries(entries, settings, load_methodology()):
            break
        stopped = time.monotonic()
        for _ in range(20):
            await asyncio.sleep(0.01)
        left = [t.get_name() for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        await asyncio.sleep(1.5)  # longer than any answer takes: a probe still running asks
        return left, stopped

    left, stopped = asyncio.run(stop_after_one())
    assert left == []
    assert [t for t in asked if t > stopped] == []


def test_a_passing_failure_is_not_remembered_for_the_rest_of_the_run(
    http_server: LocalServer,
) -> None:
    """security.txt answers 503 once: that entry cannot check it (unknown, not a fail), and
    once the failure's time to live is over (0 here; 15 s by default) the next entries ask
    again and find it, instead of citing the blip all run long."""
    calls: list[int] = []

    def flaky(h: BaseHTTPRequestHandler) -> None:
        calls.append(1)
        status, body = (503, b"") if len(calls) == 1 else (200, SECURITY_TXT)
        h.send_response(status)
        h.send_header("Content-Type", "text/plain")
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)

    http_server.routes["/.well-known/security.txt"] = flaky
    for i in range(3):
        http_server.add(f"/api/{i}", 200, "{}", "application/json")
    limits = Limits(retries=0, timeout=2, concurrency=1, shared_failure_ttl=0)
    settings = AuditSettings(network=NetworkPolicy(allow_private=True), limits=limits)
    entries = [Entry(f"e{i}", "E", base_url=http_server.url(f"/api/{i}")) for i in range(3)]
    results = run_audit(entries, settings, load_methodology())
    policy = {
        r.entry.id: next(f.outcome for f in r.findings if f.check == "published_policy")
        for r in results
    }
    assert policy == {"e0": Outcome.UNKNOWN, "e1": Outcome.PASS, "e2": Outcome.PASS}
    assert len(calls) == 2  # asked again once after the 503, then shared
