"""The one data model every room shares.

Entries come from catalogs, Findings from probes, Assessments from the rule
engine. They are plain frozen dataclasses so they pickle across processes,
compare by value in tests and serialise without surprises.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from functools import lru_cache
from typing import Any

ENTRY_URL_FIELDS = ("base_url", "spec_url", "docs_url", "homepage_url")
RECOMMENDED_FIELDS = (
    "title",
    "description",
    "organization",
    *ENTRY_URL_FIELDS,
    "contact",
    "license",
    "tags",
)
"""The catalog fields a complete record fills (metadata completeness scores them)."""
ENTRY_FIELDS = ("id", *RECOMMENDED_FIELDS, "catalog", "catalog_url")
"""The Entry fields a catalog record may set (``local_spec`` and ``raw`` never come from data)."""

OFFICIAL_CATALOG_IDS = frozenset({"api_gouv_fr", "datagouv"})
"""Catalog ids that earn an official-portal listing. Only the api.gouv.fr and
data.gouv.fr sources, selected as such by the user, may put them on an Entry;
a record's own claim never can."""


def utc_now() -> str:
    """An ISO-8601 UTC timestamp with second precision, the format used everywhere."""
    return _utc_second(int(time.time()))


@lru_cache(maxsize=2)
def _utc_second(second: int) -> str:
    """Formatted once a second: every Finding is stamped (~30 an entry, ~10 µs each)."""
    moment = datetime.fromtimestamp(second, UTC)
    return moment.isoformat().replace("+00:00", "Z")


class SharedFacts(dict[str, Any]):
    """Facts one object holds for the findings of many entries (an analysis's, handed to
    every entry citing its document: ``probes/spec_findings.SpecFindingsMemo``).

    ``stored`` is where a store notes the text it wrote them as (a blob reference), to
    write that again for the next entry instead of serialising and hashing the same
    tens of kilobytes: a note about the facts, never part of them. They cross to another
    process as a plain dict (what was stored here means nothing there).
    """

    __slots__ = ("stored",)

    def __init__(self, facts: Mapping[str, Any]) -> None:
        super().__init__(facts)
        self.stored: str | None = None

    def __reduce__(self) -> tuple[Any, ...]:
        return (dict, (dict(self),))


def _through_constructor(instance: object) -> tuple[Any, ...]:
    """``__reduce__`` of the frozen dataclasses below: unpickled by calling the class with
    its fields, ~20 % faster than dataclasses' own state setter (a ``setattr`` a field in
    Python), which a parent reading its workers' results (~60 objects an entry) pays."""
    names = instance.__dataclass_fields__  # type: ignore[attr-defined]  # in field order
    return (type(instance), tuple([getattr(instance, name) for name in names]))


class Outcome(StrEnum):
    """What a probe established.

    ``unknown`` means the fact could not be established (refused, offline, no
    probe ran); ``error`` means the check itself broke on bad input. Neither is
    ever silently turned into a pass or a fail.
    """

    PASS = "pass"
    FAIL = "fail"
    UNKNOWN = "unknown"
    ERROR = "error"


@dataclass(frozen=True, slots=True)
class Entry:
    """One API listed in a catalog, normalised; ``raw`` keeps the record it came from."""

    __reduce__ = _through_constructor

    id: str
    title: str
    description: str | None = None
    organization: str | None = None
    base_url: str | None = None
    spec_url: str | None = None
    docs_url: str | None = None
    homepage_url: str | None = None
    contact: str | None = None
    license: str | None = None
    tags: tuple[str, ...] = ()
    catalog: str = "file"
    catalog_url: str | None = None
    origin: str | None = None
    """Where the entry was read: a file path (with ``:line`` when known) or a URL."""
    local_spec: str | None = None
    """A spec file on disk, set only by the single-spec source (never from catalog data,
    so an untrusted catalog cannot make auditor read local files)."""
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "description": self.description,
            "organization": self.organization,
            "base_url": self.base_url,
            "spec_url": self.spec_url,
            "docs_url": self.docs_url,
            "homepage_url": self.homepage_url,
            "contact": self.contact,
            "license": self.license,
            "tags": list(self.tags),
            "catalog": self.catalog,
            "catalog_url": self.catalog_url,
            "origin": self.origin,
            "local_spec": self.local_spec,
        }


@dataclass(frozen=True, slots=True)
class CatalogProblem:
    """A catalog record that could not be mapped cleanly; the run goes on without or around it.

    Read by the renderers and the gate as well as the catalog sources, so it lives here."""

    origin: str
    message: str
    entry: str | None = None
    field: str | None = None

    def __str__(self) -> str:
        where = self.origin
        if self.entry:
            where += f": entry {self.entry}"
        if self.field:
            where += f": field {self.field!r}"
        return f"{where}: {self.message}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "origin": self.origin,
            "entry": self.entry,
            "field": self.field,
            "message": self.message,
        }


@dataclass(frozen=True, slots=True)
class Finding:
    """One piece of evidence: what was checked, on what, and what came out.

    ``check`` is the id rules refer to (``official_domain``, ``availability``,
    ``metadata.title``…); ``facts`` holds the raw observation (HTTP status,
    latency, validator message) so a person can verify the verdict.
    """

    __reduce__ = _through_constructor

    check: str
    outcome: Outcome
    message: str
    probe: str
    subject: str | None = None
    facts: Mapping[str, Any] = field(default_factory=dict)
    observed_at: str = field(default_factory=utc_now)

    def to_dict(self) -> dict[str, Any]:
        return {
            "check": self.check,
            "outcome": self.outcome.value,
            "message": self.message,
            "probe": self.probe,
            "subject": self.subject,
            "facts": dict(self.facts),
            "observed_at": self.observed_at,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Finding:
        return cls(
            check=data["check"],
            outcome=Outcome(data["outcome"]),
            message=data["message"],
            probe=data["probe"],
            subject=data.get("subject"),
            facts=dict(data.get("facts") or {}),
            observed_at=data.get("observed_at") or utc_now(),
        )


@dataclass(frozen=True, slots=True)
class SignalScore:
    """A signal's share of its axis: points earned out of points possible, with evidence.

    ``points`` is None when the signal could not be established and the
    methodology gives no value for that case.
    """

    __reduce__ = _through_constructor

    id: str
    name: str
    outcome: Outcome
    points: float | None
    max_points: float
    evidence: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "outcome": self.outcome.value,
            "points": self.points,
            "max_points": self.max_points,
            "evidence": self.evidence,
        }


@dataclass(frozen=True, slots=True)
class AxisScore:
    """One weighted axis; ``score`` is None (unknown) when no signal could be established."""

    __reduce__ = _through_constructor

    id: str
    name: str
    weight: float
    score: float | None
    reason: str
    signals: tuple[SignalScore, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "score": self.score,
            "weight": self.weight,
            "reason": self.reason,
            "signals": [s.to_dict() for s in self.signals],
        }


@dataclass(frozen=True, slots=True)
class Assessment:
    """The scored result for one entry under one methodology."""

    __reduce__ = _through_constructor

    entry_id: str
    score: float | None
    tier: str | None
    axes: tuple[AxisScore, ...]
    methodology_id: str
    methodology_version: str
    assessed_at: str = field(default_factory=utc_now)

    def axis(self, axis_id: str) -> AxisScore:
        for axis in self.axes:
            if axis.id == axis_id:
                return axis
        raise KeyError(axis_id)


@dataclass(frozen=True, slots=True)
class AuditResult:
    """One entry's outcome in a run: the entry, the evidence gathered, and its score.

    Every room after the verifier (store, renderers, gate) reads this type, so it
    lives here rather than in the run loop.
    """

    __reduce__ = _through_constructor

    entry: Entry
    findings: tuple[Finding, ...]
    assessment: Assessment
