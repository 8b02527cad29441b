"""``auditor rescore``: score a stored run again under another methodology, offline."""

from __future__ import annotations

from pathlib import Path

import click

from auditor.catalog import LoadedCatalog
from auditor.cli.common import FORMATS, RULES, default_format, emit_results, load_rules
from auditor.cli.store_support import STORE_OPTION, parse_window, store_errors


@click.command()
@click.argument("run", required=False)
@STORE_OPTION
@click.option(
    "--rules",
    type=RULES,
    required=True,
    help="The methodology to score with: a file, or a built-in name such as trust-v1-strict.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    help="table (default on a terminal) or json (default otherwise).",
)
@click.option("--output", "-o", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path))
@click.option(
    "--window",
    callback=parse_window,
    help="Availability window  [default: the one the run was audited with].",
)
def rescore(
    run: str | None,
    store: Path,
    rules: Path,
    fmt: str | None,
    output: Path | None,
    window: float | None,
) -> None:
    """Score the findings of RUN (default: the latest finished run) under --rules.

    Nothing is fetched: the stored findings are scored again and recorded as
    a new run marked as a rescore, so `auditor diff` shows what the new
    methodology changes.

    \b
    Examples:
      auditor rescore --store audit.db --rules trust-v2.yaml
      auditor rescore --store audit.db --rules trust-v1-strict
      auditor rescore 12 --store audit.db --rules trust-v2.yaml --format json
      auditor diff --store audit.db        # the rescore against the run it read
    """
    from auditor.store import Store
    from auditor.store.rescore import rescore as rescore_run

    methodology = load_rules(rules)
    with store_errors(store), Store.open(store, write=True, purpose="rescore") as opened:
        info, results = rescore_run(opened, methodology, source=run, window_days=window)
    click.echo(
        f"recorded run {info.id} in {store}: rescore of run {info.rescore_of} under "
        f"{methodology.id} {methodology.version} ({len(results)} entries)",
        err=True,
    )
    emit_results(results, LoadedCatalog(), methodology, fmt or default_format(), output)
