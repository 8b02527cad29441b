"""auditor's catalog format as CSV: a header row of Entry field names, one API a row.

The delimiter is the most frequent of ``,`` ``;`` and tab in the header line
(French exports use ``;``). ``tags`` is a comma-separated cell. Empty cells
mean missing. Unknown columns are reported once, for the header, and kept in
each entry's ``raw``. Rows are read one at a time. A quote that is never closed
would make the rest of the file one cell of the last row: that row is reported
with its line and skipped.
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncGenerator, Iterator
from typing import TYPE_CHECKING, Any

from auditor.catalog.base import CatalogProblem, SourceRecord, SourceType
from auditor.catalog.native import entry_from_record
from auditor.errors import CatalogError
from auditor.model import ENTRY_FIELDS
from auditor.spec.parse import DocumentError, decode_text

if TYPE_CHECKING:
    from auditor.catalog.material import Material

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


def _open_quote(text: str, line: int, delimiter: str) -> bool:
    """Whether the row starting at ``line`` (the file's last) ends inside a quoted cell:
    only that makes the strict parser reach the end of the data mid-row."""
    offset = 0
    for _ in range(line - 1):
        offset = text.find("\n", offset) + 1
        if offset == 0:
            return False
    try:
        for _ in csv.reader(io.StringIO(text[offset:]), delimiter=delimiter, strict=True):
            pass
    except csv.Error as exc:
        return "unexpected end of data" in str(exc)
    return False


def _rows(
    text: str, reader: Any, origin: str, delimiter: str
) -> Iterator[tuple[int, list[str]] | CatalogProblem]:
    """(first line, cells) of each row after the header, or the problem that ends the
    reading; the last row is held back until it is known to close its quotes."""
    line = reader.line_num + 1
    held: tuple[int, list[str]] | None = None
    while True:
        try:
            row = next(reader, None)
        except csv.Error as exc:
            if held is not None:
                yield held
            yield CatalogProblem(f"{origin}:{line}", f"not valid CSV, reading stops: {exc}")
            return
        if row is None:
            break
        if held is not None:
            yield held
        held = (line, row)
        line = reader.line_num + 1
    if held is not None and _open_quote(text, held[0], delimiter):
        yield CatalogProblem(
            f"{origin}:{held[0]}",
            f"a quoted cell opened on this row is never closed: lines {held[0]}-"
            f"{reader.line_num} (the rest of the file) would be one cell; row skipped",
        )
    elif held is not None:
        yield held


def csv_records(text: str, origin: str, catalog: str = "file") -> Iterator[SourceRecord]:
    text = text.lstrip("\ufeff")
    header_line = text.split("\n", 1)[0]
    delimiter = sniff_delimiter(header_line)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
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
    named: set[str] = set()  # columns.values(), without a scan per column
    for index, name in enumerate(header):
        if not name:
            problems.append(CatalogProblem(f"{origin}:1", f"column {index + 1} has no name"))
        elif name in named:
            problems.append(
                CatalogProblem(f"{origin}:1", "repeated column; the first one is used", None, name)
            )
        else:
            columns[index] = name
            named.add(name)
            if name not in ENTRY_FIELDS:
                problems.append(
                    CatalogProblem(
                        f"{origin}:1", "unknown column, kept in raw but not used", None, name
                    )
                )
    if problems:
        yield SourceRecord(None, tuple(problems))
    index = 0
    for found in _rows(text, reader, origin, delimiter):
        if isinstance(found, CatalogProblem):
            yield SourceRecord(None, (found,))
            continue
        line, row = found
        where = f"{origin}:{line}"
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

    async def records(self) -> AsyncGenerator[SourceRecord, None]:
        for record in csv_records(self._text, self.label):
            yield record


def _read_csv(material: Material) -> CsvSource:
    try:
        text = decode_text(material.data)
    except DocumentError as exc:
        raise CatalogError(f"{material.location}: cannot read as CSV: {exc}") from exc
    if not looks_like_csv(text, detecting=False):
        raise CatalogError(
            f"{material.location}: not a catalog: the CSV header must name Entry fields, "
            "at least id or title"
        )
    return CsvSource(text, material.location)


CSV = SourceType(
    "csv",
    "file",
    _read_csv,
    detect=lambda material: (
        material.location.lower().endswith(".csv") or looks_like_csv(material.head_text())
    ),
)
"""A ``*.csv`` file, or one whose first line names Entry fields."""
