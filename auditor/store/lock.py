"""One writer per store: an OS file lock next to the database.

SQLite alone would keep two writing processes from corrupting the file, but
their runs would interleave into one history that neither meant to write.
The second writer is refused with a message naming the first, however it
names the store: the lock sits beside the resolved file (symlinks and
``..`` followed), so a symlink or another relative path finds it. The lock is
the kernel's (``flock``; ``msvcrt.locking`` on Windows), so a writer killed
with SIGKILL releases it and ``--resume`` can take over at once.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from types import TracebackType
from typing import IO

from auditor.model import utc_now
from auditor.store.schema import StoreError


class StoreBusy(StoreError):
    """Another process is writing this store."""


def _try_lock(handle: IO[bytes]) -> bool:
    if sys.platform == "win32":
        import msvcrt

        try:
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def _unlock(handle: IO[bytes]) -> None:
    if sys.platform == "win32":
        import msvcrt

        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)
    else:
        import fcntl

        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


class WriterLock:
    """Held while a process writes the store; ``acquire`` never waits."""

    def __init__(self, database: Path) -> None:
        # Keyed on the file itself, not on how it was named: through a symlink or
        # another relative path (./x/../audit.db) the same store has the same lock.
        resolved = database.resolve()
        self.path = resolved.with_name(resolved.name + ".lock")
        self._named = database
        self._handle: IO[bytes] | None = None

    def acquire(self, what: str) -> None:
        try:
            handle = self.path.open("a+b")
        except OSError as exc:
            raise StoreError(
                f"{self._named}: cannot create the store's lock file {self.path} "
                f"({exc.strerror or exc}): the folder must be writable to record into it"
            ) from exc
        if not _try_lock(handle):
            handle.seek(0)
            holder = handle.read(300).decode("utf-8", "replace").strip() or "another process"
            handle.close()
            raise StoreBusy(
                f"{self._named}: the store is being written by {holder}; "
                "wait for it to finish (or use another --store file)"
            )
        handle.seek(0)
        handle.truncate()
        handle.write(f"auditor pid {os.getpid()} ({what}, since {utc_now()})".encode())
        handle.flush()
        self._handle = handle

    def release(self) -> None:
        if self._handle is None:
            return
        try:
            self._handle.seek(0)
            self._handle.truncate()
            _unlock(self._handle)
        finally:
            self._handle.close()
            self._handle = None

    def __enter__(self) -> WriterLock:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()
