"""A first run into a new store looks up nothing only an earlier run could have written
(earlier findings, spec findings to reuse, blobs); the next run does."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from auditor.spec.analyse import analyse_spec
from auditor.store import Store, load_results
from auditor.store.facts_text import Held, facts_text
from auditor.store.session import RecordingRun
from auditor.store.stored_facts import BLOB_THRESHOLD
from tests.support.store import TRUST, entry, result, spec_findings, traced, writable_store

SPEC = b'{"openapi": "3.0.3", "info": {"title": "T", "version": "1"}, "paths": {}}'
URL = "https://x.example/openapi.json"
REPORT = analyse_spec(SPEC)
INVENTORY = {
    "fields": [{"schema": "Pet", "location": "property", "name": f"f{i}"} for i in range(40)],
    "field_count": 40,
    "operations": ["GET /pets"],
}
LOOKUPS = ("FROM findings WHERE entry_id", "SELECT 1 FROM blobs", "SELECT findings_run")
"""What a run reads of earlier runs: the window's findings, a blob before packing it, the
entry's last result with its spec."""


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    yield from writable_store(tmp_path)


def _one_run(store: Store) -> tuple[RecordingRun, list[str]]:
    run = RecordingRun.start(store, ["c.yaml"], TRUST, [entry("a")])

    with traced(store) as seen:
        run.previous_findings(entry("a"))
        run.library.spec_findings("a", URL, REPORT.sha256)
        with run.batched():
            run.record(result("a", extra=spec_findings(REPORT, INVENTORY, URL)))
    run.finish()
    return run, [s for s in seen if any(lookup in s for lookup in LOOKUPS)]


def test_a_first_run_looks_up_nothing_only_an_earlier_run_could_have_written(
    store: Store,
) -> None:
    first, looked = _one_run(store)
    assert looked == []
    assert store.db.execute("SELECT COUNT(*) FROM blobs").fetchone()[0] >= 1  # written all the same
    second, looked = _one_run(store)
    assert {lookup for lookup in LOOKUPS if any(lookup in s for s in looked)} == set(LOOKUPS)
    one, two = (load_results(store, r.run.id)[0] for r in (first, second))  # timed apart
    assert [(f.check, f.outcome, dict(f.facts)) for f in one.findings] == [
        (f.check, f.outcome, dict(f.facts)) for f in two.findings
    ]


def test_a_store_with_blobs_but_no_results_still_looks_before_writing_one(store: Store) -> None:
    facts_text(store, INVENTORY)  # a blob, kept by no result (as a pruned store may hold)
    _, looked = _one_run(store)
    assert any("SELECT 1 FROM blobs" in s for s in looked)
    assert not any("FROM findings WHERE entry_id" in s for s in looked)


def test_held_blobs_forget_that_they_are_all_once_a_write_is_rolled_back(store: Store) -> None:
    held = Held(every_blob=True)
    text = facts_text(store, INVENTORY, BLOB_THRESHOLD, held)
    assert held and held.every_blob
    held.clear()
    assert not held and not held.every_blob
    # told wrongly that the store holds no blob, the write keeps the one it holds
    assert facts_text(store, INVENTORY, BLOB_THRESHOLD, Held(every_blob=True)) == text
    assert store.db.execute("SELECT COUNT(*) FROM blobs").fetchone()[0] == 1
