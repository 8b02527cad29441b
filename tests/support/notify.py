"""A JSON webhook receiver on 127.0.0.1 and hand-built histories for the notify tests."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest

from auditor.model import Finding, Outcome
from auditor.store import Store
from tests.conftest import LocalServer


class Webhook:
    """Receives Apprise's json:// POSTs at ``/hook``; answers ``status`` (200 by default)."""

    def __init__(self, server: LocalServer, path: str = "/hook") -> None:
        self.server = server
        self.path = path
        self.status = 200
        self.payloads: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        server.routes[path] = self._receive

    def _receive(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        if self.status < 300:
            self.payloads.append(json.loads(body or b"{}"))
            self.headers.append(dict(handler.headers))
        handler.send_response(self.status)
        handler.send_header("Content-Length", "2")
        handler.end_headers()
        handler.wfile.write(b"{}")

    def url(self, scheme: str = "json", secret: str = "") -> str:
        """This webhook as an Apprise URL (``secret`` as a password in it)."""
        auth = f"hook-user:{secret}@" if secret else ""
        return f"{scheme}://{auth}127.0.0.1:{self.server.port}{self.path}"

    def messages(self) -> list[str]:
        return [f"{p.get('title')}\n{p.get('message')}" for p in self.payloads]


@pytest.fixture
def webhook(http_server: LocalServer) -> Webhook:
    return Webhook(http_server)


def spec_findings(
    sha: str, operations: list[str], *, valid: bool = True, at: str = "2026-11-01T06:00:00Z"
) -> tuple[Finding, ...]:
    """A fetched spec with its inventory (``valid`` decides spec.valid's outcome)."""
    return (
        Finding("spec.valid", Outcome.PASS if valid else Outcome.FAIL,
                "valid" if valid else "invalid: paths./pets.get.responses is required",
                "spec_document", None, {"sha256": sha, "format_label": "OpenAPI 3.0.3"},
                observed_at=at),
        Finding("spec.inventory", Outcome.PASS, "inventory", "spec_document", None,
                {"field_count": 1, "fields": ["Pet.id"], "operations": operations},
                observed_at=at),
    )  # fmt: skip


def tls_findings(host: str, days_left: int, at: str) -> tuple[Finding, ...]:
    """The certificate seen on the base and the spec URL of one host."""
    return tuple(
        Finding("tls.certificate_expiry", Outcome.PASS if days_left >= 14 else Outcome.FAIL,
                f"{field}: TLS certificate expires in {days_left} days", "availability",
                f"https://{host}/{field}", {"days_left": days_left}, observed_at=at)
        for field in ("base_url", "spec_url")
    )  # fmt: skip


def day(n: int) -> str:
    return f"2026-11-{n:02d}T03:00:00Z"


def file_digest(path: Path) -> str:
    """The store file's bytes (with its WAL checkpointed by closing every connection)."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def table_rows(path: Path, table: str) -> int:
    with Store.open(path) as store:
        return int(store.db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])


def opened(path: Path) -> Iterator[Store]:
    with Store.open(path, write=True) as store:
        yield store
