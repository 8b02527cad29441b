"""``auditor audit``: verify and score the entries of one or more catalogs."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

import click

from auditor.audit import run_audit
from auditor.catalog import load_sources
from auditor.cli.common import (
    OUTPUT_OPTIONS,
    apply_options,
    default_format,
    emit_results,
    load_rules,
    with_progress,
)
from auditor.context import AuditSettings, Limits, NetworkPolicy
from auditor.errors import AuditorError


@click.command()
@click.argument("sources", nargs=-1, required=True)
@apply_options(OUTPUT_OPTIONS)
@click.option(
    "--concurrency",
    type=click.IntRange(1, 4096),
    default=64,
    show_default=True,
    help="Entries and requests in flight at once.",
)
@click.option(
    "--per-host",
    type=click.IntRange(1, 256),
    default=4,
    show_default=True,
    help="Requests in flight per host, so one host is never hammered.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(0.1, 600),
    default=10.0,
    show_default=True,
    help="Seconds for one request, connect to last byte.",
)
@click.option(
    "--allow-private-network",
    is_flag=True,
    help="Allow requests to private, loopback and link-local addresses (intranets, tests).",
)
@click.option("--user-agent", help="Override the User-Agent header auditor sends.")
@click.option(
    "--spec-workers",
    type=click.IntRange(0, 64),
    default=0,
    show_default=True,
    help="Processes for spec validation (0: validate in a thread).",
)
def audit(
    sources: tuple[str, ...],
    fmt: str | None,
    output: Path | None,
    rules: Path | None,
    concurrency: int,
    per_host: int,
    timeout: float,
    allow_private_network: bool,
    user_agent: str | None,
    spec_workers: int,
) -> None:
    """Audit the APIs listed in SOURCES and print their scores.

    \b
    A SOURCE is:
      - a catalog file, YAML or JSON: a list of entries or {entries: [...]},
        keys id, title, description, organization, base_url, spec_url,
        docs_url, homepage_url, contact, license, tags;
      - a single OpenAPI/Swagger file or URL (the entry is derived from it);
      - a folder of spec files (each one a single-spec source).

    \b
    Examples:
      auditor audit catalog.yaml
      auditor audit openapi.yaml --format json -o results.json
      auditor audit specs/ --rules my-methodology.yaml
    """
    methodology = load_rules(rules)
    limits = Limits(timeout=timeout, concurrency=concurrency, per_host=per_host)
    settings = AuditSettings(
        limits=limits,
        network=NetworkPolicy(allow_private=allow_private_network),
        spec_workers=spec_workers,
    )
    if user_agent:
        settings = replace(settings, user_agent=user_agent)
    try:
        loaded = asyncio.run(load_sources(list(sources), settings))
    except AuditorError as exc:
        raise click.UsageError(str(exc)) from exc
    for problem in loaded.problems:
        click.echo(f"warning: {problem}", err=True)
    results = with_progress(
        len(loaded.entries),
        lambda tick: run_audit(loaded.entries, settings, methodology, tick),
    )
    emit_results(results, loaded, methodology, fmt or default_format(), output)
