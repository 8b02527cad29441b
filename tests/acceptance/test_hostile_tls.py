"""HTTPS servers with bad or short-lived certificates, in one run beside a healthy one.

Each server is on 127.0.0.1 under its own name (a host override) with a
certificate made by trustme; the run trusts only the test CA, like a real
run trusts only the public roots.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import trustme

from auditor.context import AuditSettings, Limits, NetworkPolicy
from auditor.methodology import load_methodology
from auditor.model import AuditResult, Entry, Finding, Outcome
from auditor.net.transport import HTTP_CLIENTS
from auditor.run.loop import run_audit
from tests.support.hostile import HostileServer, Request, using_http_client


@pytest.fixture(scope="module", params=HTTP_CLIENTS, autouse=True)
def http_client(request: pytest.FixtureRequest) -> Iterator[str]:
    with using_http_client(request.param) as name:
        yield name


def served_by(cert: trustme.LeafCert) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(context)
    return context


def self_signed() -> ssl.SSLContext:
    """A certificate that signs itself: a fresh CA's own certificate served as the leaf."""
    rogue = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    with rogue.cert_pem.tempfile() as cert, rogue.private_key_pem.tempfile() as key:
        context.load_cert_chain(cert, key)
    return context


def fine(r: Request) -> None:
    r.respond(200, b'{"ok": true}', Content_Type="application/json")


@pytest.fixture(scope="module")
def tls_run(http_client: str) -> Iterator[dict[str, AuditResult]]:
    ca = trustme.CA()
    now = datetime.now(UTC)
    contexts = {
        "healthy.test": served_by(ca.issue_cert("healthy.test")),
        "soon.test": served_by(ca.issue_cert("soon.test", not_after=now + timedelta(days=5))),
        "expired.test": served_by(
            ca.issue_cert(
                "expired.test",
                not_before=now - timedelta(days=30),
                not_after=now - timedelta(days=1),
            )
        ),
        "wrong-name.test": served_by(ca.issue_cert("someone-else.test")),
        "self-signed.test": self_signed(),
        "untrusted.test": served_by(trustme.CA().issue_cert("untrusted.test")),
    }
    servers = {name: HostileServer(tls=context) for name, context in contexts.items()}
    for server in servers.values():
        server.routes["/api"] = fine
    settings = AuditSettings(
        limits=Limits(timeout=2, retries=0),
        network=NetworkPolicy(
            host_overrides={name: ("127.0.0.1", s.port) for name, s in servers.items()}
        ),
        extra_ca_pem=ca.cert_pem.bytes(),
    )
    entries = [Entry(name, name, base_url=f"https://{name}/api") for name in servers]
    try:
        results = run_audit(entries, settings, load_methodology())
    finally:
        for server in servers.values():
            server.stop()
    yield {r.entry.id: r for r in results}


def found(result: AuditResult) -> dict[str, Finding]:
    return {f.check: f for f in result.findings}


def test_healthy_certificate_passes_and_records_tls_facts(tls_run: dict[str, AuditResult]) -> None:
    checks = found(tls_run["healthy.test"])
    assert checks["availability"].outcome is Outcome.PASS
    base = checks["availability.base_url"].facts
    assert base["tls_version"] in {"TLSv1.2", "TLSv1.3"}
    assert base["cert_days_left"] > 14
    expiry = checks["tls.certificate_expiry"]
    assert expiry.outcome is Outcome.PASS
    assert expiry.facts["days_left"] == base["cert_days_left"]


def test_certificate_expiring_within_14_days_is_its_own_finding(
    tls_run: dict[str, AuditResult],
) -> None:
    checks = found(tls_run["soon.test"])
    expiry = checks["tls.certificate_expiry"]
    assert expiry.outcome is Outcome.FAIL
    assert expiry.facts["days_left"] in (4, 5)
    assert "expires in" in expiry.message
    # the API itself answers: the short-lived certificate does not make it unavailable
    assert checks["availability"].outcome is Outcome.PASS


@pytest.mark.parametrize(
    ("host", "reason"),
    [
        ("self-signed.test", "self-signed certificate"),
        ("expired.test", "certificate has expired"),
        ("wrong-name.test", "Hostname mismatch"),
        ("untrusted.test", "unable to get local issuer certificate"),
    ],
)
def test_bad_certificates_are_tls_failures(
    tls_run: dict[str, AuditResult], host: str, reason: str
) -> None:
    checks = found(tls_run[host])
    base = checks["availability.base_url"]
    assert base.facts["error_class"] == "tls"
    assert base.facts["error"].startswith("TLS error:")
    assert reason in base.facts["error"]
    assert base.outcome is Outcome.FAIL
    assert checks["availability"].outcome is Outcome.FAIL
    assert "tls.certificate_expiry" not in checks  # no verified certificate, no date to trust


def test_tls_failures_are_not_retried_and_break_no_probe(tls_run: dict[str, AuditResult]) -> None:
    for result in tls_run.values():
        assert [f for f in result.findings if f.check.startswith("probe.")] == []
        base = found(result)["availability.base_url"]
        assert base.facts["attempts"] == 1
