"""An entry's findings as the store keeps them (schema v6): one packed value in its
``results`` row, and rows in ``findings`` only for the checks read across runs.

Every reader of a result wants all its findings at once (loading a run, reusing an
unchanged spec's, merging shards), so they are one zstd-packed JSON list in the row
(``benchmarks.warm_budget``: writing them 32 µs an entry, where 28 rows and their two
indexes took 169 µs; two 10,000-entry runs stored in 80 MB, not 148). The checks queried by check across runs and entries (the
availability window, endpoint latencies, the timeline, notifications) keep a row of
their own too (``schema.TRACKED``): 5 of an entry's ~28 findings.

A finding in the list is ``[check, outcome, message, probe, subject, facts, observed_at]``
with ``facts`` the stored text (``facts_text``: inline JSON, or a blob reference).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence

from auditor.model import Finding
from auditor.store.codec import dumps, loads, outcome, pack, unpack
from auditor.store.facts_text import FactsReader
from auditor.store.stored_facts import text_reference

StoredFinding = tuple[str, str, str, str, str | None, str, str]
"""(check, outcome, message, probe, subject, facts text, observed_at)."""


def pack_findings(rows: Iterable[StoredFinding]) -> bytes:
    """The findings of one entry as the ``results.findings`` value. The facts stay text
    inside (a JSON string): read back, they are parsed only when a reader asks, and a
    reused spec finding's are written again as they were read."""
    return pack(dumps([list(row) for row in rows]))


def unpack_findings(value: bytes | str | None) -> list[StoredFinding]:
    """The stored findings of a ``results.findings`` value (zstd-packed JSON; plain JSON
    text is read too); [] for none or a damaged value."""
    if value is None:
        return []
    text = unpack(value) if isinstance(value, bytes) else value
    data = loads(text)
    if not isinstance(data, list):
        return []
    return [tuple(item) for item in data if isinstance(item, list) and len(item) == 7]


def findings_from(rows: Sequence[StoredFinding], read: FactsReader) -> list[Finding]:
    """Findings of stored rows, their facts parsed when first read (``StoredFacts``)."""
    return [
        Finding(check, outcome(value), message, probe, subject, read.stored(facts), at)
        for check, value, message, probe, subject, facts, at in rows
    ]


def blob_references(value: bytes | str | None) -> set[str]:
    """The blobs (sha256) the facts of a packed value cite."""
    found: set[str] = set()
    for row in unpack_findings(value):
        reference = text_reference(row[5]) if isinstance(row[5], str) else None
        if reference is not None:
            found.add(reference[0])
    return found


def result_findings(db: sqlite3.Connection, run_id: int, entry_id: str) -> list[StoredFinding]:
    """The stored findings of the entry in run ``run_id`` (the run that observed them)."""
    row = db.execute(
        "SELECT findings FROM results WHERE run_id = ? AND entry_id = ?", (run_id, entry_id)
    ).fetchone()
    return unpack_findings(row[0]) if row is not None else []
