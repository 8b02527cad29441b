"""Availability over time: uptime per period, latency percentiles, failure streaks."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from auditor.store import Store, availability_stats
from auditor.store.stats import percentile
from tests.support.store import record_run, result, writable_store


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    yield from writable_store(tmp_path)


NOW = "2026-11-20T12:00:00Z"


def _history(store: Store, verdicts: list[tuple[str, bool | None, float]]) -> None:
    for at, up, latency in verdicts:
        record_run(store, [result("a", up=up, at=at, latency=latency)], started_at=at)


def test_uptime_per_period_latency_and_streaks(store: Store) -> None:
    _history(
        store,
        [
            ("2026-10-01T00:00:00Z", False, 0),  # outside every period
            ("2026-10-25T00:00:00Z", True, 100),
            ("2026-11-01T00:00:00Z", False, 0),
            ("2026-11-02T00:00:00Z", False, 0),
            ("2026-11-03T00:00:00Z", False, 0),
            ("2026-11-15T00:00:00Z", True, 200),
            ("2026-11-19T00:00:00Z", None, 0),  # could not be verified: left out
            ("2026-11-20T00:00:00Z", False, 0),
            ("2026-11-20T06:00:00Z", False, 0),
        ],
    )
    stats = availability_stats(store, "a", now=NOW)
    assert (stats.succeeded, stats.failed, stats.not_established) == (2, 5, 1)
    assert stats.verifications == 7
    assert stats.share == round(2 / 7, 4) == stats.uptime_30d
    assert stats.uptime_7d == 0.3333  # 15th up, 19th unknown, 20th twice down
    assert stats.uptime_24h == 0.0
    assert stats.current_failure_streak == 2
    assert stats.longest_failure_streak == 3
    assert stats.latency_p50_ms == 150.0 and stats.latency_p90_ms == 190.0
    assert stats.last_success_at == "2026-11-15T00:00:00Z"
    assert stats.last_failure_at == "2026-11-20T06:00:00Z"


def test_no_verification_is_unknown_not_zero_or_full(store: Store) -> None:
    _history(store, [("2026-11-19T00:00:00Z", None, 0)])
    stats = availability_stats(store, "a", now=NOW)
    assert stats.verifications == 0 and stats.not_established == 1
    assert stats.share is None and stats.uptime_24h is None and stats.uptime_30d is None
    assert stats.latency_p50_ms is None
    assert stats.current_failure_streak == 0
    empty = availability_stats(store, "never-seen", now=NOW)
    assert empty.share is None and empty.last_success_at is None


def test_a_shorter_window_changes_the_share_not_the_fixed_periods(store: Store) -> None:
    _history(store, [("2026-11-05T00:00:00Z", False, 0), ("2026-11-20T00:00:00Z", True, 80)])
    wide = availability_stats(store, "a", now=NOW)
    narrow = availability_stats(store, "a", now=NOW, window_days=7)
    assert (wide.share, narrow.share) == (0.5, 1.0)
    assert wide.uptime_30d == narrow.uptime_30d == 0.5


def test_percentile_interpolates() -> None:
    assert percentile([], 0.5) is None
    assert percentile([10.0], 0.99) == 10.0
    assert percentile([1.0, 2.0, 3.0, 4.0], 0.5) == 2.5
    assert percentile([1.0, 2.0, 3.0, 4.0, 100.0], 0.9) == 61.6
