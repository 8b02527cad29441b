"""Stores with a history to prune: nightly runs moved back in time, and what must stay sound."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

from auditor.store import Store
from auditor.store.packed_findings import blob_references, pack_findings, unpack_findings
from auditor.store.session import iso
from auditor.store.stored_facts import BLOB_KEY
from tests.support.store import record_run, result

NOW = datetime(2026, 12, 31, 12, 0, tzinfo=UTC)
TABLES = ("runs", "results", "findings", "spec_snapshots", "blobs", "http_validators")


def backdate(db: sqlite3.Connection, run_id: int, days_ago: float, now: datetime = NOW) -> None:
    """Move a recorded run ``days_ago`` back in time: the run, its results and its findings."""
    at = iso(now - timedelta(days=days_ago))
    db.execute(
        "UPDATE runs SET started_at = ?, finished_at = CASE WHEN finished_at IS NULL THEN NULL "
        "ELSE ? END WHERE id = ?",
        (at, at, run_id),
    )
    db.execute("UPDATE results SET finished_at = ? WHERE run_id = ?", (at, run_id))
    db.execute("UPDATE findings SET observed_at = ? WHERE run_id = ?", (at, run_id))
    packed = db.execute(
        "SELECT entry_id, findings FROM results WHERE run_id = ? AND findings IS NOT NULL",
        (run_id,),
    ).fetchall()
    for entry_id, value in packed:
        moved = [(*row[:6], at) for row in unpack_findings(value)]
        db.execute(
            "UPDATE results SET findings = ? WHERE run_id = ? AND entry_id = ?",
            (pack_findings(moved), run_id, entry_id),
        )


def counts(db: sqlite3.Connection) -> dict[str, int]:
    return {t: db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in TABLES}


def assert_references_sound(db: sqlite3.Connection) -> None:
    """Every blob and snapshot a row refers to is there, and nothing unreferenced is left."""
    path = f'$."{BLOB_KEY}"'
    referenced = {
        row[0]
        for table, column in (("results", "entry"), ("findings", "facts"))
        for row in db.execute(
            f"SELECT json_extract({column}, ?) FROM {table} WHERE json_type({column}, ?) = 'text'",
            (path, path),
        )
    }
    for (value,) in db.execute("SELECT findings FROM results"):
        referenced |= blob_references(value)
    held = {row[0] for row in db.execute("SELECT sha256 FROM blobs")}
    assert referenced == held
    specs = {row[0] for row in db.execute("SELECT spec_sha256 FROM results")} - {None}
    assert specs == {row[0] for row in db.execute("SELECT sha256 FROM spec_snapshots")}
    assert {row[0] for row in db.execute("SELECT sha256 FROM http_validators")} <= specs
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def nightly(
    store: Store, days_ago: list[float], *, window_days: float = 30.0, now: datetime = NOW
) -> list[int]:
    """One run a night, two entries each; returns the run ids, oldest first."""
    ids = []
    for days in days_ago:
        run = record_run(store, [result("a"), result("b", up=False)], window_days=window_days)
        backdate(store.db, run.id, days, now)
        ids.append(run.id)
    return ids
