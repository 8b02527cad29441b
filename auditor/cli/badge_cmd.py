"""``auditor badge``: trust-score badges (SVG and shields.io endpoint JSON) per entry."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from auditor.cli.common import apply_options, load_rules, utf8_text
from auditor.cli.output import folder_output
from auditor.cli.report_cmd import AUDIT_OPTIONS, STORE_SOURCE, check_sources, results_or_audit
from auditor.errors import AuditorError
from auditor.model import Entry


@click.command()
@click.argument("sources", nargs=-1)
@click.option(
    "--entry",
    "entry_ids",
    multiple=True,
    metavar="ID",
    help="Only this entry (repeatable); default: every entry.",
)
@click.option(
    "--output",
    "-o",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    callback=folder_output,
    help="Folder to write <entry>.svg and <entry>.json to.",
)
@click.option(
    "--label",
    default="trust score",
    show_default=True,
    callback=utf8_text,
    help="Left-hand text.",
)
@apply_options(STORE_SOURCE)
@apply_options(AUDIT_OPTIONS)
def badge(
    sources: tuple[str, ...],
    entry_ids: tuple[str, ...],
    output: Path,
    label: str,
    store: Path | None,
    run_ref: str | None,
    rules: Path | None,
    **audit_options: Any,
) -> None:
    """Write a badge per entry of SOURCES: <entry>.svg and <entry>.json.

    \b
    The SVG is a flat shields.io-style badge ("trust score | 73.25 · Good",
    coloured by tier); the JSON is a shields.io endpoint document, for
    https://img.shields.io/endpoint?url=<where you publish it>. SOURCES is a
    results file from `auditor audit --format json` or catalogs to audit.
    File names match those of `auditor report`. With --store FILE instead,
    the badges of the store's latest finished run (or --run N), and an
    uptime badge per entry in uptime/<entry>.svg and .json ("uptime 30d |
    99.2%", "unknown" when the 30 days hold no verification).

    \b
    Examples:
      auditor badge results.json --output badges/
      auditor badge catalog.yaml --entry data.gouv.fr --output badges/
      auditor badge --store audit.db --output badges/
    """
    from auditor.render.site import result_names, write_badge_files

    check_sources(sources, store, run_ref)
    methodology = load_rules(rules)
    if store is not None:
        from auditor.cli.store_support import store_errors
        from auditor.render.history_badges import write_store_badges

        with store_errors(store):
            try:
                paths = write_store_badges(
                    store, methodology, output, label=label, entry_ids=entry_ids, reference=run_ref
                )
            except OSError as exc:
                raise click.UsageError(f"{output}: cannot write badges: {exc}") from exc
        for path in paths:
            click.echo(str(path))
        return
    wanted = set(entry_ids)

    def check(ids: list[str]) -> None:
        """Every --entry names an entry of SOURCES (checked before anything is audited)."""
        from auditor.cli.entry_ids import unknown_entry

        missing = sorted(wanted - set(ids))
        if missing:
            where = ", ".join(sources)
            raise click.UsageError("; ".join(unknown_entry(m, ids, where) for m in missing))

    def select(entries: list[Entry]) -> list[Entry]:
        check([e.id for e in entries])
        return [e for e in entries if e.id in wanted] if wanted else entries

    document, all_ids = results_or_audit(sources, methodology, audit_options, select)
    check(all_ids)
    names = dict(zip(all_ids, result_names([{"id": i} for i in all_ids]), strict=True))
    chosen = [r for r in document["results"] if not wanted or r["id"] in wanted]
    try:
        written = write_badge_files(
            ((r, names[r["id"]]) for r in chosen), methodology, output, label
        )
    except AuditorError as exc:
        raise click.UsageError(str(exc)) from exc
    except OSError as exc:
        raise click.UsageError(f"{output}: cannot write badges: {exc}") from exc
    for path in written:
        click.echo(str(path))
