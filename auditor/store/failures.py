"""What a SQLite failure means for the store, in words that name the file and what to do.

SQLite's exceptions carry neither the file nor a hint: "database disk image
is malformed" could be any of several stores a command opened. Commands turn
them into a ``StoreError`` here, with the store's path and the way out
(a backup, permissions, free space, ``--resume``).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from auditor.store.schema import StoreError

_ADVICE: tuple[tuple[tuple[str, ...], str], ...] = (
    (
        ("SQLITE_CORRUPT", "SQLITE_NOTADB"),
        "the store is damaged ({error}); restore it from a backup or record into a new --store "
        "file (`sqlite3 {path} .recover` may save what is left)",
    ),
    (
        ("SQLITE_READONLY",),
        "cannot write the store ({error}): the file and its folder must be writable (SQLite "
        "writes the -wal and -shm files beside it), or use another --store file",
    ),
    (
        ("SQLITE_CANTOPEN",),
        "cannot open the store ({error}): check that its folder exists and can be read and written",
    ),
    (
        ("SQLITE_FULL",),
        "the disk is full ({error}); the write that failed was rolled back and what was "
        "committed before stays: free some space and run the command again (an audit "
        "continues with --resume)",
    ),
    (
        ("SQLITE_IOERR",),
        "input/output error on the store ({error}); the write that failed was rolled back: "
        "check the disk, then run the command again",
    ),
    (
        ("SQLITE_BUSY", "SQLITE_LOCKED"),
        "the store is locked by another program ({error}); try again when it is done",
    ),
)


def store_problem(path: Path | str, exc: sqlite3.Error) -> StoreError:
    """``exc`` as a StoreError naming ``path``, with what to do about it."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    error = str(exc) or type(exc).__name__
    for prefixes, advice in _ADVICE:
        if name.startswith(prefixes):
            return StoreError(f"{path}: " + advice.format(error=error, path=path))
    if "malformed" in error or "not a database" in error:
        return StoreError(f"{path}: " + _ADVICE[0][1].format(error=error, path=path))
    return StoreError(f"{path}: SQLite failed on the store ({error})")
