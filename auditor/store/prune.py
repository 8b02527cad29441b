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
tomorrow's scores, and one inside the 90 days the report site shows would
thin its uptime and trends, so it is refused (``PruneRefused``) unless
``force``; the window taken is the longer of the report's 90 days and the
largest ``window_days`` any run of the store recorded.

Then what no remaining row refers to is collected: spec snapshots (referred
to by ``results.spec_sha256``), blobs (referred to as ``{"$auditor.blob":
sha}`` by ``results.entry`` and ``findings.facts``) and the HTTP validators
whose document is no longer kept (they would send an ETag for a copy the
store no longer has). Everything happens in one transaction under the
writer lock, so a killed prune leaves the store as it was; the same
statements, rolled back, give the dry run its figures.

``prune_select`` chooses the runs, ``prune_rows`` stages, counts and
deletes the rows; this module runs both in one transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from auditor.store.db import Store
from auditor.store.prune_rows import count_rows, delete_rows, stage, unstage
from auditor.store.prune_select import PrunePlan, PrunePolicy, Removed, select_runs
from auditor.store.schema import StoreError
from auditor.store.transaction import transaction

__all__ = [
    "PrunePlan",
    "PrunePolicy",
    "PruneRefused",
    "Removed",
    "id_ranges",
    "plan_prune",
    "prune",
    "refusal",
    "select_runs",
    "store_size",
    "vacuum",
]


class PruneRefused(StoreError):
    """Pruning would remove runs a future run still reads; the plan says which."""

    def __init__(self, message: str, plan: PrunePlan) -> None:
        super().__init__(message)
        self.plan = plan


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


def refusal(store: Store, plan: PrunePlan) -> str:
    """Why a prune inside the availability window is refused, and what to do instead."""
    return (
        f"{store.path}: refusing to prune run(s) {id_ranges(plan.inside_window)}: they are "
        f"inside the {plan.window_days:.10g}-day availability window (since {plan.window_start}: "
        "the 90 days `auditor report --store` shows, or the largest --window of the store's "
        "runs when longer), so the report would show, and the next run score, availability "
        f"over fewer verifications; prune with --older-than {plan.window_days:.10g}d, keep more "
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
    try:
        with transaction(db, dry_run=True):
            plan = select_runs(store, policy, _now(now))
            stage(db, plan.removed_runs)
            removed = count_rows(db)
    finally:
        unstage(db)
    return replace(plan, removed=removed)


def prune(store: Store, policy: PrunePolicy, *, now: datetime | None = None) -> PrunePlan:
    """Remove the runs ``policy`` selects and everything only they referred to, atomically.

    Raises ``PruneRefused`` (nothing changed) when a run to remove is inside
    the availability window and ``policy.force`` is not set.
    """
    store.require_writer()
    db = store.db
    try:
        with transaction(db):
            plan = select_runs(store, policy, _now(now))
            stage(db, plan.removed_runs)
            counted = replace(plan, removed=count_rows(db))
            if plan.inside_window and not policy.force:
                raise PruneRefused(refusal(store, counted), counted)
            removed = delete_rows(db, counted.removed.bytes_estimate)
    finally:
        unstage(db)
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
