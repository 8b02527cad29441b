"""The gate's verdict: hand-built findings, the built-in methodology, thresholds per axis."""

from __future__ import annotations

from typing import Any

import pytest

from auditor.gate import Thresholds, evaluate
from auditor.gate.evaluate import RULE_AXIS, RULE_SCORE, RULE_SPEC, GateReport
from auditor.methodology.engine import assess
from auditor.model import AuditResult, Entry, Outcome
from tests.support.gate import TRUST, make_result

PASS, FAIL, UNKNOWN = Outcome.PASS, Outcome.FAIL, Outcome.UNKNOWN


def gate(result: AuditResult, **thresholds: Any) -> GateReport:
    return evaluate([result], TRUST, Thresholds(**thresholds))


def test_the_reference_entry_scores_85() -> None:
    assert make_result().assessment.score == 85.0


@pytest.mark.parametrize(
    ("required", "passed"), [(85, True), (84.99, True), (85.01, False), (100, False)]
)
def test_fail_under_compares_the_composite(required: float, passed: bool) -> None:
    report = gate(make_result(), fail_under=required)
    assert report.passed is passed
    if not passed:
        (breach,) = report.verdicts[0].breaches
        assert breach.rule_id == RULE_SCORE
        assert breach.actual == 85.0 and breach.required == required and not breach.unknown


@pytest.mark.parametrize(
    ("axis", "minimum", "passed"),
    [
        ("officialness", 40, True),
        ("officialness", 41, False),
        ("availability", 100, True),
        ("metadata_completeness", 100, True),
        ("license_clarity", 100, True),
        ("agent_readiness", 100, True),
    ],
)
def test_min_per_axis(axis: str, minimum: float, passed: bool) -> None:
    report = gate(make_result(), minimums={axis: minimum})
    assert report.passed is passed


@pytest.mark.parametrize(
    ("axis", "override", "score"),
    [
        ("availability", {"availability": FAIL}, 0.0),
        ("metadata_completeness", {"metadata__tags": FAIL}, 90.0),
        ("license_clarity", {"license": None}, None),
        ("agent_readiness", {"agent_discovery": FAIL}, 85.0),
    ],
)
def test_each_axis_can_fail_its_own_minimum(
    axis: str, override: dict[str, Outcome | None], score: float | None
) -> None:
    result = make_result(**override)
    assert result.assessment.axis(axis).score == score
    report = gate(result, minimums={axis: 95})
    (breach,) = report.verdicts[0].breaches
    assert breach.rule_id == RULE_AXIS and breach.axis == axis
    assert breach.unknown is (score is None)


def test_only_the_failed_axis_signals_block() -> None:
    result = make_result(metadata__tags=FAIL)
    verdict = gate(result, minimums={"metadata_completeness": 95}).verdicts[0]
    blocking = {s.rule_id for s in verdict.signals if s.blocking}
    assert blocking == {"metadata_completeness/tags"}
    # The same missing tags cost agent readiness points too, but that axis passed.
    tags = next(s for s in verdict.signals if s.rule_id == "agent_readiness/tags")
    assert tags.lost == 10 and not tags.blocking and tags.status == "lost"


def test_a_failed_composite_makes_every_lost_point_block() -> None:
    verdict = gate(make_result(), fail_under=90).verdicts[0]
    blocking = {s.rule_id for s in verdict.signals if s.blocking}
    assert blocking == {
        "officialness/portal-backlink",
        "officialness/github-org",
        "officialness/reciprocal-link",
        "officialness/published-policy",
    }


def test_unknown_signals_cost_what_the_methodology_says() -> None:
    verdict = gate(make_result(availability=UNKNOWN)).verdicts[0]
    by_rule = {s.rule_id: s for s in verdict.signals}
    # officialness counts unknown signals as unearned ...
    assert by_rule["officialness/reciprocal-link"].status == "unknown"
    assert by_rule["officialness/reciprocal-link"].lost == 15
    # ... availability leaves them out, and the whole axis drops out of the composite.
    assert by_rule["availability/verification"].status == "unknown"
    assert by_rule["availability/verification"].lost == 0
    assert any("Availability unknown, left out of the composite" in n for n in verdict.notes)


def test_unknown_composite_fails_closed_and_says_why() -> None:
    nothing = AuditResult(Entry(id="empty", title="Empty"), (), assess("empty", (), TRUST))
    assert nothing.assessment.score is None
    report = gate(nothing, fail_under=10)
    (breach,) = report.verdicts[0].breaches
    assert breach.unknown and breach.actual is None
    assert "fails closed" in breach.message and "unknown" in breach.message


def test_unknown_axis_with_a_minimum_fails_closed() -> None:
    report = gate(make_result(availability=UNKNOWN), minimums={"availability": 1})
    (breach,) = report.verdicts[0].breaches
    assert breach.unknown and "Availability unknown" in breach.message
    # Without a minimum on it, the unknown axis just leaves the composite.
    assert gate(make_result(availability=UNKNOWN), fail_under=80).passed


@pytest.mark.parametrize(
    ("override", "passed", "unknown"),
    [
        ({}, True, False),
        ({"spec__valid": FAIL}, False, False),
        ({"spec__valid": UNKNOWN}, False, True),
        ({"spec__valid": None}, False, True),
    ],
)
def test_fail_on_invalid_spec(
    override: dict[str, Outcome | None], passed: bool, unknown: bool
) -> None:
    report = gate(make_result(**override), fail_on_invalid_spec=True)
    assert report.passed is passed
    if not passed:
        (breach,) = report.verdicts[0].breaches
        assert breach.rule_id == RULE_SPEC and breach.unknown is unknown
    # The flag is what makes it a gate: without it an invalid spec only costs points.
    assert gate(make_result(**override)).passed


def test_no_threshold_reports_without_failing() -> None:
    report = gate(make_result(availability=FAIL, license=FAIL))
    assert report.passed
    assert any("no threshold set" in n for n in report.notes)


def test_one_failing_entry_fails_the_run_and_is_named() -> None:
    good = make_result()
    bad = make_result(Entry(id="bad", title="Bad"), availability=FAIL)
    report = evaluate([good, bad], TRUST, Thresholds(fail_under=80))
    assert not report.passed
    assert [v.id for v in report.failed] == ["bad"]


def test_offline_note_lists_what_could_not_be_established() -> None:
    report = evaluate([make_result(availability=UNKNOWN)], TRUST, Thresholds(), offline=True)
    offline = next(n for n in report.notes if n.startswith("offline"))
    assert "Successful verifications" in offline and "Reciprocal link" in offline
