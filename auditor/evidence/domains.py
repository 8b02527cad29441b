"""Official-domain lists and the label-wise match they need.

A host is official when it equals a listed domain or sits below one, label by
label: ``gouv.fr.example.com`` and ``data-gouv.fr`` are not under ``gouv.fr``.
Listed entries may be deeper than a registrable domain (the French list has
``1jeune1solution.pole-emploi.fr``, or a school's ``x.esidoc.fr`` on shared
hosting), so a match never climbs above what the list names: listing
``x.esidoc.fr`` does not make ``esidoc.fr`` official.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files

from publicsuffixlist import PublicSuffixList

from auditor.yaml_loader import safe_load

MATCH_CACHE = 65536
"""Hosts a DomainMatcher remembers before starting over (bounded memory on any catalog)."""
_HOST_RE = re.compile(
    r"^[a-z0-9_]([a-z0-9_-]{0,62}[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]{0,62}[a-z0-9_])?)*$"
)


@dataclass(frozen=True, slots=True)
class DomainList:
    """One official list: its name and date (for the evidence) and its domains."""

    name: str
    updated: str | None
    domains: frozenset[str]
    source: str | None = None
    """The file or URL it was read from; None for the built-in list."""
    lines: Mapping[str, int] = field(default_factory=dict, compare=False)
    """Domain -> line of the list it came from, so a person can find it."""
    records: Mapping[str, str] = field(default_factory=dict, compare=False)
    """Domain -> what the list says about it (a convention's country, level and
    source; the portal record that vouched for it), shown in the evidence."""
    vouched_by: str | None = None
    """The official portal whose records this list was built from, if any."""


@dataclass(frozen=True, slots=True)
class DomainMatch:
    host: str
    registrable: str | None
    listed: str | None
    list_name: str | None
    list_updated: str | None
    list_line: int | None = None
    list_source: str | None = None
    list_record: str | None = None
    vouched_by: str | None = None


@cache
def public_suffixes() -> PublicSuffixList:
    """The bundled Public Suffix List (offline), parsed once per process (~50 ms)."""
    return PublicSuffixList()


def normalise_host(text: str) -> str | None:
    """A lower-case ASCII (IDNA) host name, or None when ``text`` is not one.

    Accepts a bare host, ``*.host`` (a wildcard pattern) or a URL.
    """
    value = text.strip().lower()
    if "://" in value:
        value = value.split("://", 1)[1]
    value = value.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
    value = value.rsplit("@", 1)[-1]
    if value.startswith("[") or value.count(":") > 1:
        return None  # IPv6 literal: never a listed domain
    value = value.split(":", 1)[0].removeprefix("*.").strip(".")
    if not value:
        return None
    if not value.isascii():
        try:
            value = value.encode("idna").decode("ascii")
        except UnicodeError:
            return None
    return value if _HOST_RE.match(value) else None


def is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def list_entry(text: str) -> str | None:
    """A listed item as the domain it vouches for.

    ``www.example.fr`` vouches for ``example.fr`` (whoever runs a name's www
    runs the name), unless ``example.fr`` is itself a public suffix.
    """
    host = normalise_host(text)
    if host is None or is_ip(host):
        return None
    if host.startswith("www.") and not public_suffixes().is_public(host[4:]):
        host = host[4:]
    return host


def build_domain_list(
    name: str,
    updated: str | None,
    items: Iterable[tuple[str, int]],
    source: str | None = None,
) -> DomainList:
    """A DomainList from ``(text, line)`` pairs; unusable items are skipped."""
    lines: dict[str, int] = {}
    for text, line in items:
        domain = list_entry(text)
        if domain is not None:
            lines.setdefault(domain, line)
    return DomainList(name, updated, frozenset(lines), source, lines)


def builtin_domain_lists() -> tuple[DomainList, ...]:
    """The lists every run checks: government suffixes, then world conventions."""
    from auditor.evidence.conventions import builtin_gov_conventions

    return (builtin_gov_suffixes(), builtin_gov_conventions())


def builtin_gov_suffixes() -> DomainList:
    text = files("auditor.evidence").joinpath("data/gov-suffixes.yaml").read_text("utf-8")
    data = safe_load(text)
    wanted = frozenset(d.lower() for group in data["suffixes"].values() for d in group)
    lines: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.lstrip().startswith("#"):
            for token in re.findall(r"[a-z0-9.-]+", line.lower()):
                if token in wanted:
                    lines.setdefault(token, number)
    return DomainList(data["name"], str(data.get("updated")), wanted, None, lines)


class DomainMatcher:
    """Holds the lists; build one per run."""

    def __init__(self, lists: tuple[DomainList, ...]) -> None:
        self._psl = public_suffixes()
        self._lists = lists
        self._matches: dict[str, DomainMatch] = {}
        """Hosts already matched this run: a catalog's entries share few hosts."""

    @property
    def lists(self) -> tuple[DomainList, ...]:
        return self._lists

    def registrable(self, host: str) -> str | None:
        host = normalise_host(host) or host.lower().rstrip(".")
        if is_ip(host):
            return None
        result = self._psl.privatesuffix(host)
        return str(result) if result else None

    def match(self, host: str) -> DomainMatch:
        found = self._matches.get(host)
        if found is None:
            if len(self._matches) >= MATCH_CACHE:
                self._matches.clear()
            found = self._matches[host] = self._match(host)
        return found

    def _match(self, host: str) -> DomainMatch:
        clean = normalise_host(host)
        shown = clean or host.lower().rstrip(".")
        if clean is None or is_ip(clean):
            return DomainMatch(shown, None, None, None, None)
        registrable = self.registrable(clean)
        labels = clean.split(".")
        candidates = [".".join(labels[i:]) for i in range(len(labels))]
        for domain_list in self._lists:
            for candidate in candidates:
                if candidate in domain_list.domains:
                    return DomainMatch(
                        clean,
                        registrable,
                        candidate,
                        domain_list.name,
                        domain_list.updated,
                        domain_list.lines.get(candidate),
                        domain_list.source,
                        domain_list.records.get(candidate),
                        domain_list.vouched_by,
                    )
        return DomainMatch(clean, registrable, None, None, None)
