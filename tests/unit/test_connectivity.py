"""Telling the auditor's network failures from the APIs': classification, settling, verdicts.

Name lookups are answered at the one seam a test may fake, the event loop's
``getaddrinfo`` (a resolver that cannot be reached is not something a server
on 127.0.0.1 can produce); everything after it is the real transport.
"""

from __future__ import annotations

import asyncio
import errno
import socket
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import aiohttp
import httpcore
import httpx
import pytest

from auditor.context import AuditSettings, Limits
from auditor.methodology import load_methodology
from auditor.methodology.engine import assess
from auditor.model import AuditResult, Entry, Finding, Outcome
from auditor.net import backend
from auditor.net.aiohttp_transport import classify as classify_aiohttp
from auditor.net.fetcher import Fetcher
from auditor.net.httptools_transport import classify as classify_httptools
from auditor.net.httpx_transport import classify as classify_httpx
from auditor.net.observation import HttpObservation
from auditor.net.transport import HTTP_CLIENTS
from auditor.run.connectivity import (
    MIN_HOSTS,
    degraded_warning,
    network_wide_failure,
    not_established_count,
    settle,
    settle_own_failures,
)

TRUST = load_methodology()
FAST = Limits(timeout=2.0, fetch_timeout=4.0, retries=0)


def lookups(monkeypatch: pytest.MonkeyPatch, answer: Callable[[str], Any]) -> None:
    """Every name lookup of the event loop answered by ``answer(host)``."""

    async def fake(self: Any, host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        return await answer(host.decode() if isinstance(host, bytes) else str(host))

    monkeypatch.setattr(asyncio.base_events.BaseEventLoop, "getaddrinfo", fake)


def fetch(url: str, client: str) -> HttpObservation:
    settings = AuditSettings(limits=FAST, http_client=client)

    async def go() -> HttpObservation:
        async with Fetcher(settings) as fetcher:
            return await fetcher.fetch(url)

    return asyncio.run(go())


@pytest.mark.parametrize("client", HTTP_CLIENTS)
@pytest.mark.parametrize(
    ("code", "error_class"),
    [(socket.EAI_AGAIN, "resolver"), (socket.EAI_NONAME, "dns"), (socket.EAI_FAIL, "dns")],
)
def test_a_resolver_that_gives_no_answer_is_told_from_a_name_that_does_not_exist(
    monkeypatch: pytest.MonkeyPatch, client: str, code: int, error_class: str
) -> None:
    async def fail(host: str) -> Any:
        raise socket.gaierror(code, "lookup failed")

    lookups(monkeypatch, fail)
    observation = fetch("https://api.example.org/", client)
    assert observation.error_class == error_class
    assert observation.status is None


@pytest.mark.parametrize("client", HTTP_CLIENTS)
def test_a_lookup_that_hangs_is_the_resolver_not_the_api(
    monkeypatch: pytest.MonkeyPatch, client: str
) -> None:
    async def hang(host: str) -> Any:
        await asyncio.sleep(30)

    lookups(monkeypatch, hang)
    monkeypatch.setattr(backend, "RESOLVE_TIMEOUT", 0.2)
    observation = fetch("https://api.example.org/", client)
    assert observation.error_class == "resolver"
    assert "no answer within 0.2s" in (observation.error or "")


def unreachable(code: int) -> OSError:
    return OSError(code, "Network is unreachable" if code == errno.ENETUNREACH else "No route")


@pytest.mark.parametrize("code", [errno.ENETUNREACH, errno.EHOSTUNREACH])
def test_no_route_out_of_this_machine_is_its_own_class(code: int) -> None:
    key = SimpleNamespace(host="api.test", port=443, ssl=True)
    dial = aiohttp.ClientConnectorError(key, unreachable(code))  # type: ignore[arg-type]
    assert classify_aiohttp(dial).error_class == "no_route"
    inner = httpcore.ConnectError("connect failed")
    inner.__cause__ = unreachable(code)
    outer = httpx.ConnectError("connect failed")
    outer.__cause__ = inner
    assert classify_httpx(outer).error_class == "no_route"
    refused = aiohttp.ClientConnectorError(key, ConnectionRefusedError(111, "refused"))  # type: ignore[arg-type]
    assert classify_aiohttp(refused).error_class == "connect"  # a host that refuses: the API's
    assert classify_httptools(unreachable(code)).error_class == "no_route"  # sock_connect's own
    assert classify_httptools(ConnectionRefusedError(111, "refused")).error_class == "connect"


def endpoint(url: str, outcome: Outcome, error_class: str | None, status: int | None) -> Finding:
    facts = {"url": url, "status": status, "error_class": error_class}
    return Finding("availability.base_url", outcome, f"base_url: {error_class or status}",
                   "availability", url, facts, observed_at="2026-11-02T03:00:00Z")  # fmt: skip


def verified(entry_id: str, *endpoints: Finding) -> AuditResult:
    failed = any(f.outcome is Outcome.FAIL for f in endpoints)
    summary = Finding("availability", Outcome.FAIL if failed else Outcome.PASS, "verification",
                      "availability", None, observed_at="2026-11-02T03:00:00Z")  # fmt: skip
    findings = (*endpoints, summary)
    return AuditResult(
        Entry(id=entry_id, title=entry_id), findings, assess(entry_id, findings, TRUST)
    )


def test_a_network_failure_in_a_degraded_run_is_not_established_and_scored_again() -> None:
    down = verified("a", endpoint("https://a.example/", Outcome.FAIL, "connect", None))
    assert down.assessment.axis("availability").score == 0.0
    earlier = [Finding("availability", Outcome.PASS, "ok", "availability",
                       observed_at="2026-11-01T03:00:00Z")]  # fmt: skip
    settled = settle(down, TRUST, earlier)
    assert settled is not None
    by_check = {f.check: f for f in settled.findings}
    assert by_check["availability.base_url"].outcome is Outcome.UNKNOWN
    assert "not established (the auditor's own network failed)" in (
        by_check["availability.base_url"].message
    )
    assert by_check["availability"].outcome is Outcome.UNKNOWN
    # availability over the window: the earlier success alone, the failure not counted
    assert settled.assessment.axis("availability").score == 100.0
    assert not_established_count([settled, down]) == 1
    fine = verified("b", endpoint("https://b.example/", Outcome.PASS, None, 200))
    warning = degraded_warning(["canary got no answer"], [settled, fine], "run 7")
    assert "run 7 is DEGRADED" in warning and "1 of 2 entries got no HTTP answer" in warning


def test_an_answer_is_never_undone_and_a_5xx_stays_the_apis_failure() -> None:
    answered = verified("b", endpoint("https://b.example/", Outcome.FAIL, None, 503))
    assert settle(answered, TRUST, ()) is None
    fine = verified("c", endpoint("https://c.example/", Outcome.PASS, None, 200))
    assert settle(fine, TRUST, ()) is None


def test_every_run_settles_what_never_left_the_machine() -> None:
    findings = (
        Finding("security_txt.present", Outcome.FAIL, "could not fetch", "published_policy",
                "https://a.example/.well-known/security.txt",
                {"error_class": "resolver", "status": None}),
        Finding("license", Outcome.FAIL, "no licence found", "license_statement"),
    )  # fmt: skip
    settled = settle_own_failures(findings)
    assert [f.outcome for f in settled] == [Outcome.UNKNOWN, Outcome.FAIL]
    assert settle_own_failures(findings[1:]) == findings[1:]


def hosts(failing: int, answering: int, error_class: str = "dns") -> list[AuditResult]:
    return [
        verified(f"f{i}", endpoint(f"https://f{i}.example/", Outcome.FAIL, error_class, None))
        for i in range(failing)
    ] + [
        verified(f"a{i}", endpoint(f"https://a{i}.example/", Outcome.PASS, None, 200))
        for i in range(answering)
    ]


def test_a_run_where_nearly_every_host_fails_at_the_network_level_is_the_auditors() -> None:
    reason = network_wide_failure(hosts(9, 1, "dns"))
    assert reason is not None and reason.startswith(
        "9 of 10 hosts got no HTTP answer at all (dns 9)"
    )
    assert network_wide_failure(hosts(8, 2)) is None  # 80%: some hosts are down, not the network
    assert network_wide_failure(hosts(MIN_HOSTS - 1, 0)) is None  # too few to tell
    assert network_wide_failure(hosts(MIN_HOSTS, 0, "timeout")) is not None
    http_errors = [
        verified(f"s{i}", endpoint(f"https://s{i}.example/", Outcome.FAIL, None, 503))
        for i in range(10)
    ]
    assert network_wide_failure(http_errors) is None  # they answered: the network works


def test_the_verdict_counts_hosts_not_entries() -> None:
    same_host = [
        verified(f"e{i}", endpoint("https://one.example/", Outcome.FAIL, "connect", None))
        for i in range(50)
    ]
    assert network_wide_failure(same_host) is None  # one host down is that host's outage


def test_policy_refusals_are_no_evidence_either_way() -> None:
    refused = [
        verified(f"p{i}", endpoint(f"https://10.0.0.{i}/", Outcome.UNKNOWN, "refused", None))
        for i in range(10)
    ]
    assert network_wide_failure(refused) is None
