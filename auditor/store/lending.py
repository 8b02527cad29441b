"""What a store can lend a run whose entries are audited on other machines (Dask workers).

A worker has no store: the client looks up, per entry, the spec document it
had last time, so the stored analysis travels with the work (an unchanged
document is not validated again), and which documents the store already
holds, so a worker does not send those back.
"""

from __future__ import annotations

from collections.abc import Iterable

from auditor.store.db import Store

_BATCH = 500  # SQLite's default limit on bound parameters is far above this


def _batches(items: list[str]) -> Iterable[list[str]]:
    for start in range(0, len(items), _BATCH):
        yield items[start : start + _BATCH]


def last_spec_sha256(store: Store, entry_ids: Iterable[str]) -> dict[str, str]:
    """Each entry's most recently recorded spec document (sha256), where there is one."""
    found: dict[str, str] = {}
    for batch in _batches(sorted(set(entry_ids))):
        marks = ", ".join("?" for _ in batch)
        rows = store.db.execute(
            f"""SELECT entry_id, spec_sha256 FROM results
                WHERE entry_id IN ({marks}) AND spec_sha256 IS NOT NULL
                ORDER BY run_id""",
            batch,
        )
        for entry_id, sha in rows:
            found[entry_id] = sha  # later runs overwrite earlier ones
    return found


def stored_bodies(store: Store, shas: Iterable[str]) -> set[str]:
    """The documents among ``shas`` whose body the store already keeps."""
    held: set[str] = set()
    for batch in _batches(sorted(set(shas))):
        marks = ", ".join("?" for _ in batch)
        rows = store.db.execute(
            f"SELECT sha256 FROM spec_snapshots WHERE sha256 IN ({marks}) AND body IS NOT NULL",
            batch,
        )
        held.update(row[0] for row in rows)
    return held
