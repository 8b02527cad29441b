"""Pruning a store: which runs go, what stays referenced, the safety rules, all or nothing."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from auditor.model import AuditResult, Finding, Outcome
from auditor.spec.analyse import analyse_spec
from auditor.store import Store, StoreError, list_runs, load_results
from auditor.store import prune as prune_module
from auditor.store.history import REPORT_WINDOW_DAYS
from auditor.store.prune import PrunePolicy, PruneRefused, id_ranges, plan_prune, prune
from auditor.store.rescore import rescore
from auditor.store.runs import last_unfinished_run
from auditor.store.session import RecordingRun
from tests.support.prune import NOW, TABLES, assert_references_sound, backdate, counts, nightly
from tests.support.store import TRUST, entry, record_run, result, spec_findings, writable_store

URL = "https://x.example/openapi.json"
OLD_SPEC = b'{"openapi": "3.0.3", "info": {"title": "Old", "version": "1"}, "paths": {}}'
NEW_SPEC = b'{"openapi": "3.0.3", "info": {"title": "New", "version": "2"}, "paths": {}}'


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    yield from writable_store(tmp_path)


def with_spec(entry_id: str, spec: bytes, *, big: str = "") -> AuditResult:
    """A result whose spec findings make a snapshot, a validator and a blob (the analysis)."""
    extra = spec_findings(analyse_spec(spec), None, URL)
    if big:
        extra += (Finding("spec.examples", Outcome.PASS, "examples", "spec_document", None,
                          {"examples": [big] * 40}),)  # fmt: skip
    return result(entry_id, extra=extra)


def test_keep_runs_removes_the_oldest_runs_with_their_results_and_findings(store: Store) -> None:
    ids = nightly(store, [200, 150, 100, 50, 1])
    kept = {i: load_results(store, i) for i in ids[2:]}
    plan = prune(store, PrunePolicy(keep_runs=3), now=NOW)
    assert plan.applied and plan.removed_runs == tuple(ids[:2])
    assert plan.kept_runs == tuple(ids[2:])
    assert [r.id for r in list_runs(store)] == ids[2:]
    assert plan.removed.runs == 2 and plan.removed.results == 4
    # rows of findings: only the availability ones (``TRACKED``), 2 a result; the rest is packed
    assert plan.removed.findings == 2 * 2 * 2 and plan.removed.bytes_estimate > 0
    for run_id in ids[:2]:
        for table in ("results", "findings"):
            found = store.db.execute(f"SELECT COUNT(*) FROM {table} WHERE run_id = ?", (run_id,))
            assert found.fetchone()[0] == 0
    assert {i: load_results(store, i) for i in ids[2:]} == kept
    assert_references_sound(store.db)


def test_older_than_and_both_options_together(store: Store) -> None:
    ids = nightly(store, [200, 150, 100, 50, 1])
    plan = plan_prune(store, PrunePolicy(older_than_days=120), now=NOW)
    assert plan.removed_runs == tuple(ids[:2])
    # both: a run goes only when it is beyond the newest 4 AND older than 120 days
    plan = plan_prune(store, PrunePolicy(keep_runs=4, older_than_days=120), now=NOW)
    assert plan.removed_runs == (ids[0],)
    plan = plan_prune(store, PrunePolicy(keep_runs=1, older_than_days=175), now=NOW)
    assert plan.removed_runs == (ids[0],)
    assert not plan.applied and len(list_runs(store)) == 5


def test_the_newest_finished_run_is_never_removed(store: Store) -> None:
    ids = nightly(store, [300, 200, 100])
    plan = prune(store, PrunePolicy(older_than_days=1), now=NOW)
    assert plan.removed_runs == tuple(ids[:2])
    assert [r.id for r in list_runs(store)] == [ids[2]]
    again = prune(store, PrunePolicy(keep_runs=1, older_than_days=1), now=NOW)
    assert again.removed_runs == () and [r.id for r in list_runs(store)] == [ids[2]]


def test_a_rescore_keeps_the_run_it_reads_and_the_newest_audit(store: Store) -> None:
    ids = nightly(store, [300, 200, 100])
    first = next(r for r in list_runs(store) if r.id == ids[0])
    scored, _ = rescore(store, TRUST, source=first.id)
    backdate(store.db, scored.id, 90)
    before = load_results(store, scored.id)
    plan = prune(store, PrunePolicy(keep_runs=1), now=NOW)
    # the rescore is the newest finished run; its findings live in run 1; run 3 is the newest audit
    assert plan.dependencies == (ids[0],)
    assert plan.removed_runs == (ids[1],)
    assert [r.id for r in list_runs(store)] == [ids[0], ids[2], scored.id]
    assert load_results(store, scored.id) == before
    assert_references_sound(store.db)


def test_unfinished_runs_are_kept_for_resume_unless_asked(store: Store) -> None:
    ids = nightly(store, [300, 200, 100])
    cut = RecordingRun.start(store, ["c.yaml"], TRUST, [entry("a"), entry("b")])
    cut.record(result("a"))
    backdate(store.db, cut.run.id, 250)
    plan = prune(store, PrunePolicy(older_than_days=60), now=NOW)
    assert plan.removed_runs == tuple(ids[:2]) and plan.unfinished_kept == (cut.run.id,)
    resumed = RecordingRun.start(store, ["c.yaml"], TRUST, [entry("a"), entry("b")], resume=True)
    assert resumed.run.id == cut.run.id and resumed.resumed == {"a"}
    plan = prune(store, PrunePolicy(older_than_days=60, unfinished=True), now=NOW)
    assert plan.removed_runs == (cut.run.id,) and last_unfinished_run(store) is None


def test_runs_inside_the_largest_window_are_refused_unless_forced(store: Store) -> None:
    ids = nightly(store, [200, 100, 60, 1])
    assert prune(store, PrunePolicy(keep_runs=2), now=NOW).removed_runs == tuple(ids[:2])
    wide = record_run(store, [result("a")], window_days=90)  # one run asked for 90 days
    before = counts(store.db)
    with pytest.raises(PruneRefused) as refused:
        prune(store, PrunePolicy(keep_runs=1), now=NOW)
    assert refused.value.plan.inside_window == (ids[2], ids[3])
    assert refused.value.plan.window_days == 90
    message = str(refused.value)
    assert "90-day availability window" in message and "--force" in message
    assert counts(store.db) == before
    forced = prune(store, PrunePolicy(keep_runs=1, force=True), now=NOW)
    assert forced.removed_runs == (ids[2], ids[3])
    assert [r.id for r in list_runs(store)] == [wide.id]


def test_runs_the_report_shows_are_kept_though_outside_the_scoring_window(store: Store) -> None:
    """``auditor report --store`` draws 90 days (uptime, status strip, trends): a run 40 or 60
    days old is outside the 30-day scoring window but inside what the site shows."""
    ids = nightly(store, [120, 60, 40, 1], window_days=30)
    with pytest.raises(PruneRefused) as refused:
        prune(store, PrunePolicy(keep_runs=1), now=NOW)
    assert refused.value.plan.inside_window == (ids[1], ids[2])
    assert refused.value.plan.window_days == REPORT_WINDOW_DAYS == 90
    assert "90-day availability window" in str(refused.value)
    assert [r.id for r in list_runs(store)] == ids
    # what the site no longer shows can go; so can the rest when forced
    assert prune(store, PrunePolicy(older_than_days=90), now=NOW).removed_runs == (ids[0],)
    forced = prune(store, PrunePolicy(keep_runs=1, force=True), now=NOW)
    assert forced.removed_runs == (ids[1], ids[2])


def test_snapshots_blobs_and_validators_still_referenced_stay_orphans_go(store: Store) -> None:
    old_only = "https://old.example/only " * 40
    shared = "https://x.example/shared " * 40
    first = record_run(store, [with_spec("a", OLD_SPEC, big=old_only), with_spec("b", OLD_SPEC)])
    second = record_run(store, [with_spec("a", NEW_SPEC, big=shared), with_spec("b", OLD_SPEC)])
    third = record_run(store, [with_spec("a", NEW_SPEC, big=shared)])
    for run, days in ((first, 300), (second, 200), (third, 100)):
        backdate(store.db, run.id, days)
    old_sha, new_sha = analyse_spec(OLD_SPEC).sha256, analyse_spec(NEW_SPEC).sha256
    assert counts(store.db)["spec_snapshots"] == 2

    prune(store, PrunePolicy(keep_runs=2), now=NOW)  # run 1 goes; run 2 still has OLD_SPEC
    assert counts(store.db)["spec_snapshots"] == 2
    assert_references_sound(store.db)
    blobs = counts(store.db)["blobs"]

    plan = prune(store, PrunePolicy(keep_runs=1), now=NOW)  # run 2 goes: OLD_SPEC is an orphan
    assert plan.removed.spec_snapshots == 1 and plan.removed.blobs >= 1
    assert [r[0] for r in store.db.execute("SELECT sha256 FROM spec_snapshots")] == [new_sha]
    # one URL, last recorded with NEW_SPEC: its validators stay (they drive the 304)
    assert [tuple(r) for r in store.db.execute("SELECT sha256 FROM http_validators")] == [
        (new_sha,)
    ]
    assert counts(store.db)["blobs"] == blobs - plan.removed.blobs
    assert_references_sound(store.db)
    (a,) = load_results(store, third.id)
    assert next(f for f in a.findings if f.check == "spec.examples").facts["examples"][0] == shared
    assert old_sha not in {f.facts.get("sha256") for f in a.findings}


def test_validators_of_a_pruned_document_go(store: Store) -> None:
    first = record_run(store, [with_spec("a", OLD_SPEC)])
    other = record_run(store, [result("b")])
    backdate(store.db, first.id, 300)
    backdate(store.db, other.id, 100)
    assert counts(store.db)["http_validators"] == 1
    plan = prune(store, PrunePolicy(keep_runs=1), now=NOW)
    assert plan.removed.rows() == {
        "runs": 1, "results": 1, "findings": 3, "spec_snapshots": 1, "blobs": 1,
        "http_validators": 1,
    }  # fmt: skip
    assert counts(store.db) | {"runs": 0, "results": 0, "findings": 0} == dict.fromkeys(TABLES, 0)
    assert_references_sound(store.db)


def test_the_dry_run_changes_nothing_and_counts_what_prune_removes(store: Store) -> None:
    record_run(store, [with_spec("a", OLD_SPEC, big="x " * 400)])
    record_run(store, [with_spec("a", NEW_SPEC)])
    record_run(store, [with_spec("a", NEW_SPEC)])
    for run_id, days in ((1, 300), (2, 200), (3, 100)):
        backdate(store.db, run_id, days)
    before = counts(store.db)
    dry = plan_prune(store, PrunePolicy(keep_runs=1), now=NOW)
    assert counts(store.db) == before and not dry.applied
    assert store.db.execute("SELECT name FROM temp.sqlite_master").fetchall() == []
    done = prune(store, PrunePolicy(keep_runs=1), now=NOW)
    assert done.removed == dry.removed and done.removed_runs == dry.removed_runs == (1, 2)
    assert {t: before[t] - n for t, n in done.removed.rows().items()} == counts(store.db)


def test_a_prune_that_fails_midway_changes_nothing(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    nightly(store, [300, 200, 100])
    before = counts(store.db)
    real = prune_module.delete_rows

    def break_after_deleting(db: sqlite3.Connection, estimate: int) -> prune_module.Removed:
        removed = real(db, estimate)
        assert removed.runs == 2  # the rows are gone inside the transaction ...
        raise KeyboardInterrupt

    monkeypatch.setattr(prune_module, "delete_rows", break_after_deleting)
    with pytest.raises(KeyboardInterrupt):
        prune(store, PrunePolicy(keep_runs=1), now=NOW)
    assert counts(store.db) == before  # ... and back after the rollback
    assert not store.db.in_transaction


def test_a_policy_must_say_what_to_prune(store: Store) -> None:
    nightly(store, [100])
    with pytest.raises(StoreError, match="--keep-runs N, --older-than"):
        plan_prune(store, PrunePolicy(), now=NOW)
    with pytest.raises(StoreError, match="at least 1"):
        prune(store, PrunePolicy(keep_runs=0), now=NOW)
    assert counts(store.db)["runs"] == 1 and not store.db.in_transaction


def test_id_ranges() -> None:
    assert id_ranges([5, 1, 2, 3, 7, 8]) == "1-3, 5, 7-8"
    assert id_ranges([]) == "" and id_ranges([4]) == "4"
