"""Checking and planning a merge (``auditor merge``): which runs, which results, in which order.

Everything here reads the input stores and the target's run list and
writes nothing, so a refused merge (see ``auditor.store.merge``) leaves the
target untouched.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from auditor.store.db import Store
from auditor.store.runs import AUDIT, RunInfo, list_runs
from auditor.store.schema import StoreError

SHARD_PREFIX = "shard:"  # the marker auditor.scale.shard records among a shard run's sources

RESULT_COLUMNS = (
    "entry_id, position, entry, score, tier, assessment, finished_at, findings_run, spec_sha256"
)


@dataclass(frozen=True, slots=True)
class Duplicate:
    entry_id: str
    kept_from: str
    dropped_from: str
    same_score: bool


@dataclass(frozen=True, slots=True)
class MergePlan:
    """What a merge will write, decided before the target is touched."""

    chosen: tuple[tuple[Store, RunInfo], ...]
    """Each input store with the run it contributes, in the order given."""
    sources: tuple[str, ...]
    """The merged run's sources: every input's, once each, shard markers left out."""
    rows: tuple[tuple[int, sqlite3.Row], ...]
    """(input index, result row) in the merged run's order: catalog position, then input."""
    duplicates: tuple[Duplicate, ...]
    shards: tuple[str, ...]
    missing_shards: tuple[str, ...]
    notes: tuple[str, ...]


def latest_audit_run(store: Store) -> RunInfo:
    """The run an input store contributes: its latest audit run, which must be finished."""
    runs = list_runs(store, kind=AUDIT)
    if not runs:
        raise StoreError(f"{store.path}: no audit run to merge")
    latest = runs[-1]
    if not latest.finished:
        raise StoreError(
            f"{store.path}: its latest run ({latest.id}, started {latest.started_at}) is "
            "unfinished; complete it with the same `auditor audit ... --resume` first"
        )
    return latest


def _identity(run: RunInfo) -> tuple[str, str | None, tuple[str, ...]]:
    return (run.started_at, run.finished_at, run.sources)


def _provenance(run: RunInfo) -> list[dict[str, Any]]:
    merged = run.counts.get("merged_from")
    return [item for item in merged if isinstance(item, dict)] if isinstance(merged, list) else []


def _check_inputs(target: Store, chosen: Sequence[tuple[Store, RunInfo]]) -> list[str]:
    """Refuse what cannot be merged honestly; return notes on what can."""
    scored = {(r.methodology_id, r.methodology_version) for _, r in chosen}
    if len(scored) > 1:
        listed = "; ".join(
            f"{s.path} run {r.id}: {r.methodology_id} {r.methodology_version}" for s, r in chosen
        )
        raise StoreError(
            f"refusing to merge runs scored under different methodologies ({listed}); "
            "their scores cannot be compared (`auditor rescore` them under one first)"
        )
    windows = {r.window_days for _, r in chosen}
    if len(windows) > 1:
        listed = "; ".join(f"{s.path} run {r.id}: {r.window_days:g} days" for s, r in chosen)
        raise StoreError(
            f"refusing to merge runs with different availability windows ({listed}); "
            "audit every shard with the same --window"
        )
    held: dict[tuple[str, str | None, tuple[str, ...]], int] = {}
    for run in list_runs(target):
        held[_identity(run)] = run.id
        for item in _provenance(run):
            finished = item.get("finished_at")
            key = (
                str(item.get("started_at")),
                str(finished) if finished is not None else None,
                tuple(str(s) for s in item.get("sources") or ()),
            )
            held.setdefault(key, run.id)
    for store, run in chosen:
        if _identity(run) in held:
            raise StoreError(
                f"{store.path}: its latest run ({run.id}, started {run.started_at}) is already "
                f"in {target.path} as run {held[_identity(run)]}; was this shard audited again?"
            )
    notes = []
    versions = sorted({r.auditor_version for _, r in chosen})
    if len(versions) > 1:
        notes.append(f"the runs were recorded by different auditor versions: {', '.join(versions)}")
    return notes


def _shards(runs: Iterable[RunInfo]) -> tuple[tuple[str, ...], tuple[str, ...], list[str]]:
    """Shards present, shards missing (when every input is a shard of the same N), notes."""
    found: list[tuple[int, int]] = []
    plain = 0
    for run in runs:
        marks = [s[len(SHARD_PREFIX) :] for s in run.sources if s.startswith(SHARD_PREFIX)]
        if not marks:
            plain += 1
            continue
        k, _, n = marks[0].partition("/")
        if k.isdigit() and n.isdigit():
            found.append((int(k), int(n)))
    present = tuple(f"{k}/{n}" for k, n in sorted(set(found)))
    counts = {n for _, n in found}
    notes = []
    if len(counts) > 1:
        notes.append(f"the shards come from different splits: {', '.join(present)}")
    if len(counts) != 1 or plain:
        return present, (), notes
    total = counts.pop()
    missing = tuple(f"{k}/{total}" for k in range(1, total + 1) if (k, total) not in set(found))
    if missing:
        notes.append(
            f"shard(s) {', '.join(missing)} not merged: the run covers part of the catalog"
        )
    repeated = sorted({f"{k}/{n}" for k, n in found if found.count((k, n)) > 1})
    if repeated:
        notes.append(f"shard(s) {', '.join(repeated)} given more than once")
    return present, missing, notes


def _validate(
    target: Store, inputs: Sequence[Store], partial: bool
) -> tuple[list[tuple[Store, RunInfo]], tuple[str, ...], tuple[str, ...], list[str]]:
    """The runs to merge, their shards present and missing, and notes; StoreError if refused."""
    target.require_writer()
    if not inputs:
        raise StoreError("give at least one store to merge")
    chosen = [(store, latest_audit_run(store)) for store in inputs]
    notes = _check_inputs(target, chosen)
    shards, missing, shard_notes = _shards(run for _, run in chosen)
    notes.extend(shard_notes)
    if missing and not partial:
        raise StoreError(
            f"shard(s) {', '.join(missing)} missing from the stores given; merge every shard "
            "(or pass --partial to record a run that covers part of the catalog)"
        )
    return chosen, shards, missing, notes


def plan_merge(target: Store, inputs: Sequence[Store], *, partial: bool = False) -> MergePlan:
    """Check the inputs and decide which results go where; reads the inputs, writes nothing."""
    chosen, shards, missing, notes = _validate(target, inputs, partial)
    sources: list[str] = []
    for _, run in chosen:
        sources.extend(
            s for s in run.sources if not s.startswith(SHARD_PREFIX) and s not in sources
        )
    kept: dict[str, tuple[str, float | None]] = {}
    duplicates: list[Duplicate] = []
    rows: list[tuple[int, int, sqlite3.Row]] = []  # (position, input, row)
    for index, (store, run) in enumerate(chosen):
        for row in store.db.execute(
            f"SELECT {RESULT_COLUMNS} FROM results WHERE run_id = ? ORDER BY position",
            (run.id,),
        ):
            entry_id = row["entry_id"]
            if entry_id in kept:
                origin, score = kept[entry_id]
                duplicates.append(
                    Duplicate(entry_id, origin, str(store.path), score == row["score"])
                )
                continue
            kept[entry_id] = (str(store.path), row["score"])
            rows.append((row["position"], index, row))
    rows.sort(key=lambda item: (item[0], item[1]))
    return MergePlan(
        chosen=tuple(chosen),
        sources=tuple(sources),
        rows=tuple((index, row) for _, index, row in rows),
        duplicates=tuple(duplicates),
        shards=shards,
        missing_shards=missing,
        notes=tuple(notes),
    )
