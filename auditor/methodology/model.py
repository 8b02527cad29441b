"""The methodology file, typed: tiers, axes and the signals that earn points."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True, slots=True)
class LookupValue:
    points: float
    label: str


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


@dataclass(frozen=True, slots=True)
class Axis:
    id: str
    name: str
    weight: float
    signals: tuple[Signal, ...]
    why: str = ""
    reason: str = "{earned:g}/{possible:g}"
    unknown_signals: str = "unearned"

    @property
    def possible(self) -> float:
        return sum(s.points for s in self.signals)


@dataclass(frozen=True, slots=True)
class Tier:
    id: str
    name: str
    min: float
    color: str = "#9f9f9f"


@dataclass(frozen=True, slots=True)
class Methodology:
    id: str
    version: str
    title: str
    tiers: tuple[Tier, ...]
    axes: tuple[Axis, ...]
    summary: str = ""
    path: Path | None = None

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
