"""Events worth a message, worked out from the stored runs (never from the network).

Walking the finished audit runs oldest first, an entry:

- goes **down** when ``down_after`` verifications in a row failed (default 2),
  and **recovers** at the next successful one, with the outage's length;
  verifications that were not established (the auditor's own network failed,
  a policy refusal) neither count nor break a streak, so a degraded run
  raises no down event;
- changes **tier** (a drop or a rise) against its last tier in a sound run
  under the same methodology;
- gets a **BREAKING** spec change: a field or an operation of its last spec
  document is gone (``auditor/store/diff.py``);
- has a **spec that stops validating** (``spec.valid`` passed, now fails);
- shows a **TLS certificate** under 14 days (``tls.certificate_expiry`` fails,
  once per host until it passes again).

A run in which the auditor's own network failed is an event of its own.
Every event has a key that names what happened and the run it happened in,
so a destination is told about it once (``auditor/store/notifications.py``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from auditor.render.text import one_line
from auditor.store.db import Store
from auditor.store.diff import spec_change
from auditor.store.notifications import (
    CheckRow,
    ResultRow,
    audit_runs,
    check_rows,
    result_rows,
    titles,
)
from auditor.store.runs import RunInfo

DEFAULT_DOWN_AFTER = 2
TITLE_LIMIT = 120

KINDS: dict[str, tuple[str, str]] = {
    # kind: (heading, Apprise notification type); the order is the message's
    "degraded": ("Auditor's own network failed", "failure"),
    "down": ("Down", "failure"),
    "breaking": ("Breaking spec changes", "failure"),
    "spec_invalid": ("Specs no longer valid", "warning"),
    "tier_drop": ("Tier dropped", "warning"),
    "tls_expiry": ("TLS certificates expiring", "warning"),
    "recovered": ("Recovered", "success"),
    "tier_rise": ("Tier rose", "info"),
}


@dataclass(frozen=True, slots=True)
class Event:
    key: str
    """What happened, to what, in which run: the same event always has the same key."""
    kind: str
    run_id: int
    at: str
    entry_id: str | None
    text: str
    """One line for people (the entry's title made inert)."""
    facts: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "kind": self.kind,
            "run": self.run_id,
            "at": self.at,
            "entry": self.entry_id,
            "text": self.text,
            "facts": dict(self.facts),
        }


@dataclass(frozen=True, slots=True)
class _Raw:
    key: str
    kind: str
    run_id: int
    at: str
    entry_id: str | None
    facts: dict[str, Any]


def _parse(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def duration_text(seconds: float) -> str:
    """``3 days 4 h``, ``2 h 15 min``, ``40 min``: an outage's length, to the minute."""
    minutes = max(0, round(seconds / 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days} day{'s' if days > 1 else ''}" + (f" {hours} h" if hours else "")
    if hours:
        return f"{hours} h" + (f" {mins} min" if mins else "")
    return f"{mins} min"


def _availability(rows: Iterable[CheckRow], down_after: int) -> list[_Raw]:
    by_entry: dict[str, list[CheckRow]] = defaultdict(list)
    for row in rows:
        by_entry[row.entry_id].append(row)
    found: list[_Raw] = []
    for entry_id, history in by_entry.items():
        streak: list[CheckRow] = []
        for row in history:
            if row.outcome == "fail":
                streak.append(row)
                if len(streak) == down_after:
                    first = streak[0]
                    facts = {
                        "failed": down_after,
                        "since": first.observed_at,
                        "latest": row.message,
                    }
                    key = f"down:{entry_id}:{first.run_id}"
                    found.append(_Raw(key, "down", row.run_id, row.observed_at, entry_id, facts))
            elif row.outcome == "pass":
                if len(streak) >= down_after:
                    first = streak[0]
                    seconds = (_parse(row.observed_at) - _parse(first.observed_at)).total_seconds()
                    facts = {
                        "down_since": first.observed_at,
                        "back_at": row.observed_at,
                        "outage_seconds": round(seconds),
                        "failed": len(streak),
                    }
                    key = f"recovered:{entry_id}:{row.run_id}"
                    found.append(
                        _Raw(key, "recovered", row.run_id, row.observed_at, entry_id, facts)
                    )
                streak = []
            # unknown / error: not established, neither a failure nor a success
    return found


def _tiers_and_specs(
    store: Store, runs: list[RunInfo], rows: Iterable[ResultRow], methodology: tuple[str, str]
) -> list[_Raw]:
    """Tier moves (under ``methodology``) and breaking spec changes, each entry against
    its last sound run."""
    info = {run.id: run for run in runs}
    last_tier: dict[str, tuple[str, float | None]] = {}
    last_spec: dict[str, str] = {}
    found: list[_Raw] = []
    for row in rows:
        run = info[row.run_id]
        if run.degraded:
            continue  # what it could not reach it could not judge: compare the next sound run
        scored = (run.methodology_id, run.methodology_version) == methodology
        known = scored and row.tier not in (None, "unknown")
        before = last_tier.get(row.entry_id)
        if known and before is not None and before[0] != row.tier:
            dropped = row.score is not None and before[1] is not None and row.score < before[1]
            kind = "tier_drop" if dropped else "tier_rise"
            facts: dict[str, Any] = {"before": before[0], "after": row.tier, "score": row.score}
            key = f"tier:{row.entry_id}:{row.run_id}"
            found.append(_Raw(key, kind, row.run_id, run.started_at, row.entry_id, facts))
        if known:
            last_tier[row.entry_id] = (str(row.tier), row.score)
        if row.spec_sha256 is None:
            continue
        previous = last_spec.get(row.entry_id)
        last_spec[row.entry_id] = row.spec_sha256
        if previous is None or previous == row.spec_sha256:
            continue
        change = spec_change(store, row.entry_id, previous, row.spec_sha256)
        if change.breaking:
            facts = {
                "operations_removed": list(change.operations_removed),
                "fields_removed": list(change.fields_removed),
                "sha256": {"before": previous, "after": row.spec_sha256},
            }
            key = f"breaking:{row.entry_id}:{row.run_id}"
            found.append(_Raw(key, "breaking", row.run_id, run.started_at, row.entry_id, facts))
    return found


def _transitions(rows: Iterable[CheckRow], kind: str, prefix: str) -> list[_Raw]:
    """``spec.valid`` going from pass to fail: once, until it passes again."""
    last: dict[str, str] = {}
    found: list[_Raw] = []
    for row in rows:
        if row.outcome not in ("pass", "fail"):
            continue
        if row.outcome == "fail" and last.get(row.entry_id) == "pass":
            facts = {"message": row.message}
            key = f"{prefix}:{row.entry_id}:{row.run_id}"
            found.append(_Raw(key, kind, row.run_id, row.observed_at, row.entry_id, facts))
        last[row.entry_id] = row.outcome
    return found


def _certificates(rows: Iterable[CheckRow]) -> list[_Raw]:
    """A certificate under the warning threshold, once per entry and host until renewed."""
    per_run: dict[tuple[int, str, str], list[CheckRow]] = defaultdict(list)
    for row in rows:
        host = (urlsplit(row.subject or "").hostname or row.subject or "").lower()
        per_run[(row.run_id, row.entry_id, host)].append(row)
    failing: dict[tuple[str, str], bool] = {}
    found: list[_Raw] = []
    for (run_id, entry_id, host), group in per_run.items():  # insertion order: by run
        days = [d for r in group if isinstance(d := r.facts.get("days_left"), int)]
        fails = any(r.outcome == "fail" for r in group)
        if fails and not failing.get((entry_id, host), False):
            facts = {"host": host, "days_left": min(days) if days else None}
            key = f"tls:{entry_id}:{host}:{run_id}"
            found.append(_Raw(key, "tls_expiry", run_id, group[0].observed_at, entry_id, facts))
        failing[(entry_id, host)] = fails
    return found


def _describe(raw: _Raw, title: str, runs: Mapping[int, RunInfo]) -> str:
    facts = raw.facts
    entry = one_line(raw.entry_id or "", TITLE_LIMIT)
    name = f"{title} ({entry})" if entry and title != entry else title
    if raw.kind == "degraded":
        return f"run {raw.run_id} ({runs[raw.run_id].started_at}): {facts['reason']}"
    if raw.kind == "down":
        latest = one_line(facts["latest"], 200)
        return f"{name}: {facts['failed']} failed verifications since {facts['since']}; {latest}"
    if raw.kind == "recovered":
        length = duration_text(facts["outage_seconds"])
        return f"{name}: back after about {length} (down since {facts['down_since']})"
    if raw.kind in ("tier_drop", "tier_rise"):
        return f"{name}: {facts['before']} -> {facts['after']}"
    if raw.kind == "breaking":
        gone = [*facts["operations_removed"], *facts["fields_removed"]]
        shown = ", ".join(one_line(g, 80) for g in gone[:5])
        more = f" and {len(gone) - 5} more" if len(gone) > 5 else ""
        return f"{name}: removed {shown}{more}"
    if raw.kind == "spec_invalid":
        return f"{name}: {one_line(facts['message'], 200)}"
    days = facts.get("days_left")
    left = f"expires in {days} days" if days is not None else "expires soon"
    return f"{name}: the certificate of {one_line(facts['host'], 100)} {left}"


def compute_events(
    store: Store,
    *,
    down_after: int = DEFAULT_DOWN_AFTER,
    methodology: tuple[str, str] | None = None,
) -> list[Event]:
    """Every event in the store's finished audit runs, oldest run first; tiers are
    compared under ``methodology`` (id, version), by default the latest run's."""
    runs = audit_runs(store)
    if not runs:
        return []
    if methodology is None:
        methodology = (runs[-1].methodology_id, runs[-1].methodology_version)
    by_id = {run.id: run for run in runs}
    raws: list[_Raw] = [
        _Raw(f"degraded:{run.id}", "degraded", run.id, run.started_at, None,
             {"reason": run.degraded})
        for run in runs
        if run.degraded
    ]  # fmt: skip
    tls = "tls.certificate_expiry"
    rows = check_rows(store, ("availability", "spec.valid", tls), with_facts=(tls,))
    raws += _availability(rows["availability"], down_after)
    raws += _tiers_and_specs(store, runs, result_rows(store), methodology)
    raws += _transitions(rows["spec.valid"], "spec_invalid", "invalid")
    raws += _certificates(rows[tls])
    raws.sort(key=lambda r: (r.run_id, list(KINDS).index(r.kind), r.entry_id or "", r.key))
    wanted: dict[int, set[str]] = defaultdict(set)
    for raw in raws:
        if raw.entry_id is not None:
            wanted[raw.run_id].add(raw.entry_id)
    names = {run_id: titles(store, run_id, ids) for run_id, ids in wanted.items()}
    events = []
    for raw in raws:
        title = names.get(raw.run_id, {}).get(raw.entry_id or "", raw.entry_id or "")
        text = _describe(raw, one_line(title, TITLE_LIMIT), by_id)
        events.append(Event(raw.key, raw.kind, raw.run_id, raw.at, raw.entry_id, text, raw.facts))
    return events
