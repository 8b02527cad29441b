"""The one CSV writer: the report's summary.csv and ``auditor catalog --format csv``.

CSV files end up in spreadsheets, which run a cell that starts with ``=``,
``+``, ``-``, ``@``, tab or CR as a formula (``=HYPERLINK(...)`` from a
catalog title is a link the reader never asked for). Such a text cell gets a
leading ``'``, as OWASP recommends, and loses bidi overrides and control
characters. Numbers are written as Python writes them, missing values as
empty cells: the bytes pandas' ``to_csv`` wrote for summary.csv, except that
a cell holding a CR is now quoted.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from auditor.render.text import clean_text

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def defuse(value: str) -> str:
    """A text cell a spreadsheet will show, not run."""
    return "'" + value if value.startswith(FORMULA_START) else value


def cell(value: Any) -> str:
    """One cell: text cleaned and defused, None/NaN/NA empty, numbers as Python prints them."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, str):
        return defuse(clean_text(value))
    if isinstance(value, bool | int | float):
        return str(value)
    if str(value) == "<NA>":  # pandas' missing value
        return ""
    return defuse(clean_text(value))


def quote(text: str) -> str:
    """RFC 4180 quoting: a cell with a comma, a quote, LF or CR is quoted, quotes doubled.

    Python's csv module (and pandas) leave a lone CR unquoted when rows end
    with LF, and a spreadsheet then starts a new row in the middle of a cell.
    """
    if any(c in text for c in ',"\n\r'):
        return '"' + text.replace('"', '""') + '"'
    return text


def csv_bytes(columns: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> bytes:
    """A header row and one row per mapping (missing keys empty), UTF-8, LF line ends."""
    lines = [",".join(quote(column) for column in columns)]
    for row in rows:
        lines.append(",".join(quote(cell(row.get(column))) for column in columns))
    return ("\n".join(lines) + "\n").encode("utf-8")
