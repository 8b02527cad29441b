"""A snapshot holding its analysis keeps no inventory of its own (schema v8): diffs and
``auditor history`` derive it from the analysis; the analysis's rows are serialised once."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest

from auditor.model import AuditResult, Finding, Outcome
from auditor.probes.spec_findings import SpecFindingsMemo, report_findings
from auditor.spec.analyse import SpecReport, analyse_spec
from auditor.store import Store, diff_runs, load_results, spec_snapshot
from auditor.store.codec import dumps, pack
from auditor.store.inventory import inventory, snapshot_inventory
from auditor.store.packed_report import PackedReport, pack_report
from auditor.store.session import RecordingRun
from auditor.store.stored_facts import BLOB_KEY
from tests.support.store import TRUST, entry, result, writable_store

URL = "https://x.example/openapi.json"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    yield from writable_store(tmp_path)


def pets(*properties: str, delete: bool = False) -> bytes:
    """An OpenAPI document: ``GET /pets`` answering Pets with ``properties``."""
    paths: dict[str, object] = {
        "/pets": {
            "get": {
                "responses": {
                    "200": {
                        "description": "the pets",
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Pet"}}
                        },
                    }
                }
            }
        }
    }
    if delete:
        paths["/pets/{id}"] = {
            "delete": {
                "parameters": [
                    {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
                ],
                "responses": {"204": {"description": "gone"}},
            }
        }
    document = {
        "openapi": "3.0.3",
        "info": {"title": "Pets", "version": "1"},
        "paths": paths,
        "components": {
            "schemas": {
                "Pet": {
                    "type": "object",
                    "properties": {name: {"type": "string"} for name in properties},
                }
            }
        },
    }
    return json.dumps(document).encode()


def analysed(body: bytes, entry_id: str, run: RecordingRun) -> tuple[SpecReport, AuditResult]:
    """The result a run makes of ``body``: downloaded (kept), analysed and handed to the
    run (packed in the library's thread), its spec findings made as the spec probe makes
    them (``SpecFindingsMemo``: facts shared, read-only)."""
    run.library.keep_body(URL, body)
    report = analyse_spec(body)
    run.spec_cache().made(report.sha256, report, body)
    fetched = Finding(
        "spec.fetched", Outcome.PASS, "fetched", "spec_document", URL,
        {"url": URL, "etag": '"v1"', "last_modified": None},
    )  # fmt: skip
    made = SpecFindingsMemo().findings(report, URL, URL, {report.sha256: report})
    return report, result(entry_id, extra=(fetched, *made))


def record(store: Store, bodies: dict[str, bytes]) -> dict[str, SpecReport]:
    run = RecordingRun.start(store, ["c.yaml"], TRUST, [entry(e) for e in bodies])
    reports = {}
    with run.batched():
        for entry_id, body in bodies.items():
            reports[entry_id], one = analysed(body, entry_id, run)
            run.record(one)
    run.finish()
    return reports


def test_a_snapshot_with_its_analysis_reads_its_inventory_from_it(store: Store) -> None:
    report = record(store, {"a": pets("id", "name", delete=True)})["a"]
    assert report.fields and report.operations
    row = store.db.execute("SELECT inventory, field_count FROM spec_snapshots").fetchone()
    assert row["inventory"] == "{}"  # nothing of its own: the analysis lists the rows
    assert row["field_count"] == report.field_count
    snapshot = spec_snapshot(store, "a")
    assert snapshot is not None
    assert snapshot.fields == ("DELETE /pets/{id} path id", "Pet.id", "Pet.name")  # sorted
    assert snapshot.operations == ("DELETE /pets/{id}", "GET /pets")


def test_a_diff_of_two_analysed_versions_names_the_fields_and_operations(store: Store) -> None:
    record(store, {"a": pets("id", "name", delete=True)})
    record(store, {"a": pets("id", "tag")})
    change = diff_runs(store).spec_changes[0]
    assert change.inventory_known
    assert change.fields_removed == ("DELETE /pets/{id} path id", "Pet.name")
    assert change.fields_added == ("Pet.tag",)
    assert change.operations_removed == ("DELETE /pets/{id}",)
    assert change.breaking


def test_a_spec_emptied_of_its_fields_is_a_known_breaking_change(store: Store) -> None:
    """A readable spec listing nothing has an inventory, an empty one, as before v8."""
    empty = json.dumps({"openapi": "3.0.3", "info": {"title": "T", "version": "1"}, "paths": {}})
    record(store, {"a": pets("id", "name")})
    report = record(store, {"a": empty.encode()})["a"]
    findings = report_findings(report, URL, URL)
    row = store.db.execute(
        "SELECT inventory, report FROM spec_snapshots WHERE sha256 = ?", (report.sha256,)
    ).fetchone()
    assert snapshot_inventory(row[0], row[1]) == inventory(findings, report)
    assert inventory(findings, report)["fields"] == []
    change = diff_runs(store).spec_changes[0]
    assert change.inventory_known and change.breaking
    assert change.fields_removed == ("Pet.id", "Pet.name")


def test_the_inventory_finding_is_stored_as_its_facts_serialised_whole(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its rows' JSON comes from the analysis's packing: the stored text is exactly what
    serialising the facts gives (so the blob is the same one, run after run)."""
    lent: list[bytes] = []
    rows_of = PackedReport.rows_of

    def counted(self: PackedReport, rows: object) -> bytes | None:
        found = rows_of(self, rows)
        if found is not None:
            lent.append(found)
        return found

    monkeypatch.setattr(PackedReport, "rows_of", counted)
    many = [f"p{i}" for i in range(40)]  # rows enough to be a blob, as a real spec's are
    reports = record(store, {"a": pets("id", "name"), "b": pets(*many)})
    assert len(lent) == 2  # each inventory written with its analysis's rows' JSON
    for entry_id, report in reports.items():
        (stored,) = [f for f in load_results(store, 1) if f.entry.id == entry_id]
        facts = next(f.facts for f in stored.findings if f.check == "spec.inventory")
        made = next(f for f in report_findings(report, URL, URL) if f.check == "spec.inventory")
        assert dict(facts) == made.facts
        text = facts.text  # type: ignore[attr-defined]  # StoredFacts: the text as stored
        whole = dumps(made.facts)
        if entry_id == "a":
            assert text == whole  # inline
        else:
            assert json.loads(text)[BLOB_KEY] == hashlib.sha256(whole.encode()).hexdigest()


def test_the_packed_analysis_lends_its_rows_json_to_those_very_rows_only() -> None:
    report = analyse_spec(pets("id", "name"))
    packed = pack_report(report)
    assert orjson.loads(packed.fields_json) == list(report.fields)
    assert packed.rows_of(list(report.fields)) == packed.fields_json
    assert packed.rows_of([dict(row) for row in report.fields]) is None  # equal, not the same
    assert packed.rows_of(list(report.fields)[:-1]) is None
    assert packed.rows_of(tuple(report.fields)) is None
    assert _unpack(packed.packed) == dumps(report).encode()  # byte for byte


def _unpack(value: bytes) -> bytes:
    from auditor.store.codec import unpack

    found = unpack(value)
    assert found is not None
    return found


def test_snapshot_inventory_prefers_its_own_and_survives_a_damaged_analysis() -> None:
    own = {"fields": ["Pet.id"], "operations": ["GET /pets"], "field_count": 1}
    analysis = pack(dumps({"fields": [{"schema": "Pet", "name": "tag"}], "operations": []}))
    assert snapshot_inventory(pack(dumps(own)), analysis) == own  # written before v8
    assert snapshot_inventory("{}", analysis)["fields"] == ["Pet.tag"]
    assert snapshot_inventory("{}", None) == {}
    assert snapshot_inventory("{}", b"not packed") == {}
    assert snapshot_inventory("{}", pack(dumps({"fields": "rows?"}))) == {}
    assert snapshot_inventory("{}", pack(dumps({"fields": [], "operations": []}))) == {}
    listed = {"format_known": True, "quality": {}, "parse_error": None, "extra": {}}
    nothing = pack(dumps({"fields": [], "operations": [], "field_count": 0} | listed))
    assert snapshot_inventory("{}", nothing)["fields"] == []  # read, and listing nothing
