"""Audit history in SQLite: runs, results, spec snapshots, and what changed between runs.

Open a store with ``Store.open(path)`` (read) or ``Store.open(path,
write=True)`` (record; one writer at a time). What reports use:

- ``availability_stats(store, entry_id)``: uptime 24 h / 7 d / 30 d, latency
  percentiles, failure streaks;
- ``score_trends(store)``: per-entry scores over recent runs (sparklines);
- ``diff_runs(store, a, b).to_dict()``: the "what changed" structure;
- ``spec_snapshot(store, entry_id)``: the stored spec, its capture time and inventory;
- ``entry_timeline(store, entry_id)``: one entry across every run.
"""

from auditor.store.db import Store
from auditor.store.diff import RunDiff, diff_runs
from auditor.store.records import load_results
from auditor.store.runs import RunInfo, get_run, list_runs, resolve_run
from auditor.store.schema import SCHEMA_VERSION, StoreError
from auditor.store.stats import AvailabilityStats, availability_stats
from auditor.store.timeline import (
    SpecSnapshot,
    TimelinePoint,
    TrendPoint,
    entry_timeline,
    score_trends,
    spec_snapshot,
)

__all__ = [
    "SCHEMA_VERSION",
    "AvailabilityStats",
    "RunDiff",
    "RunInfo",
    "SpecSnapshot",
    "Store",
    "StoreError",
    "TimelinePoint",
    "TrendPoint",
    "availability_stats",
    "diff_runs",
    "entry_timeline",
    "get_run",
    "list_runs",
    "load_results",
    "resolve_run",
    "score_trends",
    "spec_snapshot",
]
