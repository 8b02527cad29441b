"""``auditor audit``: verify and score the entries of one or more catalogs."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import click

from auditor.catalog import load_sources
from auditor.cli.catalog_cmd import SOURCE_OPTIONS, source_options
from auditor.cli.common import (
    OUTPUT_OPTIONS,
    VERIFIER_OPTIONS,
    apply_options,
    default_format,
    emit_results,
    load_rules,
    verifier_settings,
    with_progress,
)
from auditor.cli.output import warn
from auditor.cli.scale_options import EXECUTORS, check_scale_options, scaled_audit, shard_option
from auditor.cli.source_errors import source_error
from auditor.cli.store_support import parse_window, record_audit
from auditor.config import ConfigError, canary_url, load_config
from auditor.context import AuditSettings
from auditor.errors import AuditorError
from auditor.methodology.model import Methodology
from auditor.model import AuditResult, Entry
from auditor.run.connectivity import (
    CanaryError,
    NetworkWatch,
    degraded_warning,
    settle,
)
from auditor.run.loop import run_audit
from auditor.scale.shard import Shard


def configured_canary() -> str | None:
    try:
        return canary_url(load_config())
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from exc


def audit_in_memory(
    entries: list[Entry], settings: AuditSettings, methodology: Methodology, canary: str | None
) -> list[AuditResult]:
    """A run without a store; a degraded one is settled in memory and said so on stderr."""
    watch = NetworkWatch(settings, canary, lambda message: click.echo(message, err=True))
    try:
        down = watch.start()
        results = with_progress(
            len(entries), lambda tick: run_audit(entries, settings, methodology, tick)
        )
        reasons = ([down] if down else []) + watch.finish(results)
    except CanaryError as exc:
        raise click.UsageError(str(exc)) from exc
    if not reasons:
        return results
    results = [settle(result, methodology, ()) or result for result in results]
    click.echo(degraded_warning(reasons, results, "this run"), err=True)
    return results


@click.command()
@click.argument("sources", nargs=-1, required=True)
@apply_options(OUTPUT_OPTIONS)
@apply_options(SOURCE_OPTIONS)
@apply_options(VERIFIER_OPTIONS)
@click.option(
    "--store",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Record the run in this SQLite history (each entry committed as it finishes).",
)
@click.option(
    "--resume", is_flag=True, help="With --store: continue the last unfinished run, if any."
)
@click.option(
    "--window",
    callback=parse_window,
    metavar="DURATION",
    help="With --store: availability history window, e.g. 30d, 7d, 12h  [default: 30d].",
)
@click.option(
    "--shard",
    callback=shard_option,
    metavar="K/N",
    help="Audit only shard K of N (1-based), split by host; for CI matrices (see auditor merge).",
)
@click.option(
    "--executor",
    type=click.Choice(EXECUTORS),
    default="local",
    show_default=True,
    help="Where entries are audited: this process, or Dask workers (pip install 'auditor[dask]').",
)
@click.option(
    "--scheduler",
    metavar="tcp://HOST:PORT",
    help="With --executor dask: the Dask scheduler (default: a LocalCluster on this machine).",
)
@click.option(
    "--canary",
    metavar="URL",
    help="A URL that should always answer, checked before and after the run: no answer "
    "marks the run degraded (the auditor's network, not the APIs). Also [verifier] canary.",
)
@click.option(
    "--notify",
    "notify_urls",
    multiple=True,
    metavar="URL",
    help="With --store: after the run, send what changed to this Apprise URL (json://, "
    "slack://, mailto://…; repeatable; pip install 'auditor[notify]'). See auditor notify.",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 256),
    default=1,
    show_default=True,
    help="Audit in N processes on this machine, each a part of the hosts (uses the cores).",
)
def audit(
    sources: tuple[str, ...],
    fmt: str | None,
    output: Path | None,
    rules: Path | None,
    source_type: str,
    organization: str | None,
    tag: str | None,
    q: str | None,
    store: Path | None,
    resume: bool,
    window: float | None,
    shard: Shard | None,
    executor: str,
    scheduler: str | None,
    canary: str | None,
    notify_urls: tuple[str, ...],
    workers: int,
    **verifier: Any,
) -> None:
    """Audit the APIs listed in SOURCES and print their scores.

    \b
    A SOURCE is:
      - a catalog file, YAML or JSON: a list of entries or {entries: [...]},
        keys id, title, description, organization, base_url, spec_url,
        docs_url, homepage_url, contact, license, tags;
      - a single OpenAPI/Swagger file or URL (the entry is derived from it);
      - a folder of spec files (each one a single-spec source);
      - a CSV catalog (a header row of the same keys);
      - datagouv: (the live data.gouv.fr API), datagouv:dump.json,
        apigouv:PATH (an api.gouv.fr checkout), apisguru:PATH_OR_URL;
        `auditor catalog SOURCE` shows how any source is read.

    \b
    Examples:
      auditor audit catalog.yaml
      auditor audit openapi.yaml --format json -o results.json
      auditor audit specs/ --rules my-methodology.yaml
      auditor audit catalog.yaml --store audit.db --resume   # nightly, with history
      auditor audit catalog.yaml --shard 2/8 --store shard-2.db  # CI matrix; auditor merge
      auditor audit catalog.yaml --executor dask --scheduler tcp://10.0.0.5:8786
      auditor audit catalog.yaml --store audit.db --canary https://example.org/ \\
          --notify "jsons://hooks.example.org/audit"   # nightly, alerts on change
      auditor audit catalog.yaml --store audit.db --workers 2   # both cores
    """
    if store is None and (resume or window is not None):
        raise click.UsageError("--resume and --window need --store FILE")
    if store is None and notify_urls:
        raise click.UsageError("--notify needs --store FILE (what changed is read from the store)")
    check_scale_options(executor, scheduler, workers)
    methodology = load_rules(rules)
    settings = verifier_settings(verifier)
    canary = canary or configured_canary()
    senders = None
    if notify_urls:  # every URL checked before the run, so a typo costs no audit
        from auditor.cli.notify_cmd import open_notify_senders

        senders = open_notify_senders(notify_urls, option="--notify")
    try:
        options = source_options(source_type, organization, tag, q)
        loaded = asyncio.run(load_sources(list(sources), settings, options))
    except AuditorError as exc:
        raise source_error(exc, sources) from exc
    for problem in loaded.problems:
        warn(problem)
    if shard is not None or executor != "local" or workers > 1:
        results = scaled_audit(
            sources,
            loaded,
            settings,
            methodology,
            shard=shard,
            executor=executor,
            scheduler=scheduler,
            workers=workers,
            store=store,
            resume=resume,
            window=window,
            canary=canary,
        )
    elif store is not None:
        results = record_audit(
            store,
            sources,
            loaded.entries,
            settings,
            methodology,
            resume=resume,
            window_days=window,
            progress=with_progress,
            canary=canary,
        )
    else:
        results = audit_in_memory(loaded.entries, settings, methodology, canary)
    emit_results(results, loaded, methodology, fmt or default_format(), output, warned=True)
    if senders is not None and store is not None:
        from auditor.cli.notify_cmd import notify_after_audit

        notify_after_audit(store, senders)
