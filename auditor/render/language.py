"""The language of a report site: its UI messages, number and date formats, templates.

One :class:`Language` per rendering (made by :func:`language`), passed to
every page builder: there is no module-level "current language". English is
the source language and keeps the exact formats the site always had (``73.25``,
``60%``, ISO dates), so its pages stay byte-identical; another language takes
its messages from the PO file shipped in ``auditor/render/locale/`` and its
numbers and dates from Babel's locale data (``73,25``, ``60 %``,
``14 déc. 2026``).

The PO file is read at run time (``babel.messages.pofile.read_po``) and turned
into a gettext ``Translations`` object in memory: no compile step, nothing
generated to keep in sync.
"""

from __future__ import annotations

import gettext as stdlib_gettext
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from io import BytesIO
from pathlib import Path
from typing import Any

import jinja2
from babel.dates import format_date, format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent
from babel.support import Translations

from auditor.errors import AuditorError

DEFAULT_LANGUAGE = "en"
SUPPORTED_LANGUAGES = ("en", "fr")
DOMAIN = "auditor"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"


def N_(message: str) -> str:
    """Marks a message for extraction where it is defined (a table of labels); it is
    translated where it is shown, with the page's :class:`Language`."""
    return message


class LanguageError(AuditorError):
    """A language the site cannot be written in."""


def check_language(value: Any, origin: str) -> str:
    """``value`` when it is a supported language code; LanguageError naming ``origin``."""
    if isinstance(value, str) and value.strip().lower() in SUPPORTED_LANGUAGES:
        return value.strip().lower()
    return _refuse(value, origin)


def _refuse(value: Any, origin: str) -> str:
    supported = ", ".join(f'"{code}"' for code in SUPPORTED_LANGUAGES)
    raise LanguageError(f"{origin}: unsupported language {value!r} (supported: {supported})")


def catalogue_path(code: str) -> Path:
    return LOCALE_DIR / code / "LC_MESSAGES" / f"{DOMAIN}.po"


def load_translations(code: str) -> stdlib_gettext.NullTranslations:
    """The messages of ``code`` from its PO file (English: the msgids themselves)."""
    if code == DEFAULT_LANGUAGE:
        return stdlib_gettext.NullTranslations()
    path = catalogue_path(code)
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=code, domain=DOMAIN)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(fp=buffer, domain=DOMAIN)


@dataclass(frozen=True)
class Language:
    """Everything language-dependent a page needs, loaded once per rendering."""

    code: str = DEFAULT_LANGUAGE

    @property
    def english(self) -> bool:
        return self.code == DEFAULT_LANGUAGE

    @cached_property
    def translations(self) -> stdlib_gettext.NullTranslations:
        return load_translations(self.code)

    def gettext(self, message: str) -> str:
        return self.translations.gettext(message)

    def ngettext(self, singular: str, plural: str, count: int) -> str:
        return self.translations.ngettext(singular, plural, count)

    _ = gettext

    def number(self, value: Any) -> str:
        """A number as the page shows it (``73.25`` / ``73,25``); "unknown" for a non-number."""
        if isinstance(value, bool) or not isinstance(value, int | float):
            return self.gettext("unknown")
        if self.english:
            return f"{value:g}"
        return format_decimal(float(f"{value:g}"), format="#,##0.######", locale=self.code)

    def percent(self, value: Any, digits: int = 0) -> str:
        """A share 0-1 as a percentage (``60%`` / ``60 %``)."""
        if isinstance(value, bool) or not isinstance(value, int | float):
            return self.gettext("unknown")
        if self.english:
            return f"{100 * value:.{digits}f}%"
        pattern = "#,##0" + ("." + "0" * digits if digits else "")
        shown = format_decimal(round(100 * value, digits), format=pattern, locale=self.code)
        sign = format_percent(0, locale=self.code).removeprefix("0")  # "\u00a0%" in French
        return f"{shown}{sign}"

    @property
    def percent_sign(self) -> str:
        """What follows a percentage: ``%``, or the locale's spacing and sign (``\u00a0%``)."""
        return "%" if self.english else format_percent(0, locale=self.code).removeprefix("0")

    def decimal(self, value: Any) -> str:
        """A rounded number as Python prints it (English ``40.0``) or in the locale's digits."""
        if self.english or isinstance(value, bool) or not isinstance(value, int | float):
            return str(value)
        return format_decimal(value, format="#,##0.0##", locale=self.code)

    def date(self, value: datetime) -> str:
        """A day: ISO ``2026-12-14`` in English, ``14 déc. 2026`` in French."""
        if self.english:
            return value.date().isoformat()
        return format_date(value.date(), format="medium", locale=self.code)

    def timestamp(self, value: str | None) -> str | None:
        """An ISO timestamp as recorded (English) or in the locale's words, in UTC."""
        if value is None or self.english:
            return value
        parsed = _utc(value)
        if parsed is None:
            return value
        shown = format_datetime(parsed, format="d MMM y, HH:mm", tzinfo=UTC, locale=self.code)
        return f"{shown} UTC"

    def minute(self, value: str) -> str:
        """An ISO time to the minute, in UTC: ``2026-11-30 03:17`` in English (as recorded),
        ``30 nov. 2026, 03:17`` in French (the caller says "UTC")."""
        parsed = None if self.english else _utc(value)
        if parsed is None:
            return value[:16].replace("T", " ")
        return format_datetime(parsed, format="d MMM y, HH:mm", tzinfo=UTC, locale=self.code)

    def day(self, value: str) -> str:
        """The day of an ISO time: ``2026-11-30`` in English, ``30 nov. 2026`` in French."""
        parsed = None if self.english else _utc(value)
        if parsed is None:
            return value[:10]
        return format_date(parsed.astimezone(UTC).date(), format="medium", locale=self.code)

    @cached_property
    def environment(self) -> jinja2.Environment:
        """The templates with this language's gettext and number filters (English: the
        shared environment; another language: one of its own, made once)."""
        from auditor.render.templates import build_environment, report_environment

        if self.english:
            return report_environment()
        return build_environment(
            self.translations, self.number, self.percent, self.decimal, self.code
        )

    def render(self, name: str, **context: Any) -> str:
        return self.environment.get_template(name).render(**context)


def _utc(value: str) -> datetime | None:
    """An ISO time as recorded (``...Z`` or an offset; naive means UTC), None if it is not one."""
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed


ENGLISH = Language()
"""The default of every page builder called without a language: one instance, so its
template environment is built once, not once a call."""


def language(code: str | None = None) -> Language:
    """The Language for ``code`` (default English); LanguageError for an unsupported one."""
    return Language(check_language(code or DEFAULT_LANGUAGE, "language"))
