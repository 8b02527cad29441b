"""The terminal table: one row per entry, unknown shown as unknown.

Entry ids, tier names and the methodology's own names reach the table as
:func:`auditor.render.terminal_text.plain` text: no control character, no
rich markup.
"""

from __future__ import annotations

from rich.console import Console
from rich.errors import StyleSyntaxError
from rich.style import Style
from rich.table import Table
from rich.text import Text

from auditor.methodology.model import Methodology, Tier
from auditor.model import AuditResult, CatalogProblem
from auditor.render.reporters import Results
from auditor.render.terminal_text import Medium, console_text, plain, terminal_text

WIDTH = 120
"""Columns when the table goes to a file or a pipe."""


def _score(value: float | None) -> str:
    return "unknown" if value is None else f"{value:g}"


def _tier(tier: Tier | None) -> Text:
    if tier is None:
        return Text("unknown", style="dim")
    try:
        style = Style.parse(tier.color)
    except StyleSyntaxError:
        style = Style()
    return plain(tier.name, style=style)


def print_table(
    console: Console,
    results: list[AuditResult],
    methodology: Methodology,
    problems: list[CatalogProblem],
) -> None:
    title = f"{methodology.title} ({methodology.id} v{methodology.version})"
    table = Table(title=plain(title, style="table.title"))
    table.add_column("entry", no_wrap=True)
    table.add_column("score", justify="right")
    table.add_column("tier")
    for axis in methodology.axes:
        short = axis.name.split()[0][:8].lower()
        table.add_column(Text(f"{terminal_text(short)}\n{axis.weight:g}%"), justify="right")
    table.add_column("spec")
    for result in results:
        assessment = result.assessment
        spec = next((f for f in result.findings if f.check == "spec.valid"), None)
        table.add_row(
            plain(result.entry.id),
            _score(assessment.score),
            _tier(methodology.tier_by_id(assessment.tier)),
            *(_score(assessment.axis(a.id).score) for a in methodology.axes),
            spec.outcome.value if spec else "-",
        )
    console.print(table)
    for problem in problems:
        console.print(Text.assemble(("catalog:", "yellow"), " ", plain(problem)))


def render_table(subject: Results, medium: Medium) -> str:
    return console_text(
        medium,
        WIDTH,
        lambda console: print_table(
            console, subject.results, subject.methodology, subject.problems
        ),
    )
