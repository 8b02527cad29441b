"""A catalog's recent history in a few batched queries: what the report site draws.

``load_history(store, run)`` reads, for every entry of ``run``, what the
runs of the last ``window_days`` (90 by default) recorded: score, tier and
spec document per run, and each availability verification with the
slowest answer of its endpoints. The cost grows with entries x runs in the
window, never with the whole history: runs are picked on the ``runs``
table, results are read by run (primary key), and verifications through
the ``findings_by_check`` index (entry, check, time) bounded by the window,
all in one statement each rather than one per entry and run.

A run the store marks *degraded* (``runs.degraded``: the auditing machine
could not reach the network) keeps its scores, but its verifications are not counted:
they read as "not verified".
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence, Sized
from dataclasses import dataclass, field
from typing import Any

from auditor.store.db import Store
from auditor.store.runs import RESCORE, RunInfo
from auditor.store.runs import _run as run_from_row
from auditor.store.schema import StoreError
from auditor.store.session import days_before, iso, parse_iso

REPORT_WINDOW_DAYS = 90.0
"""How far back the report site looks (its longest uptime period and its charts)."""
ENDPOINT_CHECKS = ("availability.base_url", "availability.spec_url")
CHUNK = 500
"""Bound on the ``?`` placeholders of one statement (old SQLite builds allow 999)."""


VERIFICATIONS = """SELECT entry_id, run_id, check_id, outcome, observed_at, latency_ms,
       CASE WHEN check_id = 'availability' AND outcome != 'pass' THEN message END AS message
FROM findings
WHERE entry_id IN (SELECT entry_id FROM results WHERE run_id = ?)
  AND check_id IN ('availability', 'availability.base_url', 'availability.spec_url')
  AND observed_at >= ? AND observed_at <= ?
ORDER BY entry_id, run_id, check_id DESC"""
"""Every verification of a run's entries in a time range: one index range per (entry, check)
of ``findings_by_check``, so its cost is entries x window whatever the store's age. Within a
run the endpoints (``availability.spec_url``, ``.base_url``) come before the verdict."""


@dataclass(frozen=True, slots=True)
class Verification:
    """One availability verification: the ``availability`` finding of one run."""

    run_id: int
    at: str
    outcome: str
    """pass / fail / unknown / error; ``unknown`` too when its run was degraded."""
    latency_ms: float | None = None
    """The slowest of the endpoints that answered (base URL, spec URL)."""
    message: str | None = None
    """What went wrong (kept for verifications that did not pass)."""
    ts: float = 0.0
    """``at`` as a POSIX timestamp (read once, compared many times)."""


@dataclass(frozen=True, slots=True)
class ResultPoint:
    run_id: int
    score: float | None
    tier: str | None
    spec_sha256: str | None


@dataclass(frozen=True, slots=True)
class Capture:
    """A spec document's first capture: "Schema captured from <format> N days ago"."""

    sha256: str
    captured_at: str
    format_label: str | None


@dataclass(frozen=True, slots=True)
class StoreHistory:
    run: RunInfo
    """The run the site shows."""
    as_of: str
    """Its end: "now" for every period, age and duration on the site."""
    window_days: float
    window_start: str
    runs: tuple[RunInfo, ...]
    """Finished runs under the same methodology in the window, oldest first, ending at ``run``."""
    degraded: frozenset[int]
    entries: tuple[str, ...]
    """The entries of ``run``, in catalog order."""
    results: dict[str, tuple[ResultPoint, ...]] = field(default_factory=dict)
    verifications: dict[str, tuple[Verification, ...]] = field(default_factory=dict)
    captures: dict[str, Capture] = field(default_factory=dict)

    @property
    def previous(self) -> RunInfo | None:
        return self.runs[-2] if len(self.runs) > 1 else None

    @property
    def run_degraded(self) -> bool:
        return self.run.id in self.degraded


def chunks(values: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def marks(values: Sized) -> str:
    return ", ".join("?" for _ in range(len(values)))


def window_runs(store: Store, run: RunInfo, window_days: float) -> tuple[RunInfo, ...]:
    """Finished runs of ``run``'s methodology started in the window, up to ``run``.

    Rescores are left out (they observed nothing new) except ``run`` itself.
    """
    start = iso(days_before(parse_iso(run.started_at), window_days))
    rows = store.db.execute(
        """SELECT * FROM runs WHERE id <= ? AND finished_at IS NOT NULL
           AND methodology_id = ? AND started_at >= ? ORDER BY id""",
        (run.id, run.methodology_id, start),
    ).fetchall()
    runs = [run_from_row(row) for row in rows]
    kept = [r for r in runs if r.kind != RESCORE or r.id == run.id]
    if not kept or kept[-1].id != run.id:
        kept.append(run)
    return tuple(kept)


def _results(
    store: Store, runs: Sequence[RunInfo], wanted: set[str]
) -> dict[str, list[ResultPoint]]:
    points: dict[str, list[ResultPoint]] = defaultdict(list)
    cursor = store.db.cursor()
    cursor.row_factory = None  # plain tuples: 180,000 rows for 2,000 entries x 90 runs
    shared: dict[str, str] = {}  # one string per tier and spec document, not one per row
    for run in runs:
        cursor.execute(
            "SELECT entry_id, score, tier, spec_sha256 FROM results WHERE run_id = ?", (run.id,)
        )
        for entry_id, score, tier, sha in cursor:
            if entry_id in wanted:
                tier = shared.setdefault(tier, tier) if tier is not None else None
                sha = shared.setdefault(sha, sha) if sha is not None else None
                points[entry_id].append(ResultPoint(run.id, score, tier, sha))
    return points


def _verifications(
    store: Store, run_id: int, start: str, end: str, degraded: frozenset[int]
) -> dict[str, list[Verification]]:
    """Every verification of the run's entries in [start, end], oldest first.

    Built as the rows come (endpoints first, then their verdict), without holding the rows.
    """
    verifications: dict[str, list[Verification]] = defaultdict(list)
    cursor = store.db.cursor()
    cursor.row_factory = None
    cursor.execute(VERIFICATIONS, (run_id, start, end))
    slowest: float | None = None
    current: tuple[str, int] | None = None
    outcomes = {"pass": "pass", "fail": "fail", "unknown": "unknown", "error": "error"}
    for entry_id, source, check, outcome, at, latency, message in cursor:
        if (entry_id, source) != current:
            current, slowest = (entry_id, source), None
        if check != "availability":
            if outcome == "pass" and latency is not None:
                slowest = max(slowest or 0.0, float(latency))
            continue
        counted = source not in degraded
        verifications[entry_id].append(
            Verification(
                source,
                at,
                outcomes.get(outcome, outcome) if counted else "unknown",
                slowest if counted else None,
                message if counted else "not counted: the run was degraded",
                parse_iso(at).timestamp(),
            )
        )
    for found in verifications.values():
        found.sort(key=lambda v: v.ts)
    return verifications


def _captures(store: Store, shas: Iterable[str]) -> dict[str, Capture]:
    wanted = sorted(set(shas))
    captures: dict[str, Capture] = {}
    for part in chunks(wanted):
        for row in store.db.execute(
            f"SELECT sha256, captured_at, format_label FROM spec_snapshots "
            f"WHERE sha256 IN ({marks(part)})",
            tuple(part),
        ):
            captures[row[0]] = Capture(row[0], row[1], row[2])
    return captures


def load_history(
    store: Store, run: RunInfo, *, window_days: float = REPORT_WINDOW_DAYS
) -> StoreHistory:
    """The window of history ending at ``run`` (a finished run), for every entry of it."""
    if not run.finished:
        raise StoreError(f"{store.path}: run {run.id} is unfinished; name a finished run")
    as_of = run.finished_at or run.started_at
    start = iso(days_before(parse_iso(as_of), window_days))
    runs = window_runs(store, run, window_days)
    entries = tuple(
        row[0]
        for row in store.db.execute(
            "SELECT entry_id FROM results WHERE run_id = ? ORDER BY position", (run.id,)
        )
    )
    # any run may have verified inside the window (an unfinished one, another methodology's)
    degraded = frozenset(
        row[0]
        for row in store.db.execute(
            "SELECT id FROM runs WHERE started_at >= ? AND degraded IS NOT NULL AND degraded != ''",
            (iso(days_before(parse_iso(start), 1.0)),),
        )
    )
    results = _results(store, runs, set(entries))
    latest = {e: points[-1].spec_sha256 for e, points in results.items() if points}
    return StoreHistory(
        run=run,
        as_of=as_of,
        window_days=window_days,
        window_start=start,
        runs=runs,
        degraded=degraded,
        entries=entries,
        results={e: tuple(p) for e, p in results.items()},
        verifications={
            e: tuple(v) for e, v in _verifications(store, run.id, start, as_of, degraded).items()
        },
        captures=_captures(store, (sha for sha in latest.values() if sha)),
    )


def run_entry_ids(store: Store, run_id: int) -> set[str]:
    return {
        row[0]
        for row in store.db.execute("SELECT entry_id FROM results WHERE run_id = ?", (run_id,))
    }


def entry_titles(
    store: Store, run_id: int, entry_ids: Iterable[str] | None = None
) -> dict[str, str]:
    """Entry id -> title as audited in ``run_id`` (only ``entry_ids`` if given)."""
    from auditor.store.facts_text import FactsReader

    read = FactsReader(store)
    wanted = set(entry_ids) if entry_ids is not None else None
    titles = {}
    for row in store.db.execute("SELECT entry_id, entry FROM results WHERE run_id = ?", (run_id,)):
        if wanted is None or row[0] in wanted:
            titles[row[0]] = str(read(row[1]).get("title") or row[0])
    return titles
