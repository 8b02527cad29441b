"""The executors spec analyses run on: a pool that kills a task past its limit, daemon threads."""

from __future__ import annotations

import os
import threading
import time

import pytest

from auditor.spec.pool import SpecPool, TaskTimeout, WorkerDied
from auditor.spec.threads import SpecThreads


def crash() -> None:
    os._exit(3)  # a worker that dies without an answer (out of memory, a segfault…)


@pytest.mark.slow
def test_a_task_past_its_limit_is_killed_and_the_pool_goes_on() -> None:
    pool = SpecPool(1)
    try:
        first = pool.submit(os.getpid).result(timeout=60)
        started = time.monotonic()
        with pytest.raises(TaskTimeout, match="worker killed"):
            pool.submit_within(0.5, time.sleep, 60).result(timeout=60)
        assert time.monotonic() - started < 5
        assert pool.killed == 1
        second = pool.submit(os.getpid).result(timeout=60)
        assert second != first  # a fresh worker took the killed one's place
        with pytest.raises(WorkerDied, match="exit 3"):
            pool.submit(crash).result(timeout=60)
        assert pool.submit(sum, [1, 2]).result(timeout=60) == 3
    finally:
        pool.shutdown()


@pytest.mark.slow
def test_a_task_whose_time_ran_out_in_the_queue_never_starts() -> None:
    pool = SpecPool(1)
    try:
        busy = pool.submit_within(1.0, time.sleep, 60)
        waiting = pool.submit_within(0.2, os.getpid)  # queued behind the sleeper
        with pytest.raises(TaskTimeout, match=r"waited past its 0\.2s limit"):
            waiting.result(timeout=60)
        with pytest.raises(TaskTimeout):
            busy.result(timeout=60)
    finally:
        pool.shutdown()


@pytest.mark.slow
def test_shutdown_without_waiting_kills_running_work_at_once() -> None:
    pool = SpecPool(2)
    running = [pool.submit(time.sleep, 60) for _ in range(2)]
    queued = pool.submit(time.sleep, 60)
    time.sleep(0.5)
    started = time.monotonic()
    pool.shutdown(wait=False, cancel_futures=True)
    assert time.monotonic() - started < 0.5
    for future in running:
        with pytest.raises(BaseException, match="shut down"):
            future.result(timeout=10)
    assert queued.cancelled()
    with pytest.raises(RuntimeError, match="after shutdown"):
        pool.submit(os.getpid)


def test_spec_threads_are_daemons_bounded_and_never_waited_for() -> None:
    threads = SpecThreads(2)
    release = threading.Event()
    running = 0
    most = 0
    lock = threading.Lock()

    def work() -> bool:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        is_daemon = threading.current_thread().daemon
        release.wait(10)
        with lock:
            running -= 1
        return is_daemon

    futures = [threads.submit(work) for _ in range(5)]
    time.sleep(0.2)
    assert most == 2  # the others wait their turn
    stuck = SpecThreads(1)
    never = stuck.submit(release.wait, 30)
    started = time.monotonic()
    stuck.shutdown(wait=False)  # returns at once, the daemon thread is left behind
    assert time.monotonic() - started < 0.5
    release.set()
    assert all(f.result(timeout=10) for f in futures)
    assert never.result(timeout=10) is True
    threads.shutdown()
    with pytest.raises(ZeroDivisionError):
        SpecThreads(1).submit(lambda: 1 / 0).result(timeout=10)
