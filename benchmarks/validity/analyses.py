"""The report's sections as data: distributions, signal verdicts, tier changes, extremes.

Each function takes the offline runs (``collect.py``) and returns plain values
the renderer prints; the arithmetic itself is in ``aggregate.py``.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from auditor import checks
from auditor.methodology.model import Methodology
from auditor.model import Finding, Outcome
from benchmarks.validity.aggregate import (
    Contribution,
    Decisiveness,
    Distribution,
    contributions,
    decisiveness,
    distribution,
    outcome_counts,
    ranked,
    signal_outcome,
    swing,
    tier_changes,
    ties_at,
)
from benchmarks.validity.collect import Row, Run

THRESHOLD = 5.0
"""Composite points a signal must move to count as deciding (besides changing the tier)."""


def distributions(run: Run, rules: str, methodology: Methodology) -> dict[str, Distribution]:
    """Each axis's and the composite's distribution under ``rules``, axis ids then ``composite``."""
    table = {
        axis.id: distribution(r.assessments[rules].axis(axis.id).score for r in run.rows)
        for axis in methodology.axes
    }
    table["composite"] = distribution(r.assessments[rules].score for r in run.rows)
    return table


@dataclass(frozen=True, slots=True)
class SignalRow:
    """One signal over a catalog: its verdicts and what it decides."""

    axis: str
    signal: str
    name: str
    check: str
    points: float
    outcomes: dict[str, int]
    decides: Decisiveness


def signal_rows(
    run: Run, rules: str, methodology: Methodology, axis_ids: tuple[str, ...] | None = None
) -> list[SignalRow]:
    """Every ``outcome`` signal (of ``axis_ids``, or all axes), read once per check."""
    rows: list[SignalRow] = []
    seen: set[str] = set()
    for axis in methodology.axes:
        if axis_ids is not None and axis.id not in axis_ids:
            continue
        for signal in axis.signals:
            if signal.function != "outcome" or signal.check in seen:
                continue
            seen.add(signal.check)
            pairs = [
                (r.findings, signal_outcome(r.assessments[rules], axis.id, signal.id))
                for r in run.rows
            ]
            rows.append(
                SignalRow(
                    axis.id,
                    signal.id,
                    signal.name,
                    signal.check,
                    signal.points,
                    outcome_counts(o for _, o in pairs),
                    decisiveness(pairs, signal.check, methodology, THRESHOLD),
                )
            )
    return rows


@dataclass(frozen=True, slots=True)
class Bounds:
    """Tiers with availability unknown (as measured), every verification up, every one down."""

    offline: Counter[str]
    all_up: Counter[str]
    all_down: Counter[str]
    depends: int
    """Entries whose tier differs between all-up and all-down."""
    declared: int
    """Entries whose catalog record declares an availability figure (not measured, not scored)."""


def availability_bounds(run: Run, rules: str, methodology: Methodology) -> Bounds:
    offline: Counter[str] = Counter()
    up: Counter[str] = Counter()
    down: Counter[str] = Counter()
    depends = declared = 0
    for row in run.rows:
        offline[row.assessments[rules].tier or "unknown"] += 1
        result = swing(row.findings, checks.AVAILABILITY.id, methodology)
        up[result.tier_if_pass or "unknown"] += 1
        down[result.tier_if_fail or "unknown"] += 1
        depends += result.decides_tier
        declared += row.entry.raw.get("declared_availability") not in (None, "")
    return Bounds(offline, up, down, depends, declared)


def official(row: Row, signal_id: str, rules: str = "trust-v1") -> str:
    """The outcome of an officialness signal for one entry under ``rules``."""
    return signal_outcome(row.assessments[rules], "officialness", signal_id)


def spec_status(row: Row) -> str:
    """``analysed`` (validated or refused), ``declared`` (a spec URL the run could not read), ``none``."""
    valid = [f for f in row.findings if f.check == checks.SPEC_VALID.id]
    if any(f.outcome in (Outcome.PASS, Outcome.FAIL) for f in valid):
        return "analysed"
    if row.entry.spec_url or row.entry.local_spec:
        return "declared"
    return "none"


@dataclass(frozen=True, slots=True)
class TierChange:
    entry: str
    before: str | None
    after: str | None
    score_before: float | None
    score_after: float | None
    spec: str


def strict_changes(run: Run, base: str, strict: str) -> list[TierChange]:
    """Entries whose tier differs between ``base`` and ``strict``, with their spec status."""
    changed = tier_changes(run.tiers(base), run.tiers(strict))
    found = []
    for entry_id, before, after in changed:
        row = run.row(entry_id)
        found.append(
            TierChange(
                entry_id,
                before,
                after,
                row.assessments[base].score,
                row.assessments[strict].score,
                spec_status(row),
            )
        )
    return found


@dataclass(frozen=True, slots=True)
class Extreme:
    """One of the highest or lowest composites and what put it there."""

    rank: int
    entry: str
    score: float | None
    tier: str | None
    other: float | None
    ties: int
    earned: list[Contribution]
    missed: list[Contribution]


def extremes(
    run: Run, rules: str, other: str, methodology: Methodology, k: int = 10
) -> tuple[list[Extreme], list[Extreme]]:
    """The ``k`` highest and ``k`` lowest composites (ties broken by id), each explained."""
    scores = run.scores(rules)
    order = ranked(scores)

    def explain(rank: int, entry_id: str) -> Extreme:
        row = run.row(entry_id)
        parts = contributions(row.assessments[rules], methodology)
        earned = sorted((c for c in parts if c.earned > 0), key=lambda c: -c.earned)
        missed = sorted((c for c in parts if c.missed > 0), key=lambda c: -c.missed)
        return Extreme(
            rank,
            entry_id,
            scores[entry_id],
            row.assessments[rules].tier,
            row.assessments[other].score,
            ties_at(scores, scores[entry_id]),
            earned,
            missed,
        )

    top = [explain(i + 1, e) for i, e in enumerate(order[:k])]
    bottom_ids = order[-k:][::-1]
    bottom = [explain(len(order) - i, e) for i, e in enumerate(bottom_ids)]
    return top, bottom


@dataclass(frozen=True, slots=True)
class SpecVerdict:
    """auditor's spec.valid on one corpus file, next to openapi-spec-validator's recorded verdict."""

    path: str
    version: str | None
    auditor: str
    reference: bool | None
    why: str
    strict_agent: float | None


def manifest(corpus: Path) -> dict[str, dict[str, object]]:
    """SPEC_MANIFEST.jsonl by corpus-relative path (openapi-spec-validator 0.9.0's verdicts)."""
    rows: dict[str, dict[str, object]] = {}
    try:
        lines = (corpus / "SPEC_MANIFEST.jsonl").read_text(encoding="utf-8").splitlines()
    except OSError:
        return rows
    for line in lines:
        try:
            item = json.loads(line)
        except ValueError:
            continue
        if isinstance(item, dict) and isinstance(item.get("path"), str):
            rows[item["path"]] = item
    return rows


def reference_verdict(item: dict[str, object] | None) -> bool | None:
    """The validator's verdict, read with its own YAML reader where the manifest gives one."""
    if item is None:
        return None
    value = item.get("osv_valid_with_osv_reader", item.get("osv_valid"))
    return value if isinstance(value, bool) else None


def spec_verdicts(run: Run, corpus: Path, strict: str) -> list[SpecVerdict]:
    """For every row read from a local spec file: auditor's verdict and the manifest's."""
    known = manifest(corpus)
    found = []
    for row in run.rows:
        if not row.entry.local_spec:
            continue
        path = Path(row.entry.local_spec).resolve()
        relative = str(path.relative_to(corpus)) if path.is_relative_to(corpus) else str(path)
        valid = _first(row.findings, checks.SPEC_VALID.id)
        form = _first(row.findings, checks.SPEC_FORMAT_KNOWN.id)
        version = form.facts.get("version") if form is not None else None
        found.append(
            SpecVerdict(
                relative,
                str(version) if version is not None else None,
                valid.outcome.value if valid is not None else "unknown",
                reference_verdict(known.get(relative)),
                valid.message if valid is not None and valid.outcome is not Outcome.PASS else "",
                row.assessments[strict].axis("agent_readiness").score,
            )
        )
    return sorted(found, key=lambda v: v.path)


def _first(findings: tuple[Finding, ...], check: str) -> Finding | None:
    return next((f for f in findings if f.check == check), None)


def agreement(verdicts: list[SpecVerdict]) -> dict[str, int]:
    """How auditor's spec.valid compares with the reference validator's recorded verdict."""
    counted: Counter[str] = Counter()
    for v in verdicts:
        if v.reference is None or v.auditor not in ("pass", "fail"):
            counted["not comparable"] += 1
        elif (v.auditor == "pass") == v.reference:
            counted["agree (valid)" if v.reference else "agree (invalid)"] += 1
        else:
            counted[
                "auditor refuses, validator accepts"
                if v.reference
                else "auditor accepts, validator refuses"
            ] += 1
    return dict(counted)
