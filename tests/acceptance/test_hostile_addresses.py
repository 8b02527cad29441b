"""Catalog entries that try to make the verifier reach what it must not.

A recording network backend (httpx) or socket factory (aiohttp) stands in
for the real one underneath the address guard: it lists every dial and
refuses, itself, anything but 127.0.0.1 — so even a broken guard could never
send a packet off this machine. Every test runs once per HTTP library. Loopback URLs point at a live local server, so a spelling that
slipped through the guard would show up in its request log.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterable, Iterator
from typing import Any, ClassVar

import httpcore
import pytest

import auditor.net.backend as backend_module
import auditor.net.sockets as sockets_module
from auditor.context import AuditSettings, Limits, NetworkPolicy
from auditor.methodology import load_methodology
from auditor.model import Entry, Outcome
from auditor.net.fetcher import Fetcher
from auditor.net.observation import HttpObservation
from auditor.net.transport import HTTP_CLIENTS
from auditor.run.loop import run_audit
from tests.support.hostile import HostileServer, Request, using_http_client

LIMITS = Limits(timeout=2, retries=0)
STRICT = AuditSettings(limits=LIMITS)
PUBLIC = "93.184.216.34"  # a global address the fake resolver hands out; never dialled


class RecordingBackend(backend_module.AutoBackend):  # type: ignore[misc]
    """Dials loopback only, and remembers every address it was asked for."""

    dialled: ClassVar[list[str]] = []

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        RecordingBackend.dialled.append(host)
        if host not in ("127.0.0.1", "::ffff:127.0.0.1"):
            raise httpcore.ConnectError(f"test backend refuses to dial {host}")
        return await super().connect_tcp(host, port, timeout, local_address, socket_options)


LOOPBACK_ADDRESSES = {ipaddress.ip_address("127.0.0.1"), ipaddress.ip_address("::ffff:127.0.0.1")}


def recording_socket(addr_info: Any) -> socket.socket:
    """The same recorder for aiohttp, where a socket factory makes every dial."""
    host = str(addr_info[4][0])
    RecordingBackend.dialled.append(host)
    if ipaddress.ip_address(host) not in LOOPBACK_ADDRESSES:
        raise OSError(f"test socket factory refuses to dial {host}")
    return socket.socket(addr_info[0], addr_info[1], addr_info[2])


@pytest.fixture(scope="module", params=HTTP_CLIENTS, autouse=True)
def http_client(request: pytest.FixtureRequest) -> Iterator[str]:
    with using_http_client(request.param) as name:
        yield name


@pytest.fixture
def hostile() -> Iterator[HostileServer]:
    server = HostileServer()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def dials(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    RecordingBackend.dialled = []
    monkeypatch.setattr(backend_module, "AutoBackend", RecordingBackend)
    monkeypatch.setattr(sockets_module, "open_socket", recording_socket)
    yield RecordingBackend.dialled


@pytest.fixture
def resolver(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    """Names under ``.test`` resolve to whatever the test says, without DNS."""
    answers: dict[str, list[str]] = {}
    real = asyncio.base_events.BaseEventLoop.getaddrinfo

    async def fake(self: Any, host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else str(host)
        if name in answers:
            addresses = answers[name]
            if len(addresses) > 1:
                answers[name] = addresses[1:]  # each lookup takes the next answer
            family = socket.AF_INET
            return [(family, socket.SOCK_STREAM, 6, "", (addresses[0], port))]
        return await real(self, host, port, *args, **kwargs)

    monkeypatch.setattr(asyncio.base_events.BaseEventLoop, "getaddrinfo", fake)
    return answers


def fetch(url: str, settings: AuditSettings = STRICT) -> HttpObservation:
    async def go() -> HttpObservation:
        async with Fetcher(settings) as fetcher:
            return await fetcher.fetch(url)

    return asyncio.run(go())


def fine(r: Request) -> None:
    r.respond(200, b"reached")


LOOPBACK_SPELLINGS = [
    "http://127.0.0.1:{port}/",
    "http://localhost:{port}/",
    "http://2130706433:{port}/",  # decimal
    "http://0177.0.0.1:{port}/",  # octal (httpx already rejects it as malformed)
    "http://0x7f.0.0.1:{port}/",  # hexadecimal
    "http://0x7f000001:{port}/",
    "http://127.1:{port}/",  # short form
    "http://[::1]:{port}/",
    "http://[::ffff:127.0.0.1]:{port}/",  # IPv4-mapped
    "http://[::ffff:7f00:1]:{port}/",
    "http://0:{port}/",  # 0.0.0.0 reaches this machine on Linux
    "http://LOCALHOST:{port}/",
    "http://localhost.:{port}/",  # fully qualified: must not go to DNS
    "http://127.0.0.1.:{port}/",
    "http://api.localhost:{port}/",  # RFC 6761: every name under localhost is this machine
    "http://[::1%25lo]:{port}/",  # a zone id on a loopback literal
]


@pytest.mark.parametrize("template", LOOPBACK_SPELLINGS)
def test_every_spelling_of_this_machine_is_refused(
    hostile: HostileServer, dials: list[str], template: str
) -> None:
    hostile.routes["/"] = fine
    observation = fetch(template.format(port=hostile.port))
    assert observation.error_class in {"refused", "bad_url"}, observation.error
    if observation.error_class == "refused":
        assert observation.error is not None
        assert observation.error.startswith("refused: private address")
    assert dials == []
    assert hostile.seen == []


@pytest.mark.parametrize(
    "template",
    [
        "http://2130706433:{port}/",
        "http://0x7f.0.0.1:{port}/",
        "http://[::ffff:127.0.0.1]:{port}/",
        "http://localhost.:{port}/",
        "http://127.0.0.1.:{port}/",
    ],
)
def test_the_same_spellings_do_reach_loopback_when_allowed(
    hostile: HostileServer, template: str
) -> None:
    # proves the refusals above were about the address, not an unparsable URL
    hostile.routes["/"] = fine
    settings = AuditSettings(limits=LIMITS, network=NetworkPolicy(allow_private=True))
    observation = fetch(template.format(port=hostile.port), settings)
    assert observation.status == 200
    assert observation.body == b"reached"


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://[fd00:ec2::254]/latest/meta-data/",
        "http://100.100.100.200/latest/meta-data/",
        "http://10.0.0.1/",
        "http://172.16.0.1/",
        "http://192.168.1.1/",
        "http://100.64.0.1/",
        "http://[fe80::1]/",
        "http://[fe80::1%25eth0]/",  # a zone id: still link-local, never a DNS lookup
        "http://[fe80::a:b%25lo]:8080/",
        "http://[fc00::1]/",
        "http://224.0.0.1/",
        "http://240.0.0.1/",
    ],
)
def test_private_and_metadata_addresses_are_refused_without_dialling(
    dials: list[str], url: str
) -> None:
    observation = fetch(url)
    assert observation.error_class == "refused"
    assert observation.error is not None and observation.error.startswith(
        "refused: private address"
    )
    assert dials == []


@pytest.mark.parametrize(
    "url", ["http://169.254.169.254/latest/meta-data/", "http://[fd00:ec2::254]/"]
)
def test_cloud_metadata_stays_refused_under_allow_private(dials: list[str], url: str) -> None:
    settings = AuditSettings(limits=LIMITS, network=NetworkPolicy(allow_private=True))
    observation = fetch(url, settings)
    assert observation.error_class == "refused"
    assert observation.error is not None
    assert "cloud metadata endpoints are never probed" in observation.error
    assert dials == []


def test_a_name_resolving_to_a_private_address_is_refused(
    resolver: dict[str, list[str]], dials: list[str]
) -> None:
    resolver["intranet.test"] = ["10.1.2.3"]
    observation = fetch("http://intranet.test/api")
    assert observation.error_class == "refused"
    assert observation.error is not None
    assert "10.1.2.3" in observation.error and "intranet.test" in observation.error
    assert dials == []


def test_the_address_is_checked_again_at_every_connection(
    resolver: dict[str, list[str]], dials: list[str]
) -> None:
    # DNS rebinding: public on the first lookup, loopback on the next. The first
    # connection is vetted and dialled (the test backend refuses it, so nothing
    # leaves the machine); the second lookup is vetted again and refused.
    resolver["rebind.test"] = [PUBLIC, "127.0.0.1"]
    first = fetch("http://rebind.test/")
    assert first.error_class == "connect"
    assert dials == [PUBLIC]
    second = fetch("http://rebind.test/")
    assert second.error_class == "refused"
    assert dials == [PUBLIC]


def test_redirect_to_loopback_is_refused_at_the_hop(
    hostile: HostileServer, dials: list[str]
) -> None:
    # public.test is the one name the user trusts (an override); where it redirects is not.
    hostile.routes["/start"] = lambda r: r.respond(
        302, Location=f"http://2130706433:{hostile.port}/secret"
    )
    hostile.routes["/secret"] = fine
    settings = AuditSettings(
        limits=LIMITS,
        network=NetworkPolicy(host_overrides={"public.test": ("127.0.0.1", hostile.port)}),
    )
    observation = fetch("http://public.test/start", settings)
    assert observation.error_class == "refused"
    assert observation.redirects == ("http://public.test/start",)
    assert observation.final_url == f"http://2130706433:{hostile.port}/secret"
    assert hostile.paths() == ["/start"]
    assert dials == ["127.0.0.1"]  # the override, once


@pytest.mark.parametrize(
    ("location", "fragment"),
    [
        ("file:///etc/passwd", "unsupported scheme 'file'"),
        ("gopher://127.0.0.1:70/", "unsupported scheme 'gopher'"),
        ("http://exa mple/", "invalid host"),
    ],
)
def test_redirect_to_another_scheme_is_not_followed(
    hostile: HostileServer, dials: list[str], location: str, fragment: str
) -> None:
    hostile.routes["/start"] = lambda r: r.send(
        b"HTTP/1.1 302 Found\r\nContent-Length: 0\r\nLocation: "
        + location.encode("latin-1")
        + b"\r\nConnection: close\r\n\r\n"
    )
    settings = AuditSettings(limits=LIMITS, network=NetworkPolicy(allow_private=True))
    observation = fetch(hostile.url("/start"), settings)
    assert observation.error_class == "bad_url"
    assert observation.error is not None and fragment in observation.error
    assert observation.error.startswith("redirect to ")


def test_a_refused_entry_is_unknown_and_the_others_still_run(
    hostile: HostileServer, dials: list[str]
) -> None:
    hostile.routes["/api"] = fine
    hostile.routes["/to-metadata"] = lambda r: r.respond(
        301, Location="http://169.254.169.254/latest/meta-data/iam/security-credentials/"
    )
    settings = AuditSettings(
        limits=LIMITS,
        network=NetworkPolicy(host_overrides={"good.test": ("127.0.0.1", hostile.port)}),
    )
    entries = [
        Entry("metadata", "Metadata", base_url="http://good.test/to-metadata"),
        Entry("decimal", "Decimal", base_url=f"http://2130706433:{hostile.port}/api"),
        Entry("good", "Good", base_url="http://good.test/api"),
    ]
    results = {r.entry.id: r for r in run_audit(entries, settings, load_methodology())}
    for refused in ("metadata", "decimal"):
        found = {f.check: f for f in results[refused].findings}
        assert found["availability"].outcome is Outcome.UNKNOWN
        assert "refused: private address" in found["availability"].message
        assert results[refused].assessment.axis("availability").score is None
    good = {f.check: f for f in results["good"].findings}
    assert good["availability"].outcome is Outcome.PASS
    assert "/api" in hostile.paths()
    # everything the server saw came through the trusted name, nothing through the decimal one
    assert {headers["host"] for _, _, headers in hostile.seen} == {"good.test"}
    # the redirect to the metadata address was refused before any dial
    assert dials and set(dials) == {"127.0.0.1"}
