"""A local API host whose spec honours ETags, and the CLI calls the store tests make."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from auditor.cli import main
from tests.conftest import LocalServer

SPEC = """openapi: 3.0.3
info: {title: Pets, version: "1", license: {name: MIT}}
servers: [{url: "%s"}]
paths:
  /pets:
    get:
      responses:
        200: {description: ok}
%s"""


DELETE = """  /pets/{id}:
    delete:
      parameters: [{name: id, in: path, required: true, schema: {type: string}}]
      responses:
        204: {description: gone}
"""


def serve_with_etag(
    handler: BaseHTTPRequestHandler,
    body: bytes,
    content_type: str,
    *,
    etags: bool = True,
    on_304: Callable[[], None] = lambda: None,
) -> None:
    """Answer like a well-behaved host: an ETag, and a 304 to a matching If-None-Match.

    ``on_304`` runs before the 304 is sent: counted after it, a test could read the count
    before this server's thread got round to it (the client was done first, ~1 run in 7)."""
    etag = f'"{hashlib.sha256(body).hexdigest()[:16]}"'
    if etags and handler.headers.get("If-None-Match") == etag:
        on_304()
        handler.send_response(304)
        handler.send_header("ETag", etag)
        handler.send_header("Content-Length", "0")
        handler.end_headers()
        return
    handler.send_response(200)
    handler.send_header("Content-Type", content_type)
    if etags:
        handler.send_header("ETag", etag)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    if handler.command != "HEAD":
        handler.wfile.write(body)


class Site:
    """The API host: a spec with an ETag (304 when unchanged) and a base URL whose status we set."""

    def __init__(self, server: LocalServer) -> None:
        self.server = server
        self.base_status = 200
        self.spec = (SPEC % (server.url("/api"), DELETE)).encode()
        self.sent_304 = 0
        server.routes["/spec.yaml"] = self._spec
        server.routes["/api"] = self._api

    def _spec(self, handler: BaseHTTPRequestHandler) -> None:
        serve_with_etag(handler, self.spec, "application/yaml", on_304=self._counted)

    def _counted(self) -> None:
        self.sent_304 += 1

    def _api(self, handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(self.base_status)
        handler.send_header("Content-Length", "2")
        handler.end_headers()
        if handler.command != "HEAD":
            handler.wfile.write(b"{}")

    def spec_requests(self) -> list[dict[str, str]]:
        return [headers for method, path, headers in self.server.requests if path == "/spec.yaml"]


@pytest.fixture
def site(http_server: LocalServer) -> Site:
    return Site(http_server)


@pytest.fixture
def analyses(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts spec analyses (parse + validate), the work a warm run must skip."""
    import auditor.probes.spec_document as spec_document

    calls: list[int] = []
    real: Callable[..., Any] = spec_document.analyse_spec

    def counting(data: bytes, *args: Any) -> Any:
        calls.append(len(data))
        return real(data, *args)

    monkeypatch.setattr(spec_document, "analyse_spec", counting)
    return calls


def catalog(tmp_path: Path, server: LocalServer) -> Path:
    path = tmp_path / "catalog.yaml"
    path.write_text(
        f"""- id: pets
  title: Pets
  organization: Pet Office
  base_url: {server.url("/api")}
  spec_url: {server.url("/spec.yaml")}
- id: down
  title: Down
  base_url: http://127.0.0.1:9/nothing
"""
    )
    return path


def cli(*args: str) -> Any:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result


def audit(path: Path, store: Path, *extra: str) -> dict[str, Any]:
    result = cli(
        "audit", str(path), "--store", str(store), "--format", "json",
        "--allow-private-network", "--timeout", "2", *extra,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    document: dict[str, Any] = json.loads(result.stdout)
    return {r["id"]: r for r in document["results"]}
