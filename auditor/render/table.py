"""The terminal table: one row per entry, unknown shown as unknown.

Entry ids, tier names and the methodology's own names reach the table as
:func:`auditor.render.terminal_text.plain` text: no control character, no
rich markup. The table fits the terminal (:mod:`auditor.render.table_fit`):
scores and tiers are never cut; axis headers are abbreviated (with a
legend), then the spec column and the axis scores left out (with a note)
when the terminal is too narrow for them.
"""

from __future__ import annotations

import colorsys
from collections.abc import Sequence

from rich.console import Console
from rich.errors import StyleSyntaxError
from rich.style import Style
from rich.text import Text

from auditor.methodology.model import Axis, Methodology, Tier
from auditor.model import Assessment, AuditResult, CatalogProblem
from auditor.render.reporters import Results
from auditor.render.table_fit import Column, Header, abbreviations, fit_table, print_fitted
from auditor.render.terminal_text import Medium, console_text, plain, terminal_text
from auditor.render.view import coverage_note

WIDTH = 120
"""Columns when the table goes to a file or a pipe."""

_HUES = (
    (20, "red"),
    (70, "yellow"),
    (165, "green"),
    (200, "cyan"),
    (260, "blue"),
    (330, "magenta"),
)
"""Upper bound of each hue range (degrees) and the ANSI colour named for it."""


def _score(value: float | None) -> str:
    return "unknown" if value is None else f"{value:g}"


PARTIAL = "*"
"""Marks a composite computed without some axes (they were unknown); the legend says which."""


def coverage(assessment: Assessment) -> str | None:
    """The entry page's "composite over 75 % of the weights (availability unknown)", None
    when every axis counts or there is no composite to qualify."""
    if assessment.score is None:
        return None
    note = coverage_note(assessment.axes)
    return terminal_text(note) if note else None


def _composite(assessment: Assessment) -> str:
    text = _score(assessment.score)
    return text + PARTIAL if coverage(assessment) else text


def coverage_legend(results: Sequence[AuditResult]) -> str | None:
    """One legend line for the marked scores: each distinct coverage, with how many entries."""
    notes: dict[str, int] = {}
    for r in results:
        note = coverage(r.assessment)
        if note:
            notes[note] = notes.get(note, 0) + 1
    if not notes:
        return None
    if len(notes) > 3:
        return f"{PARTIAL} composite over part of the weights: the entry's unknown axes left out"
    parts = [note if n == 1 else f"{note} for {n} entries" for note, n in notes.items()]
    return f"{PARTIAL} " + "; ".join(parts)


def ansi_color(style: Style) -> Style:
    """``style`` with its RGB colour replaced by the ANSI colour of the same hue.

    On a 16-colour terminal rich picks the nearest of the 16 palette colours
    by distance, which turns a dark green (#2e7d32, "Excellent") into grey;
    the hue is what tells tiers apart, so it is what is kept.
    """
    triplet = style.color.triplet if style.color is not None else None
    if triplet is None:
        return style
    hue, lightness, saturation = colorsys.rgb_to_hls(*(c / 255 for c in triplet))
    if saturation < 0.2 or lightness < 0.1 or lightness > 0.9:
        return style + Style(color="default")
    degrees = hue * 360
    name = next((n for bound, n in _HUES if degrees < bound), "red")
    return style + Style(color=name)


def tier_text(tier: Tier | None, console: Console) -> Text:
    if tier is None:
        return Text("unknown", style="dim")
    try:
        style = Style.parse(tier.color)
    except StyleSyntaxError:
        style = Style()
    if console.color_system in ("standard", "windows"):
        style = ansi_color(style)
    return plain(tier.name, style=style)


def axis_headers(axes: Sequence[Axis]) -> list[tuple[Header, ...]]:
    """Per axis: its whole name, its first word, an abbreviation explained in the legend."""
    names = [terminal_text(a.name).lower().split() or [a.id] for a in axes]
    short = abbreviations([words[0] for words in names])
    headers: list[tuple[Header, ...]] = []
    for axis, words, abbreviation in zip(axes, names, short, strict=True):
        weight = f"{axis.weight:g}%"
        headers.append(
            (
                Header("\n".join([*words, weight])),
                Header(f"{words[0]}\n{weight}"),
                Header(f"{abbreviation}\n{weight}", f"{abbreviation} = {' '.join(words)}"),
            )
        )
    return headers


def print_table(
    console: Console,
    results: list[AuditResult],
    methodology: Methodology,
    problems: Sequence[CatalogProblem],
) -> None:
    title = f"{methodology.title} — {methodology.id} v{methodology.version}"
    specs = [next((f for f in r.findings if f.check == "spec.valid"), None) for r in results]
    axes = methodology.axes
    columns = [
        Column(
            "entry", (Header("entry"),), tuple(plain(r.entry.id) for r in results), flexible=True
        ),
        Column(
            "score",
            (Header("score"),),
            tuple(_composite(r.assessment) for r in results),
            justify="right",
        ),
        Column(
            "tier",
            (Header("tier"),),
            tuple(tier_text(methodology.tier_by_id(r.assessment.tier), console) for r in results),
        ),
        *(
            Column(
                "axis scores",
                headers,
                tuple(_score(r.assessment.axis(axis.id).score) for r in results),
                justify="right",
                drop=2,
            )
            for axis, headers in zip(axes, axis_headers(axes), strict=True)
        ),
        Column(
            "spec",
            (Header("spec"),),
            tuple(spec.outcome.value if spec else "-" for spec in specs),
            drop=1,
        ),
    ]
    fitted = fit_table(console, columns, plain(title, style="table.title"))
    print_fitted(console, fitted, "or use --format json")
    legend = coverage_legend(results)
    if legend:
        console.print(Text(legend, style="dim"))
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
