"""``auditor notify``: tell each destination what happened since it was last told.

For every destination the events it has not been sent (and that are newer
than the last run it was told about) go out as one message; once delivered,
they are recorded for that destination alone, in one transaction. A
destination that fails records nothing, so its events wait for the next
try, and the others are not held back. ``dry_run`` opens the store for
reading only and sends nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from auditor.notify.events import DEFAULT_DOWN_AFTER, Event, compute_events
from auditor.notify.message import compose
from auditor.notify.send import DeliveryError, Sender
from auditor.store.db import Store
from auditor.store.notifications import (
    SentEvent,
    audit_runs,
    last_run_told,
    record_sent,
    sent_events,
)
from auditor.store.runs import RunInfo
from auditor.store.schema import StoreError


@dataclass(frozen=True, slots=True)
class Told:
    """What became of one destination."""

    label: str
    events: tuple[Event, ...]
    """The events it had not been told about (what was sent, or would be)."""
    sent: bool
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "destination": self.label,
            "events": [event.key for event in self.events],
            "sent": self.sent,
            "error": self.error,
        }


@dataclass(frozen=True, slots=True)
class NotifyReport:
    store: str
    dry_run: bool
    latest_run: int
    pending: tuple[Event, ...]
    """Every event not yet sent to at least one destination (all of them with none)."""
    told: tuple[Told, ...]

    @property
    def failed(self) -> tuple[Told, ...]:
        return tuple(t for t in self.told if t.error is not None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "store": self.store,
            "dry_run": self.dry_run,
            "latest_run": self.latest_run,
            "events": [event.to_dict() for event in self.pending],
            "destinations": [t.to_dict() for t in self.told],
        }


def _methodology_runs(store: Store, runs: list[RunInfo], rules: tuple[str, str] | None) -> None:
    """Refuse a methodology no finished audit run of the store was scored under."""
    if rules is None:
        return
    held = sorted({(r.methodology_id, r.methodology_version) for r in runs})
    if rules not in held:
        names = ", ".join(f"{i} {v}" for i, v in held)
        raise StoreError(
            f"{store.path}: no finished audit run was scored under {rules[0]} {rules[1]} "
            f"(this store holds {names}); tiers can only be compared under one methodology"
        )


def _unsent(
    store: Store,
    sender_key: str | None,
    events: Sequence[Event],
    since: str | None,
    starts: dict[int, str],
) -> list[Event]:
    told = last_run_told(store, sender_key) if sender_key else None
    sent = sent_events(store, sender_key) if sender_key else set()
    return [
        event
        for event in events
        if (told is None or event.run_id > told)
        and event.key not in sent
        and (since is None or starts[event.run_id] >= since)
    ]


def notify_store(
    path: Path,
    senders: Sequence[Sender],
    *,
    down_after: int = DEFAULT_DOWN_AFTER,
    since: str | None = None,
    rules: tuple[str, str] | None = None,
    dry_run: bool = False,
) -> NotifyReport:
    """Send each destination its new events; raises StoreError for a store it cannot use.

    ``since`` (an ISO time) leaves out events of runs started before it (and a
    destination told now is not told about them later); ``rules`` (id,
    version) is the methodology tiers are compared under (the latest run's
    by default).
    """
    if not path.is_file():
        raise StoreError(
            f"{path}: no such store; record one with `auditor audit ... --store {path}`"
        )
    writing = bool(senders) and not dry_run
    with Store.open(path, write=writing, purpose="notify") as store:
        runs = audit_runs(store)
        if not runs:
            raise StoreError(
                f"{path}: no finished audit run to notify about; record one with "
                f"`auditor audit CATALOG --store {path}`"
            )
        _methodology_runs(store, runs, rules)
        latest = runs[-1]
        chosen = rules or (latest.methodology_id, latest.methodology_version)
        events = compute_events(store, down_after=down_after, methodology=chosen)
        starts = {run.id: run.started_at for run in runs}
        told: list[Told] = []
        pending: dict[str, Event] = {}
        if not senders:
            pending = {e.key: e for e in _unsent(store, None, events, since, starts)}
        for sender in senders:
            destination = sender.destination
            new = _unsent(store, destination.key, events, since, starts)
            pending.update((e.key, e) for e in new)
            if dry_run:
                told.append(Told(destination.label, tuple(new), sent=False))
                continue
            if new:
                try:
                    sender.send(compose(new, path.name))
                except DeliveryError as exc:
                    told.append(Told(destination.label, tuple(new), sent=False, error=str(exc)))
                    continue
            records = [SentEvent(e.key, e.kind, e.entry_id, e.run_id) for e in new]
            record_sent(store, destination.key, destination.label, records, latest.id)
            told.append(Told(destination.label, tuple(new), sent=bool(new)))
        ordered = tuple(e for e in events if e.key in pending)
        return NotifyReport(str(path), dry_run, latest.id, ordered, tuple(told))
