"""The shared TLS context, and that a transport does not load the other HTTP libraries."""

from __future__ import annotations

import asyncio
import ssl
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta

import pytest
import trustme

from auditor.context import AuditSettings, Limits, NetworkPolicy
from auditor.net import tls as tls_module
from auditor.net.fetcher import Fetcher
from auditor.net.tls import LoadingContext, build_ssl_context
from auditor.net.transport import HTTP_CLIENTS
from tests.conftest import ROOT
from tests.support.hostile import HostileServer


@pytest.mark.parametrize(
    ("transport", "others"),
    [("aiohttp_transport", ("httpx",)), ("httptools_transport", ("httpx", "aiohttp"))],
)
def test_importing_a_transport_does_not_import_the_other_libraries(
    transport: str, others: tuple[str, ...]
) -> None:
    """A fresh interpreter, so no other test has imported them already."""
    probe = (
        "import sys\n"
        f"import auditor.net.{transport}\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {others!r}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_context_verifies_and_takes_an_extra_ca() -> None:
    plain = build_ssl_context(None)
    assert plain.verify_mode is ssl.CERT_REQUIRED and plain.check_hostname
    bundle = plain.cert_store_stats()["x509_ca"]
    assert bundle > 0  # certifi's bundle
    ca = trustme.CA()
    extended = build_ssl_context(ca.cert_pem.bytes())
    assert extended.cert_store_stats()["x509_ca"] == bundle + 1


@pytest.mark.parametrize("http_client", HTTP_CLIENTS)
def test_each_response_reports_its_own_certificate_decoded_once(
    monkeypatch: pytest.MonkeyPatch, http_client: str
) -> None:
    """The transport remembers a certificate's expiry by the certificate itself, so two
    hosts served alternately on one fetcher each keep their own, and each certificate
    is decoded once however many responses it carries."""
    ca = trustme.CA()
    now = datetime.now(UTC)
    leaves = {
        "long.test": ca.issue_cert("long.test", not_after=now + timedelta(days=300)),
        "soon.test": ca.issue_cert("soon.test", not_after=now + timedelta(days=5, hours=12)),
    }
    servers = {}
    for name, leaf in leaves.items():
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        leaf.configure_cert(context)
        servers[name] = HostileServer(tls=context)
        servers[name].routes["/"] = lambda r: r.respond(200, b"ok")
    decoded: list[str] = []
    real = tls_module._expiry

    def counting(ssl_object: ssl.SSLObject) -> datetime | None:
        decoded.append(ssl_object.getpeercert()["subjectAltName"][0][1])
        return real(ssl_object)

    monkeypatch.setattr(tls_module, "_expiry", counting)
    settings = AuditSettings(
        limits=Limits(timeout=5, retries=0),
        network=NetworkPolicy(
            host_overrides={name: ("127.0.0.1", s.port) for name, s in servers.items()}
        ),
        extra_ca_pem=ca.cert_pem.bytes(),
        http_client=http_client,
    )

    async def go() -> list[tuple[str | None, int | None]]:
        async with Fetcher(settings) as fetcher:
            seen = []
            for name in ["long.test", "soon.test"] * 3:
                obs = await fetcher.fetch(f"https://{name}:{servers[name].port}/")
                assert obs.status == 200, obs.error
                seen.append((obs.tls_version, obs.cert_days_left))
            return seen

    try:
        seen = asyncio.run(go())
    finally:
        for server in servers.values():
            server.stop()
    assert [days for _, days in seen] == [299, 5] * 3
    assert all(version and version.startswith("TLSv1.") for version, _ in seen)
    assert sorted(decoded) == ["long.test", "soon.test"]


def _trust_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "auditor-trust-store"]


def test_bundle_loads_in_a_thread_and_finishing_leaves_none(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Mozilla's bundle loads beside the run; whoever needs it waits for it, and the thread
    is gone once finished (a process forks ``--workers`` only when alone)."""
    loaded_in: list[str] = []
    real = tls_module.build_ssl_context

    def recording(extra_ca_pem: bytes | None) -> ssl.SSLContext:
        loaded_in.append(threading.current_thread().name)
        return real(extra_ca_pem)

    monkeypatch.setattr(tls_module, "build_ssl_context", recording)
    loading = LoadingContext(None)

    async def go() -> tuple[ssl.SSLContext, ssl.SSLContext]:
        return await loading.context(), await loading.context()

    first, again = asyncio.run(go())
    assert first is again
    assert first.verify_mode is ssl.CERT_REQUIRED and first.check_hostname
    assert (
        first.cert_store_stats()["x509_ca"] == build_ssl_context(None).cert_store_stats()["x509_ca"]
    )
    assert loaded_in == ["auditor-trust-store"]
    loading.finish()
    assert not _trust_threads()


def test_an_extra_ca_loads_at_once_and_a_bad_one_fails_before_the_run() -> None:
    ca = trustme.CA()
    before = len(_trust_threads())
    loading = LoadingContext(ca.cert_pem.bytes())
    assert len(_trust_threads()) == before  # no thread: loaded in the constructor
    context = asyncio.run(loading.context())
    assert context.cert_store_stats()["x509_ca"] == (
        build_ssl_context(None).cert_store_stats()["x509_ca"] + 1
    )
    with pytest.raises(ssl.SSLError):
        LoadingContext(b"-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n")


def test_default_transport_refuses_an_unknown_ca_with_the_loaded_bundle() -> None:
    """No extra CA: the thread-loaded bundle verifies, so a certificate from a CA it does not
    hold is a TLS failure, and a second fetch on the same fetcher is refused the same way."""
    ca = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("unknown-ca.test").configure_cert(context)
    server = HostileServer(tls=context)
    server.routes["/"] = lambda r: r.respond(200, b"ok")
    settings = AuditSettings(
        limits=Limits(timeout=5, retries=0),
        network=NetworkPolicy(host_overrides={"unknown-ca.test": ("127.0.0.1", server.port)}),
    )

    async def go() -> list[tuple[int | None, str | None]]:
        async with Fetcher(settings) as fetcher:
            url = f"https://unknown-ca.test:{server.port}/"
            return [(o.status, o.error_class) for o in [await fetcher.fetch(url) for _ in "ab"]]

    try:
        seen = asyncio.run(go())
    finally:
        server.stop()
    assert seen == [(None, "tls"), (None, "tls")]
    assert not _trust_threads()
