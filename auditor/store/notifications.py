"""What ``auditor notify`` reads from a store, and what it keeps of what it sent.

Events (an entry going down, a tier moving, a spec losing an operation) are
worked out from the stored runs, never from the network: this module hands
out the rows they are made of, run by run, and records, per destination,
which events went out and the last run it was told about. A destination is
kept by the sha256 of its URL and a redacted label, never by the URL itself:
an Apprise URL holds its service's tokens and passwords.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from auditor.model import utc_now
from auditor.store.db import Store
from auditor.store.facts_text import FactsReader
from auditor.store.runs import AUDIT, RunInfo, list_runs
from auditor.store.schema import TRACKED
from auditor.store.transaction import transaction


@dataclass(frozen=True, slots=True)
class ResultRow:
    """One entry in one run: what tier and which spec document it had."""

    run_id: int
    entry_id: str
    score: float | None
    tier: str | None
    spec_sha256: str | None


@dataclass(frozen=True, slots=True)
class CheckRow:
    """One finding of one check for one entry in one run."""

    run_id: int
    entry_id: str
    outcome: str
    subject: str | None
    message: str
    observed_at: str
    facts: dict[str, Any]


@dataclass(frozen=True, slots=True)
class SentEvent:
    """An event as the store keeps it once it was delivered to a destination."""

    key: str
    kind: str
    entry_id: str | None
    run_id: int


def audit_runs(store: Store) -> list[RunInfo]:
    """Finished audit runs, oldest first: where events happen (a rescore observes nothing)."""
    return list_runs(store, kind=AUDIT, finished=True)


_AUDITED = "SELECT id FROM runs WHERE kind = 'audit' AND finished_at IS NOT NULL"


def result_rows(store: Store) -> list[ResultRow]:
    """Every entry of every finished audit run, by run."""
    rows = store.db.execute(
        f"""SELECT run_id, entry_id, score, tier, spec_sha256 FROM results
            WHERE run_id IN ({_AUDITED}) ORDER BY run_id, position"""
    )
    return [ResultRow(r[0], r[1], r[2], r[3], r[4]) for r in rows]


def check_rows(
    store: Store, checks: Sequence[str], *, with_facts: Sequence[str] = ()
) -> dict[str, list[CheckRow]]:
    """Every finding of ``checks`` in the finished audit runs, by check, then by run.

    One pass over the findings of the audited runs (an audit run, merged ones
    included, keeps its findings under its own id); facts are read only for
    the checks in ``with_facts``.
    """
    untracked = set(checks) - TRACKED
    if untracked:  # packed in the results only (schema v6): no rows to read by check
        raise ValueError(f"checks without rows of their own: {', '.join(sorted(untracked))}")
    read = FactsReader(store)
    found: dict[str, list[CheckRow]] = {check: [] for check in checks}
    marks = ", ".join("?" for _ in checks)
    rows = store.db.execute(
        f"""SELECT run_id, entry_id, check_id, outcome, subject, message, observed_at, facts
            FROM findings WHERE check_id IN ({marks}) AND run_id IN ({_AUDITED})
            ORDER BY run_id, id""",
        tuple(checks),
    )
    for r in rows:
        facts = read(r[7]) if r[2] in with_facts else {}
        found[r[2]].append(CheckRow(r[0], r[1], r[3], r[4], r[5], r[6], facts))
    return found


def titles(store: Store, run_id: int, entry_ids: Iterable[str]) -> dict[str, str]:
    """The entries' titles as audited in ``run_id`` (the entry id when it has none)."""
    wanted = sorted(set(entry_ids))
    if not wanted:
        return {}
    read = FactsReader(store)
    found: dict[str, str] = {}
    for start in range(0, len(wanted), 500):  # SQLite's bound-variable limit
        chunk = wanted[start : start + 500]
        marks = ", ".join("?" for _ in chunk)
        for row in store.db.execute(
            f"SELECT entry_id, entry FROM results WHERE run_id = ? AND entry_id IN ({marks})",
            (run_id, *chunk),
        ):
            found[row[0]] = str(read(row[1]).get("title") or row[0])
    return {entry_id: found.get(entry_id, entry_id) for entry_id in wanted}


def last_run_told(store: Store, destination: str) -> int | None:
    """The last run ``destination`` was told about (None: never notified)."""
    row = store.db.execute(
        "SELECT last_run FROM notify_destinations WHERE destination = ?", (destination,)
    ).fetchone()
    return int(row[0]) if row is not None else None


def sent_events(store: Store, destination: str) -> set[str]:
    """The keys of the events already delivered to ``destination``."""
    rows = store.db.execute("SELECT event FROM notifications WHERE destination = ?", (destination,))
    return {row[0] for row in rows}


def record_sent(
    store: Store, destination: str, label: str, events: Sequence[SentEvent], last_run: int
) -> None:
    """Keep, in one transaction, that ``events`` reached ``destination``, told up to ``last_run``.

    Called once per destination after its delivery succeeded: a destination
    that failed records nothing, so its events go out again next time, and the
    other destinations' records are theirs alone.
    """
    store.require_writer()
    now = utc_now()
    with transaction(store.db) as db:
        db.executemany(
            """INSERT OR IGNORE INTO notifications
                   (destination, event, kind, entry_id, run_id, sent_at)
               VALUES (?, ?, ?, ?, ?, ?)""",
            [(destination, e.key, e.kind, e.entry_id, e.run_id, now) for e in events],
        )
        db.execute(
            """INSERT INTO notify_destinations (destination, label, last_run, updated_at)
               VALUES (?, ?, ?, ?)
               ON CONFLICT(destination) DO UPDATE SET label = excluded.label,
                   last_run = MAX(last_run, excluded.last_run), updated_at = excluded.updated_at""",
            (destination, label, last_run, now),
        )
