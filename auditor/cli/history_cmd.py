"""``auditor history``: one entry's timeline across the runs in a store."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
import orjson
from rich.console import Console, JustifyMethod

from auditor.cli.store_support import (
    STORE_OPTION,
    format_option,
    parse_window,
    store_errors,
    store_failure,
)
from auditor.cli.tier_names import tier_name
from auditor.errors import AuditorError
from auditor.render.table_fit import Column, Header, abbreviations, fit_table, print_fitted
from auditor.render.terminal_text import plain, terminal_text

if TYPE_CHECKING:  # the store is imported only when the command runs
    from auditor.store.timeline import TimelinePoint


def _pct(value: float | None) -> str:
    return "unknown" if value is None else f"{value:.0%}"


def _num(value: float | None) -> str:
    return "unknown" if value is None else f"{value:g}"


def _ms(value: float | None) -> str:
    return "unknown" if value is None else f"{value:g} ms"


def _columns(points: list[TimelinePoint]) -> list[Column]:
    """The timeline as table columns: scores and tiers always, the rest as the width allows."""
    axes = list(dict.fromkeys(a for p in points for a in p.axes))
    words = [terminal_text(a).split("_") for a in axes]
    short = abbreviations([w[0] for w in words])

    def column(
        name: str, cells: list[Any], justify: JustifyMethod = "left", drop: int = 0
    ) -> Column:
        return Column(name, (Header(name),), tuple(cells), justify, drop=drop)

    def spec(point: TimelinePoint) -> str:
        sha = point.spec_sha256[:10] if point.spec_sha256 else "-"
        return f"{sha} (changed)" if point.spec_changed else sha

    return [
        column("run", [str(p.run_id) for p in points], "right"),
        column("started", [p.started_at.replace("T", " ").rstrip("Z") for p in points]),
        column("kind", [plain(p.kind) for p in points], drop=1),
        column("score", [_num(p.score) for p in points], "right"),
        column("tier", [plain(tier_name(p.tier, p.methodology.split(" ")[0])) for p in points]),
        *(
            Column(
                "axis scores",
                (
                    Header("\n".join(w)),
                    Header(w[0]),
                    Header(abbreviation, f"{abbreviation} = {' '.join(w)}"),
                ),
                tuple(_num(p.axes.get(axis)) for p in points),
                "right",
                drop=4,
            )
            for axis, w, abbreviation in zip(axes, words, short, strict=True)
        ),
        column("verification", [plain(p.availability or "-") for p in points], drop=3),
        column("spec", [spec(p) for p in points], drop=2),
    ]


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
            from auditor.cli.entry_ids import unknown_entry
            from auditor.store.entries import recorded_entry_ids

            known = recorded_entry_ids(opened)
            message = unknown_entry(entry_id, known, f"any run of the store {store}")
            raise store_failure(AuditorError(message))
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
    title = plain(f"{entry_id}: {len(points)} run(s)", style="table.title")
    print_fitted(console, fit_table(console, _columns(points), title), "or use --format json")
    console.print(
        f"availability over {window:g} days: {stats.succeeded} of {stats.verifications} "
        f"verifications succeeded; uptime 24 h {_pct(stats.uptime_24h)}, "
        f"7 d {_pct(stats.uptime_7d)}, 30 d {_pct(stats.uptime_30d)}; latency p50 "
        f"{_ms(stats.latency_p50_ms)}, p90 {_ms(stats.latency_p90_ms)}; failure streak "
        f"{stats.current_failure_streak} (longest {stats.longest_failure_streak})",
        highlight=False,
    )
    if snapshot is not None:
        count = snapshot.field_count
        fields = "" if count is None else f", {count} field{'' if count == 1 else 's'}"
        console.print(
            plain(
                f"spec {snapshot.sha256[:10]} ({snapshot.format_label or 'unknown format'}"
                f"{fields}) captured {snapshot.age_days} day(s) ago, {snapshot.captured_at}"
            )
        )
