"""The terminal table: one row per entry, unknown shown as unknown."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from auditor.methodology.model import Methodology
from auditor.model import AuditResult, CatalogProblem


def _score(value: float | None) -> str:
    return "unknown" if value is None else f"{value:g}"


def print_table(
    console: Console,
    results: list[AuditResult],
    methodology: Methodology,
    problems: list[CatalogProblem],
) -> None:
    table = Table(title=f"{methodology.title} ({methodology.id} v{methodology.version})")
    table.add_column("entry", no_wrap=True)
    table.add_column("score", justify="right")
    table.add_column("tier")
    for axis in methodology.axes:
        short = axis.name.split()[0][:8].lower()
        table.add_column(f"{short}\n{axis.weight:g}%", justify="right")
    table.add_column("spec")
    for result in results:
        assessment = result.assessment
        tier = methodology.tier_by_id(assessment.tier)
        tier_text = f"[{tier.color}]{tier.name}[/]" if tier else "[dim]unknown[/]"
        spec = next((f for f in result.findings if f.check == "spec.valid"), None)
        table.add_row(
            result.entry.id,
            _score(assessment.score),
            tier_text,
            *(_score(assessment.axis(a.id).score) for a in methodology.axes),
            spec.outcome.value if spec else "-",
        )
    console.print(table)
    for problem in problems:
        console.print(f"[yellow]catalog:[/] {problem}", highlight=False)
