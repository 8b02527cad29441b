"""Government GitHub organisation lists and the URL -> organisation mapping.

GitHub logins are case-insensitive, so lists and URLs are compared folded.
Only URLs whose host is GitHub's own (github.com, raw.githubusercontent.com,
api.github.com, <org>.github.io) name an organisation; a look-alike host such
as ``github.com.example.org`` names none.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib.resources import files
from urllib.parse import urlsplit

from auditor.yaml_loader import safe_load

LOGIN_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,38})$", re.IGNORECASE)
_NOT_ORGS = frozenset({"orgs", "users", "repos", "settings", "about", "features", "topics"})


@dataclass(frozen=True, slots=True)
class OrgList:
    """One list of government organisations, with where each login is listed."""

    name: str
    updated: str | None
    orgs: frozenset[str]
    source: str | None = None
    sections: Mapping[str, str] = field(default_factory=dict, compare=False)
    """Login (folded) -> the section that lists it (country or level of government)."""
    lines: Mapping[str, int] = field(default_factory=dict, compare=False)


@dataclass(frozen=True, slots=True)
class OrgMatch:
    org: str
    list_name: str
    list_updated: str | None
    section: str | None
    line: int | None
    source: str | None


def build_org_list(
    name: str,
    updated: str | None,
    items: Iterable[tuple[str, str | None, int]],
    source: str | None = None,
) -> OrgList:
    """An OrgList from ``(login, section, line)``; invalid logins are skipped."""
    sections: dict[str, str] = {}
    lines: dict[str, int] = {}
    for login, section, line in items:
        folded = login.strip().lower()
        if not LOGIN_RE.match(folded) or folded in lines:
            continue
        lines[folded] = line
        if section:
            sections[folded] = section
    return OrgList(name, updated, frozenset(lines), source, sections, lines)


def sectioned_logins(text: str, document: object) -> list[tuple[str, str | None, int]]:
    """``(login, section, line)`` from GitHub's governments.yml layout (section -> logins).

    Also reads the built-in file's ``{name, updated, organisations: {...}}``.
    """
    if isinstance(document, dict) and isinstance(document.get("organisations"), dict):
        document = document["organisations"]
    if not isinstance(document, dict):
        return []
    section_of = {
        str(login).lower(): str(section)
        for section, logins in document.items()
        if isinstance(logins, list)
        for login in logins
        if isinstance(login, str)
    }
    items: list[tuple[str, str | None, int]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        match = re.match(r"^\s*-\s*['\"]?([A-Za-z0-9-]+)['\"]?\s*(?:#.*)?$", line)
        if match and match.group(1).lower() in section_of:
            login = match.group(1)
            items.append((login, section_of[login.lower()], number))
    return items


def builtin_github_orgs() -> OrgList:
    text = files("auditor.evidence").joinpath("data/gov-github-orgs.yaml").read_text("utf-8")
    data = safe_load(text)
    return build_org_list(data["name"], str(data.get("updated")), sectioned_logins(text, data))


def github_org_of(url: str) -> str | None:
    """The GitHub organisation (or user) a URL lives under, folded; None if not GitHub."""
    try:
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").lower().rstrip(".")
    except ValueError:
        return None
    segments = [s for s in parts.path.split("/") if s]
    org: str | None = None
    if host in {"github.com", "www.github.com", "raw.githubusercontent.com"} and segments:
        org = segments[0]
    elif host == "api.github.com" and len(segments) >= 2 and segments[0] in {"repos", "orgs"}:
        org = segments[1]
    elif host.endswith(".github.io") and host.count(".") == 2:
        org = host.removesuffix(".github.io")
    if org is None or org.lower() in _NOT_ORGS or not LOGIN_RE.match(org):
        return None
    return org.lower()


class OrgMatcher:
    """The run's government-organisation lists; first list that names the login wins."""

    def __init__(self, lists: tuple[OrgList, ...]) -> None:
        self._lists = lists

    @property
    def lists(self) -> tuple[OrgList, ...]:
        return self._lists

    def match(self, org: str) -> OrgMatch | None:
        folded = org.lower()
        for org_list in self._lists:
            if folded in org_list.orgs:
                return OrgMatch(
                    folded,
                    org_list.name,
                    org_list.updated,
                    org_list.sections.get(folded),
                    org_list.lines.get(folded),
                    org_list.source,
                )
        return None
