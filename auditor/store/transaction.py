"""The store's one way to group statements: all of them, or none.

Connections are in autocommit mode (``schema.connect``), so every group of
writes that must land together opens its own transaction here. ``BEGIN
IMMEDIATE`` takes SQLite's write lock at once rather than at the first
write, so a second connection cannot slip in between our read and our write.

On any error (a full disk, Ctrl-C, a refused prune) the transaction is
rolled back, so the store stays as it was before the group. SQLite rolls
some failures back by itself (SQLITE_FULL, SQLITE_IOERR, SQLITE_NOMEM), and a
``ROLLBACK`` with no transaction left would then raise and hide the real
error: it is sent only when one is still open, and a failing rollback never
replaces the error that caused it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager, suppress


def _rollback(db: sqlite3.Connection) -> None:
    if db.in_transaction:
        with suppress(sqlite3.Error):
            db.execute("ROLLBACK")


@contextmanager
def transaction(db: sqlite3.Connection, *, dry_run: bool = False) -> Iterator[sqlite3.Connection]:
    """Commit the statements of the block together, or roll them all back on an error.

    ``dry_run``: a read transaction (plain ``BEGIN``, no write lock, so no
    writer lock needed either) that is always rolled back; its reads see one
    consistent snapshot and what it writes (temp tables) is thrown away.
    """
    db.execute("BEGIN" if dry_run else "BEGIN IMMEDIATE")
    try:
        yield db
        if not dry_run:
            db.execute("COMMIT")
    except BaseException:
        _rollback(db)
        raise
    if dry_run:
        db.execute("ROLLBACK")
