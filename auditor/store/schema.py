"""The store's schema, as numbered migrations applied in order.

``PRAGMA user_version`` holds the schema version. A database at version N
gets migrations N+1.. applied in one transaction, so a crash mid-upgrade
leaves the old version intact; a database newer than this auditor knows is
refused rather than half-understood. Migrations never drop data (v6 moves findings
rows into packed values before it deletes them).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from itertools import groupby
from pathlib import Path

from auditor.errors import AuditorError
from auditor.store.transaction import transaction

APPLICATION_ID = 0x41554454  # "AUDT": marks a SQLite file as an auditor store
SNAPSHOT_HEAD_INDEX = "spec_snapshots_held"
"""The index answering which snapshots are held whole, by which validator (schema v5)."""
TRACKED: frozenset[str] = frozenset(
    {
        "availability",
        "availability.base_url",
        "availability.spec_url",
        "spec.valid",
        "tls.certificate_expiry",
    }
)
"""Checks whose findings are rows of ``findings`` too (schema v6): the ones read by check
across runs (the availability window, latencies, the timeline, notifications)."""


def _pack_findings(connection: sqlite3.Connection) -> None:
    """Schema v6: each result's findings rows as its ``results.findings`` value. A result
    with none keeps NULL, read as none (a rescore's NULL points at its ``findings_run``)."""
    from auditor.store.packed_findings import pack_findings  # it imports the store, and so this

    rows = connection.execute(
        """SELECT run_id, entry_id, check_id, outcome, message, probe, subject, facts,
                  observed_at FROM findings ORDER BY run_id, entry_id, id"""
    )
    for (run_id, entry_id), group in groupby(rows, key=lambda row: (row[0], row[1])):
        connection.execute(
            "UPDATE results SET findings = ? WHERE run_id = ? AND entry_id = ? "
            "AND findings_run = run_id",
            (pack_findings(tuple(row)[2:] for row in group), run_id, entry_id),
        )


Migration = str | Callable[[sqlite3.Connection], None]
"""An SQL statement, or a step SQL alone cannot take (packing values with zstd)."""

MIGRATIONS: tuple[tuple[Migration, ...], ...] = (
    # v1: runs, per-entry results and every finding.
    (
        """CREATE TABLE runs (
            id INTEGER PRIMARY KEY,
            sources TEXT NOT NULL,
            methodology_id TEXT NOT NULL,
            methodology_version TEXT NOT NULL,
            auditor_version TEXT NOT NULL,
            started_at TEXT NOT NULL,
            finished_at TEXT,
            entry_count INTEGER NOT NULL DEFAULT 0,
            counts TEXT
        )""",
        """CREATE TABLE results (
            run_id INTEGER NOT NULL REFERENCES runs(id),
            entry_id TEXT NOT NULL,
            position INTEGER NOT NULL,
            entry TEXT NOT NULL,
            score REAL,
            tier TEXT,
            assessment TEXT NOT NULL,
            finished_at TEXT NOT NULL,
            PRIMARY KEY (run_id, entry_id)
        )""",
        """CREATE TABLE findings (
            id INTEGER PRIMARY KEY,
            run_id INTEGER NOT NULL REFERENCES runs(id),
            entry_id TEXT NOT NULL,
            check_id TEXT NOT NULL,
            outcome TEXT NOT NULL,
            message TEXT NOT NULL,
            probe TEXT NOT NULL,
            subject TEXT,
            facts TEXT NOT NULL,
            observed_at TEXT NOT NULL
        )""",
        "CREATE INDEX findings_by_run ON findings(run_id, entry_id)",
        "CREATE INDEX findings_by_check ON findings(entry_id, check_id, observed_at)",
    ),
    # v2: rescore runs, the availability window, spec snapshots, HTTP validators.
    (
        "ALTER TABLE runs ADD COLUMN kind TEXT NOT NULL DEFAULT 'audit'",
        "ALTER TABLE runs ADD COLUMN rescore_of INTEGER REFERENCES runs(id)",
        "ALTER TABLE runs ADD COLUMN window_days REAL NOT NULL DEFAULT 30",
        # A rescore's findings stay with the run that observed them.
        "ALTER TABLE results ADD COLUMN findings_run INTEGER",
        "ALTER TABLE results ADD COLUMN spec_sha256 TEXT",
        "ALTER TABLE findings ADD COLUMN latency_ms REAL",
        "UPDATE results SET findings_run = run_id",
        """UPDATE findings SET latency_ms = json_extract(facts, '$.latency_ms')
           WHERE check_id LIKE 'availability.%'""",
        """UPDATE results SET spec_sha256 = (
               SELECT json_extract(f.facts, '$.sha256') FROM findings f
               WHERE f.run_id = results.run_id AND f.entry_id = results.entry_id
                 AND f.check_id = 'spec.valid' LIMIT 1)""",
        """CREATE TABLE spec_snapshots (
            sha256 TEXT PRIMARY KEY,
            captured_at TEXT NOT NULL,
            url TEXT,
            size INTEGER NOT NULL DEFAULT 0,
            format_label TEXT,
            field_count INTEGER,
            inventory TEXT NOT NULL DEFAULT '{}',
            report BLOB,
            validator TEXT,
            body BLOB
        )""",
        """CREATE TABLE http_validators (
            url TEXT PRIMARY KEY,
            etag TEXT,
            last_modified TEXT,
            sha256 TEXT,
            updated_at TEXT NOT NULL
        )""",
        # Large facts (a spec's analysis, repeated run after run) are kept once, by hash.
        "CREATE TABLE blobs (sha256 TEXT PRIMARY KEY, data BLOB NOT NULL)",
        "CREATE INDEX results_by_entry ON results(entry_id, run_id)",
        f"PRAGMA application_id = {APPLICATION_ID}",
    ),
    # v3: degraded runs (the auditor's own network failed) and the notifications sent.
    (
        # NULL: the run's network was fine; else why its network failures are not counted.
        "ALTER TABLE runs ADD COLUMN degraded TEXT",
        # What `auditor notify` sent, once per event and destination. A destination is
        # kept by the sha256 of its URL (which holds its secrets) and a redacted label.
        # No foreign key to runs: a pruned run's events stay sent.
        """CREATE TABLE notifications (
            destination TEXT NOT NULL,
            event TEXT NOT NULL,
            kind TEXT NOT NULL,
            entry_id TEXT,
            run_id INTEGER NOT NULL,
            sent_at TEXT NOT NULL,
            PRIMARY KEY (destination, event)
        )""",
        # The last run each destination was told about: events of earlier runs are not
        # sent again, even if pruning runs reshapes an outage's first run.
        """CREATE TABLE notify_destinations (
            destination TEXT PRIMARY KEY,
            label TEXT NOT NULL,
            last_run INTEGER NOT NULL,
            updated_at TEXT NOT NULL
        )""",
    ),
    # v4: values packed with zstd, not zlib (auditor/store/codec.py reads both). Nothing to
    # rewrite: the version only keeps an auditor that reads zlib alone from this store.
    (),
    # v5: what a recording run asks of a snapshot before anything else (is it held whole, by
    # which validator), answered from an index: in the row, ``validator`` sits after the
    # inventory and the packed analysis, so reading it walked their overflow pages (~25 µs
    # a look in a warm re-run, three looks an entry). The queries name the index
    # (``INDEXED BY``): SQLite otherwise takes the primary key's, unique, and reads the row.
    (
        f"CREATE INDEX {SNAPSHOT_HEAD_INDEX} ON spec_snapshots"
        "(sha256, validator, body IS NOT NULL, report IS NOT NULL, size)",
    ),
    # v6: an entry's findings packed in its results row (``auditor/store/packed_findings.py``);
    # rows of ``findings`` kept only for the checks queried across runs. The migration moves
    # them: packed as a run writes them, in the order they were recorded, then the other
    # rows go (their pages are reused by later runs; the file does not shrink by itself).
    (
        "ALTER TABLE results ADD COLUMN findings BLOB",
        _pack_findings,
        f"DELETE FROM findings WHERE check_id NOT IN ({', '.join(map(repr, sorted(TRACKED)))})",
    ),
    # v7: a snapshot's inventory (its sorted field and operation keys) packed with zstd, as
    # its body and analysis are: as plain JSON they were 7.6 of a 500-spec cold store's
    # 25.4 MB. Readers take both (``codec.load_packed``), so nothing is rewritten: the
    # version only keeps an auditor that reads the text alone from this store.
    (),
    # v8: a snapshot holding its analysis keeps no inventory of its own ('{}'): readers derive
    # it from the analysis, which lists the same rows (``inventory.snapshot_inventory``).
    # Nothing is rewritten: the version only keeps an auditor that would read such a
    # snapshot as having no inventory from this store.
    (),
)

SCHEMA_VERSION = len(MIGRATIONS)


class StoreError(AuditorError):
    """A store that cannot be used as asked; the message names the file and what to do."""


def connect(path: Path) -> sqlite3.Connection:
    """A connection in autocommit mode (transactions are explicit), WAL, foreign keys on."""
    connection = sqlite3.connect(path, isolation_level=None, timeout=30.0)
    connection.row_factory = sqlite3.Row
    try:
        connection.execute("PRAGMA busy_timeout = 30000")
        mode = connection.execute("PRAGMA journal_mode = WAL").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        connection.close()
        if getattr(exc, "sqlite_errorname", "") != "SQLITE_NOTADB":
            raise  # read-only, damaged, full: the command says which (store.failures)
        raise StoreError(f"{path}: not an auditor store (not a SQLite database: {exc})") from exc
    if str(mode).lower() != "wal":
        connection.close()
        raise StoreError(f"{path}: cannot switch the store to WAL mode (got {mode!r})")
    # NORMAL in WAL mode: a committed entry survives a killed process (not a power cut).
    connection.execute("PRAGMA synchronous = NORMAL")
    connection.execute("PRAGMA foreign_keys = ON")
    return connection


def schema_version(connection: sqlite3.Connection) -> int:
    return int(connection.execute("PRAGMA user_version").fetchone()[0])


def _check_identity(connection: sqlite3.Connection, path: Path, version: int) -> None:
    application_id = int(connection.execute("PRAGMA application_id").fetchone()[0])
    if application_id not in (0, APPLICATION_ID):
        raise StoreError(f"{path}: not an auditor store (SQLite application_id {application_id})")
    if version == 0:
        tables = [
            row[0]
            for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        if tables:
            raise StoreError(
                f"{path}: not an auditor store (it holds tables {', '.join(sorted(tables))} "
                "and no auditor schema version); use another --store file"
            )


def migrate(connection: sqlite3.Connection, path: Path) -> int:
    """Bring the store to ``SCHEMA_VERSION``; returns the version it was at."""
    version = schema_version(connection)
    _check_identity(connection, path, version)
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"{path}: store schema version {version} is newer than this auditor supports "
            f"({SCHEMA_VERSION}); upgrade auditor to read it"
        )
    if version == SCHEMA_VERSION:
        return version
    with transaction(connection):
        found = schema_version(connection)  # another process may have migrated meanwhile
        _check_identity(connection, path, found)
        for number in range(found + 1, SCHEMA_VERSION + 1):
            for statement in MIGRATIONS[number - 1]:
                if isinstance(statement, str):
                    connection.execute(statement)
                else:
                    statement(connection)
        connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    return version
