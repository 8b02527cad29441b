"""Grouping finished entries into one commit: the store's commit window.

A commit per entry costs more than the entry's own statements (the WAL
frames of every page it touched, written again for the next entry), about a
third of what ``--store`` added to a run. A recording run instead keeps one
write transaction open and commits it once ``seconds`` have passed since its
first entry, or once it holds ``entries`` entries; the executors call
``commit_if_due`` on a timer too, so an entry waits for its commit at most
about ``seconds`` even when no other entry finishes after it. A run killed
(even with SIGKILL) loses at most the entries that finished within that
window before the kill; everything committed is whole (each entry is written
under a savepoint: an entry whose statements fail is rolled back alone, and
the entries before it are still committed). When SQLite loses the whole
transaction (a full disk), the entries of the window are written again one
commit each, as far as they fit.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from contextlib import suppress

COMMIT_SECONDS = 0.5
"""The window: at most this long between an entry finishing and its commit (plus a tick)."""
COMMIT_ENTRIES = 256
"""At most this many entries in one commit (bounds the transaction on a fast run)."""


class CommitWindow:
    """One open write transaction, committed when it is old or full enough."""

    def __init__(
        self,
        db: sqlite3.Connection,
        seconds: float = COMMIT_SECONDS,
        entries: int = COMMIT_ENTRIES,
        on_rollback: Callable[[], None] = lambda: None,
    ) -> None:
        self._db = db
        self.seconds = seconds
        self._limit = max(1, entries)
        self._on_rollback = on_rollback
        self._opened = 0.0
        self._written: list[Callable[[], None]] = []

    @property
    def pending(self) -> int:
        """Entries written and not committed yet."""
        return len(self._written)

    def write(self, statements: Callable[[], None]) -> None:
        """Run one entry's statements in the open transaction (opening one if needed)."""
        db = self._db
        if not self._written:
            if not db.in_transaction:
                db.execute("BEGIN IMMEDIATE")
            self._opened = time.monotonic()
        db.execute("SAVEPOINT entry")
        try:
            statements()
        except BaseException:
            self._on_rollback()  # what this entry wrote is gone: forget what it noted
            if db.in_transaction:
                with suppress(sqlite3.Error):
                    db.execute("ROLLBACK TO entry")
                    db.execute("RELEASE entry")
            else:  # SQLite rolled the whole transaction back (a full disk, an I/O error)
                self._one_by_one()
            raise
        db.execute("RELEASE entry")
        self._written.append(statements)
        if len(self._written) >= self._limit or self.due():
            self.commit()

    def due(self) -> bool:
        return bool(self._written) and time.monotonic() - self._opened >= self.seconds

    def commit_if_due(self) -> None:
        if self.due():
            self.commit()

    def commit(self) -> None:
        """Commit what is written; if that fails, commit the entries one by one as far as
        they go (so a full disk keeps what fitted, as per-entry commits did), then raise."""
        db = self._db
        try:
            if db.in_transaction:
                db.execute("COMMIT")
        except BaseException:
            with suppress(sqlite3.Error):
                if db.in_transaction:
                    db.execute("ROLLBACK")
            self._on_rollback()
            self._one_by_one()
            raise
        self._written.clear()

    def _one_by_one(self) -> None:
        """After a lost transaction: each written entry again in a transaction of its own,
        until one fails (that error is not the one worth raising: the caller's is)."""
        written, self._written = self._written, []
        db = self._db
        for statements in written:
            try:
                db.execute("BEGIN IMMEDIATE")
                statements()
                db.execute("COMMIT")
            except sqlite3.Error:
                with suppress(sqlite3.Error):
                    if db.in_transaction:
                        db.execute("ROLLBACK")
                self._on_rollback()
                return
