"""What changed for each entry across the runs of a window: the "what changed" timeline.

Walks each entry's results run by run (``auditor.store.history``) and keeps
a change where ``auditor diff`` would see one between consecutive runs: the
score moved, the tier changed, or the spec document differs from the last
one read. A score move is explained by the axes that moved and, inside
them, the signals whose outcome or points changed, with the evidence before
and after; a spec change by the fields and operations added and removed
(``auditor.store.diff.spec_change``), BREAKING when something was removed.

Assessments are unpacked only for the runs on either side of a move (a
few per entry at most), in one statement per run; a run where the spec
could not be read is skipped rather than called a change.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from auditor.store.codec import load_packed
from auditor.store.db import Store
from auditor.store.diff import EPSILON, SpecChange, spec_change
from auditor.store.history import ResultPoint, StoreHistory, chunks, marks


@dataclass(frozen=True, slots=True)
class SignalMove:
    signal: str
    name: str
    outcome_before: str | None
    outcome_after: str | None
    points_before: float | None
    points_after: float | None
    evidence_before: str
    evidence_after: str


@dataclass(frozen=True, slots=True)
class AxisChange:
    axis: str
    name: str
    before: float | None
    after: float | None
    signals: tuple[SignalMove, ...]

    @property
    def delta(self) -> float | None:
        if self.before is None or self.after is None:
            return None
        return round(self.after - self.before, 2)


@dataclass(frozen=True, slots=True)
class Change:
    """One entry's change between two runs (``run_before`` -> ``run_id``)."""

    entry_id: str
    run_id: int
    run_before: int
    at: str
    """When ``run_id`` started."""
    score_before: float | None
    score_after: float | None
    tier_before: str | None
    tier_after: str | None
    axes: tuple[AxisChange, ...] = ()
    spec: SpecChange | None = None

    @property
    def score_delta(self) -> float | None:
        if self.score_before is None or self.score_after is None:
            return None
        return round(self.score_after - self.score_before, 2)

    @property
    def tier_changed(self) -> bool:
        return self.tier_before != self.tier_after

    @property
    def breaking(self) -> bool:
        return self.spec is not None and self.spec.breaking


def _moved(before: float | None, after: float | None) -> bool:
    if before is None or after is None:
        return (before is None) != (after is None)
    return abs(after - before) >= EPSILON


def _signals(axis: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    return {str(s.get("id")): s for s in axis.get("signals") or [] if isinstance(s, Mapping)}


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def axis_changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> tuple[AxisChange, ...]:
    """The axes that moved between two stored assessments, with the signals that moved."""
    axes_a = {str(a.get("id")): a for a in before.get("axes") or [] if isinstance(a, Mapping)}
    axes_b = {str(a.get("id")): a for a in after.get("axes") or [] if isinstance(a, Mapping)}
    changes = []
    for axis_id in dict.fromkeys([*axes_a, *axes_b]):
        old, new = axes_a.get(axis_id, {}), axes_b.get(axis_id, {})
        score_a, score_b = _number(old.get("score")), _number(new.get("score"))
        signals_a, signals_b = _signals(old), _signals(new)
        moves = []
        for signal_id in dict.fromkeys([*signals_a, *signals_b]):
            sa, sb = signals_a.get(signal_id, {}), signals_b.get(signal_id, {})
            pa, pb = _number(sa.get("points")), _number(sb.get("points"))
            if sa.get("outcome") == sb.get("outcome") and not _moved(pa, pb):
                continue
            moves.append(
                SignalMove(
                    signal=signal_id,
                    name=str(sb.get("name") or sa.get("name") or signal_id),
                    outcome_before=sa.get("outcome"),
                    outcome_after=sb.get("outcome"),
                    points_before=pa,
                    points_after=pb,
                    evidence_before=str(sa.get("evidence") or ""),
                    evidence_after=str(sb.get("evidence") or ""),
                )
            )
        if _moved(score_a, score_b) or moves:
            name = str(new.get("name") or old.get("name") or axis_id)
            changes.append(AxisChange(axis_id, name, score_a, score_b, tuple(moves)))
    return tuple(changes)


def _assessments(
    store: Store, wanted: Mapping[int, set[str]]
) -> dict[tuple[int, str], Mapping[str, Any]]:
    found: dict[tuple[int, str], Mapping[str, Any]] = {}
    for run_id, entry_ids in wanted.items():
        for part in chunks(sorted(entry_ids)):
            for row in store.db.execute(
                f"SELECT entry_id, assessment FROM results WHERE run_id = ? "
                f"AND entry_id IN ({marks(part)})",
                (run_id, *part),
            ):
                data = load_packed(row[1])
                found[(run_id, row[0])] = data if isinstance(data, Mapping) else {}
    return found


def entry_changes(store: Store, history: StoreHistory) -> dict[str, tuple[Change, ...]]:
    """Per entry of ``history``, its changes across the window, oldest first."""
    started = {r.id: r.started_at for r in history.runs}
    pending: list[tuple[str, ResultPoint, ResultPoint, str | None]] = []
    wanted: dict[int, set[str]] = defaultdict(set)
    for entry_id, points in history.results.items():
        last_sha: str | None = None
        for before, after in pairwise(points):
            last_sha = before.spec_sha256 or last_sha
            spec_moved = bool(last_sha and after.spec_sha256 and after.spec_sha256 != last_sha)
            scored = _moved(before.score, after.score) or before.tier != after.tier
            if scored:
                wanted[before.run_id].add(entry_id)
                wanted[after.run_id].add(entry_id)
            if scored or spec_moved:
                pending.append((entry_id, before, after, last_sha if spec_moved else None))
    assessments = _assessments(store, wanted)
    changes: dict[str, list[Change]] = defaultdict(list)
    for entry_id, before, after, old_sha in pending:
        axes: tuple[AxisChange, ...] = ()
        if (before.run_id, entry_id) in assessments and (after.run_id, entry_id) in assessments:
            axes = axis_changes(
                assessments[(before.run_id, entry_id)], assessments[(after.run_id, entry_id)]
            )
        spec = spec_change(store, entry_id, old_sha, after.spec_sha256) if old_sha else None
        changes[entry_id].append(
            Change(
                entry_id=entry_id,
                run_id=after.run_id,
                run_before=before.run_id,
                at=started.get(after.run_id, ""),
                score_before=before.score,
                score_after=after.score,
                tier_before=before.tier,
                tier_after=after.tier,
                axes=axes,
                spec=spec,
            )
        )
    return {e: tuple(c) for e, c in changes.items()}
