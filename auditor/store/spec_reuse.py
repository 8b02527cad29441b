"""An unchanged spec's findings, reused from the entry's last run instead of made again.

A spec answered 304 (or downloaded again, identical) yields the findings it
yielded last time: they are a function of the document, the engine that
analysed it (``validator_id``, which names the analysis revision) and the
URL it was fetched from (the subject, and the base of request examples).
Making them again means decompressing the stored document's analysis,
parsing it (~1 ms a spec) and writing the same blobs back; reusing them
reads one value and keeps their facts as stored (``StoredFacts``).

They are reused only when all of that holds: the entry's last result with
this document has every finding the spec probe makes from an analysis, each
about this URL, made under this engine (its ``spec.valid`` facts say so),
from an analysis that did not fail; and the store still holds an analysis
of the document under this engine (what a warm run would otherwise reuse).
Their time is this run's: ``observed_at`` is now.
"""

from __future__ import annotations

from auditor import checks
from auditor.model import Finding, utc_now
from auditor.store.codec import outcome
from auditor.store.db import Store
from auditor.store.facts_text import FactsReader
from auditor.store.packed_findings import result_findings, unpack_findings
from auditor.store.records import FAILED_ANALYSIS
from auditor.store.schema import SNAPSHOT_HEAD_INDEX

PROBE = "spec_document"
_HEAD = (checks.SPEC_FORMAT_KNOWN.id, checks.SPEC_VALID.id)
_SHAPES = (
    (*_HEAD, checks.SPEC_INVENTORY.id, checks.SPEC_EXAMPLES.id, checks.SPEC_QUALITY.id),
    (*_HEAD, checks.SPEC_QUALITY.id),
)
"""The findings one analysis yields (``report_findings``): a readable OpenAPI/Swagger
document, or any other."""


def earlier_spec_findings(
    store: Store, entry_id: str, url: str, sha: str, validator: str
) -> list[Finding] | None:
    """The spec findings the entry's last result with document ``sha`` fetched from ``url``
    holds, timed now; None when they cannot stand for a new analysis's."""
    db = store.db
    # The entry's own history first: an entry never recorded with this document (every
    # entry of a first run) needs no look at the snapshot.
    last = db.execute(
        """SELECT findings_run, CASE WHEN findings_run = run_id THEN findings END
           FROM results WHERE entry_id = ? AND spec_sha256 = ?
           ORDER BY run_id DESC LIMIT 1""",
        (entry_id, sha),
    ).fetchone()
    if last is None:
        return None
    held = db.execute(
        f"SELECT validator FROM spec_snapshots INDEXED BY {SNAPSHOT_HEAD_INDEX} WHERE sha256 = ?",
        (sha,),
    ).fetchone()
    if held is None or held[0] != validator:
        return None
    rows = [
        (check, value, message, subject, text)
        for check, value, message, probe, subject, text, _at in (
            unpack_findings(last[1])
            if last[1] is not None
            else result_findings(db, last[0], entry_id)  # a rescore's: in the run it reused
        )
        if probe == PROBE and check != checks.SPEC_FETCHED.id
    ]
    if tuple(row[0] for row in rows) not in _SHAPES or any(row[3] != url for row in rows):
        return None
    read = FactsReader(store)
    facts = {text: read.stored(text) for text in {row[4] for row in rows}}
    valid = facts[rows[1][4]]
    failed = valid.get("valid") is None and str(valid.get("note") or "").startswith(FAILED_ANALYSIS)
    if (
        valid.get("sha256") != sha
        or valid.get("validator") != validator
        or failed
        or (valid.get("extra") or {}).get("analysis_failed")
        or not all(f.storable for f in facts.values())
    ):
        return None
    now = utc_now()
    try:
        return [
            Finding(check, outcome(value), message, PROBE, subject, facts[text], now)
            for check, value, message, subject, text in rows
        ]
    except ValueError:  # an outcome this auditor does not know
        return None
