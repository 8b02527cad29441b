"""``auditor catalog``: list a catalog's normalised entries and metadata problems, no probing.

Also holds the source-selection options ``auditor audit`` shares
(``--source-type``, ``--organization``, ``--tag``, ``--q``).
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from auditor.catalog import SOURCE_TYPES, SourceOptions, load_sources
from auditor.catalog.listing import (
    listing,
    source_problems,
    url_problems,
)
from auditor.cli.common import apply_options
from auditor.cli.output import emit, warn
from auditor.context import AuditSettings, Limits, NetworkPolicy
from auditor.errors import AuditorError
from auditor.net.limits_config import limits_with, parse_limit_options
from auditor.render.reporters import LISTING, formats

SOURCE_OPTIONS: list[Callable[[Any], Any]] = [
    click.option(
        "--source-type",
        type=click.Choice(SOURCE_TYPES),
        default="auto",
        show_default=True,
        help="Read plain SOURCES as this type instead of detecting it "
        "(prefixed sources such as datagouv: keep their type).",
    ),
    click.option(
        "--organization",
        help="Only entries of this organisation (name, or data.gouv.fr id/slug, "
        "or api.gouv.fr producer id).",
    ),
    click.option("--tag", help="Only entries with this tag."),
    click.option(
        "--q",
        "q",
        help="Only entries whose id, title, description or tags contain this text "
        "(the live data.gouv.fr API uses its own search).",
    ),
]


def source_options(
    source_type: str, organization: str | None, tag: str | None, q: str | None
) -> SourceOptions:
    return SourceOptions(source_type=source_type, organization=organization, tag=tag, q=q)


@click.command()
@click.argument("sources", nargs=-1, required=True)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(formats(LISTING)),
    default=None,
    help="table (default on a terminal), json (default otherwise; schema_version 1) or csv.",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
    help="Write the listing to FILE instead of standard output (- for standard output).",
)
@apply_options(SOURCE_OPTIONS)
@click.option("--with-raw", is_flag=True, help="Include each entry's raw record (json only).")
@click.option(
    "--fail-on-problems",
    is_flag=True,
    help="Exit with code 1 when any entry or source has a problem (for catalog CI).",
)
@click.option(
    "--timeout",
    type=click.FloatRange(0.1, 600),
    default=30.0,
    show_default=True,
    help="Seconds for one request (URL and live API sources).",
)
@click.option(
    "--allow-private-network",
    is_flag=True,
    help="Allow fetching sources from private, loopback and link-local addresses.",
)
@click.option(
    "--limit",
    "limit_pairs",
    multiple=True,
    metavar="KEY=VALUE",
    help="Set a cap, e.g. max_catalog_entries=500000, max_catalog_pages=5000 "
    "(see docs/verifier.md).",
)
def catalog(
    sources: tuple[str, ...],
    fmt: str | None,
    output: Path | None,
    source_type: str,
    organization: str | None,
    tag: str | None,
    q: str | None,
    with_raw: bool,
    fail_on_problems: bool,
    timeout: float,
    allow_private_network: bool,
    limit_pairs: tuple[str, ...],
) -> None:
    """List the entries of SOURCES as auditor reads them, with their metadata problems.

    Nothing is probed: this shows how each record maps to auditor's entry
    fields, which recommended fields are empty and what could not be mapped
    (unknown keys, unusable URLs, official-catalog claims), so a catalog's
    maintainers can fix its metadata before an audit.

    \b
    A SOURCE is a file, folder or URL (type detected), or:
      datagouv:                 the live data.gouv.fr dataservices API
      datagouv:https://SITE     another udata site's API
      datagouv:dump.json        a saved dump of /api/1/dataservices/ pages
      apigouv:PATH              a checkout of the api.gouv.fr repository
      apisguru:PATH_OR_URL      APIs.guru list.json, or a folder of its specs

    \b
    Examples:
      auditor catalog apigouv:../api.gouv.fr --format json
      auditor catalog datagouv: --organization 534fff81a3a7292c64a77e5c
      auditor catalog my-catalog.csv --fail-on-problems
    """
    try:
        limits = limits_with(Limits(timeout=timeout), parse_limit_options(limit_pairs), "--limit")
        settings = AuditSettings(
            limits=limits, network=NetworkPolicy(allow_private=allow_private_network)
        )
        options = source_options(source_type, organization, tag, q)
        loaded = asyncio.run(load_sources(list(sources), settings, options))
    except AuditorError as exc:
        from auditor.cli.source_errors import source_error

        raise source_error(exc, sources) from exc
    fmt = fmt or ("table" if sys.stdout.isatty() else "json")
    emit(LISTING, fmt, listing(loaded, list(sources), with_raw=with_raw), output)
    if fmt == "csv":
        for problem in source_problems(loaded):
            warn(problem)
    if fail_on_problems and (loaded.problems or any(url_problems(e) for e in loaded.entries)):
        sys.exit(1)
