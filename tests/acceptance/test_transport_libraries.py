"""Both HTTP libraries under the fetcher, against real servers on 127.0.0.1.

The hostile suites (test_hostile_*.py) run once per library; these tests pin
what is particular to swapping one for the other: the same head and raw
body for the fetcher, connection reuse, no proxy from the environment, and
aiohttp's last line of defence (no socket for an address nobody vetted),
and the ``--http-client`` option.
"""

from __future__ import annotations

import asyncio
import gzip
import json
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
from click.testing import CliRunner

import auditor.net.aiohttp_transport as aiohttp_module
from auditor.cli import main
from auditor.context import AuditSettings, Limits, NetworkPolicy
from auditor.net import fetcher as fetcher_module
from auditor.net.fetcher import Fetcher
from auditor.net.observation import HttpObservation
from auditor.net.transport import HTTP_CLIENTS, ResponseHead, Transport, open_transport
from tests.conftest import LocalServer

BODY = b'{"openapi": "3.0.3"}' * 100
WIRE = gzip.compress(BODY)


def settings(client: str) -> AuditSettings:
    return AuditSettings(
        limits=Limits(timeout=5, retries=0),
        network=NetworkPolicy(allow_private=True),
        http_client=client,
    )


def gzipped(h: BaseHTTPRequestHandler) -> None:
    h.send_response(200)
    h.send_header("Content-Type", "application/json")
    h.send_header("Content-Encoding", "gzip")
    h.send_header("Content-Length", str(len(WIRE)))
    h.send_header("X-Twice", "one")
    h.send_header("X-Twice", "two")
    h.send_header("Set-Cookie", "session=secret; Path=/")
    h.end_headers()
    if h.command != "HEAD":
        h.wfile.write(WIRE)


class PortLog:
    """Routes that answer ``size`` bytes and note the client port of each request."""

    def __init__(self) -> None:
        self.ports: list[int] = []

    def route(self, size: int):  # type: ignore[no-untyped-def]
        def handler(h: BaseHTTPRequestHandler) -> None:
            self.ports.append(h.client_address[1])
            h.send_response(200)
            h.send_header("Content-Length", str(size))
            h.end_headers()
            if h.command != "HEAD":
                h.wfile.write(b"x" * size)

        return handler


@pytest.fixture
def other_server() -> Iterator[LocalServer]:
    server = LocalServer()
    server.start()
    yield server
    server.stop()


def test_both_libraries_hand_the_fetcher_the_same_head_and_raw_body(
    http_server: LocalServer,
) -> None:
    http_server.routes["/spec.json"] = gzipped

    async def exchange(client: str) -> tuple[ResponseHead, bytes]:
        transport = open_transport(settings(client))
        try:
            async with transport.exchange("GET", http_server.url("/spec.json"), {}) as ex:
                return ex.head, b"".join([chunk async for chunk in ex.raw_body()])
        finally:
            await transport.aclose()

    seen = {client: asyncio.run(exchange(client)) for client in HTTP_CLIENTS}
    for head, raw in seen.values():
        assert raw == WIRE  # still compressed: decoding is the fetcher's, under its caps
        assert head.status == 200
        assert head.http_version == "HTTP/1.1"
        assert head.url == http_server.url("/spec.json")
        assert head.get("x-twice") == "one, two"
        assert head.tls_version is None and head.cert_not_after is None

    def comparable(head: ResponseHead) -> list[tuple[str, str]]:
        return [(k, v) for k, v in head.headers if k not in ("date", "server")]

    heads = [comparable(head) for head, _ in seen.values()]
    assert all(h == heads[0] for h in heads)


@pytest.mark.parametrize("client", HTTP_CLIENTS)
def test_connections_are_reused_and_closed_when_a_body_is_left_unread(
    http_server: LocalServer, client: str
) -> None:
    log = PortLog()
    http_server.routes["/small"] = log.route(100)
    http_server.routes["/big"] = log.route(4 * 1024 * 1024)

    async def go() -> list[HttpObservation]:
        async with Fetcher(settings(client)) as fetcher:
            small = [await fetcher.fetch(http_server.url("/small")) for _ in range(3)]
            big = await fetcher.fetch(http_server.url("/big"), max_bytes=1024)  # cut at 1 KiB
            return [*small, big, await fetcher.fetch(http_server.url("/small"))]

    observations = asyncio.run(go())
    assert [o.status for o in observations] == [200] * 5
    assert observations[3].error_class == "too_large"
    assert log.ports[0] == log.ports[1] == log.ports[2] == log.ports[3]  # one connection
    assert log.ports[4] != log.ports[3]  # the abandoned one was closed, not drained


@pytest.mark.parametrize("client", HTTP_CLIENTS)
def test_proxy_variables_in_the_environment_are_ignored(
    http_server: LocalServer,
    other_server: LocalServer,
    monkeypatch: pytest.MonkeyPatch,
    client: str,
) -> None:
    http_server.add("/api", body="direct")
    for name in ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY"):
        monkeypatch.setenv(name, other_server.url("/"))
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)

    async def go() -> HttpObservation:
        async with Fetcher(settings(client)) as fetcher:
            return await fetcher.fetch(http_server.url("/api"))

    observation = asyncio.run(go())
    assert observation.body == b"direct"
    assert other_server.requests == []


def test_aiohttp_never_dials_an_address_no_check_vetted(
    http_server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Pretend aiohttp found a new way to dial a literal without the resolver or our
    # pre-check: the socket factory still refuses, even though the policy would allow it.
    http_server.add("/api", body="reached")
    monkeypatch.setattr(aiohttp_module, "_bypasses_resolver", lambda host: False)

    async def go() -> HttpObservation:
        async with Fetcher(settings("aiohttp")) as fetcher:
            return await fetcher.fetch(http_server.url("/api"))

    observation = asyncio.run(go())
    assert observation.error_class == "refused"
    assert observation.error is not None and "without being vetted" in observation.error
    assert http_server.requests == []


@pytest.mark.parametrize(
    ("flag", "expected"),
    [
        ((), "httptools"),
        (("--http-client", "aiohttp"), "aiohttp"),
        (("--http-client", "httpx"), "httpx"),
    ],
)
def test_the_cli_chooses_the_library(
    tmp_path: Path,
    http_server: LocalServer,
    monkeypatch: pytest.MonkeyPatch,
    flag: tuple[str, ...],
    expected: str,
) -> None:
    http_server.add("/api", body="{}", content_type="application/json")
    catalog = tmp_path / "catalog.json"
    entry = {"id": "local", "title": "Local", "base_url": http_server.url("/api")}
    catalog.write_text(json.dumps({"entries": [entry]}))
    chosen: list[str] = []
    choose = fetcher_module.open_transport

    def recording(settings: AuditSettings) -> Transport:
        chosen.append(settings.http_client)
        return choose(settings)

    monkeypatch.setattr(fetcher_module, "open_transport", recording)
    args = ["audit", str(catalog), "--format", "json", "--allow-private-network", *flag]
    outcome = CliRunner().invoke(main, args)
    assert outcome.exit_code == 0, outcome.output
    result = json.loads(outcome.stdout)["results"][0]
    assert result["axes"]["availability"]["score"] == 100
    assert chosen and set(chosen) == {expected}
