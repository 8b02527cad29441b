"""The rule engine: findings in, Assessment out. Pure: no I/O, no network.

Each signal function turns the findings its ``check`` names into points; an
axis adds its signals up; the composite is the weighted mean of the axes that
could be scored. What could not be established stays None and is reported as
unknown, never as zero or full marks.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence

from auditor.methodology.model import Axis, Methodology, Signal
from auditor.methodology.words import Words, words_for
from auditor.model import Assessment, AxisScore, Finding, Outcome, SignalScore, utc_now

SignalFunction = Callable[[Signal, Sequence[Finding], Words], tuple[SignalScore, str]]

MAX_REASON_CHARS = 1000
"""An axis reason is cut to this many characters (ending in an ellipsis). The loader already
refuses widths and fills in a template (``{passed:>300000000}``), but ``{detail}`` joins the
signals' own details, and one sentence per axis is all a reader or a results file needs."""


def bounded_reason(text: str) -> str:
    """``text`` cut to ``MAX_REASON_CHARS`` characters, the cut marked with an ellipsis."""
    return text if len(text) <= MAX_REASON_CHARS else text[: MAX_REASON_CHARS - 1] + "…"


def _unknown(signal: Signal, findings: Sequence[Finding], words: Words) -> SignalScore:
    if findings:
        outcome = (
            Outcome.ERROR if any(f.outcome is Outcome.ERROR for f in findings) else Outcome.UNKNOWN
        )
        evidence = "; ".join(dict.fromkeys(f.message for f in findings))
    else:
        outcome, evidence = Outcome.UNKNOWN, words.no_evidence_for.format(check=signal.check)
    return SignalScore(signal.id, signal.name, outcome, None, signal.points, evidence)


def score_outcome(
    signal: Signal, findings: Sequence[Finding], words: Words
) -> tuple[SignalScore, str]:
    """All points on a pass, none on a fail, unknown otherwise."""
    if len(findings) == 1:  # most signals: one finding for their check, scored without lists
        found = findings[0]
        if found.outcome is Outcome.PASS or found.outcome is Outcome.FAIL:
            # multiplied as below, so the points are a float there and here alike
            points = signal.points * (1.0 if found.outcome is Outcome.PASS else 0.0)
            return SignalScore(
                signal.id, signal.name, found.outcome, points, signal.points, found.message
            ), ""
        return _unknown(signal, findings, words), ""
    for wanted, share in ((Outcome.PASS, 1.0), (Outcome.FAIL, 0.0)):
        hits = [f for f in findings if f.outcome is wanted]
        if hits:
            evidence = "; ".join(dict.fromkeys(f.message for f in hits))
            points = signal.points * share
            return SignalScore(signal.id, signal.name, wanted, points, signal.points, evidence), ""
    return _unknown(signal, findings, words), ""


def score_share(
    signal: Signal, findings: Sequence[Finding], words: Words
) -> tuple[SignalScore, str]:
    """Points in proportion to passed / (passed + failed); unknowns are left out."""
    passed = [f for f in findings if f.outcome is Outcome.PASS]
    failed = [f for f in findings if f.outcome is Outcome.FAIL]
    total = len(passed) + len(failed)
    if total == 0:
        return _unknown(signal, findings, words), words.no_verification
    latest = max(passed + failed, key=lambda f: f.observed_at)
    if total == 1:
        detail = (
            words.latest_succeeded
            if latest.outcome is Outcome.PASS
            else words.latest_failed.format(message=latest.message)
        )
    else:
        detail = words.verifications_succeeded.format(passed=len(passed), total=total)
    outcome = Outcome.PASS if not failed else Outcome.FAIL
    points = round(signal.points * len(passed) / total, 2)
    score = SignalScore(signal.id, signal.name, outcome, points, signal.points, latest.message)
    return score, detail


def score_lookup(
    signal: Signal, findings: Sequence[Finding], words: Words
) -> tuple[SignalScore, str]:
    """Points from the methodology's table, keyed by the finding's ``facts.class``."""
    usable = [f for f in findings if "class" in f.facts]
    if not usable:
        return _unknown(signal, findings, words), words.no_evidence
    finding = usable[0]
    key = str(finding.facts["class"])
    value = signal.values.get(key)
    if value is None:
        msg = words.class_not_in_table.format(message=finding.message, key=repr(key))
        return SignalScore(signal.id, signal.name, Outcome.ERROR, None, signal.points, msg), msg
    score = SignalScore(
        signal.id, signal.name, finding.outcome, value.points, signal.points, finding.message
    )
    return score, value.label


def score_ratio(
    signal: Signal, findings: Sequence[Finding], words: Words
) -> tuple[SignalScore, str]:
    """Points times a 0-1 share the finding measured (``facts[<fact>]``)."""
    usable = [f for f in findings if isinstance(f.facts.get(signal.fact or ""), int | float)]
    if not usable:
        return _unknown(signal, findings, words), ""
    finding = usable[0]
    value = finding.facts[signal.fact or ""]  # a bool counts as 1 or 0
    share = min(1.0, max(0.0, float(value)))
    points = round(signal.points * share, 2)
    outcome = Outcome.PASS if share >= 1.0 else Outcome.FAIL
    shown = (words.yes if value else words.no) if isinstance(value, bool) else words.percent(share)
    evidence = f"{signal.fact}: {shown} ({finding.message})"
    return SignalScore(
        signal.id, signal.name, outcome, points, signal.points, evidence
    ), words.percent(share)


FUNCTIONS: dict[str, SignalFunction] = {
    "outcome": score_outcome,
    "share": score_share,
    "lookup": score_lookup,
    "ratio": score_ratio,
}


def score_axis(
    axis: Axis, by_check: dict[str, list[Finding]], words: Words | None = None
) -> AxisScore:
    words = words or words_for("en")
    results: list[SignalScore] = []
    details: list[str] = []
    for signal in axis.signals:
        function = FUNCTIONS[signal.function]
        result, detail = function(signal, by_check.get(signal.check, []), words)
        results.append(result)
        if detail:
            details.append(detail)
    known = [r for r in results if r.points is not None]
    passed = failed = unknown = 0
    for r in results:
        if r.outcome is Outcome.PASS:
            passed += 1
        elif r.outcome is Outcome.FAIL:
            failed += 1
        elif r.outcome is Outcome.UNKNOWN or r.outcome is Outcome.ERROR:
            unknown += 1
    counts = {"count": len(results), "passed": passed, "failed": failed, "unknown": unknown}
    if not known:
        reason = bounded_reason(
            words.unknown_axis.format(detail="; ".join(details) or words.nothing_established)
        )
        return AxisScore(axis.id, axis.name, axis.weight, None, reason, tuple(results))
    earned = sum(r.points or 0.0 for r in known)
    possible = (
        sum(r.max_points for r in known) if axis.unknown_signals == "exclude" else axis.possible
    )
    score = round(100.0 * earned / possible, 2) if possible else 0.0
    values = {"earned": earned, "possible": possible, "score": score, "detail": "; ".join(details)}
    reason = bounded_reason(words.formatter.fill(axis.reason, values | counts))
    return AxisScore(axis.id, axis.name, axis.weight, score, reason, tuple(results))


def assess(entry_id: str, findings: Iterable[Finding], methodology: Methodology) -> Assessment:
    """Score one entry's findings under ``methodology``."""
    by_check: dict[str, list[Finding]] = defaultdict(list)
    for finding in findings:
        by_check[finding.check].append(finding)
    words = words_for(methodology.lang)
    axes = tuple(score_axis(axis, by_check, words) for axis in methodology.axes)
    known = [a for a in axes if a.score is not None]
    weight = sum(a.weight for a in known)
    composite = (
        round(sum(a.weight * (a.score or 0.0) for a in known) / weight, 2) if weight else None
    )
    tier = methodology.tier_for(composite)
    return Assessment(
        entry_id=entry_id,
        score=composite,
        tier=tier.id if tier else None,
        axes=axes,
        methodology_id=methodology.id,
        methodology_version=methodology.version,
        assessed_at=utc_now(),
    )
