"""How ``--workers`` processes start: forked where that is safe, else spawned; and what a
forked one lets go of first."""

from __future__ import annotations

import asyncio
import os
import sys
import threading
from contextlib import suppress
from typing import Literal

StartMethod = Literal["fork", "spawn"]


def start_method(*, recording: bool = False) -> StartMethod:
    """How worker processes start: ``fork`` where it is safe, else ``spawn``.

    A forked worker starts in a few milliseconds with what the parent already
    imported and built; a spawned one starts an interpreter and imports the
    auditor again: ~0.2 s more CPU a worker (a warm part of 250 entries in
    ``benchmarks/rerun.py``: 0.77-0.83 s spawned, 0.61-0.66 s forked).
    Forking is safe on Linux when this process runs no other thread (a lock
    another thread held at the fork would stay held in the child for good),
    as the kernel counts them, so that a library's own threads count too
    (numpy starts one, once pandas is imported for the report site); a
    terminal's progress bar refreshes from a thread, so that run spawns. Nor
    from inside a running event loop (an async caller of the Python API): the
    child would hold that loop's selector and wake-up socket, the parent's too.
    On macOS and Windows, as CPython's own default, always spawn. And always
    when a store is being recorded: the parent's open SQLite connection would
    be carried across the fork, and SQLite forbids it (a child's connection to
    the same file reuses the parent's lock bookkeeping and WAL-index mapping,
    so the child reads without locks of its own).
    """
    if recording or sys.platform != "linux" or threading.active_count() != 1 or _os_threads() != 1:
        return "spawn"
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return "fork"
    return "spawn"


def _os_threads() -> int:
    """This process's threads as the kernel counts them (Linux ``/proc``), C ones included."""
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        return 2  # cannot tell: not alone, as far as forking goes


def let_go(descriptor: int) -> None:
    """Drop this (forked) process's hold on a descriptor it inherited, the number kept on
    /dev/null: the parent's file object, copied by the fork, still names it, and must never
    close another file that took the number."""
    try:
        null = os.open(os.devnull, os.O_RDWR)
    except OSError:
        return
    with suppress(OSError):
        os.dup2(null, descriptor)
    os.close(null)
