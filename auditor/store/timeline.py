"""An entry's history across runs: scores, tiers, axes, spec snapshots.

These read the store only; reports (sparklines, "schema captured N days
ago") and ``auditor history`` use them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from auditor.model import utc_now
from auditor.store.codec import load_packed
from auditor.store.db import Store
from auditor.store.inventory import snapshot_inventory
from auditor.store.session import parse_iso


@dataclass(frozen=True, slots=True)
class TrendPoint:
    run_id: int
    at: str
    """When the run started (ISO-8601 UTC)."""
    score: float | None
    tier: str | None

    def to_dict(self) -> dict[str, Any]:
        return {"run_id": self.run_id, "at": self.at, "score": self.score, "tier": self.tier}


@dataclass(frozen=True, slots=True)
class TimelinePoint:
    run_id: int
    kind: str
    started_at: str
    methodology: str
    score: float | None
    tier: str | None
    axes: dict[str, float | None]
    availability: str | None
    """This run's verification outcome (pass / fail / unknown / error), None for a rescore."""
    spec_sha256: str | None
    spec_changed: bool
    """The spec document differs from the previous point's (both known)."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "kind": self.kind,
            "started_at": self.started_at,
            "methodology": self.methodology,
            "score": self.score,
            "tier": self.tier,
            "axes": dict(self.axes),
            "availability": self.availability,
            "spec_sha256": self.spec_sha256,
            "spec_changed": self.spec_changed,
        }


@dataclass(frozen=True, slots=True)
class SpecSnapshot:
    sha256: str
    url: str | None
    captured_at: str
    """When this exact document was first stored."""
    age_days: int
    """Whole days between ``captured_at`` and the time asked about."""
    size: int
    format_label: str | None
    field_count: int | None
    fields: tuple[str, ...] = ()
    operations: tuple[str, ...] = ()
    has_body: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "sha256": self.sha256,
            "url": self.url,
            "captured_at": self.captured_at,
            "age_days": self.age_days,
            "size": self.size,
            "format": self.format_label,
            "field_count": self.field_count,
            "fields": list(self.fields),
            "operations": list(self.operations),
        }


def _axes(assessment: str | bytes) -> dict[str, float | None]:
    data = load_packed(assessment) or {}
    return {axis["id"]: axis.get("score") for axis in data.get("axes", [])}


def entry_timeline(store: Store, entry_id: str, *, limit: int | None = None) -> list[TimelinePoint]:
    """Every run that scored ``entry_id``, oldest first (the last ``limit`` ones)."""
    rows = store.db.execute(
        """SELECT r.run_id, u.kind, u.started_at, u.methodology_id, u.methodology_version,
                  r.score, r.tier, r.assessment, r.spec_sha256,
                  (SELECT outcome FROM findings f WHERE f.run_id = r.run_id
                     AND f.entry_id = r.entry_id AND f.check_id = 'availability' LIMIT 1)
                    AS availability
           FROM results r JOIN runs u ON u.id = r.run_id
           WHERE r.entry_id = ? ORDER BY r.run_id""",
        (entry_id,),
    ).fetchall()
    points: list[TimelinePoint] = []
    previous: str | None = None
    for row in rows:
        sha = row["spec_sha256"]
        points.append(
            TimelinePoint(
                run_id=row["run_id"],
                kind=row["kind"],
                started_at=row["started_at"],
                methodology=f"{row['methodology_id']} {row['methodology_version']}",
                score=row["score"],
                tier=row["tier"],
                axes=_axes(row["assessment"]),
                availability=row["availability"],
                spec_sha256=sha,
                spec_changed=bool(previous and sha and sha != previous),
            )
        )
        previous = sha or previous
    return points[-limit:] if limit else points


def score_trends(
    store: Store,
    entry_ids: Iterable[str] | None = None,
    *,
    limit: int = 30,
    methodology_id: str | None = None,
    include_rescores: bool = False,
) -> dict[str, list[TrendPoint]]:
    """Per-entry scores over the last ``limit`` finished runs, oldest first (for sparklines).

    Only runs under one methodology are comparable: by default that of the
    latest finished run. An entry missing from a run simply has no point there.
    """
    kinds = ("audit", "rescore") if include_rescores else ("audit",)
    marks = ", ".join("?" for _ in kinds)
    if methodology_id is None:
        latest = store.db.execute(
            f"SELECT methodology_id FROM runs WHERE finished_at IS NOT NULL AND kind IN ({marks}) "
            "ORDER BY id DESC LIMIT 1",
            kinds,
        ).fetchone()
        if latest is None:
            return {}
        methodology_id = latest[0]
    runs = store.db.execute(
        f"""SELECT id, started_at FROM runs WHERE finished_at IS NOT NULL AND kind IN ({marks})
            AND methodology_id = ? ORDER BY id DESC LIMIT ?""",
        (*kinds, methodology_id, limit),
    ).fetchall()
    started = {row["id"]: row["started_at"] for row in runs}
    if not started:
        return {}
    wanted = set(entry_ids) if entry_ids is not None else None
    trends: dict[str, list[TrendPoint]] = defaultdict(list)
    run_marks = ", ".join("?" for _ in started)
    for row in store.db.execute(
        f"SELECT run_id, entry_id, score, tier FROM results WHERE run_id IN ({run_marks}) "
        "ORDER BY run_id",
        tuple(started),
    ):
        if wanted is None or row["entry_id"] in wanted:
            trends[row["entry_id"]].append(
                TrendPoint(row["run_id"], started[row["run_id"]], row["score"], row["tier"])
            )
    return dict(trends)


def _snapshot(row: Any, now: str) -> SpecSnapshot:
    found = snapshot_inventory(row["inventory"], row["report"])
    age = (parse_iso(now) - parse_iso(row["captured_at"])).days
    return SpecSnapshot(
        sha256=row["sha256"],
        url=row["url"],
        captured_at=row["captured_at"],
        age_days=max(0, age),
        size=row["size"],
        format_label=row["format_label"],
        field_count=row["field_count"],
        fields=tuple(found.get("fields") or ()),
        operations=tuple(found.get("operations") or ()),
        has_body=bool(row["has_body"]),
    )


SNAPSHOT_COLUMNS = (
    "sha256, url, captured_at, size, format_label, field_count, inventory, report, "
    "body IS NOT NULL AS has_body"
)


def snapshot_by_sha(store: Store, sha: str, *, now: str | None = None) -> SpecSnapshot | None:
    row = store.db.execute(
        f"SELECT {SNAPSHOT_COLUMNS} FROM spec_snapshots WHERE sha256 = ?", (sha,)
    ).fetchone()
    return _snapshot(row, now or utc_now()) if row is not None else None


def spec_snapshot(
    store: Store, entry_id: str, *, run_id: int | None = None, now: str | None = None
) -> SpecSnapshot | None:
    """The spec the entry had in ``run_id`` (default: its latest run that saw one).

    ``captured_at``/``age_days`` give "Schema captured from openapi N days ago".
    """
    sql = "SELECT spec_sha256 FROM results WHERE entry_id = ? AND spec_sha256 IS NOT NULL"
    args: tuple[Any, ...] = (entry_id,)
    if run_id is not None:
        sql += " AND run_id = ?"
        args = (entry_id, run_id)
    row = store.db.execute(sql + " ORDER BY run_id DESC LIMIT 1", args).fetchone()
    return snapshot_by_sha(store, row[0], now=now) if row is not None else None
