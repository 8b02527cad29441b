"""Pieces every command shares: options, output, progress, methodology loading."""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from auditor.catalog import LoadedCatalog
from auditor.cli.output import emit, is_stdout, warn
from auditor.config import Config, load_config
from auditor.context import AuditSettings, NetworkPolicy
from auditor.errors import AuditorError
from auditor.methodology import Methodology, load_methodology
from auditor.methodology.load import resolve_rules
from auditor.model import AuditResult
from auditor.net.transport import HTTP_CLIENTS
from auditor.render.reporters import RESULTS, Results, formats

FORMATS = formats(RESULTS)


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
    *,
    warned: bool = False,
) -> None:
    """The results in ``fmt``; a table on standard output leaves out the catalog problems
    when they were ``warned`` about on standard error already (one terminal, said once)."""
    problems = [] if warned and fmt == "table" and is_stdout(output) else loaded.problems
    emit(RESULTS, fmt, Results(results, methodology, problems), output)


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
        type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
        help="Write the result to FILE instead of standard output (- for standard output).",
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


VERIFIER_OPTIONS = [
    click.option(
        "--concurrency",
        type=click.IntRange(1, 4096),
        default=64,
        show_default=True,
        help="Entries and requests in flight at once.",
    ),
    click.option(
        "--per-host",
        type=click.IntRange(1, 256),
        default=4,
        show_default=True,
        help="Requests in flight per host, so one host is never hammered.",
    ),
    click.option(
        "--timeout",
        type=click.FloatRange(0.1, 600),
        default=10.0,
        show_default=True,
        help="Seconds for one request, connect to last byte.",
    ),
    click.option(
        "--allow-private-network",
        is_flag=True,
        help="Allow requests to private, loopback and link-local addresses (intranets, tests).",
    ),
    click.option("--user-agent", help="Override the User-Agent header auditor sends."),
    click.option(
        "--http-client",
        type=click.Choice(HTTP_CLIENTS),
        default=HTTP_CLIENTS[0],
        show_default=True,
        help="HTTP library under the verifier (same guards and caps; httptools spends the "
        "least CPU an exchange, httpx the most at many requests in flight: docs/throughput.md).",
    ),
    click.option(
        "--limit",
        multiple=True,
        metavar="KEY=VALUE",
        help="Set any verifier cap, e.g. max_spec_bytes=100MB, retries=0, entry_timeout=90s "
        "(also [limits] in auditor.toml; see docs/verifier.md).",
    ),
    click.option(
        "--spec-workers",
        type=click.IntRange(-1, 64),
        default=-1,
        show_default=True,
        help="Processes for validating large specs (-1: one per core, 0: validate in a thread).",
    ),
    click.option(
        "--domain-list",
        "domain_lists",
        multiple=True,
        metavar="[NAME=]FILE_OR_URL",
        help="An official domain list (CISA .gov CSV, French public-sector list, UK JSON, "
        "one host a line), or the domains a portal vouches for (vouched:apigouv:CHECKOUT, "
        "vouched:datagouv:FILE_OR_URL); repeatable. Also `domain_lists` in auditor.toml.",
    ),
    click.option(
        "--github-org-list",
        "github_org_lists",
        multiple=True,
        metavar="[NAME=]FILE_OR_URL",
        help="A government GitHub organisations list (GitHub's governments.yml, or one "
        "login or URL a line); repeatable. Also `github_org_lists` in auditor.toml.",
    ),
]
"""The options of every command that audits, so audit, report and gate score alike."""


def verifier_settings(
    params: Mapping[str, Any], *, offline: bool = False, config: Config | None = None
) -> AuditSettings:
    """AuditSettings from the verifier options, ``--limit`` and the config file.

    Precedence: defaults, then ``[limits]`` in the config, then ``--limit``,
    then explicit flags. Domain and GitHub-org lists come from the config and
    the flags. Errors become usage errors naming their source.
    """
    from auditor.evidence.lists import settings_with_lists
    from auditor.net.limits_config import resolve_limits

    ctx = click.get_current_context()
    given = {
        name: params[name]
        for name in ("timeout", "concurrency", "per_host")
        if name in params
        and ctx.get_parameter_source(name) is not click.core.ParameterSource.DEFAULT
    }
    try:
        config = config if config is not None else load_config()
        limits = resolve_limits(
            given, params.get("limit", ()), config.section("limits"), str(config.path)
        )
        settings = AuditSettings(
            limits=limits,
            network=NetworkPolicy(
                allow_private=bool(params.get("allow_private_network")), offline=offline
            ),
            spec_workers=params.get("spec_workers", -1),
            http_client=params.get("http_client", HTTP_CLIENTS[0]),
        )
        if params.get("user_agent"):
            settings = replace(settings, user_agent=params["user_agent"])
        settings, notes = settings_with_lists(
            settings, config, params.get("domain_lists", ()), params.get("github_org_lists", ())
        )
    except AuditorError as exc:
        raise click.UsageError(str(exc)) from exc
    for note in notes:
        warn(note)
    return settings


def utf8_text(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """A click callback refusing text that is not UTF-8 (bytes click kept as surrogates).

    On POSIX click decodes arguments with ``surrogateescape``, so a label of
    raw bytes arrives as a string that cannot be written to an SVG or JSON.
    """
    if value is None:
        return None
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raw = value.encode("utf-8", "surrogateescape")
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as bad:
            byte = f"byte 0x{raw[bad.start]:02x} at position {bad.start}"
        else:  # pragma: no cover - a lone surrogate given as text, not bytes
            byte = f"character {exc.start}"
        raise click.BadParameter(f"{value!r} is not valid UTF-8 text ({byte})") from exc
    return value
