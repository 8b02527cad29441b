"""Writing a planned merge: one new run in the target, copied row by row in one transaction.

Results and findings are copied as recorded (scores are never recomputed),
with the blobs their JSON refers to; spec snapshots are kept once per sha256
(the earliest capture) with the HTTP validators of their URLs.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from auditor.store.codec import dumps, loads
from auditor.store.db import Store
from auditor.store.merge_plan import RESULT_COLUMNS, MergePlan
from auditor.store.packed_findings import pack_findings, result_findings
from auditor.store.records import FIELD_COUNT_OF_REPORT
from auditor.store.runs import AUDIT, run_counts
from auditor.store.stored_facts import BLOB_KEY
from auditor.store.stored_facts import reference as blob_reference
from auditor.store.transaction import transaction

_FINDING_COLUMNS = (
    "entry_id, check_id, outcome, message, probe, subject, facts, observed_at, latency_ms"
)


@dataclass(frozen=True, slots=True)
class Written:
    """What ``write_merge`` recorded, for the merge report."""

    run_id: int
    taken: tuple[int, ...]
    """Results copied from each input."""
    snapshots_added: int
    snapshots_known: int


def _copy_blob(source: sqlite3.Connection, target: sqlite3.Connection, text: str | None) -> None:
    """Copy the shared blob a stored JSON text refers to, if it is such a reference."""
    if not text or BLOB_KEY not in text:
        return
    reference = blob_reference(loads(text))
    if reference is not None:
        row = source.execute("SELECT data FROM blobs WHERE sha256 = ?", (reference[0],))
        found = row.fetchone()
        if found is not None:
            target.execute(
                "INSERT OR IGNORE INTO blobs (sha256, data) VALUES (?, ?)",
                (reference[0], found[0]),
            )


def _copy_snapshot(source: sqlite3.Connection, target: sqlite3.Connection, sha: str) -> bool:
    """Copy one spec snapshot and its URL's validators; True when the target lacked it."""
    row = source.execute("SELECT * FROM spec_snapshots WHERE sha256 = ?", (sha,)).fetchone()
    if row is None:
        return False
    have = target.execute(
        "SELECT captured_at, body IS NOT NULL, report IS NOT NULL FROM spec_snapshots "
        "WHERE sha256 = ?",
        (sha,),
    ).fetchone()
    added = have is None
    if added:
        columns = row.keys()
        target.execute(
            f"INSERT INTO spec_snapshots ({', '.join(columns)}) "
            f"VALUES ({', '.join('?' for _ in columns)})",
            tuple(row),
        )
    else:
        captured, has_body, has_report = have
        if row["captured_at"] < captured:
            target.execute(
                "UPDATE spec_snapshots SET captured_at = ?, url = COALESCE(url, ?) "
                "WHERE sha256 = ?",
                (row["captured_at"], row["url"], sha),
            )
        if not has_body and row["body"] is not None:
            target.execute(
                "UPDATE spec_snapshots SET body = ? WHERE sha256 = ?", (row["body"], sha)
            )
        if not has_report and row["report"] is not None:
            target.execute(
                f"UPDATE spec_snapshots SET report = ?, validator = ?, {FIELD_COUNT_OF_REPORT} "
                "WHERE sha256 = ?",
                (row["report"], row["validator"], row["field_count"], sha),
            )
    for validator in source.execute("SELECT * FROM http_validators WHERE sha256 = ?", (sha,)):
        target.execute(
            """INSERT INTO http_validators (url, etag, last_modified, sha256, updated_at)
               VALUES (?, ?, ?, ?, ?)
               ON CONFLICT(url) DO UPDATE SET etag = excluded.etag,
                   last_modified = excluded.last_modified, sha256 = excluded.sha256,
                   updated_at = excluded.updated_at
               WHERE excluded.updated_at > http_validators.updated_at""",
            tuple(validator),
        )
    return added


def _insert_run(db: sqlite3.Connection, plan: MergePlan) -> int:
    runs = [run for _, run in plan.chosen]
    first = runs[0]
    # A shard whose network failed leaves the merged run degraded: its reasons, by shard.
    degraded = "; ".join(f"run {r.id}: {r.degraded}" for r in runs if r.degraded) or None
    cursor = db.execute(
        """INSERT INTO runs (sources, methodology_id, methodology_version, auditor_version,
               started_at, finished_at, entry_count, kind, window_days, degraded)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        (
            dumps(list(plan.sources)),
            first.methodology_id,
            first.methodology_version,
            first.auditor_version,
            min(r.started_at for r in runs),
            max(r.finished_at or "" for r in runs),
            len(plan.rows),
            AUDIT,
            first.window_days,
            degraded,
        ),
    )
    run_id = cursor.lastrowid
    assert run_id is not None
    return run_id


def _copy_result(
    source: sqlite3.Connection, db: sqlite3.Connection, run_id: int, position: int, row: sqlite3.Row
) -> None:
    """One result and its findings (from the run that observed them), blobs included."""
    _copy_blob(source, db, row["entry"])
    stored = result_findings(source, row["findings_run"], row["entry_id"])
    for finding in stored:
        _copy_blob(source, db, finding[5])
    db.execute(
        f"INSERT INTO results (run_id, {RESULT_COLUMNS}, findings) VALUES ({', '.join('?' * 11)})",
        (
            run_id,
            row["entry_id"],
            position,
            *tuple(row)[2:7],
            run_id,
            row["spec_sha256"],
            pack_findings(stored),
        ),
    )
    for finding in source.execute(  # the rows of the checks queried by check (``TRACKED``)
        f"SELECT {_FINDING_COLUMNS} FROM findings WHERE run_id = ? AND entry_id = ? ORDER BY id",
        (row["findings_run"], row["entry_id"]),
    ):
        db.execute(
            f"INSERT INTO findings (run_id, {_FINDING_COLUMNS}) VALUES ({', '.join('?' * 10)})",
            (run_id, *tuple(finding)),
        )


def write_merge(target: Store, plan: MergePlan) -> Written:
    """Record the plan as one new run of ``target``, in one transaction."""
    db = target.db
    taken = [0] * len(plan.chosen)
    added = known = 0
    with transaction(db):
        run_id = _insert_run(db, plan)
        snapshots: set[str] = set()
        for position, (index, row) in enumerate(plan.rows):
            source = plan.chosen[index][0].db
            taken[index] += 1
            _copy_result(source, db, run_id, position, row)
            sha = row["spec_sha256"]
            if sha and sha not in snapshots:
                snapshots.add(sha)
                if _copy_snapshot(source, db, sha):
                    added += 1
                else:
                    known += 1
        counts = run_counts(target, run_id) | {
            "merged_from": [
                {
                    "store": str(store.path),
                    "run": run.id,
                    "started_at": run.started_at,
                    "finished_at": run.finished_at,
                    "sources": list(run.sources),
                }
                for store, run in plan.chosen
            ]
        }
        db.execute("UPDATE runs SET counts = ? WHERE id = ?", (dumps(counts), run_id))
    return Written(run_id, tuple(taken), added, known)
