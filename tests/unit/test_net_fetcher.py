"""The fetcher's policy through the transport seam, with a scripted transport.

No sockets: a ``ScriptedTransport`` answers each URL from a script. This
pins the fetcher's own decisions (retries, redirects, caps, budgets,
validators) and shows that a transport other than httpx plugs in unchanged.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import pytest

from auditor.context import AuditSettings, Limits
from auditor.net.fetcher import Fetcher, Validators
from auditor.net.guard import AddressRefused
from auditor.net.observation import HttpObservation
from auditor.net.transport import ResponseHead, TransportError


@dataclass
class Answer:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: list[bytes] = field(default_factory=lambda: [b"ok"])
    error: Exception | None = None
    delay: float = 0.0


@dataclass
class ScriptedExchange:
    head: ResponseHead
    chunks: list[bytes]

    async def raw_body(self) -> AsyncIterator[bytes]:
        for chunk in self.chunks:
            yield chunk


class ScriptedTransport:
    def __init__(self, script: dict[str, list[Answer] | Callable[[], Answer]]) -> None:
        self.script = script
        self.sent: list[tuple[str, str, dict[str, str]]] = []
        self.closed = False

    @asynccontextmanager
    async def exchange(
        self, method: str, url: str, headers: dict[str, str]
    ) -> AsyncIterator[ScriptedExchange]:
        self.sent.append((method, url, dict(headers)))
        entry = self.script[url]
        answer = entry() if callable(entry) else (entry.pop(0) if len(entry) > 1 else entry[0])
        if answer.delay:
            await asyncio.sleep(answer.delay)
        if answer.error is not None:
            raise answer.error
        head = ResponseHead(
            answer.status, url, tuple((k.lower(), v) for k, v in answer.headers.items())
        )
        yield ScriptedExchange(head, answer.body)

    async def aclose(self) -> None:
        self.closed = True


def run(
    script: dict[str, list[Answer] | Callable[[], Answer]],
    url: str = "http://api.example/x",
    *,
    validators: Validators | None = None,
    method: str = "GET",
    max_bytes: int | None = None,
    **limits: float,
) -> tuple[HttpObservation, ScriptedTransport]:
    values: dict = {"retries": 2, "retry_backoff": 0.001, "timeout": 1}
    values.update(limits)
    transport = ScriptedTransport(script)

    async def go() -> HttpObservation:
        settings = AuditSettings(limits=Limits(**values))
        async with Fetcher(settings, validators=validators, transport=transport) as fetcher:
            return await fetcher.fetch(url, method=method, max_bytes=max_bytes)

    observation = asyncio.run(go())
    assert transport.closed
    return observation, transport


URL = "http://api.example/x"


def test_503_is_retried_until_it_answers() -> None:
    obs, transport = run({URL: [Answer(503), Answer(503), Answer(200)]})
    assert obs.status == 200 and obs.attempts == 3 and obs.body == b"ok"
    assert len(transport.sent) == 3


def test_retries_stop_at_the_limit() -> None:
    obs, transport = run({URL: [Answer(503)]}, retries=1)
    assert obs.status == 503 and obs.attempts == 2 and len(transport.sent) == 2


@pytest.mark.parametrize(
    ("error_class", "retried"),
    [
        ("connect", True),
        ("timeout", True),
        ("reset", True),
        ("tls", False),
        ("dns", False),
        ("protocol", False),
    ],
)
def test_which_transport_errors_are_retried(error_class: str, retried: bool) -> None:
    obs, transport = run({URL: [Answer(error=TransportError(error_class, "boom"))]})
    assert obs.error_class == error_class
    assert len(transport.sent) == (3 if retried else 1)


def test_refusals_are_never_retried() -> None:
    obs, transport = run({URL: [Answer(error=AddressRefused("refused: private address x"))]})
    assert obs.error_class == "refused" and len(transport.sent) == 1


def test_unexpected_transport_exceptions_become_observations() -> None:
    obs, _ = run({URL: [Answer(error=RuntimeError("library bug"))]})
    assert obs.error_class == "protocol"
    assert obs.error == "RuntimeError: library bug"


def test_relative_redirects_are_resolved_and_recorded() -> None:
    script: dict = {
        URL: [Answer(301, {"Location": "/y"})],
        "http://api.example/y": [Answer(308, {"Location": "https://other.example/z?q=1"})],
        "https://other.example/z?q=1": [Answer(200)],
    }
    obs, _ = run(script)
    assert obs.status == 200
    assert obs.redirects == (URL, "http://api.example/y")
    assert obs.final_url == "https://other.example/z?q=1"
    assert obs.url == URL


def test_a_3xx_without_location_is_a_final_answer() -> None:
    obs, _ = run({URL: [Answer(302)]})
    assert obs.status == 302 and obs.error_class is None


def test_redirect_limit() -> None:
    script: dict = {
        f"http://api.example/{i}": [Answer(302, {"Location": f"/{i + 1}"})] for i in range(10)
    }
    obs, transport = run(script, "http://api.example/0", max_redirects=3)
    assert obs.error_class == "redirects"
    assert obs.error == "more than 3 redirects"
    assert len(transport.sent) == 4


def test_declared_length_over_the_cap_reads_nothing() -> None:
    obs, _ = run({URL: [Answer(200, {"Content-Length": "5000"}, [b"x" * 5000])]}, max_bytes=1000)
    assert obs.error_class == "too_large" and obs.wire_bytes == 0 and obs.body is None


def test_undeclared_body_over_the_cap_stops_just_past_it() -> None:
    obs, _ = run({URL: [Answer(200, {}, [b"x" * 400] * 100)]}, max_bytes=1000)
    assert obs.error_class == "too_large"
    assert obs.error == "body exceeds the 1,000-byte cap"
    assert obs.wire_bytes == 1200


def test_body_at_the_cap_is_kept() -> None:
    obs, _ = run({URL: [Answer(200, {}, [b"x" * 500] * 2)]}, max_bytes=1000)
    assert obs.error_class is None and obs.body == b"x" * 1000 and obs.size == 1000


def test_header_cap() -> None:
    headers = {f"X-{i}": "v" * 100 for i in range(20)}
    obs, _ = run({URL: [Answer(200, headers)]}, max_header_bytes=1000)
    assert obs.error_class == "too_large"
    assert obs.error is not None and "response headers" in obs.error
    assert obs.status == 200


def test_head_reads_no_body_and_keeps_an_empty_one() -> None:
    obs, _ = run({URL: [Answer(200, {}, [b"never read"])]}, method="HEAD")
    assert obs.body == b"" and obs.size == 0


def test_slow_attempt_is_a_timeout_and_the_budget_stops_retrying() -> None:
    obs, transport = run({URL: [Answer(delay=5)]}, timeout=0.2, fetch_timeout=0.5, retries=5)
    assert obs.error_class == "timeout"
    assert len(transport.sent) <= 3
    assert obs.elapsed_ms is not None and obs.elapsed_ms < 1000


def test_retry_after_longer_than_the_budget_is_not_waited_for() -> None:
    obs, transport = run(
        {URL: [Answer(429, {"Retry-After": "3"})]}, max_retry_after=10, fetch_timeout=1
    )
    assert obs.status == 429 and len(transport.sent) == 1 and obs.retry_after == 3


def test_validators_are_sent_on_get() -> None:
    obs, transport = run(
        {URL: [Answer(304)]}, validators=lambda _u: ('"e1"', "Mon, 01 Jan 2024 00:00:00 GMT")
    )
    headers = transport.sent[0][2]
    assert headers["If-None-Match"] == '"e1"'
    assert headers["If-Modified-Since"] == "Mon, 01 Jan 2024 00:00:00 GMT"
    assert obs.not_modified and obs.body is None


def test_caller_headers_win_over_validators() -> None:
    transport = ScriptedTransport({URL: [Answer(200)]})

    async def go() -> None:
        settings = AuditSettings(limits=Limits(retries=0))
        async with Fetcher(
            settings, validators=lambda _u: ('"old"', None), transport=transport
        ) as f:
            await f.fetch(URL, headers={"if-none-match": '"mine"'})

    asyncio.run(go())
    headers = transport.sent[0][2]
    assert headers["if-none-match"] == '"mine"' and "If-None-Match" not in headers


def test_a_304_without_a_conditional_request_is_not_unchanged() -> None:
    obs, _ = run({URL: [Answer(304)]})
    assert obs.status == 304 and not obs.not_modified


def test_user_agent_and_accept_encoding_are_always_sent() -> None:
    _, transport = run({URL: [Answer(200)]})
    headers = transport.sent[0][2]
    assert headers["User-Agent"].startswith("auditor/")
    assert headers["Accept-Encoding"] == "gzip, deflate, br"


@pytest.mark.parametrize("url", ["ftp://api.example/x", "http:///nohost", "http://a b/"])
def test_unusable_urls_are_never_sent(url: str) -> None:
    obs, transport = run({}, url)
    assert obs.error_class == "bad_url" and transport.sent == []
