"""Schema v5: a recording run reads a snapshot's head (held whole? by which validator?) from
an index, not from the row, where ``validator`` sits after the packed analysis."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from auditor.spec.analyse import analyse_spec
from auditor.spec.validate import validator_id
from auditor.store import SCHEMA_VERSION, Store
from auditor.store.schema import SNAPSHOT_HEAD_INDEX
from auditor.store.session import RecordingRun
from auditor.store.spec_reuse import earlier_spec_findings
from tests.support.store import TRUST, entry, result, spec_findings, traced, writable_store

SPEC = b'{"openapi": "3.0.3", "info": {"title": "T", "version": "1"}, "paths": {}}'
URL = "https://x.example/openapi.json"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    yield from writable_store(tmp_path)


def _record_spec(store: Store) -> str:
    """One run whose entry ``a`` cites SPEC, held whole (body and analysis); its sha256."""
    report = analyse_spec(SPEC)
    run = RecordingRun.start(store, ["c.yaml"], TRUST, [entry("a")])
    run.spec_cache()[report.sha256] = report
    run.library.keep_body(URL, SPEC)
    run.record(result("a", extra=spec_findings(report, {"fields": ["Pet.id"]}, URL)))
    run.finish()
    return report.sha256


def _snapshot_reads(store: Store, sha: str) -> list[str]:
    """The statements reading a snapshot's head while a second run asks for what to send
    for URL, looks whether entry ``a``'s spec findings can be reused and records it again."""
    with traced(store) as seen:
        run = RecordingRun.start(store, ["c.yaml"], TRUST, [entry("a")])
        assert run.library.conditional(URL) == ('"v1"', None)
        # reads the head, then finds these hand-made findings short of a reusable set
        assert earlier_spec_findings(store, "a", URL, sha, validator_id()) is None
        run.record(result("a", extra=spec_findings(analyse_spec(SPEC), None, URL)))
    # the head's reads: those asking for the validator (reading a body or an analysis is
    # a row read by key, as it should be)
    return [s for s in seen if s.lstrip().startswith("SELECT") and "spec_snapshots" in s
            and "validator" in s]  # fmt: skip


def test_the_run_reads_a_snapshot_head_from_the_index(store: Store) -> None:
    sha = _record_spec(store)
    reads = _snapshot_reads(store, sha)
    assert len(reads) >= 3  # what to send, whether findings can be reused, what to store
    for statement in reads:
        plan = " ".join(
            str(step[-1]) for step in store.db.execute(f"EXPLAIN QUERY PLAN {statement}")
        )
        on_snapshots = [p for p in plan.split("SEARCH") if p.startswith((" spec_snapshots", " s "))]
        assert on_snapshots, plan
        assert all(SNAPSHOT_HEAD_INDEX in part for part in on_snapshots), (statement, plan)


def test_a_v4_store_gains_the_index_and_keeps_its_snapshots(tmp_path: Path) -> None:
    path = tmp_path / "v4.db"
    with Store.open(path, write=True) as store:
        sha = _record_spec(store)
    db = sqlite3.connect(path)
    db.execute(f"DROP INDEX {SNAPSHOT_HEAD_INDEX}")
    db.execute("ALTER TABLE results DROP COLUMN findings")  # what v6 added (it moves them back)
    db.execute("PRAGMA user_version = 4")
    db.commit()
    db.close()
    with Store.open(path, write=True) as store:
        assert store.migrated_from == 4
        assert store.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        indexes = {r[0] for r in store.db.execute("SELECT name FROM sqlite_master")}
        assert SNAPSHOT_HEAD_INDEX in indexes
        head = store.db.execute(
            f"SELECT body IS NOT NULL, validator FROM spec_snapshots INDEXED BY "
            f"{SNAPSHOT_HEAD_INDEX} WHERE sha256 = ?",
            (sha,),
        ).fetchone()
        assert tuple(head) == (1, validator_id())
