"""``auditor methodology``: the methodology file as Markdown."""

from __future__ import annotations

from pathlib import Path

import click

from auditor.cli.common import RULES, load_rules
from auditor.render.methodology_md import methodology_markdown


@click.command()
@click.option(
    "--rules",
    type=RULES,
    help="Describe this methodology file instead of the built-in trust-v1.",
)
def methodology(rules: Path | None) -> None:
    """Print the scoring methodology as Markdown, generated from the rules file.

    \b
    Example:
      auditor methodology > METHODOLOGY.md
    """
    click.echo(methodology_markdown(load_rules(rules)), nl=False)
