"""What changed between two runs: scores, tiers, axes, entries, and spec documents.

``diff_runs`` returns a ``RunDiff`` whose ``to_dict()`` is the "what changed"
structure reports render (its shape is documented in docs/history.md).
A spec change is BREAKING when a field or an operation the earlier document
had is gone from the later one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from auditor.store.codec import load_packed
from auditor.store.db import Store
from auditor.store.facts_text import FactsReader
from auditor.store.inventory import snapshot_inventory
from auditor.store.runs import RunInfo, list_runs, resolve_run
from auditor.store.schema import StoreError

EPSILON = 0.005


@dataclass(frozen=True, slots=True)
class AxisMove:
    axis: str
    before: float | None
    after: float | None

    @property
    def delta(self) -> float | None:
        if self.before is None or self.after is None:
            return None
        return round(self.after - self.before, 2)

    def to_dict(self) -> dict[str, Any]:
        return {"axis": self.axis, "before": self.before, "after": self.after, "delta": self.delta}


@dataclass(frozen=True, slots=True)
class EntryChange:
    entry_id: str
    title: str
    score_before: float | None
    score_after: float | None
    tier_before: str | None
    tier_after: str | None
    axes: tuple[AxisMove, ...]

    @property
    def score_delta(self) -> float | None:
        if self.score_before is None or self.score_after is None:
            return None
        return round(self.score_after - self.score_before, 2)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.entry_id,
            "title": self.title,
            "score": {
                "before": self.score_before,
                "after": self.score_after,
                "delta": self.score_delta,
            },
            "tier": {"before": self.tier_before, "after": self.tier_after},
            "axes": [move.to_dict() for move in self.axes],
        }


@dataclass(frozen=True, slots=True)
class EntrySummary:
    entry_id: str
    title: str
    score: float | None
    tier: str | None

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.entry_id, "title": self.title, "score": self.score, "tier": self.tier}


@dataclass(frozen=True, slots=True)
class SpecChange:
    entry_id: str
    sha_before: str | None
    sha_after: str | None
    fields_added: tuple[str, ...] = ()
    fields_removed: tuple[str, ...] = ()
    operations_added: tuple[str, ...] = ()
    operations_removed: tuple[str, ...] = ()
    inventory_known: bool = True
    """Both documents have a field inventory; when False only "it changed" is known."""

    @property
    def breaking(self) -> bool:
        return bool(self.fields_removed or self.operations_removed)

    @property
    def kind(self) -> str:
        if self.sha_before is None:
            return "captured"
        if self.sha_after is None:
            return "missing"
        return "changed"

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.entry_id,
            "kind": self.kind,
            "breaking": self.breaking,
            "sha256": {"before": self.sha_before, "after": self.sha_after},
            "inventory_known": self.inventory_known,
            "fields": {"added": list(self.fields_added), "removed": list(self.fields_removed)},
            "operations": {
                "added": list(self.operations_added),
                "removed": list(self.operations_removed),
            },
        }


@dataclass(frozen=True, slots=True)
class RunDiff:
    run_a: RunInfo
    run_b: RunInfo
    changed: tuple[EntryChange, ...]
    new: tuple[EntrySummary, ...]
    gone: tuple[EntrySummary, ...]
    spec_changes: tuple[SpecChange, ...]
    unchanged: int

    @property
    def breaking(self) -> tuple[SpecChange, ...]:
        return tuple(c for c in self.spec_changes if c.breaking)

    def to_dict(self) -> dict[str, Any]:
        return {
            "run_a": self.run_a.to_dict(),
            "run_b": self.run_b.to_dict(),
            "changed": [c.to_dict() for c in self.changed],
            "new": [e.to_dict() for e in self.new],
            "gone": [e.to_dict() for e in self.gone],
            "spec_changes": [c.to_dict() for c in self.spec_changes],
            "summary": {
                "changed": len(self.changed),
                "new": len(self.new),
                "gone": len(self.gone),
                "unchanged": self.unchanged,
                "spec_changes": len(self.spec_changes),
                "breaking": len(self.breaking),
            },
        }


@dataclass(frozen=True, slots=True)
class _Row:
    title: str
    score: float | None
    tier: str | None
    axes: dict[str, float | None]
    sha: str | None


def _rows(store: Store, run_id: int) -> dict[str, _Row]:
    rows: dict[str, _Row] = {}
    read = FactsReader(store)
    for row in store.db.execute(
        "SELECT entry_id, entry, score, tier, assessment, spec_sha256 FROM results WHERE run_id = ?",
        (run_id,),
    ):
        assessment = load_packed(row["assessment"]) or {}
        rows[row["entry_id"]] = _Row(
            title=str(read(row["entry"]).get("title") or row["entry_id"]),
            score=row["score"],
            tier=row["tier"],
            axes={a["id"]: a.get("score") for a in assessment.get("axes", [])},
            sha=row["spec_sha256"],
        )
    return rows


def _moved(before: float | None, after: float | None) -> bool:
    if before is None or after is None:
        return (before is None) != (after is None)
    return abs(after - before) >= EPSILON


def _inventory(store: Store, sha: str) -> dict[str, Any] | None:
    row = store.db.execute(
        "SELECT inventory, report FROM spec_snapshots WHERE sha256 = ?", (sha,)
    ).fetchone()
    found = snapshot_inventory(row[0], row[1]) if row is not None else None
    return found if found else None


def spec_change(store: Store, entry_id: str, before: str | None, after: str | None) -> SpecChange:
    if before is None or after is None:
        return SpecChange(entry_id, before, after, inventory_known=False)
    old, new = _inventory(store, before), _inventory(store, after)
    if old is None or new is None:
        return SpecChange(entry_id, before, after, inventory_known=False)

    def delta(key: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        a, b = set(old.get(key) or ()), set(new.get(key) or ())
        return tuple(sorted(b - a)), tuple(sorted(a - b))

    fields_added, fields_removed = delta("fields")
    operations_added, operations_removed = delta("operations")
    return SpecChange(
        entry_id, before, after, fields_added, fields_removed, operations_added, operations_removed
    )


def diff_runs(
    store: Store, run_a: str | int | None = None, run_b: str | int | None = None
) -> RunDiff:
    """Compare two runs; by default the latest finished run with the one before it."""
    b = resolve_run(store, run_b)
    if run_a is not None:
        a = resolve_run(store, run_a)
    else:
        earlier = [r for r in list_runs(store, finished=True) if r.id < b.id]
        if not earlier:
            raise StoreError(
                f"{store.path}: run {b.id} has no finished run before it to compare with"
            )
        a = earlier[-1]
    rows_a, rows_b = _rows(store, a.id), _rows(store, b.id)
    changed: list[EntryChange] = []
    specs: list[SpecChange] = []
    unchanged = 0
    for entry_id in sorted(rows_a.keys() & rows_b.keys()):
        old, new = rows_a[entry_id], rows_b[entry_id]
        moves = tuple(
            AxisMove(axis, old.axes.get(axis), new.axes.get(axis))
            for axis in dict.fromkeys([*old.axes, *new.axes])
            if _moved(old.axes.get(axis), new.axes.get(axis))
        )
        if moves or _moved(old.score, new.score) or old.tier != new.tier:
            changed.append(
                EntryChange(entry_id, new.title, old.score, new.score, old.tier, new.tier, moves)
            )
        else:
            unchanged += 1
        if old.sha != new.sha:
            specs.append(spec_change(store, entry_id, old.sha, new.sha))

    def summaries(rows: dict[str, _Row], ids: set[str]) -> tuple[EntrySummary, ...]:
        return tuple(
            EntrySummary(i, rows[i].title, rows[i].score, rows[i].tier) for i in sorted(ids)
        )

    return RunDiff(
        run_a=a,
        run_b=b,
        changed=tuple(changed),
        new=summaries(rows_b, rows_b.keys() - rows_a.keys()),
        gone=summaries(rows_a, rows_a.keys() - rows_b.keys()),
        spec_changes=tuple(specs),
        unchanged=unchanged,
    )
