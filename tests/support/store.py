"""Hand-built results and stores for the store, scale and prune tests."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from auditor.methodology import Methodology, load_methodology
from auditor.methodology.engine import assess
from auditor.model import AuditResult, Entry, Finding, Outcome
from auditor.store import Store
from auditor.store.packed_findings import unpack_findings
from auditor.store.records import record_result
from auditor.store.runs import RunInfo, begin_run, finish_run, get_run

TRUST = load_methodology()


def entry(entry_id: str = "api-1", **fields: Any) -> Entry:
    return Entry(id=entry_id, title=fields.pop("title", f"API {entry_id}"), **fields)


def result(
    entry_id: str = "api-1",
    *,
    up: bool | None = True,
    at: str = "2026-11-20T10:00:00Z",
    extra: tuple[Finding, ...] = (),
    earlier: tuple[Finding, ...] = (),
    methodology: Methodology = TRUST,
    latency: float = 120.0,
    **fields: Any,
) -> AuditResult:
    """A result with an availability verification (pass, fail or unknown when ``up`` is None)."""
    outcome = Outcome.UNKNOWN if up is None else (Outcome.PASS if up else Outcome.FAIL)
    findings = (
        Finding("metadata.title", Outcome.PASS, "title present", "metadata_fields", observed_at=at),
        Finding(
            "availability.base_url",
            outcome,
            "base_url: HTTP 200" if up else "base_url: HTTP 503",
            "availability",
            "https://x.example/api",
            {"latency_ms": latency, "status": 200 if up else 503},
            observed_at=at,
        ),
        Finding(
            "availability", outcome, f"verification {outcome.value}", "availability", observed_at=at
        ),
        *extra,
    )
    the_entry = entry(entry_id, **fields)
    return AuditResult(the_entry, findings, assess(entry_id, (*findings, *earlier), methodology))


def record_run(
    store: Store,
    results: list[AuditResult],
    *,
    started_at: str | None = None,
    finished: bool = True,
    window_days: float = 30.0,
) -> RunInfo:
    run = begin_run(
        store,
        sources=["catalog.yaml"],
        methodology=TRUST,
        entry_count=len(results),
        window_days=window_days,
    )
    if started_at is not None:
        store.db.execute("UPDATE runs SET started_at = ? WHERE id = ?", (started_at, run.id))
    for position, one in enumerate(results):
        record_result(store, run.id, position, one)
    return finish_run(store, run.id) if finished else get_run(store, run.id)


def writable_store(tmp_path: Path) -> Iterator[Store]:
    """Body of each store test module's ``store`` fixture: a fresh store open for writing."""
    with Store.open(tmp_path / "audit.db", write=True) as opened:
        yield opened


def spec_findings(report: Any, inventory: dict[str, Any] | None, url: str) -> tuple[Finding, ...]:
    """A fetched, valid spec (``report`` from analyse_spec) with its validators and inventory."""
    from dataclasses import asdict

    facts = asdict(report)
    found = [
        Finding("spec.fetched", Outcome.PASS, "fetched", "spec_document", url,
                {"url": url, "etag": '"v1"', "last_modified": None}),
        Finding("spec.valid", Outcome.PASS, "valid", "spec_document", url, facts),
    ]  # fmt: skip
    if inventory is not None:
        found.append(
            Finding("spec.inventory", Outcome.PASS, "inventory", "spec_document", url, inventory)
        )
    return tuple(found)


# The v1 schema exactly as auditor shipped it; a hand-made v1 store is built from it.
V1 = [
    """CREATE TABLE runs (id INTEGER PRIMARY KEY, sources TEXT NOT NULL,
        methodology_id TEXT NOT NULL, methodology_version TEXT NOT NULL,
        auditor_version TEXT NOT NULL, started_at TEXT NOT NULL, finished_at TEXT,
        entry_count INTEGER NOT NULL DEFAULT 0, counts TEXT)""",
    """CREATE TABLE results (run_id INTEGER NOT NULL REFERENCES runs(id), entry_id TEXT NOT NULL,
        position INTEGER NOT NULL, entry TEXT NOT NULL, score REAL, tier TEXT,
        assessment TEXT NOT NULL, finished_at TEXT NOT NULL, PRIMARY KEY (run_id, entry_id))""",
    """CREATE TABLE findings (id INTEGER PRIMARY KEY, run_id INTEGER NOT NULL REFERENCES runs(id),
        entry_id TEXT NOT NULL, check_id TEXT NOT NULL, outcome TEXT NOT NULL,
        message TEXT NOT NULL, probe TEXT NOT NULL, subject TEXT, facts TEXT NOT NULL,
        observed_at TEXT NOT NULL)""",
    "CREATE INDEX findings_by_run ON findings(run_id, entry_id)",
    "CREATE INDEX findings_by_check ON findings(entry_id, check_id, observed_at)",
]


ASSESSMENT = (
    '{"entry_id":"old","score":50.0,"tier":"fair","methodology_id":"trust",'
    '"methodology_version":"1.0.0","assessed_at":"2026-01-01T00:00:00Z","axes":[]}'
)


def make_v1(path: Path) -> None:
    """A store as auditor 0.0.9 wrote it: schema v1, one run, one result, two findings."""
    db = sqlite3.connect(path)
    for statement in V1:
        db.execute(statement)
    db.execute(
        "INSERT INTO runs VALUES (1, '[\"c.yaml\"]', 'trust', '1.0.0', '0.0.9', "
        "'2026-01-01T00:00:00Z', '2026-01-01T00:01:00Z', 1, '{}')"
    )
    db.execute(
        'INSERT INTO results VALUES (1, \'old\', 0, \'{"id":"old","title":"Old"}\', 50.0, '
        "'fair', ?, '2026-01-01T00:00:30Z')",
        (ASSESSMENT,),
    )
    db.execute(
        "INSERT INTO findings (run_id, entry_id, check_id, outcome, message, probe, facts, "
        "observed_at) VALUES (1, 'old', 'availability.base_url', 'pass', 'HTTP 200', "
        "'availability', '{\"latency_ms\": 42.5}', '2026-01-01T00:00:10Z')"
    )
    db.execute(
        "INSERT INTO findings (run_id, entry_id, check_id, outcome, message, probe, facts, "
        "observed_at) VALUES (1, 'old', 'spec.valid', 'pass', 'valid', 'spec_document', "
        "'{\"sha256\": \"abc\"}', '2026-01-01T00:00:10Z')"
    )
    db.execute("PRAGMA user_version = 1")
    db.commit()
    db.close()


def stored_findings(db: sqlite3.Connection, check: str | None = None) -> list[tuple[Any, ...]]:
    """(run_id, entry_id, check, facts text) of every finding packed in a result (schema v6:
    ``results.findings``), by run and entry, in the order they were recorded."""
    return [
        (run_id, entry_id, found[0], found[5])
        for run_id, entry_id, packed in db.execute(
            "SELECT run_id, entry_id, findings FROM results WHERE findings IS NOT NULL "
            "ORDER BY run_id, entry_id"
        )
        for found in unpack_findings(packed)
        if check is None or found[0] == check
    ]


@contextmanager
def traced(store: Store) -> Iterator[list[str]]:
    """The statements ``store``'s connection runs within the block, as SQLite expands them."""
    seen: list[str] = []
    store.db.set_trace_callback(seen.append)
    try:
        yield seen
    finally:
        store.db.set_trace_callback(None)
