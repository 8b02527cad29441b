"""The ``auditor`` command line.

Exit codes follow ruff and Spectral: 0 done, 1 a gate failed (later), 2 a
usage or input error, always with a message naming the file, entry and field.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import click
import orjson
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from auditor import __version__
from auditor.audit import AuditResult, run_audit
from auditor.catalog import LoadedCatalog, load_sources
from auditor.context import AuditSettings, Limits, NetworkPolicy
from auditor.errors import AuditorError
from auditor.methodology import Methodology, load_methodology
from auditor.output.methodology_md import methodology_markdown
from auditor.output.results_json import results_document
from auditor.output.table import print_table

FORMATS = ("table", "json")


def _methodology(rules: Path | None) -> Methodology:
    try:
        return load_methodology(rules)
    except AuditorError as exc:
        raise click.UsageError(str(exc)) from exc


def _emit(
    results: list[AuditResult],
    loaded: LoadedCatalog,
    methodology: Methodology,
    fmt: str,
    output: Path | None,
) -> None:
    if fmt == "json":
        document = results_document(results, methodology, loaded.problems)
        data = orjson.dumps(document, option=orjson.OPT_INDENT_2) + b"\n"
        if output:
            output.write_bytes(data)
            click.echo(f"wrote {output}", err=True)
        else:
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
        return
    stream = output.open("w", encoding="utf-8") if output else None
    console = Console(file=stream, width=None if stream is None and sys.stdout.isatty() else 120)
    print_table(console, results, methodology, loaded.problems)


def _with_progress(
    total: int, work: Callable[[Callable[[AuditResult], None]], list[AuditResult]]
) -> list[AuditResult]:
    """A progress bar on stderr for long runs, only when stderr is a terminal."""
    if not sys.stderr.isatty() or total < 2:
        return work(lambda _r: None)
    columns = (TextColumn("auditing"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task("audit", total=total)
        return work(lambda _r: progress.advance(task))


def _default_format() -> str:
    return "table" if sys.stdout.isatty() else "json"


common_output = [
    click.option(
        "--format",
        "fmt",
        type=click.Choice(FORMATS),
        default=None,
        help="table (default on a terminal) or json (default otherwise; stable schema).",
    ),
    click.option(
        "--output",
        "-o",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Write the result to FILE instead of standard output.",
    ),
    click.option(
        "--rules",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        help="Score with this methodology file instead of the built-in trust-v1.",
    ),
]


def _apply(options: list[Callable[[Any], Any]]) -> Callable[[Any], Any]:
    def decorator(function: Any) -> Any:
        for option in reversed(options):
            function = option(function)
        return function

    return decorator


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="auditor")
def main() -> None:
    """Audit public API catalogs and score how far each API can be trusted.

    For every catalog entry auditor probes the live API, fetches and
    validates its OpenAPI spec, collects proof of officialness, and scores
    five axes (officialness, availability, metadata completeness, license
    clarity, agent readiness) under a declarative methodology. Every point
    traces to a finding you can check.

    \b
    Start here:
      auditor demo                      audit the built-in demo, offline
      auditor audit catalog.yaml        audit your own catalog
      auditor audit openapi.json        audit a single spec file
      auditor methodology               how scores are computed
    """


@main.command()
@click.argument("sources", nargs=-1, required=True)
@_apply(common_output)
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
    methodology = _methodology(rules)
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
    results = _with_progress(
        len(loaded.entries),
        lambda tick: run_audit(loaded.entries, settings, methodology, tick),
    )
    _emit(results, loaded, methodology, fmt or _default_format(), output)


@main.command()
@_apply(common_output)
def demo(fmt: str | None, output: Path | None, rules: Path | None) -> None:
    """Audit the built-in demo catalog against a fixture site on 127.0.0.1.

    Works offline: the demo serves every host its catalog names from a local
    HTTPS site with a throwaway CA, and refuses everything else. The catalog
    includes the data.gouv.fr reference entry (40/100/90/50/85, 73.25) and
    entries that exercise every axis: a broken spec, an unreachable API, a
    non-official domain, licensed and sparse entries.

    \b
    Examples:
      auditor demo
      auditor demo --format json | jq '.results[] | {id, score, tier}'
    """
    from auditor.demo.run import run_demo

    methodology = _methodology(rules)
    holder: dict[str, LoadedCatalog] = {}

    def work(tick: Callable[[AuditResult], None]) -> list[AuditResult]:
        results, loaded = run_demo(AuditSettings(), methodology, tick)
        holder["loaded"] = loaded
        return results

    results = _with_progress(11, work)
    _emit(results, holder["loaded"], methodology, fmt or _default_format(), output)


@main.command()
@click.option(
    "--rules",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Describe this methodology file instead of the built-in trust-v1.",
)
def methodology(rules: Path | None) -> None:
    """Print the scoring methodology as Markdown, generated from the rules file.

    \b
    Example:
      auditor methodology > METHODOLOGY.md
    """
    click.echo(methodology_markdown(_methodology(rules)), nl=False)
