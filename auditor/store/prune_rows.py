"""The rows that go with the pruned runs: staged in temp tables, counted, then deleted.

Once ``temp.prune_runs`` holds the runs removed, ``temp.prune_keep_specs``
and ``temp.prune_keep_blobs`` collect what the remaining rows still refer
to; whatever else is in ``spec_snapshots``, ``blobs`` and
``http_validators`` goes. The same statements count (for the dry run) and
delete, so the two never disagree.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from auditor.store.codec import dumps
from auditor.store.packed_findings import blob_references
from auditor.store.prune_select import Removed
from auditor.store.stored_facts import BLOB_KEY

_BLOB_PREFIX = "{" + dumps(BLOB_KEY) + ":"  # how facts_text writes a reference
_BLOB_PATH = '$."' + BLOB_KEY + '"'

# What goes from each table, once temp.prune_runs holds the runs removed and
# temp.prune_keep_specs / temp.prune_keep_blobs what the remaining rows refer to.
# Each entry: (table, WHERE clause, estimated bytes per row as an SQL expression).
# The estimate is the stored values plus a rough allowance for keys and indexes.
_TARGETS: tuple[tuple[str, str, str], ...] = (
    (
        "findings",
        "run_id IN (SELECT id FROM temp.prune_runs)",
        "length(facts) + length(message) + length(probe) + 2 * length(check_id)"
        " + 3 * length(entry_id) + ifnull(length(subject), 0) + 2 * length(observed_at) + 48",
    ),
    (
        "results",
        "run_id IN (SELECT id FROM temp.prune_runs)",
        "length(entry) + length(assessment) + ifnull(length(findings), 0)"
        " + 3 * length(entry_id) + length(finished_at) + 2 * ifnull(length(spec_sha256), 0) + 48",
    ),
    (
        "runs",
        "id IN (SELECT id FROM temp.prune_runs)",
        "length(sources) + ifnull(length(counts), 0) + 160",
    ),
    (
        "http_validators",
        "sha256 IS NULL OR sha256 NOT IN (SELECT s.sha256 FROM spec_snapshots s"
        " JOIN temp.prune_keep_specs k ON k.sha256 = s.sha256)",
        "2 * length(url) + ifnull(length(etag), 0) + ifnull(length(last_modified), 0) + 112",
    ),
    (
        "spec_snapshots",
        "sha256 NOT IN (SELECT sha256 FROM temp.prune_keep_specs)",
        "ifnull(length(body), 0) + ifnull(length(report), 0) + length(inventory)"
        " + ifnull(length(url), 0) + 200",
    ),
    (
        "blobs",
        "sha256 NOT IN (SELECT sha256 FROM temp.prune_keep_blobs)",
        "length(data) + 140",
    ),
)


def stage(db: sqlite3.Connection, removed: Sequence[int]) -> None:
    """Fill the temp tables: the runs that go, and what the rows that stay refer to."""
    for statement in (
        "DROP TABLE IF EXISTS temp.prune_runs",
        "DROP TABLE IF EXISTS temp.prune_keep_specs",
        "DROP TABLE IF EXISTS temp.prune_keep_blobs",
        "CREATE TEMP TABLE prune_runs (id INTEGER PRIMARY KEY)",
        "CREATE TEMP TABLE prune_keep_specs (sha256 TEXT PRIMARY KEY NOT NULL)",
        "CREATE TEMP TABLE prune_keep_blobs (sha256 TEXT PRIMARY KEY NOT NULL)",
    ):
        db.execute(statement)
    db.executemany("INSERT INTO temp.prune_runs (id) VALUES (?)", [(i,) for i in removed])
    staying = "run_id NOT IN (SELECT id FROM temp.prune_runs)"
    db.execute(
        "INSERT OR IGNORE INTO temp.prune_keep_specs SELECT spec_sha256 FROM results "
        f"WHERE spec_sha256 IS NOT NULL AND {staying}"
    )
    for table, column in (("results", "entry"), ("findings", "facts")):
        # A reference is a whole JSON text {"$auditor.blob": sha} (facts_text.facts_text).
        db.execute(
            f"""INSERT OR IGNORE INTO temp.prune_keep_blobs
                SELECT json_extract({column}, ?) FROM {table}
                WHERE substr({column}, 1, ?) = ? AND {staying} AND json_valid({column})
                  AND json_type({column}, ?) = 'text'""",
            (_BLOB_PATH, len(_BLOB_PREFIX), _BLOB_PREFIX, _BLOB_PATH),
        )
    # the facts of the packed findings (schema v6), which SQL cannot read inside zstd
    rows = db.execute(f"SELECT findings FROM results WHERE findings IS NOT NULL AND {staying}")
    cited = set().union(*(blob_references(packed) for (packed,) in rows))
    db.executemany(
        "INSERT OR IGNORE INTO temp.prune_keep_blobs (sha256) VALUES (?)",
        [(digest,) for digest in cited],
    )


def count_rows(db: sqlite3.Connection) -> Removed:
    counts: dict[str, int] = {}
    size = 0
    for table, where, row_bytes in _TARGETS:
        rows, total = db.execute(
            f"SELECT COUNT(*), ifnull(SUM({row_bytes}), 0) FROM {table} WHERE {where}"
        ).fetchone()
        counts[table] = int(rows)
        size += int(total)
    return Removed(**counts, bytes_estimate=size)


def delete_rows(db: sqlite3.Connection, estimate: int) -> Removed:
    counts = {
        table: db.execute(f"DELETE FROM {table} WHERE {where}").rowcount
        for table, where, _ in _TARGETS
    }
    return Removed(**counts, bytes_estimate=estimate)


def unstage(db: sqlite3.Connection) -> None:
    for table in ("prune_runs", "prune_keep_specs", "prune_keep_blobs"):
        db.execute(f"DROP TABLE IF EXISTS temp.{table}")
