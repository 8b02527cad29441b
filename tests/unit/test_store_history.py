"""The report's window of history: bounded by time, read in batches, changes explained."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from auditor.model import Finding, Outcome
from auditor.store import Store, StoreError
from auditor.store.changes import entry_changes
from auditor.store.history import VERIFICATIONS, load_history
from auditor.store.readonly import open_read_only
from auditor.store.runs import get_run, mark_degraded
from tests.support.prune import backdate
from tests.support.store import make_v1, record_run, result, writable_store


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    yield from writable_store(tmp_path)


def night(store: Store, days_ago: float, *results_: object) -> int:
    run = record_run(store, list(results_))  # type: ignore[arg-type]
    backdate(store.db, run.id, days_ago)
    return run.id


def test_only_the_window_is_read_and_rescores_and_other_methodologies_stay_out(
    store: Store,
) -> None:
    old = night(store, 120, result("a", up=False))
    ids = [night(store, days, result("a", up=days != 2)) for days in (40, 2, 1)]
    store.db.execute("UPDATE runs SET methodology_id = 'other' WHERE id = ?", (ids[0],))
    history = load_history(store, get_run(store, ids[-1]))
    assert [r.id for r in history.runs] == ids[1:]  # 120 days: outside; 40 days: other rules
    assert old not in {p.run_id for p in history.results["a"]}
    outcomes = [(v.run_id, v.outcome) for v in history.verifications["a"]]
    # verifications count whatever rules scored them, but only inside the 90 days
    assert outcomes == [(ids[0], "pass"), (ids[1], "fail"), (ids[2], "pass")]
    assert history.previous is not None and history.previous.id == ids[1]


def test_a_run_marked_degraded_keeps_its_scores_but_its_verifications_do_not_count(
    store: Store,
) -> None:
    first = night(store, 2, result("a"))
    second = night(store, 1, result("a", up=False))
    mark_degraded(store, second, "no answer from the canary")
    history = load_history(store, get_run(store, second))
    assert history.run_degraded and history.degraded == {second}
    last = history.verifications["a"][-1]
    assert last.outcome == "unknown" and "degraded" in (last.message or "")
    assert [p.run_id for p in history.results["a"]] == [first, second]


def test_changes_name_the_axes_and_signals_that_moved_and_skip_unread_specs(
    store: Store,
) -> None:
    def spec(sha: str | None) -> tuple[Finding, ...]:
        if sha is None:
            return ()
        return (
            Finding("spec.valid", Outcome.PASS, "valid", "spec_document", None, {"sha256": sha}),
        )

    ids = [
        night(store, 4, result("a", extra=spec("1" * 64))),
        night(store, 3, result("a", up=False, extra=spec(None))),  # spec unread
        night(store, 2, result("a", up=False, extra=spec("1" * 64))),
        night(store, 1, result("a", up=False, extra=spec("2" * 64))),
    ]
    history = load_history(store, get_run(store, ids[-1]))
    changes = entry_changes(store, history)["a"]
    assert [c.run_id for c in changes] == ids[1:]
    drop, back, spec_change = changes
    assert drop.score_delta is not None and drop.score_delta < 0 and drop.spec is None
    axis = next(a for a in drop.axes if a.axis == "availability")
    assert axis.before == 100 and axis.after == 0
    (signal,) = axis.signals
    assert (signal.outcome_before, signal.outcome_after) == ("pass", "fail")
    assert signal.evidence_before != signal.evidence_after
    assert back.spec is None  # the same document read again is no spec change
    assert spec_change.spec is not None and spec_change.spec.sha_before == "1" * 64
    assert spec_change.axes == () and spec_change.score_delta == 0


def test_the_verification_query_uses_the_entry_check_time_index(store: Store) -> None:
    """One range per (entry, check) bounded by the window: cost grows with entries x window."""
    night(store, 1, result("a"))
    args = (1, "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z")
    plan = " ".join(
        str(row[3]) for row in store.db.execute("EXPLAIN QUERY PLAN " + VERIFICATIONS, args)
    )
    ranged = "findings_by_check (entry_id=? AND check_id=? AND observed_at>? AND observed_at<?)"
    assert ranged in plan and "SCAN findings" not in plan


def test_reading_never_upgrades_or_writes(tmp_path: Path) -> None:
    old = tmp_path / "old.db"
    make_v1(old)
    with pytest.raises(
        StoreError, match=r"old.db: store schema version 1 is older than reports read"
    ):
        open_read_only(old)
    with sqlite3.connect(old) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == 1
    with Store.open(tmp_path / "new.db", write=True):
        pass
    opened = open_read_only(tmp_path / "new.db")
    try:
        assert not opened.writable
        with pytest.raises(sqlite3.OperationalError, match=r"readonly|read-only|query_only"):
            opened.db.execute("CREATE TABLE x (y)")
    finally:
        opened.close()
