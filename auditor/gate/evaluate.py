"""Decide the gate: audit results and thresholds in, a verdict per entry out.

Pure, like the rule engine: no I/O beyond reading the entry's own files for
line numbers. Each entry gets its breaches (thresholds not met) and, for
every signal, the points it cost under the methodology's own accounting, so
every renderer tells the same story.

An unknown score with a threshold set fails closed: a gate that cannot see
must not wave a change through. The breach says why the score is unknown.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from auditor.gate.locations import Location, Locator
from auditor.gate.thresholds import Thresholds
from auditor.methodology.model import Axis, Methodology, Signal
from auditor.model import AuditResult, AxisScore, CatalogProblem, Outcome, SignalScore

RULE_SCORE = "gate/fail-under"
RULE_AXIS = "gate/min-axis"
RULE_SPEC = "gate/spec-valid"


@dataclass(frozen=True, slots=True)
class Breach:
    """One threshold an entry did not meet; ``unknown`` when it failed closed."""

    rule_id: str
    message: str
    location: Location
    axis: str | None = None
    required: float | None = None
    actual: float | None = None
    unknown: bool = False


@dataclass(frozen=True, slots=True)
class SignalVerdict:
    """A signal's standing: what it cost, and whether that cost helped fail the gate."""

    axis: Axis
    signal: Signal
    score: SignalScore
    lost: float
    """Points lost within the axis: unearned, or unknown under ``unknown_signals: unearned``."""
    blocking: bool
    """It cost points in an axis that failed a threshold (every axis when the composite did)."""
    location: Location

    @property
    def rule_id(self) -> str:
        return f"{self.axis.id}/{self.signal.id}"

    @property
    def established(self) -> bool:
        return self.score.points is not None

    @property
    def status(self) -> str:
        """``pass``, ``lost`` (established, cost points) or ``unknown``."""
        if not self.established:
            return "unknown"
        return "lost" if self.lost > 0 else "pass"

    def describe(self) -> str:
        """One line a person can act on: what it cost and the evidence."""
        evidence = self.score.evidence
        if not self.established:
            if self.lost > 0:
                cost = f"could not be established, counted as unearned: -{self.lost:g} points"
            else:
                cost = "could not be established, left out of the score"
            return f"{self.signal.name} {cost} ({self.axis.name}): {evidence}"
        return f"{self.signal.name} -{self.lost:g} of {self.score.max_points:g} points ({self.axis.name}): {evidence}"


@dataclass(frozen=True, slots=True)
class EntryVerdict:
    result: AuditResult
    location: Location
    breaches: tuple[Breach, ...]
    signals: tuple[SignalVerdict, ...]
    notes: tuple[str, ...]

    @property
    def passed(self) -> bool:
        return not self.breaches

    @property
    def id(self) -> str:
        return self.result.entry.id

    @property
    def reported(self) -> tuple[SignalVerdict, ...]:
        """Signals worth a line: they cost points or are unknown; blocking and costliest first."""
        costly = [s for s in self.signals if s.status != "pass"]
        return tuple(sorted(costly, key=lambda s: (not s.blocking, -s.lost)))


@dataclass(frozen=True, slots=True)
class GateReport:
    verdicts: tuple[EntryVerdict, ...]
    thresholds: Thresholds
    methodology: Methodology
    offline: bool = False
    problems: tuple[CatalogProblem, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def passed(self) -> bool:
        return all(v.passed for v in self.verdicts)

    @property
    def failed(self) -> tuple[EntryVerdict, ...]:
        return tuple(v for v in self.verdicts if not v.passed)

    @property
    def results(self) -> list[AuditResult]:
        return [v.result for v in self.verdicts]


def score_text(value: float | None) -> str:
    """A score as every renderer shows it: unknown stays the word, never 0."""
    return "unknown" if value is None else f"{value:g}"


def _lost(axis: AxisScore, meta: Axis, score: SignalScore) -> float:
    if axis.score is None:
        return 0.0  # the whole axis is unknown and left out of the composite
    if score.points is None:
        return score.max_points if meta.unknown_signals == "unearned" else 0.0
    return round(max(0.0, score.max_points - score.points), 2)


def _score_breach(result: AuditResult, required: float, where: Location) -> Breach | None:
    score = result.assessment.score
    if score is None:
        reasons = "; ".join(f"{a.name}: {a.reason}" for a in result.assessment.axes)
        message = (
            f"composite score unknown (no axis could be established: {reasons}); "
            f"fail-under {required:g} needs a score, so the gate fails closed"
        )
        return Breach(RULE_SCORE, message, where, None, required, None, True)
    if score < required:
        message = f"composite score {score:g} is below the required {required:g}"
        return Breach(RULE_SCORE, message, where, None, required, score)
    return None


def _axis_breach(
    result: AuditResult, axis_id: str, minimum: float, where: Location
) -> Breach | None:
    axis = result.assessment.axis(axis_id)
    if axis.score is None:
        message = (
            f"{axis.name} unknown ({axis.reason}); min {minimum:g} needs a score, "
            "so the gate fails closed"
        )
        return Breach(RULE_AXIS, message, where, axis_id, minimum, None, True)
    if axis.score < minimum:
        message = f"{axis.name} {axis.score:g} is below the required {minimum:g}"
        return Breach(RULE_AXIS, message, where, axis_id, minimum, axis.score)
    return None


def _spec_breach(result: AuditResult, where: Location) -> Breach | None:
    """Only a validated spec passes; not validated fails closed like an unknown score."""
    valid = next((f for f in result.findings if f.check == "spec.valid"), None)
    if valid is None:
        why = next(
            (f.message for f in result.findings if f.check == "spec.format_known"),
            "no spec analysed",
        )
        message = f"spec validity unknown ({why}); --fail-on-invalid-spec fails closed"
        return Breach(RULE_SPEC, message, where, unknown=True)
    if valid.outcome is not Outcome.PASS:
        unknown = valid.outcome is not Outcome.FAIL
        message = f"spec {'not validated' if unknown else 'invalid'}: {valid.message}"
        return Breach(RULE_SPEC, message, where, unknown=unknown)
    return None


def _breaches(
    result: AuditResult, thresholds: Thresholds, locator: Locator, where: Location
) -> list[Breach]:
    found = []
    if thresholds.fail_under is not None:
        found.append(_score_breach(result, thresholds.fail_under, where))
    for axis_id, minimum in thresholds.minimums.items():
        found.append(_axis_breach(result, axis_id, minimum, where))
    if thresholds.fail_on_invalid_spec:
        found.append(_spec_breach(result, locator.spec(result.entry)))
    return [b for b in found if b is not None]


def _notes(result: AuditResult) -> list[str]:
    """Axes left out of the composite, with the evidence of why."""
    notes = []
    for axis in result.assessment.axes:
        if axis.score is None:
            evidence = "; ".join(dict.fromkeys(s.evidence for s in axis.signals))
            notes.append(
                f"{axis.name} unknown, left out of the composite: {axis.reason} ({evidence})"
            )
    return notes


def evaluate_entry(
    result: AuditResult, methodology: Methodology, thresholds: Thresholds, locator: Locator
) -> EntryVerdict:
    entry = result.entry
    where = locator.field(entry, None)
    breaches = _breaches(result, thresholds, locator, where)
    failed_axes = {b.axis for b in breaches if b.rule_id == RULE_AXIS}
    if any(b.rule_id == RULE_SCORE for b in breaches):
        failed_axes |= {a.id for a in methodology.axes}
    meta = {a.id: a for a in methodology.axes}
    signals: list[SignalVerdict] = []
    for axis in result.assessment.axes:
        axis_meta = meta[axis.id]
        by_id = {s.id: s for s in axis_meta.signals}
        for score in axis.signals:
            signal = by_id[score.id]
            lost = _lost(axis, axis_meta, score)
            signals.append(
                SignalVerdict(
                    axis=axis_meta,
                    signal=signal,
                    score=score,
                    lost=lost,
                    blocking=lost > 0 and axis.id in failed_axes,
                    location=locator.for_check(entry, signal.check),
                )
            )
    return EntryVerdict(result, where, tuple(breaches), tuple(signals), tuple(_notes(result)))


def offline_note(verdicts: Sequence[EntryVerdict]) -> str:
    unknown = sorted({v.signal.name for e in verdicts for v in e.signals if not v.established})
    listed = ", ".join(unknown) if unknown else "none"
    return (
        "offline: no network access was attempted, so what needs the network is unknown, "
        "not failed; the methodology leaves an unknown axis out of the composite and counts "
        "an unknown signal as its axis says (unearned or left out). Signals unknown in this run: "
        + listed
    )


def evaluate(
    results: Sequence[AuditResult],
    methodology: Methodology,
    thresholds: Thresholds,
    *,
    offline: bool = False,
    problems: Sequence[CatalogProblem] = (),
    locator: Locator | None = None,
) -> GateReport:
    """The gate's verdict on ``results``; passes when no entry breaches a threshold."""
    locate = locator or Locator()
    verdicts = tuple(evaluate_entry(r, methodology, thresholds, locate) for r in results)
    notes: list[str] = []
    if not thresholds.any:
        notes.append(
            "no threshold set (--fail-under, --min, --fail-on-invalid-spec or [gate] in "
            "auditor.toml / [tool.auditor.gate] in pyproject.toml): reporting only"
        )
    if offline:
        notes.append(offline_note(verdicts))
    return GateReport(verdicts, thresholds, methodology, offline, tuple(problems), tuple(notes))
