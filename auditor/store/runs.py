"""Runs: what was audited, under which methodology, when, and how it ended."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from auditor import __version__
from auditor.methodology.model import Methodology
from auditor.model import utc_now
from auditor.store.codec import dumps, loads
from auditor.store.db import Store
from auditor.store.schema import StoreError

AUDIT = "audit"
RESCORE = "rescore"


@dataclass(frozen=True, slots=True)
class RunInfo:
    id: int
    kind: str
    """``audit`` (entries were probed) or ``rescore`` (stored findings scored again)."""
    sources: tuple[str, ...]
    methodology_id: str
    methodology_version: str
    auditor_version: str
    started_at: str
    finished_at: str | None
    entry_count: int
    window_days: float
    rescore_of: int | None = None
    counts: Mapping[str, Any] = field(default_factory=dict)
    degraded: str | None = None
    """Why the auditor's own network failed during the run (its network failures were
    recorded as not established, not as the APIs' failures); None for a sound run."""

    @property
    def finished(self) -> bool:
        return self.finished_at is not None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "sources": list(self.sources),
            "methodology": {"id": self.methodology_id, "version": self.methodology_version},
            "auditor_version": self.auditor_version,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "entry_count": self.entry_count,
            "window_days": self.window_days,
            "rescore_of": self.rescore_of,
            "counts": dict(self.counts),
            "degraded": self.degraded,
        }


def _run(row: sqlite3.Row) -> RunInfo:
    return RunInfo(
        id=row["id"],
        kind=row["kind"],
        sources=tuple(loads(row["sources"]) or ()),
        methodology_id=row["methodology_id"],
        methodology_version=row["methodology_version"],
        auditor_version=row["auditor_version"],
        started_at=row["started_at"],
        finished_at=row["finished_at"],
        entry_count=row["entry_count"],
        window_days=row["window_days"],
        rescore_of=row["rescore_of"],
        counts=loads(row["counts"]) or {},
        degraded=row["degraded"],
    )


def get_run(store: Store, run_id: int) -> RunInfo:
    row = store.db.execute("SELECT * FROM runs WHERE id = ?", (run_id,)).fetchone()
    if row is None:
        raise StoreError(f"{store.path}: no run {run_id} (see `auditor diff --list`)")
    return _run(row)


def list_runs(
    store: Store, *, kind: str | None = None, finished: bool | None = None
) -> list[RunInfo]:
    """Runs oldest first, optionally only one kind and only (un)finished ones."""
    sql = "SELECT * FROM runs WHERE 1 = 1"
    args: list[Any] = []
    if kind is not None:
        sql += " AND kind = ?"
        args.append(kind)
    if finished is not None:
        sql += " AND finished_at IS NOT NULL" if finished else " AND finished_at IS NULL"
    return [_run(row) for row in store.db.execute(sql + " ORDER BY id", args)]


def last_unfinished_run(store: Store) -> RunInfo | None:
    runs = list_runs(store, kind=AUDIT, finished=False)
    return runs[-1] if runs else None


def begin_run(
    store: Store,
    *,
    sources: Sequence[str],
    methodology: Methodology,
    entry_count: int,
    window_days: float,
    kind: str = AUDIT,
    rescore_of: int | None = None,
) -> RunInfo:
    store.require_writer()
    cursor = store.db.execute(
        """INSERT INTO runs (sources, methodology_id, methodology_version, auditor_version,
               started_at, entry_count, kind, rescore_of, window_days)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        (
            dumps(list(sources)),
            methodology.id,
            methodology.version,
            __version__,
            utc_now(),
            entry_count,
            kind,
            rescore_of,
            window_days,
        ),
    )
    assert cursor.lastrowid is not None
    return get_run(store, cursor.lastrowid)


def finished_entry_ids(store: Store, run_id: int) -> set[str]:
    rows = store.db.execute("SELECT entry_id FROM results WHERE run_id = ?", (run_id,))
    return {row[0] for row in rows}


def other_results(store: Store, run_id: int) -> bool:
    """Whether the store holds results of runs other than ``run_id``: without them, a run
    has no earlier findings and no spec findings to reuse, and need not look for any."""
    row = store.db.execute("SELECT EXISTS (SELECT 1 FROM results WHERE run_id != ?)", (run_id,))
    return bool(row.fetchone()[0])


def holds_blobs(store: Store) -> bool:
    """Whether the store holds any blob (shared facts, entry records)."""
    return bool(store.db.execute("SELECT EXISTS (SELECT 1 FROM blobs)").fetchone()[0])


def run_counts(store: Store, run_id: int) -> dict[str, Any]:
    rows = store.db.execute(
        "SELECT tier, COUNT(*), AVG(score), COUNT(score) FROM results WHERE run_id = ? GROUP BY tier",
        (run_id,),
    ).fetchall()
    entries = sum(row[1] for row in rows)
    scored = sum(row[3] for row in rows)
    total = sum((row[2] or 0.0) * row[3] for row in rows)
    return {
        "entries": entries,
        "scored": scored,
        "unknown": entries - scored,
        "mean_score": round(total / scored, 2) if scored else None,
        "tiers": {(row[0] or "unknown"): row[1] for row in rows},
    }


def mark_degraded(store: Store, run_id: int, reason: str) -> RunInfo:
    """Record that the auditor's network failed during the run (reasons accumulate: a
    resumed run keeps what an earlier session found)."""
    store.require_writer()
    store.db.execute(
        """UPDATE runs SET degraded = CASE
               WHEN degraded IS NULL OR degraded = '' THEN ?
               WHEN instr(degraded, ?) > 0 THEN degraded
               ELSE degraded || '; ' || ? END
           WHERE id = ?""",
        (reason, reason, reason, run_id),
    )
    return get_run(store, run_id)


def finish_run(store: Store, run_id: int) -> RunInfo:
    store.require_writer()
    store.db.execute(
        "UPDATE runs SET finished_at = ?, counts = ? WHERE id = ?",
        (utc_now(), dumps(run_counts(store, run_id)), run_id),
    )
    return get_run(store, run_id)


def resolve_run(store: Store, reference: str | int | None, *, default_offset: int = 0) -> RunInfo:
    """A run by id, by ``latest``/``previous``, or by negative offset (-1 latest, -2 the one before).

    Only finished runs count for ``latest`` and offsets: an interrupted run
    is compared only when named by id.
    """
    finished = list_runs(store, finished=True)
    if reference is None:
        reference = -1 - default_offset
    text = str(reference).strip().lower()
    if text in {"latest", "last"}:
        text = "-1"
    elif text == "previous":
        text = "-2"
    try:
        number = int(text)
    except ValueError as exc:
        raise StoreError(
            f"{store.path}: {reference!r} is not a run id (a number, latest, previous)"
        ) from exc
    if number > 0:
        return get_run(store, number)
    if number == 0 or -number > len(finished):
        raise StoreError(
            f"{store.path}: there are only {len(finished)} finished run(s); cannot pick run {number}"
        )
    return finished[number]
