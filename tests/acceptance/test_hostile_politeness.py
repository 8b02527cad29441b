"""Politeness under pressure: concurrency per host and overall, retries, back-off,
conditional requests, decoding, cookies, budgets — against real local servers.
"""

from __future__ import annotations

import asyncio
import gzip
import socket
import threading
import time
import zlib
from collections.abc import Iterator
from email.utils import formatdate

import brotli
import pytest

from auditor.context import DEFAULT_USER_AGENT, AuditSettings, Limits, NetworkPolicy
from auditor.methodology import load_methodology
from auditor.model import Entry, Outcome
from auditor.net.fetcher import Fetcher, Validators
from auditor.net.observation import HttpObservation
from auditor.net.transport import HTTP_CLIENTS
from auditor.run.loop import run_audit
from tests.support.hostile import HostileServer, Request, using_http_client

LOOPBACK = NetworkPolicy(allow_private=True)


@pytest.fixture(scope="module", params=HTTP_CLIENTS, autouse=True)
def http_client(request: pytest.FixtureRequest) -> Iterator[str]:
    with using_http_client(request.param) as name:
        yield name


@pytest.fixture
def hostile() -> Iterator[HostileServer]:
    server = HostileServer()
    yield server
    server.stop()


def settings(**limits: float) -> AuditSettings:
    values: dict = {"timeout": 2, "retries": 0}
    values.update(limits)
    return AuditSettings(network=LOOPBACK, limits=Limits(**values))


def fetch(
    url: str,
    s: AuditSettings,
    *,
    method: str = "GET",
    validators: Validators | None = None,
    headers: dict[str, str] | None = None,
) -> HttpObservation:
    async def go() -> HttpObservation:
        async with Fetcher(s, validators=validators) as fetcher:
            return await fetcher.fetch(url, method=method, headers=headers)

    return asyncio.run(go())


def slow(r: Request) -> None:
    time.sleep(0.05)
    r.respond(200, b"{}", Content_Type="application/json")


class Sequence:
    """Answers from a list of (status, headers) in turn, then 200; records arrival times."""

    def __init__(self, *answers: tuple[int, dict[str, str]]) -> None:
        self.answers = list(answers)
        self.times: list[float] = []
        self._lock = threading.Lock()

    def __call__(self, r: Request) -> None:
        with self._lock:
            self.times.append(time.monotonic())
            status, headers = self.answers.pop(0) if self.answers else (200, {})
        r.respond(status, b"body", **headers)


# --- concurrency ---------------------------------------------------------------------


def test_many_entries_on_one_host_never_exceed_the_per_host_limit(hostile: HostileServer) -> None:
    for i in range(30):
        hostile.routes[f"/api/{i}"] = slow
        hostile.routes[f"/spec/{i}.json"] = slow
    entries = [
        Entry(
            f"e{i}",
            f"E{i}",
            base_url=hostile.url(f"/api/{i}"),
            spec_url=hostile.url(f"/spec/{i}.json"),
        )
        for i in range(30)
    ]
    run_audit(entries, settings(per_host=3, concurrency=64), load_methodology())
    assert len(hostile.seen) >= 60
    assert hostile.peak["127.0.0.1"] == 3  # reached, never passed


def test_many_hosts_never_exceed_the_global_limit(hostile: HostileServer) -> None:
    names = [f"host{i}.test" for i in range(12)]
    for i in range(12):
        hostile.routes[f"/api/{i}"] = slow
    s = AuditSettings(
        network=NetworkPolicy(host_overrides={n: ("127.0.0.1", hostile.port) for n in names}),
        limits=Limits(timeout=2, retries=0, per_host=4, concurrency=5),
    )
    entries = [
        Entry(f"e{i}{j}", "E", base_url=f"http://{name}/api/{i}")
        for i, name in enumerate(names)
        for j in range(3)
    ]
    run_audit(entries, s, load_methodology())
    assert hostile.peak["*"] <= 5
    assert max(hostile.peak[n] for n in names) <= 4
    assert hostile.peak["*"] >= 2  # the limit is a ceiling, not a queue of one


def test_a_trickling_server_gives_its_slot_back_at_the_timeout(hostile: HostileServer) -> None:
    def trickle(r: Request) -> None:
        r.head(200, {"Content-Length": "1000"})
        r.stream((b"x" for _ in range(1000)), pause=0.3)

    hostile.routes["/trickle"] = trickle
    hostile.routes["/fine"] = slow
    entries = [
        Entry("trickle", "T", spec_url=hostile.url("/trickle")),
        Entry("fine", "F", spec_url=hostile.url("/fine")),
    ]
    s = settings(per_host=1, timeout=1, entry_timeout=20)
    results = {r.entry.id: r for r in run_audit(entries, s, load_methodology())}
    trickled = {f.check: f for f in results["trickle"].findings}["availability.spec_url"]
    assert trickled.facts["error_class"] == "timeout"
    fine = {f.check: f for f in results["fine"].findings}
    # with one slot for the host, the healthy entry could only run once the trickle let go
    assert fine["availability"].outcome is Outcome.PASS


def test_the_entry_budget_bounds_a_slow_entry_without_touching_the_next(
    hostile: HostileServer,
) -> None:
    def trickle(r: Request) -> None:
        r.head(200, {"Content-Length": "1000"})
        r.stream((b"x" for _ in range(1000)), pause=0.2)

    hostile.routes["/trickle"] = trickle
    hostile.routes["/fine"] = slow
    entries = [
        Entry("slow", "S", spec_url=hostile.url("/trickle")),
        Entry("fine", "F", base_url=hostile.url("/fine")),
    ]
    s = settings(timeout=30, fetch_timeout=60, entry_timeout=1)
    results = {r.entry.id: r for r in run_audit(entries, s, load_methodology())}
    errors = [f.message for f in results["slow"].findings if f.check.startswith("probe.")]
    assert any("did not finish within the 1s entry budget" in m for m in errors)
    fine = {f.check: f for f in results["fine"].findings}
    assert fine["availability"].outcome is Outcome.PASS


# --- retries ---------------------------------------------------------------------------


@pytest.mark.parametrize("status", [400, 403, 404, 410, 500, 502])
def test_other_errors_are_not_retried(hostile: HostileServer, status: int) -> None:
    answers = Sequence(*[(status, {})] * 5)
    hostile.routes["/api"] = answers
    observation = fetch(hostile.url("/api"), settings(retries=3))
    assert observation.status == status
    assert observation.attempts == 1
    assert len(answers.times) == 1


@pytest.mark.parametrize("status", [429, 503])
def test_429_and_503_honour_retry_after_in_seconds(hostile: HostileServer, status: int) -> None:
    answers = Sequence((status, {"Retry-After": "1"}))
    hostile.routes["/api"] = answers
    observation = fetch(hostile.url("/api"), settings(retries=2))
    assert observation.status == 200
    assert observation.attempts == 2
    assert answers.times[1] - answers.times[0] >= 0.9


def test_retry_after_as_an_http_date_is_honoured(hostile: HostileServer) -> None:
    when = formatdate(time.time() + 2, usegmt=True)
    answers = Sequence((429, {"Retry-After": when}))
    hostile.routes["/api"] = answers
    observation = fetch(hostile.url("/api"), settings(retries=1))
    assert observation.status == 200
    # the date has one-second resolution: at least one second, at most the cap
    assert answers.times[1] - answers.times[0] >= 0.9


def test_retry_after_beyond_the_cap_is_not_retried_early(hostile: HostileServer) -> None:
    answers = Sequence((429, {"Retry-After": "3600"}))
    hostile.routes["/api"] = answers
    observation = fetch(hostile.url("/api"), settings(retries=3, max_retry_after=5))
    assert observation.status == 429
    assert observation.attempts == 1
    assert observation.retry_after == 3600
    assert observation.facts()["retry_after"] == 3600
    assert len(answers.times) == 1


def test_429_without_retry_after_backs_off_and_gives_up(hostile: HostileServer) -> None:
    answers = Sequence(*[(429, {})] * 10)
    hostile.routes["/api"] = answers
    observation = fetch(hostile.url("/api"), settings(retries=2, retry_backoff=0.1))
    assert observation.status == 429
    assert observation.attempts == 3
    gaps = [b - a for a, b in zip(answers.times, answers.times[1:], strict=False)]
    # exponential with ±50% jitter: ≥ 0.05 s, then ≥ 0.1 s
    assert gaps[0] >= 0.04 and gaps[1] >= 0.09


def test_a_host_that_says_wait_makes_every_request_to_it_wait(hostile: HostileServer) -> None:
    busy = Sequence((429, {"Retry-After": "1"}))
    other = Sequence()
    hostile.routes["/busy"] = busy
    hostile.routes["/other"] = other

    async def go() -> None:
        async with Fetcher(settings(retries=1)) as fetcher:
            first = asyncio.ensure_future(fetcher.fetch(hostile.url("/busy")))
            while not busy.times:
                await asyncio.sleep(0.01)
            await asyncio.sleep(0.2)
            await asyncio.gather(first, fetcher.fetch(hostile.url("/other")))

    asyncio.run(go())
    assert other.times[0] - busy.times[0] >= 0.9


def test_connection_refused_is_retried_with_backoff() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    observation = fetch(f"http://127.0.0.1:{port}/", settings(retries=2, retry_backoff=0.05))
    assert observation.error_class == "connect"
    assert observation.attempts == 3


def test_a_host_refusing_every_connection_is_tried_but_no_longer_retried(
    hostile: HostileServer,
) -> None:
    """After 5 failed connections in a row to a host (any fetches), its failures are not
    retried: each URL is still tried once. One answer from the host and retries are back."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{sock.getsockname()[1]}/"
    hostile.routes["/ok"] = lambda r: r.respond(200, b"{}", Content_Type="application/json")

    async def go() -> list[HttpObservation]:
        async with Fetcher(settings(retries=2, retry_backoff=0.01)) as fetcher:
            seen = [await fetcher.fetch(closed) for _ in range(3)]
            seen.append(await fetcher.fetch(hostile.url("/ok")))  # the same host answers
            seen.append(await fetcher.fetch(closed))
            return seen

    first, second, third, answered, again = asyncio.run(go())
    assert [o.attempts for o in (first, second, third)] == [3, 2, 1]
    assert {o.error_class for o in (first, second, third, again)} == {"connect"}
    assert "not retried" not in (first.error or "")
    assert "not retried: the last 6 connection attempts to 127.0.0.1" in (third.error or "")
    assert answered.status == 200 and again.attempts == 3


def test_a_hang_up_is_retried_then_reported(hostile: HostileServer) -> None:
    count = []
    hostile.routes["/api"] = lambda r: (count.append(1), r.sock.close())
    observation = fetch(hostile.url("/api"), settings(retries=1, retry_backoff=0.05))
    assert observation.error_class == "reset"
    assert observation.attempts == 2
    assert len(count) == 2


def test_the_fetch_budget_bounds_retries_and_redirects_together(hostile: HostileServer) -> None:
    def slow_hop(r: Request) -> None:
        time.sleep(0.4)
        r.respond(302, Location=f"/hop{int(r.path[4:]) + 1}")

    for i in range(6):
        hostile.routes[f"/hop{i}"] = slow_hop
    observation = fetch(hostile.url("/hop0"), settings(timeout=1, fetch_timeout=1.0))
    assert observation.error_class == "timeout"
    assert "budget" in (observation.error or "") or "within" in (observation.error or "")
    assert len(hostile.seen) <= 4
    assert observation.elapsed_ms is not None and observation.elapsed_ms < 1500


# --- HEAD, User-Agent, conditional requests, decoding, cookies ---------------------------


@pytest.mark.parametrize("refusal", ["501", "405", "hang-up"])
def test_head_first_then_get_when_head_is_not_served(hostile: HostileServer, refusal: str) -> None:
    def handler(r: Request) -> None:
        if r.method == "HEAD":
            if refusal == "hang-up":
                r.sock.close()
            else:
                r.respond(int(refusal))
        else:
            r.respond(200, b"hello")

    hostile.routes["/api"] = handler
    results = run_audit(
        [Entry("h", "H", base_url=hostile.url("/api"))], settings(), load_methodology()
    )
    base = {f.check: f for f in results[0].findings}["availability.base_url"]
    assert [m for m, p, _ in hostile.seen if p == "/api"] == ["HEAD", "GET"]
    assert base.facts["method"] == "GET"
    assert base.outcome is Outcome.PASS


def test_identifying_user_agent_and_override(hostile: HostileServer) -> None:
    hostile.routes["/api"] = lambda r: r.respond(200)
    fetch(hostile.url("/api"), settings())
    custom = AuditSettings(network=LOOPBACK, user_agent="my-audit/1 (+mailto:ops@example.org)")
    fetch(hostile.url("/api"), custom)
    agents = [h["user-agent"] for _, _, h in hostile.seen]
    assert agents == [DEFAULT_USER_AGENT, "my-audit/1 (+mailto:ops@example.org)"]
    assert DEFAULT_USER_AGENT.startswith("auditor/") and "(+https://" in DEFAULT_USER_AGENT


ETAG = '"v1"'
MODIFIED = "Wed, 21 Oct 2015 07:28:00 GMT"


def conditional(r: Request) -> None:
    if r.headers.get("if-none-match") == ETAG or r.headers.get("if-modified-since") == MODIFIED:
        r.head(304, {"ETag": ETAG})
    else:
        r.respond(200, b"spec body", ETag=ETAG, Last_Modified=MODIFIED)


def test_known_validators_make_a_conditional_get_and_304_is_unchanged(
    hostile: HostileServer,
) -> None:
    hostile.routes["/spec.json"] = conditional
    observation = fetch(
        hostile.url("/spec.json"), settings(), validators=lambda _u: (ETAG, MODIFIED)
    )
    sent = hostile.seen[0][2]
    assert sent["if-none-match"] == ETAG
    assert sent["if-modified-since"] == MODIFIED
    assert observation.status == 304
    assert observation.not_modified is True
    assert observation.body is None
    assert observation.facts()["not_modified"] is True
    assert observation.describe() == "HTTP 304, unchanged since the last run"


def test_unknown_validators_fetch_in_full(hostile: HostileServer) -> None:
    hostile.routes["/spec.json"] = conditional
    observation = fetch(hostile.url("/spec.json"), settings(), validators=lambda _u: (None, None))
    assert "if-none-match" not in hostile.seen[0][2]
    assert observation.status == 200 and observation.body == b"spec body"
    assert observation.not_modified is False
    assert observation.etag == ETAG and observation.last_modified == MODIFIED


def test_head_requests_are_never_conditional(hostile: HostileServer) -> None:
    hostile.routes["/spec.json"] = conditional
    fetch(hostile.url("/spec.json"), settings(), method="HEAD", validators=lambda _u: (ETAG, None))
    assert "if-none-match" not in hostile.seen[0][2]


PAYLOAD = b'{"openapi": "3.0.3", "paths": {}}' * 2000


@pytest.mark.parametrize(
    ("encoding", "encode"),
    [
        ("gzip", gzip.compress),
        ("deflate", zlib.compress),
        ("br", brotli.compress),
        ("gzip, br", lambda b: brotli.compress(gzip.compress(b))),
        ("identity", lambda b: b),
    ],
)
def test_compressed_bodies_are_decoded(hostile: HostileServer, encoding: str, encode) -> None:  # type: ignore[no-untyped-def]
    wire = encode(PAYLOAD)
    hostile.routes["/spec.json"] = lambda r: r.respond(200, wire, Content_Encoding=encoding)
    observation = fetch(hostile.url("/spec.json"), settings())
    assert "gzip" in hostile.seen[0][2]["accept-encoding"]
    assert observation.body == PAYLOAD
    assert observation.size == len(PAYLOAD)
    assert observation.wire_bytes == len(wire)


@pytest.mark.parametrize("encoding", ["zstd", "gzip"])
def test_undecodable_bodies_are_decode_errors(hostile: HostileServer, encoding: str) -> None:
    hostile.routes["/spec.json"] = lambda r: r.respond(
        200, b"not compressed", Content_Encoding=encoding
    )
    observation = fetch(hostile.url("/spec.json"), settings())
    assert observation.error_class == "decode"
    assert observation.status == 200
    assert observation.body is None


def test_cookies_are_never_sent_back(hostile: HostileServer) -> None:
    hostile.routes["/a"] = lambda r: r.respond(200, b"a", Set_Cookie="session=secret; Path=/")
    hostile.routes["/b"] = lambda r: r.respond(200, b"b")

    async def go() -> None:
        async with Fetcher(settings()) as fetcher:
            await fetcher.fetch(hostile.url("/a"))
            await fetcher.fetch(hostile.url("/b"))

    asyncio.run(go())
    assert "cookie" not in hostile.seen[1][2]
