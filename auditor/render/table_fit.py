"""Terminal tables that fit the terminal without cutting the values people read.

Left to itself, rich squeezes every column of a table wider than the console
and cuts cells with an ellipsis, so at 80 columns a score of 73.25 reads
``73.…`` and a tier ``Exc…``. :func:`fit_table` instead tries layouts from
the most to the least spacious and keeps the first that fits: full headers,
then shorter ones (abbreviations, explained in a legend under the table),
then a compact style without vertical rules, then columns dropped one group
at a time (named in a note). Only a column marked ``flexible`` (entry ids)
may wrap, never below ``FLEX_MIN`` characters; every other cell is printed
whole.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from rich import box
from rich.console import Console, JustifyMethod
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

FLEX_MIN = 12
"""A flexible column wraps no narrower than this (or its natural width, if smaller)."""
_MEASURE_WIDTH = 100_000


@dataclass(frozen=True, slots=True)
class Header:
    text: str
    legend: str | None = None
    """Printed under the table when this (abbreviated) header is used: ``off = officialness``."""


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    """What a note calls the column when it is dropped."""
    headers: tuple[Header, ...]
    """From the widest to the narrowest; a layout past the last one keeps the last."""
    cells: tuple[Text | str, ...]
    justify: JustifyMethod = "left"
    flexible: bool = False
    drop: int = 0
    """0: always shown; otherwise dropped from layout step ``drop`` on (1 goes first)."""


@dataclass(frozen=True, slots=True)
class Layout:
    variant: int
    compact: bool
    drop: int


@dataclass(frozen=True, slots=True)
class Fitted:
    table: Table
    layout: Layout
    legend: tuple[str, ...]
    dropped: tuple[str, ...]


def _layouts(columns: Sequence[Column]) -> Iterator[tuple[Layout, bool]]:
    """Layouts from the most to the least spacious, and whether flexible columns may wrap.

    Every column shown whole in the compact style comes before an id wrapped
    over two lines; columns are dropped only when wrapping ids is not enough.
    """
    variants = max(len(c.headers) for c in columns)
    whole = [Layout(v, compact, 0) for v in range(variants) for compact in (False, True)]
    yield from ((layout, False) for layout in whole)
    yield from ((layout, True) for layout in whole)
    for drop in range(1, max(c.drop for c in columns) + 1):
        yield Layout(variants - 1, True, drop), True


def _build(
    columns: Sequence[Column], layout: Layout, title: Text | None
) -> tuple[Table, tuple[str, ...], tuple[str, ...]]:
    if layout.compact:  # no vertical rules, one space between columns
        table = Table(
            title=title,
            box=box.SIMPLE_HEAD,
            show_edge=False,
            pad_edge=False,
            collapse_padding=True,
        )
    else:
        table = Table(title=title)
    shown = [c for c in columns if not (c.drop and c.drop <= layout.drop)]
    legend: list[str] = []
    for column in shown:
        header = column.headers[min(layout.variant, len(column.headers) - 1)]
        if header.legend:
            legend.append(header.legend)
        table.add_column(
            Text(header.text),
            justify=column.justify,
            no_wrap=not column.flexible,
            overflow="fold",
        )
    rows = len(columns[0].cells) if columns else 0
    for index in range(rows):
        table.add_row(*(c.cells[index] for c in shown))
    dropped = tuple(dict.fromkeys(c.name for c in columns if c not in shown))
    return table, tuple(legend), dropped


def _width(console: Console, table: Table) -> int:
    return Measurement.get(console, console.options.update_width(_MEASURE_WIDTH), table).maximum


def _slack(console: Console, columns: Sequence[Column]) -> int:
    """How much narrower than their natural width the flexible columns may wrap."""
    slack = 0
    for column in columns:
        if column.flexible:
            natural = max(
                [Text(h.text).cell_len for h in column.headers[:1]]
                + [console.measure(c).maximum for c in column.cells]
            )
            slack += max(0, natural - FLEX_MIN)
    return slack


def fit_table(console: Console, columns: Sequence[Column], title: Text | None = None) -> Fitted:
    """The most spacious layout of ``columns`` that fits ``console.width``.

    When none fits (a console a few dozen columns wide) the narrowest one is
    returned and rich squeezes it as best it can.
    """
    slack = _slack(console, columns)
    fitted: Fitted | None = None
    for layout, wrap in _layouts(columns):
        table, legend, dropped = _build(columns, layout, title)
        fitted = Fitted(table, layout, legend, dropped)
        if _width(console, table) - (slack if wrap else 0) <= console.width:
            break
    assert fitted is not None, "a table has at least one column"
    return fitted


def print_fitted(console: Console, fitted: Fitted, hint: str) -> None:
    """The table, then its legend and what was left out at this width (``hint``: where to see it)."""
    console.print(fitted.table)
    if fitted.legend:
        console.print(Text("; ".join(fitted.legend), style="dim"))
    if fitted.dropped:
        names = ", ".join(fitted.dropped)
        console.print(
            Text(
                f"not shown at {console.width} columns: {names} (widen the terminal, {hint})",
                style="dim",
            )
        )


def abbreviations(words: Sequence[str], shortest: int = 3) -> list[str]:
    """The shortest prefixes (at least ``shortest`` letters) telling ``words`` apart."""
    lowered = [w.lower() for w in words]
    out: list[str] = []
    for index, word in enumerate(lowered):
        others = lowered[:index] + lowered[index + 1 :]
        size = shortest
        while size < len(word) and any(o.startswith(word[:size]) for o in others):
            size += 1
        short = word[:size]
        if short in out or any(o == word for o in others):  # the same word twice
            short = f"{word[:shortest]}{index + 1}"
        out.append(short)
    return out
