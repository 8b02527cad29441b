"""Opening a store: the file, its schema version and, for writers, the lock."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from types import TracebackType

from auditor.store.lock import WriterLock
from auditor.store.schema import SCHEMA_VERSION, StoreError, connect, migrate


class Store:
    """An open audit history. Readers share it freely (WAL); one process writes at a time.

    Use ``Store.open(path)`` to read (diff, history, reports) and
    ``Store.open(path, write=True)`` to record runs; both upgrade an older
    schema and refuse a newer one.
    """

    def __init__(self, path: Path, connection: sqlite3.Connection, lock: WriterLock | None):
        self.path = path
        self.db = connection
        self._lock = lock
        self.migrated_from: int | None = None
        """The schema version this open upgraded the file from (None: no upgrade)."""

    @classmethod
    def open(cls, path: Path | str, *, write: bool = False, purpose: str = "audit") -> Store:
        path = Path(path)
        if not write and not path.is_file():
            raise StoreError(
                f"{path}: no such store; record one with `auditor audit ... --store {path}`"
            )
        if path.is_dir():
            raise StoreError(f"{path}: is a folder; --store takes a file name such as audit.db")
        lock = None
        if write:
            lock = WriterLock(path)
            lock.acquire(purpose)
        try:
            connection = connect(path)
            try:
                before = migrate(connection, path)
            except BaseException:
                connection.close()
                raise
        except BaseException:
            if lock is not None:
                lock.release()
            raise
        store = cls(path, connection, lock)
        store.migrated_from = before if 0 < before < SCHEMA_VERSION else None
        return store

    @property
    def writable(self) -> bool:
        return self._lock is not None

    def require_writer(self) -> None:
        if self._lock is None:
            raise StoreError(f"{self.path}: opened read-only; open it with write=True to record")

    def close(self) -> None:
        try:
            self.db.close()
        finally:
            if self._lock is not None:
                self._lock.release()
                self._lock = None

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
