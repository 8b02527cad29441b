"""``auditor demo``: the built-in demo catalog against a fixture site on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click

from auditor.catalog import LoadedCatalog
from auditor.cli.common import (
    OUTPUT_OPTIONS,
    apply_options,
    default_format,
    emit_results,
    load_rules,
    with_progress,
)
from auditor.cli.lang_option import LANG_OPTION, site_language
from auditor.context import AuditSettings
from auditor.errors import AuditorError
from auditor.methodology.model import Methodology
from auditor.model import AuditResult


@click.command()
@apply_options(OUTPUT_OPTIONS)
@click.option(
    "--site-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("auditor-demo"),
    show_default=True,
    help="Folder for the report site (index.html, one page and badge per entry).",
)
@LANG_OPTION
def demo(
    fmt: str | None, output: Path | None, rules: Path | None, site_dir: Path, lang: str | None
) -> None:
    """Audit the built-in demo catalog against a fixture site on 127.0.0.1.

    Works offline: the demo serves every host its catalog names from a local
    HTTPS site with a throwaway CA, and refuses everything else. The catalog
    includes the data.gouv.fr reference entry (40/100/90/50/85, 73.25) and
    entries that exercise every axis: a broken spec, an unreachable API, a
    non-official domain, licensed and sparse entries.

    It also writes the report site (as `auditor report` does) to --site-dir
    and prints the path of its index.html on standard error.

    \b
    Examples:
      auditor demo
      auditor demo --format json | jq '.results[] | {id, score, tier}'
      auditor demo --site-dir /tmp/demo-site
      auditor demo --lang fr
    """
    from auditor.demo.run import run_demo

    language = site_language(lang)
    methodology = load_rules(rules)
    holder: dict[str, LoadedCatalog] = {}

    def work(tick: Callable[[AuditResult], None]) -> list[AuditResult]:
        results, loaded = run_demo(AuditSettings(), methodology, tick)
        holder["loaded"] = loaded
        return results

    results = with_progress(11, work)
    emit_results(results, holder["loaded"], methodology, fmt or default_format(), output)
    _write_site(results, holder["loaded"], methodology, site_dir, language)


def _write_site(
    results: list[AuditResult],
    loaded: LoadedCatalog,
    methodology: Methodology,
    folder: Path,
    lang: str,
) -> None:
    """The report site next to the results; standard output is left to --format."""
    from auditor.render.results_json import results_document
    from auditor.render.site import SiteOptions, write_site

    document = results_document(results, methodology, loaded.problems)
    try:
        site = write_site(document, methodology, folder, SiteOptions(lang=lang))
    except (OSError, AuditorError) as exc:
        raise click.UsageError(f"{folder}: cannot write the report site: {exc}") from exc
    click.echo(f"report site: {site.index.resolve()}", err=True)
