"""Helpers the store tests share (hand-built results), and the codec round trip."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from auditor.methodology import Methodology, load_methodology
from auditor.methodology.engine import assess
from auditor.model import AuditResult, Entry, Finding, Outcome
from auditor.store import Store
from auditor.store.codec import (
    assessment_from_json,
    assessment_to_json,
    entry_from_json,
    entry_to_json,
)
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


def test_entry_round_trips_with_raw_record_and_odd_values() -> None:
    import datetime

    original = entry(
        "e",
        tags=("a", "b"),
        base_url="https://x.example",
        raw={"published": datetime.date(2024, 1, 2), "nested": {1: {"x"}}},
    )
    back = entry_from_json(entry_to_json(original))
    assert back == original
    assert back.raw == {"published": "2024-01-02", "nested": {"1": ["x"]}}


def test_assessment_round_trips() -> None:
    one = result("e", up=False)
    back = assessment_from_json(assessment_to_json(one.assessment))
    assert back == one.assessment
    assert back.axis("availability").score == 0
