"""What a ``--workers`` process may hold: its share of the run's limits, one analysis at once."""

from __future__ import annotations

import multiprocessing
from typing import Any

from auditor.context import AuditSettings, Limits
from auditor.run.peak_rss import peak_rss_mib
from auditor.run.workers import SPEC_THREADS, _part_settings
from auditor.spec.pool import spec_pool
from auditor.spec.threads import SpecThreads, default_workers


def test_a_part_gets_its_share_of_requests_and_site_cache_and_one_analysis_thread() -> None:
    settings = AuditSettings(
        limits=Limits(concurrency=256, shared_cache_bytes=64 * 1024 * 1024), spec_workers=-1
    )
    part = _part_settings(settings, 2)
    assert part.limits.concurrency == 128
    assert part.limits.shared_cache_bytes == 32 * 1024 * 1024
    assert part.spec_workers == 0 and part.spec_threads == SPEC_THREADS == 1
    executor = spec_pool(part)
    assert isinstance(executor, SpecThreads) and executor.workers == 1
    executor.shutdown()


def test_one_loop_keeps_the_thread_pool_default() -> None:
    executor = spec_pool(AuditSettings(spec_workers=0))
    assert isinstance(executor, SpecThreads) and executor.workers == default_workers()
    executor.shutdown()


def _child_peak(out: Any) -> None:
    out.put(peak_rss_mib())


def test_a_spawned_process_reports_its_own_peak_not_its_parents() -> None:
    """Linux carries ``ru_maxrss`` over through fork and exec: a worker spawned by a
    process that once held 200 MiB read at least 200 MiB, whatever it held itself."""
    held = bytearray(200 * 1024 * 1024)
    for i in range(0, len(held), 4096):
        held[i] = 1  # resident, not only reserved
    del held
    context = multiprocessing.get_context("spawn")
    out = context.Queue()
    child = context.Process(target=_child_peak, args=(out,))
    child.start()
    peak = out.get(timeout=60)
    child.join(10)
    assert 0 < peak < 150, f"the child reported {peak:.0f} MiB"
