"""Opening stores: fresh, older (migrated), newer (refused), foreign (refused)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from auditor.store import SCHEMA_VERSION, Store, StoreError, load_results
from auditor.store.schema import APPLICATION_ID
from tests.support.store import make_v1


def test_a_new_store_is_current_in_wal_mode(tmp_path: Path) -> None:
    with Store.open(tmp_path / "a.db", write=True) as store:
        assert store.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert store.db.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
        assert store.migrated_from is None


def test_a_hand_made_v1_store_is_migrated_keeping_its_data(tmp_path: Path) -> None:
    path = tmp_path / "v1.db"
    make_v1(path)
    with Store.open(path, write=True) as store:
        assert store.migrated_from == 1
        assert store.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        run = store.db.execute("SELECT kind, window_days FROM runs WHERE id = 1").fetchone()
        assert tuple(run) == ("audit", 30.0)
        row = store.db.execute(
            "SELECT findings_run, spec_sha256 FROM results WHERE entry_id = 'old'"
        ).fetchone()
        assert tuple(row) == (1, "abc")
        latency = store.db.execute(
            "SELECT latency_ms FROM findings WHERE check_id = 'availability.base_url'"
        ).fetchone()[0]
        assert latency == 42.5
        (old,) = load_results(store, 1)
        assert old.entry.title == "Old" and old.assessment.score == 50.0
        assert [f.check for f in old.findings] == ["availability.base_url", "spec.valid"]
    with Store.open(path) as again:  # a second open does nothing more
        assert again.migrated_from is None


def test_an_empty_v0_file_becomes_a_store(tmp_path: Path) -> None:
    path = tmp_path / "v0.db"
    sqlite3.connect(path).close()  # a SQLite file with no schema: user_version 0
    with Store.open(path, write=True) as store:
        assert store.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        names = {
            r[0] for r in store.db.execute("SELECT name FROM sqlite_master WHERE type='table'")
        }
        assert {"runs", "results", "findings", "spec_snapshots", "http_validators"} <= names


def test_a_newer_store_is_refused_with_a_message(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.commit()
    db.close()
    with pytest.raises(
        StoreError, match=rf"version {SCHEMA_VERSION + 1} is newer than this auditor"
    ):
        Store.open(path, write=True)
    # the refusal left the file untouched and the lock free
    with pytest.raises(StoreError):
        Store.open(path, write=True)
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION + 1


def test_a_foreign_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE customers (id INTEGER)")
    db.commit()
    db.close()
    with pytest.raises(StoreError, match=r"not an auditor store .*customers"):
        Store.open(path, write=True)


def test_a_file_that_is_not_sqlite_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("hello, this is not a database\n" * 100)
    with pytest.raises(StoreError, match="not an auditor store"):
        Store.open(path, write=True)


def test_reading_a_missing_store_says_how_to_make_one(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match=r"no such store.*--store"):
        Store.open(tmp_path / "missing.db")
    assert not (tmp_path / "missing.db").exists()
