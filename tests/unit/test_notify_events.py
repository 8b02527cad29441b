"""Events worked out from a store's runs, and many of them as one message."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from auditor.notify.events import compute_events, duration_text
from auditor.notify.message import LINES_PER_KIND, compose
from auditor.store import Store
from auditor.store.runs import mark_degraded
from tests.support.notify import day, spec_findings, tls_findings
from tests.support.store import record_run, result, writable_store


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    yield from writable_store(tmp_path)


def nights(store: Store, pattern: str, entry_id: str = "api") -> None:
    """One run a night: ``u`` up, ``d`` down, ``?`` not established."""
    for n, mark in enumerate(pattern, 1):
        up = {"u": True, "d": False, "?": None}[mark]
        record_run(store, [result(entry_id, up=up, at=day(n))], started_at=day(n))


def kinds(events: list) -> list[tuple[str, int]]:  # type: ignore[type-arg]
    return [(e.kind, e.run_id) for e in events]


def test_down_after_two_failures_then_recovered_with_the_outage_length(store: Store) -> None:
    nights(store, "udddu")
    events = [e for e in compute_events(store) if e.kind in ("down", "recovered")]
    assert kinds(events) == [("down", 3), ("recovered", 5)]
    down, back = events
    assert down.key == "down:api:2"  # named by the outage's first failed run
    assert "2 failed verifications since 2026-11-02T03:00:00Z" in down.text
    assert back.facts["outage_seconds"] == 3 * 86400
    assert "back after about 3 days" in back.text and "API api (api)" in back.text


@pytest.mark.parametrize(("after", "down_run"), [(1, 2), (2, 3), (3, 4)])
def test_the_threshold_is_configurable(store: Store, after: int, down_run: int) -> None:
    nights(store, "udddu")
    found = kinds([e for e in compute_events(store, down_after=after) if e.kind == "down"])
    assert found == [("down", down_run)]


def test_a_short_blip_is_neither_down_nor_recovered(store: Store) -> None:
    nights(store, "ududu")
    assert [e for e in compute_events(store) if e.kind in ("down", "recovered")] == []


def test_verifications_not_established_neither_count_nor_break_a_streak(store: Store) -> None:
    nights(store, "ud??d?u")
    events = [e for e in compute_events(store) if e.kind in ("down", "recovered")]
    assert kinds(events) == [("down", 5), ("recovered", 7)]


def test_a_degraded_run_raises_no_down_event_but_an_event_of_its_own(store: Store) -> None:
    nights(store, "u??u")  # the auditor's network failed on nights 2 and 3
    for run_id in (2, 3):
        mark_degraded(store, run_id, "canary https://example.org/ got no answer")
    events = compute_events(store)
    assert kinds(events) == [("degraded", 2), ("degraded", 3)]
    assert "canary https://example.org/ got no answer" in events[0].text


def test_tier_moves_are_compared_between_sound_runs(store: Store) -> None:
    record_run(store, [result("api", up=True, at=day(1))], started_at=day(1))
    record_run(store, [result("api", up=False, at=day(2))], started_at=day(2))
    degraded = record_run(store, [result("api", up=True, at=day(3))], started_at=day(3))
    mark_degraded(store, degraded.id, "no route")
    record_run(store, [result("api", up=False, at=day(4))], started_at=day(4))
    record_run(store, [result("api", up=True, at=day(5))], started_at=day(5))
    tiers = [e for e in compute_events(store) if e.kind.startswith("tier")]
    # run 3 (degraded) is skipped: run 4 is compared with run 2, nothing moved
    assert kinds(tiers) == [("tier_drop", 2), ("tier_rise", 5)]
    before, after = tiers[0].facts["before"], tiers[0].facts["after"]
    assert before != after and f"{before} -> {after}" in tiers[0].text


def test_a_breaking_spec_change_against_the_last_spec_seen(store: Store) -> None:
    v1 = spec_findings("a" * 64, ["GET /pets", "DELETE /pets/{id}"])
    grown = spec_findings("b" * 64, ["GET /pets", "DELETE /pets/{id}", "POST /pets"])
    broken = spec_findings("c" * 64, ["GET /pets", "POST /pets"])
    for n, extra in enumerate([v1, grown, (), broken], 1):  # night 3: no spec fetched
        record_run(store, [result("pets", at=day(n), extra=extra)], started_at=day(n))
    (event,) = [e for e in compute_events(store) if e.kind == "breaking"]
    assert event.run_id == 4 and event.facts["operations_removed"] == ["DELETE /pets/{id}"]
    assert "removed DELETE /pets/{id}" in event.text


def test_a_spec_that_stops_validating_is_told_once_until_it_validates_again(store: Store) -> None:
    for n, valid in enumerate([True, False, False, True, False], 1):
        extra = spec_findings("a" * 64 if valid else f"{n}" * 64, ["GET /x"], valid=valid)
        record_run(store, [result("pets", at=day(n), extra=extra)], started_at=day(n))
    found = [e for e in compute_events(store) if e.kind == "spec_invalid"]
    assert kinds(found) == [("spec_invalid", 2), ("spec_invalid", 5)]
    assert "paths./pets.get.responses is required" in found[0].text


def test_an_expiring_certificate_once_per_host_until_renewed(store: Store) -> None:
    for n, days in enumerate([40, 13, 12, 80, 5], 1):
        extra = tls_findings("api.example.org", days, day(n))
        record_run(store, [result("api", at=day(n), extra=extra)], started_at=day(n))
    found = [e for e in compute_events(store) if e.kind == "tls_expiry"]
    assert kinds(found) == [("tls_expiry", 2), ("tls_expiry", 5)]
    assert found[0].facts == {"host": "api.example.org", "days_left": 13}
    assert "api.example.org expires in 13 days" in found[0].text


def test_catalog_text_in_an_event_is_made_inert(store: Store) -> None:
    title = "Evil\x1b]0;owned\x07\nNEXT LINE\u202e"
    for n in (1, 2, 3):
        one = result("evil", up=n == 1, at=day(n), title=title)
        record_run(store, [one], started_at=day(n))
    (down,) = [e for e in compute_events(store) if e.kind == "down"]
    assert "\x1b" not in down.text and "\n" not in down.text and "\u202e" not in down.text


def test_an_outage_of_five_hundred_entries_is_one_message(store: Store) -> None:
    for n, up in ((1, True), (2, False), (3, False)):
        batch = [result(f"api-{i:03d}", up=up, at=day(n)) for i in range(500)]
        record_run(store, batch, started_at=day(n))
    events = [e for e in compute_events(store) if e.kind == "down"]
    assert len(events) == 500
    message = compose(events, "audit.db")
    assert message.title == "auditor: 500 down"
    assert message.notify_type == "failure"
    listed = [line for line in message.body.splitlines() if line.startswith("- API")]
    assert len(listed) == LINES_PER_KIND
    assert f"… and {500 - LINES_PER_KIND} more" in message.body
    assert "From audit.db, run 3." in message.body


def test_a_message_takes_its_most_urgent_type(store: Store) -> None:
    nights(store, "uddu")
    events = compute_events(store)
    recovered = [e for e in events if e.kind == "recovered"]
    assert compose(recovered, "a.db").notify_type == "success"
    assert compose(events, "a.db").notify_type == "failure"
    assert compose(events, "a.db").title.startswith("auditor: 1 down, ")


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(40, "1 min"), (3600, "1 h"), (5400, "1 h 30 min"), (86400 * 2 + 3600 * 5, "2 days 5 h")],
)
def test_outage_lengths_read_well(seconds: float, text: str) -> None:
    assert duration_text(seconds) == text


def test_no_finished_audit_run_means_no_event(store: Store) -> None:
    record_run(store, [result("api", up=False)], finished=False)
    assert compute_events(store) == []


def test_since_leaves_out_the_events_of_older_runs(tmp_path: Path) -> None:
    from auditor.notify.service import notify_store

    path = tmp_path / "audit.db"
    with Store.open(path, write=True) as opened:
        nights(opened, "udduddu")  # down at run 3, back at 4, down at 6, back at 7

    def outages(events: tuple) -> list[tuple[str, int]]:  # type: ignore[type-arg]
        return kinds([e for e in events if e.kind in ("down", "recovered")])

    every = notify_store(path, [], dry_run=True)
    assert outages(every.pending) == [("down", 3), ("recovered", 4), ("down", 6), ("recovered", 7)]
    recent = notify_store(path, [], dry_run=True, since=day(5))
    assert outages(recent.pending) == [("down", 6), ("recovered", 7)]
    assert min(e.run_id for e in recent.pending) >= 5
