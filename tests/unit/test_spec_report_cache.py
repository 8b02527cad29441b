"""The analysis cache a ``--workers`` process holds: bounded in bytes, least recently used out."""

from __future__ import annotations

import pytest

from auditor.run import workers
from auditor.spec.analyse import SpecReport, analyse_spec
from auditor.spec.report_cache import ReportCache, report_weight
from auditor.store.snapshots import StoredReports


def _report(i: int, paths: int = 20) -> SpecReport:
    ops = ", ".join(
        f'"/r{i}x{p}": {{"get": {{"responses": {{"200": {{"description": "ok"}}}}}}}}'
        for p in range(paths)
    )
    doc = f'{{"openapi": "3.0.3", "info": {{"title": "T{i}", "version": "1"}}, "paths": {{{ops}}}}}'
    return analyse_spec(doc.encode())


def test_a_bounded_cache_never_holds_more_than_its_bytes_and_drops_the_least_used() -> None:
    reports = [_report(i) for i in range(8)]
    weight = report_weight(reports[0])
    cache = ReportCache(capacity_bytes=3 * weight + weight // 2)  # room for three
    for report in reports[:3]:
        cache[report.sha256] = report
        assert cache.held_bytes <= 3 * weight + weight // 2
    assert reports[0].sha256 in cache
    assert cache[reports[0].sha256] is reports[0]  # used: the second is now the oldest
    for report in reports[3:]:
        cache[report.sha256] = report
        assert 0 < cache.held_bytes <= 3 * weight + weight // 2 and len(cache) <= 3
    assert reports[1].sha256 not in cache and reports[-1].sha256 in cache
    assert cache.held_bytes == sum(report_weight(r) for r in cache.values())


def test_an_unbounded_cache_keeps_everything_and_a_heavy_report_is_not_held() -> None:
    reports = [_report(i) for i in range(5)]
    everything = ReportCache()
    for report in reports:
        everything[report.sha256] = report
    assert len(everything) == 5
    tiny = ReportCache(capacity_bytes=10)
    tiny[reports[0].sha256] = reports[0]
    assert len(tiny) == 0 and tiny.held_bytes == 0


def test_reports_loaded_from_the_store_count_against_the_bound() -> None:
    reports = {r.sha256: r for r in (_report(i) for i in range(6))}
    weight = max(report_weight(r) for r in reports.values())
    made: list[SpecReport] = []
    cache = StoredReports(reports.get, made.append, capacity_bytes=2 * weight)
    for sha in reports:
        assert sha in cache  # loaded from the "store"
        assert cache.held_bytes <= 2 * weight
    assert len(cache) <= 2 and made == []


def test_a_worker_s_analysis_cache_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    reports = [_report(i) for i in range(6)]
    bound = 2 * max(report_weight(r) for r in reports)
    monkeypatch.setattr(workers, "REPORT_CACHE_BYTES", bound)
    cache = workers._PlainHistory().spec_cache()
    for report in reports:
        cache[report.sha256] = report
    assert isinstance(cache, ReportCache) and 0 < cache.held_bytes <= bound and len(cache) == 2


def test_a_cache_bounded_later_weighs_what_it_holds_and_keeps_the_newest() -> None:
    """The recording parent of ``--workers`` bounds its run's cache when the workers start:
    what it held already is weighed, the oldest dropped, and the bound holds from then on."""
    reports = [_report(i) for i in range(6)]
    weight = report_weight(reports[0])
    cache = ReportCache()
    for report in reports[:4]:
        cache[report.sha256] = report
    cache.bound(2 * weight + weight // 2)  # room for two
    assert list(cache) == [reports[2].sha256, reports[3].sha256]
    for report in reports[4:]:
        cache[report.sha256] = report
        assert len(cache) == 2 and cache.held_bytes <= 2 * weight + weight // 2
    assert cache.held_bytes == sum(report_weight(r) for r in cache.values())
