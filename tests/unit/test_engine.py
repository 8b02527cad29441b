"""The rule engine: hand-built findings in, an Assessment out, under the built-in methodology."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest

from auditor.methodology import Methodology, load_methodology
from auditor.methodology.engine import MAX_REASON_CHARS, assess
from auditor.model import Finding, Outcome

PASS, FAIL, UNKNOWN, ERROR = Outcome.PASS, Outcome.FAIL, Outcome.UNKNOWN, Outcome.ERROR

METADATA_CHECKS = (
    "metadata.title",
    "metadata.description",
    "metadata.organization",
    "metadata.base_url",
    "metadata.spec_url",
    "metadata.docs_url",
    "metadata.homepage_url",
    "metadata.contact",
    "metadata.license",
    "metadata.tags",
)


@pytest.fixture(scope="module")
def trust() -> Methodology:
    return load_methodology()


def finding(
    check: str,
    outcome: Outcome,
    message: str | None = None,
    *,
    at: str = "2024-05-01T12:00:00Z",
    **facts: Any,
) -> Finding:
    return Finding(
        check=check,
        outcome=outcome,
        message=message or f"{check} {outcome.value}",
        probe="test",
        facts=facts,
        observed_at=at,
    )


def reference_findings(*, availability: bool = True) -> list[Finding]:
    """The data.gouv.fr reference case of the public page."""
    findings = [
        finding("official_domain", PASS, "data.gouv.fr is under gouv.fr"),
        finding("portal_listing", FAIL),
        finding("government_github_org", FAIL),
        # reciprocal_link and published_policy: no findings at all
    ]
    if availability:
        findings.append(finding("availability", PASS, "HTTP 200 in 120 ms"))
    findings += [
        finding(check, FAIL if check == "metadata.license" else PASS) for check in METADATA_CHECKS
    ]
    findings += [
        finding(
            "license", UNKNOWN, "no licence in the catalog record or the spec", **{"class": "none"}
        ),
        finding("spec.format_known", PASS),
        finding("spec.valid", PASS),
        finding("agent_discovery", FAIL),
    ]
    return findings


def axis_scores(assessment: Any) -> dict[str, float | None]:
    return {a.id: a.score for a in assessment.axes}


# ---------------------------------------------------------------- reference case


def test_reference_case_axes_composite_and_tier(trust: Methodology) -> None:
    result = assess("data.gouv.fr", reference_findings(), trust)
    assert axis_scores(result) == {
        "officialness": 40.0,
        "availability": 100.0,
        "metadata_completeness": 90.0,
        "license_clarity": 50.0,
        "agent_readiness": 85.0,
    }
    assert result.score == 73.25
    assert result.tier == "good"
    assert result.entry_id == "data.gouv.fr"
    assert (result.methodology_id, result.methodology_version) == ("trust", "1.1.0")


@pytest.mark.parametrize(
    ("axis_id", "reason"),
    [
        (
            "officialness",
            "40/100 from 5 proof signals (domain / portal-backlink / GitHub-org / reciprocal / policy)",
        ),
        ("availability", "Latest verification succeeded"),
        ("metadata_completeness", "9 of 10 recommended metadata fields populated"),
        ("license_clarity", "No licence information found (unknown)"),
        ("agent_readiness", "85/100: 5 of 6 agent-readiness signals"),
    ],
)
def test_reference_case_reasons(trust: Methodology, axis_id: str, reason: str) -> None:
    assert assess("ref", reference_findings(), trust).axis(axis_id).reason == reason


def test_reference_case_signals_without_findings_are_unknown_not_zero(trust: Methodology) -> None:
    officialness = assess("ref", reference_findings(), trust).axis("officialness")
    signals = {s.id: s for s in officialness.signals}
    assert signals["official-domain"].points == 40.0
    assert signals["portal-backlink"].points == 0.0
    assert signals["portal-backlink"].outcome is FAIL
    for unknown in ("reciprocal-link", "published-policy"):
        assert signals[unknown].points is None
        assert signals[unknown].outcome is UNKNOWN
        assert "no evidence collected" in signals[unknown].evidence
    assert signals["official-domain"].evidence == "data.gouv.fr is under gouv.fr"


def test_license_lookup_keeps_the_finding_outcome_and_message(trust: Methodology) -> None:
    (signal,) = assess("ref", reference_findings(), trust).axis("license_clarity").signals
    assert signal.outcome is UNKNOWN
    assert (signal.points, signal.max_points) == (50.0, 100.0)
    assert signal.evidence == "no licence in the catalog record or the spec"


def test_missing_availability_drops_out_and_weights_are_renormalised(trust: Methodology) -> None:
    result = assess("ref", reference_findings(availability=False), trust)
    availability = result.axis("availability")
    assert availability.score is None
    assert availability.reason == "Unknown: No verification could be completed"
    assert availability.signals[0].points is None
    # (25*40 + 20*90 + 15*50 + 15*85) / (25 + 20 + 15 + 15) = 4825 / 75
    assert result.score == 64.33
    assert result.tier == "fair"


# ---------------------------------------------------------------- share


@pytest.mark.parametrize(
    ("outcomes", "score", "reason", "signal_outcome"),
    [
        ([PASS, PASS, PASS, FAIL], 75.0, "3 of 4 verifications succeeded", FAIL),
        ([PASS, FAIL, FAIL], 33.33, "1 of 3 verifications succeeded", FAIL),
        ([PASS, PASS], 100.0, "2 of 2 verifications succeeded", PASS),
        ([FAIL], 0.0, "Latest verification failed (check 1 fail)", FAIL),
        ([PASS], 100.0, "Latest verification succeeded", PASS),
        # unknown verifications are left out of the share, not counted as failures
        ([PASS, UNKNOWN, UNKNOWN, FAIL], 50.0, "1 of 2 verifications succeeded", FAIL),
        ([UNKNOWN, UNKNOWN], None, "Unknown: No verification could be completed", UNKNOWN),
        ([UNKNOWN, ERROR], None, "Unknown: No verification could be completed", ERROR),
    ],
)
def test_share_function(
    trust: Methodology,
    outcomes: list[Outcome],
    score: float | None,
    reason: str,
    signal_outcome: Outcome,
) -> None:
    findings = [
        finding("availability", o, f"check {i} {o.value}", at=f"2024-05-0{i}T00:00:00Z")
        for i, o in enumerate(outcomes, start=1)
    ]
    axis = assess("x", findings, trust).axis("availability")
    assert axis.score == score
    assert axis.reason == reason
    assert axis.signals[0].outcome is signal_outcome


def test_share_evidence_is_the_latest_verification(trust: Methodology) -> None:
    findings = [
        finding("availability", FAIL, "HTTP 503", at="2024-05-03T00:00:00Z"),
        finding("availability", PASS, "HTTP 200 (old)", at="2024-05-01T00:00:00Z"),
        finding("availability", PASS, "HTTP 200 (newest)", at="2024-05-04T00:00:00Z"),
        finding("availability", PASS, "HTTP 200", at="2024-05-02T00:00:00Z"),
    ]
    signal = assess("x", findings, trust).axis("availability").signals[0]
    assert signal.points == 75.0
    assert signal.evidence == "HTTP 200 (newest)"


# ---------------------------------------------------------------- lookup


@pytest.mark.parametrize(
    ("klass", "outcome", "score", "reason"),
    [
        ("open", PASS, 100.0, "Recognised open licence"),
        ("restrictive", PASS, 60.0, "Recognised but restrictive licence"),
        ("unrecognised", FAIL, 30.0, "Licence stated but not recognised"),
        ("none", UNKNOWN, 50.0, "No licence information found (unknown)"),
        ("conflicting", FAIL, 0.0, "Sources state contradicting licences"),
    ],
)
def test_lookup_classes(
    trust: Methodology, klass: str, outcome: Outcome, score: float, reason: str
) -> None:
    axis = assess("x", [finding("license", outcome, **{"class": klass})], trust).axis(
        "license_clarity"
    )
    assert axis.score == score
    assert axis.reason == reason
    assert axis.signals[0].points == score
    assert axis.signals[0].outcome is outcome


def test_lookup_class_not_in_table_is_an_error_not_points(trust: Methodology) -> None:
    findings = [*reference_findings()]
    findings = [f for f in findings if f.check != "license"]
    findings.append(finding("license", PASS, "licence: WTFPL", **{"class": "public-domain-ish"}))
    result = assess("x", findings, trust)
    axis = result.axis("license_clarity")
    (signal,) = axis.signals
    assert signal.outcome is ERROR
    assert signal.points is None
    assert "'public-domain-ish' is not in the methodology's table" in signal.evidence
    assert axis.score is None
    assert axis.reason.startswith("Unknown: licence: WTFPL")
    # the broken axis leaves the composite: (25*40 + 25*100 + 20*90 + 15*85) / 85
    assert result.score == round(6575 / 85, 2)


def test_lookup_without_class_fact_is_unknown(trust: Methodology) -> None:
    axis = assess("x", [finding("license", PASS, "looked at it")], trust).axis("license_clarity")
    assert axis.score is None
    assert axis.signals[0].outcome is UNKNOWN
    assert axis.signals[0].evidence == "looked at it"
    assert axis.reason == "Unknown: No evidence collected"


# ---------------------------------------------------------------- unknown is never zero


def test_every_axis_unknown_gives_no_composite_and_no_tier(trust: Methodology) -> None:
    result = assess("nothing", [], trust)
    assert all(a.score is None for a in result.axes)
    assert all(s.points is None for a in result.axes for s in a.signals)
    assert result.score is None
    assert result.tier is None


@pytest.mark.parametrize("outcome", [UNKNOWN, ERROR])
def test_officialness_with_every_signal_unknown_is_none_not_zero(
    trust: Methodology, outcome: Outcome
) -> None:
    checks = [
        "official_domain",
        "portal_listing",
        "government_github_org",
        "reciprocal_link",
        "published_policy",
    ]
    findings = [finding(c, outcome, "offline") for c in checks]
    findings.append(finding("availability", PASS))
    result = assess("x", findings, trust)
    axis = result.axis("officialness")
    assert axis.score is None
    assert axis.reason.startswith("Unknown")
    assert all(s.outcome is outcome and s.points is None for s in axis.signals)
    # the composite is availability alone, not dragged down by a zero officialness
    assert result.score == 100.0


def test_outcome_function_pass_wins_over_fail_and_error(trust: Methodology) -> None:
    findings = [
        finding("official_domain", FAIL, "docs host is not official"),
        finding("official_domain", ERROR, "bad URL"),
        finding("official_domain", PASS, "base URL host is gouv.fr"),
    ]
    signal = assess("x", findings, trust).axis("officialness").signals[0]
    assert (signal.outcome, signal.points) == (PASS, 40.0)
    assert signal.evidence == "base URL host is gouv.fr"


@pytest.mark.parametrize("outcome", list(Outcome))
@pytest.mark.parametrize("points", [40, 12.5])
def test_one_finding_scores_as_the_general_path_does(outcome: Outcome, points: float) -> None:
    """A single finding is scored without building lists (most signals have one): the same
    SignalScore, points' type included, as that finding twice takes through the general path."""
    from auditor.methodology.engine import score_outcome
    from auditor.methodology.model import Signal
    from auditor.methodology.words import words_for

    signal = Signal("s", "S", "official_domain", "outcome", points)
    one = finding("official_domain", outcome, "the finding's message")
    alone, _ = score_outcome(signal, [one], words_for("en"))
    twice, _ = score_outcome(signal, [one, one], words_for("en"))
    assert alone == twice
    assert type(alone.points) is type(twice.points)


# ---------------------------------------------------------------- exclude vs unearned


def write_custom(tmp_path: Path, *, unknown_signals: str, points: tuple[int, int]) -> Methodology:
    text = textwrap.dedent(
        f"""\
        id: custom
        version: "0.1"
        title: Custom
        tiers:
          - {{id: excellent, name: Excellent, min: 85}}
          - {{id: good, name: Good, min: 70}}
          - {{id: poor, name: Poor, min: 0}}
        axes:
          - id: only
            name: Only
            weight: 1
            unknown_signals: {unknown_signals}
            signals:
              - {{id: a, name: A, check: official_domain, function: outcome, points: {points[0]}}}
              - {{id: b, name: B, check: portal_listing, function: outcome, points: {points[1]}}}
        """
    )
    path = tmp_path / f"custom-{unknown_signals}.yaml"
    path.write_text(text, encoding="utf-8")
    return load_methodology(path)


@pytest.mark.parametrize(
    ("unknown_signals", "findings", "score", "reason"),
    [
        # b unknown: excluded from the denominator, or counted as possible but unearned
        ("exclude", [finding("official_domain", PASS)], 100.0, "60/60"),
        ("unearned", [finding("official_domain", PASS)], 60.0, "60/100"),
        ("exclude", [finding("official_domain", FAIL)], 0.0, "0/60"),
        ("unearned", [finding("official_domain", FAIL)], 0.0, "0/100"),
        (
            "exclude",
            [finding("official_domain", PASS), finding("portal_listing", FAIL)],
            60.0,
            "60/100",
        ),
        (
            "unearned",
            [finding("official_domain", PASS), finding("portal_listing", FAIL)],
            60.0,
            "60/100",
        ),
        # nothing established: unknown in both modes, never 0
        (
            "exclude",
            [finding("official_domain", UNKNOWN)],
            None,
            "Unknown: no signal could be established",
        ),
        ("unearned", [], None, "Unknown: no signal could be established"),
    ],
)
def test_exclude_versus_unearned(
    tmp_path: Path,
    unknown_signals: str,
    findings: list[Finding],
    score: float | None,
    reason: str,
) -> None:
    methodology = write_custom(tmp_path, unknown_signals=unknown_signals, points=(60, 40))
    result = assess("x", findings, methodology)
    assert result.axis("only").score == score
    assert result.axis("only").reason == reason
    assert result.score == score


# ---------------------------------------------------------------- tiers


@pytest.mark.parametrize(
    ("score", "tier"),
    [
        (100, "excellent"),
        (85, "excellent"),
        (84.99, "good"),
        (70, "good"),
        (69.99, "fair"),
        (50, "fair"),
        (49.99, "poor"),
        (0, "poor"),
        (None, None),
    ],
)
def test_tier_boundaries(trust: Methodology, score: float | None, tier: str | None) -> None:
    found = trust.tier_for(score)
    assert (found.id if found else None) == tier


@pytest.mark.parametrize(
    ("points", "outcomes", "composite", "tier"),
    [
        ((85, 15), (PASS, FAIL), 85.0, "excellent"),
        ((8499, 1501), (PASS, FAIL), 84.99, "good"),
        ((8499, 1501), (PASS, PASS), 100.0, "excellent"),
        ((50, 50), (FAIL, FAIL), 0.0, "poor"),
    ],
)
def test_tier_boundaries_through_assess(
    tmp_path: Path,
    points: tuple[int, int],
    outcomes: tuple[Outcome, Outcome],
    composite: float,
    tier: str,
) -> None:
    methodology = write_custom(tmp_path, unknown_signals="unearned", points=points)
    findings = [finding("official_domain", outcomes[0]), finding("portal_listing", outcomes[1])]
    result = assess("x", findings, methodology)
    assert result.score == composite
    assert result.tier == tier


def test_everything_failed_scores_zero_and_poor(trust: Methodology) -> None:
    findings = [finding(check, FAIL) for check in sorted(trust.checks)]
    findings = [f for f in findings if f.check != "license"]
    findings.append(finding("license", FAIL, **{"class": "conflicting"}))
    result = assess("x", findings, trust)
    assert axis_scores(result) == dict.fromkeys(axis_scores(result), 0.0)
    assert result.score == 0.0
    assert result.tier == "poor"


# ---------------------------------------------------------------- reason length


def test_a_reason_is_cut_at_the_bound_however_long_the_evidence(trust: Methodology) -> None:
    """Availability's reason is ``{detail}``, which quotes the server's failure: bounded."""
    long = "verification failed: base_url: " + "x" * 50_000
    result = assess("x", [finding("availability", FAIL, long)], trust)
    reason = result.axis("availability").reason
    assert len(reason) == MAX_REASON_CHARS
    assert reason.startswith("Latest verification failed (verification failed: base_url: xxx")
    assert reason.endswith("x…")


def test_an_unknown_axis_reason_is_cut_too(trust: Methodology) -> None:
    """A lookup class missing from the table quotes the finding; the axis is unknown."""
    long = "licence: " + "y" * 50_000
    result = assess("x", [finding("license", PASS, long, **{"class": "other"})], trust)
    axis = result.axis("license_clarity")
    assert axis.score is None
    assert axis.reason.startswith("Unknown: licence: yyy")
    assert len(axis.reason) == MAX_REASON_CHARS and axis.reason.endswith("y…")


def test_a_short_reason_is_left_as_it_is(trust: Methodology) -> None:
    result = assess("x", [finding("availability", FAIL, "HTTP 503")], trust)
    assert result.axis("availability").reason == "Latest verification failed (HTTP 503)"
