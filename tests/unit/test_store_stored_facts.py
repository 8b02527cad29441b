"""Facts kept as the store holds them until read (``auditor/store/stored_facts.py``)."""

from __future__ import annotations

import pickle
from collections.abc import Iterator
from pathlib import Path

import pytest

from auditor.model import Finding, Outcome
from auditor.store import Store
from auditor.store.facts_text import BLOB_THRESHOLD, FactsReader, facts_text
from auditor.store.stored_facts import JsonFacts, blob_reference, with_json_facts
from tests.support.store import record_run, result, stored_findings, writable_store

BIG = {"fields": [f"Pet.field{i}" for i in range(100)], "field_count": 100}


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    yield from writable_store(tmp_path)


def test_inline_and_blob_facts_read_as_they_were_written(store: Store) -> None:
    small, big = facts_text(store, {"status": 200}), facts_text(store, BIG)
    assert blob_reference(small) is None and blob_reference(big) is not None
    read = FactsReader(store)
    assert read.stored(small) == {"status": 200} and read.stored(big) == BIG
    assert dict(read.stored(big)) == read(big)
    assert read.stored(big).get("field_count") == 100 and "fields" in read.stored(big)


def test_unread_facts_are_written_back_as_stored(store: Store) -> None:
    text = facts_text(store, BIG)
    facts = FactsReader(store).stored(text)
    assert facts_text(store, facts) == text
    assert facts._data is None, "the facts were parsed to be written back"


def test_facts_whose_blob_is_gone_read_empty_and_are_not_written_as_a_reference(
    store: Store,
) -> None:
    text = facts_text(store, BIG)
    store.db.execute("DELETE FROM blobs")
    facts = FactsReader(store).stored(text)
    assert facts == {} and not facts.storable
    assert facts_text(store, facts, BLOB_THRESHOLD) == "{}"


def test_they_travel_between_processes_and_compare_as_dicts(store: Store) -> None:
    facts = FactsReader(store).stored(facts_text(store, BIG))
    again = pickle.loads(pickle.dumps(facts))
    assert again == facts and again.text == facts.text and again == BIG
    finding = Finding("spec.inventory", Outcome.PASS, "m", "spec_document", None, facts, "t")
    assert finding == Finding("spec.inventory", Outcome.PASS, "m", "spec_document", None, BIG, "t")
    assert finding.to_dict()["facts"] == BIG


def examples(base: str) -> dict[str, object]:
    """``spec.examples``-like facts naming the host they were made for (a templated blob)."""
    curl = [{"path": f"/p{i}", "command": f"curl '{base}/p{i}'"} for i in range(30)]
    return {"base_url": base, "curl": curl}


def test_examples_kept_without_their_base_url_read_back_lazily_with_it(store: Store) -> None:
    one, two = examples("https://a.example.gouv.fr/v1"), examples("https://b.example.org/api")
    text_one, text_two = facts_text(store, one), facts_text(store, two)
    assert blob_reference(text_one) == blob_reference(text_two)  # one blob for both hosts
    read = FactsReader(store)
    first, second = read.stored(text_one), read.stored(text_two)
    assert first._data is None and second._data is None
    assert first == one and second == two and read(text_two) == two
    # written back unread, and across processes, each keeps its own base URL
    unread = FactsReader(store).stored(text_two)
    assert facts_text(store, unread) == text_two and unread._data is None
    assert pickle.loads(pickle.dumps(unread)) == two


def _rows(store: Store) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    facts = sorted((check, text) for _, _, check, text in stored_findings(store.db))
    blobs = store.db.execute("SELECT sha256, data FROM blobs ORDER BY sha256").fetchall()
    return [tuple(r) for r in facts], [tuple(r) for r in blobs]


def test_a_workers_json_facts_are_stored_as_the_dicts_they_stand_for(tmp_path: Path) -> None:
    """``with_json_facts`` (what a worker sends): large facts become their JSON text, small
    ones stay dicts; recorded, both forms write the same rows and blobs, byte for byte."""
    base = "https://a.example.gouv.fr/v1"
    extra = (
        Finding("spec.inventory", Outcome.PASS, "m", "spec_document", None, dict(BIG), "t"),
        Finding("spec.examples", Outcome.PASS, "m", "spec_document", None, examples(base), "t"),
    )
    made = result("pets", extra=extra)
    sent = pickle.loads(pickle.dumps(with_json_facts(made)))
    kinds = {f.check: type(f.facts) for f in sent.findings}
    assert kinds["spec.inventory"] is JsonFacts and kinds["spec.examples"] is JsonFacts
    assert kinds["availability.base_url"] is dict  # small: not worth it
    stored = []
    for name, one in (("dicts", made), ("json", sent)):
        (tmp_path / name).mkdir()
        for store in writable_store(tmp_path / name):
            record_run(store, [one])
            stored.append(_rows(store))
    assert stored[0] == stored[1]
    assert any(blob_reference(str(text)) for _, text in stored[1][0])  # the large ones: blobs
    parsed = {f.check for f in sent.findings if isinstance(f.facts, JsonFacts) and f.facts._data}
    assert parsed == {"spec.examples"}, "parsed to be stored (examples: for their base URL)"
    assert sent == made
