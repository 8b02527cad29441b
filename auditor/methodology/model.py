"""The methodology file, typed: tiers, axes and the signals that earn points."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

LANGUAGES = ("en", "fr")
"""The languages a methodology file may carry texts in: English is the file's own text, every
other one sits in a ``<lang>:`` block beside the text it translates (``fr: {name: ...}``)."""

Translations = Mapping[str, Mapping[str, str]]
"""Per language, the translated texts of one node of the file, keyed by the field they replace."""


def _text(translations: Translations, lang: str, key: str, english: str) -> str:
    """The ``key`` text in ``lang``, the English text when the file gives no translation."""
    return translations.get(lang, {}).get(key) or english


@dataclass(frozen=True, slots=True)
class LookupValue:
    points: float
    label: str
    translations: Translations = field(default_factory=dict)

    def localized(self, lang: str) -> LookupValue:
        return replace(self, label=_text(self.translations, lang, "label", self.label))


@dataclass(frozen=True, slots=True)
class Signal:
    id: str
    name: str
    check: str
    function: str
    points: float
    description: str = ""
    fact: str | None = None
    values: Mapping[str, LookupValue] = field(default_factory=dict)
    translations: Translations = field(default_factory=dict)

    def localized(self, lang: str) -> Signal:
        t = self.translations
        return replace(
            self,
            name=_text(t, lang, "name", self.name),
            description=_text(t, lang, "description", self.description),
            values={key: value.localized(lang) for key, value in self.values.items()},
        )


@dataclass(frozen=True, slots=True)
class Axis:
    id: str
    name: str
    weight: float
    signals: tuple[Signal, ...]
    why: str = ""
    reason: str = "{earned:g}/{possible:g}"
    unknown_signals: str = "unearned"
    translations: Translations = field(default_factory=dict)

    @property
    def possible(self) -> float:
        return sum(s.points for s in self.signals)

    def localized(self, lang: str) -> Axis:
        t = self.translations
        return replace(
            self,
            name=_text(t, lang, "name", self.name),
            why=_text(t, lang, "why", self.why),
            reason=_text(t, lang, "reason", self.reason),
            signals=tuple(signal.localized(lang) for signal in self.signals),
        )


@dataclass(frozen=True, slots=True)
class Tier:
    id: str
    name: str
    min: float
    color: str = "#9f9f9f"
    translations: Translations = field(default_factory=dict)

    def localized(self, lang: str) -> Tier:
        return replace(self, name=_text(self.translations, lang, "name", self.name))


@dataclass(frozen=True, slots=True)
class Methodology:
    id: str
    version: str
    title: str
    tiers: tuple[Tier, ...]
    axes: tuple[Axis, ...]
    summary: str = ""
    path: Path | None = None
    translations: Translations = field(default_factory=dict)
    lang: str = "en"
    """The language of this object's texts (names, reasons, descriptions) and of the reasons and
    details the engine writes when scoring with it. Ids, weights and points never change."""

    def localized(self, lang: str) -> Methodology:
        """The same methodology told in ``lang``: every text the file translates in a ``<lang>:``
        block, the English text where it does not. Scores under either are the same."""
        if lang not in LANGUAGES:
            raise ValueError(f"unsupported language {lang!r} (supported: {', '.join(LANGUAGES)})")
        if lang == self.lang:
            return self
        t = self.translations
        return replace(
            self,
            title=_text(t, lang, "title", self.title),
            summary=_text(t, lang, "summary", self.summary),
            tiers=tuple(tier.localized(lang) for tier in self.tiers),
            axes=tuple(axis.localized(lang) for axis in self.axes),
            lang=lang,
        )

    @property
    def checks(self) -> frozenset[str]:
        """Every finding check id some signal reads."""
        return frozenset(s.check for a in self.axes for s in a.signals)

    def tier_for(self, score: float | None) -> Tier | None:
        if score is None:
            return None
        for tier in sorted(self.tiers, key=lambda t: t.min, reverse=True):
            if score >= tier.min:
                return tier
        return None

    def tier_by_id(self, tier_id: str | None) -> Tier | None:
        return next((t for t in self.tiers if t.id == tier_id), None)
