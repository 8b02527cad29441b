"""``auditor merge`` underneath: shard stores into one run, refusals, duplicates, snapshots."""

from __future__ import annotations

import hashlib
from contextlib import ExitStack
from pathlib import Path

import pytest

from auditor.methodology.model import Methodology
from auditor.model import AuditResult, Finding, Outcome
from auditor.store import Store, StoreError, diff_runs, list_runs, load_results
from auditor.store.merge import MergeReport, merge_runs
from auditor.store.records import SpecCapture, record_result
from auditor.store.runs import begin_run, finish_run
from tests.support.store import TRUST, result

SPEC = b'{"openapi": "3.0.3", "info": {"title": "T", "version": "1"}, "paths": {}}'
SHA = hashlib.sha256(SPEC).hexdigest()
BIG = "x" * 2000  # facts this large are stored once, as a blob


def spec_findings(url: str) -> tuple[Finding, ...]:
    facts = {"sha256": SHA, "size": len(SPEC), "format_label": "OpenAPI 3.0.3", "big": BIG}
    return (
        Finding("spec.fetched", Outcome.PASS, "fetched", "spec", url, {"url": url, "etag": '"v1"'}),
        Finding("spec.valid", Outcome.PASS, "valid", "spec", url, facts),
    )


def shard_store(
    path: Path,
    shard: str | None,
    results: list[tuple[int, AuditResult]],
    *,
    methodology: Methodology = TRUST,
    finished: bool = True,
    window_days: float = 30.0,
    night: str | None = None,
) -> Path:
    """A store holding one audit run: ``results`` at their catalog positions."""
    with Store.open(path, write=True) as store:
        sources = ["/ci/catalog.yaml", *([f"shard:{shard}"] if shard else [])]
        run = begin_run(
            store,
            sources=sources,
            methodology=methodology,
            entry_count=len(results),
            window_days=window_days,
        )
        if night is not None:
            store.db.execute("UPDATE runs SET started_at = ? WHERE id = ?", (night, run.id))
        for position, one in results:
            has_spec = one.findings[-1].check == "spec.valid"
            spec = SpecCapture("https://x.example/s", SPEC, None) if has_spec else None
            record_result(store, run.id, position, one, spec=spec)
        if finished:
            finish_run(store, run.id)
    return path


def with_spec(entry_id: str, up: bool = True) -> AuditResult:
    return result(entry_id, up=up, extra=spec_findings("https://x.example/s"))


@pytest.fixture
def shards(tmp_path: Path) -> list[Path]:
    """Catalog a0..a5 split in 3 shards; every shard fetched the same spec document."""
    return [
        shard_store(tmp_path / "s1.db", "1/3", [(0, with_spec("a0")), (3, result("a3"))]),
        shard_store(tmp_path / "s2.db", "2/3", [(1, with_spec("a1", up=False)), (4, result("a4"))]),
        shard_store(tmp_path / "s3.db", "3/3", [(2, result("a2", up=None)), (5, with_spec("a5"))]),
    ]


def do_merge(target: Path, inputs: list[Path], *, partial: bool = False) -> MergeReport:
    with ExitStack() as stack:
        opened = [stack.enter_context(Store.open(p)) for p in inputs]
        into = stack.enter_context(Store.open(target, write=True))
        return merge_runs(into, opened, partial=partial)


def test_shards_merge_into_one_run_in_catalog_order_with_everything(
    shards: list[Path], tmp_path: Path
) -> None:
    report = do_merge(tmp_path / "all.db", shards)
    assert report.run.entry_count == 6 and report.run.finished
    assert report.run.sources == ("/ci/catalog.yaml",)
    assert report.shards == ("1/3", "2/3", "3/3") and report.missing_shards == ()
    assert report.duplicates == () and report.notes == ()
    assert (report.snapshots_added, report.snapshots_known) == (1, 0)  # one document, kept once
    expected = {}
    for path in shards:
        with Store.open(path) as store:
            for one in load_results(store, list_runs(store)[-1].id):
                expected[one.entry.id] = one
    with Store.open(tmp_path / "all.db") as store:
        merged = load_results(store, report.run.id)
        assert [r.entry.id for r in merged] == ["a0", "a1", "a2", "a3", "a4", "a5"]
        assert merged == [expected[r.entry.id] for r in merged]  # findings, blobs, assessments
        assert report.run.counts["entries"] == 6 and report.run.counts["unknown"] == 0
        assert report.run.counts["tiers"] == {
            t: sum(1 for r in merged if r.assessment.tier == t)
            for t in {r.assessment.tier for r in merged}
        }
        row = store.db.execute("SELECT body, url FROM spec_snapshots").fetchall()
        assert len(row) == 1 and row[0]["body"] is not None
        validators = store.db.execute("SELECT url, etag, sha256 FROM http_validators").fetchall()
        assert [tuple(v) for v in validators] == [("https://x.example/s", '"v1"', SHA)]


def test_merged_runs_diff_against_the_history_they_join(shards: list[Path], tmp_path: Path) -> None:
    target = tmp_path / "history.db"
    first = do_merge(target, shards)
    night = "2030-01-02T03:00:00Z"  # the next night's shards
    again = [
        shard_store(
            tmp_path / "n1.db", "1/3", [(0, with_spec("a0")), (3, result("a3"))], night=night
        ),
        shard_store(
            tmp_path / "n2.db", "2/3", [(1, with_spec("a1")), (4, result("a4"))], night=night
        ),
        shard_store(tmp_path / "n3.db", "3/3", [(2, result("a2", up=None))], night=night),
    ]
    second = do_merge(target, again)
    with Store.open(target) as store:
        changed = diff_runs(store, first.run.id, second.run.id).to_dict()
    assert [c["id"] for c in changed["changed"]] == ["a1"]  # back up: its score moved
    assert changed["new"] == [] and [g["id"] for g in changed["gone"]] == ["a5"]
    assert (second.snapshots_added, second.snapshots_known) == (0, 1)


def test_different_methodologies_or_windows_are_refused_and_nothing_is_written(
    shards: list[Path], tmp_path: Path
) -> None:
    from dataclasses import replace

    other = replace(TRUST, id="trust-strict")
    odd = shard_store(
        tmp_path / "odd.db", "3/3", [(2, result("a2", methodology=other))], methodology=other
    )
    with pytest.raises(StoreError, match="different methodologies"):
        do_merge(tmp_path / "all.db", [shards[0], shards[1], odd])
    window = shard_store(tmp_path / "w.db", "3/3", [(2, result("a2"))], window_days=7)
    with pytest.raises(StoreError, match="different availability windows"):
        do_merge(tmp_path / "all.db", [shards[0], shards[1], window])
    with Store.open(tmp_path / "all.db") as store:
        assert list_runs(store) == []


def test_a_run_already_merged_or_unfinished_or_missing_shards_is_refused(
    shards: list[Path], tmp_path: Path
) -> None:
    target = tmp_path / "all.db"
    do_merge(target, shards)
    with pytest.raises(StoreError, match="already in"):
        do_merge(target, shards)
    died = shard_store(tmp_path / "died.db", "3/3", [(2, result("a2"))], finished=False)
    with pytest.raises(StoreError, match="unfinished"):
        do_merge(tmp_path / "other.db", [shards[0], shards[1], died])
    with pytest.raises(StoreError, match=r"shard\(s\) 3/3 missing"):
        do_merge(tmp_path / "other.db", shards[:2])
    partial = do_merge(tmp_path / "other.db", shards[:2], partial=True)
    assert partial.missing_shards == ("3/3",) and partial.run.entry_count == 4
    assert any("3/3 not merged" in note for note in partial.notes)


def test_duplicate_entries_are_kept_once_and_reported(shards: list[Path], tmp_path: Path) -> None:
    overlap = shard_store(
        tmp_path / "plain.db", None, [(0, with_spec("a0", up=False)), (9, result("z9"))]
    )
    report = do_merge(tmp_path / "all.db", [*shards, overlap])
    assert [(d.entry_id, d.kept_from, d.same_score) for d in report.duplicates] == [
        ("a0", str(shards[0]), False)
    ]
    assert report.run.entry_count == 7
    assert report.missing_shards == ()  # not every input is a shard: nothing to count
    with Store.open(tmp_path / "all.db") as store:
        merged = {r.entry.id: r for r in load_results(store, report.run.id)}
    assert merged["a0"].assessment.axis("availability").score == 100  # the first store's
    assert len(merged["a0"].findings) == len(with_spec("a0").findings)  # not doubled
