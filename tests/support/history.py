"""A catalog with a history: nightly audits of three APIs on 127.0.0.1, moved back in time.

``flaky`` goes down (HTTP 503) two nights and recovers; ``pets`` loses an
operation (``DELETE /pets/{id}``) one night; ``licensed`` loses its
licence (catalog and spec), its description and its docs link, which moves
it down a tier. Each run is a real
``auditor audit --store`` against a real HTTP server; afterwards it is
moved back to its night (``backdate``), spec snapshots with it.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler
from pathlib import Path

from auditor.store.session import iso
from tests.conftest import LocalServer
from tests.support.prune import backdate
from tests.support.store_cli import audit

SPEC = """openapi: 3.0.3
info: {title: %(title)s, version: "1"%(licence)s}
%(servers)spaths:
  /pets:
    get:
%(summary)s      responses:
        200:
          description: ok
          content:
            application/json:
              schema: {type: array, items: {$ref: "#/components/schemas/Pet"}}
%(delete)s
components:
  schemas:
    Pet:
      type: object
      properties:
        id: {type: string}
        name: {type: string}
"""

DELETE = """  /pets/{id}:
    delete:
      parameters: [{name: id, in: path, required: true, schema: {type: string}}]
      responses:
        204: {description: gone}
"""

NIGHTS = (4, 3, 2, 1, 0)
"""Days before now of each nightly run."""


@dataclass
class Host:
    """The three APIs: what each route answers is set per night."""

    server: LocalServer
    flaky_status: int = 200
    pets_delete: bool = True
    licensed: bool = True
    docs_status: int = 200
    runs: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        for name in ("flaky", "pets", "licensed"):
            self.server.routes[f"/{name}/spec.yaml"] = self._spec(name)
            self.server.routes[f"/{name}/api"] = self._api(name)
        self.server.routes["/licensed/docs"] = self._docs

    def _spec(self, name: str) -> object:
        def handler(h: BaseHTTPRequestHandler) -> None:
            kept = name != "licensed" or self.licensed
            body = (
                SPEC
                % {
                    "title": name.title(),
                    "licence": ", license: {name: MIT}" if kept else "",
                    "delete": DELETE if name != "pets" or self.pets_delete else "",
                    "servers": f'servers: [{{url: "{self.server.url(f"/{name}/api")}"}}]\n'
                    if kept
                    else "",
                    "summary": "      summary: List pets\n" if kept else "",
                }
            ).encode()
            status = self.flaky_status if name == "flaky" else 200
            h.send_response(status)
            h.send_header("Content-Type", "application/yaml")
            h.send_header("Content-Length", str(len(body)))
            h.end_headers()
            if h.command != "HEAD":
                h.wfile.write(body)

        return handler

    def _api(self, name: str) -> object:
        def handler(h: BaseHTTPRequestHandler) -> None:
            status = self.flaky_status if name == "flaky" else 200
            h.send_response(status)
            h.send_header("Content-Type", "application/json")
            h.send_header("Content-Length", "2")
            h.end_headers()
            if h.command != "HEAD":
                h.wfile.write(b"{}")

        return handler

    def _docs(self, h: BaseHTTPRequestHandler) -> None:
        body = b"<html><head><title>Docs</title></head><body>API docs, licence MIT</body></html>"
        h.send_response(self.docs_status)
        h.send_header("Content-Type", "text/html")
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        if h.command != "HEAD":
            h.wfile.write(body)


def catalog(folder: Path, server: LocalServer, licensed: bool = True) -> Path:
    path = folder / "catalog.yaml"
    lines = []
    for name, title in (
        ("flaky", "Flaky API"),
        ("pets", "Pet Store"),
        ("licensed", "Licensed API"),
    ):
        described = name != "licensed" or licensed
        about = (
            f"  description: The {title}.\n  organization: Example Office\n" if described else ""
        )
        lines.append(
            f"""- id: {name}
  title: {title}
{about}  base_url: {server.url(f"/{name}/api")}
  spec_url: {server.url(f"/{name}/spec.yaml")}
"""
        )
    extra = f"  docs_url: {server.url('/licensed/docs')}\n  license: MIT\n" if licensed else ""
    path.write_text("".join(lines) + extra)
    return path


def move_to_night(store: Path, run_id: int, at: datetime) -> None:
    """The run, its results and findings, and the specs it first captured, happened at ``at``."""
    with sqlite3.connect(store) as db:
        started = db.execute("SELECT started_at FROM runs WHERE id = ?", (run_id,)).fetchone()[0]
        backdate(db, run_id, 0, at)
        db.execute(
            "UPDATE spec_snapshots SET captured_at = ? WHERE captured_at >= ?", (iso(at), started)
        )


def nightly_history(folder: Path, server: LocalServer) -> tuple[Path, Host, datetime]:
    """The store after five nights; returns it, the host and the last night's time."""
    host = Host(server)
    store = folder / "audit.db"
    last = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=5)
    for night, days in enumerate(NIGHTS):
        host.flaky_status = 503 if night in (2, 3) else 200
        host.pets_delete = night < 3
        host.licensed = night < 2
        host.docs_status = 200 if night < 2 else 404
        audit(catalog(folder, server, host.licensed), store, "--timeout", "10")  # a busy machine
        with sqlite3.connect(store) as db:
            run_id = db.execute("SELECT MAX(id) FROM runs").fetchone()[0]
        host.runs.append(run_id)
        move_to_night(store, run_id, last - timedelta(days=days))
    return store, host, last
