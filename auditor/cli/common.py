"""Pieces every command shares: options, output, progress, methodology loading."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
import orjson
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from auditor.audit import AuditResult
from auditor.catalog import LoadedCatalog
from auditor.errors import AuditorError
from auditor.methodology import Methodology, load_methodology
from auditor.methodology.load import resolve_rules
from auditor.output.results_json import results_document
from auditor.output.table import print_table

FORMATS = ("table", "json")


class RulesParam(click.ParamType):  # type: ignore[type-arg]
    """A methodology file path or a built-in methodology name; resolved to a path."""

    name = "FILE|NAME"

    def convert(
        self, value: object, param: click.Parameter | None, ctx: click.Context | None
    ) -> Path:
        if isinstance(value, Path):
            return value
        try:
            return resolve_rules(str(value))
        except AuditorError as exc:
            self.fail(str(exc), param, ctx)


RULES = RulesParam()


def load_rules(rules: Path | None) -> Methodology:
    try:
        return load_methodology(rules)
    except AuditorError as exc:
        raise click.UsageError(str(exc)) from exc


def emit_results(
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


def with_progress(
    total: int, work: Callable[[Callable[[AuditResult], None]], list[AuditResult]]
) -> list[AuditResult]:
    """A progress bar on stderr for long runs, only when stderr is a terminal."""
    if not sys.stderr.isatty() or total < 2:
        return work(lambda _r: None)
    columns = (TextColumn("auditing"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task("audit", total=total)
        return work(lambda _r: progress.advance(task))


def default_format() -> str:
    return "table" if sys.stdout.isatty() else "json"


OUTPUT_OPTIONS = [
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
        type=RULES,
        help="Score with this methodology (a file, or a built-in name such as "
        "trust-v1-strict) instead of trust-v1.",
    ),
]


def apply_options(options: list[Callable[[Any], Any]]) -> Callable[[Any], Any]:
    def decorator(function: Any) -> Any:
        for option in reversed(options):
            function = option(function)
        return function

    return decorator
