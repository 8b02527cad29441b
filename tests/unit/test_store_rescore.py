"""Rescoring stored findings: no network, a new run, the original window reproduced."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from auditor.methodology.model import Methodology
from auditor.model import Finding, Outcome
from auditor.store import Store, diff_runs, list_runs, load_results
from auditor.store.records import record_result
from auditor.store.rescore import rescore
from auditor.store.runs import begin_run, finish_run
from auditor.store.session import earlier_findings, windowed_checks
from tests.support.store import TRUST, record_run, result, writable_store


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    yield from writable_store(tmp_path)


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every attempt to create a socket is recorded and fails."""
    attempts: list[Any] = []

    def refuse(*args: Any, **kwargs: Any) -> None:
        attempts.append(args)
        raise AssertionError("a socket was opened during a rescore")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    return attempts


def heavier_availability() -> Methodology:
    axes = tuple(
        replace(axis, weight=75.0 if axis.id == "availability" else axis.weight)
        for axis in TRUST.axes
    )
    return replace(TRUST, version="2.0.0-test", axes=axes)


def _history(store: Store) -> int:
    """Three runs of one entry (up, down, up); returns the last run's id."""
    last = 0
    for day, up in (("10", True), ("11", False), ("12", True)):
        at = f"2026-11-{day}T00:00:00Z"
        run_id = record_run(store, [], started_at=at, finished=False).id
        run = next(r for r in list_runs(store) if r.id == run_id)
        earlier = tuple(earlier_findings(store, "a", run, windowed_checks(TRUST)))
        from auditor.store.records import record_result
        from auditor.store.runs import finish_run

        record_result(store, run_id, 0, result("a", up=up, at=at, earlier=earlier))
        record_result(store, run_id, 1, result("b", up=True, at=at))
        finish_run(store, run_id)
        last = run_id
    return last


def test_rescore_under_the_same_rules_reproduces_the_scores(
    store: Store, no_network: list[Any]
) -> None:
    last = _history(store)
    original = load_results(store, last)
    assert original[0].assessment.axis("availability").reason == "2 of 3 verifications succeeded"
    run, results = rescore(store, TRUST)
    assert no_network == []
    assert run.kind == "rescore" and run.rescore_of == last and run.finished
    assert [r.assessment.score for r in results] == [r.assessment.score for r in original]
    assert results[0].assessment.axis("availability").reason == "2 of 3 verifications succeeded"
    assert diff_runs(store).changed == ()


def test_rescore_under_other_rules_is_a_new_run_diff_can_show(
    store: Store, no_network: list[Any]
) -> None:
    last = _history(store)
    findings_before = store.db.execute("SELECT COUNT(*) FROM findings").fetchone()[0]
    run, results = rescore(store, heavier_availability(), source=last)
    assert no_network == []
    assert run.methodology_version == "2.0.0-test"
    assert store.db.execute("SELECT COUNT(*) FROM findings").fetchone()[0] == findings_before
    stored = load_results(store, run.id)
    assert [r.assessment for r in stored] == [r.assessment for r in results]
    assert stored[0].findings == load_results(store, last)[0].findings
    diff = diff_runs(store)
    assert (diff.run_a.id, diff.run_b.id) == (last, run.id)
    # weights move the composite; no axis score moves
    assert {c.entry_id for c in diff.changed} == {"a", "b"}
    assert all(c.axes == () and c.score_delta for c in diff.changed)
    # a rescore of a rescore reads the same original findings
    again, _ = rescore(store, TRUST, source=run.id)
    assert [r.assessment.score for r in load_results(store, again.id)] == [
        r.assessment.score for r in load_results(store, last)
    ]


def test_a_narrower_window_changes_the_availability_share(
    store: Store, no_network: list[Any]
) -> None:
    last = _history(store)
    _, results = rescore(store, TRUST, source=last, window_days=1.5)
    assert results[0].assessment.axis("availability").reason == "1 of 2 verifications succeeded"


def _trust_1_0_0() -> Methodology:
    """trust 1.0.0 as it was: the 15-point spec signal read ``spec.format_known``."""
    axes = []
    for axis in TRUST.axes:
        signals = tuple(
            replace(s, name="Spec format known", check="spec.format_known", description="")
            if s.id == "spec-format"
            else s
            for s in axis.signals
        )
        axes.append(replace(axis, signals=signals))
    return replace(TRUST, version="1.0.0", axes=tuple(axes))


def _with_spec(entry_id: str, valid: bool, methodology: Methodology) -> Any:
    """A result with a declared spec of a known format that does or does not validate."""
    at = "2026-11-20T10:00:00Z"
    verdict = (
        Finding("spec.valid", Outcome.PASS, "valid Swagger 2.0", "spec_document", observed_at=at)
        if valid
        else Finding(
            "spec.valid",
            Outcome.FAIL,
            "invalid Swagger 2.0: 2 error(s), first: (root): 'info' is a required property",
            "spec_document",
            observed_at=at,
        )
    )
    spec = (
        Finding("metadata.spec_url", Outcome.PASS, "spec_url populated", "metadata_fields"),
        Finding("spec.format_known", Outcome.PASS, "format: Swagger 2.0", "spec_document"),
        verdict,
    )
    return result(entry_id, extra=spec, methodology=methodology)


def test_a_run_scored_under_trust_1_0_0_rescores_with_the_invalid_spec_losing_its_points(
    store: Store, no_network: list[Any]
) -> None:
    old = _trust_1_0_0()
    run = begin_run(store, sources=["c.yaml"], methodology=old, entry_count=2, window_days=30.0)
    for position, one in enumerate(
        (_with_spec("valid", True, old), _with_spec("broken", False, old))
    ):
        record_result(store, run.id, position, one)
    finish_run(store, run.id)
    before = {r.entry.id: r.assessment for r in load_results(store, run.id)}
    assert before["broken"].axis("agent_readiness").score == 30.0 + 15.0  # 1.0.0: format known

    new_run, results = rescore(store, TRUST, source=run.id)
    assert no_network == []
    assert (new_run.methodology_version, TRUST.version) == ("1.1.0", "1.1.0")
    after = {r.entry.id: r.assessment for r in results}
    assert after["valid"].axis("agent_readiness").score == 45.0  # a valid spec keeps them
    broken = after["broken"].axis("agent_readiness")
    assert broken.score == 30.0  # 15 points fewer
    signal = {s.id: s for s in broken.signals}["spec-format"]
    assert (signal.outcome, signal.points) == (Outcome.FAIL, 0.0)
    assert "'info' is a required property" in signal.evidence  # the first error, as evidence
    weights = sum(a.weight for a in after["broken"].axes if a.score is not None)
    assert after["broken"].score == round(before["broken"].score - 15 * 15 / weights, 2)
    diff = diff_runs(store)
    assert [c.entry_id for c in diff.changed] == ["broken"]
    assert [(m.axis, m.before, m.after) for m in diff.changed[0].axes] == [
        ("agent_readiness", 45.0, 30.0)
    ]
