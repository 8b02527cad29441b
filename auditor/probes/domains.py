"""Official-domain lists and the registrable-domain match they need.

Matching is done on the registrable domain given by the Public Suffix List,
label by label: ``gouv.fr.example.com`` and ``data-gouv.fr`` are not under
``gouv.fr``.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from importlib.resources import files

import yaml
from publicsuffixlist import PublicSuffixList


@dataclass(frozen=True, slots=True)
class DomainList:
    name: str
    updated: str | None
    domains: frozenset[str]


@dataclass(frozen=True, slots=True)
class DomainMatch:
    host: str
    registrable: str | None
    listed: str | None
    list_name: str | None
    list_updated: str | None


def builtin_gov_suffixes() -> DomainList:
    text = files("auditor.probes").joinpath("data/gov-suffixes.yaml").read_text("utf-8")
    data = yaml.safe_load(text)
    domains = frozenset(d.lower() for group in data["suffixes"].values() for d in group)
    return DomainList(data["name"], str(data.get("updated")), domains)


class DomainMatcher:
    """Holds the PSL and the lists; build one per run (loading the PSL costs ~50 ms)."""

    def __init__(self, lists: tuple[DomainList, ...]) -> None:
        self._psl = PublicSuffixList()
        self._lists = lists

    def registrable(self, host: str) -> str | None:
        host = host.lower().rstrip(".")
        try:
            ipaddress.ip_address(host)
            return None
        except ValueError:
            pass
        result = self._psl.privatesuffix(host)
        return str(result) if result else None

    def match(self, host: str) -> DomainMatch:
        host = host.lower().rstrip(".")
        registrable = self.registrable(host)
        if registrable is not None:
            labels = registrable.split(".")
            candidates = [".".join(labels[i:]) for i in range(len(labels))]
            for domain_list in self._lists:
                for candidate in candidates:
                    if candidate in domain_list.domains:
                        return DomainMatch(
                            host, registrable, candidate, domain_list.name, domain_list.updated
                        )
        return DomainMatch(host, registrable, None, None, None)
