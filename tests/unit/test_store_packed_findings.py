"""Schema v6: an entry's findings packed in its results row, rows kept for the checks
queried by check; a v5 store's findings moved there by the migration."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import orjson

from auditor.model import AuditResult, Finding, Outcome
from auditor.spec.analyse import analyse_spec
from auditor.store import Store, load_results
from auditor.store.packed_findings import pack_findings, unpack_findings
from auditor.store.schema import SCHEMA_VERSION, TRACKED
from auditor.store.session import earlier_findings
from tests.support.store import record_run, result, spec_findings, stored_findings

SPEC = b'{"openapi": "3.0.3", "info": {"title": "T", "version": "1"}, "paths": {}}'
URL = "https://x.example/openapi.json"


def _recorded(path: Path) -> list[list[AuditResult]]:
    with Store.open(path, write=True) as store:
        run = record_run(store, [result("a", extra=spec_findings(analyse_spec(SPEC), None, URL))])
        record_run(store, [result("b")])
        return [load_results(store, run.id), load_results(store, run.id + 1)]


def _as_v5(path: Path) -> None:
    """The store as schema v5 wrote it: every finding a row (in the order recorded), no
    packed column."""
    db = sqlite3.connect(path)
    db.execute("DELETE FROM findings")
    for run_id, entry_id, packed in db.execute(
        "SELECT run_id, entry_id, findings FROM results ORDER BY run_id, entry_id"
    ).fetchall():
        db.executemany(
            """INSERT INTO findings (run_id, entry_id, check_id, outcome, message, probe,
                   subject, facts, observed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            [(run_id, entry_id, *row) for row in unpack_findings(packed)],
        )
    db.execute("ALTER TABLE results DROP COLUMN findings")
    db.execute("PRAGMA user_version = 5")
    db.commit()
    db.close()


def test_an_entrys_findings_are_one_value_and_rows_only_for_the_tracked_checks(
    tmp_path: Path,
) -> None:
    path = tmp_path / "s.db"
    (a,), _ = _recorded(path)
    with Store.open(path) as store:
        checks = [row[2] for row in stored_findings(store.db) if row[1] == "a"]
        assert checks == [f.check for f in a.findings]  # all of them, in order
        rows = store.db.execute("SELECT check_id FROM findings WHERE entry_id = 'a' ORDER BY id")
        assert [r[0] for r in rows] == [f.check for f in a.findings if f.check in TRACKED]
        assert {"availability", "availability.base_url", "spec.valid"} <= TRACKED
        assert len([f for f in a.findings if f.check not in TRACKED]) >= 2  # packed only


def test_a_v5_store_has_its_findings_moved_and_reads_the_same(tmp_path: Path) -> None:
    path = tmp_path / "v5.db"
    before = _recorded(path)
    _as_v5(path)
    everything = sum(len(one.findings) for results in before for one in results)
    tracked = sum(f.check in TRACKED for results in before for one in results for f in one.findings)
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT COUNT(*) FROM findings").fetchone()[0] == everything > tracked
    with Store.open(path, write=True) as store:
        assert store.migrated_from == 5
        assert store.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert [load_results(store, 1), load_results(store, 2)] == before
        assert store.db.execute("SELECT COUNT(*) FROM findings").fetchone()[0] == tracked
        # packed by the migration as a run packs them
        kinds = {type(r[0]) for r in store.db.execute("SELECT findings FROM results")}
        assert kinds == {bytes}


def test_a_damaged_packed_value_reads_as_no_findings() -> None:
    assert unpack_findings(b"not zstd") == []
    assert unpack_findings("[1, [2]]") == []
    assert unpack_findings(None) == []
    row = ("c", "pass", "m", "p", None, "{}", "2026-01-01T00:00:00Z")
    assert unpack_findings(pack_findings([row])) == [row]
    assert unpack_findings(orjson.dumps([list(row)]).decode()) == [row]  # JSON text: read too


def test_earlier_findings_of_an_untracked_check_are_read_from_the_packed_results(
    tmp_path: Path,
) -> None:
    with Store.open(tmp_path / "s.db", write=True) as store:
        for day in ("01", "10", "20"):
            described = Finding(
                "metadata.description",
                Outcome.PASS if day != "10" else Outcome.FAIL,
                f"description {day}",
                "metadata_fields",
                observed_at=f"2026-11-{day}T10:00:00Z",
            )
            record_run(store, [result("a", at=f"2026-11-{day}T10:00:00Z", extra=(described,))])
        later = record_run(
            store,
            [result("a", at="2026-11-25T12:00:00Z")],
            started_at="2026-11-25T12:00:00Z",
            window_days=20.0,  # from 2026-11-05: the first description is out of it
        )
        found = earlier_findings(store, "a", later, ["availability", "no.such.check"])
        assert [f.check for f in found] == ["availability"] * 2
        found = earlier_findings(store, "a", later, ["metadata.description", "availability"])
        assert [f.message for f in found if f.check == "metadata.description"] == [
            "description 10",
            "description 20",
        ]
        assert [f.observed_at for f in found] == sorted(f.observed_at for f in found)
        assert all(dict(f.facts) == {} for f in found)
