"""``audit --store``, ``diff``, ``history`` and ``rescore`` through the CLI against a local server.

The commands run in-process (click's runner) so a test can count spec
analyses and forbid sockets; the server is a real HTTP server on 127.0.0.1
that honours ETag / If-None-Match like a well-behaved API host.
"""

from __future__ import annotations

import json
import socket
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from auditor.cli import main
from tests.conftest import ROOT
from tests.support.store_cli import SPEC, Site, analyses, audit, catalog, cli, site

__all__ = ["analyses", "site"]  # fixtures from tests.support.store_cli


def test_a_warm_run_neither_downloads_nor_validates_an_unchanged_spec(
    tmp_path: Path, site: Site, analyses: list[int]
) -> None:
    path, store = catalog(tmp_path, site.server), tmp_path / "audit.db"
    cold = audit(path, store)
    assert len(analyses) == 1 and site.sent_304 == 0
    warm = audit(path, store)
    assert len(analyses) == 1, "the unchanged spec was analysed again"
    assert site.sent_304 == 1
    assert site.spec_requests()[-1].get("If-None-Match", "").startswith('"')
    for key in ("score", "tier"):
        assert warm["pets"][key] == cold["pets"][key]
    for axis in ("officialness", "metadata_completeness", "license_clarity", "agent_readiness"):
        assert warm["pets"]["axes"][axis] == cold["pets"]["axes"][axis]
    assert warm["pets"]["spec"] | {"fetch": None} == cold["pets"]["spec"] | {"fetch": None}
    assert warm["pets"]["spec"]["fetch"].endswith("HTTP 304)")
    assert warm["pets"]["spec"]["valid"] is True
    fetched = next(f for f in warm["pets"]["findings"] if f["check"] == "spec.fetched")
    assert fetched["facts"]["status"] == 304 and fetched["facts"]["not_modified"] is True
    licence = next(f for f in warm["pets"]["findings"] if f["check"] == "license")
    assert "spec info.license" in licence["message"]  # read from the stored copy

    # the server changes the document: downloaded and analysed again, diff shows it
    site.spec = (SPEC % (site.server.url("/api"), "")).encode()
    changed = audit(path, store)
    assert len(analyses) == 2
    assert changed["pets"]["spec"]["sha256"] != cold["pets"]["spec"]["sha256"]
    result = cli("diff", "--store", str(store), "--format", "json")
    assert result.exit_code == 0, result.output
    spec_change = json.loads(result.stdout)["spec_changes"]
    assert [c["id"] for c in spec_change] == ["pets"]
    assert spec_change[0]["kind"] == "changed"
    with sqlite3.connect(store) as db:
        assert db.execute("SELECT COUNT(*) FROM spec_snapshots").fetchone()[0] == 2
        assert (
            db.execute("SELECT COUNT(*) FROM runs WHERE finished_at IS NOT NULL").fetchone()[0] == 3
        )


def test_availability_is_scored_over_the_stored_history(tmp_path: Path, site: Site) -> None:
    path, store = catalog(tmp_path, site.server), tmp_path / "audit.db"
    first = audit(path, store)
    assert first["pets"]["axes"]["availability"]["score"] == 100
    site.base_status = 503
    second = audit(path, store, "--window", "30d")
    axis = second["pets"]["axes"]["availability"]
    assert axis["score"] == 50 and axis["reason"] == "1 of 2 verifications succeeded"
    assert second["down"]["axes"]["availability"]["reason"] == "0 of 2 verifications succeeded"
    # the findings of the run are the run's own: history is scored, not copied
    assert sum(f["check"] == "availability" for f in second["pets"]["findings"]) == 1

    result = cli("diff", "--store", str(store))
    assert result.exit_code == 0, result.output
    assert "pets: " in result.stdout and "availability: 100 -> 50 (-50)" in result.stdout

    result = cli("history", "pets", "--store", str(store), "--format", "json")
    assert result.exit_code == 0, result.output
    history = json.loads(result.stdout)
    assert [p["availability"] for p in history["timeline"]] == ["pass", "fail"]
    assert [p["axes"]["availability"] for p in history["timeline"]] == [100, 50]
    assert history["availability"]["share"] == 0.5
    assert history["availability"]["current_failure_streak"] == 1
    assert history["spec"]["format"] == "OpenAPI 3.0.3" and history["spec"]["age_days"] == 0

    table = cli("history", "pets", "--store", str(store))
    assert table.exit_code == 0 and "1 of 2 verifications succeeded" in table.stdout
    missing = cli("history", "nobody", "--store", str(store))
    assert missing.exit_code == 2 and "no entry 'nobody'" in missing.output


def test_rescore_opens_no_socket_and_records_a_rescore_run(
    tmp_path: Path, site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, store = catalog(tmp_path, site.server), tmp_path / "audit.db"
    cold = audit(path, store)
    rules = tmp_path / "rules.yaml"
    text = (ROOT / "rules" / "trust-v1.yaml").read_text()
    assert 'version: "1.1.0"' in text  # the version this test replaces
    rules.write_text(
        text.replace('version: "1.1.0"', 'version: "2.0.0"').replace("weight: 25", "weight: 40", 1)
    )
    opened: list[Any] = []

    def no_socket(*args: Any, **kwargs: Any) -> None:
        opened.append(args)
        raise AssertionError("rescore opened a socket")

    monkeypatch.setattr(socket, "socket", no_socket)
    monkeypatch.setattr(socket, "getaddrinfo", no_socket)
    result = cli("rescore", "--store", str(store), "--rules", str(rules), "--format", "json")
    monkeypatch.undo()
    assert result.exit_code == 0, result.output
    assert opened == []
    document = json.loads(result.stdout)
    assert document["methodology"]["version"] == "2.0.0"
    rescored = {r["id"]: r for r in document["results"]}
    assert rescored["pets"]["axes"]["officialness"]["weight"] == 40
    assert rescored["pets"]["score"] != cold["pets"]["score"]
    assert rescored["pets"]["findings"] == cold["pets"]["findings"]

    listing = cli("diff", "--store", str(store), "--list", "--format", "json")
    runs = json.loads(listing.stdout)
    assert [(r["kind"], r["rescore_of"]) for r in runs] == [("audit", None), ("rescore", 1)]
    diff = cli("diff", "--store", str(store), "--format", "json")
    assert {c["id"] for c in json.loads(diff.stdout)["changed"]} >= {"pets"}


def test_rescore_takes_a_built_in_methodology_by_name(tmp_path: Path) -> None:
    """As the README shows: ``--rules trust-v1-strict``, like every other command."""
    from auditor.store import Store
    from tests.support.store import record_run, result

    store = tmp_path / "audit.db"
    with Store.open(store, write=True) as opened:
        record_run(opened, [result("a"), result("b", up=False)])
    strict = cli("rescore", "--store", str(store), "--rules", "trust-v1-strict", "--format", "json")
    assert strict.exit_code == 0, strict.output
    assert json.loads(strict.stdout)["methodology"]["id"] == "trust-strict"
    unknown = CliRunner().invoke(main, ["rescore", "--store", str(store), "--rules", "trust-v9"])
    assert unknown.exit_code == 2
    assert "trust-v9: no such rules file, nor a built-in methodology" in unknown.output


def test_an_older_store_is_upgraded_and_a_newer_one_refused(tmp_path: Path, site: Site) -> None:
    from tests.support.store import make_v1

    path = catalog(tmp_path, site.server)
    old = tmp_path / "v1.db"
    make_v1(old)
    result = cli(
        "audit", str(path), "--store", str(old), "--format", "json", "--allow-private-network",
        "--timeout", "2",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "upgraded" in result.stderr and "schema version 1" in result.stderr
    runs = json.loads(cli("diff", "--store", str(old), "--list", "--format", "json").stdout)
    assert [r["id"] for r in runs] == [1, 2]

    newer = tmp_path / "v99.db"
    with sqlite3.connect(newer) as db:
        db.execute("PRAGMA user_version = 99")
    result = cli("audit", str(path), "--store", str(newer), "--allow-private-network")
    assert result.exit_code == 2
    assert "schema version 99 is newer than this auditor supports" in result.output


def test_store_options_need_a_store(tmp_path: Path) -> None:
    result = cli("audit", str(tmp_path / "x.yaml"), "--resume")
    assert result.exit_code == 2 and "--resume and --window need --store" in result.output
    result = cli("audit", str(tmp_path / "x.yaml"), "--store", "a.db", "--window", "soon")
    assert result.exit_code == 2 and "30d, 12h or 2w" in result.output
