"""Uptime, the daily strip and incidents from verifications: unknown is never 0 or 100 %."""

from __future__ import annotations

from auditor.render.uptime import (
    DEGRADED,
    DOWN,
    NOT_VERIFIED,
    UP,
    day_strip,
    incidents,
    percent_text,
    uptimes,
)
from auditor.render.uptime_badge import uptime_badge, uptime_color
from auditor.store.history import Verification
from auditor.store.session import parse_iso

AS_OF = "2026-11-30T03:30:00Z"


def v(
    at: str, outcome: str, latency: float | None = 100.0, message: str | None = None
) -> Verification:
    ts = parse_iso(at).timestamp()
    return Verification(1, at, outcome, latency if outcome == "pass" else None, message, ts)


def test_periods_without_a_verdict_are_unknown_and_refusals_are_left_out() -> None:
    found = [
        v("2026-11-01T03:17:00Z", "fail", message="HTTP 503"),
        v("2026-11-29T03:17:00Z", "unknown"),  # refused: no verdict
        v("2026-11-30T03:17:00Z", "unknown"),
    ]
    figures = {u.key: u for u in uptimes(found, AS_OF)}
    assert figures["24h"].share is None and figures["24h"].text == "unknown"
    assert figures["7d"].share is None and figures["7d"].detail == "no verification"
    assert figures["30d"].share == 0.0 and figures["30d"].text == "0%"
    assert figures["90d"].succeeded == 0 and figures["90d"].judged == 1
    assert uptime_badge(figures["24h"]).message == "unknown"
    assert uptime_color(None) == "#9f9f9f"


def test_the_period_start_is_excluded_so_24_hours_hold_one_nightly_run() -> None:
    found = [v("2026-11-29T03:30:00Z", "fail"), v("2026-11-30T03:17:00Z", "pass")]
    figures = {u.key: u for u in uptimes(found, AS_OF)}
    assert figures["24h"].judged == 1 and figures["24h"].text == "100%"
    assert figures["7d"].text == "50%"


def test_percentages_never_round_to_a_full_or_empty_figure() -> None:
    assert percent_text(0.9996) == "99.96%"
    assert percent_text(0.99996) == ">99.99%"
    assert percent_text(0.992) == "99.2%"
    assert percent_text(1.0) == "100%"
    assert percent_text(0.0004) == "<0.1%"
    assert percent_text(0.0) == "0%"
    assert percent_text(0.6) == "60%"
    assert percent_text(None) == "unknown"


def test_each_day_is_up_degraded_down_or_not_verified() -> None:
    found = [
        v("2026-11-27T03:17:00Z", "pass"),
        v("2026-11-28T03:17:00Z", "pass"),
        v("2026-11-28T15:17:00Z", "fail"),  # mixed day: degraded
        v("2026-11-29T03:17:00Z", "pass", latency=7200.0),  # slow: degraded
        v("2026-11-30T03:17:00Z", "fail"),
        v("2026-11-26T03:17:00Z", "unknown"),
    ]
    days = day_strip(found, AS_OF, days=6)
    assert [d.status for d in days] == [NOT_VERIFIED, NOT_VERIFIED, UP, DEGRADED, DEGRADED, DOWN]
    assert days[0].day.isoformat() == "2026-11-25"
    assert days[1].text == "2026-11-26: not verified (1 could not be made)"
    assert days[3].text == "2026-11-28: degraded (1 of 2 verifications passed)"
    assert "slowest answer 7200 ms" in days[4].text


def test_incidents_run_from_the_first_failure_to_the_next_success() -> None:
    found = [
        v("2026-11-20T03:17:00Z", "pass"),
        v("2026-11-21T03:17:00Z", "fail", message="base_url: HTTP 503"),
        v("2026-11-22T03:17:00Z", "unknown"),  # could not verify: the incident goes on
        v("2026-11-23T03:17:00Z", "fail", message="base_url: timeout"),
        v("2026-11-24T09:17:00Z", "pass"),
        v("2026-11-29T03:17:00Z", "fail", message="spec_url: HTTP 404"),
    ]
    latest, earlier = incidents(found, AS_OF)
    assert earlier.start == "2026-11-21T03:17:00Z" and earlier.end == "2026-11-24T09:17:00Z"
    assert earlier.failed == 2 and earlier.first_error == "base_url: HTTP 503"
    assert earlier.duration == "3 d 6 h" and not earlier.open
    assert latest.open and latest.end is None and latest.duration == "1 d 0 h"
    assert not latest.started_before_window


def test_a_window_that_opens_on_a_failure_may_have_started_earlier() -> None:
    (only,) = incidents([v("2026-11-29T03:17:00Z", "fail")], AS_OF)
    assert only.started_before_window and only.open
    assert only.first_error == "the verification failed"
