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

In three steps: ``merge_plan`` checks the inputs and decides what goes
where (reading only), ``merge_write`` records the plan in one transaction,
and ``merge_runs`` here reports what was done.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from auditor.store.db import Store
from auditor.store.merge_plan import Duplicate, latest_audit_run, plan_merge
from auditor.store.merge_write import write_merge
from auditor.store.runs import RunInfo, get_run

__all__ = ["Duplicate", "MergeReport", "MergedInput", "latest_audit_run", "merge_runs"]


@dataclass(frozen=True, slots=True)
class MergedInput:
    store: str
    run: RunInfo
    entries: int
    """Entries taken from this run (its duplicates of earlier inputs left out)."""


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


def merge_runs(target: Store, inputs: Sequence[Store], *, partial: bool = False) -> MergeReport:
    """Merge the latest audit run of each of ``inputs`` into one new run of ``target``.

    All or nothing: one transaction on the target. Raises StoreError for
    what cannot be merged (see the module docstring), and for shards of a
    split that are missing unless ``partial`` (the run would then look like
    the whole catalog to ``auditor diff``, every missing entry "gone").
    """
    plan = plan_merge(target, inputs, partial=partial)
    written = write_merge(target, plan)
    merged = tuple(
        MergedInput(str(store.path), run, written.taken[i])
        for i, (store, run) in enumerate(plan.chosen)
    )
    return MergeReport(
        get_run(target, written.run_id),
        merged,
        plan.duplicates,
        written.snapshots_added,
        written.snapshots_known,
        plan.shards,
        plan.missing_shards,
        plan.notes,
    )
