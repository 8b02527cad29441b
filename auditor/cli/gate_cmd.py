"""``auditor gate``: audit, compare with thresholds, exit 0 (passed) / 1 (failed) / 2 (usage)."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path
from typing import Any

import click

from auditor.catalog import load_sources
from auditor.cli.common import (
    RULES,
    VERIFIER_OPTIONS,
    apply_options,
    load_rules,
    verifier_settings,
    with_progress,
)
from auditor.cli.output import emit, is_stdout, warn
from auditor.cli.source_errors import source_error
from auditor.config import load_config
from auditor.errors import AuditorError
from auditor.gate import FORMATS, evaluate, resolve_options
from auditor.render.reporters import GATE
from auditor.run.loop import run_audit


def _parse_reports(values: tuple[str, ...]) -> list[tuple[str, Path]]:
    reports = []
    for value in values:
        fmt, sep, file = value.partition("=")
        if not sep or fmt not in FORMATS or not file:
            raise click.UsageError(
                f"--report {value!r}: expected FORMAT=FILE with FORMAT one of {', '.join(FORMATS)}"
            )
        reports.append((fmt, Path(file)))
    return reports


@click.command()
@click.argument("sources", nargs=-1, required=True)
@click.option(
    "--fail-under",
    type=click.FloatRange(0, 100),
    metavar="SCORE",
    help="Fail when an entry's composite score is below SCORE (0-100).",
)
@click.option(
    "--min",
    "minimums",
    multiple=True,
    metavar="AXIS=SCORE",
    help="Fail when an axis scores below SCORE, e.g. --min license_clarity=60. Repeatable.",
)
@click.option(
    "--fail-on-invalid-spec/--no-fail-on-invalid-spec",
    default=None,
    help="Fail when an entry's OpenAPI/Swagger document is invalid or could not be validated.",
)
@click.option(
    "--offline/--online",
    default=None,
    help="No network at all: what needs it is reported unknown, never failed.",
)
@click.option(
    "--spec",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Analyse this local spec file for the (single) entry in SOURCES instead of "
    "fetching its spec_url: gate the spec as it is in this checkout.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="text, json (audit document + gate block), sarif, junit, github (annotations), md.",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
    help="Write the report to FILE instead of standard output (- for standard output).",
)
@click.option(
    "--report",
    "reports",
    multiple=True,
    metavar="FORMAT=FILE",
    help="Also write FORMAT to FILE from the same run, e.g. --report sarif=auditor.sarif "
    "(FILE - for standard output).",
)
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when the gate fails.")
@click.option(
    "--rules",
    type=RULES,
    help="Score with this methodology file instead of the built-in trust-v1.",
)
@click.option(
    "--config",
    "config_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Read [gate] from this auditor.toml or pyproject.toml instead of the working directory's.",
)
@apply_options(VERIFIER_OPTIONS)
def gate(
    sources: tuple[str, ...],
    fail_under: float | None,
    minimums: tuple[str, ...],
    fail_on_invalid_spec: bool | None,
    offline: bool | None,
    spec: Path | None,
    fmt: str,
    output: Path | None,
    reports: tuple[str, ...],
    exit_zero: bool,
    rules: Path | None,
    config_file: Path | None,
    **verifier: Any,
) -> None:
    """Audit SOURCES and fail when an entry scores below the thresholds.

    SOURCES are read as by `auditor audit`: a spec file, a catalog (entry)
    file, a folder of specs, a URL. Thresholds come from the flags, else from
    [gate] in auditor.toml or [tool.auditor.gate] in pyproject.toml. An
    unknown score with a threshold set fails closed, and says why.

    \b
    Exit codes: 0 passed, 1 gate failed, 2 usage or input error.

    \b
    Examples:
      auditor gate api/openapi.yaml --offline --fail-under 60
      auditor gate catalog-entry.yaml --spec api/openapi.yaml --min license_clarity=60
      auditor gate openapi.yaml --format sarif -o auditor.sarif --exit-zero
      auditor gate openapi.yaml --format github --report md=summary.md
    """
    extra = _parse_reports(reports)
    methodology = load_rules(rules)
    try:
        config = load_config(config_file)
        options = resolve_options(
            config,
            methodology,
            fail_under=fail_under,
            minimums=minimums,
            fail_on_invalid_spec=fail_on_invalid_spec,
            offline=offline,
        )
    except AuditorError as exc:
        raise click.UsageError(str(exc)) from exc
    settings = verifier_settings(
        click.get_current_context().params, offline=options.offline, config=config
    )
    try:
        loaded = asyncio.run(load_sources(list(sources), settings))
    except AuditorError as exc:
        raise source_error(exc, sources) from exc
    if spec is not None:
        if len(loaded.entries) != 1:
            raise click.UsageError(
                f"--spec {spec}: SOURCES must hold exactly one entry to pair it with, "
                f"found {len(loaded.entries)}"
            )
        loaded.entries = [replace(loaded.entries[0], local_spec=str(spec))]
    if not loaded.entries:
        raise click.UsageError(f"no entries to gate in {', '.join(sources)}")
    for problem in loaded.problems:
        warn(problem)
    results = with_progress(
        len(loaded.entries),
        lambda tick: run_audit(loaded.entries, settings, methodology, tick),
    )
    report = evaluate(
        results,
        methodology,
        options.thresholds,
        offline=options.offline,
        problems=loaded.problems,
    )
    # the text on standard output does not repeat the catalog problems warned about above
    shown = replace(report, problems=()) if fmt == "text" and is_stdout(output) else report
    emit(GATE, fmt, shown, output)
    for extra_fmt, path in extra:
        emit(GATE, extra_fmt, report, path)
    if not report.passed and not exit_zero:
        click.get_current_context().exit(1)
