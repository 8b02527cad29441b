"""One message for many events: a catalog-wide outage is one message, not 500.

Events are grouped by kind (down, breaking spec changes, recoveries, …), each
group listing at most ``LINES_PER_KIND`` entries and counting the rest, so a
chat channel gets one readable message whatever the night brought.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from auditor.notify.events import KINDS, Event

LINES_PER_KIND = 20
SEVERITY = ("failure", "warning", "success", "info")
"""Apprise notification types, the most urgent first: a message takes its worst event's."""


@dataclass(frozen=True, slots=True)
class Message:
    title: str
    body: str
    notify_type: str
    """Apprise's ``info``, ``success``, ``warning`` or ``failure``."""
    events: tuple[Event, ...]


def _count(kind: str, n: int) -> str:
    words = {
        "degraded": ("degraded run", "degraded runs"),
        "down": ("down", "down"),
        "breaking": ("breaking spec change", "breaking spec changes"),
        "spec_invalid": ("spec no longer valid", "specs no longer valid"),
        "tier_drop": ("tier drop", "tier drops"),
        "tls_expiry": ("TLS certificate expiring", "TLS certificates expiring"),
        "recovered": ("recovered", "recovered"),
        "tier_rise": ("tier rise", "tier rises"),
    }[kind]
    return f"{n} {words[0] if n == 1 else words[1]}"


def compose(events: Sequence[Event], source: str) -> Message:
    """The message telling ``events`` (at least one), ``source`` naming the store."""
    by_kind: dict[str, list[Event]] = {kind: [] for kind in KINDS}
    for event in events:
        by_kind[event.kind].append(event)
    present = [(kind, found) for kind, found in by_kind.items() if found]
    title = f"auditor: {', '.join(_count(kind, len(found)) for kind, found in present)}"
    lines: list[str] = []
    for kind, found in present:
        heading = KINDS[kind][0]
        if lines:
            lines.append("")
        lines.append(f"{heading} ({len(found)}):")
        lines += [f"- {event.text}" for event in found[:LINES_PER_KIND]]
        if len(found) > LINES_PER_KIND:
            lines.append(f"- … and {len(found) - LINES_PER_KIND} more")
    runs = sorted({event.run_id for event in events})
    span = f"run {runs[0]}" if len(runs) == 1 else f"runs {runs[0]}-{runs[-1]}"
    lines += ["", f"From {source}, {span}."]
    types = {KINDS[kind][1] for kind, _ in present}
    notify_type = next(t for t in SEVERITY if t in types)
    return Message(title, "\n".join(lines), notify_type, tuple(events))
