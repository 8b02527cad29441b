"""The aiohttp transport's pieces that need no server: the address vetting it
dials through, the resolver, and how aiohttp's failures are classified.

Nothing here touches the network: names resolve through host overrides or
are refused (offline), and sockets are created but never connected.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
from types import SimpleNamespace

import aiohttp
import pytest
from aiohttp.http_exceptions import BadHttpMessage, LineTooLong
from multidict import CIMultiDict, CIMultiDictProxy
from yarl import URL

from auditor.context import AuditSettings, NetworkPolicy
from auditor.net.aiohttp_transport import (
    AiohttpTransport,
    GuardedResolver,
    UnvettedDial,
    Vetting,
    _bypasses_resolver,
    classify,
)
from auditor.net.backend import DnsFailure
from auditor.net.guard import AddressRefused
from auditor.net.httptools_transport import HttptoolsTransport
from auditor.net.httpx_transport import HttpxTransport
from auditor.net.transport import open_transport

OVERRIDDEN = NetworkPolicy(offline=True, host_overrides={"api.test": ("127.0.0.1", 8443)})


def addr(address: str, port: int = 80) -> tuple[int, int, int, str, tuple[str, int]]:
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    return (family, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, port))


def key() -> SimpleNamespace:
    return SimpleNamespace(host="api.test", port=443, ssl=True)


def test_the_setting_chooses_the_library() -> None:
    assert isinstance(open_transport(AuditSettings()), HttptoolsTransport)
    assert isinstance(open_transport(AuditSettings(http_client="aiohttp")), AiohttpTransport)
    assert isinstance(open_transport(AuditSettings(http_client="httpx")), HttpxTransport)
    with pytest.raises(ValueError, match="unknown http_client 'curl'"):
        open_transport(AuditSettings(http_client="curl"))


def test_the_resolver_answers_overrides_with_their_port() -> None:
    vetting = Vetting(OVERRIDDEN)
    results = asyncio.run(GuardedResolver(vetting).resolve("API.test.", 443))
    assert [(r["hostname"], r["host"], r["port"], r["family"]) for r in results] == [
        ("API.test.", "127.0.0.1", 8443, socket.AF_INET)
    ]


def test_the_resolver_refuses_what_the_policy_refuses() -> None:
    with pytest.raises(AddressRefused, match="offline mode"):
        asyncio.run(GuardedResolver(Vetting(OVERRIDDEN)).resolve("other.test", 443))
    with pytest.raises(AddressRefused, match=r"^refused: private address 10\.1\.2\.3"):
        asyncio.run(GuardedResolver(Vetting(NetworkPolicy())).resolve("10.1.2.3", 80))
    with pytest.raises(AddressRefused, match="cloud metadata endpoints are never probed"):
        asyncio.run(Vetting(NetworkPolicy(allow_private=True)).vet("169.254.169.254", 80))


def test_only_vetted_addresses_get_a_socket() -> None:
    vetting = Vetting(OVERRIDDEN)
    with pytest.raises(UnvettedDial, match=r"refused: 127\.0\.0\.1 was about to be dialled"):
        vetting.dial(addr("127.0.0.1", 8443))
    asyncio.run(vetting.vet("api.test", 443))
    sock = vetting.dial(addr("127.0.0.1", 8443))
    sock.close()
    with pytest.raises(UnvettedDial):
        vetting.dial(addr("127.0.0.2"))


def test_an_ipv4_mapped_spelling_of_a_vetted_address_is_the_same_address() -> None:
    vetting = Vetting(NetworkPolicy(allow_private=True))
    asyncio.run(vetting.vet("::ffff:127.0.0.1", 80))
    vetting.dial(addr("::ffff:7f00:1")).close()


@pytest.mark.parametrize(
    ("host", "bypasses"),
    [
        ("127.0.0.1", True),
        ("2130706433", True),
        ("127.1", True),
        ("::1", True),
        ("::ffff:7f00:1", True),
        ("0x7f.0.0.1", False),  # aiohttp resolves this one, through the guarded resolver
        ("api.example.org", False),
        ("1.example", False),
    ],
)
def test_hosts_aiohttp_dials_without_a_resolver_are_recognised(host: str, bypasses: bool) -> None:
    assert _bypasses_resolver(host) is bypasses


def response_error(cause: Exception) -> aiohttp.ClientResponseError:
    """What aiohttp raises when the parser rejects a response head."""
    url = URL("http://api.test/")
    info = aiohttp.RequestInfo(url, "GET", CIMultiDictProxy(CIMultiDict()), url)
    error = aiohttp.ClientResponseError(info, (), status=400, message=str(cause))
    error.__cause__ = cause
    return error


@pytest.mark.parametrize(
    ("error", "error_class", "fragment"),
    [
        (DnsFailure("DNS lookup failed for x.test"), "dns", "DNS lookup failed"),
        (aiohttp.ClientConnectorDNSError(key(), OSError(-2, "no name")), "dns", ""),  # type: ignore[arg-type]
        (
            aiohttp.ClientConnectorError(key(), ConnectionRefusedError(111, "refused")),  # type: ignore[arg-type]
            "connect",
            "connection failed",
        ),
        (
            aiohttp.ClientConnectorError(key(), UnvettedDial("refused: 10.0.0.1 was about")),  # type: ignore[arg-type]
            "refused",
            "refused: 10.0.0.1",
        ),
        (ssl.SSLCertVerificationError("certificate verify failed"), "tls", "TLS error"),
        (aiohttp.ConnectionTimeoutError("connect"), "timeout", "timed out"),
        (aiohttp.SocketTimeoutError("read"), "timeout", "timed out"),
        (aiohttp.InvalidURL("http://[x"), "bad_url", "malformed URL"),
        (aiohttp.ServerDisconnectedError(), "reset", "closed early"),
        (
            aiohttp.ClientPayloadError("Response payload is not completed: <ContentLengthError>"),
            "reset",
            "closed early",
        ),
        (aiohttp.ClientPayloadError("invalid chunk size"), "protocol", "malformed body"),
        (aiohttp.ClientOSError(104, "Connection reset by peer"), "reset", "connection reset"),
        (response_error(LineTooLong(b"X-Pad", 16384)), "too_large", "response headers exceed"),
        (
            response_error(BadHttpMessage("Too many headers received")),
            "too_large",
            "response headers exceed",
        ),
        (response_error(BadHttpMessage("Invalid status line")), "protocol", "malformed response"),
        (RuntimeError("surprise"), "protocol", "RuntimeError: surprise"),
    ],
)
def test_aiohttp_failures_map_to_the_observation_classes(
    error: Exception, error_class: str, fragment: str
) -> None:
    classified = classify(error)
    assert classified.error_class == error_class
    assert fragment in str(classified)
