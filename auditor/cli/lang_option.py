"""``--lang`` of ``report`` and ``demo``: the language of the report site's pages.

The flag wins; without it, ``lang`` at the top of ``auditor.toml`` (or
``[tool.auditor]`` in ``pyproject.toml``) decides; English otherwise. An
unsupported value is bad input: exit code 2, naming the value, where it came
from and the supported languages.
"""

from __future__ import annotations

from typing import Any

import click

from auditor.config import ConfigError, load_config
from auditor.render.language import (
    DEFAULT_LANGUAGE,
    SUPPORTED_LANGUAGES,
    LanguageError,
    check_language,
)

LANG_OPTION = click.option(
    "--lang",
    "lang",
    metavar="CODE",
    help=f"Language of the site's pages and Markdown ({', '.join(SUPPORTED_LANGUAGES)}); "
    "default: `lang` in auditor.toml, else en. Badges, JSON and CSV stay language-neutral.",
)


def site_language(flag: str | None) -> str:
    """The pages' language: ``--lang``, else the config file's ``lang``, else English."""
    try:
        if flag is not None:
            return check_language(flag, "--lang")
        config = load_config()
        value: Any = config.get("lang")
        if value is None:
            return DEFAULT_LANGUAGE
        return check_language(value, f"{config.path}: lang")
    except (LanguageError, ConfigError) as exc:
        raise click.UsageError(str(exc)) from exc
