"""rules/trust-v1-strict.yaml: same as trust-v1 but agent readiness from spec.quality shares."""

from __future__ import annotations

from typing import Any

import pytest

from auditor.methodology import load_methodology
from auditor.methodology.engine import assess
from auditor.model import Finding, Outcome
from tests.conftest import ROOT

STRICT = load_methodology(ROOT / "rules" / "trust-v1-strict.yaml")
V1 = load_methodology(ROOT / "rules" / "trust-v1.yaml")

FULL: dict[str, Any] = {
    "operation_id_share": 1.0,
    "summary_share": 1.0,
    "parameter_docs_share": 1.0,
    "response_schema_share": 1.0,
    "examples_share": 1.0,
    "error_responses_share": 1.0,
    "servers_declared": True,
    "security_declared": True,
    "pagination_documented": True,
    "rate_limit_documented": True,
    "stricter_rules_passed": True,
}


def _findings(quality: dict[str, Any] | None, discovery: Outcome = Outcome.PASS) -> list[Finding]:
    found = [
        Finding("metadata.spec_url", Outcome.PASS, "spec_url populated", "metadata_fields"),
        Finding("spec.valid", Outcome.PASS, "valid OpenAPI 3.1.0", "spec_document"),
        Finding("agent_discovery", discovery, "llms.txt", "agent_discovery"),
    ]
    if quality is not None:
        found.append(
            Finding(
                "spec.quality",
                Outcome.PASS,
                "documentation quality",
                "spec_document",
                None,
                quality,
            )
        )
    return found


def _axis(findings: list[Finding]) -> Any:
    return assess("x", findings, STRICT).axis("agent_readiness")


def test_strict_differs_from_v1_only_in_agent_readiness() -> None:
    strict = {a.id: a for a in STRICT.axes}
    v1 = {a.id: a for a in V1.axes}
    assert strict.keys() == v1.keys()
    for axis_id in v1:
        if axis_id != "agent_readiness":
            assert strict[axis_id] == v1[axis_id], axis_id
        assert strict[axis_id].weight == v1[axis_id].weight
    assert STRICT.tiers == V1.tiers
    assert strict["agent_readiness"].possible == 100
    ratios = [s for s in strict["agent_readiness"].signals if s.function == "ratio"]
    assert {s.fact for s in ratios} == set(FULL)
    assert all(s.check == "spec.quality" for s in ratios)


@pytest.mark.parametrize(
    ("quality", "discovery", "score"),
    [
        (FULL, Outcome.PASS, 100.0),
        (FULL, Outcome.FAIL, 90.0),
        ({**FULL, "examples_share": 0.0, "rate_limit_documented": False}, Outcome.PASS, 90.0),
        ({**FULL, "operation_id_share": 0.5, "summary_share": 0.25}, Outcome.PASS, 87.5),
        ({k: (False if isinstance(v, bool) else 0.0) for k, v in FULL.items()}, Outcome.PASS, 25.0),
        (None, Outcome.PASS, 25.0),  # no spec.quality finding: shares unknown, unearned
        ({**FULL, "parameter_docs_share": None}, Outcome.PASS, 90.0),  # nothing to count
        # a "stricter than openapi-spec-validator" note costs the spec-rules signal's 5
        ({**FULL, "stricter_rules_passed": False}, Outcome.PASS, 95.0),
        ({**FULL, "stricter_rules_passed": None}, Outcome.PASS, 95.0),  # not checked (3.2)
    ],
)
def test_strict_agent_readiness_scores(
    quality: dict[str, Any] | None, discovery: Outcome, score: float
) -> None:
    assert _axis(_findings(quality, discovery)).score == score


def test_bools_count_as_one_or_zero_and_show_in_the_evidence() -> None:
    axis = _axis(_findings({**FULL, "security_declared": False, "servers_declared": True}))
    by_id = {s.id: s for s in axis.signals}
    assert by_id["security"].points == 0.0 and by_id["security"].outcome is Outcome.FAIL
    assert by_id["servers"].points == 5.0 and by_id["servers"].outcome is Outcome.PASS
    assert by_id["security"].evidence.startswith("security_declared: no")
    assert by_id["operation-ids"].evidence.startswith("operation_id_share: 100%")


def test_unknown_shares_are_reported_as_unknown() -> None:
    axis = _axis(_findings({**FULL, "parameter_docs_share": None}))
    signal = {s.id: s for s in axis.signals}["parameter-docs"]
    assert signal.outcome is Outcome.UNKNOWN and signal.points is None
