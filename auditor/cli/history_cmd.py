"""``auditor history``: one entry's timeline across the runs in a store."""

from __future__ import annotations

import sys
from pathlib import Path

import click
import orjson
from rich.console import Console
from rich.table import Table

from auditor.cli.store_support import (
    STORE_OPTION,
    format_option,
    parse_window,
    store_errors,
    store_failure,
)
from auditor.errors import AuditorError
from auditor.render.terminal_text import plain


def _pct(value: float | None) -> str:
    return "unknown" if value is None else f"{value:.0%}"


def _num(value: float | None) -> str:
    return "unknown" if value is None else f"{value:g}"


@click.command()
@click.argument("entry_id")
@STORE_OPTION
@format_option()
@click.option("--limit", type=click.IntRange(1), help="Show only the last N runs.")
@click.option(
    "--window",
    callback=parse_window,
    default="30d",
    show_default=True,
    help="Window for the availability share.",
)
def history(entry_id: str, store: Path, fmt: str, limit: int | None, window: float) -> None:
    """Print ENTRY_ID's timeline: score, tier, axes, availability and spec per run.

    \b
    Examples:
      auditor history data.gouv.fr --store audit.db
      auditor history data.gouv.fr --store audit.db --format json | jq .availability
    """
    from auditor.store import Store, availability_stats, entry_timeline, spec_snapshot

    with store_errors(store), Store.open(store) as opened:
        points = entry_timeline(opened, entry_id, limit=limit)
        if not points:
            raise store_failure(AuditorError(f"{store}: no entry {entry_id!r} in any run"))
        stats = availability_stats(opened, entry_id, window_days=window)
        snapshot = spec_snapshot(opened, entry_id)
    if fmt == "json":
        document = {
            "entry_id": entry_id,
            "timeline": [p.to_dict() for p in points],
            "availability": stats.to_dict(),
            "spec": snapshot.to_dict() if snapshot else None,
        }
        sys.stdout.buffer.write(orjson.dumps(document, option=orjson.OPT_INDENT_2) + b"\n")
        return
    console = Console(width=None if sys.stdout.isatty() else 120)
    table = Table(title=plain(f"{entry_id}: {len(points)} run(s)", style="table.title"))
    axes = list(dict.fromkeys(a for p in points for a in p.axes))
    for column in ("run", "started", "kind", "score", "tier"):
        table.add_column(column, justify="right" if column in ("run", "score") else "left")
    for axis in axes:
        table.add_column(plain(axis.split("_")[0][:8]), justify="right")
    table.add_column("verification")
    table.add_column("spec")
    for point in points:
        spec = point.spec_sha256[:10] if point.spec_sha256 else "-"
        table.add_row(
            str(point.run_id),
            point.started_at.replace("T", " ").rstrip("Z"),
            plain(point.kind),
            _num(point.score),
            plain(point.tier or "unknown"),
            *(_num(point.axes.get(a)) for a in axes),
            plain(point.availability or "-"),
            f"{spec} (changed)" if point.spec_changed else spec,
        )
    console.print(table)
    console.print(
        f"availability over {window:g} days: {stats.succeeded} of {stats.verifications} "
        f"verifications succeeded; uptime 24 h {_pct(stats.uptime_24h)}, "
        f"7 d {_pct(stats.uptime_7d)}, 30 d {_pct(stats.uptime_30d)}; latency p50 "
        f"{_num(stats.latency_p50_ms)} ms, p90 {_num(stats.latency_p90_ms)} ms; failure streak "
        f"{stats.current_failure_streak} (longest {stats.longest_failure_streak})",
        highlight=False,
    )
    if snapshot is not None:
        fields = f", {snapshot.field_count} fields" if snapshot.field_count is not None else ""
        console.print(
            plain(
                f"spec {snapshot.sha256[:10]} ({snapshot.format_label or 'unknown format'}"
                f"{fields}) captured {snapshot.age_days} day(s) ago, {snapshot.captured_at}"
            )
        )
