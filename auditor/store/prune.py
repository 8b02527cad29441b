"""Pruning old runs, so a store that records a run every night stops growing without bound.

Which runs go is decided on the ``runs`` table alone (small): ``--keep-runs
N`` keeps the N most recent finished runs and everything started after the
oldest of them; ``--older-than D`` removes runs whose last activity is older
than D; given both, a run goes only when both let it go. Some runs are never
chosen, whatever the options:

- the newest finished run, and the newest finished audit run when a rescore
  came after it (``diff``, trends and the next run start from them);
- unfinished audit runs, which ``--resume`` can still continue, unless
  ``unfinished`` is asked for explicitly;
- runs a kept run reads: a rescore's findings stay with the run that observed
  them (``results.findings_run``) and ``runs.rescore_of`` names its source.

Pruning a run inside the availability window a future run reads would change
tomorrow's scores, so it is refused (``PruneRefused``) unless ``force``; the
window taken is the largest ``window_days`` any run of the store recorded.

Then what no remaining row refers to is collected: spec snapshots (referred
to by ``results.spec_sha256``), blobs (referred to as ``{"$auditor.blob":
sha}`` by ``results.entry`` and ``findings.facts``) and the HTTP validators
whose document is no longer kept (they would send an ETag for a copy the
store no longer has). Everything happens in one transaction under the
writer lock, so a killed prune leaves the store as it was; the same
statements, rolled back, give the dry run its figures.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from auditor.store.codec import dumps
from auditor.store.db import Store
from auditor.store.records import BLOB_KEY
from auditor.store.runs import AUDIT, RunInfo, list_runs
from auditor.store.schema import StoreError
from auditor.store.session import DEFAULT_WINDOW_DAYS, iso, parse_iso

_BLOB_PREFIX = "{" + dumps(BLOB_KEY) + ":"  # how facts_text writes a reference
_BLOB_PATH = '$."' + BLOB_KEY + '"'

# What goes from each table, once temp.prune_runs holds the runs removed and
# temp.prune_keep_specs / temp.prune_keep_blobs what the remaining rows refer to.
# Each entry: (table, WHERE clause, estimated bytes per row as an SQL expression).
# The estimate is the stored values plus a rough allowance for keys and indexes.
_TARGETS: tuple[tuple[str, str, str], ...] = (
    (
        "findings",
        "run_id IN (SELECT id FROM temp.prune_runs)",
        "length(facts) + length(message) + length(probe) + 2 * length(check_id)"
        " + 3 * length(entry_id) + ifnull(length(subject), 0) + 2 * length(observed_at) + 48",
    ),
    (
        "results",
        "run_id IN (SELECT id FROM temp.prune_runs)",
        "length(entry) + length(assessment) + 3 * length(entry_id) + length(finished_at)"
        " + 2 * ifnull(length(spec_sha256), 0) + 48",
    ),
    (
        "runs",
        "id IN (SELECT id FROM temp.prune_runs)",
        "length(sources) + ifnull(length(counts), 0) + 160",
    ),
    (
        "http_validators",
        "sha256 IS NULL OR sha256 NOT IN (SELECT s.sha256 FROM spec_snapshots s"
        " JOIN temp.prune_keep_specs k ON k.sha256 = s.sha256)",
        "2 * length(url) + ifnull(length(etag), 0) + ifnull(length(last_modified), 0) + 112",
    ),
    (
        "spec_snapshots",
        "sha256 NOT IN (SELECT sha256 FROM temp.prune_keep_specs)",
        "ifnull(length(body), 0) + ifnull(length(report), 0) + length(inventory)"
        " + ifnull(length(url), 0) + 200",
    ),
    (
        "blobs",
        "sha256 NOT IN (SELECT sha256 FROM temp.prune_keep_blobs)",
        "length(data) + 140",
    ),
)


class PruneRefused(StoreError):
    """Pruning would remove runs a future run still reads; the plan says which."""

    def __init__(self, message: str, plan: PrunePlan) -> None:
        super().__init__(message)
        self.plan = plan


@dataclass(frozen=True, slots=True)
class PrunePolicy:
    """What to prune: at least one of ``keep_runs`` and ``older_than_days``."""

    keep_runs: int | None = None
    older_than_days: float | None = None
    unfinished: bool = False
    """Also remove unfinished audit runs the other options select (--resume could continue them)."""
    force: bool = False
    """Remove runs inside the availability window too."""

    def check(self) -> None:
        if self.keep_runs is None and self.older_than_days is None:
            raise StoreError("say what to prune: --keep-runs N, --older-than DURATION, or both")
        if self.keep_runs is not None and self.keep_runs < 1:
            raise StoreError("--keep-runs must be at least 1: the newest finished run is kept")
        if self.older_than_days is not None and self.older_than_days <= 0:
            raise StoreError("--older-than must be a positive duration such as 90d")


@dataclass(frozen=True, slots=True)
class Removed:
    """Rows that go per table, and a rough estimate of the bytes they hold."""

    runs: int = 0
    results: int = 0
    findings: int = 0
    spec_snapshots: int = 0
    blobs: int = 0
    http_validators: int = 0
    bytes_estimate: int = 0

    def rows(self) -> dict[str, int]:
        return {
            "runs": self.runs,
            "results": self.results,
            "findings": self.findings,
            "spec_snapshots": self.spec_snapshots,
            "blobs": self.blobs,
            "http_validators": self.http_validators,
        }


@dataclass(frozen=True, slots=True)
class PrunePlan:
    """Which runs go and stay, and what goes with them; ``applied`` once committed."""

    removed_runs: tuple[int, ...]
    kept_runs: tuple[int, ...]
    dependencies: tuple[int, ...]
    """Kept only because a kept run reads them (a rescore's source)."""
    unfinished_kept: tuple[int, ...]
    """Unfinished audit runs the options selected but that were kept for --resume."""
    window_days: float
    window_start: str
    inside_window: tuple[int, ...]
    """Runs to remove whose last activity is inside the window: pruning them needs force."""
    removed: Removed
    applied: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "runs": {
                "removed": list(self.removed_runs),
                "kept": list(self.kept_runs),
                "kept_as_dependencies": list(self.dependencies),
                "kept_unfinished": list(self.unfinished_kept),
                "inside_window": list(self.inside_window),
            },
            "window": {"days": self.window_days, "start": self.window_start},
            "removed": self.removed.rows(),
            "bytes_estimate": self.removed.bytes_estimate,
            "applied": self.applied,
        }


def store_size(path: Path) -> int:
    """Bytes the store takes on disk: the file and any write-ahead log beside it."""
    total = 0
    for one in (path, path.with_name(path.name + "-wal")):
        if one.is_file():
            total += one.stat().st_size
    return total


def id_ranges(ids: Iterable[int]) -> str:
    """``1-12, 15, 17-18``: run ids in a line a person can read."""
    ordered = sorted(set(ids))
    parts: list[str] = []
    start = previous = None
    for one in [*ordered, None]:
        if one is not None and previous is not None and one == previous + 1:
            previous = one
            continue
        if start is not None and previous is not None:
            parts.append(str(start) if start == previous else f"{start}-{previous}")
        start = previous = one
    return ", ".join(parts)


def _moment(text: str | None) -> datetime | None:
    try:
        return parse_iso(text) if text else None
    except ValueError:
        return None


def _last_activity(store: Store, run: RunInfo) -> datetime | None:
    """When the run last recorded something: its end, else its last result, else its start."""
    if run.finished_at is not None:
        return _moment(run.finished_at)
    row = store.db.execute(
        "SELECT MAX(finished_at) FROM results WHERE run_id = ?", (run.id,)
    ).fetchone()
    return _moment(row[0]) or _moment(run.started_at)


def _after(moment: datetime | None, start: datetime) -> bool:
    """At or after ``start``; a run whose time cannot be read counts as recent (kept safe)."""
    return moment is None or moment >= start


def _protected(runs: Sequence[RunInfo]) -> set[int]:
    finished = [r for r in runs if r.finished]
    audits = [r for r in finished if r.kind == AUDIT]
    return {newest[-1].id for newest in (finished, audits) if newest}


def _dependencies(store: Store, runs: Sequence[RunInfo]) -> dict[int, set[int]]:
    """Per run, the runs it reads: its rescore source and where its findings are kept."""
    needs: dict[int, set[int]] = {r.id: ({r.rescore_of} if r.rescore_of else set()) for r in runs}
    for run_id, source in store.db.execute(
        "SELECT DISTINCT run_id, findings_run FROM results "
        "WHERE findings_run IS NOT NULL AND findings_run != run_id"
    ):
        needs.setdefault(run_id, set()).add(source)
    return needs


def select_runs(store: Store, policy: PrunePolicy, now: datetime) -> PrunePlan:
    """Decide which runs go (the rows that go with them are counted later)."""
    policy.check()
    runs = list_runs(store)
    finished = [r for r in runs if r.finished]
    protected = _protected(runs)
    keep = policy.keep_runs
    cutoff = finished[-keep].id if keep is not None and len(finished) >= keep else None
    old = now - timedelta(days=policy.older_than_days) if policy.older_than_days else None
    activity = {r.id: _last_activity(store, r) for r in runs}
    chosen: set[int] = set()
    unfinished_kept: list[int] = []
    for run in runs:
        if run.id in protected:
            continue
        if keep is not None and (cutoff is None or run.id >= cutoff):
            continue
        if old is not None and _after(activity[run.id], old):
            continue
        if run.kind == AUDIT and not run.finished and not policy.unfinished:
            unfinished_kept.append(run.id)
            continue
        chosen.add(run.id)
    needs = _dependencies(store, runs)
    dependencies: set[int] = set()
    todo = [r.id for r in runs if r.id not in chosen]
    while todo:
        for source in needs.get(todo.pop(), ()):
            if source in chosen:
                chosen.discard(source)
                dependencies.add(source)
                todo.append(source)
    window = max((r.window_days for r in runs), default=DEFAULT_WINDOW_DAYS)
    start = now - timedelta(days=window)
    inside = [i for i in sorted(chosen) if _after(activity[i], start)]
    return PrunePlan(
        removed_runs=tuple(sorted(chosen)),
        kept_runs=tuple(r.id for r in runs if r.id not in chosen),
        dependencies=tuple(sorted(dependencies)),
        unfinished_kept=tuple(unfinished_kept),
        window_days=window,
        window_start=iso(start),
        inside_window=tuple(inside),
        removed=Removed(),
    )


def _stage(db: sqlite3.Connection, removed: Sequence[int]) -> None:
    """Fill the temp tables: the runs that go, and what the rows that stay refer to."""
    for statement in (
        "DROP TABLE IF EXISTS temp.prune_runs",
        "DROP TABLE IF EXISTS temp.prune_keep_specs",
        "DROP TABLE IF EXISTS temp.prune_keep_blobs",
        "CREATE TEMP TABLE prune_runs (id INTEGER PRIMARY KEY)",
        "CREATE TEMP TABLE prune_keep_specs (sha256 TEXT PRIMARY KEY NOT NULL)",
        "CREATE TEMP TABLE prune_keep_blobs (sha256 TEXT PRIMARY KEY NOT NULL)",
    ):
        db.execute(statement)
    db.executemany("INSERT INTO temp.prune_runs (id) VALUES (?)", [(i,) for i in removed])
    staying = "run_id NOT IN (SELECT id FROM temp.prune_runs)"
    db.execute(
        "INSERT OR IGNORE INTO temp.prune_keep_specs SELECT spec_sha256 FROM results "
        f"WHERE spec_sha256 IS NOT NULL AND {staying}"
    )
    for table, column in (("results", "entry"), ("findings", "facts")):
        # A reference is a whole JSON text {"$auditor.blob": sha} (records.facts_text).
        db.execute(
            f"""INSERT OR IGNORE INTO temp.prune_keep_blobs
                SELECT json_extract({column}, ?) FROM {table}
                WHERE substr({column}, 1, ?) = ? AND {staying} AND json_valid({column})
                  AND json_type({column}, ?) = 'text'""",
            (_BLOB_PATH, len(_BLOB_PREFIX), _BLOB_PREFIX, _BLOB_PATH),
        )


def _count(db: sqlite3.Connection) -> Removed:
    counts: dict[str, int] = {}
    size = 0
    for table, where, row_bytes in _TARGETS:
        rows, total = db.execute(
            f"SELECT COUNT(*), ifnull(SUM({row_bytes}), 0) FROM {table} WHERE {where}"
        ).fetchone()
        counts[table] = int(rows)
        size += int(total)
    return Removed(**counts, bytes_estimate=size)


def _delete(db: sqlite3.Connection, estimate: int) -> Removed:
    counts = {
        table: db.execute(f"DELETE FROM {table} WHERE {where}").rowcount
        for table, where, _ in _TARGETS
    }
    return Removed(**counts, bytes_estimate=estimate)


def _unstage(db: sqlite3.Connection) -> None:
    for table in ("prune_runs", "prune_keep_specs", "prune_keep_blobs"):
        db.execute(f"DROP TABLE IF EXISTS temp.{table}")


def refusal(store: Store, plan: PrunePlan) -> str:
    """Why a prune inside the availability window is refused, and what to do instead."""
    return (
        f"{store.path}: refusing to prune run(s) {id_ranges(plan.inside_window)}: they are "
        f"inside the {plan.window_days:g}-day availability window (since {plan.window_start}, "
        "the largest --window of the store's runs), so the next run would score availability "
        f"over fewer verifications; prune with --older-than {plan.window_days:g}d, keep more "
        "runs, or pass --force"
    )


def _now(now: datetime | None) -> datetime:
    return now.astimezone(UTC) if now is not None else datetime.now(UTC)


def plan_prune(store: Store, policy: PrunePolicy, *, now: datetime | None = None) -> PrunePlan:
    """What ``prune`` would remove, computed by the same statements and changing nothing.

    Needs no writer lock: it reads one consistent snapshot (a read
    transaction) and writes only temp tables, dropped at the end.
    """
    db = store.db
    db.execute("BEGIN")
    try:
        plan = select_runs(store, policy, _now(now))
        _stage(db, plan.removed_runs)
        removed = _count(db)
    finally:
        db.execute("ROLLBACK")
        _unstage(db)
    return replace(plan, removed=removed)


def prune(store: Store, policy: PrunePolicy, *, now: datetime | None = None) -> PrunePlan:
    """Remove the runs ``policy`` selects and everything only they referred to, atomically.

    Raises ``PruneRefused`` (nothing changed) when a run to remove is inside
    the availability window and ``policy.force`` is not set.
    """
    store.require_writer()
    db = store.db
    db.execute("BEGIN IMMEDIATE")
    try:
        plan = select_runs(store, policy, _now(now))
        _stage(db, plan.removed_runs)
        counted = replace(plan, removed=_count(db))
        if plan.inside_window and not policy.force:
            raise PruneRefused(refusal(store, counted), counted)
        removed = _delete(db, counted.removed.bytes_estimate)
        _unstage(db)
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        _unstage(db)
        raise
    return replace(plan, removed=removed, applied=True)


def vacuum(store: Store) -> None:
    """Rewrite the file without its free pages, and fold the WAL back in, to shrink it on disk.

    While it runs it needs free disk space about the size of the store twice:
    SQLite builds a compacted copy in the temporary folder, then writes it back
    through the write-ahead log beside the store (measured: 944 MB extra for a
    store compacted to 470 MB).
    """
    store.require_writer()
    store.db.execute("VACUUM")
    store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
