"""``auditor merge``: shard stores back into one run of one store."""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path

import click

from auditor.catalog import LoadedCatalog
from auditor.cli.common import FORMATS, RULES, emit_results, load_rules
from auditor.cli.output import warn
from auditor.cli.store_support import store_errors

SHOWN = 10


@click.command()
@click.argument("stores", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--into",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The store to record the merged run in (created if missing; usually the history).",
)
@click.option(
    "--partial",
    is_flag=True,
    help="Merge even when shards of the split are missing (the run covers part of the catalog).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    help="Also print the merged run's results: a table, or the `auditor audit --format json` "
    "document (for `auditor report`).",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
    help="Write the merged run's results to FILE (JSON unless --format table).",
)
@click.option(
    "--rules",
    type=RULES,
    help="The methodology the runs were scored under, to print their results [default: trust-v1].",
)
def merge(
    stores: tuple[Path, ...],
    into: Path,
    partial: bool,
    fmt: str | None,
    output: Path | None,
    rules: Path | None,
) -> None:
    """Merge the latest run of each STORE into one new run of --into.

    For CI matrices: each job audits one shard (`auditor audit catalog.yaml
    --shard K/N --store shard-K.db`), then one job merges them. Results,
    findings and assessments are copied as recorded (nothing is probed or
    rescored); spec snapshots are kept once per sha256, with their ETags.
    Runs scored under different methodologies are refused, and so is a run
    the target already holds; an entry found in two stores is kept once
    (from the first) and reported. Then `auditor diff`, `history` and
    `rescore` work on the merged run.

    \b
    Examples:
      auditor merge shard-*.db --into audit.db
      auditor merge shard-*.db --into audit.db --format json -o results.json
      auditor report results.json --output site/
    """
    from auditor.store import Store, load_results
    from auditor.store.merge import latest_audit_run, merge_runs

    target = into.resolve()
    for path in stores:
        if path.resolve() == target:
            raise click.UsageError(f"{path}: a store cannot be merged into itself")
    unique = list({path.resolve(): path for path in reversed(stores)}.values())
    unique.sort(key=lambda path: stores.index(path))  # each store once, first mention's order
    if len(unique) < len(stores):
        click.echo(
            f"warning: {len(stores) - len(unique)} store(s) given twice: merged once", err=True
        )
    show = bool(fmt or output)
    methodology = load_rules(rules) if show else None
    with store_errors(into, *unique), ExitStack() as stack:
        inputs = [stack.enter_context(Store.open(path)) for path in unique]
        if methodology is not None:
            first = latest_audit_run(inputs[0])
            scored = (first.methodology_id, first.methodology_version)
            if (methodology.id, methodology.version) != scored:
                raise click.UsageError(
                    f"{inputs[0].path}: its run was scored under {' '.join(scored)}; "
                    "pass that methodology with --rules to print the merged results"
                )
        opened = stack.enter_context(Store.open(into, write=True, purpose="merge"))
        report = merge_runs(opened, inputs, partial=partial)
        results = load_results(opened, report.run.id) if show else []
    run = report.run
    click.echo(
        f"merged {len(report.inputs)} run(s) into run {run.id} of {into}: "
        f"{run.entry_count} entries, mean score {run.counts.get('mean_score')}; "
        f"{report.snapshots_added} spec snapshot(s) added, "
        f"{report.snapshots_known} already held"
        + (f"; shards {', '.join(report.shards)}" if report.shards else ""),
        err=True,
    )
    for merged in report.inputs:
        click.echo(f"  {merged.store}: run {merged.run.id}, {merged.entries} entries", err=True)
    if report.duplicates:
        listed = ", ".join(
            f"{d.entry_id} (also in {d.dropped_from}"
            + ("" if d.same_score else ", different score")
            + ")"
            for d in report.duplicates[:SHOWN]
        )
        more = len(report.duplicates) - SHOWN
        warn(
            f"{len(report.duplicates)} duplicate entr"
            f"{'y' if len(report.duplicates) == 1 else 'ies'} kept once, from the first store: "
            + listed
            + (f" and {more} more" if more > 0 else "")
        )
    for note in report.notes:
        warn(note)
    if methodology is not None:
        emit_results(results, LoadedCatalog(), methodology, fmt or "json", output)
