"""``auditor report``: a static site of report pages, charts and badges.

SOURCES are either one results file written by ``audit --format json`` (it
is rendered as it is, nothing is probed) or catalogs, which are audited
first exactly as ``auditor audit`` would.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import click

from auditor.cli.catalog_cmd import SOURCE_OPTIONS, source_options
from auditor.cli.common import (
    RULES,
    VERIFIER_OPTIONS,
    apply_options,
    load_rules,
    utf8_text,
    verifier_settings,
    with_progress,
)
from auditor.cli.lang_option import LANG_OPTION, site_language
from auditor.cli.output import folder_output, warn
from auditor.errors import AuditorError
from auditor.methodology.model import Methodology
from auditor.model import Entry

AUDIT_OPTIONS = [
    *SOURCE_OPTIONS,
    click.option(
        "--rules",
        type=RULES,
        help="Score (and describe) with this methodology file instead of the built-in trust-v1.",
    ),
    *VERIFIER_OPTIONS,
]


_JSON_TYPES = {
    list: "a list",
    str: "a string",
    int: "a number",
    float: "a number",
    bool: "a boolean",
}


def check_axes(document: Mapping[str, Any], origin: str) -> None:
    """Each result's ``axes`` is an object of axis id -> object, as ``audit`` writes it.

    The pages and badges look axes up by id; a results file edited or made
    by hand with a list there is refused here, naming the file and the entry.
    """
    for index, result in enumerate(document["results"]):
        axes = result.get("axes")
        where = f"{origin}: results[{index}] ({result['id']!r})"
        if axes is not None and not isinstance(axes, Mapping):
            kind = _JSON_TYPES.get(type(axes), type(axes).__name__)
            raise AuditorError(
                f"{where}: 'axes' must be an object of axis id to axis, as "
                f"`auditor audit --format json` writes it, not {kind}"
            )
        for axis_id, axis in (axes or {}).items():
            if axis is not None and not isinstance(axis, Mapping):
                kind = _JSON_TYPES.get(type(axis), type(axis).__name__)
                raise AuditorError(f"{where}: axes[{axis_id!r}] must be an object, not {kind}")


def results_or_audit(
    sources: tuple[str, ...],
    methodology: Methodology,
    audit_options: dict[str, Any],
    select: Callable[[list[Entry]], list[Entry]] | None = None,
) -> tuple[dict[str, Any], list[str]]:
    """The results document for SOURCES, and the ids of every entry in it.

    A single JSON results file is read and checked; anything else is loaded
    as catalogs and audited (only the entries ``select`` keeps, if given).
    """
    from auditor.catalog import load_sources
    from auditor.render.document import check_document, looks_like_results, read_json
    from auditor.render.results_json import results_document
    from auditor.run.loop import run_audit

    parsed = [read_json(Path(source)) for source in sources]
    if any(looks_like_results(data) for data in parsed):
        if len(sources) != 1:
            raise click.UsageError("a results file must be the only SOURCE")
        try:
            document = check_document(parsed[0], sources[0])
            check_axes(document, sources[0])
        except AuditorError as exc:
            raise click.UsageError(str(exc)) from exc
        return document, [str(r["id"]) for r in document["results"]]
    settings = verifier_settings(audit_options)
    chosen_sources = source_options(
        audit_options["source_type"],
        audit_options["organization"],
        audit_options["tag"],
        audit_options["q"],
    )
    try:
        loaded = asyncio.run(load_sources(list(sources), settings, chosen_sources))
    except AuditorError as exc:
        raise click.UsageError(str(exc)) from exc
    for problem in loaded.problems:
        warn(problem)
    chosen = select(loaded.entries) if select else loaded.entries
    results = with_progress(
        len(chosen), lambda tick: run_audit(chosen, settings, methodology, tick)
    )
    document = results_document(results, methodology, loaded.problems)
    return document, [entry.id for entry in loaded.entries]


STORE_SOURCE = [
    click.option(
        "--store",
        "store",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Render from this audit history (`auditor audit --store`) instead of SOURCES: "
        "the latest finished run with uptime, incidents, trends, changes and feeds. "
        "Opened read-only; nothing is probed.",
    ),
    click.option(
        "--run",
        "run_ref",
        metavar="N",
        help="With --store: render run N (an id, latest or previous) instead of the latest.",
    ),
]


def check_sources(sources: tuple[str, ...], store: Path | None, run_ref: str | None) -> None:
    """SOURCES or --store, not both and not neither; --run only with --store."""
    if store is not None and sources:
        raise click.UsageError("give SOURCES or --store, not both")
    if store is None and not sources:
        raise click.UsageError("give SOURCES (a results file or catalogs) or --store FILE")
    if run_ref is not None and store is None:
        raise click.UsageError("--run picks a run of --store; give --store FILE too")


@click.command()
@click.argument("sources", nargs=-1)
@click.option(
    "--output",
    "-o",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    callback=folder_output,
    help="Folder to write the site to (created if missing; files are overwritten, "
    "never through a symbolic link).",
)
@click.option(
    "--base-url",
    help="URL the site will be published at; badge snippets then use absolute links.",
)
@click.option(
    "--badge-label",
    default="trust score",
    show_default=True,
    callback=utf8_text,
    help="Left-hand text of the badges.",
)
@LANG_OPTION
@apply_options(STORE_SOURCE)
@apply_options(AUDIT_OPTIONS)
def report(
    sources: tuple[str, ...],
    output: Path,
    base_url: str | None,
    badge_label: str,
    lang: str | None,
    store: Path | None,
    run_ref: str | None,
    rules: Path | None,
    **audit_options: Any,
) -> None:
    """Write a static report site for SOURCES to --output.

    \b
    SOURCES is one results file from `auditor audit --format json` (rendered
    as it is, nothing is probed), or catalogs/specs, which are audited first
    with the same options as `auditor audit`. With --store FILE instead, the
    site shows the store's latest finished run (or --run N) with its history:
    uptime over 24 h / 7 d / 30 d / 90 d, latency, a daily status strip,
    incidents, score trends, what changed, Atom feeds and uptime badges.

    \b
    The site: index.html (a sortable, filterable table of every entry with
    charts and a per-organisation summary), one page per entry in HTML and
    Markdown, methodology.html, badges/<entry>.svg and shields.io endpoint
    JSON, summary.csv (and summary.parquet with pyarrow) and results.json.
    It works offline from file:// and loads nothing from other sites.

    \b
    Examples:
      auditor audit catalog.yaml --format json -o results.json
      auditor report results.json --output site/
      auditor report catalog.yaml -o site/ --base-url https://example.org/apis
      auditor report --store audit.db --output site/
      auditor report --store audit.db --run 12 --output site-run-12/
      auditor report results.json --output site-fr/ --lang fr
    """
    from auditor.render.document import methodology_mismatch
    from auditor.render.site import SiteOptions, write_site
    from auditor.render.text import safe_url

    if base_url is not None and safe_url(base_url) is None:
        raise click.BadParameter("must be an http(s) URL with a host", param_hint="--base-url")
    check_sources(sources, store, run_ref)
    options = SiteOptions(base_url, badge_label, lang=site_language(lang))
    methodology = load_rules(rules)
    if store is not None:
        from auditor.cli.store_support import store_errors
        from auditor.render.history_site import write_store_site

        with store_errors(store):
            try:
                site = write_store_site(store, methodology, output, options, run_ref)
            except OSError as exc:
                raise click.UsageError(f"{output}: cannot write the site: {exc}") from exc
        click.echo(f"wrote {len(site.files)} files; open {site.index}", err=True)
        return
    document, _ = results_or_audit(sources, methodology, audit_options)
    warning = methodology_mismatch(document, methodology)
    if warning:
        warn(warning)
    try:
        site = write_site(document, methodology, output, options)
    except AuditorError as exc:
        raise click.UsageError(str(exc)) from exc
    except OSError as exc:
        raise click.UsageError(f"{output}: cannot write the site: {exc}") from exc
    click.echo(f"wrote {len(site.files)} files; open {site.index}", err=True)
