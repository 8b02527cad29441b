"""``auditor catalog``'s formats: the catalog as read, as a table, JSON or CSV.

The listing itself (which fields are missing, what could not be mapped) is
:mod:`auditor.catalog.listing`, which builds the :class:`Listing`; this module
only presents it. Catalog text
reaches the table as inert :func:`auditor.render.terminal_text.plain` text and
the CSV through the one CSV writer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table
from rich.text import Text

if TYPE_CHECKING:  # the catalog room builds the listing; presenting it needs no catalog code
    from auditor.catalog.listing import Listing

from auditor.render.csv_table import csv_bytes
from auditor.render.results_json import json_bytes
from auditor.render.terminal_text import Medium, console_text, plain

WIDTH = 160
"""Columns when the table goes to a file or a pipe."""


def print_listing(listing: Listing, console: Console) -> None:
    document = listing.document
    table = Table(title=f"{len(document['entries'])} entries", show_lines=False)
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
    for problem in listing.source_problems:
        console.print(Text.assemble(("source:", "yellow"), " ", plain(problem)))
    summary = document["summary"]
    console.print(
        f"{summary['entries']} entries, {summary['entries_with_problems']} with problems "
        f"({summary['problems']} problems), {summary['source_problems']} source problems"
        + (f", {summary['filtered_out']} filtered out" if summary["filtered_out"] else "")
    )


def render_table(subject: Listing, medium: Medium) -> str:
    return console_text(medium, WIDTH, lambda console: print_listing(subject, console))


def render_json(subject: Listing, medium: Medium) -> bytes:
    return json_bytes(subject.document, default=str)


def render_csv(subject: Listing, medium: Medium) -> bytes:
    return csv_bytes(subject.columns, subject.rows)
