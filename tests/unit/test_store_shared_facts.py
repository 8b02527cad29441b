"""Facts shared by many entries' findings (SharedFacts): serialised once a run, never a
reference to a blob the store does not hold."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest

from auditor.model import Finding, Outcome, SharedFacts
from auditor.store import Store, load_results
from auditor.store.facts_text import facts_text
from auditor.store.session import RecordingRun
from auditor.store.stored_facts import BLOB_KEY, BLOB_THRESHOLD
from tests.support.store import TRUST, entry, result, stored_findings, writable_store


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    yield from writable_store(tmp_path)


def _inventory() -> SharedFacts:
    rows = [{"schema": "Pet", "location": "property", "name": f"field{i}"} for i in range(40)]
    return SharedFacts({"fields": rows, "field_count": 40, "operations": ["GET /pets"]})


def _blobs(store: Store) -> int:
    return int(store.db.execute("SELECT COUNT(*) FROM blobs").fetchone()[0])


def test_entries_sharing_facts_store_one_blob_serialised_once(store: Store) -> None:
    facts = _inventory()
    assert len(orjson.dumps(facts)) >= BLOB_THRESHOLD
    shared = Finding("spec.inventory", Outcome.PASS, "40 fields", "spec_document", None, facts)
    written = [result(f"e{i}", extra=(shared,)) for i in range(3)]
    recording = RecordingRun.start(store, ["c.yaml"], TRUST, [entry(f"e{i}") for i in range(3)])
    with recording.batched():
        for one in written:
            recording.record(one)
    recording.finish()
    rows = stored_findings(store.db, "spec.inventory")
    assert facts.stored is not None and {row[3] for row in rows} == {facts.stored}
    assert BLOB_KEY in facts.stored and _blobs(store) == 1
    assert load_results(store, recording.run.id) == written


def test_a_rolled_back_blob_is_written_again_not_cited(store: Store) -> None:
    facts, held = _inventory(), set[str]()
    store.db.execute("BEGIN IMMEDIATE")
    first = facts_text(store, facts, held=held)
    store.db.execute("ROLLBACK")
    held.clear()  # what a recording run does when its window is rolled back
    assert _blobs(store) == 0 and facts.stored == first
    again = facts_text(store, facts, held=held)
    assert again == first and _blobs(store) == 1


def test_without_a_run_s_notes_nothing_is_remembered(store: Store) -> None:
    facts = _inventory()
    text = facts_text(store, facts)
    assert facts.stored is None and text == facts_text(store, dict(facts))
