"""Opening a store only to read it, for reports: nothing in the file can change.

``Store.open`` upgrades an older schema in place; a report must not (it may
run on a copy published read-only, or beside a running audit). Here the
file is opened with SQLite's ``mode=ro``: no migration, no write, no
checkpoint. SQLite may leave its empty ``-wal``/``-shm`` files beside the
store; the next writer folds and removes them.

What the file holds is checked first, each refusal naming the file: not an
auditor store, a schema newer than this auditor, one older than the report
reads (an audit upgrades it), and no finished run to report on.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from auditor.store.db import Store
from auditor.store.schema import APPLICATION_ID, SCHEMA_VERSION, StoreError, schema_version

OLDEST_READABLE = 2
"""The first schema with run kinds, windows and spec snapshots, which reports read."""


def _connect(path: Path) -> sqlite3.Connection:
    uri = path.resolve().as_uri() + "?mode=ro"
    connection = sqlite3.connect(uri, uri=True, isolation_level=None, timeout=30.0)
    connection.row_factory = sqlite3.Row
    try:
        connection.execute("PRAGMA busy_timeout = 30000")
        connection.execute("PRAGMA query_only = ON")
        connection.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
    except sqlite3.DatabaseError as exc:
        connection.close()
        if getattr(exc, "sqlite_errorname", "") != "SQLITE_NOTADB":
            raise  # damaged, unreadable: the command says which (store.failures)
        raise StoreError(f"{path}: not an auditor store (not a SQLite database: {exc})") from exc
    return connection


def _check(connection: sqlite3.Connection, path: Path) -> None:
    application_id = int(connection.execute("PRAGMA application_id").fetchone()[0])
    version = schema_version(connection)
    tables = {
        row[0]
        for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    }
    if application_id not in (0, APPLICATION_ID) or (version == 0 and tables):
        raise StoreError(
            f"{path}: not an auditor store (no auditor schema version); "
            "give the file `auditor audit --store` writes"
        )
    if version == 0:
        raise StoreError(
            f"{path}: the store is empty (no run recorded); record one with "
            f"`auditor audit CATALOG --store {path}`"
        )
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"{path}: store schema version {version} is newer than this auditor supports "
            f"({SCHEMA_VERSION}); upgrade auditor to read it"
        )
    if version < OLDEST_READABLE:
        raise StoreError(
            f"{path}: store schema version {version} is older than reports read "
            f"({OLDEST_READABLE}); the next `auditor audit ... --store {path}` upgrades it"
        )


def open_read_only(path: Path | str) -> Store:
    """The store at ``path``, open for reading only (``Store.writable`` is False)."""
    path = Path(path)
    if path.is_dir():
        raise StoreError(f"{path}: is a folder; --store takes a file name such as audit.db")
    if not path.is_file():
        raise StoreError(
            f"{path}: no such store; record one with `auditor audit ... --store {path}`"
        )
    connection = _connect(path)
    try:
        _check(connection, path)
    except BaseException:
        connection.close()
        raise
    return Store(path, connection, None)
