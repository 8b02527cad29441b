"""``auditor audit``: verify and score the entries of one or more catalogs."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

import click

from auditor.audit import run_audit
from auditor.catalog import load_sources
from auditor.cli.catalog_cmd import SOURCE_OPTIONS, source_options
from auditor.cli.common import (
    OUTPUT_OPTIONS,
    apply_options,
    default_format,
    emit_results,
    load_rules,
    with_progress,
)
from auditor.cli.store_support import parse_window, record_audit
from auditor.config import load_config
from auditor.context import AuditSettings, NetworkPolicy
from auditor.errors import AuditorError
from auditor.net.limits_config import resolve_limits
from auditor.probes.lists import settings_with_lists


@click.command()
@click.argument("sources", nargs=-1, required=True)
@apply_options(OUTPUT_OPTIONS)
@apply_options(SOURCE_OPTIONS)
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
    "--limit",
    multiple=True,
    metavar="KEY=VALUE",
    help="Set any verifier cap, e.g. max_spec_bytes=100MB, retries=0, entry_timeout=90s "
    "(also [limits] in auditor.toml; see docs/readme/verifier.md).",
)
@click.option(
    "--spec-workers",
    type=click.IntRange(-1, 64),
    default=-1,
    show_default=True,
    help="Processes for validating large specs (-1: one per core, 0: validate in a thread).",
)
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
    "--domain-list",
    "domain_lists",
    multiple=True,
    metavar="[NAME=]FILE_OR_URL",
    help="An official domain list (CISA .gov CSV, French public-sector list, UK JSON, "
    "one host a line); repeatable. Also `domain_lists` in auditor.toml.",
)
@click.option(
    "--github-org-list",
    "github_org_lists",
    multiple=True,
    metavar="[NAME=]FILE_OR_URL",
    help="A government GitHub organisations list (GitHub's governments.yml, or one "
    "login or URL a line); repeatable. Also `github_org_lists` in auditor.toml.",
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
    concurrency: int,
    per_host: int,
    timeout: float,
    allow_private_network: bool,
    user_agent: str | None,
    limit: tuple[str, ...],
    spec_workers: int,
    store: Path | None,
    resume: bool,
    window: float | None,
    domain_lists: tuple[str, ...],
    github_org_lists: tuple[str, ...],
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
    """
    if store is None and (resume or window is not None):
        raise click.UsageError("--resume and --window need --store FILE")
    methodology = load_rules(rules)
    ctx = click.get_current_context()
    given = {
        name: ctx.params[name]
        for name in ("timeout", "concurrency", "per_host")
        if ctx.get_parameter_source(name) is not click.core.ParameterSource.DEFAULT
    }
    try:
        config = load_config()
        limits = resolve_limits(given, limit, config.section("limits"), str(config.path))
    except AuditorError as exc:
        raise click.UsageError(str(exc)) from exc
    settings = AuditSettings(
        limits=limits,
        network=NetworkPolicy(allow_private=allow_private_network),
        spec_workers=spec_workers,
    )
    if user_agent:
        settings = replace(settings, user_agent=user_agent)
    try:
        settings, notes = settings_with_lists(
            settings, load_config(), domain_lists, github_org_lists
        )
    except AuditorError as exc:
        raise click.UsageError(str(exc)) from exc
    for note in notes:
        click.echo(f"warning: {note}", err=True)
    try:
        options = source_options(source_type, organization, tag, q)
        loaded = asyncio.run(load_sources(list(sources), settings, options))
    except AuditorError as exc:
        raise click.UsageError(str(exc)) from exc
    for problem in loaded.problems:
        click.echo(f"warning: {problem}", err=True)
    if store is not None:
        results = record_audit(
            store,
            sources,
            loaded.entries,
            settings,
            methodology,
            resume=resume,
            window_days=window,
            progress=with_progress,
        )
    else:
        results = with_progress(
            len(loaded.entries),
            lambda tick: run_audit(loaded.entries, settings, methodology, tick),
        )
    emit_results(results, loaded, methodology, fmt or default_format(), output)
