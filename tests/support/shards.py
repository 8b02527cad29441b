"""Virtual hosts on one local server: the catalog, recording and comparison the scale tests share."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from auditor.context import AuditSettings, Limits, NetworkPolicy
from auditor.methodology import load_methodology
from auditor.model import AuditResult, Entry, Finding
from auditor.run.recording import Executor, local_executor, record_run
from auditor.scale.shard import Shard, select_shard
from tests.conftest import LocalServer

TRUST = load_methodology()
SPEC = """openapi: 3.0.3
info: {title: Pets, version: "1", license: {name: MIT}}
servers: [{url: "/api"}]
paths:
  /pets:
    get:
      operationId: listPets
      responses:
        200: {description: ok}
"""
HOSTS = ("alpha.test", "beta.test", "gamma.test", "delta.test", "eps.test", "zeta.test")


def serve_api_site(server: LocalServer) -> None:
    """Whatever the Host header, the same small API site: spec (with an ETag), API, pages."""
    server.add("/openapi.yaml", 200, SPEC, "application/yaml", {"ETag": '"v1"'})
    server.add("/api", 200, '{"ok": true}', "application/json")
    server.add("/down", 503, "down", "text/plain")
    server.add("/", 200, "<html><body><a href='/docs'>API docs</a></body></html>", "text/html")
    server.add("/docs", 200, "<html><body>docs</body></html>", "text/html")


def virtual_catalog() -> list[Entry]:
    """Two entries per virtual host (one of them down on gamma), and two without any URL."""
    out = []
    for host in HOSTS:
        for i in range(2):
            api = "/down" if host == "gamma.test" and i == 1 else "/api"
            out.append(
                Entry(
                    id=f"{host}-{i}",
                    title=f"API {i} on {host}",
                    description="an API",
                    organization="Org",
                    base_url=f"http://{host}{api}",
                    spec_url=f"http://{host}/openapi.yaml",
                    homepage_url=f"http://{host}/",
                    license="MIT",
                )
            )
    out += [Entry(id=f"bare-{i}", title=f"Bare {i}", description="no URL") for i in range(2)]
    return out


def virtual_settings(server: LocalServer) -> AuditSettings:
    """Virtual hosts pointed at the local server; everything else refused without DNS."""
    overrides = {host: ("127.0.0.1", server.port) for host in HOSTS}
    return AuditSettings(
        limits=Limits(retries=0, timeout=5.0),
        network=NetworkPolicy(allow_private=True, offline=True, host_overrides=overrides),
        spec_workers=0,
    )


def quietly(total: int, work: Callable[[Callable[[AuditResult], None]], list[AuditResult]]) -> Any:
    return work(lambda _r: None)


def record(
    path: Path,
    catalog: list[Entry],
    settings: AuditSettings,
    *,
    shard: Shard | None = None,
    executor: Executor = local_executor,
) -> list[AuditResult]:
    entries = select_shard(catalog, shard) if shard else catalog
    sources = ["/ci/catalog.yaml", *([shard.marker] if shard else [])]
    return record_run(
        path,
        sources,
        catalog,
        entries,
        settings,
        TRUST,
        executor=executor,
        resume=False,
        window_days=None,
        progress=quietly,
        say=lambda _m: None,
    )


_MS = re.compile(r"\d+(\.\d+)? ms\b")
VOLATILE = {"latency_ms", "elapsed_ms", "duration_ms"}


def comparable(finding: Finding) -> tuple[Any, ...]:
    """A finding without what differs between two runs of the same audit: times, latencies."""
    facts = json.dumps(
        {k: v for k, v in finding.facts.items() if k not in VOLATILE}, sort_keys=True, default=str
    )
    return (
        finding.check,
        finding.outcome,
        finding.subject,
        _MS.sub("N ms", finding.message),
        facts,
    )


def scores(results: list[AuditResult]) -> dict[str, tuple[Any, ...]]:
    return {
        r.entry.id: (
            r.assessment.score,
            r.assessment.tier,
            tuple((a.id, a.score, _MS.sub("N ms", a.reason)) for a in r.assessment.axes),
        )
        for r in results
    }


def cli_catalog(server: LocalServer, path: Path) -> Path:
    """Entries on the local server (one host: one shard) and entries with no URL (spread)."""
    lines = ["entries:"]
    for i in range(3):
        lines += [
            f"  - id: local-{i}",
            f"    title: Local API {i}",
            f"    base_url: {server.url('/api')}",
            f"    spec_url: {server.url('/openapi.yaml')}",
            f"    homepage_url: {server.url('/')}",
            "    license: MIT",
        ]
    for i in range(7):
        lines += [f"  - id: plain-{i}", f"    title: Plain {i}", "    organization: Org"]
    path.write_text("\n".join(lines) + "\n")
    return path
