"""The engine's own words, per language: the details and reasons it writes around the texts the
methodology file gives (``Unknown: ...``, ``9 of 10 verifications succeeded``).

The file's texts (axis names, reason templates, labels) are translated in the file itself, in
``fr:`` blocks; these few phrases belong to the scoring functions, not to any one methodology,
so they live beside the engine. Numbers inside reasons follow the language's decimal mark.
"""

from __future__ import annotations

import string
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

Template = tuple[tuple[str, str | None, str], ...]
"""A template's pieces: (text before a field, the field's name or None at the end, its spec)."""


@lru_cache(maxsize=256)
def simple_template(template: str) -> Template | None:
    """``template`` cut into its pieces when every field is a plain name with no conversion
    (``{earned:g}``, not ``{a.b}``, ``{a[0]}``, ``{a!r}`` or a spec holding a field); None
    otherwise. Parsed once: a methodology has a handful of templates, filled every entry."""
    pieces = []
    try:
        for literal, name, spec, conversion in string.Formatter().parse(template):
            if name is not None and (
                not name.isidentifier() or conversion is not None or "{" in (spec or "")
            ):
                return None
            pieces.append((literal, name, spec or ""))
    except ValueError:
        return None
    return tuple(pieces)


class LocaleFormatter(string.Formatter):
    """``str.format`` whose numbers use ``decimal_mark`` (``73,25`` in French)."""

    def __init__(self, decimal_mark: str = ".") -> None:
        super().__init__()
        self.decimal_mark = decimal_mark

    def fill(self, template: str, values: dict[str, Any]) -> str:
        """``self.format(template, **values)``; a simple template (``simple_template``) is
        filled without ``string.Formatter``'s general machinery (~13 µs a reason, five
        reasons an entry), with the same result."""
        pieces = simple_template(template)
        if pieces is None:
            return self.vformat(template, (), values)
        out = []
        for literal, name, spec in pieces:
            out.append(literal)
            if name is not None:
                out.append(self.format_field(values[name], spec))
        return "".join(out)

    def format_field(self, value: Any, format_spec: str) -> Any:
        text = super().format_field(value, format_spec)
        if (
            self.decimal_mark != "."
            and isinstance(value, float | int)
            and not isinstance(value, bool)
        ):
            return text.replace(".", self.decimal_mark)
        return text


@dataclass(frozen=True, slots=True)
class Words:
    lang: str
    no_evidence_for: str
    no_verification: str
    latest_succeeded: str
    latest_failed: str
    verifications_succeeded: str
    no_evidence: str
    class_not_in_table: str
    yes: str
    no: str
    unknown_axis: str
    nothing_established: str
    percent_sign: str = "%"
    formatter: LocaleFormatter = field(default_factory=LocaleFormatter)

    def percent(self, share: float) -> str:
        """``share`` (0-1) as a whole percentage in this language (``83%``, ``83 %``)."""
        return f"{share:.0%}".replace("%", self.percent_sign)


ENGLISH = Words(
    lang="en",
    no_evidence_for="no evidence collected for {check}",
    no_verification="No verification could be completed",
    latest_succeeded="Latest verification succeeded",
    latest_failed="Latest verification failed ({message})",
    verifications_succeeded="{passed} of {total} verifications succeeded",
    no_evidence="No evidence collected",
    class_not_in_table="{message} (class {key} is not in the methodology's table)",
    yes="yes",
    no="no",
    unknown_axis="Unknown: {detail}",
    nothing_established="no signal could be established",
)

FRENCH = Words(
    lang="fr",
    no_evidence_for="aucune preuve collectée pour {check}",
    no_verification="Aucune vérification n’a pu aboutir",
    latest_succeeded="Dernière vérification réussie",
    latest_failed="Dernière vérification en échec ({message})",
    verifications_succeeded="{passed} vérifications réussies sur {total}",
    no_evidence="Aucune preuve collectée",
    class_not_in_table="{message} (classe {key} absente de la table de la méthodologie)",
    yes="oui",
    no="non",
    unknown_axis="Inconnu\u00a0: {detail}",
    nothing_established="aucun signal n’a pu être établi",
    percent_sign="\u00a0%",  # what Babel writes for French (CLDR), as the pages do
    formatter=LocaleFormatter(decimal_mark=","),
)

_BY_LANG = {words.lang: words for words in (ENGLISH, FRENCH)}


def words_for(lang: str) -> Words:
    """The engine's words in ``lang`` (English for a language it does not speak)."""
    return _BY_LANG.get(lang, ENGLISH)
