"""What ``audit --store`` prints: the results it recorded, not read back unless it resumed.

A run recorded whole in one session hands its output the results it holds;
a resumed run reads them back (an earlier session recorded some). Either
way the output is the bytes the store's copy renders to.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest

import auditor.store.session as session
from auditor.methodology import load_methodology
from auditor.model import AuditResult
from auditor.render.results_json import json_bytes, results_document
from auditor.store import Store, load_results
from tests.support.store_cli import Site, analyses, catalog, cli, site

__all__ = ["analyses", "site"]  # fixtures from tests.support.store_cli

GENERATED = re.compile(rb'"generated_at": "[^"]*"')


@pytest.fixture
def read_backs(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the times a recording run reads its results back from the store."""
    calls: list[int] = []
    real = session.load_results

    def counting(store: Store, run_id: int) -> list[AuditResult]:
        calls.append(run_id)
        return real(store, run_id)

    monkeypatch.setattr(session, "load_results", counting)
    return calls


def audit_bytes(path: Path, store: Path, *extra: str) -> bytes:
    result = cli(
        "audit", str(path), "--store", str(store), "--format", "json",
        "--allow-private-network", "--timeout", "2", *extra,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return GENERATED.sub(b"", result.stdout_bytes)


def stored_bytes(store: Path) -> bytes:
    """The last run as the store holds it, rendered as ``audit --format json`` renders."""
    with Store.open(store) as opened:
        run_id = opened.db.execute("SELECT MAX(id) FROM runs").fetchone()[0]
        results = load_results(opened, run_id)
    document = results_document(results, load_methodology())
    return GENERATED.sub(b"", json_bytes(document))


def test_a_whole_run_prints_what_it_recorded_without_reading_it_back(
    tmp_path: Path, site: Site, analyses: list[int], read_backs: list[int]
) -> None:
    path, store = catalog(tmp_path, site.server), tmp_path / "audit.db"
    cold = audit_bytes(path, store)
    assert read_backs == []
    assert cold == stored_bytes(store)
    warm = audit_bytes(path, store)  # the spec answered 304: its findings come from the store
    assert site.sent_304 == 1 and len(analyses) == 1
    assert read_backs == []
    assert warm == stored_bytes(store)
    assert b'"status": 304' in warm and b'"fields": [' in warm


def test_a_resumed_run_reads_back_what_the_earlier_session_recorded(
    tmp_path: Path, site: Site, read_backs: list[int]
) -> None:
    path, store = catalog(tmp_path, site.server), tmp_path / "audit.db"
    audit_bytes(path, store)
    with sqlite3.connect(store) as db:  # the run stopped after its first entry
        db.execute("UPDATE runs SET finished_at = NULL")
        db.execute("DELETE FROM results WHERE entry_id = 'down'")
        db.execute("DELETE FROM findings WHERE entry_id = 'down'")
    resumed = audit_bytes(path, store, "--resume")
    assert len(read_backs) == 1
    assert resumed == stored_bytes(store)
    ids = re.findall(rb'^    {\n      "id": "([^"]+)"', resumed, re.MULTILINE)
    assert ids == [b"pets", b"down"]
