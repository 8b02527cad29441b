"""The validity report's arithmetic: pure functions over scores, findings and assessments.

Nothing here reads the corpus or the network, so each function can be checked
on a made-up input (``tests/unit/test_validity.py``). "What decides an entry's
score" is answered by re-scoring its own findings with one check forced to pass
and then to fail (the rule engine is pure, so this costs microseconds): the
difference is how far that check alone can move the composite, and whether it
can move the tier.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from auditor.methodology.engine import assess
from auditor.methodology.model import Methodology
from auditor.model import Assessment, Finding, Outcome

BUCKETS = 10
"""10-point buckets: [0, 10), [10, 20) … [90, 100]; 100 falls in the last one."""

OUTCOMES = ("pass", "fail", "unknown", "error")


def bucket_of(value: float) -> int:
    """The bucket index of a 0-100 score (100 belongs to the 90-100 bucket)."""
    return min(BUCKETS - 1, max(0, int(value // 10)))


def bucket_labels() -> list[str]:
    return [f"{10 * i}–{10 * i + 9 if i < BUCKETS - 1 else 100}" for i in range(BUCKETS)]


@dataclass(frozen=True, slots=True)
class Distribution:
    """Counts per 10-point bucket of the known values, the median, and how many were unknown."""

    buckets: tuple[int, ...]
    median: float | None
    unknown: int
    total: int

    @property
    def unknown_share(self) -> float:
        return self.unknown / self.total if self.total else 0.0


def distribution(values: Iterable[float | None]) -> Distribution:
    """The distribution of ``values``; None counts as unknown, never as zero."""
    counts = [0] * BUCKETS
    known: list[float] = []
    unknown = 0
    for value in values:
        if value is None:
            unknown += 1
            continue
        counts[bucket_of(value)] += 1
        known.append(value)
    median = round(statistics.median(known), 2) if known else None
    return Distribution(tuple(counts), median, unknown, len(known) + unknown)


def signal_outcome(assessment: Assessment, axis_id: str, signal_id: str) -> str:
    """The outcome the engine gave one signal (``pass``/``fail``/``unknown``/``error``)."""
    for signal in assessment.axis(axis_id).signals:
        if signal.id == signal_id:
            return signal.outcome.value
    raise KeyError(f"{axis_id}/{signal_id}")


def outcome_counts(outcomes: Iterable[str]) -> dict[str, int]:
    """Counts of each outcome, every outcome present (zero when absent)."""
    counted = Counter(outcomes)
    return {o: counted.get(o, 0) for o in OUTCOMES}


def forced(findings: Sequence[Finding], check: str, outcome: Outcome) -> tuple[Finding, ...]:
    """``findings`` with every finding of ``check`` replaced by one with ``outcome``."""
    kept = tuple(f for f in findings if f.check != check)
    note = f"{check} forced to {outcome.value} by the validity report"
    return (*kept, Finding(check, outcome, note, "validity", observed_at="1970-01-01T00:00:00Z"))


@dataclass(frozen=True, slots=True)
class Swing:
    """One entry's composite and tier with a check forced to pass, then to fail."""

    if_pass: float | None
    if_fail: float | None
    tier_if_pass: str | None
    tier_if_fail: str | None

    @property
    def points(self) -> float | None:
        if self.if_pass is None or self.if_fail is None:
            return None
        return round(self.if_pass - self.if_fail, 2)

    @property
    def decides_tier(self) -> bool:
        return self.tier_if_pass != self.tier_if_fail


def swing(findings: Sequence[Finding], check: str, methodology: Methodology) -> Swing:
    """How far ``check`` alone moves this entry's composite, everything else as observed."""
    up = assess("swing", forced(findings, check, Outcome.PASS), methodology)
    down = assess("swing", forced(findings, check, Outcome.FAIL), methodology)
    return Swing(up.score, down.score, up.tier, down.tier)


@dataclass(frozen=True, slots=True)
class Decisiveness:
    """What one check decides over a catalog.

    ``moves`` counts entries whose composite moves by ``threshold`` points or more
    between pass and fail; ``decides_tier`` those whose tier differs; of the
    latter, ``decided_by`` splits them by the check's actual outcome (an unknown
    one means the tier is pending on evidence the run could not gather).
    """

    total: int
    threshold: float
    median_points: float | None
    moves: int
    decides_tier: int
    decided_by: Mapping[str, int]


def decisiveness(
    entries: Sequence[tuple[Sequence[Finding], str]],
    check: str,
    methodology: Methodology,
    threshold: float,
) -> Decisiveness:
    """``entries`` are (findings, actual outcome of the signal reading ``check``)."""
    points: list[float] = []
    moves = tier = 0
    by: Counter[str] = Counter()
    for findings, actual in entries:
        result = swing(findings, check, methodology)
        if result.points is not None:
            points.append(result.points)
            if abs(result.points) >= threshold - 0.005:  # composites are rounded to 0.01
                moves += 1
        if result.decides_tier:
            tier += 1
            by[actual] += 1
    median = round(statistics.median(points), 2) if points else None
    return Decisiveness(
        len(entries), threshold, median, moves, tier, {o: by.get(o, 0) for o in OUTCOMES}
    )


@dataclass(frozen=True, slots=True)
class Contribution:
    """A signal's share of the composite: points earned, and points possible but not earned."""

    axis: str
    signal: str
    outcome: str
    earned: float
    missed: float


def contributions(assessment: Assessment, methodology: Methodology) -> list[Contribution]:
    """Each signal's effect on the composite, in composite points.

    An axis that is unknown contributes nothing either way (it left the
    composite). Within a known axis a signal is worth ``weight / Σ known weights
    × 100 × points / points possible``: what it earned, and what it could have.
    On an ``exclude`` axis an unknown signal left the denominator, so it counts
    as neither earned nor missed; on an ``unearned`` axis it is missed.
    """
    rules = {a.id: a for a in methodology.axes}
    known = [a for a in assessment.axes if a.score is not None]
    weights = sum(a.weight for a in known)
    found: list[Contribution] = []
    for axis in known:
        excluded = rules[axis.id].unknown_signals == "exclude"
        counted = [s for s in axis.signals if s.points is not None or not excluded]
        possible = sum(s.max_points for s in counted)
        if not possible or not weights:
            continue
        scale = axis.weight / weights * 100 / possible
        for signal in counted:
            earned = signal.points or 0.0
            found.append(
                Contribution(
                    axis.id,
                    signal.id,
                    signal.outcome.value,
                    round(earned * scale, 2),
                    round((signal.max_points - earned) * scale, 2),
                )
            )
    return found


def ranked(scores: Mapping[str, float | None]) -> list[str]:
    """Entry ids by composite, highest first; unknown last; ties by id for a stable order."""
    return sorted(scores, key=lambda k: (scores[k] is None, -(scores[k] or 0.0), k))


def ties_at(scores: Mapping[str, float | None], value: float | None) -> int:
    """How many entries share the composite ``value`` (a cut inside a tie is arbitrary)."""
    return sum(1 for v in scores.values() if v == value)


def tier_changes(
    before: Mapping[str, str | None], after: Mapping[str, str | None]
) -> list[tuple[str, str | None, str | None]]:
    """(entry, tier before, tier after) for entries whose tier differs, by id."""
    return [(k, before[k], after.get(k)) for k in sorted(before) if before[k] != after.get(k)]
