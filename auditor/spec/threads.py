"""Daemon threads for spec analyses run in the event loop's own process.

Why not ``asyncio.to_thread``: the default executor's threads are joined when
the loop closes and again at interpreter exit, so one analysis that outlived
its entry's budget kept the whole process alive after the run had finished
(6 such entries with a 20 s budget: 105 s, the healthy entries alone 1.3 s).
An analysis stops itself at its deadline (``budget.py``); should it not (work
inside a C library, or pure-Python library code no deadline reaches), the
caller stops waiting for it and these daemon threads never hold the exit.
At most ``workers`` analyses run at once, like the default executor.
"""

from __future__ import annotations

import collections
import concurrent.futures
import os
import threading
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


def default_workers() -> int:
    """As ``ThreadPoolExecutor``: ``min(32, cores + 4)``."""
    return min(32, (os.cpu_count() or 1) + 4)


class SpecThreads(concurrent.futures.Executor):
    """A bounded executor on daemon threads, started as work arrives and kept while it does."""

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers if workers is not None else default_workers()
        if self.workers < 1:
            raise ValueError("SpecThreads needs at least one thread")
        self._lock = threading.Lock()
        self._ready = threading.Condition(self._lock)
        self._queue: collections.deque[tuple[concurrent.futures.Future[Any], Callable[[], Any]]] = (
            collections.deque()
        )
        self._threads = 0
        self._idle = 0
        self._closed = False

    def submit(
        self, fn: Callable[..., T], /, *args: Any, **kwargs: Any
    ) -> concurrent.futures.Future[T]:
        future: concurrent.futures.Future[T] = concurrent.futures.Future()
        with self._lock:
            if self._closed:
                raise RuntimeError("cannot schedule new work after shutdown")
            self._queue.append((future, lambda: fn(*args, **kwargs)))
            if self._idle == 0 and self._threads < self.workers:
                self._threads += 1
                threading.Thread(target=self._serve, name="auditor-spec", daemon=True).start()
            else:
                self._ready.notify()
        return future

    def _serve(self) -> None:
        while True:
            with self._lock:
                while not self._queue and not self._closed:
                    self._idle += 1
                    self._ready.wait()
                    self._idle -= 1
                if not self._queue:  # closed and drained
                    self._threads -= 1
                    return
                future, work = self._queue.popleft()
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(work())
            except BaseException as exc:
                future.set_exception(exc)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Stop taking work; running analyses are never waited for when ``wait`` is False."""
        with self._lock:
            self._closed = True
            if cancel_futures:
                while self._queue:
                    self._queue.popleft()[0].cancel()
            self._ready.notify_all()
        if wait:
            with self._lock:
                while self._threads:
                    self._ready.wait(0.05)
