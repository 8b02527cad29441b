"""Changes between runs, score trends, an entry's timeline and spec snapshots."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from auditor.model import Finding, Outcome
from auditor.store import Store, StoreError, diff_runs, entry_timeline, score_trends, spec_snapshot
from auditor.store.codec import unpack
from tests.support.store import record_run, result, writable_store


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    yield from writable_store(tmp_path)


def spec(sha: str, fields: list[str], operations: list[str]) -> tuple[Finding, ...]:
    """A declared spec that validates (its URL is in the record, as in a real run)."""
    return (
        Finding("metadata.spec_url", Outcome.PASS, "spec_url populated", "metadata_fields"),
        Finding("spec.valid", Outcome.PASS, "valid", "spec_document", None,
                {"sha256": sha, "format_label": "OpenAPI 3.0.3", "size": 100},
                observed_at="2026-11-01T06:00:00Z"),
        Finding("spec.inventory", Outcome.PASS, "inventory", "spec_document", None,
                {"field_count": len(fields), "fields": fields, "operations": operations}),
    )  # fmt: skip


@pytest.fixture
def two_runs(store: Store) -> Store:
    v1 = spec("a" * 64, ["Pet.id", "Pet.name"], ["GET /pets", "DELETE /pets/{id}"])
    v2 = spec("b" * 64, ["Pet.id", "Pet.tag"], ["GET /pets", "POST /pets"])
    v3 = spec("c" * 64, ["Pet.id", "Pet.name", "Pet.age"], ["GET /pets", "DELETE /pets/{id}"])
    record_run(
        store,
        [result("stable", extra=v1), result("falls", extra=v1), result("grows", extra=v1),
         result("gone")],
        started_at="2026-11-01T00:00:00Z",
    )  # fmt: skip
    record_run(
        store,
        [result("stable", extra=v1), result("falls", up=False, extra=v2),
         result("grows", extra=v3), result("new", up=False)],
        started_at="2026-11-02T00:00:00Z",
    )  # fmt: skip
    return store


def test_diff_lists_moves_new_gone_and_breaking_spec_changes(two_runs: Store) -> None:
    diff = diff_runs(two_runs)  # latest against the one before
    assert (diff.run_a.id, diff.run_b.id) == (1, 2)
    assert [c.entry_id for c in diff.changed] == ["falls"]
    falls = diff.changed[0]
    assert falls.score_delta is not None and falls.score_delta < 0
    assert falls.tier_before != falls.tier_after
    assert [(m.axis, m.before, m.after) for m in falls.axes] == [("availability", 100.0, 0.0)]
    assert [e.entry_id for e in diff.new] == ["new"]
    assert [e.entry_id for e in diff.gone] == ["gone"]
    assert diff.unchanged == 2
    by_id = {c.entry_id: c for c in diff.spec_changes}
    assert set(by_id) == {"falls", "grows"}
    assert by_id["falls"].breaking
    assert by_id["falls"].fields_removed == ("Pet.name",)
    assert by_id["falls"].fields_added == ("Pet.tag",)
    assert by_id["falls"].operations_removed == ("DELETE /pets/{id}",)
    assert by_id["falls"].operations_added == ("POST /pets",)
    assert not by_id["grows"].breaking and by_id["grows"].fields_added == ("Pet.age",)
    assert [c.entry_id for c in diff.breaking] == ["falls"]


def test_what_changed_structure(two_runs: Store) -> None:
    data = diff_runs(two_runs, 1, 2).to_dict()
    assert data["summary"] == {
        "changed": 1, "new": 1, "gone": 1, "unchanged": 2, "spec_changes": 2, "breaking": 1,
    }  # fmt: skip
    falls = data["changed"][0]
    assert set(falls) == {"id", "title", "score", "tier", "axes"}
    assert set(falls["score"]) == {"before", "after", "delta"}
    change = next(c for c in data["spec_changes"] if c["id"] == "falls")
    assert change["kind"] == "changed" and change["breaking"] is True
    assert change["fields"] == {"added": ["Pet.tag"], "removed": ["Pet.name"]}


def test_runs_are_named_by_id_latest_previous_or_offset(two_runs: Store) -> None:
    assert diff_runs(two_runs, "previous", "latest").run_a.id == 1
    assert diff_runs(two_runs, "-2", "-1").run_b.id == 2
    assert (
        diff_runs(two_runs, 2, 1).changed[0].score_delta
        == -diff_runs(two_runs).changed[0].score_delta
    )  # type: ignore[operator]
    with pytest.raises(StoreError, match="no run 7"):
        diff_runs(two_runs, 7)
    with pytest.raises(StoreError, match="not a run id"):
        diff_runs(two_runs, "yesterday")


def test_the_first_run_has_nothing_to_compare_with(store: Store) -> None:
    record_run(store, [result("a")])
    with pytest.raises(StoreError, match="no finished run before it"):
        diff_runs(store)


def test_trends_timeline_and_snapshot(two_runs: Store) -> None:
    trends = score_trends(two_runs)
    assert [p.run_id for p in trends["stable"]] == [1, 2]
    assert trends["falls"][0].score is not None and trends["falls"][1].score is not None
    assert trends["falls"][1].score < trends["falls"][0].score
    assert [p.run_id for p in trends["new"]] == [2]
    assert set(score_trends(two_runs, ["gone"])) == {"gone"}
    assert [p.run_id for p in score_trends(two_runs, limit=1)["stable"]] == [2]

    timeline = entry_timeline(two_runs, "falls")
    assert [(p.run_id, p.availability, p.spec_changed) for p in timeline] == [
        (1, "pass", False),
        (2, "fail", True),
    ]
    assert timeline[1].axes["availability"] == 0.0

    snapshot = spec_snapshot(two_runs, "falls", now="2026-11-05T00:00:00Z")
    assert snapshot is not None and snapshot.sha256 == "b" * 64
    assert snapshot.fields == ("Pet.id", "Pet.tag") and snapshot.field_count == 2
    assert snapshot.format_label == "OpenAPI 3.0.3"
    assert snapshot.captured_at == "2026-11-01T06:00:00Z" and snapshot.age_days == 3
    first = spec_snapshot(two_runs, "falls", run_id=1, now="2026-11-05T00:00:00Z")
    assert first is not None and first.sha256 == "a" * 64
    assert spec_snapshot(two_runs, "new") is None


def test_inventories_are_packed_and_a_v6_stores_text_ones_still_read(two_runs: Store) -> None:
    """Schema v7 packs a snapshot's inventory; the plain JSON a v6 store holds reads the same."""
    db = two_runs.db
    stored = db.execute("SELECT sha256, inventory FROM spec_snapshots").fetchall()
    assert stored and all(isinstance(row["inventory"], bytes) for row in stored)
    before = diff_runs(two_runs).to_dict()
    path = two_runs.path
    two_runs.close()
    old = sqlite3.connect(path)
    for sha, packed in old.execute("SELECT sha256, inventory FROM spec_snapshots").fetchall():
        text = (unpack(packed) or b"").decode()
        old.execute("UPDATE spec_snapshots SET inventory = ? WHERE sha256 = ?", (text, sha))
    old.execute("PRAGMA user_version = 6")
    old.commit()
    old.close()
    with Store.open(path, write=True) as store:
        assert store.migrated_from == 6
        kinds = {type(row[0]) for row in store.db.execute("SELECT inventory FROM spec_snapshots")}
        assert kinds == {str}  # nothing rewritten
        assert diff_runs(store).to_dict() == before
        snapshot = spec_snapshot(store, "falls", now="2026-11-05T00:00:00Z")
        assert snapshot is not None and snapshot.fields == ("Pet.id", "Pet.tag")
