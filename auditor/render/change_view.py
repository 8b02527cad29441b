"""One change of one entry as the pages and the feeds show it: headline and details.

Built from ``auditor.store.changes.Change``; the entry page's "what
changed" timeline, the index's "changed since the last run" and the Atom
feeds all print these rows, so they always agree. Untrusted text (signal
evidence, field names from a spec) stays raw; templates escape it.
"""

from __future__ import annotations

from dataclasses import dataclass

from auditor.methodology.model import Methodology
from auditor.render.text import one_line
from auditor.store.changes import AxisChange, Change
from auditor.store.diff import SpecChange

MAX_LISTED = 25
"""Fields or operations listed per side of a spec change (the count is always given)."""


@dataclass(frozen=True, slots=True)
class SignalLine:
    name: str
    before: str
    after: str
    evidence_before: str
    evidence_after: str


@dataclass(frozen=True, slots=True)
class AxisLine:
    name: str
    before: str
    after: str
    delta: str
    signals: tuple[SignalLine, ...]


@dataclass(frozen=True, slots=True)
class ListedNames:
    label: str
    """``operations removed``, ``fields added``…"""
    count: int
    names: tuple[str, ...]
    removed: bool

    @property
    def heading(self) -> str:
        """``1 operation removed``, ``3 fields added``."""
        noun, verb = self.label.split()
        return f"{self.count} {noun[:-1] if self.count == 1 else noun} {verb}"


@dataclass(frozen=True, slots=True)
class SpecLines:
    breaking: bool
    known: bool
    """Both documents had an inventory; otherwise only "the document changed" is known."""
    lists: tuple[ListedNames, ...]
    summary: str


@dataclass(frozen=True, slots=True)
class ChangeRow:
    key: str
    """Stable across renders: ``<entry id>/<run>``; the feed's entry id is made from it."""
    entry_id: str
    title: str
    name: str
    """The entry's file name (its page is ``entries/<name>.html``)."""
    run_id: int
    run_before: int
    at: str
    date: str
    headline: str
    direction: str
    """``up``, ``down`` or ``same``: where the score went."""
    tier_change: str | None
    axes: tuple[AxisLine, ...]
    spec: SpecLines | None
    breaking: bool


def score_text(value: float | None) -> str:
    return "unknown" if value is None else f"{value:g}"


def delta_text(delta: float | None) -> str:
    if delta is None:
        return ""
    return f"+{delta:g}" if delta > 0 else ("±0" if delta == 0 else f"−{abs(delta):g}")


def _tier_name(methodology: Methodology, tier: str | None) -> str:
    found = methodology.tier_by_id(tier)
    return found.name if found else (tier or "unknown")


def _points(value: float | None) -> str:
    return "" if value is None else f" ({value:g} pts)"


def _axis_line(axis: AxisChange) -> AxisLine:
    signals = tuple(
        SignalLine(
            name=s.name,
            before=f"{s.outcome_before or 'absent'}{_points(s.points_before)}",
            after=f"{s.outcome_after or 'absent'}{_points(s.points_after)}",
            evidence_before=one_line(s.evidence_before, 300),
            evidence_after=one_line(s.evidence_after, 300),
        )
        for s in axis.signals
    )
    return AxisLine(
        axis.name, score_text(axis.before), score_text(axis.after), delta_text(axis.delta), signals
    )


def spec_lines(spec: SpecChange) -> SpecLines:
    lists = []
    for label, names, removed in (
        ("operations removed", spec.operations_removed, True),
        ("fields removed", spec.fields_removed, True),
        ("operations added", spec.operations_added, False),
        ("fields added", spec.fields_added, False),
    ):
        if names:
            listed = tuple(one_line(n, 160) for n in names[:MAX_LISTED])
            lists.append(ListedNames(label, len(names), listed, removed))
    if not spec.inventory_known:
        summary = "spec document changed (no field inventory to compare)"
    elif lists:
        summary = "spec: " + ", ".join(item.heading for item in lists)
    else:
        summary = "spec document changed (same fields and operations)"
    if spec.breaking:
        summary += " (BREAKING)"
    return SpecLines(spec.breaking, spec.inventory_known, tuple(lists), summary)


def change_row(change: Change, title: str, name: str, methodology: Methodology) -> ChangeRow:
    parts = []
    tier_change = None
    if change.tier_changed:
        tier_change = (
            f"{_tier_name(methodology, change.tier_before)} → "
            f"{_tier_name(methodology, change.tier_after)}"
        )
        parts.append(f"tier {tier_change}")
    delta = change.score_delta
    if change.score_before != change.score_after:
        moved = f"score {score_text(change.score_before)} → {score_text(change.score_after)}"
        parts.append(f"{moved} ({delta_text(delta)})" if delta is not None else moved)
    spec = spec_lines(change.spec) if change.spec is not None else None
    if spec is not None:
        parts.append(spec.summary)
    direction = "same" if not delta else ("up" if delta > 0 else "down")
    return ChangeRow(
        key=f"{change.entry_id}/{change.run_id}",
        entry_id=change.entry_id,
        title=title,
        name=name,
        run_id=change.run_id,
        run_before=change.run_before,
        at=change.at,
        date=change.at[:10],
        headline="; ".join(parts) or "changed",
        direction=direction,
        tier_change=tier_change,
        axes=tuple(_axis_line(a) for a in change.axes),
        spec=spec,
        breaking=change.breaking,
    )
