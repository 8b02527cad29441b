"""The store's transaction helper: all or nothing, and the real error when SQLite gave up first."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from auditor.store.schema import connect
from auditor.store.transaction import transaction


@pytest.fixture
def db(tmp_path: Path) -> Iterator[sqlite3.Connection]:
    connection = connect(tmp_path / "t.db")
    connection.execute("CREATE TABLE t (x BLOB)")
    yield connection
    connection.close()


def rows(db: sqlite3.Connection) -> int:
    return int(db.execute("SELECT COUNT(*) FROM t").fetchone()[0])


def test_commits_the_block_together(db: sqlite3.Connection) -> None:
    with transaction(db):
        db.execute("INSERT INTO t VALUES (1)")
        db.execute("INSERT INTO t VALUES (2)")
    assert rows(db) == 2 and not db.in_transaction


def test_rolls_back_on_any_error(db: sqlite3.Connection) -> None:
    with pytest.raises(KeyboardInterrupt), transaction(db):
        db.execute("INSERT INTO t VALUES (1)")
        raise KeyboardInterrupt
    assert rows(db) == 0 and not db.in_transaction


def test_dry_run_always_rolls_back(db: sqlite3.Connection) -> None:
    with transaction(db, dry_run=True):
        db.execute("INSERT INTO t VALUES (1)")
        assert rows(db) == 1
    assert rows(db) == 0 and not db.in_transaction


def test_a_full_disk_surfaces_as_itself_not_as_a_failed_rollback(db: sqlite3.Connection) -> None:
    """SQLITE_FULL rolls the transaction back inside SQLite; a second ROLLBACK would raise."""
    db.execute("INSERT INTO t VALUES (1)")
    pages = int(db.execute("PRAGMA page_count").fetchone()[0])
    db.execute(f"PRAGMA max_page_count = {pages}")
    with pytest.raises(sqlite3.OperationalError) as caught, transaction(db):
        db.execute("INSERT INTO t VALUES (2)")
        db.execute("INSERT INTO t VALUES (zeroblob(1000000))")
    assert caught.value.sqlite_errorname == "SQLITE_FULL"
    assert rows(db) == 1 and not db.in_transaction
