"""Recording runs: results per entry, resume, the availability window, spec snapshots."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import orjson
import pytest

from auditor.methodology.engine import assess
from auditor.model import AuditResult, Finding, Outcome
from auditor.spec.analyse import analyse_spec
from auditor.store import Store, list_runs, load_results, snapshots, spec_snapshot
from auditor.store.codec import unpack
from auditor.store.runs import finished_entry_ids, last_unfinished_run
from auditor.store.schema import TRACKED
from auditor.store.session import RecordingRun, earlier_findings, windowed_checks
from auditor.store.stored_facts import BLOB_KEY, BLOB_THRESHOLD
from tests.support.store import (
    TRUST,
    entry,
    record_run,
    result,
    spec_findings,
    stored_findings,
    traced,
    writable_store,
)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    yield from writable_store(tmp_path)


SPEC = b'{"openapi": "3.0.3", "info": {"title": "T", "version": "1"}, "paths": {}}'


def test_each_result_reads_back_as_written(store: Store) -> None:
    written = [result("a"), result("b", up=False)]
    run = record_run(store, written)
    assert load_results(store, run.id) == written
    assert run.counts["entries"] == 2 and run.counts["scored"] == 2
    assert sum(run.counts["tiers"].values()) == 2


def test_resume_picks_the_last_unfinished_run_and_skips_finished_entries(store: Store) -> None:
    entries = [entry("a"), entry("b"), entry("c")]
    first = RecordingRun.start(store, ["c.yaml"], TRUST, entries)
    first.record(result("a"))
    assert last_unfinished_run(store) == first.run
    again = RecordingRun.start(store, ["c.yaml"], TRUST, entries, resume=True)
    assert again.run.id == first.run.id
    assert [e.id for e in again.remaining(entries)] == ["b", "c"]
    again.record(result("c"))
    again.record(result("b"))
    again.finish()
    assert [r.entry.id for r in again.results()] == ["a", "b", "c"]  # catalog order
    fresh = RecordingRun.start(store, ["c.yaml"], TRUST, entries, resume=True)
    assert fresh.run.id != first.run.id and fresh.resumed == set()


def test_resume_refuses_other_sources_or_methodology(store: Store) -> None:

    from auditor.store import StoreError

    RecordingRun.start(store, ["c.yaml"], TRUST, [entry("a")])
    with pytest.raises(StoreError, match="same sources"):
        RecordingRun.start(store, ["other.yaml"], TRUST, [entry("a")], resume=True)
    other = replace(TRUST, version="9.9.9")
    with pytest.raises(StoreError, match="same --rules"):
        RecordingRun.start(store, ["c.yaml"], other, [entry("a")], resume=True)


def test_the_window_holds_earlier_verifications_only(store: Store) -> None:
    checks = windowed_checks(TRUST)
    assert checks == ("availability",)
    record_run(
        store, [result("a", up=False, at="2026-09-01T00:00:00Z")], started_at="2026-09-01T00:00:00Z"
    )
    record_run(
        store, [result("a", up=True, at="2026-11-10T00:00:00Z")], started_at="2026-11-10T00:00:00Z"
    )
    record_run(
        store, [result("a", up=False, at="2026-11-15T00:00:00Z")], started_at="2026-11-15T00:00:00Z"
    )
    now = record_run(store, [], started_at="2026-11-20T00:00:00Z", finished=False)
    earlier = earlier_findings(store, "a", now, checks)
    # the September failure is outside 30 days; the endpoint findings are not windowed
    assert [(f.check, f.outcome, f.observed_at) for f in earlier] == [
        ("availability", Outcome.PASS, "2026-11-10T00:00:00Z"),
        ("availability", Outcome.FAIL, "2026-11-15T00:00:00Z"),
    ]
    new = result("a", up=True, at="2026-11-20T00:00:00Z", earlier=tuple(earlier))
    axis = new.assessment.axis("availability")
    assert axis.score == round(100 * 2 / 3, 2)
    assert axis.reason == "2 of 3 verifications succeeded"
    narrow = replace(now, window_days=7)
    assert [f.observed_at for f in earlier_findings(store, "a", narrow, checks)] == [
        "2026-11-15T00:00:00Z"
    ]


def test_unknown_verifications_stay_out_of_the_share(store: Store) -> None:
    record_run(
        store, [result("a", up=None, at="2026-11-18T00:00:00Z")], started_at="2026-11-18T00:00:00Z"
    )
    now = record_run(store, [], started_at="2026-11-20T00:00:00Z", finished=False)
    earlier = earlier_findings(store, "a", now, windowed_checks(TRUST))
    new = result("a", up=True, at="2026-11-20T00:00:00Z", earlier=tuple(earlier))
    assert new.assessment.axis("availability").score == 100
    assert new.assessment.axis("availability").reason == "Latest verification succeeded"


def test_a_spec_is_kept_once_by_sha256_with_inventory_body_and_validators(store: Store) -> None:
    report = analyse_spec(SPEC)
    url = "https://x.example/openapi.json"
    inventory = {"field_count": 2, "fields": ["Pet.name", "Pet.id"], "operations": ["GET /pets"]}
    findings = spec_findings(report, inventory, url)
    run = RecordingRun.start(store, ["c.yaml"], TRUST, [entry("a"), entry("b")])
    run.spec_cache()[report.sha256] = report
    for entry_id in ("a", "b"):
        run.library.keep_body(url, SPEC)
        one = result(entry_id, extra=findings)
        run.record(one)
    rows = store.db.execute("SELECT sha256, inventory, body, report FROM spec_snapshots").fetchall()
    assert len(rows) == 1
    assert rows[0]["sha256"] == hashlib.sha256(SPEC).hexdigest()
    assert unpack(rows[0]["body"]) == SPEC
    assert rows[0]["inventory"] == "{}"  # read from the stored analysis (schema v8)
    snapshot = spec_snapshot(store, "a")  # a document that lists nothing: known, and empty
    assert snapshot is not None and snapshot.fields == () and snapshot.operations == ()
    assert run.library.report(report.sha256) == report
    assert run.library.conditional(url) == ('"v1"', None)
    assert run.library.conditional("https://x.example/other") == (None, None)
    assert run.library.body(report.sha256) == SPEC
    assert run.library.take_body(url) is None  # handed over at record time


def test_the_document_the_probe_hashed_is_packed_without_hashing_it_again(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    report = analyse_spec(SPEC)
    url = "https://x.example/openapi.json"
    run = RecordingRun.start(store, ["c.yaml"], TRUST, [entry("a"), entry("b")])
    run.library.keep_body(url, SPEC)
    hashed: list[int] = []
    real = snapshots._pack_body
    monkeypatch.setattr(snapshots, "_pack_body", lambda item: hashed.append(1) or real(item))
    run.spec_cache().made(report.sha256, report, SPEC)  # the very bytes the fetcher kept
    run.record(result("a", extra=spec_findings(report, None, url)))
    assert hashed == []
    assert unpack(store.db.execute("SELECT body FROM spec_snapshots").fetchone()[0]) == SPEC
    # the same bytes, but not the object the run downloaded: the kept ones are hashed
    other = analyse_spec(SPEC + b" ")
    run.library.keep_body(url, SPEC + b" ")
    run.spec_cache().made(other.sha256, other, bytes(bytearray(SPEC + b" ")))
    run.record(result("b", extra=spec_findings(other, None, url)))
    assert hashed == [1]
    bodies = {unpack(row[0]) for row in store.db.execute("SELECT body FROM spec_snapshots")}
    assert bodies == {SPEC, SPEC + b" "}


def test_a_body_that_is_not_the_analysed_document_is_not_kept(store: Store) -> None:
    report = analyse_spec(SPEC)
    url = "https://x.example/openapi.json"
    run = RecordingRun.start(store, ["c.yaml"], TRUST, [entry("a")])
    run.library.keep_body(url, b"something else")
    run.record(result("a", extra=spec_findings(report, None, url)))
    assert store.db.execute("SELECT body FROM spec_snapshots").fetchone()[0] is None
    assert run.library.conditional(url) == (None, None)  # nothing to stand in for a 304


def test_stored_reports_from_another_validator_are_not_reused(store: Store) -> None:
    report = replace(analyse_spec(SPEC), validator="some-other-validator 0.1")
    url = "https://x.example/openapi.json"
    run = RecordingRun.start(store, ["c.yaml"], TRUST, [entry("a")])
    run.spec_cache()[report.sha256] = report
    run.library.keep_body(url, SPEC)
    run.record(result("a", extra=spec_findings(report, None, url)))
    assert run.library.report(report.sha256) is None
    later = RecordingRun.start(store, ["c.yaml"], TRUST, [entry("a")])
    assert report.sha256 not in later.spec_cache()
    current = analyse_spec(SPEC)  # analysed again by today's validator: that one is kept
    later.spec_cache()[current.sha256] = current
    later.record(result("a", extra=spec_findings(current, None, url)))
    assert (
        RecordingRun.start(store, ["c.yaml"], TRUST, [entry("a")]).library.report(current.sha256)
        == current
    )


def test_a_rescore_like_result_keeps_no_findings_of_its_own(store: Store) -> None:
    from auditor.store.records import record_result
    from auditor.store.runs import begin_run

    source = record_run(store, [result("a")])
    run = begin_run(
        store, sources=[], methodology=TRUST, entry_count=1, window_days=30, kind="rescore"
    )
    original = load_results(store, source.id)[0]
    again = AuditResult(original.entry, original.findings, assess("a", original.findings, TRUST))
    record_result(store, run.id, 0, again, findings_run=source.id)
    rows = store.db.execute("SELECT COUNT(*) FROM findings").fetchone()[0]
    assert rows == sum(f.check in TRACKED for f in original.findings) == 2
    packed = store.db.execute("SELECT run_id, findings IS NOT NULL FROM results ORDER BY run_id")
    assert [tuple(r) for r in packed] == [(source.id, 1), (run.id, 0)]
    assert load_results(store, run.id)[0].findings == original.findings
    assert finished_entry_ids(store, run.id) == {"a"}
    assert [r.kind for r in list_runs(store)] == ["audit", "rescore"]


def test_large_facts_and_entry_records_are_kept_once_across_runs(store: Store) -> None:
    big = {"examples": [f"curl https://x.example/things/{i}" for i in range(50)]}
    extra = (Finding("spec.examples", Outcome.PASS, "examples", "spec_document", None, big),)
    description = "A long description of the API " * 20
    first = record_run(store, [result("a", extra=extra, description=description)])
    blobs = store.db.execute("SELECT COUNT(*) FROM blobs").fetchone()[0]
    assert blobs == 2  # the examples and the entry record
    second = record_run(store, [result("a", extra=extra, description=description)])
    assert store.db.execute("SELECT COUNT(*) FROM blobs").fetchone()[0] == blobs
    for run in (first, second):
        (back,) = load_results(store, run.id)
        assert back.entry.description == description
        assert next(f for f in back.findings if f.check == "spec.examples").facts == big


def test_a_failed_analysis_is_not_kept_for_reuse_and_a_good_one_replaces_it(store: Store) -> None:
    good = analyse_spec(SPEC)
    broken = replace(good, valid=None, note="validation failed: ImportError: partially initialized")
    url = "https://x.example/openapi.json"
    run = RecordingRun.start(store, ["c.yaml"], TRUST, [entry("a")])
    run.spec_cache()[good.sha256] = broken
    run.library.keep_body(url, SPEC)
    run.record(result("a", extra=spec_findings(broken, None, url)))
    later = RecordingRun.start(store, ["c.yaml"], TRUST, [entry("a")])
    assert good.sha256 not in later.spec_cache()  # analysed again next time
    assert later.library.conditional(url) == (None, None)
    later.spec_cache()[good.sha256] = good
    later.library.keep_body(url, SPEC)
    later.record(result("a", extra=spec_findings(good, None, url)))
    third = RecordingRun.start(store, ["c.yaml"], TRUST, [entry("a")])
    assert good.sha256 in third.spec_cache() and third.spec_cache()[good.sha256] == good
    assert third.library.conditional(url) == ('"v1"', None)
    assert store.db.execute("SELECT COUNT(*) FROM spec_snapshots").fetchone()[0] == 1


PETS = orjson.dumps(
    {
        "openapi": "3.0.3",
        "info": {"title": "Pets", "version": "1"},
        "servers": [{"url": "v1"}],  # relative: each URL the spec is served at has its own base
        "paths": {
            f"/{kind}/{{id}}": {
                "get": {
                    "parameters": [
                        {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
                    ],
                    "responses": {"200": {"description": "ok"}},
                }
            }
            for kind in ("pets", "owners", "vets", "toys")
        },
    }
)


def test_request_examples_of_one_spec_at_many_urls_are_one_blob(store: Store) -> None:
    # One spec with a relative server, published at a path per entry: each entry's examples
    # name its own base URL. Stored, they share one blob; read back, each is as it was.
    from auditor.probes.spec_findings import report_findings

    report = analyse_spec(PETS)
    written = []
    for i in range(6):
        url = f"https://gw.example.org/apis/{i}/openapi.json"
        examples = next(f for f in report_findings(report, url, url) if f.check == "spec.examples")
        assert examples.facts["base_url"] == f"https://gw.example.org/apis/{i}/v1"
        assert len(orjson.dumps(examples.facts)) >= BLOB_THRESHOLD
        written.append(result(f"e{i}", extra=(examples,)))
    run = record_run(store, written)
    rows = stored_findings(store.db, "spec.examples")
    digests = {orjson.loads(row[3])[BLOB_KEY] for row in rows}
    assert len(rows) == 6 and len(digests) == 1
    assert load_results(store, run.id) == written


def test_templating_is_exact_whatever_the_strings_hold() -> None:
    from auditor.store.codec import dumps, loads
    from auditor.store.facts_text import _template, _untemplate

    base = 'https://h.example/"b\\'  # quotes and backslashes are escaped in the JSON
    facts = {
        "curl": [{"command": f"curl {base}{base}/x?u={base}", "n": None, "k": [1, base]}],
        "base_url": base,
        base: "a key",
        "empty": "",
    }
    text = dumps(facts)
    templated = _template(text, facts)
    assert templated is not None and templated[1] == base
    assert dumps(base)[1:-1] not in "".join(loads(templated[0]))
    assert _untemplate(loads(templated[0]), base) == facts
    assert _template(text, {"base_url": "short"}) is None
    assert _template(text, {"base_url": "https://elsewhere.example"}) is None


def test_a_window_of_entries_citing_one_spec_writes_its_snapshot_and_validators_once(
    store: Store,
) -> None:
    report = analyse_spec(SPEC)
    url = "https://x.example/openapi.json"
    findings = spec_findings(report, {"fields": ["Pet.id"], "operations": []}, url)
    ids = [f"e{i}" for i in range(8)]
    run = RecordingRun.start(store, ["c.yaml"], TRUST, [entry(i) for i in ids])
    run.spec_cache()[report.sha256] = report
    with traced(store) as statements, run.batched():
        for entry_id in ids:
            run.library.keep_body(url, SPEC)
            run.record(result(entry_id, extra=findings))
    snapshot_reads = [s for s in statements if "FROM spec_snapshots" in s]
    validator_writes = [s for s in statements if "INTO http_validators" in s]
    assert len(snapshot_reads) == 1 and len(validator_writes) == 1  # not one an entry
    assert run.library.conditional(url) == ('"v1"', None)
    assert run.library.body(report.sha256) == SPEC
    assert [r.entry.id for r in run.results()] == ids
