"""The spec pipeline end to end: a real audit of specs served on 127.0.0.1.

Checks the findings other parts of auditor read (``spec.inventory``,
``spec.examples``, ``spec.quality`` next to ``spec.valid``), that nothing a
spec says can make auditor fetch something, and that analyses are shared:
once per content in a run, not at all when the disk cache has them, in
worker processes for large specs.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from auditor.context import AuditSettings, Limits, NetworkPolicy
from auditor.methodology import load_methodology
from auditor.methodology.model import Methodology
from auditor.model import AuditResult, Entry, Finding, Outcome
from auditor.probes import spec_document
from auditor.run.loop import run_audit
from auditor.spec.analyse import SpecReport, analyse_spec
from auditor.spec.pool import SpecPool
from tests.conftest import FIXTURES, LocalServer

SETTINGS = AuditSettings(
    network=NetworkPolicy(allow_private=True), limits=Limits(retries=0, timeout=5)
)
INVENTORY_SPEC = (FIXTURES / "specs" / "inventory-3.0.yaml").read_bytes()


@pytest.fixture(scope="module")
def methodology() -> Methodology:
    return load_methodology()


@pytest.fixture(scope="module")
def _shared_server() -> Iterator[LocalServer]:
    server = LocalServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def http_server(_shared_server: LocalServer) -> LocalServer:
    _shared_server.routes.clear()
    _shared_server.requests.clear()
    return _shared_server


@pytest.fixture
def analyses(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the analyses the probe starts (in-thread ones: spec_workers=0)."""
    calls: list[int] = []

    def counting(data: bytes, *args: Any) -> SpecReport:
        calls.append(len(data))
        return analyse_spec(data, *args)

    monkeypatch.setattr(spec_document, "analyse_spec", counting)
    return calls


def audit(
    methodology: Methodology, *entries: Entry, settings: AuditSettings = SETTINGS
) -> list[AuditResult]:
    return run_audit(list(entries), settings, methodology)


def checks(result: AuditResult) -> dict[str, Finding]:
    return {f.check: f for f in result.findings}


def no_probe_errors(result: AuditResult) -> None:
    assert [f.message for f in result.findings if f.check.startswith("probe.")] == []


def served(
    server: LocalServer, path: str, body: bytes | str, kind: str = "application/json"
) -> Entry:
    server.add(path, 200, body, kind)
    return Entry(path.strip("/").replace("/", "-") or "root", "API", spec_url=server.url(path))


def test_findings_follow_the_contract(http_server: LocalServer, methodology: Methodology) -> None:
    entry = served(http_server, "/meteo/openapi.yaml", INVENTORY_SPEC, "application/yaml")
    (result,) = audit(methodology, entry)
    no_probe_errors(result)
    found = checks(result)
    assert found["spec.valid"].outcome is Outcome.PASS
    assert found["spec.valid"].facts["operation_count"] == 3
    assert "fields" not in found["spec.valid"].facts  # the inventory has its own finding

    inventory = found["spec.inventory"]
    assert inventory.outcome is Outcome.PASS
    assert inventory.facts["field_count"] == 14 and inventory.facts["operation_count"] == 3
    assert inventory.facts["truncated"] is False
    first = inventory.facts["fields"][0]
    assert set(first) == {"name", "type", "format", "description", "schema", "location",
                          "read_only", "write_only"}  # fmt: skip
    assert first["name"] == "page" and first["schema"] == "GET /stations"

    curl = found["spec.examples"].facts["curl"]
    keys = {"operation", "method", "path", "request_path", "accept", "auth", "command"}
    assert [set(c) for c in curl] == [keys] * 3
    # the relative server "/v1" resolves against where the spec was fetched
    base = http_server.url("/v1")
    assert curl[0]["command"] == (
        f"curl '{base}/stations?dept=75' -H 'Accept: application/json' -H 'X-API-Key: YOUR_API_KEY'"
    )
    assert curl[0]["auth"] == "apikey:header:X-API-Key" and curl[0]["accept"] == "application/json"
    assert (curl[1]["path"], curl[1]["request_path"]) == ("/stations/{id}", "/stations/{id}")
    assert curl[2]["method"] == "POST"

    quality = found["spec.quality"]
    assert quality.outcome is Outcome.PASS
    shares = ("operation_id_share", "summary_share", "parameter_docs_share",
              "response_schema_share", "examples_share", "error_responses_share")  # fmt: skip
    flags = ("servers_declared", "security_declared", "pagination_documented",
             "rate_limit_documented")  # fmt: skip
    assert all(0 <= quality.facts[k] <= 1 for k in shares)
    assert all(isinstance(quality.facts[k], bool) for k in flags)
    assert quality.facts["operation_count"] == 3
    json.dumps([f.to_dict() for f in result.findings])  # the JSON output can carry them


def test_external_refs_are_not_fetched(http_server: LocalServer, methodology: Methodology) -> None:
    http_server.add("/secret.json", 200, '{"x": {"type": "string"}}', "application/json")
    spec = {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {},
        "components": {
            "schemas": {
                "A": {"$ref": http_server.url("/secret.json") + "#/x"},
                "B": {"$ref": "file:///etc/passwd"},
                "C": {"$ref": "other.yaml#/C"},
            }
        },
    }
    entry = served(http_server, "/spec.json", json.dumps(spec))
    (result,) = audit(methodology, entry)
    no_probe_errors(result)
    assert "/secret.json" not in {path for _, path, _ in http_server.requests}
    valid = checks(result)["spec.valid"]
    assert valid.outcome is Outcome.UNKNOWN
    assert "external $ref not followed" in valid.message
    assert valid.facts["external_ref_count"] == 3


def test_ref_cycles_deep_nesting_and_bad_bytes_end_in_findings(
    http_server: LocalServer, methodology: Methodology
) -> None:
    cycle = {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {},
        "components": {"schemas": {"A": {"$ref": "#/components/schemas/B"},
                                   "B": {"$ref": "#/components/schemas/A"}}},
    }  # fmt: skip
    entries = [
        served(http_server, "/cycle.json", json.dumps(cycle)),
        served(http_server, "/deep.json", '{"a":' * 700 + "1" + "}" * 700),
        served(
            http_server, "/latin1.yaml", b"openapi: 3.0.3\ninfo: {title: caf\xe9}\n", "text/yaml"
        ),
    ]
    cyclic, deep, latin1 = audit(methodology, *entries)
    for result in (cyclic, deep, latin1):
        no_probe_errors(result)
    assert checks(cyclic)["spec.valid"].outcome is Outcome.FAIL
    assert "circular $ref chain" in checks(cyclic)["spec.valid"].message
    assert "nesting exceeds 512 levels" in checks(deep)["spec.format_known"].message
    assert "not valid UTF-8 at byte 32" in checks(latin1)["spec.format_known"].message
    assert checks(latin1)["spec.quality"].outcome is Outcome.UNKNOWN


def test_yaml_integer_codes_and_a_bom_are_read(
    http_server: LocalServer, methodology: Methodology
) -> None:
    entry = served(http_server, "/bom.yaml", b"\xef\xbb\xbf" + INVENTORY_SPEC, "text/yaml")
    (result,) = audit(methodology, entry)
    assert checks(result)["spec.valid"].outcome is Outcome.PASS


def test_same_content_is_analysed_once_per_run(
    http_server: LocalServer, methodology: Methodology, analyses: list[int]
) -> None:
    one = served(http_server, "/a/openapi.yaml", INVENTORY_SPEC, "text/yaml")
    two = served(http_server, "/b/openapi.yaml", INVENTORY_SPEC, "text/yaml")
    first, second = audit(methodology, one, two)
    assert analyses == [len(INVENTORY_SPEC)]
    assert (
        checks(first)["spec.valid"].facts["sha256"] == checks(second)["spec.valid"].facts["sha256"]
    )
    # the examples still use each entry's own URL
    assert "/a/" not in checks(second)["spec.examples"].facts["base_url"]


def test_disk_cache_spares_the_next_run(
    http_server: LocalServer, methodology: Methodology, analyses: list[int], tmp_path: Path
) -> None:
    settings = replace(SETTINGS, spec_cache_dir=str(tmp_path))
    entry = served(http_server, "/openapi.yaml", INVENTORY_SPEC, "text/yaml")
    (cold,) = audit(methodology, entry, settings=settings)
    (warm,) = audit(methodology, entry, settings=settings)
    assert len(analyses) == 1
    for check in ("spec.valid", "spec.inventory", "spec.examples", "spec.quality"):
        assert checks(warm)[check].facts == checks(cold)[check].facts
        assert checks(warm)[check].outcome == checks(cold)[check].outcome


def test_an_analysis_that_breaks_leaves_the_spec_unknown(
    http_server: LocalServer, methodology: Methodology, monkeypatch: pytest.MonkeyPatch
) -> None:
    def out_of_memory(data: bytes, *args: Any) -> SpecReport:
        raise MemoryError

    monkeypatch.setattr(spec_document, "analyse_spec", out_of_memory)
    entry = served(http_server, "/openapi.yaml", INVENTORY_SPEC, "text/yaml")
    (result,) = audit(methodology, entry)
    no_probe_errors(result)
    found = checks(result)
    for check in ("spec.format_known", "spec.valid", "spec.quality"):
        assert found[check].outcome is Outcome.UNKNOWN, check
    assert "analysis failed: MemoryError" in found["spec.valid"].message


def _in_pool(fn: Callable[[], Any], pool: SpecPool) -> Any:
    async def go() -> Any:
        return await asyncio.get_running_loop().run_in_executor(pool, fn)

    return asyncio.run(go())


@pytest.mark.slow
def test_pool_recycles_workers_and_reports_errors() -> None:
    pool = SpecPool(1, tasks_per_worker=1)
    try:
        first, second = _in_pool(os.getpid, pool), _in_pool(os.getpid, pool)
        assert first != second != os.getpid()  # each worker did one task, then was replaced
        with pytest.raises(ValueError, match="invalid literal"):
            _in_pool(partial(int, "x"), pool)  # raised in the worker, re-raised here
    finally:
        pool.shutdown()


def analyse_elsewhere(data: bytes, *args: Any) -> SpecReport:
    """``analyse_spec``, refusing to run in the test's own process (picklable: module level)."""
    if os.environ.get("AUDITOR_TEST_PARENT_PID") == str(os.getpid()):
        raise AssertionError("a large spec was analysed in the event loop's process")
    return analyse_spec(data, *args)


@pytest.mark.slow
def test_large_spec_is_validated_in_a_worker_process(
    http_server: LocalServer, methodology: Methodology, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AUDITOR_TEST_PARENT_PID", str(os.getpid()))
    monkeypatch.setattr(spec_document, "analyse_spec", analyse_elsewhere)
    paths = {
        f"/r{i}/{{id}}": {
            "get": {
                "operationId": f"get{i}",
                "description": "x" * 200,
                "parameters": [{"name": "id", "in": "path", "required": True,
                                "schema": {"type": "string"}}],
                "responses": {"200": {"description": "ok"}},
            }
        }
        for i in range(800)
    }  # fmt: skip
    spec = json.dumps(
        {"openapi": "3.0.3", "info": {"title": "big", "version": "1"}, "paths": paths}
    )
    assert len(spec) > spec_document.POOL_MIN_BYTES
    entry = served(http_server, "/big.json", spec)
    (result,) = audit(methodology, entry, settings=replace(SETTINGS, spec_workers=1))
    no_probe_errors(result)
    assert checks(result)["spec.valid"].outcome is Outcome.PASS
    assert checks(result)["spec.inventory"].facts["field_count"] == 800


# --- analyses are bounded by the entry's budget ---------------------------------------------


def slow_ring(links: int = 2_000, title: str = "ring") -> bytes:
    """A valid spec under the pool threshold whose semantic pass is quadratic: a ring of
    ``allOf`` links, each requiring a property of its own (unbounded: ~2 minutes)."""
    prefix = "#/components/schemas/S"
    schemas = {
        f"S{i}": {"allOf": [{"$ref": f"{prefix}{(i + 1) % links}"}], "required": [f"p{i}"],
                  "properties": {f"p{i}": {"type": "string"}}}
        for i in range(links)
    }  # fmt: skip
    media = {"application/json": {"schema": {"$ref": f"{prefix}0"}}}
    document = {
        "openapi": "3.0.3",
        "info": {"title": title, "version": "1"},
        "paths": {"/x": {"get": {"responses": {"200": {"description": "ok", "content": media}}}}},
        "components": {"schemas": schemas},
    }
    data = json.dumps(document).encode()
    assert len(data) < spec_document.POOL_MIN_BYTES  # analysed in a thread
    return data


BACKTRACKING = json.dumps(
    {
        "openapi": "3.0.3",
        "info": {"title": "backtracking", "version": "1"},
        "paths": {},
        "components": {
            "schemas": {"S": {"type": "string", "pattern": "^(a+)+$", "default": "a" * 40 + "!"}}
        },
    }
)
"""A backtracking match of hours with the GIL held: only a killed process ends it."""


def test_slow_specs_end_at_the_entry_budget_with_a_finding(
    http_server: LocalServer, methodology: Methodology
) -> None:
    budget = 2.0
    limits = replace(SETTINGS.limits, entry_timeout=budget, per_host=8)  # all start at once
    settings = replace(SETTINGS, limits=limits)
    entries = [
        served(http_server, f"/ring{i}.json", slow_ring(title=f"ring {i}")) for i in range(6)
    ]
    healthy = served(http_server, "/ok.yaml", INVENTORY_SPEC, "application/yaml")
    started = time.monotonic()
    results = audit(methodology, *entries, healthy, settings=settings)
    elapsed = time.monotonic() - started
    assert elapsed < budget + 1.5  # six analyses of ~2 minutes each, in threads
    stopped = 0
    for result in results[:-1]:
        no_probe_errors(result)  # a finding of its own before the verifier gave up
        valid = checks(result)["spec.valid"]
        assert valid.outcome is Outcome.UNKNOWN
        assert checks(result)["spec.quality"].outcome is Outcome.UNKNOWN
        if "spec analysis exceeded its" in valid.message:  # it stopped itself
            assert "(validation: semantic checks)" in valid.message
            assert checks(result)["spec.format_known"].outcome is Outcome.PASS
            stopped += 1
        else:  # on a loaded machine a thread may not get the GIL back in time to say so
            assert "spec analysis did not stop within the entry's budget" in valid.message
    assert stopped > 0
    assert checks(results[-1])["spec.valid"].outcome is Outcome.PASS


def gate_run(tmp_path: Path, *specs: str, entry_timeout: float) -> tuple[float, dict[str, Any]]:
    """``auditor gate --offline`` in its own process: wall time to exit, and its JSON."""
    (tmp_path / "auditor.toml").write_text(f'[limits]\nentry_timeout = "{entry_timeout}s"\n')
    env = {**os.environ, "PYTHONPATH": str(FIXTURES.parent)}
    command = [sys.executable, "-m", "auditor", "gate", *specs, "--offline", "--config",
               "auditor.toml", "--format", "json", "--exit-zero"]  # fmt: skip
    started = time.monotonic()
    proc = subprocess.run(
        command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600, check=False
    )
    elapsed = time.monotonic() - started
    assert proc.returncode == 0, proc.stderr[-2000:]
    return elapsed, json.loads(proc.stdout)


def valid_finding(document: dict[str, Any], origin: str) -> dict[str, Any]:
    (result,) = [r for r in document["results"] if r["entry"]["origin"] == origin]
    (finding,) = [f for f in result["findings"] if f["check"] == "spec.valid"]
    assert not [f for f in result["findings"] if f["check"].startswith("probe.")]
    return dict(finding)


@pytest.mark.slow
def test_a_run_with_hostile_specs_exits_within_the_entry_budget(tmp_path: Path) -> None:
    (tmp_path / "ok.yaml").write_bytes(INVENTORY_SPEC)
    baseline, _ = gate_run(tmp_path, "ok.yaml", entry_timeout=3)  # start-up, imports, a worker
    (tmp_path / "ring.json").write_bytes(slow_ring())
    (tmp_path / "regex.json").write_text(BACKTRACKING)
    elapsed, document = gate_run(tmp_path, "ok.yaml", "ring.json", "regex.json", entry_timeout=3)
    # unbounded: ~2 minutes for the ring, hours for the regex, and the process waited for
    # both. Bounded: the budget, plus start-up and exit (loose: a loaded machine slows those)
    assert elapsed < 2 * baseline + 3 + 3.0, (baseline, elapsed)
    ring = valid_finding(document, "ring.json")
    assert ring["outcome"] == "unknown" and "spec analysis exceeded its" in ring["message"]
    regex = valid_finding(document, "regex.json")  # moved to a worker process, then killed
    assert regex["outcome"] == "unknown"
    # killed in the match; on a loaded machine the worker may start late enough for the
    # deadline to pass before it reaches the match, which then never runs
    assert "worker killed" in regex["message"] or "exceeded its" in regex["message"]
    assert valid_finding(document, "ok.yaml")["outcome"] == "pass"
