"""Merging runs from several stores into one run of another: ``auditor merge``.

The shards of a CI matrix each record their part of the catalog in a store
of their own; merged, they are one run, as if one machine had audited the
whole catalog, and ``auditor diff``, ``history`` and ``rescore`` work on it.

What is copied: from each input store its latest audit run, which must be
finished (a newer unfinished run is a shard that died: merging the one
before it would pass last night's results off as tonight's). Results and
their findings are copied as recorded: scores are never recomputed. Spec
snapshots are kept once per sha256 (a document several shards fetched is
one snapshot, its earliest capture), with the HTTP validators of their URLs,
so the next run can still send ETags. Large facts stored by hash come along.

What is refused: runs scored under different methodologies or availability
windows (their scores are not comparable), and a run the target already
holds (merging twice would double it). An entry found in more than one
input is kept once, from the first input, and reported.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from auditor.store.codec import dumps, loads
from auditor.store.db import Store
from auditor.store.records import BLOB_KEY
from auditor.store.runs import AUDIT, RunInfo, get_run, list_runs, run_counts
from auditor.store.schema import StoreError

SHARD_PREFIX = "shard:"  # the marker auditor.scale.shard records among a shard run's sources


@dataclass(frozen=True, slots=True)
class MergedInput:
    store: str
    run: RunInfo
    entries: int
    """Entries taken from this run (its duplicates of earlier inputs left out)."""


@dataclass(frozen=True, slots=True)
class Duplicate:
    entry_id: str
    kept_from: str
    dropped_from: str
    same_score: bool


@dataclass(frozen=True, slots=True)
class MergeReport:
    run: RunInfo
    inputs: tuple[MergedInput, ...]
    duplicates: tuple[Duplicate, ...]
    snapshots_added: int
    snapshots_known: int
    shards: tuple[str, ...]
    missing_shards: tuple[str, ...]
    notes: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "run": self.run.to_dict(),
            "inputs": [
                {"store": i.store, "run": i.run.id, "entries": i.entries} for i in self.inputs
            ],
            "duplicates": [
                {
                    "id": d.entry_id,
                    "kept_from": d.kept_from,
                    "dropped_from": d.dropped_from,
                    "same_score": d.same_score,
                }
                for d in self.duplicates
            ],
            "spec_snapshots": {"added": self.snapshots_added, "already_held": self.snapshots_known},
            "shards": list(self.shards),
            "missing_shards": list(self.missing_shards),
            "notes": list(self.notes),
        }


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


def _copy_blob(source: sqlite3.Connection, target: sqlite3.Connection, text: str | None) -> None:
    """Copy the shared blob a stored JSON text refers to, if it is such a reference."""
    if not text or BLOB_KEY not in text:
        return
    data = loads(text)
    if isinstance(data, dict) and len(data) == 1 and isinstance(data.get(BLOB_KEY), str):
        row = source.execute("SELECT data FROM blobs WHERE sha256 = ?", (data[BLOB_KEY],))
        found = row.fetchone()
        if found is not None:
            target.execute(
                "INSERT OR IGNORE INTO blobs (sha256, data) VALUES (?, ?)",
                (data[BLOB_KEY], found[0]),
            )


def _copy_snapshot(source: sqlite3.Connection, target: sqlite3.Connection, sha: str) -> bool:
    """Copy one spec snapshot and its URL's validators; True when the target lacked it."""
    row = source.execute("SELECT * FROM spec_snapshots WHERE sha256 = ?", (sha,)).fetchone()
    if row is None:
        return False
    have = target.execute(
        "SELECT captured_at, body IS NOT NULL, report IS NOT NULL FROM spec_snapshots "
        "WHERE sha256 = ?",
        (sha,),
    ).fetchone()
    added = have is None
    if added:
        columns = row.keys()
        target.execute(
            f"INSERT INTO spec_snapshots ({', '.join(columns)}) "
            f"VALUES ({', '.join('?' for _ in columns)})",
            tuple(row),
        )
    else:
        captured, has_body, has_report = have
        if row["captured_at"] < captured:
            target.execute(
                "UPDATE spec_snapshots SET captured_at = ?, url = COALESCE(url, ?) "
                "WHERE sha256 = ?",
                (row["captured_at"], row["url"], sha),
            )
        if not has_body and row["body"] is not None:
            target.execute(
                "UPDATE spec_snapshots SET body = ? WHERE sha256 = ?", (row["body"], sha)
            )
        if not has_report and row["report"] is not None:
            target.execute(
                "UPDATE spec_snapshots SET report = ?, validator = ? WHERE sha256 = ?",
                (row["report"], row["validator"], sha),
            )
    for validator in source.execute("SELECT * FROM http_validators WHERE sha256 = ?", (sha,)):
        target.execute(
            """INSERT INTO http_validators (url, etag, last_modified, sha256, updated_at)
               VALUES (?, ?, ?, ?, ?)
               ON CONFLICT(url) DO UPDATE SET etag = excluded.etag,
                   last_modified = excluded.last_modified, sha256 = excluded.sha256,
                   updated_at = excluded.updated_at
               WHERE excluded.updated_at > http_validators.updated_at""",
            tuple(validator),
        )
    return added


_RESULT_COLUMNS = (
    "entry_id, position, entry, score, tier, assessment, finished_at, findings_run, spec_sha256"
)
_FINDING_COLUMNS = (
    "entry_id, check_id, outcome, message, probe, subject, facts, observed_at, latency_ms"
)


def merge_runs(target: Store, inputs: Sequence[Store], *, partial: bool = False) -> MergeReport:
    """Merge the latest audit run of each of ``inputs`` into one new run of ``target``.

    All or nothing: one transaction on the target. Raises StoreError for
    what cannot be merged (see the module docstring), and for shards of a
    split that are missing unless ``partial`` (the run would then look like
    the whole catalog to ``auditor diff``, every missing entry "gone").
    """
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
    first = chosen[0][1]
    sources: list[str] = []
    for _, run in chosen:
        sources.extend(
            s for s in run.sources if not s.startswith(SHARD_PREFIX) and s not in sources
        )
    db = target.db
    kept: dict[str, tuple[str, float | None]] = {}
    duplicates: list[Duplicate] = []
    rows: list[tuple[int, int, sqlite3.Row]] = []  # (position, input, row)
    for index, (store, run) in enumerate(chosen):
        for row in store.db.execute(
            f"SELECT {_RESULT_COLUMNS} FROM results WHERE run_id = ? ORDER BY position",
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
    taken = [0] * len(chosen)
    added = known = 0
    db.execute("BEGIN IMMEDIATE")
    try:
        cursor = db.execute(
            """INSERT INTO runs (sources, methodology_id, methodology_version, auditor_version,
                   started_at, finished_at, entry_count, kind, window_days)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (
                dumps(sources),
                first.methodology_id,
                first.methodology_version,
                first.auditor_version,
                min(r.started_at for _, r in chosen),
                max(r.finished_at or "" for _, r in chosen),
                len(rows),
                AUDIT,
                first.window_days,
            ),
        )
        run_id = cursor.lastrowid
        assert run_id is not None
        snapshots: set[str] = set()
        for position, (_, index, row) in enumerate(rows):
            source = chosen[index][0].db
            taken[index] += 1
            _copy_blob(source, db, row["entry"])
            db.execute(
                f"INSERT INTO results (run_id, {_RESULT_COLUMNS}) VALUES ({', '.join('?' * 10)})",
                (run_id, row["entry_id"], position, *tuple(row)[2:7], run_id, row["spec_sha256"]),
            )
            for finding in source.execute(
                f"SELECT {_FINDING_COLUMNS} FROM findings WHERE run_id = ? AND entry_id = ? "
                "ORDER BY id",
                (row["findings_run"], row["entry_id"]),
            ):
                _copy_blob(source, db, finding["facts"])
                db.execute(
                    f"INSERT INTO findings (run_id, {_FINDING_COLUMNS}) "
                    f"VALUES ({', '.join('?' * 10)})",
                    (run_id, *tuple(finding)),
                )
            sha = row["spec_sha256"]
            if sha and sha not in snapshots:
                snapshots.add(sha)
                if _copy_snapshot(source, db, sha):
                    added += 1
                else:
                    known += 1
        counts = run_counts(target, run_id) | {
            "merged_from": [
                {
                    "store": str(store.path),
                    "run": run.id,
                    "started_at": run.started_at,
                    "finished_at": run.finished_at,
                    "sources": list(run.sources),
                }
                for store, run in chosen
            ]
        }
        db.execute("UPDATE runs SET counts = ? WHERE id = ?", (dumps(counts), run_id))
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    merged = tuple(
        MergedInput(str(store.path), run, taken[i]) for i, (store, run) in enumerate(chosen)
    )
    return MergeReport(
        get_run(target, run_id),
        merged,
        tuple(duplicates),
        added,
        known,
        shards,
        missing,
        tuple(notes),
    )
