"""What a ``--workers`` process may hold: its share of the run's limits, one analysis at once."""

from __future__ import annotations

from auditor.context import AuditSettings, Limits
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
