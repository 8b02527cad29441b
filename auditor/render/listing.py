"""``auditor catalog``'s formats: the catalog as read, as a table, JSON or CSV.

The listing itself (which fields are missing, what could not be mapped) is
:mod:`auditor.catalog.listing`; this module only presents it. Catalog text
reaches the table as inert :func:`auditor.render.terminal_text.plain` text and
the CSV through the one CSV writer.
"""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from auditor.catalog import LoadedCatalog
from auditor.catalog.listing import CSV_COLUMNS, listing_document, listing_rows, source_problems
from auditor.render.csv_table import csv_bytes
from auditor.render.reporters import Listing
from auditor.render.results_json import json_bytes
from auditor.render.terminal_text import Medium, console_text, plain

WIDTH = 160
"""Columns when the table goes to a file or a pipe."""


def print_listing(loaded: LoadedCatalog, console: Console) -> None:
    document = listing_document(loaded, [])
    table = Table(title=f"{len(loaded.entries)} entries", show_lines=False)
    for name in ("id", "title", "organization", "catalog", "spec", "missing", "problems"):
        table.add_column(name, overflow="fold")
    for entry in document["entries"]:
        table.add_row(
            plain(entry["id"]),
            plain(entry["title"]),
            plain(entry["organization"] or "-"),
            plain(entry["catalog"]),
            "yes" if entry["spec_url"] or entry["local_spec"] else "-",
            plain(", ".join(entry["missing"]) or "-"),
            str(len(entry["problems"])) if entry["problems"] else "-",
        )
    console.print(table)
    for entry in document["entries"]:
        for problem in entry["problems"]:
            field = f" {problem['field']!r}" if problem["field"] else ""
            console.print(
                Text.assemble(
                    plain(entry["id"], style="yellow"),
                    plain(f"{field}: {problem['message']} ({problem['origin']})"),
                )
            )
    for problem in source_problems(loaded):
        console.print(Text.assemble(("source:", "yellow"), " ", plain(problem)))
    summary = document["summary"]
    console.print(
        f"{summary['entries']} entries, {summary['entries_with_problems']} with problems "
        f"({summary['problems']} problems), {summary['source_problems']} source problems"
        + (f", {summary['filtered_out']} filtered out" if summary["filtered_out"] else "")
    )


def render_table(subject: Listing, medium: Medium) -> str:
    return console_text(medium, WIDTH, lambda console: print_listing(subject.loaded, console))


def render_json(subject: Listing, medium: Medium) -> bytes:
    document = listing_document(subject.loaded, subject.sources, with_raw=subject.with_raw)
    return json_bytes(document, default=str)


def render_csv(subject: Listing, medium: Medium) -> bytes:
    return csv_bytes(CSV_COLUMNS, listing_rows(subject.loaded))
