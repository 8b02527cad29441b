"""One change of one entry as the pages and the feeds show it: headline and details.

Built from ``auditor.store.changes.Change``; the entry page's "what
changed" timeline, the index's "changed since the last run" and the Atom
feeds all print these rows, so they always agree. Untrusted text (signal
evidence, field names from a spec) stays raw; templates escape it.
"""

from __future__ import annotations

from dataclasses import dataclass

from auditor.methodology.model import Methodology
from auditor.render.language import ENGLISH, N_, Language
from auditor.render.text import one_line
from auditor.store.changes import AxisChange, Change
from auditor.store.diff import SpecChange

MAX_LISTED = 25
"""Fields or operations listed per side of a spec change (the count is always given)."""
OUTCOMES = (N_("pass"), N_("fail"), N_("unknown"), N_("error"), N_("absent"))
"""A signal's outcome as a change prints it (recorded ids, shown in the page's language)."""


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
    heading: str = ""
    """``1 operation removed``, ``3 fields added``, in the page's language."""


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


def score_text(value: float | None, tr: Language = ENGLISH) -> str:
    return tr.gettext("unknown") if value is None else tr.number(value)


def delta_text(delta: float | None, tr: Language = ENGLISH) -> str:
    if delta is None:
        return ""
    if delta == 0:
        return "±0"
    return f"+{tr.number(delta)}" if delta > 0 else f"−{tr.number(abs(delta))}"


def _tier_name(methodology: Methodology, tier: str | None, tr: Language) -> str:
    found = methodology.tier_by_id(tier)
    return found.name if found else (tier or tr.gettext("unknown"))


def _outcome(outcome: str | None, points: float | None, tr: Language) -> str:
    """``fail (50 pts)``; ``absent`` when the signal was not scored on that side."""
    shown = tr.gettext(outcome or "absent")
    if points is None:
        return shown
    return tr.gettext("%(outcome)s (%(points)s pts)") % {
        "outcome": shown,
        "points": tr.number(points),
    }


def _axis_line(axis: AxisChange, methodology: Methodology | None, tr: Language) -> AxisLine:
    """``methodology`` (in ``tr``'s language) names the axis and its signals on a page in
    another language; English pages print the names the store recorded."""
    axes = () if tr.english or methodology is None else methodology.axes
    named = next((a for a in axes if a.id == axis.axis), None)
    names = {s.id: s.name for s in named.signals} if named is not None else {}
    signals = tuple(
        SignalLine(
            name=names.get(s.signal, s.name),
            before=_outcome(s.outcome_before, s.points_before, tr),
            after=_outcome(s.outcome_after, s.points_after, tr),
            evidence_before=one_line(s.evidence_before, 300),
            evidence_after=one_line(s.evidence_after, 300),
        )
        for s in axis.signals
    )
    return AxisLine(
        named.name if named is not None else axis.name,
        score_text(axis.before, tr),
        score_text(axis.after, tr),
        delta_text(axis.delta, tr),
        signals,
    )


def _heading(label: str, count: int, tr: Language) -> str:
    """``1 operation removed``, ``3 fields added`` (each message spelt out for extraction)."""
    if label == "operations removed":
        text = tr.ngettext("%(num)d operation removed", "%(num)d operations removed", count)
    elif label == "fields removed":
        text = tr.ngettext("%(num)d field removed", "%(num)d fields removed", count)
    elif label == "operations added":
        text = tr.ngettext("%(num)d operation added", "%(num)d operations added", count)
    else:
        text = tr.ngettext("%(num)d field added", "%(num)d fields added", count)
    return text % {"num": count}


def spec_lines(spec: SpecChange, tr: Language = ENGLISH) -> SpecLines:
    lists = []
    for label, names, removed in (
        ("operations removed", spec.operations_removed, True),
        ("fields removed", spec.fields_removed, True),
        ("operations added", spec.operations_added, False),
        ("fields added", spec.fields_added, False),
    ):
        if names:
            listed = tuple(one_line(n, 160) for n in names[:MAX_LISTED])
            heading = _heading(label, len(names), tr)
            lists.append(ListedNames(label, len(names), listed, removed, heading))
    if not spec.inventory_known:
        summary = tr.gettext("spec document changed (no field inventory to compare)")
    elif lists:
        summary = tr.gettext("spec: %(lists)s") % {
            "lists": ", ".join(item.heading for item in lists)
        }
    else:
        summary = tr.gettext("spec document changed (same fields and operations)")
    if spec.breaking:
        summary = tr.gettext("%(summary)s (BREAKING)") % {"summary": summary}
    return SpecLines(spec.breaking, spec.inventory_known, tuple(lists), summary)


def change_row(
    change: Change,
    title: str,
    name: str,
    methodology: Methodology,
    tr: Language = ENGLISH,
) -> ChangeRow:
    """The change in ``tr``'s language; ``methodology`` is the one the pages describe."""
    parts = []
    tier_change = None
    if change.tier_changed:
        tier_change = (
            f"{_tier_name(methodology, change.tier_before, tr)} → "
            f"{_tier_name(methodology, change.tier_after, tr)}"
        )
        parts.append(tr.gettext("tier %(change)s") % {"change": tier_change})
    delta = change.score_delta
    if change.score_before != change.score_after:
        moved = tr.gettext("score %(before)s → %(after)s") % {
            "before": score_text(change.score_before, tr),
            "after": score_text(change.score_after, tr),
        }
        parts.append(f"{moved} ({delta_text(delta, tr)})" if delta is not None else moved)
    spec = spec_lines(change.spec, tr) if change.spec is not None else None
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
        date=tr.day(change.at),
        headline=tr.gettext("; ").join(parts) or tr.gettext("changed"),
        direction=direction,
        tier_change=tier_change,
        axes=tuple(_axis_line(a, methodology, tr) for a in change.axes),
        spec=spec,
        breaking=change.breaking,
    )
