"""The commit window: a few entries per commit, none lost that finished before the window."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from auditor.model import AuditResult, Finding, Outcome
from auditor.store import Store, load_results
from auditor.store.batch import CommitWindow
from auditor.store.codec import unpack
from auditor.store.session import RecordingRun
from tests.support.store import TRUST, entry, result, traced, writable_store


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    yield from writable_store(tmp_path)


def committed(store: Store) -> set[str]:
    """What another connection sees: only what was committed."""
    with sqlite3.connect(store.path) as other:
        return {row[0] for row in other.execute("SELECT entry_id FROM results")}


def with_big_facts(entry_id: str) -> AuditResult:
    """A result whose facts are large enough to be kept as a shared blob."""
    plain = result(entry_id)
    big = Finding("spec.inventory", Outcome.PASS, "fields", "spec_document", None, {"x": "y" * 900})
    return AuditResult(plain.entry, (*plain.findings, big), plain.assessment)


def test_entries_wait_for_the_window_then_are_committed_together(store: Store) -> None:
    entries = [entry(name) for name in "abc"]
    run = RecordingRun.start(store, ["c.yaml"], TRUST, entries)
    with run.batched(seconds=0.3) as window:
        run.record(result("a"))
        run.record(result("b"))
        assert committed(store) == set() and window.pending == 2
        run.commit_if_due()
        assert committed(store) == set()  # the window has not passed yet
        time.sleep(0.35)
        run.commit_if_due()  # what the executors' timer does
        assert committed(store) == {"a", "b"} and window.pending == 0
        run.record(result("c"))
        assert committed(store) == {"a", "b"}
    assert committed(store) == {"a", "b", "c"}  # leaving the block commits the rest
    run.finish()
    assert [r.entry.id for r in load_results(store, run.run.id)] == ["a", "b", "c"]


def test_a_full_window_commits_without_waiting(store: Store) -> None:
    window = CommitWindow(store.db, seconds=3600, entries=2)
    for name in ("one", "two"):
        window.write(lambda name=name: store.db.execute(f"CREATE TABLE {name} (x)"))
    assert window.pending == 0 and not store.db.in_transaction


def test_an_entry_that_fails_is_rolled_back_alone(store: Store) -> None:
    entries = [entry("a"), entry("b")]
    run = RecordingRun.start(store, ["c.yaml"], TRUST, entries)
    broken = AuditResult(entry("b"), (), None)  # type: ignore[arg-type] - no assessment
    with pytest.raises(AttributeError), run.batched(seconds=3600):
        run.record(result("a"))
        run.record(broken)
    assert committed(store) == {"a"}  # what finished before the failure is kept


def test_a_rolled_back_entry_forgets_the_blobs_it_wrote(store: Store) -> None:
    """Blobs noted as held are forgotten when the entry that wrote them is rolled back: the
    next entry citing the same record writes the blob again instead of pointing at nothing."""
    long = "d" * 600  # an entry record this large is kept as a blob
    run = RecordingRun.start(store, ["c.yaml"], TRUST, [entry("a"), entry("b")])
    broken = AuditResult(entry("a", description=long), (), None)  # type: ignore[arg-type]
    with run.batched(seconds=3600):
        with pytest.raises(AttributeError):
            run.record(broken)  # the entry's blob is written, then its assessment fails
        run.record(result("a", description=long))
    run.finish()
    (only,) = load_results(store, run.run.id)
    assert only.entry.description == long


def test_the_same_blob_is_looked_up_once_per_run(store: Store) -> None:
    from auditor.store.facts_text import facts_text

    facts_text(store, {"other": "z" * 900})  # a store holding blobs: a run looks before writing
    run = RecordingRun.start(store, ["c.yaml"], TRUST, [entry("a"), entry("b")])
    with traced(store) as looked, run.batched():
        run.record(with_big_facts("a"))
        run.record(with_big_facts("b"))
    assert sum("FROM blobs" in statement for statement in looked) == 1
    run.finish()
    assert [r.findings[-1].facts for r in load_results(store, run.run.id)] == [{"x": "y" * 900}] * 2


def test_a_document_is_packed_once_a_run_when_first_analysed(store: Store) -> None:
    from auditor.spec.analyse import analyse_spec
    from auditor.store.snapshots import SnapshotLibrary

    library = SnapshotLibrary(store)
    document = b'{"openapi": "3.0.3", "info": {"title": "T", "version": "1"}, "paths": {}}'
    for url in ("https://a.example/spec", "https://b.example/spec"):
        library.keep_body(url, document)  # one document at two URLs
    report = analyse_spec(document)
    library.pack_report(report)
    library.pack_report(report)  # the same analysis again: nothing more to pack
    packed = library.take_packed_body(report.sha256)
    assert packed is not None and unpack(packed.result()) == document
    assert library.take_packed_body(report.sha256) is None
    assert library.take_packed_report(report.sha256) is not None
    assert library.take_body("https://b.example/spec") == document  # still lent in full
    library.close()
