"""SpecFindingsMemo: the findings of one analysis made once for every entry citing it."""

from __future__ import annotations

import pickle
from dataclasses import replace

import orjson

from auditor.model import SharedFacts
from auditor.probes.spec_findings import SWEEP_SLACK, SpecFindingsMemo, report_findings
from auditor.spec.analyse import SpecReport, analyse_spec


def _spec(server: str, title: str = "Pets") -> bytes:
    return orjson.dumps(
        {
            "openapi": "3.0.3",
            "info": {"title": title, "version": "1", "description": "Pets and owners."},
            "servers": [{"url": server}],
            "paths": {
                "/pets/{id}": {
                    "get": {
                        "operationId": "getPet",
                        "summary": "One pet",
                        "parameters": [
                            {
                                "name": "id",
                                "in": "path",
                                "required": True,
                                "schema": {"type": "string"},
                            }
                        ],
                        "responses": {"200": {"description": "ok"}},
                    }
                }
            },
        }
    )


def _plain(findings: list) -> list[tuple[object, ...]]:  # type: ignore[type-arg]
    return [(f.check, f.outcome, f.message, f.probe, f.subject, dict(f.facts)) for f in findings]


def test_entries_citing_one_analysis_get_its_findings_about_their_own_url() -> None:
    report = analyse_spec(_spec("https://api.example.org/v1"))
    held = {report.sha256: report}
    memo = SpecFindingsMemo()
    first = memo.findings(
        report, "https://a.example/spec.json", "https://a.example/spec.json", held
    )
    second = memo.findings(
        report, "https://b.example/spec.json", "https://b.example/spec.json", held
    )
    # the same findings report_findings makes, each about the entry's own URL
    for url, made in (
        ("https://a.example/spec.json", first),
        ("https://b.example/spec.json", second),
    ):
        assert _plain(made) == _plain(report_findings(report, url, url))
    # made once: the second entry's facts are the first's, not a copy
    assert len(memo) == 1
    assert all(a.facts is b.facts for a, b in zip(first, second, strict=True))
    assert all(type(f.facts) is SharedFacts for f in first if f.facts)
    assert first[0] is not second[0]


def test_a_relative_server_gives_each_base_url_its_own_examples() -> None:
    report = analyse_spec(_spec("/v1"))
    held = {report.sha256: report}
    memo = SpecFindingsMemo()
    made = {
        host: memo.findings(report, f"https://{host}/o.json", f"https://{host}/o.json", held)
        for host in ("a.example", "b.example", "a.example")
    }
    examples = {
        host: next(f for f in found if f.check == "spec.examples") for host, found in made.items()
    }
    assert examples["a.example"].facts["base_url"] == "https://a.example/v1"
    assert examples["b.example"].facts["base_url"] == "https://b.example/v1"
    assert len(memo) == 2


def test_another_analysis_of_the_document_is_not_answered_with_the_first_ones_findings() -> None:
    report = analyse_spec(_spec("https://api.example.org/v1"))
    failed = replace(
        report, valid=None, note="analysis failed: timed out", extra={"analysis_failed": True}
    )
    memo = SpecFindingsMemo()
    url = "https://a.example/spec.json"
    assert memo.findings(report, url, url, {report.sha256: report})[1].outcome.value == "pass"
    again = memo.findings(failed, url, url, {failed.sha256: failed})
    assert _plain(again) == _plain(report_findings(failed, url, url))
    assert again[1].outcome.value == "unknown"


def test_the_findings_of_analyses_the_run_let_go_are_swept() -> None:
    reports: list[SpecReport] = [
        analyse_spec(_spec("https://api.example.org/v1", title=f"T{i}"))
        for i in range(SWEEP_SLACK + 3)
    ]
    held = {reports[-1].sha256: reports[-1]}  # a bounded cache holds the last one only
    memo = SpecFindingsMemo()
    for report in reports:
        memo.findings(report, "https://a.example/s.json", "https://a.example/s.json", held)
    assert len(memo) <= 2 * len(held) + SWEEP_SLACK
    kept = memo.findings(reports[-1], "https://b.example/s.json", "https://b.example/s.json", held)
    assert (
        len(memo) <= 2 * len(held) + SWEEP_SLACK and kept[1].subject == "https://b.example/s.json"
    )


def test_shared_facts_cross_to_another_process_as_a_plain_dict() -> None:
    facts = SharedFacts({"fields": [{"name": "id"}], "field_count": 1})
    facts.stored = '{"$auditor.blob":"' + "0" * 64 + '"}'
    copied = pickle.loads(pickle.dumps(facts))
    assert type(copied) is dict and copied == facts
