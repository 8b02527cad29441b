"""The shared TLS context, and that the default transport does not load httpx."""

from __future__ import annotations

import ssl
import subprocess
import sys

import trustme

from auditor.net.tls import build_ssl_context
from tests.conftest import ROOT


def test_importing_the_aiohttp_transport_does_not_import_httpx() -> None:
    """A fresh interpreter, so no other test has imported httpx already."""
    probe = (
        "import sys\n"
        "import auditor.net.aiohttp_transport\n"
        "print(sorted(m for m in sys.modules if m == 'httpx' or m.startswith('httpx.')))\n"
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
