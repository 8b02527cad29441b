"""Worker processes for spec analysis, behind the ``concurrent.futures.Executor`` interface.

Why not ``ProcessPoolExecutor``: with ``max_tasks_per_child`` it hung here
with no CPU use on Python 3.11 (see /work/shared/notes/performance.md), and
without it a worker never gives back what validation libraries keep
(openapi-spec-validator's per-spec cache, upstream #523). This wraps
``multiprocessing.Pool(maxtasksperchild=…)``, which recycles workers
reliably, so ``loop.run_in_executor`` can use it like any executor.

Workers are started lazily (a run whose specs are all small never starts
one) with the ``spawn`` method: forking a process that runs an event loop and
threads can copy a held lock into the child.
"""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import os
import threading
from collections.abc import Callable
from multiprocessing.pool import Pool
from typing import Any, TypeVar

from auditor.context import AuditSettings

T = TypeVar("T")

TASKS_PER_WORKER = 200
"""Analyses per worker before it is replaced. auditor's engine keeps nothing per spec (peak
RSS 120 MB over the benchmark, against 280 MB for openapi-spec-validator), so this only
returns the memory a huge document left fragmented; a restart costs ~0.5-1 s."""


def _warm() -> None:
    """Import in each new worker what every analysis needs (validators compile on first use)."""
    from auditor.spec import analyse, validate  # noqa: F401


class SpecPool(concurrent.futures.Executor):
    """A lazily started, self-recycling process pool for ``analyse_spec`` calls."""

    def __init__(self, workers: int, tasks_per_worker: int = TASKS_PER_WORKER) -> None:
        if workers < 1:
            raise ValueError("a SpecPool needs at least one worker")
        self.workers = workers
        self.tasks_per_worker = tasks_per_worker
        self._pool: Pool | None = None
        self._lock = threading.Lock()
        self._closed = False

    def _ensure(self) -> Pool:
        with self._lock:
            if self._closed:
                raise RuntimeError("cannot schedule new work after shutdown")
            if self._pool is None:
                context = multiprocessing.get_context("spawn")
                self._pool = context.Pool(
                    self.workers, initializer=_warm, maxtasksperchild=self.tasks_per_worker
                )
            return self._pool

    def submit(
        self, fn: Callable[..., T], /, *args: Any, **kwargs: Any
    ) -> concurrent.futures.Future[T]:
        future: concurrent.futures.Future[T] = concurrent.futures.Future()
        future.set_running_or_notify_cancel()

        def done(result: T) -> None:
            if not future.done():
                future.set_result(result)

        def failed(error: BaseException) -> None:
            if not future.done():
                future.set_exception(error)

        self._ensure().apply_async(fn, args, kwargs, callback=done, error_callback=failed)
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        with self._lock:
            self._closed = True
            pool, self._pool = self._pool, None
        if pool is None:
            return
        if cancel_futures or not wait:
            pool.terminate()
        else:
            pool.close()
        if wait:
            pool.join()

    @property
    def started(self) -> bool:
        return self._pool is not None


def pool_size(requested: int) -> int:
    """``requested`` workers, or one per core when it is negative."""
    return (os.cpu_count() or 1) if requested < 0 else requested


def spec_pool(settings: AuditSettings) -> SpecPool | None:
    """The run's pool (None when ``spec_workers`` is 0: analyse in a thread)."""
    size = pool_size(settings.spec_workers)
    return SpecPool(size) if size > 0 else None
