"""The one jinja2 environment over ``reports/``, for every template auditor renders.

HTML and SVG templates (``*.html.j2``, ``*.svg.j2``) are autoescaped;
Markdown templates (the report pages, ``auditor methodology``) are not, so
every untrusted value in them goes through one of the ``md*`` filters
registered here. Every ``{{ … }}`` output, in every format, loses bidi
overrides and control characters (``finalize``).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

import jinja2
from markupsafe import Markup

from auditor.render import text
from auditor.render.contrast import ink
from auditor.resources import reports_dir


def _finalize(value: Any) -> Any:
    """Every ``{{ … }}`` output loses bidi overrides and control characters, in every format."""
    if isinstance(value, Markup):
        return Markup(text.clean_text(value))
    if isinstance(value, str):
        return text.clean_text(value)
    return value


def _percent(value: Any, digits: int = 0) -> str:
    if not isinstance(value, int | float):
        return "unknown"
    return f"{100 * value:.{digits}f}%"


def _number(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "unknown"
    return f"{value:g}"


def _as_recorded(value: Any) -> Any:
    return value


def _recorded_english(value: Any) -> Markup:
    """Text quoted as the audit recorded it (in English) on a page in another language."""
    return Markup('<span lang="en">{}</span>').format(value)


def build_environment(
    translations: Any = None,
    number: Callable[[Any], str] = _number,
    percent: Callable[..., str] = _percent,
    decimal: Callable[[Any], str] = str,
    lang: str = "en",
) -> jinja2.Environment:
    """An environment over ``reports/`` whose ``_()`` and number filters speak one language
    (``translations``: a gettext object; None: the English msgids as they are).

    Its globals: ``lang`` (the page's ``<html lang>``), ``en`` (the attribute that marks
    recorded English text on a page in another language), ``recorded()`` (such text as
    an element of its own) and ``pct`` (the percent sign with the locale's spacing)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(reports_dir())),
        autoescape=jinja2.select_autoescape(
            enabled_extensions=("html", "svg", "xml", "html.j2", "svg.j2", "xml.j2"),
            default_for_string=True,
        ),
        trim_blocks=False,
        lstrip_blocks=False,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
        finalize=_finalize,
        extensions=["jinja2.ext.i18n"],
    )
    if translations is None:
        env.install_null_translations(newstyle=True)  # type: ignore[attr-defined]
    else:
        env.install_gettext_translations(translations, newstyle=True)  # type: ignore[attr-defined]
    env.filters.update(
        md=text.md_text,
        md_paragraphs=text.md_paragraphs,
        md_link=text.md_link,
        md_code=text.md_code_span,
        md_block=text.md_code_block,
        clean=text.clean_text,
        one_line=text.one_line,
        safe_url=text.safe_url,
        percent=percent,
        number=number,
        decimal=decimal,
        ink=ink,
    )
    english = lang == "en"
    env.globals.update(
        lang=lang,
        # text quoted as recorded (probe messages, evidence) keeps its language on other pages
        en="" if english else Markup(' lang="en"'),
        pct="%" if english else "\u00a0%",
        recorded=_as_recorded if english else _recorded_english,
    )
    return env


@lru_cache(maxsize=1)
def report_environment() -> jinja2.Environment:
    """The English environment, shared by every English rendering (it holds no state of
    a rendering: only the parsed templates)."""
    return build_environment()


def render_template(name: str, **context: Any) -> str:
    return report_environment().get_template(name).render(**context)


def raw_template(name: str) -> str:
    """A file from ``reports/`` as it is (the inline script, whose hash the CSP pins)."""
    env = report_environment()
    assert env.loader is not None
    source, _, _ = env.loader.get_source(env, name)
    return source
