"""Per-entry results: written in one transaction as each entry finishes, read back whole.

A result is the Entry as audited, every Finding and the Assessment. Writing
them together, committed per entry, is what lets a killed run keep every
finished entry and ``--resume`` skip them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

from auditor.model import AuditResult, Finding, utc_now
from auditor.spec.analyse import SpecReport
from auditor.spec.validate import validator_id
from auditor.store.codec import (
    assessment_from_json,
    assessment_to_json,
    dumps,
    entry_dict,
    entry_from_dict,
    pack,
)
from auditor.store.db import Store
from auditor.store.facts_text import FactsReader, facts_text
from auditor.store.inventory import field_count, inventory
from auditor.store.packed_findings import (
    StoredFinding,
    findings_from,
    pack_findings,
    unpack_findings,
)
from auditor.store.packed_report import PackedReport
from auditor.store.schema import SNAPSHOT_HEAD_INDEX, TRACKED
from auditor.store.stored_facts import BLOB_THRESHOLD
from auditor.store.transaction import transaction

SPEC_CHECKS = ("spec.valid", "spec.format_known")
ENTRY_BLOB_THRESHOLD = 256
"""An entry's record is the same run after run: anything but a tiny one is kept once."""


@dataclass(frozen=True, slots=True)
class SpecCapture:
    """What the run learnt about the entry's spec document, for the snapshot table."""

    url: str | None
    body: bytes | None
    report: SpecReport | None
    packed_body: Future[bytes | None] | None = None
    """The document the findings describe, packed in a thread (``SnapshotLibrary``: the
    bytes the spec probe hashed, or a kept document whose hash it checked); None inside
    when none was that document (then ``body`` is checked and packed here)."""
    packed_report: Future[PackedReport] | None = None
    """``report`` packed, computed in a thread (with its rows' JSON: ``PackedReport``)."""


FAILED_ANALYSIS = ("validation failed", "analysis failed")
"""Notes of an analysis that broke (a validator crash, a dead worker): such a report is
not kept for reuse, so the next run analyses the document again instead of repeating it."""


def reusable(report: SpecReport) -> bool:
    return not (report.valid is None and (report.note or "").startswith(FAILED_ANALYSIS))


def spec_sha256(findings: Iterable[Finding]) -> str | None:
    for finding in findings:
        if finding.check in SPEC_CHECKS and isinstance(finding.facts.get("sha256"), str):
            return str(finding.facts["sha256"])
    return None


def _latency(finding: Finding) -> float | None:
    if not finding.check.startswith("availability."):
        return None  # before the facts: a reused spec finding's are not parsed to be stored
    value = finding.facts.get("latency_ms")
    return float(value) if isinstance(value, int | float) else None


FIELD_COUNT_OF_REPORT = "field_count = CASE WHEN inventory = '{}' THEN ? ELSE field_count END"
"""A snapshot given an analysis: without an inventory of its own, it counts the analysis's
fields (a snapshot with one keeps the count that goes with it)."""


def _save_snapshot(
    store: Store, sha: str, findings: tuple[Finding, ...], capture: SpecCapture | None
) -> bool:
    """Keep the snapshot of document ``sha``; True when the store now holds it whole (its
    body, and an analysis by this auditor's validator): nothing a later entry citing it
    could add."""
    db = store.db
    current = validator_id()
    row = db.execute(
        "SELECT body IS NOT NULL, validator FROM spec_snapshots "
        f"INDEXED BY {SNAPSHOT_HEAD_INDEX} WHERE sha256 = ?",
        (sha,),
    ).fetchone()
    body = capture.body if capture is not None else None
    report = capture.report if capture is not None and capture.report is not None else None
    usable = report is not None and report.sha256 == sha and reusable(report)
    validator = report.validator if report is not None and usable else None
    if row is not None and row[0] and (not usable or row[1] == validator):
        return bool(row[1] == current)  # held already: nothing to hash or compress (~1 ms a spec)
    packed_body: bytes | None = None  # the document, packed, when the store lacks it
    if row is None or not row[0]:
        if capture is not None and capture.packed_body is not None:
            packed_body = capture.packed_body.result()  # that document (``SpecCapture``)
        if packed_body is None and body is not None:
            if hashlib.sha256(body).hexdigest() == sha:
                packed_body = pack(body)
            else:
                body = None  # not the document the findings describe: keep nothing
    report_blob = None
    if usable:
        later = capture.packed_report if capture is not None else None
        report_blob = later.result().packed if later is not None else pack(dumps(report))
    if row is None:
        # With its analysis stored, a snapshot's inventory is read from it (schema v8)
        found = inventory(findings, report) if report_blob is None else {}
        valid = next((f for f in findings if f.check in SPEC_CHECKS), None)
        facts: Mapping[str, Any] = valid.facts if valid is not None else {}
        db.execute(
            """INSERT INTO spec_snapshots
                   (sha256, captured_at, url, size, format_label, field_count, inventory, report,
                    validator, body)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (
                sha,
                valid.observed_at if valid is not None else utc_now(),
                capture.url if capture is not None else None,
                int(facts.get("size") or (len(body) if body else 0)),
                facts.get("format_label"),
                field_count(findings, report),
                pack(dumps(found)) if found else "{}",
                report_blob,
                validator,
                packed_body,
            ),
        )
        return packed_body is not None and validator == current
    has_body, stored_validator = row
    if packed_body is not None and not has_body:
        db.execute("UPDATE spec_snapshots SET body = ? WHERE sha256 = ?", (packed_body, sha))
    if report_blob is not None and stored_validator != validator:
        # first good analysis of this document, or one by a newer validator: reuse it from now
        # on; a snapshot without an inventory of its own reads it from this one (schema v8)
        db.execute(
            f"UPDATE spec_snapshots SET report = ?, validator = ?, {FIELD_COUNT_OF_REPORT} "
            "WHERE sha256 = ?",
            (report_blob, validator, field_count(findings, report), sha),
        )
        stored_validator = validator
    return (bool(has_body) or packed_body is not None) and stored_validator == current


def _save_validators(
    store: Store, sha: str, findings: tuple[Finding, ...], held: set[str] | None = None
) -> None:
    fetched = next((f for f in findings if f.check == "spec.fetched"), None)
    if fetched is None or not isinstance(fetched.facts.get("url"), str):
        return
    facts = fetched.facts
    etag, modified = facts.get("etag"), facts.get("last_modified")
    if held is not None:  # the entries of one spec URL: one write a run, not one an entry
        written = dumps(["validators", facts["url"], etag, modified, sha])
        if written in held:
            return
        held.add(written)
    store.db.execute(
        """INSERT INTO http_validators (url, etag, last_modified, sha256, updated_at)
           VALUES (?, ?, ?, ?, ?)
           ON CONFLICT(url) DO UPDATE SET
               etag = CASE WHEN excluded.sha256 = sha256 THEN COALESCE(excluded.etag, etag)
                           ELSE excluded.etag END,
               last_modified = CASE WHEN excluded.sha256 = sha256
                           THEN COALESCE(excluded.last_modified, last_modified)
                           ELSE excluded.last_modified END,
               sha256 = excluded.sha256, updated_at = excluded.updated_at""",
        (facts["url"], etag, modified, sha, utc_now()),
    )


def record_result(
    store: Store,
    run_id: int,
    position: int,
    result: AuditResult,
    *,
    findings_run: int | None = None,
    spec: SpecCapture | None = None,
) -> None:
    """Commit one entry's result; ``findings_run`` points a rescore at the findings it reused."""
    store.require_writer()
    with transaction(store.db):
        write_result(store, run_id, position, result, findings_run=findings_run, spec=spec)


def write_result(
    store: Store,
    run_id: int,
    position: int,
    result: AuditResult,
    *,
    findings_run: int | None = None,
    spec: SpecCapture | None = None,
    held: set[str] | None = None,
) -> None:
    """The statements of ``record_result``, inside a transaction the caller holds
    (``auditor/store/batch.py`` groups a few entries into one)."""
    db = store.db
    sha = spec_sha256(result.findings)
    entry_id = result.entry.id
    db.execute("DELETE FROM findings WHERE run_id = ? AND entry_id = ?", (run_id, entry_id))
    stored: list[StoredFinding] = []
    if findings_run is None:  # a rescore's findings stay with the run that observed them
        later = spec.packed_report if spec is not None else None
        packed = later.result() if later is not None else None
        stored = [
            (
                f.check,
                f.outcome.value,
                f.message,
                f.probe,
                f.subject,
                facts_text(store, f.facts, BLOB_THRESHOLD, held, packed),
                f.observed_at,
            )
            for f in result.findings
        ]
    db.execute(
        """INSERT OR REPLACE INTO results (run_id, entry_id, position, entry, score, tier,
               assessment, finished_at, findings_run, spec_sha256, findings)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        (
            run_id,
            entry_id,
            position,
            facts_text(store, entry_dict(result.entry), ENTRY_BLOB_THRESHOLD, held),
            result.assessment.score,
            result.assessment.tier,
            pack(assessment_to_json(result.assessment)),
            utc_now(),
            findings_run if findings_run is not None else run_id,
            sha,
            pack_findings(stored) if findings_run is None else None,
        ),
    )
    if findings_run is None:
        db.executemany(
            """INSERT INTO findings (run_id, entry_id, check_id, outcome, message, probe,
                   subject, facts, observed_at, latency_ms)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            [
                (run_id, entry_id, *row, _latency(f))
                for f, row in zip(result.findings, stored, strict=True)
                if f.check in TRACKED
            ],
        )
        if sha is not None:
            whole = "snapshot " + sha  # held whole: later entries citing it add nothing
            if held is None:
                _save_snapshot(store, sha, result.findings, spec)
            elif whole not in held and _save_snapshot(store, sha, result.findings, spec):
                held.add(whole)
            _save_validators(store, sha, result.findings, held)


def load_results(store: Store, run_id: int) -> list[AuditResult]:
    """Every result of a run in catalog order, findings included (their facts parsed when
    first read: ``StoredFacts``)."""
    db = store.db
    rows = db.execute(
        "SELECT entry_id, entry, assessment, findings_run, findings FROM results "
        "WHERE run_id = ? ORDER BY position",
        (run_id,),
    ).fetchall()
    packed: dict[tuple[int, str], bytes | str | None] = {
        (run_id, row["entry_id"]): row["findings"] for row in rows
    }
    for source in {row["findings_run"] for row in rows} - {run_id}:  # a rescore's sources
        for entry_id, value in db.execute(
            "SELECT entry_id, findings FROM results WHERE run_id = ?", (source,)
        ):
            packed[(source, entry_id)] = value
    read = FactsReader(store)
    return [
        AuditResult(
            entry_from_dict(read(row["entry"])),
            tuple(
                findings_from(
                    unpack_findings(packed.get((row["findings_run"], row["entry_id"]))), read
                )
            ),
            assessment_from_json(row["assessment"]),
        )
        for row in rows
    ]
