"""Worker processes for spec analysis: a task that outlives its time limit is killed.

Why not ``multiprocessing.Pool``: it cannot stop one task. An analysis stuck
where no deadline check can reach it (a backtracking ``re`` match holds the
GIL; libyaml and jsonschema-rs run in C) kept its worker, and the run
that waited for it, busy for minutes. Why not ``ProcessPoolExecutor``: with
``max_tasks_per_child`` it hung with no CPU use on Python 3.11 (see
/work/shared/notes/performance.md), and it cannot kill one task either.

So each worker is one ``spawn``-ed daemon process on a pipe, fed one task at a
time by a dispatcher thread; ``submit_within(seconds, …)`` kills the worker
that is still on the task ``seconds`` after it was submitted (a task still
queued then never starts) and fails the task's future with ``TaskTimeout``;
the next task gets a fresh worker. Workers are
also replaced after ``tasks_per_worker`` tasks (validation libraries keep
what they cached: openapi-spec-validator's per-spec cache, upstream #523).
Workers start lazily: a run whose specs are all small never starts one.
Daemon processes and a daemon dispatcher: nothing here can hold the
interpreter's exit (multiprocessing terminates daemon children at exit).
"""

from __future__ import annotations

import collections
import concurrent.futures
import contextlib
import math
import multiprocessing
import os
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any, TypeVar

from auditor.context import AuditSettings
from auditor.spec.threads import SpecThreads

T = TypeVar("T")

TASKS_PER_WORKER = 200
"""Analyses per worker before it is replaced. auditor's engine keeps nothing per spec (peak
RSS 120 MB over the benchmark, against 280 MB for openapi-spec-validator), so this only
returns the memory a huge document left fragmented; a restart costs ~0.5-1 s."""


class TaskTimeout(TimeoutError):
    """A task ran past its limit; its worker was killed."""


class WorkerDied(RuntimeError):
    """A worker ended without an answer (killed by the system, out of memory, a crash)."""


def _warm() -> None:
    """Import in each new worker what every analysis needs (validators compile on first use)."""
    from auditor.spec import analyse, validate  # noqa: F401


def _serve(conn: Connection, tasks: int) -> None:
    """A worker's life: up to ``tasks`` (function, args, kwargs) answered, then exit."""
    _warm()
    for _ in range(tasks):
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        fn, args, kwargs = job
        try:
            reply: tuple[bool, Any] = (True, fn(*args, **kwargs))
        except BaseException as exc:
            reply = (False, exc)
        try:
            conn.send(reply)
        except Exception as exc:  # an answer that does not pickle
            conn.send((False, RuntimeError(f"answer could not be sent: {exc!r}"[:400])))


@dataclass(eq=False)
class _Task:
    fn: Callable[..., Any]
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    future: concurrent.futures.Future[Any]
    limit: float | None
    ends: float = math.inf
    """``time.monotonic()`` by which the task must be done (``limit`` after submission)."""


@dataclass(eq=False)
class _Worker:
    process: Any  # multiprocessing.context.SpawnProcess
    conn: Connection
    done: int = 0
    task: _Task | None = None
    retired: bool = False

    @property
    def ends(self) -> float:
        """``time.monotonic()`` at which the current task is killed."""
        return self.task.ends if self.task is not None else math.inf


class SpecPool(concurrent.futures.Executor):
    """A lazily started pool of worker processes that can kill a task running too long."""

    def __init__(self, workers: int, tasks_per_worker: int = TASKS_PER_WORKER) -> None:
        if workers < 1:
            raise ValueError("a SpecPool needs at least one worker")
        self.workers = workers
        self.tasks_per_worker = tasks_per_worker
        self._context = multiprocessing.get_context("spawn")
        self._lock = threading.Lock()
        self._queue: collections.deque[_Task] = collections.deque()
        self._busy: list[_Worker] = []
        self._idle: list[_Worker] = []
        self._closed = False
        self._abort = False
        self._thread: threading.Thread | None = None
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_r.setblocking(False)
        self._wake_w.setblocking(False)
        self.killed = 0
        """Tasks stopped for running past their limit (for tests and benchmarks)."""
        self.threads = SpecThreads()
        """For the analyses too small to be worth a process (the probe decides)."""

    # -- the Executor interface ---------------------------------------------------------

    def submit(
        self, fn: Callable[..., T], /, *args: Any, **kwargs: Any
    ) -> concurrent.futures.Future[T]:
        return self._put(_Task(fn, args, kwargs, concurrent.futures.Future(), None))

    def submit_within(
        self, seconds: float, fn: Callable[..., T], /, *args: Any, **kwargs: Any
    ) -> concurrent.futures.Future[T]:
        """``submit``, the worker killed if the task still runs ``seconds`` after this call."""
        limit = max(0.0, seconds)
        task = _Task(fn, args, kwargs, concurrent.futures.Future(), limit, time.monotonic() + limit)
        return self._put(task)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Stop taking tasks; ``wait=False`` or ``cancel_futures`` also kills running ones."""
        self.threads.shutdown(wait=wait, cancel_futures=cancel_futures)
        with self._lock:
            self._closed = True
            if cancel_futures or not wait:
                self._abort = True
            thread = self._thread
        self._wake()
        if thread is None:
            self._wake_r.close()
            self._wake_w.close()
        elif wait:
            thread.join()

    @property
    def started(self) -> bool:
        return bool(self._busy or self._idle)

    # -- the dispatcher -----------------------------------------------------------------

    def _put(self, task: _Task) -> concurrent.futures.Future[Any]:
        with self._lock:
            if self._closed:
                raise RuntimeError("cannot schedule new work after shutdown")
            self._queue.append(task)
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._dispatch, name="auditor-spec-pool", daemon=True
                )
                self._thread.start()
        self._wake()
        return task.future

    def _wake(self) -> None:
        with contextlib.suppress(OSError):  # closed, or full: the dispatcher wakes anyway
            self._wake_w.send(b"x")

    def _dispatch(self) -> None:
        try:
            while self._step():
                pass
        finally:
            self._stop_all()
            self._wake_r.close()
            self._wake_w.close()

    def _step(self) -> bool:
        """Hand out tasks, wait for answers, deaths or limits; False when the pool is done."""
        with self._lock:
            if self._abort:
                return False
            closed = self._closed
        self._start_tasks()
        if closed and not self._queue and not self._busy:
            return False
        now = time.monotonic()
        soonest = min((w.ends for w in self._busy), default=math.inf)
        timeout = None if soonest == math.inf else max(0.0, soonest - now)
        waitables: list[Any] = [self._wake_r]
        for worker in self._busy:
            waitables += [worker.conn, worker.process.sentinel]
        ready = set(wait(waitables, timeout))
        if self._wake_r in ready:
            with contextlib.suppress(OSError):  # drained: BlockingIOError
                while self._wake_r.recv(4096):
                    pass
        now = time.monotonic()
        for worker in list(self._busy):
            if worker.conn in ready or worker.process.sentinel in ready:
                self._answer(worker)
            elif now >= worker.ends:
                self.killed += 1
                self._kill(worker, TaskTimeout(self._over(worker)))
        return True

    @staticmethod
    def _over(worker: _Worker) -> str:
        limit = worker.task.limit if worker.task is not None else None
        return f"task still running after its {limit or 0:.3g}s limit; worker killed"

    def _start_tasks(self) -> None:
        while self._queue and len(self._busy) < self.workers:
            task = self._queue.popleft()
            if not task.future.set_running_or_notify_cancel():
                continue  # cancelled while it waited
            if time.monotonic() >= task.ends:  # its time ran out in the queue
                task.future.set_exception(
                    TaskTimeout(f"task waited past its {task.limit:.3g}s limit")
                )
                continue
            worker = self._idle.pop() if self._idle else self._spawn()
            try:
                worker.conn.send((task.fn, task.args, task.kwargs))
            except Exception as exc:  # a dead worker, or arguments that do not pickle
                self._kill(worker, None)
                task.future.set_exception(exc)
                continue
            worker.task = task
            self._busy.append(worker)

    def _spawn(self) -> _Worker:
        parent, child = self._context.Pipe()
        process = self._context.Process(
            target=_serve, args=(child, self.tasks_per_worker), daemon=True
        )
        process.start()
        child.close()
        return _Worker(process, parent)

    def _answer(self, worker: _Worker) -> None:
        task = worker.task
        assert task is not None
        try:
            ok, value = worker.conn.recv()
        except (EOFError, OSError):
            worker.process.join(1)  # its end of the pipe is closed: it is exiting
            code = worker.process.exitcode
            self._kill(worker, WorkerDied(f"spec worker ended without an answer (exit {code})"))
            return
        except Exception as exc:  # an answer that does not unpickle here
            ok, value = False, exc
        if ok:
            task.future.set_result(value)
        else:
            task.future.set_exception(value)
        worker.task = None
        worker.done += 1
        self._busy.remove(worker)
        if worker.done >= self.tasks_per_worker:
            self._retire(worker)  # it exits by itself after its last task
        else:
            self._idle.append(worker)

    def _kill(self, worker: _Worker, error: BaseException | None) -> None:
        if worker.task is not None and error is not None and not worker.task.future.done():
            worker.task.future.set_exception(error)
        worker.task = None
        if worker in self._busy:
            self._busy.remove(worker)
        if worker.process.is_alive():
            worker.process.kill()
            worker.process.join(1)  # SIGKILL: gone at once
        self._retire(worker)

    @staticmethod
    def _retire(worker: _Worker) -> None:
        """Let go of a worker; the exited process is reaped by multiprocessing's next start."""
        worker.retired = True
        worker.conn.close()

    def _stop_all(self) -> None:
        """Kill the busy workers (failing their tasks), let the idle ones exit."""
        aborted = concurrent.futures.CancelledError("the spec pool was shut down")
        with self._lock:
            queued = list(self._queue)
            self._queue.clear()
        for task in queued:
            task.future.cancel()  # still pending: never handed to a worker
        for worker in list(self._busy):
            self._kill(worker, aborted)
        for worker in self._idle:
            with contextlib.suppress(OSError):
                worker.conn.send(None)
        for worker in self._idle:
            worker.process.join(1)
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join(1)
            self._retire(worker)
        self._idle.clear()


def pool_size(requested: int) -> int:
    """``requested`` workers, or one per core when it is negative."""
    return (os.cpu_count() or 1) if requested < 0 else requested


def spec_pool(settings: AuditSettings) -> SpecPool | SpecThreads:
    """The run's analysis executor: worker processes, or daemon threads when ``spec_workers``
    is 0 (small catalogs, tests, Dask workers)."""
    size = pool_size(settings.spec_workers)
    return SpecPool(size) if size > 0 else SpecThreads(settings.spec_threads)
