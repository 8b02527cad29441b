"""``auditor methodology``: the methodology file as Markdown."""

from __future__ import annotations

from pathlib import Path

import click

from auditor.cli.common import RULES, load_rules
from auditor.cli.lang_option import LANG_OPTION, site_language
from auditor.render.language import Language
from auditor.render.methodology_md import methodology_markdown


@click.command()
@click.option(
    "--rules",
    type=RULES,
    help="Describe this methodology file instead of the built-in trust-v1.",
)
@LANG_OPTION
def methodology(rules: Path | None, lang: str | None) -> None:
    """Print the scoring methodology as Markdown, generated from the rules file.

    \b
    Examples:
      auditor methodology > METHODOLOGY.md
      auditor methodology --lang fr > METHODOLOGIE.md
    """
    code = site_language(lang)
    text = methodology_markdown(load_rules(rules).localized(code), Language(code))
    click.echo(text, nl=False)
