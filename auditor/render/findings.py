"""Reading findings out of a result of the JSON results document.

Results may come from ``audit --format json`` files written by older or
newer auditors, or with findings left out: every accessor here tolerates a
missing or oddly typed value and answers None rather than raising.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from auditor.render.language import ENGLISH, Language


class Findings:
    """A result's findings grouped by check id, in the order they were recorded."""

    def __init__(self, result: Mapping[str, Any]) -> None:
        self.by_check: dict[str, list[Mapping[str, Any]]] = {}
        for finding in result.get("findings") or []:
            if isinstance(finding, Mapping) and isinstance(finding.get("check"), str):
                self.by_check.setdefault(finding["check"], []).append(finding)

    def all(self, check: str) -> list[Mapping[str, Any]]:
        return self.by_check.get(check, [])

    def first(self, check: str) -> Mapping[str, Any] | None:
        found = self.all(check)
        return found[0] if found else None

    def facts(self, check: str) -> Mapping[str, Any] | None:
        finding = self.first(check)
        if finding is None:
            return None
        facts = finding.get("facts")
        return facts if isinstance(facts, Mapping) else {}

    def passed(self, check: str) -> bool:
        return any(f.get("outcome") == "pass" for f in self.all(check))


def parse_time(value: Any) -> datetime | None:
    """An ISO-8601 timestamp as an aware UTC datetime, or None."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def age_text(observed: datetime | None, now: datetime, tr: Language | None = None) -> str:
    """``today``, ``1 day ago``, ``N days ago`` (or ``at an unknown time``), in ``tr``'s
    language (English by default)."""
    tr = tr or ENGLISH
    if observed is None:
        return tr.gettext("at an unknown time")
    days = (now - observed).days
    if days <= 0:
        return tr.gettext("today")
    return tr.ngettext("%(num)d day ago", "%(num)d days ago", days) % {"num": days}


def number(value: Any) -> float | None:
    """A real number (bools are not numbers here), else None."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def mapping(value: Any) -> Mapping[str, Any]:
    """``value`` when it is a mapping, else an empty one (JSON from elsewhere may lie)."""
    return value if isinstance(value, Mapping) else {}


def items(value: Any) -> list[Any]:
    """``value`` when it is a list, else an empty one."""
    return value if isinstance(value, list) else []
