"""Which runs a prune removes, decided on the ``runs`` table alone (see ``auditor.store.prune``).

The policy, the plan it gives, and the choice itself: the rows that go
with the chosen runs are counted afterwards by ``auditor.store.prune_rows``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from auditor.store.db import Store
from auditor.store.history import REPORT_WINDOW_DAYS
from auditor.store.runs import AUDIT, RunInfo, list_runs
from auditor.store.schema import StoreError
from auditor.store.session import DEFAULT_WINDOW_DAYS, days_before, iso, parse_iso


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
    old = days_before(now, policy.older_than_days) if policy.older_than_days else None
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
    # the report site reads 90 days back (uptime, strip, trends): keep those runs too
    window = max([DEFAULT_WINDOW_DAYS, REPORT_WINDOW_DAYS, *(r.window_days for r in runs)])
    start = days_before(now, window)
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
