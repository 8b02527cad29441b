"""auditor's catalog format as CSV: a header row of Entry field names, one API a row.

The delimiter is the most frequent of ``,`` ``;`` and tab in the header line
(French exports use ``;``). ``tags`` is a comma-separated cell. Empty cells
mean missing. Unknown columns are reported once, for the header, and kept in
each entry's ``raw``. Rows are read one at a time.
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Iterator

from auditor.catalog.base import CatalogProblem, SourceRecord
from auditor.catalog.native import entry_from_record
from auditor.model import ENTRY_FIELDS

DELIMITERS = (",", ";", "\t")


def sniff_delimiter(header_line: str) -> str:
    counts = {d: header_line.count(d) for d in DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def header_names(text: str) -> set[str]:
    first = text.lstrip("\ufeff").split("\n", 1)[0].strip()
    if not first or first[0] in "[{#-":
        return set()
    return {c.strip().strip('"').lower() for c in first.split(sniff_delimiter(first))}


def looks_like_csv(text: str, *, detecting: bool = True) -> bool:
    """A first line of delimiter-separated names including ``id`` or ``title`` (and,
    when detecting, at least two names, so a YAML line is not taken for a header)."""
    names = header_names(text)
    return bool(names & {"id", "title"}) and (len(names) > 1 or not detecting)


def csv_records(text: str, origin: str, catalog: str = "file") -> Iterator[SourceRecord]:
    text = text.lstrip("\ufeff")
    header_line = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text), delimiter=sniff_delimiter(header_line))
    try:
        header = [h.strip().lower() for h in next(reader, [])]
    except csv.Error as exc:
        yield SourceRecord(None, (CatalogProblem(f"{origin}:1", f"not valid CSV: {exc}"),))
        return
    if not {"id", "title"} & set(header):
        problem = CatalogProblem(
            f"{origin}:1",
            "not a catalog: the CSV header must name Entry fields, at least id or title",
        )
        yield SourceRecord(None, (problem,))
        return
    problems = []
    columns: dict[int, str] = {}
    for index, name in enumerate(header):
        if not name:
            problems.append(CatalogProblem(f"{origin}:1", f"column {index + 1} has no name"))
        elif name in columns.values():
            problems.append(
                CatalogProblem(f"{origin}:1", "repeated column; the first one is used", None, name)
            )
        else:
            columns[index] = name
            if name not in ENTRY_FIELDS:
                problems.append(
                    CatalogProblem(
                        f"{origin}:1", "unknown column, kept in raw but not used", None, name
                    )
                )
    if problems:
        yield SourceRecord(None, tuple(problems))
    index = 0
    line = reader.line_num + 1
    while True:
        try:
            row = next(reader, None)
        except csv.Error as exc:
            problem = CatalogProblem(f"{origin}:{line}", f"not valid CSV, reading stops: {exc}")
            yield SourceRecord(None, (problem,))
            return
        if row is None:
            return
        where = f"{origin}:{line}"
        line = reader.line_num + 1
        if not any(cell.strip() for cell in row):
            continue
        record = {name: row[i] for i, name in columns.items() if i < len(row)}
        entry, row_problems = entry_from_record(record, where, index, catalog, report_unknown=False)
        if len(row) > len(header):
            row_problems.append(
                CatalogProblem(
                    where,
                    f"has {len(row)} cells but the header names {len(header)}; extra cells ignored",
                    f"#{index + 1}",
                )
            )
        index += 1
        yield SourceRecord(entry, tuple(row_problems))


class CsvSource:
    """A native CSV catalog already decoded to text."""

    def __init__(self, text: str, origin: str) -> None:
        self.label = origin
        self._text = text

    async def records(self) -> AsyncIterator[SourceRecord]:
        for record in csv_records(self._text, self.label):
            yield record
