"""Which entries a store has recorded, for messages about an id it does not know."""

from __future__ import annotations

from auditor.store.db import Store


def recorded_entry_ids(store: Store) -> list[str]:
    """Every entry id with a result in any run (read from the ``results_by_entry`` index)."""
    rows = store.db.execute("SELECT DISTINCT entry_id FROM results ORDER BY entry_id")
    return [str(row[0]) for row in rows]
