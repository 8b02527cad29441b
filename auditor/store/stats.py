"""Availability over time for reports: uptime, latency percentiles, failure streaks.

Computed from the ``availability`` verifications stored for an entry (one
per audit run) and the endpoint findings' measured latencies. A period with
no verification gives None (unknown), never 100% or 0%.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from auditor.model import utc_now
from auditor.store.db import Store
from auditor.store.session import DEFAULT_WINDOW_DAYS, days_before, iso, parse_iso

UPTIME_PERIODS = {"24h": 1.0, "7d": 7.0, "30d": 30.0}


@dataclass(frozen=True, slots=True)
class AvailabilityStats:
    entry_id: str
    window_days: float
    verifications: int
    """Verifications with a verdict (succeeded + failed) inside the window."""
    succeeded: int
    failed: int
    not_established: int
    """Verifications that could not be made (refused, no usable URL): left out of the share."""
    share: float | None
    """succeeded / verifications over the window (0-1); None when there was none."""
    uptime_24h: float | None
    uptime_7d: float | None
    uptime_30d: float | None
    latency_p50_ms: float | None
    latency_p90_ms: float | None
    latency_p99_ms: float | None
    current_failure_streak: int
    """Consecutive failed verifications up to the latest one (0 when the latest succeeded)."""
    longest_failure_streak: int
    last_success_at: str | None
    last_failure_at: str | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def percentile(values: list[float], q: float) -> float | None:
    """Linear interpolation between closest ranks (numpy's default); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    value = ordered[low] + (ordered[high] - ordered[low]) * (position - low)
    return round(value, 1)


def _share(outcomes: list[str]) -> float | None:
    known = [o for o in outcomes if o in ("pass", "fail")]
    return round(known.count("pass") / len(known), 4) if known else None


def availability_stats(
    store: Store,
    entry_id: str,
    *,
    window_days: float = DEFAULT_WINDOW_DAYS,
    now: str | None = None,
) -> AvailabilityStats:
    """The entry's availability history as of ``now`` (default: the current time)."""
    end = parse_iso(now or utc_now())
    span = max(window_days, max(UPTIME_PERIODS.values()))
    rows = store.db.execute(
        """SELECT outcome, observed_at FROM findings
           WHERE entry_id = ? AND check_id = 'availability' AND observed_at >= ?
             AND observed_at <= ? ORDER BY observed_at, id""",
        (entry_id, iso(days_before(end, span)), iso(end)),
    ).fetchall()
    verifications = [(row["outcome"], parse_iso(row["observed_at"])) for row in rows]

    def since(days: float) -> list[str]:
        start: datetime = days_before(end, days)
        return [outcome for outcome, at in verifications if at >= start]

    in_window = since(window_days)
    judged = [(o, at) for o, at in verifications if o in ("pass", "fail")]
    longest = run = 0
    for outcome, at in judged:
        if at < days_before(end, window_days):
            continue
        run = run + 1 if outcome == "fail" else 0
        longest = max(longest, run)
    latencies = [
        float(row[0])
        for row in store.db.execute(
            """SELECT latency_ms FROM findings
               WHERE entry_id = ? AND check_id IN ('availability.base_url', 'availability.spec_url')
                 AND outcome = 'pass' AND latency_ms IS NOT NULL
                 AND observed_at >= ? AND observed_at <= ?""",
            (entry_id, iso(days_before(end, window_days)), iso(end)),
        )
    ]
    last = {
        outcome: iso(max(at for o, at in verifications if o == outcome))
        for outcome in ("pass", "fail")
        if any(o == outcome for o, _ in verifications)
    }
    return AvailabilityStats(
        entry_id=entry_id,
        window_days=window_days,
        verifications=sum(o in ("pass", "fail") for o in in_window),
        succeeded=in_window.count("pass"),
        failed=in_window.count("fail"),
        not_established=sum(o not in ("pass", "fail") for o in in_window),
        share=_share(in_window),
        uptime_24h=_share(since(UPTIME_PERIODS["24h"])),
        uptime_7d=_share(since(UPTIME_PERIODS["7d"])),
        uptime_30d=_share(since(UPTIME_PERIODS["30d"])),
        latency_p50_ms=percentile(latencies, 0.50),
        latency_p90_ms=percentile(latencies, 0.90),
        latency_p99_ms=percentile(latencies, 0.99),
        current_failure_streak=run,
        longest_failure_streak=longest,
        last_success_at=last.get("pass"),
        last_failure_at=last.get("fail"),
    )
