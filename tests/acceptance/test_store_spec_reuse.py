"""An unchanged spec's findings reused from the store (``auditor/store/spec_reuse.py``).

A real server on 127.0.0.1 honours ETags. A warm run reuses the findings the
document yielded last time without reading its stored analysis or the
document; they must be the findings a new analysis would give, timed now,
and about this entry's URL; a new engine or a changed document is analysed.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import auditor.spec.validate as validate
from auditor.cli import main
from auditor.store.snapshots import SnapshotLibrary
from tests.conftest import LocalServer
from tests.support.store import stored_findings
from tests.support.store_cli import analyses, serve_with_etag

__all__ = ["analyses"]  # a fixture from tests.support.store_cli

SPEC = {
    "openapi": "3.0.3",
    "info": {"title": "Pets", "version": "1", "license": {"name": "MIT"}},
    "servers": [{"url": "api"}],  # relative: the base of each request example is the spec's URL
    "paths": {
        "/pets/{id}": {
            "get": {
                "operationId": "getPet",
                "parameters": [
                    {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
                ],
                "responses": {
                    "200": {
                        "description": "a pet",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {
                                        f"field{i}": {"type": "string"} for i in range(40)
                                    },
                                }
                            }
                        },
                    }
                },
            }
        }
    },
}


class Specs:
    """Spec documents at several paths, each with an ETag (304 when it matches)."""

    def __init__(self, server: LocalServer) -> None:
        self.server = server
        self.body = json.dumps(SPEC).encode()
        self.etags = True
        self.sent_304 = 0

    def serve(self, path: str) -> str:
        self.server.routes[path] = self._spec
        return self.server.url(path)

    def _spec(self, handler: BaseHTTPRequestHandler) -> None:
        serve_with_etag(
            handler, self.body, "application/json", etags=self.etags, on_304=self._counted
        )

    def _counted(self) -> None:
        self.sent_304 += 1


@pytest.fixture
def specs(http_server: LocalServer) -> Specs:
    return Specs(http_server)


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Counts the stored analyses parsed and the stored documents decompressed."""
    counts = {"report": 0, "body": 0}

    def counting(name: str, real: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any) -> Any:
            counts[name] += 1
            return real(*args)

        return wrapper

    monkeypatch.setattr(
        SnapshotLibrary, "_load_report", counting("report", SnapshotLibrary._load_report)
    )
    monkeypatch.setattr(SnapshotLibrary, "body", counting("body", SnapshotLibrary.body))
    return counts


@pytest.fixture
def new_engine(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[], None]]:
    """Call it to run a newer spec engine (another ``validator_id``) from then on."""

    def bump() -> None:
        monkeypatch.setattr(validate, "ANALYSIS_REVISION", validate.ANALYSIS_REVISION + 100)
        validate.validator_id.cache_clear()

    yield bump
    monkeypatch.undo()
    validate.validator_id.cache_clear()


def write_catalog(tmp_path: Path, entries: dict[str, str]) -> Path:
    path = tmp_path / "catalog.json"
    records = [
        {"id": name, "title": name, "organization": "Pet Office", "spec_url": url}
        for name, url in entries.items()
    ]
    path.write_text(json.dumps({"entries": records}))
    return path


def audit(catalog: Path, store: Path) -> dict[str, list[dict[str, Any]]]:
    """Each entry's findings from ``audit --store --format json``."""
    result = CliRunner().invoke(
        main,
        ["audit", str(catalog), "--store", str(store), "--format", "json",
         "--allow-private-network", "--timeout", "5"],
        catch_exceptions=False,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return {r["id"]: r["findings"] for r in json.loads(result.stdout)["results"]}


def spec_findings(findings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The findings a spec analysis yields, without their time."""
    return [
        {k: v for k, v in f.items() if k != "observed_at"}
        for f in findings
        if f["probe"] == "spec_document" and f["check"] != "spec.fetched"
    ]


def check(findings: list[dict[str, Any]], name: str) -> dict[str, Any]:
    return next(f for f in findings if f["check"] == name)


def test_a_304_reuses_the_findings_without_reading_the_analysis_or_the_document(
    tmp_path: Path, specs: Specs, analyses: list[int], reads: dict[str, int]
) -> None:
    catalog, store = write_catalog(tmp_path, {"pets": specs.serve("/a/spec.json")}), tmp_path / "s"
    cold = audit(catalog, store)["pets"]
    assert len(analyses) == 1
    reads.update(report=0, body=0)
    warm = audit(catalog, store)["pets"]
    assert specs.sent_304 == 1 and len(analyses) == 1
    assert reads == {"report": 0, "body": 0}, "the stored analysis or document was read"
    assert spec_findings(warm) == spec_findings(cold)  # what a new analysis gave
    assert check(warm, "spec.fetched")["facts"]["status"] == 304
    assert check(warm, "spec.fetched")["facts"]["bytes"] == len(specs.body)
    example = check(warm, "spec.examples")["facts"]
    assert example["base_url"] == specs.server.url("/a/api")
    licence = check(warm, "license")
    assert "spec info.license" in licence["message"] and licence["facts"]["spec_checked"]
    with sqlite3.connect(store) as db:  # stored again as the same blobs, not copies
        texts = [(run, text) for run, _, _, text in stored_findings(db, "spec.inventory")]
    assert [run for run, _ in texts] == [1, 2] and texts[0][1] == texts[1][1]
    assert texts[0][1].startswith('{"$auditor.blob":')


def test_reused_findings_carry_this_runs_time(tmp_path: Path, specs: Specs) -> None:
    catalog, store = write_catalog(tmp_path, {"pets": specs.serve("/a/spec.json")}), tmp_path / "s"
    audit(catalog, store)
    with sqlite3.connect(store) as db:
        db.execute("UPDATE findings SET observed_at = '2001-01-01T00:00:00Z'")
    warm = audit(catalog, store)["pets"]
    assert specs.sent_304 == 1
    spec = [f for f in warm if f["probe"] == "spec_document"]
    assert len(spec) == 6 and all(f["observed_at"] > "2020" for f in spec)


def test_an_unchanged_download_reuses_them_too(
    tmp_path: Path, specs: Specs, analyses: list[int], reads: dict[str, int]
) -> None:
    specs.etags = False  # no 304s: the document is downloaded, found already held
    catalog, store = write_catalog(tmp_path, {"pets": specs.serve("/a/spec.json")}), tmp_path / "s"
    cold = audit(catalog, store)["pets"]
    reads.update(report=0, body=0)
    warm = audit(catalog, store)["pets"]
    assert len(analyses) == 1 and reads["report"] == 0
    assert check(warm, "spec.fetched")["facts"]["status"] == 200
    assert spec_findings(warm) == spec_findings(cold)


def test_the_same_document_at_another_url_gets_findings_about_that_url(
    tmp_path: Path, specs: Specs, analyses: list[int]
) -> None:
    a, b = specs.serve("/a/spec.json"), specs.serve("/b/spec.json")
    store = tmp_path / "s"
    audit(write_catalog(tmp_path, {"pets": a}), store)
    moved = audit(write_catalog(tmp_path, {"pets": b, "cats": a}), store)
    assert len(analyses) == 1  # the stored analysis serves both
    for name, url, base in (("pets", b, "/b/api"), ("cats", a, "/a/api")):
        found = spec_findings(moved[name])
        assert {f["subject"] for f in found} == {url}
        assert check(moved[name], "spec.examples")["facts"]["base_url"] == specs.server.url(base)
        command = check(moved[name], "spec.examples")["facts"]["curl"][0]["command"]
        assert specs.server.url(base) in command


def test_a_new_engine_or_a_changed_document_is_analysed_again(
    tmp_path: Path, specs: Specs, analyses: list[int], new_engine: Callable[[], None]
) -> None:
    catalog, store = write_catalog(tmp_path, {"pets": specs.serve("/a/spec.json")}), tmp_path / "s"
    audit(catalog, store)
    new_engine()
    upgraded = audit(catalog, store)["pets"]
    assert len(analyses) == 2 and specs.sent_304 == 0  # no validators sent for an old analysis
    assert check(upgraded, "spec.valid")["facts"]["validator"] == validate.validator_id()
    audit(catalog, store)
    assert len(analyses) == 2 and specs.sent_304 == 1  # the new engine's findings reused
    changed = dict(SPEC, info={"title": "Pets", "version": "2"})
    specs.body = json.dumps(changed).encode()
    again = audit(catalog, store)["pets"]
    assert len(analyses) == 3
    assert check(again, "spec.valid")["facts"]["version"] == "3.0.3"
    assert check(again, "spec.valid")["facts"]["sha256"] == hashlib.sha256(specs.body).hexdigest()
    licence = check(again, "license")
    assert "spec info.license" not in licence["message"]  # the new document states none
