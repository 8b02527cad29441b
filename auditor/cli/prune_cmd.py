"""``auditor prune``: remove old runs from a store, and what only they referred to."""

from __future__ import annotations

import shutil
import sqlite3
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click
import orjson

from auditor.cli.store_support import (
    STORE_OPTION,
    StoreFailure,
    format_option,
    parse_window,
    store_errors,
)

if TYPE_CHECKING:  # the store is imported only when the command runs
    from auditor.store.db import Store
    from auditor.store.prune import PrunePlan


def _size(count: int) -> str:
    value = float(count)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{count} B"  # pragma: no cover - the loop always returns


def _print_text(
    store: Path,
    plan: PrunePlan,
    sizes: tuple[int, int],
    vacuumed: bool,
    vacuum: bool,
    refused: bool,
) -> None:
    """What was done, or for a dry run what the real run would do, refusal included."""
    from auditor.store.prune import id_ranges

    before, after = sizes
    rows = plan.removed
    verb = "removed" if plan.applied else "would remove"
    gone = f" ({id_ranges(plan.removed_runs)})" if plan.removed_runs else ""
    kept = f" ({id_ranges(plan.kept_runs)})" if plan.kept_runs else ""
    counts = f"{rows.runs} run(s){gone}, kept {len(plan.kept_runs)}{kept}"
    if refused:  # only a dry run gets here: the real one raised before printing
        click.echo(
            f"dry run, nothing changed: {store}: prune would refuse and remove nothing: "
            f"run(s) {id_ranges(plan.inside_window)} are inside the "
            f"{plan.window_days:g}-day availability window (see the error below); "
            f"with --force it would remove {counts}"
        )
    else:
        head = "pruned" if plan.applied else "dry run, nothing changed:"
        click.echo(f"{head} {store}: {verb} {counts}")
    if plan.dependencies:
        click.echo(
            f"  kept run(s) {id_ranges(plan.dependencies)}: a kept rescore reads their findings"
        )
    if plan.unfinished_kept:
        click.echo(
            f"  kept unfinished run(s) {id_ranges(plan.unfinished_kept)}: --resume may continue "
            "them (pass --unfinished to remove them)"
        )
    click.echo(
        f"  rows: {rows.results} results, {rows.findings} findings, {rows.spec_snapshots} spec "
        f"snapshot(s), {rows.blobs} blob(s), {rows.http_validators} HTTP validator(s)"
    )
    data = f"  about {_size(rows.bytes_estimate)} of data"
    if not plan.applied:
        forced = " with --force" if refused else ""
        then = "; --vacuum would then give it back to the file system" if vacuum else ""
        click.echo(f"{data} would be freed{forced}; the file is {_size(before)}{then}")
    elif vacuumed:
        click.echo(f"{data} freed; the file went from {_size(before)} to {_size(after)} (VACUUM)")
    else:
        hint = "" if vacuum else "; pass --vacuum to give the space back to the file system"
        click.echo(
            f"{data} freed inside the file ({_size(after)}): SQLite reuses the space for the "
            f"next runs{hint}"
        )


def _vacuum(opened: Store, store: Path) -> bool:
    """VACUUM when there is room for it; warn and go on (the prune is committed) otherwise."""
    from auditor.store.prune import store_size, vacuum

    size = store_size(store)
    free = shutil.disk_usage(store.resolve().parent).free
    if free < size:
        click.echo(
            f"warning: not vacuumed: VACUUM needs about {_size(size)} free beside {store} "
            f"(and as much in the temporary folder), {_size(free)} free; the pruned space is "
            "reused by the next runs",
            err=True,
        )
        return False
    try:
        vacuum(opened)
    except sqlite3.Error as exc:
        click.echo(f"warning: VACUUM failed ({exc}); the pruned store is intact", err=True)
        return False
    return True


@click.command()
@STORE_OPTION
@click.option(
    "--keep-runs",
    type=click.IntRange(1),
    metavar="N",
    help="Keep the N most recent finished runs (and any run started after the oldest of them).",
)
@click.option(
    "--older-than",
    callback=parse_window,
    metavar="DURATION",
    help="Remove runs that last recorded something longer ago than DURATION (90d, 12w).",
)
@click.option(
    "--unfinished",
    is_flag=True,
    help="Also remove the unfinished audit runs the options select (otherwise kept for --resume).",
)
@click.option(
    "--force",
    is_flag=True,
    help="Remove runs inside the availability window too (the next run's scores change).",
)
@click.option("--dry-run", is_flag=True, help="Print what would go and change nothing.")
@click.option(
    "--vacuum",
    is_flag=True,
    help="Then VACUUM: give the freed space back to the file system. While it runs it needs "
    "free disk space about the size of the store, beside it and again in the temporary folder "
    "(SQLITE_TMPDIR).",
)
@format_option()
def prune(
    store: Path,
    keep_runs: int | None,
    older_than: float | None,
    unfinished: bool,
    force: bool,
    dry_run: bool,
    vacuum: bool,
    fmt: str,
) -> None:
    """Remove old runs from a store, with their results and findings, then the spec
    snapshots, blobs and HTTP validators no remaining run refers to.

    Give --keep-runs, --older-than or both (a run then goes only when both let
    it). Never removed: the newest finished run (and the newest finished audit
    run), runs a kept rescore reads, and unfinished audit runs unless
    --unfinished. Runs inside the availability window a future run reads (the
    largest --window of the store's runs, 30 days by default) are refused,
    exit code 2, unless --force. One transaction under the writer lock: a
    killed prune leaves the store as it was. Without --vacuum the file does
    not shrink, but the next runs reuse the space.

    \b
    Examples:
      auditor prune --store audit.db --keep-runs 90 --dry-run
      auditor prune --store audit.db --keep-runs 90 --vacuum        # nightly, after the audit
      auditor prune --store audit.db --older-than 180d --format json
    """
    from auditor.store import Store
    from auditor.store.prune import PrunePolicy, plan_prune, refusal, store_size
    from auditor.store.prune import prune as prune_store

    if keep_runs is None and older_than is None:
        raise click.UsageError("say what to prune: --keep-runs N, --older-than DURATION, or both")
    if not store.is_file():
        raise StoreFailure(f"{store}: no such store; record one with `auditor audit ... --store`")
    policy = PrunePolicy(keep_runs, older_than, unfinished=unfinished, force=force)
    before = store_size(store)
    vacuumed = False
    refused: str | None = None
    with store_errors(store):
        if dry_run:
            with Store.open(store) as opened:
                plan = plan_prune(opened, policy)
            if plan.inside_window and not force:
                refused = refusal(opened, plan)
        else:
            with Store.open(store, write=True, purpose="prune") as opened:
                plan = prune_store(opened, policy)
                if vacuum:
                    vacuumed = _vacuum(opened, store)
    after = store_size(store)
    if fmt == "json":
        document = {
            "store": str(store),
            "dry_run": dry_run,
            **plan.to_dict(),
            "vacuumed": vacuumed,
            "file_bytes": {"before": before, "after": after},
            "refused": refused,
        }
        sys.stdout.buffer.write(orjson.dumps(document, option=orjson.OPT_INDENT_2) + b"\n")
    else:
        _print_text(store, plan, (before, after), vacuumed, vacuum, refused is not None)
    if refused is not None:
        raise StoreFailure(refused)
